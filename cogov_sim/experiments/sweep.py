"""``cogov sweep``: an experiment's design × replications, resumable, on a process pool or Dask.

Steps: load and validate the experiment; sample the design; plan one task per (design point, replication) with
its spawned seed and content-hash id; skip the runs the output folder already holds; run the rest on the executor,
storing each run as it finishes; consolidate ``runs.parquet`` and ``timeseries.parquet``; write ``summary.csv``,
``sensitivity.csv`` (Morris and Sobol designs), ``plots/`` and ``report.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cogov_sim.experiments import analysis, plots
from cogov_sim.experiments.command import (
    Progress,
    RunReport,
    executor_factory,
    open_output,
    output_folder,
    pending,
    preparing,
    run_command,
    run_todo,
)
from cogov_sim.experiments.designs import Design, build_design, run_seed
from cogov_sim.experiments.runner import RunTask, run_key
from cogov_sim.experiments.spec import Experiment, load_experiment
from cogov_sim.experiments.store import ResultStore, atomic_write, write_csv, write_yaml
from cogov_sim.scenario import ScenarioError, scenario_from_dict

SweepReport = RunReport
"""What a sweep did (:class:`~cogov_sim.experiments.command.RunReport`)."""


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


def run_sweep(
    exp: Experiment,
    out: Path,
    executor_factory: Callable[[], Any] | None = None,
    *,
    progress: bool = True,
    say: Callable[[str], None] = print,
    wait: bool = False,
    command: str = "",
    lang: str = "en",
) -> SweepReport:
    """Run (or resume) an experiment into ``out`` and write its tables and plots.

    The folder is locked for the whole sweep and checked writable before any run starts; damaged run files are
    moved aside and their runs done again.

    Args:
        exp: the loaded experiment.
        out: output folder.
        executor_factory: a context manager factory yielding an
            :class:`~cogov_sim.experiments.executors.ExecutorHandle` (default: a process pool with one worker per
            core); it is only opened when there is something to run.
        progress: show the progress bar on stderr.
        say: where one-line messages go.
        wait: wait for another command holding ``out`` to finish, instead of raising.
        command: what holds the folder, for the message another command gets (default ``sweep <name>``).
        lang: language of the plots and ``report.md`` (``en`` or ``zh``).

    Raises:
        OutputFolderError: ``out`` cannot be created or written, or another command holds it.
        OutputWriteError: a result file could not be written (the runs finished are kept).
    """
    start = time.perf_counter()
    out = Path(out)
    design = build_design(exp)
    tasks = plan(exp, design)
    with open_output(out, command or f"sweep {exp.name}", wait=wait, say=say) as store:
        return _sweep_into(exp, design, tasks, store, executor_factory, progress, say, start, lang)


def _sweep_into(
    exp: Experiment,
    design: Design,
    tasks: list[RunTask],
    store: ResultStore,
    executor_factory: Callable[[], Any] | None,
    progress: bool,
    say: Callable[[str], None],
    start: float,
    lang: str = "en",
) -> SweepReport:
    """The body of :func:`run_sweep` in its locked, checked output folder."""
    out = store.root
    with preparing():
        write_yaml(out / "experiment.resolved.yaml", exp.to_dict())
        dtable = design_table(exp, design)
        atomic_write(out / "design.parquet", lambda f: pq.write_table(dtable, f))
        todo, skipped, failed_before = pending(tasks, store)
    reps = exp.spec.replications
    say(
        f"{exp.name}: {len(tasks)} runs ({len(design)} design points × {reps} replication{'s' * (reps != 1)},"
        f" {exp.days} days); {skipped} finished earlier, {len(todo)} to run"
    )
    bar = Progress(len(tasks), skipped, failed_before, exp.name, progress, say)
    stats, lost = run_todo(todo, store, bar, executor_factory)
    merged = store.consolidate(tasks, lost)
    runs = merged.runs
    files = [out / "runs.parquet", out / "timeseries.parquet", out / "design.parquet"]
    files.append(write_csv(out / "summary.csv", analysis.summarize(runs, list(exp.columns))))
    _, meta = analysis.read_design(out)
    sens = None
    if exp.method in ("morris", "sobol"):
        sens = analysis.sensitivity(runs, design.frame(), meta, exp.spec.indicators, seed=exp.spec.seed)
        files.append(write_csv(out / "sensitivity.csv", sens))
    files += plots.write_plots(out, runs, meta, exp.spec.indicators, sens, exp.name, lang)
    files.append(plots.write_report(out, runs, meta, [f for f in files if f.suffix == ".png"], exp.name, lang))
    if merged.foreign_files:
        say(f"note: {merged.foreign_files} run files in {store.runs_dir} belong to another experiment (left alone)")
    return SweepReport(
        out, len(tasks), skipped, stats, sorted([*lost, *merged.damaged]), files, time.perf_counter() - start
    )


def sweep_command(args: argparse.Namespace) -> int:
    """The ``cogov sweep`` command: run or resume an experiment; print where the results are.

    Args:
        args: ``experiment``, ``workers``, ``executor`` (``process`` or ``dask``), ``scheduler``, ``out``,
            ``quiet``, ``wait``.

    Returns:
        0 when every run has a result (ok or failed), 1 when some were lost or a result could not be written (run
        the command again), 2 for bad input or an output folder that cannot be used or is held by another command
        (raised as :class:`ScenarioError` and reported by the CLI).
    """
    exp = load_experiment(args.experiment)
    out = output_folder(args, exp.name)
    factory = executor_factory(args)
    wait = bool(getattr(args, "wait", False))
    command = f"cogov sweep {args.experiment}"
    lang = getattr(args, "lang", "en")
    return run_command(
        args,
        out,
        lambda: run_sweep(exp, out, factory, progress=not args.quiet, wait=wait, command=command, lang=lang),
    )
