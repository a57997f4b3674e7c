"""``cogov check TARGETS``: run what the targets need across seeds, measure them, write the scorecard.

Steps: load the targets file (:mod:`~cogov_sim.calibration.targets_file`); plan one probed run
(:func:`~cogov_sim.calibration.probe.execute_probe`) per named run the targets use and seed (seeds ``seed`` to
``seed + N - 1``, the same for every run, so ratios between runs are paired); skip the runs the output folder
already holds and run the rest on the sweep runner, executors and store (parallel on a process pool or Dask,
resumable, damaged run files healed, the folder locked); measure every target on each seed from the stored runs
(:mod:`~cogov_sim.calibration.measures`); write ``scorecard.csv``, ``values.csv`` (each target on each seed),
``facts.csv``, ``scorecard.md`` and ``plots/``. A run's id hashes the model code, the resolved scenario, the seed,
the days and the probe's version, so an unchanged run is never run again and targets can be edited and re-scored
without running anything.
"""

from __future__ import annotations

import argparse
import datetime
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from cogov_sim.calibration.check_plots import write_figures
from cogov_sim.calibration.measures import RunData, evaluate
from cogov_sim.calibration.probe import PROBE_VERSION, execute_probe
from cogov_sim.calibration.scorecard import counts, fact_table, markdown, score
from cogov_sim.calibration.targets import Target
from cogov_sim.calibration.targets_file import Targets, load_targets, runs_of
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
from cogov_sim.experiments.files import REPO_ROOT
from cogov_sim.experiments.folder import atomic_write, write_csv, write_yaml
from cogov_sim.experiments.runner import RunTask, run_key
from cogov_sim.simulation import MODEL_SOURCES, model_fingerprint


def seeds_of(targets: Targets, n: int) -> list[int]:
    """The run seeds: the file's ``seed`` and the ``n - 1`` after it."""
    return [targets.spec.seed + r for r in range(n)]


def used_runs(targets: Targets) -> list[str]:
    """The named runs some target reads, in the file's order of runs."""
    used = {name for t in targets.targets for name in runs_of(t.measure)}
    return [name for name in targets.runs if name in used]


def plan(targets: Targets, n_seeds: int) -> tuple[list[RunTask], dict[tuple[str, int], str]]:
    """One probed run per used named run and seed, and (run name, seed index) -> run id.

    Named runs that resolve to the same scenario and days share their runs (one task for both).
    """
    tasks: dict[str, RunTask] = {}
    ids: dict[tuple[str, int], str] = {}
    point = {"probe": PROBE_VERSION}
    for i, name in enumerate(used_runs(targets)):
        run = targets.runs[name]
        for r, seed in enumerate(seeds_of(targets, n_seeds)):
            run_id = run_key(run.scenario_hash, point, seed, run.days, 1)
            ids[(name, r)] = run_id
            if run_id not in tasks:
                tasks[run_id] = RunTask(run_id, i, r, seed, point, run.data, run.scenario_hash, run.days, 1)
    return list(tasks.values()), ids


def measure_all(
    targets: Targets,
    ids: dict[tuple[str, int], str],
    runs: pd.DataFrame,
    series: pd.DataFrame,
    n_seeds: int,
    only: Sequence[Target] | None = None,
) -> dict[str, list[float]]:
    """Each target's measure (of ``only``, default all) on each seed from the stored runs (NaN where one failed).

    ``ids`` maps (run name, seed index) to the run id; a run it does not name, or that did not finish, is missing
    for the measures that read it.
    """
    measured = list(targets.targets if only is None else only)
    ok = runs[runs["status"] == "ok"].set_index("run_id")
    by_run = {rid: part.drop(columns=["run_id", "point_index", "replication"]).sort_values("day")
              for rid, part in series.groupby("run_id")}  # fmt: skip
    names = list(dict.fromkeys(n for t in measured for n in runs_of(t.measure)))
    values: dict[str, list[float]] = {t.id: [] for t in measured}
    for r in range(n_seeds):
        seed_runs = {}
        for name in names:
            rid = ids.get((name, r))
            if rid in ok.index and rid in by_run:
                seed_runs[name] = RunData(ok.loc[rid].to_dict(), by_run[rid])
        for t in measured:
            values[t.id].append(evaluate(t.measure, seed_runs))
    return values


