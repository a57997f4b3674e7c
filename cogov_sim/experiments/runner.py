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
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import os
import signal
import threading
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
    ProcessPoolExecutor,
    wait,
)
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cogov_sim import __version__

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
    """

    row: dict[str, Any]
    series: np.ndarray | None = None
    series_columns: tuple[str, ...] = ()

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
    from cogov_sim.simulation import model_fingerprint

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


def _indicator_names() -> list[str]:
    from cogov_sim.vocabulary import INDICATORS

    return list(INDICATORS)


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
    names = _indicator_names()
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
    from cogov_sim.scenario import scenario_from_dict
    from cogov_sim.simulation import simulate

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
    return RunOutcome(_finish_row(row, result.final, task, time.perf_counter() - start), series, columns)


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
    stats = RunnerStats()
    source: Iterator[RunTask] = iter(tasks)
    again: deque[_Slot] = deque()
    pending: dict[Future[RunOutcome], _Slot] = {}
    current = executor
    generation = 0
    made: list[Executor] = []

    def replace() -> bool:
        nonlocal current, generation
        if new_executor is None:
            return False
        if current is not executor:
            current.shutdown(wait=False, cancel_futures=True)
        current = new_executor()
        made.append(current)
        generation += 1
        stats.executors_replaced += 1
        return True

    def give_up(slot: _Slot, error: str) -> None:
        stats.lost += 1
        on_outcome(lost_outcome(slot.task, error, slot.attempt))

    def submit(slot: _Slot) -> None:
        for _ in range(2):
            try:
                fut = current.submit(fn, slot.task)
            except (BrokenExecutor, RuntimeError) as exc:
                if replace():
                    continue
                give_up(slot, _describe(exc))
                return
            slot.generation = generation
            pending[fut] = slot
            return
        give_up(slot, "the executor broke again at once")

    try:
        while True:
            while len(pending) < max_in_flight:
                if again:
                    submit(again.popleft())
                    continue
                task = next(source, None)
                if task is None:
                    break
                submit(_Slot(task, 1, generation))
            if not pending:
                break
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in done:
                slot = pending.pop(fut)
                try:
                    exc = fut.exception()
                except CancelledError as cancelled:
                    exc = cancelled
                if exc is None:
                    outcome = fut.result()
                    outcome.row["attempts"] = slot.attempt
                    if outcome.status == "ok":
                        stats.ok += 1
                    else:
                        stats.failed += 1
                    on_outcome(outcome)
                    continue
                if isinstance(exc, BrokenExecutor) and slot.generation == generation:
                    replace()
                if slot.attempt <= retries:
                    stats.retried += 1
                    again.append(_Slot(slot.task, slot.attempt + 1, slot.generation))
                else:
                    give_up(slot, _describe(exc))
    finally:
        for fut in pending:
            fut.cancel()
        for ex in made:
            ex.shutdown(wait=False, cancel_futures=True)
    return stats


def _process_gone(pid: int, started: str | None) -> bool:
    """Whether process ``pid`` (started at ``started``, from ``/proc``) has ended or is a zombie."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return True
    except OSError:  # no /proc: ask the kernel whether the pid exists
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    return fields[0] == "Z" or (started is not None and fields[19] != started)


def _start_time(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except OSError:
        return None


def watch_parent(sweep_pid: int, interval_s: float = 0.5) -> None:
    """Process-pool initializer: end this worker soon after the sweep process that made the pool is gone.

    A pool worker blocks on its task queue; if the sweep process is killed (SIGKILL, the OOM killer) nobody
    tells it, and the forkserver it was forked from stays up as long as a worker holds its "alive" pipe. This
    thread polls the sweep process (by pid and start time, so a reused pid does not fool it) and exits the worker
    when it is gone; the forkserver and the resource tracker then exit too, so a killed sweep leaves no orphans.
    A Ctrl-C (SIGINT to the process group) ends the worker at once without a traceback; the sweep process stops
    and keeps every run finished so far.
    """
    started = _start_time(sweep_pid)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        # Ctrl-C reaches the whole process group: the sweep process handles it; workers end quietly
        signal.signal(signal.SIGINT, lambda _sig, _frame: os._exit(130))

    def loop() -> None:
        while not _process_gone(sweep_pid, started):
            time.sleep(interval_s)
        os._exit(70)

    threading.Thread(target=loop, name="cogov-watch-sweep", daemon=True).start()


PRELOAD: tuple[str, ...] = ("cogov_sim.simulation",)
"""Modules the forkserver imports once, so pool workers start without importing the model again."""


def _context() -> multiprocessing.context.BaseContext:
    """The ``forkserver`` context (``spawn`` where there is none), with the model preloaded in the server."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(PRELOAD))
    return ctx


def warm_up() -> None:
    """Start the forkserver now (it imports the model in the background) so the first pool starts quickly."""
    ctx = _context()
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool on the preloaded forkserver whose workers exit when this process dies.

    Workers are forked from a server process that has already imported the model (no per-worker import), and
    task functions travel by reference, so they must be importable module-level functions.
    """
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=_context(), initializer=watch_parent, initargs=(os.getpid(),)
    )


@dataclass
class ExecutorHandle:
    """An open executor and what the runner needs to use it well.

    Attributes:
        executor: the executor to submit to.
        slots: tasks it runs at once (workers × threads).
        description: one line for the user, e.g. ``process pool, 2 workers``.
        new_executor: factory of a replacement when ``executor`` breaks (process pools), else ``None``.
        extra: objects to keep alive while the executor is in use (the Dask client and cluster).
    """

    executor: Executor
    slots: int
    description: str
    new_executor: Callable[[], Executor] | None = None
    extra: list[Any] = field(default_factory=list)


class ExecutorUnavailableError(Exception):
    """The requested executor cannot be opened (Dask missing, scheduler unreachable)."""


@contextmanager
def open_executor(
    kind: str = "process", workers: int | None = None, scheduler: str | None = None
) -> Iterator[ExecutorHandle]:
    """Open a process pool or a Dask executor, and close it (and its cluster) on exit.

    Args:
        kind: ``process`` or ``dask``.
        workers: worker processes (default: the number of cores); for Dask, the local cluster's workers.
        scheduler: Dask scheduler address; ``None`` starts a ``LocalCluster``.

    Raises:
        ExecutorUnavailableError: Dask is not installed or the scheduler cannot be reached.
    """
    n = workers or os.cpu_count() or 1
    if kind == "process":
        pool = process_pool(n)
        try:
            yield ExecutorHandle(
                pool, n, f"process pool, {n} worker{'s' * (n != 1)}", new_executor=lambda: process_pool(n)
            )
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    if kind != "dask":
        raise ValueError(f"unknown executor kind {kind!r}")
    try:
        import logging

        from distributed import Client, LocalCluster
    except ImportError:
        raise ExecutorUnavailableError("Dask is not installed: pip install 'cogov-sim[dask]'") from None
    cluster = None
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise ExecutorUnavailableError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
            where = f"Dask scheduler {scheduler}"
        else:
            cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
            where = f"Dask local cluster, {n} worker{'s' * (n != 1)}"
        try:
            slots = max(1, sum(client.nthreads().values()))
            executor = client.get_executor(retries=2, pure=False)
            try:
                yield ExecutorHandle(executor, slots, where, extra=[client, cluster])
            finally:
                executor.shutdown(wait=False)
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()
