"""Speed and memory of one simulation year as the population grows (not a timed test).

Runs the baseline street scaled to 25,000, 50,000 and 100,000 residents (commuters, residential areas and
centers scaled alike), each in a fresh process, and reports wall time, time per simulated day, peak resident
memory and the tie count.

With ``--against REV`` the same runs are made, interleaved, in a checkout of the git revision REV (a temporary
worktree), and the table adds the ratio of this tree's run time to the reference's (the median over ``--reps``
pairs, each run paired with the reference run made right after it):
speed claims are ratios measured in one sitting, not absolute seconds on a machine whose load varies.

Usage: ``python benchmarks/bench_model.py [--days 365] [--sizes 25000 50000 100000] [--against main --reps 3]``.
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

CHILD = r"""
import json, resource, sys, time
from cogov_sim.scenario import load_scenario
from cogov_sim.model import CoGovModel
size, days = int(sys.argv[1]), int(sys.argv[2])
k = size / 50_000
over = {"population.residents": size, "population.commuters": round(6000 * k),
        "population.residential_areas": max(1, round(12 * k)), "area.width_m": 2400 * k ** 0.5,
        "area.height_m": 2000 * k ** 0.5, "zones.office_buildings": max(1, round(8 * k)),
        "centers.grid.count": max(1, round(5 * k)), "centers.residential.count": round(18 * k),
        "centers.building.count": round(6 * k), "centers.rider.count": round(8 * k),
        "organizations.enterprises": round(30 * k)}
sc = load_scenario("scenarios/baseline.yaml", over)
t0 = time.perf_counter()
model = CoGovModel(sc, seed=1)
t1 = time.perf_counter()
for _ in range(days):
    model.step()
t2 = time.perf_counter()
state = getattr(model, "world", model)  # older revisions kept the state on the model itself
print(json.dumps({"residents": size, "agents": state.n, "days": days, "build_s": t1 - t0, "run_s": t2 - t1,
                  "ms_per_day": 1000 * (t2 - t1) / days, "ties": len(state.ties),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


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


def main() -> None:
    """Run each size in a child process and print a table (and JSON lines on stderr)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--days", type=int, default=365, help="simulated days per run (default 365)")
    p.add_argument("--sizes", type=int, nargs="+", default=[25_000, 50_000, 100_000], help="residents per run")
    p.add_argument("--against", metavar="REV", help="also run git revision REV, interleaved, and report ratios")
    p.add_argument("--reps", type=int, default=1, help="repetitions per size and tree (median is reported)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ref = worktree(args.against, Path(tmp)) if args.against else None
        try:
            rows = []
            for size in args.sizes:
                mine, theirs = [], []
                for _ in range(args.reps):
                    mine.append(run_child(ROOT, size, args.days))
                    print(json.dumps(mine[-1]), file=sys.stderr)
                    if ref is not None:
                        theirs.append(run_child(ref, size, args.days))
                        print(json.dumps({"reference": args.against, **theirs[-1]}), file=sys.stderr)
                row = min(mine, key=lambda r: r["run_s"]) | {"run_s": statistics.median(r["run_s"] for r in mine)}
                if theirs:
                    row["ref_run_s"] = statistics.median(r["run_s"] for r in theirs)
                    # each run is paired with the reference run right after it, under nearly the same load
                    row["ratio"] = statistics.median(a["run_s"] / b["run_s"] for a, b in zip(mine, theirs, strict=True))
                rows.append(row)
        finally:
            if ref is not None:
                subprocess.run(["git", "worktree", "remove", "--force", str(ref)], cwd=ROOT, check=False)
    print(f"\n{'residents':>10} {'agents':>8} {'build s':>8} {'run s':>7} {'ms/day':>7} {'peak MB':>8} {'ties':>9}"
          + (f" {'ref run s':>9} {'ratio':>6}" if args.against else ""))  # fmt: skip
    for r in rows:
        line = (f"{r['residents']:>10,} {r['agents']:>8,} {r['build_s']:>8.1f} {r['run_s']:>7.1f}"
                f" {1000 * r['run_s'] / r['days']:>7.1f} {r['peak_rss_mb']:>8.0f} {r['ties']:>9,}")  # fmt: skip
        if "ratio" in r:
            line += f" {r['ref_run_s']:>9.1f} {r['ratio']:>6.2f}"
        print(line)
    if args.against:
        print(f"\nratio = this tree's run time / {args.against}'s, median over {args.reps} interleaved pairs")
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        exponent = math.log(b["run_s"] / a["run_s"]) / math.log(b["agents"] / a["agents"])
        print(f"run time grows as agents^{exponent:.2f} (1.00 = linear)")


if __name__ == "__main__":
    main()