def git_state() -> str:
    """The commit the working tree is at, and whether the model's code differs from it (``abc1234``, ...)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()  # fmt: skip
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "cogov_sim"], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=10, check=True).stdout.split("\n")  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    changed = sorted({line[3:] for line in dirty if line.strip() and _model_source(line[3:])})
    if len(changed) > 3:
        return f"{head} with uncommitted changes in {len(changed)} model files"
    return f"{head}" + (f" with uncommitted changes in {', '.join(changed)}" if changed else "")


def _model_source(path: str) -> bool:
    """Whether a changed file (or folder) is model code (what decides a run's numbers, :data:`MODEL_SOURCES`)."""
    parts = Path(path).parts[1:]
    if len(parts) == 1:
        return parts[0].endswith(".py") and parts[0] not in ("cli.py", "report.py")
    return bool(parts) and parts[0] in {Path(p).parts[0] for p in MODEL_SOURCES if "/" in p}


def provenance(targets: Targets, n_seeds: int, wall_s: float, skipped: int, total: int, commit: str) -> list[str]:
    """The lines under the scorecard's title: what was run, on which model (``commit``: :func:`git_state`), when."""
    seeds = seeds_of(targets, n_seeds)
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return [
        f"Targets: `{targets.file}` ({len(targets.targets)} targets); evidence: `{targets.spec.evidence or '-'}`.",
        f"Runs: {total} ({len(used_runs(targets))} named runs × {n_seeds} seeds, seeds {seeds[0]}-{seeds[-1]});"
        f" {skipped} reused from earlier; {wall_s:.0f} s.",
        f"Model: code fingerprint `{model_fingerprint()}`, commit {commit}; computed {today}.",
    ]


def run_check(
    targets: Targets,
    out: Path,
    n_seeds: int = 5,
    executor_factory: Callable[[], Any] | None = None,
    *,
    progress: bool = True,
    say: Callable[[str], None] = print,
    wait: bool = False,
    command: str = "",
    doc: Path | None = None,
) -> RunReport:
    """Run (or resume) a check into ``out`` and write its scorecard, tables and figures.

    Args:
        targets: the loaded targets file.
        out: output folder.
        n_seeds: seeds per named run.
        executor_factory: a context manager factory yielding an executor handle (default: a process pool).
        progress: show the progress bar on stderr.
        say: where one-line messages go.
        wait: wait for another command holding ``out`` to finish, instead of raising.
        command: what holds the folder, for the message another command gets.
        doc: also write the scorecard there (``docs/validation.md``), its summary figure next to it.

    Raises:
        OutputFolderError: ``out`` cannot be created or written, or another command holds it.
        OutputWriteError: a result file could not be written (the runs finished are kept).
    """
    start = time.perf_counter()
    out = Path(out)
    tasks, ids = plan(targets, n_seeds)  # fixes the model fingerprint of the runs
    commit = git_state()  # the code the runs are made of: as it is now, not when they end
    with open_output(out, command or f"check {targets.name}", wait=wait, say=say) as store:
        with preparing():
            write_yaml(out / "targets.resolved.yaml", resolved(targets, n_seeds))
            todo, skipped, failed_before = pending(tasks, store)
        say(
            f"{targets.name}: {len(tasks)} runs ({len(used_runs(targets))} named runs × {n_seeds} seeds);"
            f" {skipped} finished earlier, {len(todo)} to run"
        )
        bar = Progress(len(tasks), skipped, failed_before, targets.name, progress, say)
        stats, lost = run_todo(todo, store, bar, executor_factory, fn=execute_probe)
        merged = store.consolidate(tasks, lost)
        series = pq.read_table(out / "timeseries.parquet").to_pandas()
        values = measure_all(targets, ids, merged.runs, series, n_seeds)
        card = score(targets, values)
        facts = fact_table(targets, card)
        wall = time.perf_counter() - start
        lines = provenance(targets, n_seeds, wall, skipped, len(tasks), commit)
        files = [out / "runs.parquet", out / "timeseries.parquet"]
        files += write_tables(out, targets, card, facts, values, n_seeds, lines)
        files += write_figures(out, card, values, seeds_of(targets, n_seeds), f"{targets.name}: all targets")
        if doc is not None:
            files += write_doc(Path(doc), targets, card, facts, lines, out)
        say(f"scorecard: facts {counts(list(facts[facts['targets'] > 0]['verdict']))};"
            f" targets {counts(list(card['verdict']))}")  # fmt: skip
    return RunReport(out, len(tasks), skipped, stats, sorted([*lost, *merged.damaged]), files,
                     time.perf_counter() - start)  # fmt: skip


def resolved(targets: Targets, n_seeds: int) -> dict[str, Any]:
    """The targets file as plain data with its seeds and each run's scenario file and hash."""
    data = targets.spec.model_dump(by_alias=True, exclude_none=True, mode="json")
    data["resolved"] = {
        "seeds": seeds_of(targets, n_seeds),
        "runs": {
            n: {"scenario_file": r.scenario_file, "scenario_hash": r.scenario_hash} for n, r in targets.runs.items()
        },
    }
    return data


def write_tables(out: Path, targets: Targets, card: pd.DataFrame, facts: pd.DataFrame,
                 values: dict[str, list[float]], n_seeds: int, lines: list[str]) -> list[Path]:  # fmt: skip
    """``scorecard.csv``, ``facts.csv``, ``values.csv`` and ``scorecard.md``."""
    seeds = seeds_of(targets, n_seeds)
    long = pd.DataFrame([{"id": k, "seed": s, "value": v} for k, vs in values.items()
                         for s, v in zip(seeds, vs, strict=True)])  # fmt: skip
    md = markdown(targets, card, facts, lines)
    return [
        write_csv(out / "scorecard.csv", card),
        write_csv(out / "facts.csv", facts),
        write_csv(out / "values.csv", long),
        atomic_write(out / "scorecard.md", lambda f: f.write(md.encode())),
    ]


def write_doc(doc: Path, targets: Targets, card: pd.DataFrame, facts: pd.DataFrame, lines: list[str],
              out: Path) -> list[Path]:  # fmt: skip
    """The validation page: the scorecard with its provenance and the summary figure next to it."""
    doc.parent.mkdir(parents=True, exist_ok=True)
    figure = doc.with_name(f"{doc.stem}_summary.png")
    png = (out / "plots" / "summary.png").read_bytes()
    head = f"<!-- generated by `make validation` (cogov check {targets.file} --doc {doc}); do not edit by hand -->\n\n"
    body = markdown(targets, card, facts, lines).replace(f"# Scorecard: {targets.name}", "# Validation: does the"
                                                         " model match the evidence?", 1)  # fmt: skip
    body += f"\n![All targets at a glance]({figure.name})\n\nFigures per target, values per seed and the tables:"
    body += f" `{out}/` (`plots/<id>.png`, `values.csv`, `scorecard.csv`), rebuilt by `make validation`.\n"
    return [
        atomic_write(figure, lambda f: f.write(png)),
        atomic_write(doc, lambda f: f.write((head + body).encode())),
    ]


def check_command(args: argparse.Namespace) -> int:
    """The ``cogov check`` command: run or resume the targets' runs, write the scorecard; exit 0, 1 or 2.

    Args:
        args: ``targets``, ``seeds``, ``workers``, ``executor``, ``scheduler``, ``out``, ``quiet``, ``wait``,
            ``doc``.

    Returns:
        0 when every run has a result (whatever the verdicts), 1 when some were lost (run it again); bad input
        raises :class:`~cogov_sim.scenario.ScenarioError` (exit code 2 from the CLI).
    """
    targets = load_targets(args.targets)
    out = output_folder(args, targets.name)
    factory = executor_factory(args)
    command = f"cogov check {args.targets}"
    doc = Path(args.doc) if getattr(args, "doc", None) else None
    return run_command(
        args,
        out,
        lambda: run_check(
            targets,
            out,
            args.seeds,
            factory,
            progress=not args.quiet,
            wait=bool(getattr(args, "wait", False)),
            command=command,
            doc=doc,
        ),
        ": scorecard.md, scorecard.csv, plots/",
    )
