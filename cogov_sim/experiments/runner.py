"""The generic runner: many runs on any ``concurrent.futures`` executor, lost tasks retried, failures as data.

A :class:`RunTask` is plain data (the scenario as a dict, a seed, days); :func:`execute` turns it into a
:class:`RunOutcome` in a worker and never raises for a run that fails: the exception becomes the run's ``status``
(``failed``) and ``error`` text. :func:`run_tasks` keeps a bounded number of tasks in flight on an executor (a
process pool, a Dask ``Client.get_executor()``, a thread pool in tests), hands each outcome to a callback as soon
as it arrives and keeps no reference to it afterwards, so memory stays flat however many runs there are. A task
whose future raises (a worker was lost, the pool broke) is resubmitted up to ``retries`` times, on a fresh
executor when the old one is broken and a factory for a new one is given; after that it is reported with status
``lost``.

Task functions are module-level and importable, so they work with the ``spawn`` start method and with Dask.
The executors themselves (process pools, Dask) are opened by :mod:`~cogov_sim.experiments.executors`.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    CancelledError,
    Executor,
    Future,
    wait,
)
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cogov_sim import __version__
from cogov_sim.scenario import scenario_from_dict
from cogov_sim.simulation import model_fingerprint, simulate
from cogov_sim.vocabulary import INDICATORS

STATUSES: tuple[str, ...] = ("ok", "failed", "lost")
"""Run status: finished; raised (recorded with its error, not retried); lost to the infrastructure (retried, and
run again by the next sweep)."""

EXECUTION_COLUMNS: tuple[str, ...] = ("wall_time_s", "attempts")
"""Columns of ``runs.parquet`` that describe how a run was executed rather than what it computed."""


@dataclass(frozen=True)
class RunTask:
    """One run to do.

    Attributes:
        run_id: content hash of the run (see :func:`run_key`); the name of its file in the store.
        point_index: design point (0-based).
        replication: replication at that point (0-based).
        seed: run seed.
        point: design column -> value applied at this point (written as columns of ``runs.parquet``).
        scenario_data: the scenario at this point as plain data (validated in the worker).
        scenario_hash: content hash of the resolved scenario (``Scenario.hash()``; ``invalid-…`` when it does
            not validate).
        days: days to simulate.
        daily_every: keep the daily indicators every k-th day and the last day; 0 keeps none.
        interventions: what-if policy objects passed to :func:`~cogov_sim.simulation.simulate`.
    """

    run_id: str
    point_index: int
    replication: int
    seed: int
    point: Mapping[str, Any]
    scenario_data: Mapping[str, Any]
    scenario_hash: str
    days: int
    daily_every: int = 1
    interventions: tuple[Any, ...] = ()


@dataclass
class RunOutcome:
    """What one run returns: its row of ``runs.parquet`` and its kept daily series.

    Attributes:
        row: column -> value; always ``run_id``, ``point_index``, the design columns, ``replication``, ``seed``,
            ``status``, ``error``, the final indicators (NaN unless ``ok``), ``scenario_hash``, ``days``,
            ``version``, ``wall_time_s``, ``attempts``.
        series: ``(kept days, 1 + indicators)`` float array, first column ``day``; ``None`` when nothing is kept.
        series_columns: the series' column names (``day`` first).
        streets: a city's final per-street rows (``place_indicators.by_street``); ``None`` for a street.
    """

    row: dict[str, Any]
    series: np.ndarray | None = None
    series_columns: tuple[str, ...] = ()
    streets: list[dict[str, Any]] | None = None

    @property
    def run_id(self) -> str:
        """The run's id."""
        return str(self.row["run_id"])

    @property
    def status(self) -> str:
        """``ok``, ``failed`` or ``lost``."""
        return str(self.row["status"])


