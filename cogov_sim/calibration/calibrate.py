"""``cogov calibrate CALIBRATION``: history matching in waves with Gaussian-process emulators.

Wave 1 runs a Latin hypercube of ``waves.runs`` points over the parameters' ranges (the plausible ranges by
default; :mod:`~cogov_sim.calibration.calibrate_file`). Each point sets the parameters on every named run the used
targets read, runs them (``seeds_per_point`` seeds) on the sweep runner and store, and measures the used targets
(:mod:`~cogov_sim.calibration.measures`). An emulator per target is fitted on all runs so far and validated on
held-out runs (:mod:`~cogov_sim.calibration.emulator`). Wave k + 1 screens ``waves.candidates`` space-filling points
and runs ``waves.runs`` of those that no wave's emulators rule out (largest implausibility under ``cutoff``). The
waves stop after ``waves.max``, when a wave rules out less than ``waves.min_shrink`` of what was left, when the
emulators' variance is below the observation and discrepancy variances for every target (their share under
one half), or when nothing is left. The share of the box left is estimated on a fixed Sobol sample.

Outputs in the folder: ``waves.csv`` (per wave: runs, share of the box left, shrink, the emulators' variance share,
why it stopped), ``emulators.csv`` (held-out validation per wave and target), ``design.csv`` (every point run,
with what was measured), ``region.csv`` (samples of the non-implausible region), ``best.yaml`` (the best-matching
point as a scenario overlay: dotted path -> value), ``scorecard/`` (``cogov check`` of the targets file with that
overlay on every run, which shows the held-out targets), ``calibration.md`` and ``plots/`` (pairs plot, waves).
Every run goes through the store under a content-hash id, so a second calibration resumes without rerunning.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from cogov_sim.calibration.calibrate_file import Calibration, load_calibration, observation
from cogov_sim.calibration.calibrate_plots import pairs_figure, waves_figure
from cogov_sim.calibration.check import measure_all, run_check
from cogov_sim.calibration.emulator import Emulator, fit, implausibility, validate
from cogov_sim.calibration.probe import PROBE_VERSION, execute_probe
from cogov_sim.calibration.targets_file import runs_of, with_changes
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
from cogov_sim.experiments.folder import atomic_write, write_csv, write_yaml
from cogov_sim.experiments.runner import RunnerStats, RunTask, run_key
from cogov_sim.scenario import apply_overrides, scenario_from_dict

VOLUME_POINTS = 4096
"""Sobol points on which the share of the box left is estimated."""

EMULATOR_SHARE = 0.5
"""Stop when the emulators' share of the variance is below this for every target (below the other two)."""


class Waves:
    """The state of a calibration across waves: points run, their measures, the emulators of each wave."""

    def __init__(self, cal: Calibration) -> None:
        self.cal = cal
        self.d = len(cal.parameters)
        self.x = np.zeros((0, self.d))
        self.y = np.zeros((0, len(cal.used)))
        self.wave_of: list[int] = []
        self.emulators: list[list[Emulator | None]] = []
        self.obs = [observation(t) for t in cal.used]
        self.volume = qmc.Sobol(self.d, rng=np.random.default_rng(cal.spec.seed + 7919)).random(VOLUME_POINTS)

    def overlay(self, unit: np.ndarray) -> dict[str, float | int]:
        """The scenario changes of a point of the unit box."""
        return {p.path: p.value(float(u)) for p, u in zip(self.cal.parameters, unit, strict=True)}

    def max_implausibility(self, x: np.ndarray, waves: int | None = None) -> np.ndarray:
        """The largest implausibility at ``x`` over the targets and the first ``waves`` waves' emulators."""
        out = np.zeros(len(x))
        for ems in self.emulators[: len(self.emulators) if waves is None else waves]:
            out = np.maximum(out, implausibility(ems, self.obs, self.cal.spec.discrepancy, x)[0].max(axis=1))
        return out

    def plausible(self, x: np.ndarray) -> np.ndarray:
        """Whether no wave rules ``x`` out."""
        return self.max_implausibility(x) < self.cal.spec.cutoff

    def design(self, wave: int) -> np.ndarray:
        """The points of a wave: a Latin hypercube first, then the candidates no wave rules out."""
        spec = self.cal.spec
        rng = np.random.default_rng([spec.seed, wave])
        if wave == 1:
            return qmc.LatinHypercube(self.d, rng=rng).random(spec.waves.runs)
        cand = qmc.LatinHypercube(self.d, rng=rng).random(spec.waves.candidates)
        left = cand[self.plausible(cand)]
        if len(left) <= spec.waves.runs:
            return left
        return left[np.sort(rng.choice(len(left), spec.waves.runs, replace=False))]


