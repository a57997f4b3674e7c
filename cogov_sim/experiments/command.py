"""What ``cogov sweep`` and ``cogov whatif`` share: the executor they ask for, the run loop, the closing lines.

Both plan their tasks, skip those the output folder already holds, run the rest with :func:`run_todo` (on the
executor of :func:`executor_factory`, with a progress bar on stderr, storing each run as it finishes), write their
tables, and end with :func:`finish`: one line saying what was written and the exit code (1 when runs were lost,
so the same command run again completes them).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from cogov_sim.experiments.executors import ExecutorHandle, ExecutorUnavailableError, open_executor
from cogov_sim.experiments.folder import OutputFolderError, OutputWriteError, lock_folder, shown
from cogov_sim.experiments.runner import RunnerStats, RunOutcome, RunTask, execute, run_tasks
from cogov_sim.experiments.store import ResultStore
from cogov_sim.scenario import EXIT_FAIL, EXIT_OK, ScenarioError


@dataclass
class RunReport:
    """What a sweep or a what-if did.

    Attributes:
        out: the output folder.
        total: runs in the experiment.
        skipped: runs found finished in the folder and not run again.
        stats: counts of the runs done now.
        lost: run ids lost now (run again by the next command).
        files: files written besides the run files.
        wall_s: wall time, seconds.
    """

    out: Path
    total: int
    skipped: int
    stats: RunnerStats
    lost: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    wall_s: float = 0.0


class Progress:
    """A tqdm bar on stderr: runs done of the total, failed, lost (when any), remaining, rate and time left."""

    def __init__(
        self, total: int, done: int, failed: int, desc: str, enabled: bool, say: Callable[[str], None] = print
    ) -> None:
        self.failed = failed
        self.lost = 0
        self.say = say
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                initial=done,
                desc=desc,
                unit="run",
                file=sys.stderr,
                dynamic_ncols=True,
                mininterval=0.3,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} done{postfix}"
                " [{elapsed}<{remaining} left, {rate_fmt}]",
            )
            self._postfix()

    def _postfix(self, ahead: int = 0) -> None:
        if self.bar is not None:
            left = self.bar.total - self.bar.n - ahead
            lost = f", lost {self.lost}" if self.lost else ""
            self.bar.set_postfix_str(f"failed {self.failed}{lost}, remaining {left}", refresh=False)

    def write(self, line: str) -> None:
        """A message above the bar (on stderr), or through ``say`` without a bar."""
        if self.bar is not None:
            self.bar.write(line, file=sys.stderr)
        else:
            self.say(line)

    def update(self, outcome: RunOutcome) -> None:
        """Count one outcome (a lost run is counted as lost, not failed: it is run again next time)."""
        if outcome.status == "failed":
            self.failed += 1
        elif outcome.status == "lost":
            self.lost += 1
        if self.bar is not None:
            self._postfix(ahead=1)
            self.bar.update(1)

    def close(self) -> None:
        """Show the final counts and close the bar."""
        if self.bar is not None:
            self._postfix()
            self.bar.refresh()
            self.bar.close()


def pending(tasks: Sequence[RunTask], store: ResultStore) -> tuple[list[RunTask], int, int]:
    """The tasks the store does not hold yet, how many it holds, and how many of those failed.

    Every stored file of a task is read and checked; a damaged one is moved aside (one warning line) and its task
    is to do again.
    """
    rows = store.check(t.run_id for t in tasks)
    todo = [t for t in tasks if t.run_id not in rows]
    failed = sum(1 for t in tasks if t.run_id in rows and rows[t.run_id]["status"] != "ok")
    return todo, len(tasks) - len(todo), failed


@contextlib.contextmanager
def open_output(
    out: Path, command: str, *, wait: bool = False, say: Callable[[str], None] = print
) -> Iterator[ResultStore]:
    """Lock the output folder for this command, check that it can be written, open its store; before any run.

    Raises:
        OutputFolderError: the folder cannot be created or written, or another command holds it (without
            ``wait``).
    """
    with lock_folder(out, command, wait=wait, say=say):
        try:
            store = ResultStore(out)
        except OSError as exc:
            raise OutputFolderError(f"cannot create or write {shown(out / 'runs')}: {exc.strerror or exc}") from None
        store.check_writable()
        yield store


def run_todo(
    todo: Sequence[RunTask],
    store: ResultStore,
    bar: Progress,
    executor_factory: Callable[[], Any] | None = None,
    fn: Callable[[RunTask], RunOutcome] = execute,
) -> tuple[RunnerStats, dict[str, RunOutcome]]:
    """Run ``todo`` and store each outcome as it arrives; the executor is opened only when there is work.

    Args:
        todo: the tasks the store does not hold yet.
        store: where finished (ok or failed) runs go.
        bar: the progress bar; closed on return.
        executor_factory: a context manager factory yielding an :class:`ExecutorHandle` (default: a process pool
            with one worker per core).
        fn: the module-level task function.

    Returns:
        The runner's counts and the lost outcomes by run id (not stored: the next run does them again).
    """
    lost: dict[str, RunOutcome] = {}
    stats = RunnerStats()

    def on_outcome(outcome: RunOutcome) -> None:
        if outcome.status == "lost":
            lost[outcome.run_id] = outcome
        else:
            store.write(outcome)
        bar.update(outcome)

    try:
        if todo:
            with (executor_factory or open_executor)() as handle:
                assert isinstance(handle, ExecutorHandle)
                bar.write(f"running on {handle.description}")
                stats = run_tasks(
                    todo,
                    handle.executor,
                    on_outcome,
                    fn=fn,
                    max_in_flight=2 * handle.slots,
                    new_executor=handle.new_executor,
                )
    finally:
        bar.close()
    return stats, lost


def output_folder(args: argparse.Namespace, name: str) -> Path:
    """The command's ``--out``, by default ``results/<experiment name>``."""
    return Path(args.out) if args.out else Path("results") / name


