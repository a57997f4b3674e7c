"""One probed run: the model stepped day by day with a hook that keeps what the targets need and a run does not.

:func:`probe_run` builds the model, reads the World on day 0 (ties and awareness before any center acts), steps
it, and after each day adds that day's visits and joint actions to running counts (:class:`DayHook`): visits of
each home-anchored resident to each center level, elderly visits within 800 m of home, visits of office workers
and riders nearer their work or route than their home, and each joint action's kind, people and outcome. At the
end it flattens the run's tables and these counts into one record (:mod:`~cogov_sim.calibration.record`).

:func:`execute_probe` is the task function of ``cogov check`` on the sweep runner: a
:class:`~cogov_sim.experiments.runner.RunTask` in, a :class:`~cogov_sim.experiments.runner.RunOutcome` out whose row
holds the final indicators and the record and whose series is every day's indicators. Like the runner's
``execute`` it never raises for a failing run: the error becomes the run's ``status`` and ``error``.
"""

from __future__ import annotations

import math
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cogov_sim import __version__, indicators
from cogov_sim.calibration.record import DECAY_BIN_KM, DECAY_BINS, key
from cogov_sim.experiments.runner import RunOutcome, RunTask
from cogov_sim.model import CoGovModel
from cogov_sim.scenario import LEVELS, SEGMENTS, scenario_from_dict
from cogov_sim.vocabulary import INDICATORS
from cogov_sim.world import World

PROBE_VERSION = 1
"""Version of what the probe records; part of every run's id, so a changed probe never reuses old records."""

ELDERLY_RADIUS_M = 800.0
"""Walking distance from home within which elderly visits count as near (Evidence §4.1: 75% within 800 m)."""

ELDERLY = SEGMENTS.index("elderly")
ANCHORED = (SEGMENTS.index("office_worker"), SEGMENTS.index("rider"))


