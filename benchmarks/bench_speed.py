"""How fast the model is against two yardsticks, and where a day's time goes (not a timed test).

1. ``compare``: the baseline street scaled to ``--residents`` (100,000 by default) for ``--days`` days, against
   (a) plain Mesa stepping the same number of agents with an empty ``step`` (``shuffle_do``) for the same days,
   and (b) a bare numpy kernel of presence and encounters for the same agents, centers and days (each person
   picks a slot and one of its candidate centers by weight, people together at a center meet a bounded number
   of others, the pairs' hours are merged into a sorted tie table, as ``cogov_sim.ties`` does; and once more
   with the day's pairs counted but not remembered, the bare kernel). Each run is a fresh process; the four are
   run one after another in every repetition, so each ratio is taken between runs
   made under nearly the same load, and the median of the repetitions' ratios is reported, of wall time and of
   the process's CPU time (which waiting for a core on a shared machine does not inflate).
2. ``profile``: one baseline run at ``--residents`` with every phase timed; the share of the day each takes.
   With ``--city``, the same for :data:`CITY`, Shanghai at 1:100 as districts of streets; with ``--scenario``,
   for any scenario file as it is.

Every result states the machine's load (``os.getloadavg``) before and after. Numbers on a shared machine are
ratios measured in one sitting, not absolute seconds.

Usage::

    python benchmarks/bench_speed.py compare [--residents 100000] [--days 365] [--reps 3]
    python benchmarks/bench_speed.py profile [--residents 100000] [--days 60]
    python benchmarks/bench_speed.py profile --city --days 5
    python benchmarks/bench_speed.py profile --scenario scenarios/minhang.yaml --days 60
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_model import CHILD as MODEL_CHILD  # noqa: E402  (the scaled baseline: one definition)
from bench_model import SCALED  # noqa: E402

MESA_CHILD = r"""
import json, sys, time
import mesa
agents, days = int(sys.argv[1]), int(sys.argv[2])
class Person(mesa.Agent):
    def step(self):
        pass
class Empty(mesa.Model):
    def __init__(self, n):
        super().__init__(rng=1)
        Person.create_agents(self, n)
    def step(self):
        self.agents.shuffle_do("step")
t0 = time.perf_counter()
model = Empty(agents)
t1, c1 = time.perf_counter(), time.process_time()
for _ in range(days):
    model.step()
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"agents": agents, "days": days, "build_s": t1 - t0, "run_s": t2 - t1, "cpu_s": c2 - c1}))
"""

KERNEL_CHILD = r"""
import json, sys, time
import numpy as np
agents, centers, days, keep = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "ties"
K, SLOTS, MEET, HOURS, RATE = 7, 4, 3, 1.5, np.log(2) / 90
rng = np.random.default_rng(1)
t0 = time.perf_counter()
cand = rng.integers(0, centers, (agents, K))  # candidate centers and their static weights, as in reach
weight = (0.02 * rng.random((agents, K))).astype(np.float32)
keys, hours, last = np.zeros(0, np.int64), np.zeros(0, np.float32), np.zeros(0, np.int32)
t1, c1 = time.perf_counter(), time.process_time()
for day in range(days):
    where, who = [], []
    for slot in range(SLOTS):  # presence: everyone weighs its candidates, some go, each to one of them
        factor = rng.random(centers).astype(np.float32)  # the day's opening and events per center
        w = weight * factor[cand]
        v = w.sum(axis=1)
        hit = np.flatnonzero(rng.random(agents) < v / (1 + v))
        cw = np.cumsum(w[hit], axis=1)
        pick = np.minimum((cw < rng.random(len(hit))[:, None] * cw[:, -1:]).sum(axis=1), K - 1)
        where.append(cand[hit, pick] * SLOTS + slot)
        who.append(hit)
    where, who = np.concatenate(where), np.concatenate(who)
    order = np.lexsort((rng.random(len(who)), where))  # encounters: a random queue at each center and slot
    who, where = who[order], where[order]
    a, b = [], []
    for m in range(1, MEET + 1):  # each meets the next MEET people in the queue of the same place
        i = np.flatnonzero(where[:-m] == where[m:])
        a.append(who[i])
        b.append(who[i + m])
    a, b = np.concatenate(a), np.concatenate(b)
    u, n = np.unique(np.minimum(a, b).astype(np.int64) * agents + np.maximum(a, b), return_counts=True)
    if not keep:  # the bare kernel: the day's pairs counted, not remembered
        continue
    pos = np.searchsorted(keys, u)  # merge into the sorted tie table with lazy decay, as cogov_sim.ties
    found = pos < len(keys)
    found[found] = keys[pos[found]] == u[found]
    fp = pos[found]
    hours[fp] = hours[fp] * np.exp(-RATE * (day - last[fp])) + HOURS * n[found]
    last[fp] = day
    new = ~found
    keys = np.insert(keys, pos[new], u[new])
    hours = np.insert(hours, pos[new], (HOURS * n[new]).astype(np.float32))
    last = np.insert(last, pos[new], day)
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"agents": agents, "days": days, "build_s": t1 - t0, "run_s": t2 - t1, "cpu_s": c2 - c1,
                  "ties": len(keys) if keep else len(u)}))