SCHEDULER_ADDRESS = re.compile(r"(?:(?:tcp|tls|ucx|ws|wss)://)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})")
"""A Dask scheduler address: ``[protocol://]host:port`` (an IPv6 host in brackets)."""


def check_scheduler(address: str) -> None:
    """Refuse a ``--scheduler`` that is not ``[protocol://]host:port`` with a port from 1 to 65535.

    Raises:
        ScenarioError: naming ``--scheduler`` and the address.
    """
    match = SCHEDULER_ADDRESS.fullmatch(address)
    if match is None or not 1 <= int(match.group(1)) <= 65535:
        shown = address if len(address) <= 80 else address[:77] + "..."
        raise ScenarioError(
            "--scheduler", shown, "not a Dask scheduler address: expected [tcp://]host:port, e.g. tcp://10.0.0.5:8786"
        )


@contextlib.contextmanager
def preparing() -> Iterator[None]:
    """Around the writes made before any run starts: one that fails means the output folder cannot be used.

    Such a failure is reported as bad ``--out`` (exit 2), not as a sweep that stopped (exit 1).

    Raises:
        OutputFolderError: a file could not be written.
    """
    try:
        yield
    except OutputWriteError as exc:
        raise OutputFolderError(str(exc)) from None


def executor_factory(args: argparse.Namespace) -> Callable[[], Any]:
    """The executor a command's ``--executor``, ``--workers`` and ``--scheduler`` ask for, as a factory.

    Raises:
        ScenarioError: a scheduler without ``--executor dask``, or an address that is not ``host:port``.
    """
    if args.scheduler and args.executor != "dask":
        raise ScenarioError("--scheduler", "", "a scheduler address needs --executor dask")
    if args.scheduler:
        check_scheduler(args.scheduler)
    return functools.partial(open_executor, args.executor, args.workers, args.scheduler)


@contextlib.contextmanager
def executor_errors(args: argparse.Namespace) -> Iterator[None]:
    """Report an executor that cannot be had (no Dask, no scheduler) as bad input naming the option."""
    try:
        yield
    except ExecutorUnavailableError as exc:
        where = "--scheduler" if args.scheduler else "--executor"
        raise ScenarioError(where, args.scheduler or args.executor, str(exc)) from None


def finish(report: RunReport, written: str = "") -> int:
    """Print what the command wrote (runs by status, run now or earlier, wall time) and return its exit code.

    Args:
        report: what the command did.
        written: what to list after the counts (``: effects.csv, report.md, plots/``).

    Returns:
        0 when every run has a result (ok or failed), 1 when some were lost (run the command again).
    """
    out = report.out
    status = pq.read_table(out / "runs.parquet", columns=["status"]).column("status").to_pylist()
    ok, failed, lost = status.count("ok"), status.count("failed"), status.count("lost")
    print(
        f"wrote {out}/ ({report.total} runs: {ok} ok, {failed} failed, {lost} lost; {report.stats.done} run now,"
        f" {report.skipped} from earlier; {report.wall_s:.1f} s){written}"
    )
    if failed:
        print(f"  {failed} failed runs are recorded with their error in runs.parquet")
    if lost:
        print(f"  {lost} runs lost: run the same command again to run them", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


FULL = (errno.ENOSPC, errno.EDQUOT)
"""Error numbers of a full disk or an exhausted quota."""


def run_command(args: argparse.Namespace, out: Path, work: Callable[[], RunReport], written: str = "") -> int:
    """Run a sweep or what-if (``work``) and end it: its closing lines, or one line for what stopped it.

    An output folder that cannot be used (not a folder, not writable, held by another command) is bad input,
    raised as :class:`ScenarioError` naming ``--out`` (exit 2); a result file that cannot be written (a full disk)
    ends the command with one line and exit 1, keeping every run finished so far.
    """
    try:
        with executor_errors(args):
            report = work()
    except OutputFolderError as exc:
        raise ScenarioError("--out", "", str(exc)) from None
    except (OutputWriteError, OSError) as exc:
        if not isinstance(exc, OutputWriteError) and exc.errno not in FULL:
            raise
        kept = sum(1 for p in (out / "runs").glob("*.parquet") if not p.name.startswith("."))
        fix = "free some space" if exc.errno in FULL else "fix it"
        text = str(exc) if isinstance(exc, OutputWriteError) else f"cannot write in {shown(out)}: {exc.strerror}"
        print(
            f"error: {text}; the {kept} finished runs in {shown(out / 'runs')} are kept: {fix} and run the same"
            " command again",
            file=sys.stderr,
        )
        return EXIT_FAIL
    return finish(report, written)
