"""Sweep throughput and parent memory.

1. Runs per minute of ``experiments/density_sweep.yaml`` with 1 and 2 process-pool workers (the whole command,
   start-up and plots included, and the run phase alone from the runs' own timings).
2. Peak resident memory (RSS) of the sweep process for a 200-run sweep of a tiny scenario, next to a 20-run sweep
   of the same scenario: the difference is what the sweep holds per run (the daily series go to disk, not memory).

Usage::

    python benchmarks/bench_sweep.py                  # everything (about 5 minutes on 2 cores)
    python benchmarks/bench_sweep.py --density-reps 2 # a quicker density measurement (12 runs)
    python benchmarks/bench_sweep.py --skip-density   # memory only
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]


def density(workers: int, reps: int | None, tmp: Path) -> dict[str, float]:
    """Run the density sweep in a fresh ``cogov sweep`` process; return runs, wall time and runs per minute."""
    exp = ROOT / "experiments" / "density_sweep.yaml"
    if reps is not None:
        data = yaml.safe_load(exp.read_text())
        data["replications"] = reps
        data["base_scenario"] = str(ROOT / "scenarios" / "baseline.yaml")
        exp = tmp / f"density_{reps}.yaml"
        exp.write_text(yaml.safe_dump(data, sort_keys=False))
    out = tmp / f"density_w{workers}"
    start = time.perf_counter()
    command = ["sweep", str(exp), "--workers", str(workers), "--out", str(out), "--quiet"]
    subprocess.run(
        [sys.executable, "-m", "cogov_sim.cli", *command],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    runs = pd.read_parquet(out / "runs.parquet")
    n = len(runs)
    return {
        "load_avg_1min_after": round(os.getloadavg()[0], 2),
        "workers": workers,
        "runs": n,
        "wall_s": round(wall, 1),
        "runs_per_min": round(n / wall * 60, 1),
        "mean_run_s": round(float(runs["wall_time_s"].mean()), 2),
        "ok": int((runs["status"] == "ok").sum()),
    }


def tiny_experiment(tmp: Path, runs: int) -> Path:
    """A full factorial of a tiny scenario with ``runs`` runs (10 replications), daily series kept every day."""
    data = {
        "name": f"tiny_{runs}",
        "base_scenario": str(ROOT / "scenarios" / "baseline.yaml"),
        "set": {"population.sample_fraction": 0.002},
        "days": 20,
        "seed": 3,
        "replications": 10,
        "design": "full_factorial",
        "parameters": [
            {"path": "behaviour.visit_scale", "type": "real", "range": [0.005, 0.05], "steps": runs // 10},
        ],
        "keep": {"daily_every": 1},
        "indicators": ["gci"],
    }
    path = tmp / f"tiny_{runs}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def child_memory(exp: str, out: str) -> None:
    """Run a sweep in this process (it is the sweep process) and print its peak RSS as JSON."""
    from cogov_sim import cli

    start = time.perf_counter()
    code = cli.main(["sweep", exp, "--out", out, "--workers", "2", "--quiet"])
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    rows = pd.read_parquet(Path(out) / "timeseries.parquet", columns=["day"]).shape[0]
    print(json.dumps({"exit": code, "peak_rss_mb": round(peak_mb, 1), "wall_s": round(wall, 1), "series_rows": rows}))


def memory(runs: int, tmp: Path) -> dict[str, float]:
    """Peak RSS of a fresh sweep process running ``runs`` tiny runs."""
    exp = tiny_experiment(tmp, runs)
    out = tmp / f"mem_{runs}"
    proc = subprocess.run(
        [sys.executable, __file__, "--child-memory", str(exp), str(out)],
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"runs": runs, **result}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--density-reps", type=int, help="replications of the density sweep (default: the file's 10)")
    p.add_argument("--skip-density", action="store_true")
    p.add_argument("--memory-runs", type=int, default=200)
    p.add_argument("--child-memory", nargs=2, metavar=("EXPERIMENT", "OUT"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child_memory:
        child_memory(*args.child_memory)
        return
    results: dict[str, object] = {"cores": os.cpu_count(), "load_avg_1min_before": round(os.getloadavg()[0], 2)}
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (other work on the machine slows the runs)")
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as d:
        tmp = Path(d)
        if not args.skip_density:
            results["density"] = [density(w, args.density_reps, tmp) for w in (1, 2)]
            for r in results["density"]:
                print(
                    f"density sweep, {r['workers']} worker(s): {r['runs']} runs in {r['wall_s']} s ="
                    f" {r['runs_per_min']} runs/min (mean run {r['mean_run_s']} s; load {r['load_avg_1min_after']})",
                    flush=True,
                )
        small = memory(20, tmp)
        large = memory(args.memory_runs, tmp)
        results["memory"] = [small, large]
        for m in (small, large):
            print(
                f"sweep process peak RSS, {m['runs']} tiny runs ({m['series_rows']} daily rows kept):"
                f" {m['peak_rss_mb']} MB (wall {m['wall_s']} s)",
                flush=True,
            )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
