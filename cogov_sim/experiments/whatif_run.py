"""``cogov whatif``: a baseline and named policies run with paired seeds; effects with intervals; plots; a report.

Paired seeds (common random numbers): replication ``r`` runs the baseline and every policy with one seed, and every
mechanism draws from its own (mechanism, day) stream, so the arms differ only where a policy acts; a policy that
changes nothing reproduces the baseline exactly, and days before a policy's first ``start_day`` are identical.
The file is :mod:`~cogov_sim.experiments.whatif`.

Execution reuses the sweep layer: each arm × replication is a :class:`~cogov_sim.experiments.runner.RunTask` run
by :func:`~cogov_sim.experiments.runner.run_tasks` on a process pool or Dask, stored by
:class:`~cogov_sim.experiments.store.ResultStore` under a content-hash id (base scenario, policy content, seed,
days), so an interrupted what-if resumes where it stopped and nothing is run twice. The analysis
(:mod:`~cogov_sim.experiments.effects`) reads only the stored tables and
:mod:`~cogov_sim.experiments.whatif_report` writes them with the figures and ``report.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

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
from cogov_sim.experiments.runner import RunOutcome, RunTask, execute, run_key
from cogov_sim.experiments.store import write_yaml
from cogov_sim.experiments.whatif import WhatIf, load_whatif
from cogov_sim.experiments.whatif_report import write_outputs
from cogov_sim.experiments.whatif_units import RECORDER_VERSION, execute_with_units

WhatIfReport = RunReport
"""What a what-if run did: the same record as a sweep's (:class:`~cogov_sim.experiments.command.RunReport`)."""


def plan(wf: WhatIf) -> list[RunTask]:
    """One task per replication and arm, replication by replication (so pairs complete early).

    Every arm of replication ``r`` has the same seed; the run id hashes the base scenario, the arm's name and
    intervention content, the seed, the days and the code recording the per-unit values
    (:data:`~cogov_sim.experiments.whatif_units.RECORDER_VERSION`), so a changed policy is run again and an
    unchanged one is not.
    """
    tasks: list[RunTask] = []
    for r in range(wf.spec.replications):
        seed = wf.seed(r)
        for i, arm in enumerate(wf.arms):
            point = {"policy": arm.name, "policy_hash": arm.hash}
            run_id = run_key(wf.base_hash, {**point, "units": RECORDER_VERSION}, seed, wf.days, 1)
            tasks.append(RunTask(run_id, i, r, seed, point, wf.base_data, wf.base_hash, wf.days, 1, arm.interventions))
    return tasks


def execute_whatif(task: RunTask) -> RunOutcome:
    """Run one arm × replication (in a worker) with fresh copies of its interventions.

    Interventions keep per-run state once bound to a model, so each run gets its own copies (a thread pool would
    otherwise share them between runs).
    """
    return execute(_fresh(task))


def execute_whatif_units(task: RunTask) -> RunOutcome:
    """:func:`execute_whatif` recording the values by residential area, segment and actor type as well.

    Those values are columns of the run's series (:func:`~cogov_sim.experiments.whatif_units.execute_with_units`);
    this is what ``cogov whatif`` runs.
    """
    return execute_with_units(_fresh(task))


def _fresh(task: RunTask) -> RunTask:
    """``task`` with fresh copies of its interventions."""
    fresh = tuple(type(iv).model_validate(iv.model_dump()) for iv in task.interventions)
    return dataclasses.replace(task, interventions=fresh)


def run_whatif(
    wf: WhatIf,
    out: str | Path,
    executor_factory: Callable[[], Any] | None = None,
    *,
    progress: bool = True,
    say: Callable[[str], None] = print,
    wait: bool = False,
    command: str = "",
    lang: str = "en",
) -> WhatIfReport:
    """Run (or resume) a what-if experiment into ``out``; write the effects, plots and report.

    The folder is locked for the whole run and checked writable before any run starts; damaged run files are
    moved aside and their runs done again.

    Args:
        wf: the loaded experiment.
        out: output folder.
        executor_factory: a context manager factory yielding an
            :class:`~cogov_sim.experiments.executors.ExecutorHandle` (default: a process pool with one worker per
            core); opened only when there is something to run.
        progress: show a progress bar on stderr.
        say: where one-line messages go.
        wait: wait for another command holding ``out`` to finish, instead of raising.
        command: what holds the folder, for the message another command gets (default ``whatif <name>``).
        lang: language of the plots and ``report.md`` (``en`` or ``zh``).

    Raises:
        OutputFolderError: ``out`` cannot be created or written, or another command holds it.
        OutputWriteError: a result file could not be written (the runs finished are kept).
    """
    start = time.perf_counter()
    out = Path(out)
    tasks = plan(wf)
    with open_output(out, command or f"whatif {wf.name}", wait=wait, say=say) as store:
        with preparing():
            write_yaml(out / "whatif.resolved.yaml", wf.to_dict())
            todo, skipped, failed_before = pending(tasks, store)
        reps = wf.spec.replications
        n_pol = len(wf.policies)
        say(
            f"{wf.name}: {len(tasks)} runs (baseline + {n_pol} polic{'y' if n_pol == 1 else 'ies'}"
            f" × {reps} paired replication{'s' * (reps != 1)}, {wf.days} days); {skipped} finished earlier,"
            f" {len(todo)} to run"
        )
        bar = Progress(len(tasks), skipped, failed_before, wf.name, progress, say)
        stats, lost = run_todo(todo, store, bar, executor_factory, fn=execute_whatif_units)
        merged = store.consolidate(tasks, lost)
        files = [out / "runs.parquet", out / "timeseries.parquet", out / "whatif.resolved.yaml"]
        series = pq.read_table(out / "timeseries.parquet").to_pandas()
        files += write_outputs(out, wf, merged.runs, series, lang)
    return WhatIfReport(
        out, len(tasks), skipped, stats, sorted([*lost, *merged.damaged]), files, time.perf_counter() - start
    )


def whatif_command(args: argparse.Namespace) -> int:
    """The ``cogov whatif`` command: run or resume a what-if experiment; print where the results are.

    Args:
        args: ``experiment``, ``workers``, ``executor`` (``process`` or ``dask``), ``scheduler``, ``out``,
            ``quiet``, ``wait``.

    Returns:
        0 when every run has a result (ok or failed), 1 when some were lost or a result could not be written (run
        the command again); bad input, or an output folder that cannot be used or is held by another command,
        raises :class:`~cogov_sim.scenario.ScenarioError` (exit code 2 from the CLI).
    """
    wf = load_whatif(args.experiment)
    out = output_folder(args, wf.name)
    factory = executor_factory(args)
    wait = bool(getattr(args, "wait", False))
    command = f"cogov whatif {args.experiment}"
    lang = getattr(args, "lang", "en")
    return run_command(
        args,
        out,
        lambda: run_whatif(wf, out, factory, progress=not args.quiet, wait=wait, command=command, lang=lang),
        ": effects.csv, report.md, plots/",
    )
