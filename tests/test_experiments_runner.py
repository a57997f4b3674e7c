"""The runner: failures recorded as data, lost tasks retried (also on a broken process pool), bounded memory."""

from __future__ import annotations

import os
import signal
import threading
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cogov_sim.experiments.executors import process_pool
from cogov_sim.experiments.runner import (
    RunOutcome,
    RunTask,
    execute,
    lost_outcome,
    run_key,
    run_tasks,
)
from cogov_sim.scenario import load_scenario
from cogov_sim.vocabulary import INDICATORS

BASE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


def tiny_tasks(n: int, days: int = 3, every: int = 1) -> list[RunTask]:
    sc = load_scenario(BASE, {"population.sample_fraction": 0.005})
    data, digest = sc.to_dict(), sc.hash()
    out = []
    for i in range(n):
        point = {"k": i}
        out.append(
            RunTask(run_key(digest, point, 100 + i, days, every), i, 0, 100 + i, point, data, digest, days, every)
        )
    return out


def fake_outcome(task: RunTask) -> RunOutcome:
    """A cheap task function for executor tests: no model, just the row."""
    return RunOutcome({"run_id": task.run_id, "point_index": task.point_index, "status": "ok", "attempts": 1})


def die_once(task: RunTask) -> RunOutcome:
    """Kill the worker process the first time a task runs (a lost worker); succeed the second time."""
    marker = Path(task.scenario_data["marker_dir"]) / task.run_id
    if task.point_index % 2 == 0 and not marker.exists():
        marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return fake_outcome(task)


def test_execute_keeps_finals_and_thinned_series() -> None:
    (task,) = tiny_tasks(1, days=7, every=3)
    out = execute(task)
    assert out.status == "ok"
    assert out.row["error"] is None
    assert out.series_columns[0] == "day"
    assert out.series[:, 0].tolist() == [3.0, 6.0, 7.0]
    names = [c for c in out.series_columns if c != "day"]
    assert names == list(INDICATORS)
    assert [out.row[k] for k in names] == pytest.approx(out.series[-1, 1:].tolist())
    assert out.row["seed"] == task.seed
    again = execute(task)
    np.testing.assert_array_equal(out.series, again.series)


def test_failing_run_is_recorded_in_a_real_process_pool() -> None:
    tasks = tiny_tasks(4)
    bad = tasks[2]
    tasks[2] = RunTask(bad.run_id, bad.point_index, 0, bad.seed, bad.point, bad.scenario_data, bad.scenario_hash, 0)
    outcomes: dict[int, RunOutcome] = {}
    with process_pool(2) as pool:
        stats = run_tasks(tasks, pool, lambda o: outcomes.__setitem__(o.row["point_index"], o), max_in_flight=4)
    assert (stats.ok, stats.failed, stats.lost, stats.retried) == (3, 1, 0, 0)
    failed = outcomes[2]
    assert failed.status == "failed"
    assert failed.row["error"].startswith("ValueError: days must be >= 1")
    assert "simulation.py" in failed.row["error"]
    assert all(np.isnan(failed.row[k]) for k in INDICATORS)
    assert failed.series is None
    assert all(outcomes[i].status == "ok" and 0 <= outcomes[i].row["gci"] <= 1 for i in (0, 1, 3))


def test_lost_worker_is_retried_on_a_fresh_pool(tmp_path: Path) -> None:
    tasks = [
        RunTask(f"r{i}", i, 0, i, {"k": i}, {"marker_dir": str(tmp_path)}, "h", 1, 0) for i in range(6)
    ]  # fmt: skip
    outcomes: list[RunOutcome] = []
    with process_pool(2) as pool:
        # a broken pool costs an attempt to every task in flight, so allow as many retries as there are deaths
        stats = run_tasks(
            tasks, pool, outcomes.append, fn=die_once, max_in_flight=4, retries=4, new_executor=lambda: process_pool(2)
        )
    assert sorted(o.run_id for o in outcomes) == [f"r{i}" for i in range(6)]
    assert all(o.status == "ok" for o in outcomes)
    assert stats.executors_replaced >= 1
    assert stats.retried >= 1
    # each even task died once and needed a second attempt
    attempts = {o.run_id: o.row["attempts"] for o in outcomes}
    assert all(attempts[f"r{i}"] >= 2 for i in (0, 2, 4))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r0", "r2", "r4"]