def plan_wave(cal: Calibration, waves: Waves, points: np.ndarray, first: int) -> tuple[list[RunTask], dict]:
    """Tasks for the points of a wave: every named run the used targets read, ``seeds_per_point`` seeds each.

    Returns the tasks and (run name, point × seeds + seed index) -> run id, as :func:`measure_all` reads them.
    """
    names = list(dict.fromkeys(n for t in cal.used for n in runs_of(t.measure)))
    tasks: dict[str, RunTask] = {}
    ids: dict[tuple[str, int], str] = {}
    k = cal.spec.seeds_per_point
    for i, unit in enumerate(points):
        overlay = waves.overlay(unit)
        point = {"probe": PROBE_VERSION, **overlay}
        for name in names:
            run = cal.targets.runs[name]
            own = {k: v for k, v in overlay.items() if k not in run.spec.set_}  # a run's own change wins
            scenario = scenario_from_dict(apply_overrides(run.data, own))
            for r in range(k):
                seed = cal.spec.seed + r
                rid = run_key(scenario.hash(), point, seed, run.days, 1)
                ids[(name, i * k + r)] = rid
                tasks.setdefault(rid, RunTask(rid, first + i, r, seed, point, scenario.to_dict(), scenario.hash(),
                                              run.days, 1))  # fmt: skip
    return list(tasks.values()), ids


