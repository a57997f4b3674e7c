"""The what-if report: trajectory and forest figures and ``report.md``, drawn from the effect tables.

:func:`write_outputs` writes a what-if's tables (:mod:`~cogov_sim.experiments.effects`) and then
``plots/trajectory_<x>.png``, ``plots/forest.png`` and ``report.md``. Figures use matplotlib's object API
(``Figure``), no pyplot state.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cogov_sim.experiments.effects import BASELINE, contrasts_table, effects_table, trajectory_table
from cogov_sim.experiments.store import atomic_write, write_csv
from cogov_sim.experiments.whatif import WhatIf
from cogov_sim.vocabulary import INDICATORS

ARM_COLORS: tuple[str, ...] = ("#444444", "#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2")


def trajectory_figure(traj: pd.DataFrame, indicator: str, markers: dict[str, list[tuple[int, str]]]) -> Figure:
    """The indicator's trajectory per arm (mean, 95% band) above the paired difference from the baseline.

    Args:
        traj: the :func:`trajectory_table`.
        indicator: indicator to draw.
        markers: policy -> ``(day, "start" | "end")`` of its interventions (vertical lines).
    """
    fig = Figure(figsize=(8.5, 6.2), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    part = traj[traj["indicator"] == indicator]
    names = list(dict.fromkeys(part["policy"]))
    for k, name in enumerate(names):
        arm = part[part["policy"] == name]
        color = ARM_COLORS[k % len(ARM_COLORS)]
        top.plot(arm["day"], arm["mean"], color=color, lw=1.4, label=name)
        top.fill_between(arm["day"], arm["low"], arm["high"], color=color, alpha=0.18, lw=0)
        if name != BASELINE:
            bottom.plot(arm["day"], arm["diff"], color=color, lw=1.4, label=name)
            bottom.fill_between(arm["day"], arm["diff_low"], arm["diff_high"], color=color, alpha=0.2, lw=0)
        for day, what in markers.get(name, []):
            for ax in (top, bottom):
                ax.axvline(day, color=color, ls="--" if what == "start" else ":", lw=1.0, alpha=0.9)
    bottom.axhline(0.0, color="black", lw=0.8)
    top.set_title(f"{indicator}: mean and 95% band over replications (dashed: intervention start, dotted: end)")
    top.set_ylabel(indicator)
    top.legend(loc="best", fontsize=8)
    bottom.set_title("paired difference from the baseline (same seeds), 95% band", fontsize=10)
    bottom.set_ylabel("policy − baseline")
    bottom.set_xlabel("day")
    return fig


def forest_figure(effects: pd.DataFrame) -> Figure:
    """Forest plot: per indicator, each policy's mean paired difference and 95% interval, one marker per window."""
    indicators = list(dict.fromkeys(effects["indicator"]))
    policies = list(dict.fromkeys(effects["policy"]))
    windows = list(dict.fromkeys(effects["window"]))
    cols = min(len(indicators), 3)
    rows = math.ceil(len(indicators) / cols)
    fig = Figure(figsize=(4.3 * cols, 0.9 + (0.45 * len(policies) * len(windows) + 0.6) * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    shapes = ("o", "s", "^", "D")
    step = 0.7 / max(len(windows), 1)
    for ax, ind in zip(axes, indicators, strict=False):
        part = effects[effects["indicator"] == ind]
        for wi, window in enumerate(windows):
            sel = part[part["window"] == window].set_index("policy").reindex(policies)
            y = np.arange(len(policies)) - 0.35 + step * (wi + 0.5)
            x = sel["diff"].to_numpy(dtype=float)
            lo = sel["ci_low"].to_numpy(dtype=float)
            hi = sel["ci_high"].to_numpy(dtype=float)
            err = np.vstack([np.nan_to_num(x - lo), np.nan_to_num(hi - x)])
            ax.errorbar(x, y, xerr=err, fmt=shapes[wi % len(shapes)], ms=4, capsize=3, lw=1, label=window)
        ax.axvline(0.0, color="black", lw=0.8)
        ax.set_yticks(np.arange(len(policies)), policies, fontsize=8)
        ax.invert_yaxis()
        ax.set_title(ind, fontsize=10)
        ax.set_xlabel("policy − baseline (95% CI)", fontsize=8)
    for ax in axes[len(indicators) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7, loc="best")
    fig.suptitle("Effects: mean paired difference from the baseline with 95% intervals")
    return fig


def _fmt(x: float) -> str:
    """A number for the report: three significant digits, thousands separated."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _verdict(row: pd.Series) -> str:
    lo, hi = row["ci_low"], row["ci_high"]
    if pd.isna(lo) or pd.isna(hi):
        return "n too small"
    if lo > 0:
        return "up"
    if hi < 0:
        return "down"
    if lo == hi == 0:
        return "identical"
    return "no clear change"


WINDOW_TEXT = {
    "final_day": "on the final day",
    "after_start": "averaged over the days from the policy's first start day to the end",
}


def _window_text(window: str) -> str:
    if window in WINDOW_TEXT:
        return WINDOW_TEXT[window]
    return f"averaged over the last {window.split('_')[1]} days"


def _window_tables(frame: pd.DataFrame, contrast: bool) -> list[str]:
    """Markdown tables, one per window, of effects against the baseline or (``contrast``) against a reference."""
    first, ref = ("policy − reference", "reference") if contrast else ("policy", "baseline")
    lines: list[str] = []
    for window in dict.fromkeys(frame["window"]):
        lines += [f"### Window: `{window}` ({_window_text(window)})", ""]
        lines += [
            f"| {first} | indicator | {ref} | policy | diff [95% CI] | rel. change | n | reading |",
            "|---|---|---:|---:|---|---:|---:|---|",
        ]
        for _, r in frame[frame["window"] == window].iterrows():
            arm = f"{r['policy']} − {r['reference']}" if contrast else r["policy"]
            ref_mean = r["reference_mean"] if contrast else r["baseline_mean"]
            rel = "–" if pd.isna(r["rel_change"]) else f"{r['rel_change']:+.1%}"
            lines.append(
                f"| {arm} | {r['indicator']} | {_fmt(ref_mean)} | {_fmt(r['policy_mean'])} | {_fmt(r['diff'])}"
                f" [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}] | {rel} | {int(r['n'])} | {_verdict(r)} |"
            )
        lines.append("")
    return lines


def report_markdown(
    wf: WhatIf,
    runs: pd.DataFrame,
    effects: pd.DataFrame,
    plot_files: Sequence[str],
    contrasts: pd.DataFrame | None = None,
) -> str:
    """``report.md``: the question, the setup, the policies, the effects with intervals, contrasts, the plots."""
    spec = wf.spec
    lines = [f"# What-if: {wf.name}", ""]
    if spec.question:
        lines += [f"**Question.** {spec.question.strip()}", ""]
    if spec.description:
        lines += [spec.description.strip(), ""]
    status = runs["status"].value_counts().to_dict()
    ok_wall = runs.loc[runs["status"] == "ok", "wall_time_s"]
    overrides = ", ".join(f"`{k}={v}`" for k, v in spec.overrides.items()) or "none"
    lines += [
        "## Setup",
        "",
        f"- Base scenario: `{spec.base_scenario}` (resolved hash `{wf.base_hash}`), overrides: {overrides}.",
        f"- {wf.days} days; {spec.replications} paired replications: replication r runs the baseline and every"
        f" policy with one seed (experiment seed {spec.seed}), so arms differ only where a policy acts.",
        f"- Runs: {len(runs)} ({status.get('ok', 0)} ok, {status.get('failed', 0)} failed,"
        f" {status.get('lost', 0)} lost); mean run time {_fmt(float(ok_wall.mean())) if len(ok_wall) else '–'} s.",
        f"- Intervals: 95% {'paired t' if spec.interval == 't' else 'paired bootstrap'} on the per-replication"
        " difference policy − baseline.",
        "",
        "## Policies",
        "",
    ]
    for p in wf.policies:
        lines.append(f"**{p.name}** (first acts on day {p.start_day}). {p.description.strip()}")
        lines.append("")
        if not p.interventions:
            lines.append("- no interventions (reproduces the baseline)")
        for iv in p.interventions:
            lines.append(f"- `{iv.summary()}`")
        lines.append("")
    lines += ["## Effects", ""]
    lines += [
        "Each row: the indicator's mean in the baseline and under the policy, the mean paired difference with its"
        " 95% interval, the relative change, and the number of pairs. *up* / *down*: the interval excludes 0;"
        " *no clear change*: it includes 0 (the model cannot tell the policy from the baseline at this number of"
        " replications).",
        "",
    ]
    lines += _window_tables(effects, contrast=False)
    if contrasts is not None and len(contrasts):
        lines += [
            "## Contrasts between policies",
            "",
            "The same paired comparison with another policy as the reference (same seeds in both arms); the"
            " `after_start` window starts at the later of the two first start days.",
            "",
        ]
        lines += _window_tables(contrasts, contrast=True)
    lines += ["## Indicators", ""]
    for ind in dict.fromkeys(effects["indicator"]):
        lines.append(f"- `{ind}`: {INDICATORS.get(ind, '')}")
    lines += ["", "## Plots", ""]
    for f in plot_files:
        lines += [f"![{Path(f).stem}]({f})", ""]
    lines += [
        "Files: `effects.csv` (this table, all windows), `trajectories.csv` (daily means and bands per arm),"
        " `contrasts.csv` (policy against policy, if any), `runs.parquet` and `timeseries.parquet` (every run),"
        " `whatif.resolved.yaml` (the experiment with every"
        " intervention parameter). See `docs/whatif.md` for how to read the effects.",
        "",
    ]
    return "\n".join(lines)


def write_outputs(out: Path, wf: WhatIf, runs: pd.DataFrame, series: pd.DataFrame) -> list[Path]:
    """Write ``effects.csv``, ``contrasts.csv``, ``trajectories.csv``, the plots and ``report.md``; return the paths."""
    out = Path(out)
    spec = wf.spec
    options = (spec.indicators, spec.windows, spec.interval, spec.seed, spec.bootstrap_samples)
    eff = effects_table(runs, series, [(p.name, p.start_day) for p in wf.policies], *options)
    files = [write_csv(out / "effects.csv", eff)]
    con = contrasts_table(runs, series, spec.contrasts, {p.name: p.start_day for p in wf.arms}, *options)
    if con is not None:
        files.append(write_csv(out / "contrasts.csv", con))
    traj = trajectory_table(runs, series, spec.indicators)
    files.append(write_csv(out / "trajectories.csv", traj))
    plots = out / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    rel: list[str] = []
    markers = {p.name: p.marker_days for p in wf.policies}
    figures: list[tuple[str, Callable[[], Figure]]] = []
    if len(eff):
        figures.append(("forest.png", lambda: forest_figure(eff)))
    if len(traj):
        for ind in spec.indicators:
            figures.append((f"trajectory_{ind}.png", lambda ind=ind: trajectory_figure(traj, ind, markers)))
    for name, make in figures:
        fig = make()
        files.append(atomic_write(plots / name, lambda f, fig=fig: fig.savefig(f, dpi=110, format="png")))
        rel.append(f"plots/{name}")
    text = report_markdown(wf, runs, eff, rel, con)
    files.append(atomic_write(out / "report.md", lambda f: f.write(text.encode())))
    return files