"""


def child(code: str, *args: object) -> dict:
    """Run ``code`` in a fresh interpreter importing this tree; its last line of output, parsed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def load() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


def compare(residents: int, days: int, reps: int) -> dict:
    """Interleaved runs of the model, the empty Mesa loop and the numpy kernel; median ratios."""
    before, rows = load(), []
    for rep in range(reps):
        model = child(MODEL_CHILD, residents, days)
        agents = model["agents"]
        mesa = child(MESA_CHILD, agents, days)
        kernel = child(KERNEL_CHILD, agents, model["centers"], days, "ties")
        bare = child(KERNEL_CHILD, agents, model["centers"], days, "no-ties")
        runs = (("model", model), ("mesa", mesa), ("kernel", kernel), ("bare", bare))
        row = {"rep": rep, "load": load(), **{f"{name}_{what}": run[f"{what}_s"] for name, run in runs
               for what in ("run", "cpu")}}  # fmt: skip
        print(json.dumps(row), file=sys.stderr)
        rows.append(row)
    return {
        "residents": residents,
        "agents": agents,
        "days": days,
        "reps": reps,
        "load_before": before,
        "load_after": load(),
        **{
            f"{name}_{what}_s": statistics.median(r[f"{name}_{what}"] for r in rows)
            for name in ("model", "mesa", "kernel", "bare")
            for what in ("run", "cpu")
        },
        **{
            f"mesa_over_model_{what}": statistics.median(r[f"mesa_{what}"] / r[f"model_{what}"] for r in rows)
            for what in ("run", "cpu")
        },
        **{
            f"model_over_{k}_{what}": statistics.median(r[f"model_{what}"] / r[f"{k}_{what}"] for r in rows)
            for k in ("kernel", "bare")
            for what in ("run", "cpu")
        },
    }


CITY = "scenarios/shanghai.yaml"
"""Shanghai at 1:100 as 16 districts of 215 streets (``--city``); ``--scenario`` profiles any other file."""
"""Shanghai at 1:100 written as one giant street (issue 11): 24.8 M people at sample fraction 0.01 (248,000
agents), 16 district and 214 street centers among 11,730, about 7,000 organizations, on 40 × 40 km."""

