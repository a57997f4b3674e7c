"""Speed and memory of one simulation year as the population grows (not a timed test).

Runs the baseline street scaled to 25,000, 50,000 and 100,000 residents (commuters, residential areas and
centers scaled alike), each in a fresh process, and reports wall time, time per simulated day, peak resident
memory and the tie count. Usage: ``python benchmarks/bench_model.py [--days 365] [--sizes 25000 50000 100000]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
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
print(json.dumps({"residents": size, "agents": model.n, "days": days, "build_s": t1 - t0, "run_s": t2 - t1,
                  "ms_per_day": 1000 * (t2 - t1) / days, "ties": len(model.ties),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    """Run each size in a child process and print a table (and JSON lines)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--sizes", type=int, nargs="+", default=[25_000, 50_000, 100_000])
    args = p.parse_args()
    rows = []
    for size in args.sizes:
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD, str(size), str(args.days)], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout  # fmt: skip
        row = json.loads(out.strip().splitlines()[-1])
        row["total_s"] = time.perf_counter() - start
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)
    print(f"\n{'residents':>10} {'agents':>8} {'build s':>8} {'run s':>7} {'ms/day':>7} {'total s':>8} {'peak MB':>8} "
          f"{'ties':>9}")  # fmt: skip
    for r in rows:
        print(f"{r['residents']:>10,} {r['agents']:>8,} {r['build_s']:>8.1f} {r['run_s']:>7.1f} {r['ms_per_day']:>7.1f}"
              f" {r['total_s']:>8.1f} {r['peak_rss_mb']:>8.0f} {r['ties']:>9,}")  # fmt: skip
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        exponent = __import__("math").log(b["run_s"] / a["run_s"]) / __import__("math").log(b["agents"] / a["agents"])
        print(f"\nrun time grows as agents^{exponent:.2f} (1.00 = linear)")
    _ = resource  # parent's own memory is not the measure


if __name__ == "__main__":
    main()
