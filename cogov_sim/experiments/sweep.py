"""``cogov sweep``: an experiment's design × replications, resumable, on a process pool or Dask.

Steps: load and validate the experiment; sample the design; plan one task per (design point, replication) with
its spawned seed and content-hash id; skip the runs the output folder already holds; run the rest on the executor,
storing each run as it finishes; consolidate ``runs.parquet`` and ``timeseries.parquet``; write ``summary.csv``,
``sensitivity.csv`` (Morris and Sobol designs) and ``plots/``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from cogov_sim.experiments import analysis, plots
from cogov_sim.experiments.designs import Design, build_design, run_seed
from cogov_sim.experiments.runner import (
    ExecutorHandle,
    ExecutorUnavailableError,
    RunnerStats,
    RunOutcome,
    RunTask,
    open_executor,
    run_key,
    run_tasks,
    warm_up,
)
from cogov_sim.experiments.spec import Experiment, load_experiment
from cogov_sim.experiments.store import ResultStore, atomic_write
from cogov_sim.scenario import ScenarioError, scenario_from_dict

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2


def plan(exp: Experiment, design: Design) -> list[RunTask]:
    """One task per design point and replication, in design order (point, then replication).

    The scenario of each point is validated here to name the run by its resolved hash; a point whose scenario
    does not validate (a combination of values the schema's cross-field rules reject) still gets its tasks, and
    they fail in the worker with the validation message, recorded like any failing run.
    """
    tasks: list[RunTask] = []
    every = exp.spec.keep.daily_every
    for i, point in enumerate(design.points):
        data = exp.scenario_data(point)
        try:
            scenario = scenario_from_dict(data)
        except ScenarioError:
            text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
            digest = "invalid-" + hashlib.sha256(text.encode()).hexdigest()[:16]
        else:
            data, digest = scenario.to_dict(), scenario.hash()
        for r in range(exp.spec.replications):
            seed = run_seed(exp.spec.seed, i, r)
            run_id = run_key(digest, point, seed, exp.days, every)
            tasks.append(RunTask(run_id, i, r, seed, point, data, digest, exp.days, every))
    return tasks


def design_table(exp: Experiment, design: Design) -> pa.Table:
    """``design.parquet``: the raw sampled values per point, with the design description in its metadata."""
    meta = {
        "method": design.method,
        "parameters": [{"column": p.column, "kind": p.kind, "path": p.path} for p in exp.parameters],
        "problem": design.problem,
        "levels": design.levels,
        "seed": exp.spec.seed,
    }
    table = pa.Table.from_pandas(design.frame(), preserve_index=False)
    return table.replace_schema_metadata({analysis.DESIGN_META_KEY: json.dumps(meta).encode()})


@dataclass
class SweepReport:
    """What a sweep did.

    Attributes:
        out: the output folder.
        total: runs in the experiment.
        skipped: runs found finished in the folder and not run again.
        stats: counts of the runs done now.
        lost: run ids lost now (run again by the next sweep).
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


class _Progress:
    """A tqdm bar on stderr: runs done of the total, failed, remaining, rate and time left."""

    def __init__(self, total: int, done: int, failed: int, desc: str, enabled: bool) -> None:
        self.failed = failed
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

    def update(self, outcome: RunOutcome) -> None:
        if outcome.status != "ok":
            self.failed += 1
        if self.bar is not None:
            self._postfix(ahead=1)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self._postfix()
            self.bar.refresh()
            self.bar.close()


def run_sweep(
    exp: Experiment,
    out: Path,
    executor_factory: Callable[[], Any] | None = None,
    *,
    progress: bool = True,
    say: Callable[[str], None] = print,
) -> SweepReport:
    """Run (or resume) an experiment into ``out`` and write its tables and plots.

    Args:
        exp: the loaded experiment.
        out: output folder.
        executor_factory: a context manager factory yielding an :class:`ExecutorHandle` (default: a process pool
            with one worker per core); it is only opened when there is something to run.
        progress: show the progress bar on stderr.
        say: where one-line messages go.
    """
    start = time.perf_counter()
    out = Path(out)
    design = build_design(exp)
    tasks = plan(exp, design)
    store = ResultStore(out)
    atomic_write(
        out / "experiment.resolved.yaml",
        lambda f: f.write(yaml.safe_dump(exp.to_dict(), sort_keys=False, allow_unicode=True).encode()),
    )
    dtable = design_table(exp, design)
    atomic_write(out / "design.parquet", lambda f: pq.write_table(dtable, f))
    finished = store.finished()
    todo = [t for t in tasks if t.run_id not in finished]
    skipped = len(tasks) - len(todo)
    failed_before = sum(1 for t in tasks if t.run_id in finished and store.read_row(t.run_id)["status"] != "ok")
    reps = exp.spec.replications
    say(
        f"{exp.name}: {len(tasks)} runs ({len(design)} design points × {reps} replication{'s' * (reps != 1)},"
        f" {exp.days} days); {skipped} finished earlier, {len(todo)} to run"
    )
    lost: dict[str, RunOutcome] = {}
    stats = RunnerStats()
    bar = _Progress(len(tasks), skipped, failed_before, exp.name, progress)

    def on_outcome(outcome: RunOutcome) -> None:
        if outcome.status == "lost":
            lost[outcome.run_id] = outcome
        else:
            store.write(outcome)
        bar.update(outcome)

    try:
        if todo:
            factory = executor_factory or open_executor
            with factory() as handle:
                assert isinstance(handle, ExecutorHandle)
                if progress and bar.bar is not None:
                    bar.bar.write(f"running on {handle.description}", file=sys.stderr)
                else:
                    say(f"running on {handle.description}")
                stats = run_tasks(
                    todo,
                    handle.executor,
                    on_outcome,
                    max_in_flight=2 * handle.slots,
                    new_executor=handle.new_executor,
                )
    finally:
        bar.close()
    merged = store.consolidate(tasks, lost)
    runs = merged.runs
    files = [out / "runs.parquet", out / "timeseries.parquet", out / "design.parquet"]
    columns = list(exp.columns)
    summary = analysis.summarize(runs, columns)
    atomic_write(out / "summary.csv", lambda f: f.write(summary.to_csv(index=False, float_format="%.8g").encode()))
    files.append(out / "summary.csv")
    _, meta = analysis.read_design(out)
    sens = None
    if exp.method in ("morris", "sobol"):
        sens = analysis.sensitivity(runs, design.frame(), meta, exp.spec.indicators, seed=exp.spec.seed)
        atomic_write(out / "sensitivity.csv", lambda f: f.write(sens.to_csv(index=False, float_format="%.8g").encode()))
        files.append(out / "sensitivity.csv")
    files += plots.write_plots(out, runs, meta, exp.spec.indicators, sens, exp.name)
    if merged.foreign_files:
        say(f"note: {merged.foreign_files} run files in {store.runs_dir} belong to another experiment (left alone)")
    return SweepReport(out, len(tasks), skipped, stats, sorted(lost), files, time.perf_counter() - start)


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


def sweep_command(args: argparse.Namespace) -> int:
    """The ``cogov sweep`` command: run or resume an experiment; print where the results are.

    Args:
        args: ``experiment``, ``workers``, ``executor`` (``process`` or ``dask``), ``scheduler``, ``out``,
            ``quiet``.

    Returns:
        0 when every run has a result (ok or failed), 1 when some were lost (run the command again), 2 for bad
        input (raised as :class:`ScenarioError` and reported by the CLI).
    """
    if args.executor == "process":
        warm_up()  # the forkserver imports the model while the experiment is loaded and planned
    exp = load_experiment(args.experiment)
    out = Path(args.out) if args.out else Path("results") / exp.name
    with executor_errors(args):
        report = run_sweep(exp, out, executor_factory(args), progress=not args.quiet)
    s = report.stats
    runs = pq.read_table(out / "runs.parquet", columns=["status"]).column("status").to_pylist()
    ok, failed, lost = runs.count("ok"), runs.count("failed"), runs.count("lost")
    print(
        f"wrote {out}/ ({report.total} runs: {ok} ok, {failed} failed, {lost} lost; {s.done} run now,"
        f" {report.skipped} from earlier; {report.wall_s:.1f} s)"
    )
    if failed:
        print(f"  {failed} failed runs are recorded with their error in runs.parquet")
    if lost:
        print(f"  {lost} runs lost: run the same command again to run them", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK
