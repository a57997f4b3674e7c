"""Run one simulation and collect its results: the one entry point the CLI, sweeps, what-ifs and tests share."""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cogov_sim import indicators, place_indicators
from cogov_sim.model import CoGovModel
from cogov_sim.scenario import Scenario

MODEL_SOURCES = ("*.py", "scenario/*.py", "mechanisms/*.py", "world/*.py", "interventions/*.py")
"""The files whose code decides a run's numbers (not the app, the CLI or the experiment layer)."""


@functools.cache
def model_fingerprint() -> str:
    """Hash of the model's source code: stored runs made by different model code are never mixed up."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for pattern in MODEL_SOURCES:
        for path in sorted(root.glob(pattern)):
            if path.name not in ("cli.py", "report.py"):
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass
class RunResult:
    """What one run produces: the daily indicators, final values, group tables and provenance."""

    timeseries: pd.DataFrame
    final: dict[str, float]
    meta: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    model: CoGovModel | None = None


def simulate(
    scenario: Scenario,
    seed: int,
    days: int | None = None,
    interventions: Sequence[Any] = (),
    progress: Callable[[int], None] | None = None,
    keep_model: bool = False,
    tables: bool = True,
) -> RunResult:
    """Build the model, run ``days`` days (default: the scenario's), and collect the results.

    Args:
        scenario: validated scenario.
        seed: run seed (>= 0).
        days: days to simulate; default ``scenario.days``.
        interventions: what-if policy objects scheduled on the model.
        progress: called with the number of days done after each day.
        keep_model: attach the finished model to the result (for plots of the place and network).
        tables: build the per-center, per-level, per-segment and per-actor-type tables (sweeps skip them); a city's
            per-street and per-district tables and street series too.
    """
    days = scenario.days if days is None else days
    if days < 1:
        raise ValueError("days must be >= 1")
    start = time.perf_counter()
    model = CoGovModel(scenario, seed=seed, interventions=list(interventions))
    for d in range(days):
        model.step()
        if progress is not None:
            progress(d + 1)
    world = model.world
    ts = pd.DataFrame(world.records)
    final = {k: float(v) for k, v in ts.iloc[-1].items() if k != "day"}
    meta = {
        **model.meta(),
        "model_fingerprint": model_fingerprint(),
        "days": days,
        "wall_time_s": round(time.perf_counter() - start, 3),
    }
    groups = {}
    if tables:
        groups = {
            "per_center": indicators.per_center(world),
            "per_level": indicators.per_level(world).reset_index(),
            "per_segment": indicators.per_segment(world),
            "per_actor_type": indicators.per_actor_type(world),
            "ties_by_type_pair": indicators.ties_by_type_pair(world),
            "agreements_by_type_pair": indicators.agreements_by_type_pair(world),
            "consciousness_ledger": indicators.consciousness_ledger(world),
        }
    if world.places.plans:  # a city's streets, for sweeps too
        groups["per_street"] = place_indicators.by_street(world)
        if tables:
            groups["per_district"] = place_indicators.by_district(groups["per_street"])
            groups["streets_timeseries"] = place_indicators.street_series(world)
    return RunResult(ts, final, meta, groups, model if keep_model else None)