PROFILE_CHILD = r"""
import collections, json, resource, sys, time
from cogov_sim.scenario import load_scenario
from cogov_sim.model import CoGovModel
size, path = int(sys.argv[1]), sys.argv[4]
exec(sys.argv[3])  # the scenario overrides `over`: SCALED (the baseline at `size` residents), or none
sc = load_scenario(path, over)
t0 = time.perf_counter()
model = CoGovModel(sc, seed=1)
build = time.perf_counter() - t0
spent = collections.Counter()
def timed(phase):
    run = phase.run
    def wrapper(world, rng):
        t = time.perf_counter()
        run(world, rng)
        spent[phase.name] += time.perf_counter() - t
    phase.run = wrapper
for phase in model.phases:
    timed(phase)
t0, c0 = time.perf_counter(), time.process_time()
for _ in range(int(sys.argv[2])):
    model.step()
total, cpu = time.perf_counter() - t0, time.process_time() - c0
spent["(outside the phases: Mesa step, datacollector)"] = total - sum(spent.values())
w = model.world
print(json.dumps({"agents": w.n, "days": int(sys.argv[2]), "build_s": build, "run_s": total, "cpu_s": cpu,
                  "centers": len(w.centers), "organizations": len(w.orgs),
                  "candidates": w.reach.cand["home"].idx.shape[1], "phases": dict(spent),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def profile(residents: int, days: int, scenario: str | None = None) -> dict:
    """Seconds per phase of one run of the scaled baseline, or of ``scenario`` as it is (:data:`CITY`)."""
    before = load()
    if scenario is None:
        row = child(PROFILE_CHILD, residents, days, SCALED, "scenarios/baseline.yaml")
    else:
        row = child(PROFILE_CHILD, residents, days, "over = {}", scenario)
    return {
        "residents": residents if scenario is None else None,
        "scenario": scenario or "baseline scaled",
        "load_before": before,
        "load_after": load(),
        **row,
    }


def main() -> None:
    """Parse the command and print its table (the JSON on stderr)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="what", required=True)
    c = sub.add_parser("compare", help="model against plain Mesa and a numpy kernel, interleaved")
    c.add_argument("--residents", type=int, default=100_000)
    c.add_argument("--days", type=int, default=365)
    c.add_argument("--reps", type=int, default=3)
    f = sub.add_parser("profile", help="where a day's time goes, by phase")
    f.add_argument("--residents", type=int, default=100_000)
    f.add_argument("--days", type=int, default=60)
    f.add_argument("--city", action="store_true", help=f"profile {CITY} (16 districts, 215 streets) instead")
    f.add_argument("--scenario", help="profile this scenario file as it is (e.g. scenarios/minhang.yaml) instead")
    args = p.parse_args()
    if args.what == "compare":
        r = compare(args.residents, args.days, args.reps)
        print(json.dumps(r), file=sys.stderr)
        print(f"\n{r['residents']:,} residents ({r['agents']:,} agents), {r['days']} days, median of {r['reps']}"
              f" interleaved repetitions; load {r['load_before']} -> {r['load_after']}")  # fmt: skip
        for what, label in (("run", "wall"), ("cpu", "CPU")):
            print(f"  {label} time: model {r[f'model_{what}_s']:.1f} s, plain Mesa empty step"
                  f" {r[f'mesa_{what}_s']:.1f} s, numpy kernel {r[f'kernel_{what}_s']:.1f} s (without tie memory"
                  f" {r[f'bare_{what}_s']:.1f} s); empty Mesa loop / model = {r[f'mesa_over_model_{what}']:.2f}"
                  f" (above 1: the model is faster), model / numpy kernel = {r[f'model_over_kernel_{what}']:.2f}"
                  f" (without tie memory {r[f'model_over_bare_{what}']:.2f})")  # fmt: skip
    else:
        r = profile(args.residents, args.days, CITY if args.city else args.scenario)
        print(json.dumps(r), file=sys.stderr)
        print(f"\n{r['scenario']} ({r['agents']:,} agents, {r['centers']:,} centers, {r['candidates']}"
              f" candidates a person, {r['organizations']:,} organizations), {r['days']} days: built in"
              f" {r['build_s']:.1f} s, {1000 * r['run_s'] / r['days']:.0f} ms a day"
              f" ({1000 * r['cpu_s'] / r['days']:.0f} ms of CPU), peak {r['peak_rss_mb']:,.0f} MB;"
              f" load {r['load_before']} -> {r['load_after']}")  # fmt: skip
        for name, s in sorted(r["phases"].items(), key=lambda kv: -kv[1]):
            print(f"  {name:<48} {1000 * s / r['days']:7.1f} ms/day {100 * s / r['run_s']:5.1f}%")


if __name__ == "__main__":
    main()
