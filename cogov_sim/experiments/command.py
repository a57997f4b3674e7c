"""What ``cogov sweep`` and ``cogov whatif`` share: the executor they ask for, the run loop, the closing lines.

Both plan their tasks, skip those the output folder already holds, run the rest with :func:`run_todo` (on the
executor of :func:`executor_factory`, with a progress bar on stderr, storing each run as it finishes), write their
tables, and end with :func:`finish`: one line saying what was written and the exit code (1 when runs were lost,
so the same command run again completes them).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from cogov_sim.experiments.executors import ExecutorHandle, ExecutorUnavailableError, open_executor
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
    """A tqdm bar on stderr: runs done of the total, failed, remaining, rate and time left."""

    def __init__(
        self, total: int, done: int, failed: int, desc: str, enabled: bool, say: Callable[[str], None] = print
    ) -> None:
        self.failed = failed
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
            self.bar.set_postfix_str(f"failed {self.failed}, remaining {left}", refresh=False)

    def write(self, line: str) -> None:
        """A message above the bar (on stderr), or through ``say`` without a bar."""
        if self.bar is not None:
            self.bar.write(line, file=sys.stderr)
        else:
            self.say(line)

    def update(self, outcome: RunOutcome) -> None:
        """Count one outcome."""
        if outcome.status != "ok":
            self.failed += 1
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
    """The tasks the store does not hold yet, how many it holds, and how many of those failed."""
    finished = store.finished()
    todo = [t for t in tasks if t.run_id not in finished]
    failed = sum(1 for t in tasks if t.run_id in finished and store.read_row(t.run_id)["status"] != "ok")
    return todo, len(tasks) - len(todo), failed


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


def executor_factory(args: argparse.Namespace) -> Callable[[], Any]:
    """The executor a command's ``--executor``, ``--workers`` and ``--scheduler`` ask for, as a factory."""
    if args.scheduler and args.executor != "dask":
        raise ScenarioError("--scheduler", "", "a scheduler address needs --executor dask")
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