def walking_m(world: World, points: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Walking distance (m) from each point (n, 2) to the matching center index: straight line × detour."""
    c = world.centers
    return np.hypot(points[:, 0] - c.x[centers], points[:, 1] - c.y[centers]) * world.scenario.behaviour.detour_factor


class DayHook:
    """Running counts kept after each day of a run, from the day's visits and joint actions."""

    def __init__(self, world: World) -> None:
        pop = world.pop
        self.home_anchored = ~pop.commuter & (pop.work == pop.home).all(axis=1)
        self.to_level = np.zeros((pop.n, len(LEVELS)))
        self.elderly = np.zeros(2)  # visits within the radius, all visits
        self.anchor = np.zeros(2)  # visits nearer the work anchor, all visits
        self.anchored = ~pop.commuter & np.isin(pop.segment, ANCHORED) & (pop.work != pop.home).any(axis=1)
        self.actions = {kind: np.zeros(2) for kind in ("face_to_face", "remote", "service")}  # held, succeeded
        self.people = 0.0

    def after_day(self, world: World) -> None:
        """Add today's visits and joint actions."""
        t, pop = world.today, world.pop
        if len(t.visitor):
            v, c = t.visitor, t.center
            np.add.at(self.to_level, (v, world.centers.level[c]), 1)
            old = pop.segment[v] == ELDERLY
            if old.any():
                near = walking_m(world, pop.home[v[old]], c[old]) <= ELDERLY_RADIUS_M
                self.elderly += (near.sum(), old.sum())
            anchored = self.anchored[v]
            if anchored.any():
                va, ca = v[anchored], c[anchored]
                nearer = walking_m(world, pop.work[va], ca) < walking_m(world, pop.home[va], ca)
                self.anchor += (nearer.sum(), anchored.sum())
        for a in t.activities:
            kind = "service" if a.problem < 0 else "face_to_face" if a.face_to_face else "remote"
            self.actions[kind] += (1, a.success)
            self.people += a.people


def start_record(world: World) -> dict[str, float]:
    """What the World holds on day 0: residents without any tie, residents unaware of the street and stations."""
    res = ~world.pop.commuter
    i, j = world.ties.unpack()
    tied = np.zeros(world.n, dtype=bool)
    tied[i[i < world.n]] = True
    tied[j[j < world.n]] = True
    aware = world.pop.awareness
    return {
        key("probe", "start", "no_tie_share"): _share(~tied[res]),
        key("probe", "start", "unaware_residential_share"): _share(~aware[res, LEVELS.index("residential")]),
        key("probe", "start", "unaware_street_share"): _share(~aware[res, LEVELS.index("street")]),
    }


def _share(mask: np.ndarray) -> float:
    return float(mask.mean()) if len(mask) else math.nan


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b else math.nan


def table_record(world: World) -> dict[str, float]:
    """The run's tables as record cells: per level, per segment, per actor type, ties and agreements by type pair."""
    out: dict[str, float] = {}
    for _, r in indicators.per_level(world).reset_index().iterrows():
        out[key("per_level", r["level"], "centers")] = float(r["centers"])
        out[key("per_level", r["level"], "visits_per_day")] = float(r["visits_per_day"])
    for _, r in indicators.per_segment(world).iterrows():
        for col in ("people", "visits_per_person", "participation", "volunteer_share"):
            out[key("per_segment", f"{r['group']}={r['value']}", col)] = float(r[col])
    for _, r in indicators.per_actor_type(world).iterrows():
        for col, value in r.items():
            if col != "actor_type":
                out[key("per_actor_type", r["actor_type"], str(col))] = float(value)
    for _, r in indicators.ties_by_type_pair(world).iterrows():
        for col in ("ties", "ties_20h", "ties_casual", "mean_hours"):
            out[key("ties_by_type_pair", f"{r['type_a']}-{r['type_b']}", col)] = float(r[col])
    for _, r in indicators.agreements_by_type_pair(world).iterrows():
        row = "lapsed" if r["type_a"] == "lapsed" else f"{r['type_a']}-{r['type_b']}"
        out[key("agreements_by_type_pair", row, "agreements")] = float(r["agreements"])
    return out


def decay_record(world: World, hook: DayHook) -> dict[str, float]:
    """Per level with centers: home-anchored residents and their visits to it, by distance to its nearest center."""
    out: dict[str, float] = {}
    c, pop = world.centers, world.pop
    people = np.flatnonzero(hook.home_anchored)
    for k, level in enumerate(LEVELS):
        at = np.flatnonzero((c.level == k) & c.active)
        if not len(at) or not len(people):
            continue
        home = pop.home[people]
        dist = np.min(
            [np.hypot(home[:, 0] - c.x[j], home[:, 1] - c.y[j]) for j in at], axis=0
        ) * world.scenario.behaviour.detour_factor / 1000.0  # fmt: skip
        visits = hook.to_level[people, k]
        b = np.minimum((dist / DECAY_BIN_KM).astype(int), DECAY_BINS)
        for i in range(DECAY_BINS):
            m = b == i
            out[key("decay", level, f"km_{i}")] = float(dist[m].mean()) if m.any() else math.nan
            out[key("decay", level, f"people_{i}")] = float(m.sum())
            out[key("decay", level, f"visits_{i}")] = float(visits[m].sum())
    return out


def end_record(world: World, hook: DayHook, series: pd.DataFrame) -> dict[str, float]:
    """The record of the run's end: visits, centers, ties, actions, volunteers, the place, tables and decay bins."""
    pop, b, sc = world.pop, world.scenario.behaviour, world.scenario
    res = ~pop.commuter
    out = table_record(world)
    out.update(decay_record(world, hook))
    per_day = indicators.per_center(world)
    per_day = per_day.loc[per_day["active"], "visits_per_day"].to_numpy(float)
    skew = float(stats.skew(per_day)) if len(per_day) > 2 and per_day.std() > 0 else math.nan
    out.update({
        key("probe", "visits", "ever_share"): _share(pop.visits[res] > 0),
        key("probe", "visits", "elderly_within_800m_share"): _ratio(*hook.elderly),
        key("probe", "visits", "work_anchor_share"): _ratio(*hook.anchor),
        key("probe", "visits", "per_person"): float(pop.visits.mean()) if pop.n else math.nan,
        key("probe", "centers", "skewness"): skew,
        key("probe", "centers", "mean_visits_per_day"): float(per_day.mean()) if len(per_day) else math.nan,
        key("probe", "centers", "max_to_median"): _ratio(per_day.max(), np.median(per_day)) if len(per_day) else
        math.nan,
    })  # fmt: skip
    i, j, h = world.ties.above(world.day, b.acquaintance_hours)
    people = (i < world.n) & (j < world.n)
    out[key("probe", "ties", "friend_share")] = _share(h[people] >= b.friend_hours)
    out[key("probe", "ties", "casual_share")] = _share(h[people] >= b.casual_hours)
    held = sum(v[0] for v in hook.actions.values())
    out[key("probe", "actions", "count")] = float(held)
    out[key("probe", "actions", "people_per_action")] = _ratio(hook.people, held)
    for kind, (n, ok) in hook.actions.items():
        out[key("probe", "actions", f"{kind}_success")] = _ratio(ok, n)
    out[key("probe", "actions", "face_to_face_count")] = float(hook.actions["face_to_face"][0])
    out[key("probe", "actions", "remote_count")] = float(hook.actions["remote"][0])
    out[key("probe", "volunteers", "retention_last_year")] = volunteer_retention(world, series)
    out[key("probe", "place", "residents")] = float(sc.population.residents)
    out[key("probe", "place", "people")] = float(sc.population.residents + sc.population.commuters)
    return out


def volunteer_retention(world: World, series: pd.DataFrame) -> float:
    """Share of day (end - 365)'s volunteers still volunteering at the end without a break (NaN within a year).

    A volunteer who leaves and joins again starts a new ``volunteer_since``, so the volunteers of the end who
    joined on or before that day are exactly those of that day who stayed.
    """
    t0 = world.day - 365
    if t0 < 1:
        return math.nan
    before = float(series.loc[series["day"] == t0, "volunteer_share"].iloc[0]) * world.pop.n
    stayed = float((world.pop.volunteer & (world.pop.volunteer_since <= t0)).sum())
    return _ratio(stayed, before)


def probe_run(scenario: Any, seed: int, days: int) -> tuple[pd.DataFrame, dict[str, float]]:
    """Run ``days`` days of a validated scenario with the hooks; the daily indicators and the record."""
    model = CoGovModel(scenario, seed=seed)
    world = model.world
    record = start_record(world)
    hook = DayHook(world)
    for _ in range(days):
        model.step()
        hook.after_day(world)
    series = pd.DataFrame(world.records)
    record.update(end_record(world, hook, series))
    return series, record


def execute_probe(task: RunTask) -> RunOutcome:
    """Run one task of ``cogov check`` (in a worker); never raises for a failing run (it is recorded as failed)."""
    start = time.perf_counter()
    row: dict[str, Any] = {"run_id": task.run_id, "point_index": task.point_index, **task.point,
                           "replication": task.replication, "seed": task.seed}  # fmt: skip
    series = None
    columns: tuple[str, ...] = ()
    finals: dict[str, float] = {}
    try:
        scenario = scenario_from_dict(dict(task.scenario_data))
        ts, record = probe_run(scenario, task.seed, task.days)
    except Exception as exc:
        frames = traceback.extract_tb(exc.__traceback__)
        where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
        row.update(status="failed", error=f"{type(exc).__name__}: {exc}".replace("\n", " ") + where)
    else:
        row.update(status="ok", error=None)
        finals = {k: float(v) for k, v in ts.iloc[-1].items() if k != "day"}
        finals.update(record)
        series = ts.to_numpy(dtype=np.float64)
        columns = tuple(str(c) for c in ts.columns)
    row.update({k: finals.get(k, math.nan) for k in INDICATORS})
    row.update({k: v for k, v in finals.items() if k not in INDICATORS})
    row.update(scenario_hash=task.scenario_hash, days=task.days, version=__version__,
               wall_time_s=round(time.perf_counter() - start, 3), attempts=1)  # fmt: skip
    return RunOutcome(row, series, columns)
