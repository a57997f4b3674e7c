"""EMA Workbench interoperation: export results as its archive, and a ready ``Model`` of cogov_sim.

**Export** (:func:`export_results`, ``cogov ema-export RESULTS``): any results folder of ``cogov sweep``,
``cogov whatif`` or ``cogov explore`` becomes the ``tar.gz`` archive ``ema_workbench.load_results`` reads (the
format of ``ema_workbench.util.utilities.save_results``): ``experiments.csv`` (one row per finished run: the input
columns, then ``scenario`` (the design point or future), ``policy`` and ``model``), one ``<indicator>.cls`` per
indicator (EMA Workbench's ``ScalarOutcome`` file: the final values, one per line, no header) and
``metadata.json`` (the outcome classes and the experiments' dtypes). It is written without EMA Workbench.

**Model** (:func:`ema_model`): an ``ema_workbench.Model`` whose function runs :func:`cogov_sim.simulation.simulate`.
Built from an exploration file, its uncertainties are the file's (``RealParameter``, ``IntegerParameter``, the place
as a ``CategoricalParameter``) and its lever is ``arm`` (the no-policy arm and the file's policies); built from a
scenario, its uncertainties are every parameter with a plausible range (or the ``paths`` given) over that range.
Each experiment's seed is a hash of its uncertainty values, so the policies of one scenario share their seed
(common random numbers), as in ``cogov explore``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import tarfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cogov_sim.discovery.explore import load_exploration
from cogov_sim.discovery.results import POLICY, Results, read_results
from cogov_sim.experiments.effects import BASELINE
from cogov_sim.experiments.files import file_kind, load_scenario_ref
from cogov_sim.interventions import make_intervention
from cogov_sim.scenario import (
    EXIT_OK,
    Scenario,
    ScenarioError,
    apply_overrides,
    read_yaml,
    scenario_from_dict,
    tunable_fields,
)
from cogov_sim.simulation import simulate
from cogov_sim.vocabulary import INDICATORS

ARCHIVE_VERSION = 0.1
"""The archive version ``save_results`` of EMA Workbench 3.0 writes."""

MODEL_NAME = "cogov"
"""The ``model`` column of exported experiments and the name of :func:`ema_model`'s model."""

LEVER = "arm"
"""The lever of :func:`ema_model`: which arm (no policy or a policy of the file) runs. Not ``policy``: EMA
Workbench's experiments table has its own ``policy`` column, the name of each policy sample."""

DEFAULT_OUTCOMES: tuple[str, ...] = ("gci", "joint_actions", "non_party_convened_share", "trust_mean")
"""Outcomes of :func:`ema_model` unless given."""


def ema_name(column: str) -> str:
    """A column as an EMA Workbench parameter name (a Python identifier): ``behaviour.x`` -> ``behaviour__x``."""
    name = re.sub(r"\W", "_", column.replace(".", "__"))
    return name if name.isidentifier() else f"p_{name}"


def experiments_table(results: Results) -> pd.DataFrame:
    """The experiments of ``results`` as EMA Workbench names them: inputs, ``scenario``, ``policy``, ``model``."""
    runs = results.runs
    inputs = [c for c in results.inputs if c != POLICY]
    table = runs[inputs].copy()
    for c in inputs:
        if not pd.api.types.is_numeric_dtype(table[c]):
            table[c] = table[c].astype(str)
    table["scenario"] = runs["point_index"].astype(np.int64) if results.kind != "whatif" else runs["replication"]
    table["policy"] = runs[POLICY].astype(str) if POLICY in runs.columns else "none"
    table["model"] = MODEL_NAME
    return table.reset_index(drop=True)


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def export_results(results: Results, path: str | Path) -> Path:
    """Write ``results`` as an EMA Workbench archive at ``path`` (``load_results(path)`` reads it back)."""
    experiments = experiments_table(results)
    outcomes = [c for c in INDICATORS if c in results.runs.columns]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    dtypes = {c: ("object" if experiments[c].dtype == object else experiments[c].dtype.name) for c in experiments}
    with tarfile.open(tmp, "w:gz") as archive:
        _add(archive, "experiments.csv", experiments.to_csv(index=False).encode())
        listed = []
        for name in outcomes:
            values = results.runs[name].to_numpy(dtype=float)
            _add(archive, f"{name}.cls", pd.DataFrame(values).to_csv(header=False, index=False).encode())
            listed.append(("ScalarOutcome", name, f"{name}.cls"))
        meta = {"version": ARCHIVE_VERSION, "outcomes": listed, "experiments": dtypes}
        _add(archive, "metadata.json", json.dumps(meta).encode())
    tmp.replace(path)
    return path


def export_command(args: argparse.Namespace) -> int:
    """The ``cogov ema-export`` command."""
    results = read_results(args.results)
    out = Path(args.out) if args.out else results.folder / "ema_results.tar.gz"
    export_results(results, out)
    print(f"wrote {out} ({len(results.runs)} runs; read it with ema_workbench.load_results)")
    return EXIT_OK