def run_key(scenario_hash: str, point: Mapping[str, Any], seed: int, days: int, daily_every: int) -> str:
    """Content hash naming a run: the model code, the resolved scenario, the design point, the seed, what is kept.

    Two tasks with the same key compute the same thing, so a store that has the key need not run it again; a
    change to the model's code changes every key, so stale runs are never reused.
    """
    text = json.dumps(
        {
            "model": model_fingerprint(),
            "scenario": scenario_hash,
            "point": dict(point),
            "seed": seed,
            "days": days,
            "daily_every": daily_every,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _base_row(task: RunTask) -> dict[str, Any]:
    return {
        "run_id": task.run_id,
        "point_index": task.point_index,
        **task.point,
        "replication": task.replication,
        "seed": task.seed,
    }


def _describe(exc: BaseException) -> str:
    """``Type: message (at file:line)`` of an exception, one line."""
    text = f"{type(exc).__name__}: {exc}".strip().replace("\n", " ")
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        text += f" (at {Path(last.filename).name}:{last.lineno})"
    return text


def _finish_row(row: dict[str, Any], finals: Mapping[str, float], task: RunTask, wall: float) -> dict[str, Any]:
    names = list(INDICATORS)
    names += [k for k in finals if k not in names]
    row.update({k: float(finals.get(k, math.nan)) for k in names})
    row.update(
        scenario_hash=task.scenario_hash,
        days=task.days,
        version=__version__,
        wall_time_s=round(wall, 3),
        attempts=1,
    )
    return row


def execute(task: RunTask) -> RunOutcome:
    """Run one task (in a worker): validate the scenario, simulate, keep the finals and the thinned series.

    Never raises for a failing run: the exception is recorded as ``status: failed`` with its ``error`` text.
    """
    start = time.perf_counter()
    row = _base_row(task)
    try:
        scenario = scenario_from_dict(dict(task.scenario_data))
        result = simulate(scenario, task.seed, task.days, interventions=task.interventions, tables=False)
    except Exception as exc:
        row.update(status="failed", error=_describe(exc))
        return RunOutcome(_finish_row(row, {}, task, time.perf_counter() - start))
    row.update(status="ok", error=None)
    series = None
    columns: tuple[str, ...] = ()
    if task.daily_every > 0:
        ts = result.timeseries
        day = ts["day"].to_numpy()
        keep = (day % task.daily_every == 0) | (day == day[-1])
        series = ts.to_numpy(dtype=np.float64)[keep]
        columns = tuple(str(c) for c in ts.columns)
    streets = None
    if "per_street" in result.tables:
        streets = result.tables["per_street"].to_dict("records")
    return RunOutcome(_finish_row(row, result.final, task, time.perf_counter() - start), series, columns, streets)


def lost_outcome(task: RunTask, error: str, attempts: int) -> RunOutcome:
    """The outcome recorded for a task that could not be completed after its retries."""
    row = _base_row(task)
    row.update(status="lost", error=error)
    out = _finish_row(row, {}, task, 0.0)
    out["attempts"] = attempts
    return RunOutcome(out)


@dataclass
class RunnerStats:
    """Counts of one :func:`run_tasks` call."""

    ok: int = 0
    failed: int = 0
    lost: int = 0
    retried: int = 0
    executors_replaced: int = 0

    @property
    def done(self) -> int:
        """Runs with an outcome (any status)."""
        return self.ok + self.failed + self.lost


@dataclass
class _Slot:
    task: RunTask
    attempt: int
    generation: int


class _Flight:
    """The tasks in flight: submitted to the current executor, waiting to be resubmitted, or collected.

    ``generation`` counts the executors: a task's failure breaks the executor only if it ran on the current one.
    Executors made here (replacements) are shut down by :meth:`close`; the caller's is not.
    """

    def __init__(
        self,
        executor: Executor,
        fn: Callable[[RunTask], RunOutcome],
        on_outcome: Callable[[RunOutcome], None],
        new_executor: Callable[[], Executor] | None,
    ) -> None:
        self.given = self.current = executor
        self.fn, self.on_outcome, self.new_executor = fn, on_outcome, new_executor
        self.generation = 0
        self.made: list[Executor] = []
        self.pending: dict[Future[RunOutcome], _Slot] = {}
        self.again: deque[_Slot] = deque()
        self.stats = RunnerStats()

    def replace(self) -> bool:
        """Swap in a fresh executor (shutting down a replaced replacement); ``False`` without a factory."""
        if self.new_executor is None:
            return False
        if self.current is not self.given:
            self.current.shutdown(wait=False, cancel_futures=True)
        self.current = self.new_executor()
        self.made.append(self.current)
        self.generation += 1
        self.stats.executors_replaced += 1
        return True

    def give_up(self, slot: _Slot, error: str) -> None:
        """Report the task as lost."""
        self.stats.lost += 1
        self.on_outcome(lost_outcome(slot.task, error, slot.attempt))

    def submit(self, slot: _Slot) -> None:
        """Submit the task, on a fresh executor if the current one refuses (once); else give it up."""
        for _ in range(2):
            try:
                fut = self.current.submit(self.fn, slot.task)
            except (BrokenExecutor, RuntimeError) as exc:
                if self.replace():
                    continue
                self.give_up(slot, _describe(exc))
                return
            slot.generation = self.generation
            self.pending[fut] = slot
            return
        self.give_up(slot, "the executor broke again at once")

    def fill(self, source: Iterator[RunTask], max_in_flight: int) -> None:
        """Submit tasks to retry first, then new ones, until ``max_in_flight`` are pending or none are left."""
        while len(self.pending) < max_in_flight:
            if self.again:
                self.submit(self.again.popleft())
                continue
            task = next(source, None)
            if task is None:
                break
            self.submit(_Slot(task, 1, self.generation))

    def collect(self, fut: Future[RunOutcome], retries: int) -> None:
        """Hand a finished task's outcome on, or queue it again (replacing a broken executor), or give it up."""
        slot = self.pending.pop(fut)
        try:
            exc = fut.exception()
        except CancelledError as cancelled:
            exc = cancelled
        if exc is None:
            outcome = fut.result()
            outcome.row["attempts"] = slot.attempt
            if outcome.status == "ok":
                self.stats.ok += 1
            else:
                self.stats.failed += 1
            self.on_outcome(outcome)
            return
        if isinstance(exc, BrokenExecutor) and slot.generation == self.generation:
            self.replace()
        if slot.attempt <= retries:
            self.stats.retried += 1
            self.again.append(_Slot(slot.task, slot.attempt + 1, slot.generation))
        else:
            self.give_up(slot, _describe(exc))

    def close(self) -> None:
        """Cancel what is still pending and shut down the executors made here."""
        for fut in self.pending:
            fut.cancel()
        for ex in self.made:
            ex.shutdown(wait=False, cancel_futures=True)


def run_tasks(
    tasks: Iterable[RunTask],
    executor: Executor,
    on_outcome: Callable[[RunOutcome], None],
    *,
    fn: Callable[[RunTask], RunOutcome] = execute,
    max_in_flight: int = 8,
    retries: int = 2,
    new_executor: Callable[[], Executor] | None = None,
) -> RunnerStats:
    """Run ``tasks`` on ``executor`` and hand every outcome to ``on_outcome`` as it arrives.

    Args:
        tasks: the runs to do (consumed lazily).
        executor: any ``concurrent.futures.Executor``; not shut down here.
        on_outcome: called in this thread once per task, in completion order, with its outcome; an exception
            it raises stops the sweep.
        fn: module-level task function (default :func:`execute`).
        max_in_flight: tasks submitted and not yet collected, at most (keeps memory flat).
        retries: resubmissions of a task whose future raised (a lost worker, a broken pool); a broken process
            pool fails every task in flight, so each of them spends an attempt.
        new_executor: makes a fresh executor when ``executor`` is broken (a process pool after a worker died);
            executors made here are shut down before returning.

    Returns:
        Counts of ok, failed, lost and retried runs.
    """
    source = iter(tasks)
    flight = _Flight(executor, fn, on_outcome, new_executor)
    try:
        while True:
            flight.fill(source, max_in_flight)
            if not flight.pending:
                break
            done, _ = wait(list(flight.pending), return_when=FIRST_COMPLETED)
            for fut in done:
                flight.collect(fut, retries)
    finally:
        flight.close()
    return flight.stats
