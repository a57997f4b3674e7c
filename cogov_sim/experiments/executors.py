"""Executors for the runner: a process pool whose workers watch their parent, or Dask; opened and closed as one.

:func:`open_executor` yields an :class:`ExecutorHandle` (the executor, how many tasks it runs at once, a line for
the user, a factory of a replacement when a process pool breaks). Process pools fork their workers from a
forkserver that has imported the model once (:func:`warm_up` starts it early); each worker runs
:func:`watch_parent`, so a killed sweep leaves no orphans.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


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
        from distributed import Client, LocalCluster
    except ImportError:
        raise ExecutorUnavailableError("Dask is not installed: pip install 'cogov-sim[dask]'") from None
    cluster = client = executor = None
    interrupted = False
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError, ValueError) as exc:  # ValueError: an address Dask cannot parse
                raise ExecutorUnavailableError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
            where = f"Dask scheduler {scheduler}"
        else:
            with _sigint_held():
                cluster = LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.CRITICAL,  # its workers log a traceback when closed mid-heartbeat
                )
            client = Client(cluster)
            where = f"Dask local cluster, {n} worker{'s' * (n != 1)}"
        slots = max(1, sum(client.nthreads().values()))
        executor = client.get_executor(retries=2, pure=False)
        yield ExecutorHandle(executor, slots, where, extra=[client, cluster])
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        _close_dask(executor, client, cluster, quiet=interrupted)


@contextlib.contextmanager
def _sigint_held() -> Iterator[None]:
    """Ignore Ctrl-C while a local Dask cluster starts its workers (a second or two), then restore the handler.

    Worker processes inherit an ignored SIGINT for life, so a Ctrl-C to the process group later reaches only the
    sweep process, which closes the cluster; no worker prints a traceback of its own. A Ctrl-C during the start
    itself is ignored. Outside the main thread (where handlers cannot be set) nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _close_dask(executor: Any, client: Any, cluster: Any, *, quiet: bool) -> None:
    """Shut down a Dask executor, its client and its local cluster; errors while closing are not reported.

    Args:
        executor: the client's executor, or ``None``.
        client: the Dask client, or ``None``.
        cluster: the local cluster, or ``None`` (a remote scheduler is left running).
        quiet: also silence Dask's logging (after a Ctrl-C, the cluster's teardown logs tracebacks otherwise).
    """
    if quiet:
        for name in ("distributed", "tornado", "asyncio"):
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    if executor is not None:
        with contextlib.suppress(Exception):
            executor.shutdown(wait=False)
    if client is not None:
        with contextlib.suppress(Exception):
            client.close()
    if cluster is not None:
        with contextlib.suppress(Exception):
            cluster.close()
