"""``cogov explore``: futures over the uncertainties × the policies, paired seeds, through the sweep's runner and store.

Steps: load the exploration (:mod:`~cogov_sim.discovery.explore`); draw the futures (a Latin hypercube over the
uncertainties by default, seeded by the experiment's design stream); plan one task per future, replication and
arm, every arm of a future and replication with one seed (common random numbers); skip the runs the output folder
holds; run the rest on the process pool or Dask, storing each as it finishes; consolidate ``runs.parquet`` and
``timeseries.parquet``; write ``futures.parquet`` and, when the file names outcomes to judge, the robustness
report (:mod:`~cogov_sim.discovery.robust_report`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cogov_sim.discovery.explore import Exploration, load_exploration
from cogov_sim.discovery.results import read_results
from cogov_sim.discovery.robust_report import write_robustness
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
from cogov_sim.experiments.designs import design_seed
from cogov_sim.experiments.runner import RunTask, run_key
from cogov_sim.experiments.store import write_csv, write_yaml
from cogov_sim.experiments.whatif_run import execute_whatif
from cogov_sim.scenario import ScenarioError, scenario_from_dict

RESOLVED_FILE = "exploration.resolved.yaml"
"""The exploration as run, in its output folder (how ``cogov discover`` knows the folder's kind and inputs)."""


def draw_futures(exp: Exploration) -> pd.DataFrame:
    """The futures: ``future`` and one column per uncertainty, one row per future (seeded, reproducible).

    A Latin hypercube cuts each uncertainty's unit interval in ``futures`` strata with one draw in each (scipy's
    ``LatinHypercube``); ``random`` draws each independently. A whole number or a place gets an equal share of the
    unit interval per value.
    """
    rng = np.random.default_rng(design_seed(exp.spec.seed))
    d, n = len(exp.uncertainties), exp.spec.futures
    if exp.spec.design == "latin_hypercube":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=d, rng=rng).random(n)
    else:
        unit = rng.random((n, d))
    rows = [{u.column: u.from_unit(float(x)) for u, x in zip(exp.uncertainties, row, strict=True)} for row in unit]
    frame = pd.DataFrame(rows, columns=list(exp.columns))
    frame.insert(0, "future", np.arange(n, dtype=np.int64))
    return frame


def plan(exp: Exploration, futures: pd.DataFrame) -> list[RunTask]:
    """One task per future, replication and arm (future by future, so a future's arms finish together).

    The run id hashes the future's resolved scenario, its values, the arm's name and intervention content, the
    seed, the days and what is kept: a changed policy is run again, an unchanged one is not, and adding futures
    keeps the futures already run (the Latin hypercube itself changes with ``futures``, so use ``random`` to add
    futures to an existing exploration).
    """
    tasks: list[RunTask] = []
    every = exp.spec.keep.daily_every
    values = futures[list(exp.columns)].to_dict("records")
    for i, vals in enumerate(values):
        vals = {k: (v.item() if hasattr(v, "item") else v) for k, v in vals.items()}
        data = exp.scenario_data(vals)
        try:
            scenario = scenario_from_dict(data)
        except ScenarioError:
            text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
            digest = "invalid-" + hashlib.sha256(text.encode()).hexdigest()[:16]
        else:
            data, digest = scenario.to_dict(), scenario.hash()
        for r in range(exp.spec.replications):
            seed = exp.seed(i, r)
            for arm in exp.arms:
                point = {"future": i, **vals, "policy": arm.name, "policy_hash": arm.hash}
                run_id = run_key(digest, point, seed, exp.days, every)
                tasks.append(RunTask(run_id, i, r, seed, point, data, digest, exp.days, every, arm.interventions))
    return tasks


def run_exploration(
    exp: Exploration,
    out: str | Path,
    executor_factory: Callable[[], Any] | None = None,
    *,
    progress: bool = True,
    say: Callable[[str], None] = print,
    wait: bool = False,
    command: str = "",
    lang: str = "en",
) -> RunReport:
    """Run (or resume) an exploration into ``out``; write its tables and, with outcomes to judge, robustness.

    Args:
        exp: the loaded exploration.
        out: output folder.
        executor_factory: a context manager factory yielding an
            :class:`~cogov_sim.experiments.executors.ExecutorHandle` (default: a process pool with one worker per
            core); opened only when there is something to run.
        progress: show a progress bar on stderr.
        say: where one-line messages go.
        wait: wait for another command holding ``out`` to finish, instead of raising.
        command: what holds the folder, for the message another command gets.
        lang: language of the plots and reports (``en`` or ``zh``).

    Raises:
        OutputFolderError: ``out`` cannot be created or written, or another command holds it.
        OutputWriteError: a result file could not be written (the runs finished are kept).
    """
    start = time.perf_counter()
    out = Path(out)
    futures = draw_futures(exp)
    tasks = plan(exp, futures)
    with open_output(out, command or f"explore {exp.name}", wait=wait, say=say) as store:
        with preparing():
            write_yaml(out / RESOLVED_FILE, exp.to_dict())
            write_csv(out / "futures.csv", futures)
            todo, skipped, failed_before = pending(tasks, store)
        n_pol, reps = len(exp.policies), exp.spec.replications
        say(
            f"{exp.name}: {len(tasks)} runs ({exp.spec.futures} futures × {reps} replication{'s' * (reps != 1)} ×"
            f" (no policy + {n_pol} polic{'y' if n_pol == 1 else 'ies'}), {exp.days} days); {skipped} finished"
            f" earlier, {len(todo)} to run"
        )
        bar = Progress(len(tasks), skipped, failed_before, exp.name, progress, say)
        stats, lost = run_todo(todo, store, bar, executor_factory, fn=execute_whatif)
        merged = store.consolidate(tasks, lost)
        files = [out / "runs.parquet", out / "timeseries.parquet", out / "futures.csv", out / RESOLVED_FILE]
        if exp.spec.robustness and (merged.runs["status"] == "ok").any():
            files += write_robustness(read_results(out), exp.spec.robustness, lang, question=exp.spec.question)
    return RunReport(
        out, len(tasks), skipped, stats, sorted([*lost, *merged.damaged]), files, time.perf_counter() - start
    )


def explore_command(args: argparse.Namespace) -> int:
    """The ``cogov explore`` command: run or resume an exploration; print where the results are.

    Returns:
        0 when every run has a result (ok or failed), 1 when some were lost or a result could not be written (run
        the command again); bad input raises :class:`~cogov_sim.scenario.ScenarioError` (exit 2 from the CLI).
    """
    exp = load_exploration(args.experiment)
    out = output_folder(args, exp.name)
    factory = executor_factory(args)
    wait = bool(getattr(args, "wait", False))
    command = f"cogov explore {args.experiment}"
    lang = getattr(args, "lang", "en")
    written = ": robustness/report.md" if exp.spec.robustness else ""
    return run_command(
        args,
        out,
        lambda: run_exploration(exp, out, factory, progress=not args.quiet, wait=wait, command=command, lang=lang),
        written,
    )