def test_without_a_fresh_pool_lost_tasks_are_reported_lost(tmp_path: Path) -> None:
    tasks = [RunTask(f"r{i}", i, 0, i, {"k": i}, {"marker_dir": str(tmp_path)}, "h", 1, 0) for i in range(2)]
    outcomes: list[RunOutcome] = []
    with process_pool(1) as pool:
        stats = run_tasks(tasks, pool, outcomes.append, fn=die_once, max_in_flight=2)
    assert stats.lost >= 1
    lost = [o for o in outcomes if o.status == "lost"]
    assert lost
    assert all("BrokenProcessPool" in o.row["error"] for o in lost)
    assert len(outcomes) == 2


class FlakyExecutor(Executor):
    """Fails the first ``fails`` submissions of each task (as a lost Dask worker would), counts in-flight futures."""

    def __init__(self, fails: int) -> None:
        self.inner = ThreadPoolExecutor(2)
        self.fails = fails
        self.seen: dict[str, int] = {}
        self.outstanding = 0
        self.peak = 0
        self.lock = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        task = args[0]
        with self.lock:
            self.seen[task.run_id] = self.seen.get(task.run_id, 0) + 1
            self.outstanding += 1
            self.peak = max(self.peak, self.outstanding)
        if self.seen[task.run_id] <= self.fails:
            fut: Future[Any] = Future()
            fut.set_exception(ConnectionError("worker lost"))
        else:
            fut = self.inner.submit(fn, *args, **kwargs)
        fut.add_done_callback(self._done)
        return fut

    def _done(self, _fut: Future[Any]) -> None:
        with self.lock:
            self.outstanding -= 1

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)


def test_lost_futures_are_resubmitted_up_to_retries() -> None:
    tasks = tiny_tasks(10)
    ex = FlakyExecutor(fails=2)
    outcomes: list[RunOutcome] = []
    stats = run_tasks(tasks, ex, outcomes.append, fn=fake_outcome, max_in_flight=3, retries=2)
    assert stats.ok == 10
    assert stats.retried == 20
    assert all(o.row["attempts"] == 3 for o in outcomes)
    assert ex.peak <= 3
    ex.shutdown()

    ex = FlakyExecutor(fails=3)
    outcomes = []
    stats = run_tasks(tasks, ex, outcomes.append, fn=fake_outcome, max_in_flight=3, retries=2)
    assert stats.lost == 10
    assert {o.status for o in outcomes} == {"lost"}
    assert all("ConnectionError: worker lost" in o.row["error"] for o in outcomes)
    ex.shutdown()


def test_in_flight_is_bounded_and_outcomes_are_not_kept() -> None:
    import gc
    import weakref

    tasks = tiny_tasks(40)
    ex = FlakyExecutor(fails=0)
    refs: list[weakref.ref[RunOutcome]] = []
    stats = run_tasks(tasks, ex, lambda o: refs.append(weakref.ref(o)), fn=fake_outcome, max_in_flight=4)
    ex.shutdown()
    gc.collect()
    assert stats.ok == 40
    assert ex.peak <= 4
    assert sum(r() is not None for r in refs) == 0


def test_a_failing_callback_stops_the_sweep() -> None:
    tasks = tiny_tasks(20)
    ex = FlakyExecutor(fails=0)
    calls = []

    def boom(o: RunOutcome) -> None:
        calls.append(o)
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        run_tasks(tasks, ex, boom, fn=fake_outcome, max_in_flight=2)
    ex.shutdown()
    assert len(calls) == 1


def test_lost_outcome_row_has_every_indicator() -> None:
    (task,) = tiny_tasks(1)
    out = lost_outcome(task, "gone", 3)
    assert out.status == "lost"
    assert out.row["attempts"] == 3
    assert all(np.isnan(out.row[k]) for k in INDICATORS)
    assert execute(task).row.keys() == out.row.keys()
