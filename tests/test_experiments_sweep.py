"""``cogov sweep`` end to end: same results on any workers and on Dask, SIGKILL then resume, a lost Dask worker,
failing runs as data, progress, Morris and Sobol sensitivity.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import psutil
import pyarrow.parquet as pq
import pytest
import yaml

from cogov_sim import cli
from cogov_sim.experiments.designs import build_design, run_seed
from cogov_sim.experiments.runner import EXECUTION_COLUMNS
from cogov_sim.experiments.spec import load_experiment
from cogov_sim.experiments.sweep import plan

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "baseline.yaml"

GRID = {
    "name": "grid",
    "base_scenario": str(BASE),
    "set": {"population.sample_fraction": 0.01},
    "days": 20,
    "seed": 5,
    "replications": 2,
    "design": "full_factorial",
    "parameters": [
        {"path": "centers.residential.count", "name": "stations", "type": "int", "levels": [0, 6, 12]},
        {"path": "behaviour.need_match_weight", "name": "need_match", "type": "real", "levels": [0.5, 2.0]},
    ],
    "keep": {"daily_every": 5},
    "indicators": ["gci", "visits_per_capita"],
}
N_GRID = 12

DISTRICT = {
    "name": "district",
    "base_scenario": str(ROOT / "scenarios" / "minhang.yaml"),
    "set": {"population.sample_fraction": 0.002},
    "days": 8,
    "seed": 5,
    "replications": 2,
    "design": "full_factorial",
    "parameters": [{"path": "organizations.convening_per_week", "name": "convening", "type": "real",
                    "levels": [0.5, 1.5]}],
    "keep": {"daily_every": 4},
    "indicators": ["gci", "joint_actions"],
}  # fmt: skip
"""A sweep over the district scenario (14 streets) at 1:500: small enough for a test, a city all the same."""


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def sweep(exp: Path, out: Path, *extra: str) -> int:
    return cli.main(["sweep", str(exp), "--out", str(out), "--quiet", *extra])


def results(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "runs.parquet").drop(columns=list(EXECUTION_COLUMNS))


def run_files(out: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (out / "runs").glob("*.parquet")}


def wait_for_files(out: Path, n: int, running: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while len(run_files(out)) < n:
        assert running(), f"the sweep ended before {n} runs were stored"
        assert time.monotonic() < deadline, "the sweep did not store runs in time"
        time.sleep(0.02)


def cli_process(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "cogov_sim.cli", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def live_group_members(pgid: int) -> list[int]:
    alive = []
    for p in psutil.process_iter(["pid", "status"]):
        try:
            if os.getpgid(p.pid) == pgid and p.info["status"] != psutil.STATUS_ZOMBIE:
                alive.append(p.pid)
        except (ProcessLookupError, psutil.Error):
            continue
    return alive


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("grid") / "grid.yaml", GRID)


@pytest.fixture(scope="module")
def reference(grid: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    assert sweep(grid, out, "--workers", "1") == 0
    return out


def test_reference_sweep_tables(grid: Path, reference: Path) -> None:
    runs = pd.read_parquet(reference / "runs.parquet")
    assert len(runs) == N_GRID
    assert runs["run_id"].is_unique
    assert (runs["status"] == "ok").all()
    assert runs.columns[:7].tolist() == [
        "run_id",
        "point_index",
        "stations",
        "need_match",
        "replication",
        "seed",
        "status",
    ]
    assert runs[["point_index", "replication"]].values.tolist() == [[i, r] for i in range(6) for r in range(2)]
    assert runs["seed"].tolist() == [run_seed(5, i, r) for i in range(6) for r in range(2)]
    assert runs.groupby("point_index")["stations"].first().tolist() == [0, 0, 6, 6, 12, 12]
    exp = load_experiment(grid)
    assert runs["run_id"].tolist() == [t.run_id for t in plan(exp, build_design(exp))]
    series = pd.read_parquet(reference / "timeseries.parquet")
    assert series.groupby("run_id")["day"].apply(list).map(lambda d: d == [5, 10, 15, 20]).all()
    summary = pd.read_csv(reference / "summary.csv")
    assert len(summary) == 6 * len(
        runs.columns[runs.columns.get_loc("error") + 1 : runs.columns.get_loc("scenario_hash")]
    )
    gci = summary[summary["indicator"] == "gci"].set_index("point_index")
    assert gci["mean"].tolist() == pytest.approx(runs.groupby("point_index")["gci"].mean().tolist(), rel=1e-7)
    assert (gci["ci_low"] <= gci["mean"]).all() and (gci["mean"] <= gci["ci_high"]).all()
    plots = sorted(p.name for p in (reference / "plots").iterdir())
    assert plots == [
        "gci_by_parameter.png",
        "heatmap_gci.png",
        "heatmap_visits_per_capita.png",
        "visits_per_capita_by_parameter.png",
    ]


def test_same_runs_whatever_the_number_of_workers(grid: Path, reference: Path, tmp_path: Path) -> None:
    assert sweep(grid, tmp_path, "--workers", "2") == 0
    pd.testing.assert_frame_equal(results(tmp_path), results(reference))
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "timeseries.parquet"), pd.read_parquet(reference / "timeseries.parquet")
    )
    assert (tmp_path / "summary.csv").read_text() == (reference / "summary.csv").read_text()


def test_sigkill_then_resume_runs_each_run_exactly_once(
    grid: Path, reference: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proc = cli_process("sweep", str(grid), "--out", str(tmp_path), "--workers", "2", "--quiet")
    try:
        wait_for_files(tmp_path, 3, lambda: proc.poll() is None)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
        # the pool's workers and the forkserver notice and exit: no orphans keep running
        deadline = time.monotonic() + 20
        while live_group_members(proc.pid):
            assert time.monotonic() < deadline, f"orphans left: {live_group_members(proc.pid)}"
            time.sleep(0.1)
    finally:
        if live_group_members(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
    before = run_files(tmp_path)
    assert 3 <= len(before) < N_GRID, "the kill should come in the middle of the sweep"
    assert not (tmp_path / "runs.parquet").exists()

    assert sweep(grid, tmp_path, "--workers", "2") == 0
    out = capsys.readouterr().out
    assert f"{len(before)} finished earlier, {N_GRID - len(before)} to run" in out
    assert f"{N_GRID - len(before)} run now, {len(before)} from earlier" in out
    after = run_files(tmp_path)
    assert len(after) == N_GRID
    assert {k: after[k] for k in before} == before, "a finished run was written again"
    runs = results(tmp_path)
    assert runs["run_id"].is_unique and len(runs) == N_GRID
    pd.testing.assert_frame_equal(runs, results(reference))


def test_dask_local_cluster_gives_the_process_pool_results(grid: Path, reference: Path, tmp_path: Path) -> None:
    assert sweep(grid, tmp_path, "--executor", "dask", "--workers", "2") == 0
    pd.testing.assert_frame_equal(results(tmp_path), results(reference))
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "timeseries.parquet"), pd.read_parquet(reference / "timeseries.parquet")
    )


def dask_command(*args: str) -> subprocess.Popen[bytes]:
    """A ``dask scheduler`` or ``dask worker`` command in a process group of its own, on 127.0.0.1 only."""
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("dask")), *args, "--host", "127.0.0.1", "--no-dashboard"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Any:
    """A scheduler and two one-thread workers started by the ``dask`` commands, as on a real cluster."""
    from distributed import Client

    address = tmp_path / "scheduler.json"
    procs = [dask_command("scheduler", "--scheduler-file", str(address))]
    try:
        deadline = time.monotonic() + 60
        while not address.exists():
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.1)
        workers = [dask_command("worker", "--scheduler-file", str(address), "--nthreads", "1") for _ in range(2)]
        procs += workers
        with Client(scheduler_file=str(address), timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
            yield client, workers
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def test_a_cluster_started_by_the_dask_commands_gives_the_process_pool_results_and_a_killed_worker_loses_nothing(
    dask_cluster: Any, grid: Path, reference: Path, tmp_path: Path
) -> None:
    client, workers = dask_cluster
    client.run(importlib.import_module, "cogov_sim.simulation")  # the kill should hit a run, not an import
    address = client.scheduler.address
    assert address.startswith("tcp://127.0.0.1:")
    assert sweep(grid, tmp_path / "whole", "--executor", "dask", "--scheduler", address) == 0
    pd.testing.assert_frame_equal(results(tmp_path / "whole"), results(reference))
    # the district: the same runs and the same street-by-street rows on the cluster as on the process pool
    district = write(tmp_path / "district.yaml", DISTRICT)
    assert sweep(district, tmp_path / "district_pool", "--workers", "2") == 0
    assert sweep(district, tmp_path / "district_dask", "--executor", "dask", "--scheduler", address) == 0
    pd.testing.assert_frame_equal(results(tmp_path / "district_dask"), results(tmp_path / "district_pool"))
    streets = pd.read_parquet(tmp_path / "district_dask" / "streets.parquet")
    assert len(streets) == 4 * 14 and set(streets["street"]) == set(range(14))
    pd.testing.assert_frame_equal(streets, pd.read_parquet(tmp_path / "district_pool" / "streets.parquet"))
    runs = pd.read_parquet(tmp_path / "district_pool" / "runs.parquet")
    gains = streets.merge(runs[["run_id", "convening"]]).groupby(["street", "convening"])["joint_actions"].mean()
    assert (gains.xs(1.5, level="convening") > gains.xs(0.5, level="convening")).all()  # which streets gain
    out = tmp_path / "killed"
    codes: list[int] = []
    thread = threading.Thread(
        target=lambda: codes.append(sweep(grid, out, "--executor", "dask", "--scheduler", address)), daemon=True
    )
    thread.start()
    wait_for_files(out, 2, thread.is_alive)
    os.killpg(workers[0].pid, signal.SIGKILL)  # the worker, its nanny and all: gone for good
    at_kill = len(run_files(out))
    thread.join(timeout=300)
    assert codes == [0]
    assert at_kill < N_GRID
    assert len(client.nthreads()) == 1, "the killed worker should not come back"
    runs = results(out)
    assert len(runs) == N_GRID and runs["run_id"].is_unique and (runs["status"] == "ok").all()
    pd.testing.assert_frame_equal(runs, results(reference))


def test_a_failing_run_is_recorded_and_the_others_finish(tmp_path: Path) -> None:
    data = {
        **GRID,
        "name": "fails",
        "days": 3,
        "replications": 1,
        "keep": {"daily_every": 0},
        "parameters": [
            {"path": "behaviour.casual_hours", "type": "real", "levels": [40, 60]},
            {"path": "behaviour.friend_hours", "type": "real", "levels": [55, 90]},
        ],
    }
    exp = write(tmp_path / "fails.yaml", data)
    out = tmp_path / "out"
    assert sweep(exp, out, "--workers", "2") == 0  # failed runs are results, not a failed sweep
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs["status"].tolist() == ["ok", "ok", "failed", "ok"]
    bad = runs.iloc[2]
    assert (bad["behaviour.casual_hours"], bad["behaviour.friend_hours"]) == (60, 55)
    assert bad["error"].startswith("ScenarioError: ")
    assert "casual_hours <= friend_hours" in bad["error"]
    assert pd.isna(bad["gci"])
    assert runs["error"].isna().sum() == 3
    summary = pd.read_csv(out / "summary.csv")
    row = summary[(summary["point_index"] == 2) & (summary["indicator"] == "gci")].iloc[0]
    assert row["n_runs"] == 1 and row["n"] == 0 and pd.isna(row["mean"])
    stamp = run_files(out)
    assert sweep(exp, out, "--workers", "2") == 0
    assert run_files(out) == stamp  # the failed run is a finished run: not run again


def test_smoke_experiment_with_progress_then_quiet_resume(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    smoke = ROOT / "experiments" / "smoke.yaml"
    assert cli.main(["sweep", str(smoke), "--out", str(tmp_path), "--workers", "2"]) == 0
    cap = capsys.readouterr()
    assert "4/4 done, failed 0, remaining 0" in cap.err
    assert "left" in cap.err and ("run/s" in cap.err or "s/run" in cap.err)
    assert "smoke: 4 runs (2 design points × 2 replications, 30 days); 0 finished earlier, 4 to run" in cap.out
    assert "(4 runs: 4 ok, 0 failed, 0 lost; 4 run now, 0 from earlier;" in cap.out
    assert cli.main(["sweep", str(smoke), "--out", str(tmp_path), "--quiet"]) == 0
    cap = capsys.readouterr()
    assert cap.err == ""
    assert "4 finished earlier, 0 to run" in cap.out
    assert len(pd.read_parquet(tmp_path / "runs.parquet")) == 4


def test_morris_screening_ranks_parameters(tmp_path: Path) -> None:
    data = yaml.safe_load((ROOT / "experiments" / "morris_screening.yaml").read_text())
    data["base_scenario"] = str(BASE)
    data["set"]["population.sample_fraction"] = 0.005
    data["days"] = 5
    data["design"]["samples"] = 3
    data["indicators"] = ["gci", "gci_presence"]
    exp = write(tmp_path / "morris.yaml", data)
    out = tmp_path / "out"
    assert sweep(exp, out, "--workers", "2") == 0
    names = [p["name"] for p in data["parameters"]]
    sens = pd.read_csv(out / "sensitivity.csv")
    assert sens.columns.tolist() == [
        "indicator", "parameter", "rank", "mu_star", "mu_star_conf", "sigma", "mu", "groups_used"
    ]  # fmt: skip
    assert sorted(sens["indicator"].unique()) == sorted(data["indicators"])
    for ind, part in sens.groupby("indicator"):
        assert sorted(part["parameter"]) == sorted(names), ind
        assert part["rank"].is_monotonic_increasing and part["rank"].iloc[0] == 1
        assert part["mu_star"].is_monotonic_decreasing
        assert (part["groups_used"] == 3).all()
    assert sens[sens["indicator"] == "gci"]["mu_star"].max() > 0
    plots = {p.name for p in (out / "plots").iterdir()}
    assert {f"sensitivity_{ind}.png" for ind in data["indicators"]} <= plots
    design = pq.read_table(out / "design.parquet")
    assert design.num_rows == 3 * (len(names) + 1)


def test_sobol_sweep_writes_first_and_total_indices(tmp_path: Path) -> None:
    data = {
        **GRID,
        "name": "sobol",
        "days": 4,
        "set": {"population.sample_fraction": 0.005},
        "replications": 1,
        "design": {"method": "sobol", "samples": 4},
        "parameters": [
            {"path": "behaviour.visit_scale", "type": "real", "range": [0.005, 0.05]},
            {"path": "behaviour.contacts_per_visit", "type": "int", "range": [1, 6]},
        ],
        "keep": {"daily_every": 0},
        "indicators": ["gci_presence"],
    }
    out = tmp_path / "out"
    assert sweep(write(tmp_path / "sobol.yaml", data), out, "--workers", "2") == 0
    assert len(pd.read_parquet(out / "runs.parquet")) == 4 * (2 + 2)
    sens = pd.read_csv(out / "sensitivity.csv")
    assert sens.columns.tolist() == ["indicator", "parameter", "rank", "S1", "S1_conf", "ST", "ST_conf", "groups_used"]
    assert sorted(sens["parameter"]) == ["behaviour.contacts_per_visit", "behaviour.visit_scale"]
    assert sorted(sens["rank"]) == [1, 2]
    assert sens[["S1", "ST", "S1_conf", "ST_conf"]].notna().all().all()
    assert (sens["ST_conf"] >= 0).all() and (sens["groups_used"] == 4).all()
    assert (out / "plots" / "sensitivity_gci_presence.png").is_file()


def test_bad_scheduler_address_exits_2(grid: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["sweep", str(grid), "--out", str(tmp_path), "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "a scheduler address needs --executor dask" in capsys.readouterr().err