def run_calibration(cal: Calibration, out: Path, executor_factory: Callable[[], Any] | None = None, *,
                    progress: bool = True, say: Callable[[str], None] = print, wait: bool = False,
                    command: str = "") -> RunReport:  # fmt: skip
    """Run (or resume) the waves into ``out``; write the region, diagnostics, the best set and its scorecard."""
    start = time.perf_counter()
    out = Path(out)
    waves = Waves(cal)
    rows: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    stats = RunnerStats()
    total = skipped = 0
    every: list[RunTask] = []
    with open_output(out, command or f"calibrate {cal.name}", wait=wait, say=say) as store:
        with preparing():
            write_yaml(out / "calibration.resolved.yaml", cal.spec.model_dump(mode="json", exclude_none=True))
        left, reason = 1.0, "the last wave"
        for wave in range(1, cal.spec.waves.max + 1):
            points = waves.design(wave)
            if not len(points):
                reason = "nothing left"
                break
            tasks, ids = plan_wave(cal, waves, points, len(waves.x))
            todo, done, failed = pending(tasks, store)
            say(f"{cal.name} wave {wave}: {len(points)} points, {len(tasks)} runs; {done} finished earlier")
            bar = Progress(len(tasks), done, failed, f"{cal.name} wave {wave}", progress, say)
            wave_stats, lost = run_todo(todo, store, bar, executor_factory, fn=execute_probe)
            stats.ok, stats.failed, stats.lost = (stats.ok + wave_stats.ok, stats.failed + wave_stats.failed,
                                                  stats.lost + wave_stats.lost)  # fmt: skip
            total, skipped = total + len(tasks), skipped + done
            every += tasks
            merged = store.consolidate(tasks, lost)
            series = pd.read_parquet(out / "timeseries.parquet")
            y = _measured(cal, ids, merged.runs, series, len(points))
            waves.x, waves.y = np.vstack([waves.x, points]), np.vstack([waves.y, y])
            waves.wave_of += [wave] * len(points)
            seed = cal.spec.seed + wave
            waves.emulators.append([fit(t.id, waves.x, waves.y[:, j], seed) for j, t in enumerate(cal.used)])
            checks += [{"wave": wave, **validate(t.id, waves.x, waves.y[:, j], seed)} for j, t in enumerate(cal.used)]
            share_now = float(waves.plausible(waves.volume).mean())
            shrink = 1 - share_now / left if left > 0 else 0.0
            region = waves.volume[waves.plausible(waves.volume)]
            em_share = _emulator_share(waves, region)
            rows.append({"wave": wave, "points": len(points), "runs": len(tasks), "share_left": share_now,
                         "shrink": shrink, "emulator_variance_share": em_share, "stop": ""})  # fmt: skip
            left = share_now
            if share_now == 0:
                reason = "nothing left"
            elif wave < min(cal.spec.waves.min, cal.spec.waves.max):
                continue
            elif wave > 1 and shrink < cal.spec.waves.min_shrink:
                reason = f"the region shrank by {shrink:.0%} (< {cal.spec.waves.min_shrink:.0%})"
            elif em_share < EMULATOR_SHARE:
                reason = "the emulators' variance is below the observation and discrepancy variances"
            else:
                continue
            break
        rows[-1]["stop"] = reason
        store.consolidate(every)  # runs.parquet and timeseries.parquet of every wave
        files = write_outputs(cal, waves, out, rows, checks)
        best = best_point(waves)
        overlay = waves.overlay(best) if best is not None else {}
        files.append(write_yaml(out / "best.yaml", {"set": overlay, "from": f"calibration {cal.name}"}))
        card = None
        if overlay:
            report = run_check(with_changes(cal.targets, overlay), out / "scorecard", cal.spec.check_seeds,
                               executor_factory, progress=progress, say=say)  # fmt: skip
            files += report.files
            card = pd.read_csv(out / "scorecard" / "scorecard.csv")
        files.append(write_report(cal, out, rows, checks, overlay, card))
    return RunReport(out, total, skipped, stats, [], files, time.perf_counter() - start)


def _measured(cal: Calibration, ids: dict, runs: pd.DataFrame, series: pd.DataFrame, n: int) -> np.ndarray:
    """(points × used targets): each point's measure, the mean over its seeds."""
    k = cal.spec.seeds_per_point
    values = measure_all(cal.targets, ids, runs, series, n * k, cal.used)
    arr = np.array([values[t.id] for t in cal.used], dtype=float).T.reshape(n, k, len(cal.used))
    with np.errstate(invalid="ignore"):
        return np.nanmean(arr, axis=1) if k > 1 else arr[:, 0, :]


def _emulator_share(waves: Waves, region: np.ndarray) -> float:
    """The largest (over targets) median share of the emulator's variance in the region left (NaN if empty)."""
    if not len(region):
        return math.nan
    _, share = implausibility(waves.emulators[-1], waves.obs, waves.cal.spec.discrepancy, region)
    with np.errstate(invalid="ignore"):
        med = np.nanmedian(share, axis=0)
    return float(np.nanmax(med)) if np.isfinite(med).any() else math.nan


def best_point(waves: Waves) -> np.ndarray | None:
    """The point (run, or of the region sample) whose largest implausibility under every wave is least."""
    cand = np.vstack([waves.x, waves.volume])
    if not len(cand) or not waves.emulators:
        return None
    return cand[int(np.argmin(waves.max_implausibility(cand)))]


