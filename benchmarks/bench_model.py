"""Speed and memory of one simulation year as the population grows (not a timed test).

Runs the baseline street scaled from 22,500 to 360,000 residents (about 25,000 to 400,000 agents with the
commuters; residential areas, centers and enterprises scaled alike), each in a fresh process, and reports wall
time, time per simulated day, peak resident memory, the tie count, the machine's load before and after, and the
exponent of run time in agents fitted by least squares (within each sweep of all sizes; median over sweeps).

With ``--against REV`` the same runs are made, interleaved, in a checkout of the git revision REV (a temporary
worktree), and the table adds the ratio of this tree's run time to the reference's (the median over ``--reps``
pairs, each run paired with the reference run made right after it):
speed claims are ratios measured in one sitting, not absolute seconds on a machine whose load varies.

Usage: ``python benchmarks/bench_model.py [--days 365] [--sizes 22500 45000 ...] [--reps 2] [--against main]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = [22_500, 45_000, 90_000, 180_000, 360_000]
"""Residents of the default sweep: about 25,000 to 400,000 agents with the commuters."""

SCALED = r"""
k = size / 50_000
over = {"population.residents": size, "population.commuters": round(6000 * k),
        "population.residential_areas": max(1, round(12 * k)), "area.width_m": 2400 * k ** 0.5,
        "area.height_m": 2000 * k ** 0.5, "zones.office_buildings": max(1, round(8 * k)),
        "centers.grid.count": max(1, round(5 * k)), "centers.residential.count": round(18 * k),
        "centers.building.count": round(6 * k), "centers.rider.count": round(8 * k),
        "organizations.enterprises": round(30 * k)}
"""
"""The baseline street scaled to ``size`` residents (commuters, areas, centers and enterprises alike), as code
the child processes run (``over``: the scenario overrides): one definition for every benchmark."""

CHILD = (
    r"""
import json, resource, sys, time
from cogov_sim.scenario import load_scenario
from cogov_sim.model import CoGovModel
size, days = int(sys.argv[1]), int(sys.argv[2])
"""
    + SCALED
    + r"""
sc = load_scenario("scenarios/baseline.yaml", over)
t0 = time.perf_counter()
model = CoGovModel(sc, seed=1)
t1, c1 = time.perf_counter(), time.process_time()
for _ in range(days):
    model.step()
t2, c2 = time.perf_counter(), time.process_time()
state = getattr(model, "world", model)  # older revisions kept the state on the model itself
print(json.dumps({"residents": size, "agents": state.n, "days": days, "build_s": t1 - t0, "run_s": t2 - t1,
                  "cpu_s": c2 - c1, "ms_per_day": 1000 * (t2 - t1) / days, "ties": len(state.ties),
                  "centers": len(state.centers),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
)


def run_child(tree: Path, size: int, days: int) -> dict:
    """One baseline run of ``size`` residents in a fresh process importing the package from ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, str(size), str(days)], cwd=tree, env=env, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    row = json.loads(out.strip().splitlines()[-1])
    row["total_s"] = time.perf_counter() - start
    return row


def worktree(rev: str, where: Path) -> Path:
    """A detached checkout of ``rev`` under ``where``."""
    path = where / "reference"
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(path), rev], cwd=ROOT, check=True)
    return path


def fitted_exponent(rows: list[dict], key: str = "run_s") -> float:
    """Least-squares slope of log(time) on log(agents) (``key``: wall or CPU time): time grows as agents^slope."""
    x = [math.log(r["agents"]) for r in rows]
    y = [math.log(r[key]) for r in rows]
    mx, my = statistics.fmean(x), statistics.fmean(y)
    return sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True)) / sum((a - mx) ** 2 for a in x)


def main() -> None:
    """Run each size in a child process and print a table (and JSON lines on stderr)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--days", type=int, default=365, help="simulated days per run (default 365)")
    p.add_argument("--sizes", type=int, nargs="+", default=SIZES, help="residents per run (agents: 1.12 times)")
    p.add_argument("--against", metavar="REV", help="also run git revision REV, interleaved, and report ratios")
    p.add_argument("--reps", type=int, default=1, help="repetitions of the whole sweep (medians are reported)")
    args = p.parse_args()
    before = [round(x, 2) for x in os.getloadavg()]
    mine: dict[int, list[dict]] = {size: [] for size in args.sizes}
    theirs: dict[int, list[dict]] = {size: [] for size in args.sizes}
    with tempfile.TemporaryDirectory() as tmp:
        ref = worktree(args.against, Path(tmp)) if args.against else None
        try:
            for _ in range(args.reps):  # each repetition sweeps every size, so a sweep's sizes share its load
                for size in args.sizes:
                    mine[size].append(run_child(ROOT, size, args.days))
                    print(json.dumps(mine[size][-1]), file=sys.stderr)
                    if ref is not None:
                        theirs[size].append(run_child(ref, size, args.days))
                        print(json.dumps({"reference": args.against, **theirs[size][-1]}), file=sys.stderr)
        finally:
            if ref is not None:
                subprocess.run(["git", "worktree", "remove", "--force", str(ref)], cwd=ROOT, check=False)
    rows = []
    for size in args.sizes:
        runs = mine[size]
        row = min(runs, key=lambda r: r["run_s"]) | {"run_s": statistics.median(r["run_s"] for r in runs)}
        row["cpu_s"] = statistics.median(r.get("cpu_s", math.nan) for r in runs)
        if theirs[size]:
            row["ref_run_s"] = statistics.median(r["run_s"] for r in theirs[size])
            # each run is paired with the reference run right after it, under nearly the same load
            pairs = zip(runs, theirs[size], strict=True)
            row["ratio"] = statistics.median(a["run_s"] / b["run_s"] for a, b in pairs)
        rows.append(row)
    after = [round(x, 2) for x in os.getloadavg()]
    print(f"\n{'residents':>10} {'agents':>8} {'build s':>8} {'run s':>7} {'cpu s':>7} {'ms/day':>7} {'peak MB':>8}"
          f" {'ties':>9}" + (f" {'ref run s':>9} {'ratio':>6}" if args.against else ""))  # fmt: skip
    for r in rows:
        line = (f"{r['residents']:>10,} {r['agents']:>8,} {r['build_s']:>8.1f} {r['run_s']:>7.1f} {r['cpu_s']:>7.1f}"
                f" {1000 * r['run_s'] / r['days']:>7.1f} {r['peak_rss_mb']:>8.0f} {r['ties']:>9,}")  # fmt: skip
        if "ratio" in r:
            line += f" {r['ref_run_s']:>9.1f} {r['ratio']:>6.2f}"
        print(line)
    print(f"\n{args.days} days a run, median of {args.reps} sweep(s); load average (1, 5, 15 min) {before} -> {after}")
    if args.against:
        print(f"ratio = this tree's run time / {args.against}'s, median over {args.reps} interleaved pairs")
    if len(rows) > 1:
        sweeps = [[mine[size][k] for size in args.sizes] for k in range(args.reps)]
        for key, label in (("run_s", "wall"), ("cpu_s", "CPU")):
            if not all(key in r for sweep in sweeps for r in sweep):
                continue
            each = [fitted_exponent(sweep, key) for sweep in sweeps]
            print(
                f"{label} time grows as agents^{statistics.median(each):.2f} (least squares over {len(rows)}"
                f" sizes, median of {args.reps} sweep(s): {', '.join(f'{e:.2f}' for e in each)}; 1.00 = linear)"
            )


if __name__ == "__main__":
    main()