class CogovFunction:
    """The function of :func:`ema_model`: one cogov_sim run per EMA Workbench experiment (picklable).

    Args:
        places: place label -> resolved scenario data (one entry without a place uncertainty).
        paths: uncertainty name (EMA Workbench's, :func:`ema_name`) -> the scenario path it sets.
        policies: arm name -> its interventions as plain data.
        days: days per run.
        outcomes: the indicators returned (final values).
        place: the name of the place uncertainty, if there is one.
    """

    def __init__(self, places: dict[str, dict[str, Any]], paths: dict[str, str], policies: dict[str, list[Any]],
                 days: int, outcomes: tuple[str, ...], place: str | None = None) -> None:  # fmt: skip
        self.places, self.paths, self.policies = places, paths, policies
        self.days, self.outcomes, self.place = days, outcomes, place

    def seed(self, values: dict[str, Any]) -> int:
        """The run seed of one scenario: a hash of its uncertainty values (the same for every policy)."""
        text = json.dumps(sorted((k, str(v)) for k, v in values.items()), separators=(",", ":"))
        return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")

    def __call__(self, **kwargs: Any) -> dict[str, float]:
        """Run one experiment: uncertainties (and the place, ``arm``) as keywords; the outcomes' final values."""
        policy = str(kwargs.pop(LEVER, BASELINE))
        values = {k: v for k, v in kwargs.items() if k in self.paths or k == self.place}
        place = str(values[self.place]) if self.place else next(iter(self.places))
        changes = {self.paths[k]: (v.item() if hasattr(v, "item") else v) for k, v in values.items() if k in self.paths}
        scenario = scenario_from_dict(apply_overrides(self.places[place], changes))
        ivs = [make_intervention(dict(d), "ema", f"policies.{policy}.{k}") for k, d in enumerate(self.policies[policy])]
        result = simulate(scenario, self.seed(values), self.days, interventions=ivs, tables=False)
        return {o: float(result.final[o]) for o in self.outcomes}


def ema_model(source: str | Path | Scenario, *, paths: list[str] | None = None, days: int | None = None,
              outcomes: tuple[str, ...] = DEFAULT_OUTCOMES) -> Any:  # fmt: skip
    """An ``ema_workbench.Model`` running cogov_sim, from an exploration file or a scenario.

    Args:
        source: an exploration file (uncertainties, places and policies from it), or a scenario (a file, a shipped
            name or a :class:`~cogov_sim.scenario.Scenario`; every parameter with a plausible range, or ``paths``).
        paths: for a scenario, the uncertain parameters (default: all with a plausible range).
        days: days per run (default: the file's or the scenario's).
        outcomes: the indicators the model reports.

    Raises:
        ScenarioError: a bad file, a path without a plausible range, an unknown outcome.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA Workbench warns at import that ipyparallel is missing
        from ema_workbench import CategoricalParameter, IntegerParameter, Model, RealParameter, ScalarOutcome
    for o in outcomes:
        if o not in INDICATORS:
            raise ScenarioError("outcomes", o, "unknown indicator")
    levers: list[Any] = []
    if isinstance(source, str | Path) and str(source).endswith((".yaml", ".yml")) and _is_exploration(source):
        exp = load_exploration(source)
        places = {k: d for k, (d, _) in exp.places.items()}
        uncs = [(u.column, u.kind, u.path, u.bounds, u.places) for u in exp.uncertainties]
        policies = {a.name: a.to_data() for a in exp.arms}
        levers = [CategoricalParameter(LEVER, list(policies))]
        days = days or exp.days
    else:
        scenario = load_scenario_ref(source)
        table = {t.path: t for t in tunable_fields() if t.plausible is not None}
        chosen = paths or list(table)
        for p in chosen:
            if p not in table:
                raise ScenarioError("paths", p, f"no plausible range; paths with one: {', '.join(table)}")
        uncs = [(p, "int" if table[p].kind is int else "real", p, table[p].plausible, ()) for p in chosen]
        places, policies = {scenario.name: scenario.to_dict()}, {BASELINE: []}
        days = days or scenario.days
    params: list[Any] = []
    for column, kind, _, bounds, labels in uncs:
        name = ema_name(column)
        if kind == "place":
            params.append(CategoricalParameter(name, list(labels)))
        elif kind == "int":
            params.append(IntegerParameter(name, int(bounds[0]), int(bounds[1])))
        else:
            params.append(RealParameter(name, float(bounds[0]), float(bounds[1])))
    paths_of = {ema_name(c): p for c, _, p, _, _ in uncs if p}
    place = next((ema_name(c) for c, kind, _, _, _ in uncs if kind == "place"), None)
    fn = CogovFunction(places, paths_of, policies, int(days), tuple(outcomes), place)
    model = Model(MODEL_NAME, function=fn)
    model.uncertainties = params
    if levers:
        model.levers = levers
    model.outcomes = [ScalarOutcome(o) for o in outcomes]
    return model


def _is_exploration(path: str | Path) -> bool:
    return file_kind(read_yaml(path)) == "exploration"