def write_outputs(cal: Calibration, waves: Waves, out: Path, rows: list[dict], checks: list[dict]) -> list[Path]:
    """``waves.csv``, ``emulators.csv``, ``design.csv``, ``region.csv`` and ``plots/``."""
    names = [p.path for p in cal.parameters]
    design = pd.DataFrame({"wave": waves.wave_of}).assign(
        **{n: [p.value(u) for u in waves.x[:, i]] for i, (n, p) in enumerate(zip(names, cal.parameters, strict=True))},
        **{t.id: waves.y[:, j] for j, t in enumerate(cal.used)},
        max_implausibility=waves.max_implausibility(waves.x),
    )
    keep = waves.plausible(waves.volume)
    region = pd.DataFrame({n: [p.value(u) for u in waves.volume[keep, i]]
                           for i, (n, p) in enumerate(zip(names, cal.parameters, strict=True))})  # fmt: skip
    region["max_implausibility"] = waves.max_implausibility(waves.volume[keep])
    pdir = out / "plots"
    pdir.mkdir(parents=True, exist_ok=True)
    figs = {"pairs.png": pairs_figure(region, design, names, cal.name), "waves.png": waves_figure(pd.DataFrame(rows))}
    return [
        write_csv(out / "waves.csv", pd.DataFrame(rows)),
        write_csv(out / "emulators.csv", pd.DataFrame(checks)),
        write_csv(out / "design.csv", design),
        write_csv(out / "region.csv", region),
        *(atomic_write(pdir / f, lambda h, fig=fig: fig.savefig(h, dpi=100, format="png")) for f, fig in figs.items()),
    ]


def write_report(cal: Calibration, out: Path, rows: list[dict], checks: list[dict], overlay: dict,
                 card: pd.DataFrame | None) -> Path:  # fmt: skip
    """``calibration.md``: the waves, the emulators' validation, the best set, the held-out targets."""
    lines = [f"# Calibration: {cal.name}", "", cal.spec.description, "",
             f"Matched: {', '.join(t.id for t in cal.used)}. Held out: {', '.join(t.id for t in cal.held_out)}.", "",
             "| wave | points | runs | share of the box left | shrink | emulator variance share | stop |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    lines += [f"| {r['wave']} | {r['points']} | {r['runs']} | {r['share_left']:.3f} | {r['shrink']:.2f} |"
              f" {r['emulator_variance_share']:.2f} | {r['stop']} |" for r in rows]  # fmt: skip
    last = [c for c in checks if c["wave"] == rows[-1]["wave"]]
    lines += ["", "Emulators of the last wave on held-out runs:", "", "| target | R² | 95% coverage | mean abs z |",
              "|---|---|---|---|"]  # fmt: skip
    lines += [f"| {c['target']} | {c['r2']:.2f} | {c['coverage_95']:.2f} | {c['mean_abs_std_error']:.2f} |"
              for c in last]  # fmt: skip
    lines += ["", "Best-matching set (`best.yaml`): " + ", ".join(f"`{k}` = {v:g}" for k, v in overlay.items())]
    if card is not None:
        held = card[card["id"].isin([t.id for t in cal.held_out])]
        lines += ["", "Held-out targets under the best set (scorecard/scorecard.md): "
                  + "; ".join(f"{r['id']} {r['verdict']}" for _, r in held.iterrows())]  # fmt: skip
    text = "\n".join(lines) + "\n"
    return atomic_write(out / "calibration.md", lambda f: f.write(text.encode()))


def calibrate_command(args: argparse.Namespace) -> int:
    """The ``cogov calibrate`` command: run or resume the waves; exit 0, 1 (runs lost) or 2 (bad input)."""
    cal = load_calibration(args.calibration)
    out = output_folder(args, cal.name)
    factory = executor_factory(args)
    return run_command(args, out, lambda: run_calibration(cal, out, factory, progress=not args.quiet,
                       wait=bool(getattr(args, "wait", False)), command=f"cogov calibrate {args.calibration}"),
                       ": calibration.md, best.yaml, region.csv, scorecard/")  # fmt: skip
