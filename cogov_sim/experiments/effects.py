"""Effects of a what-if experiment, from its result tables only: paired differences with intervals, plots, report.

For policy ``p``, indicator ``x``, window ``w`` and replication ``r`` (seed ``s_r``), the outcome ``y(arm, r)`` is
``x`` on the final day (``final_day``), its mean over the days from the policy's first start day to the end
(``after_start``; the baseline is averaged over the same days) or over the last N days (``last_<N>_days``). The
effect is the mean paired difference ``d_r = y(p, r) - y(baseline, r)`` over the replications where both arms
finished, with a 95% interval: the paired t interval (``mean ± t_{n-1} · sd/√n``) or a paired percentile
bootstrap (resampling the pairs, seeded from the experiment seed, the policy, the indicator and the window).
``rel_change`` is ``diff / baseline_mean`` (empty when the baseline mean is 0).

Because both arms of a pair share every random stream the policy does not touch, ``d_r`` is free of most of the
run-to-run noise and the interval on the difference is much narrower than the bands around either arm.

Files (:func:`write_outputs`): ``effects.csv``, ``trajectories.csv`` (per arm, indicator and day: mean and 95%
band over replications, and the paired difference from the baseline with its band), ``plots/trajectory_<x>.png``,
``plots/forest.png`` and ``report.md``. Figures use matplotlib's object API (``Figure``), no pyplot state.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cogov_sim.experiments.store import atomic_write

if TYPE_CHECKING:
    from cogov_sim.experiments.whatif import WhatIf

LEVEL = 0.95
"""Confidence level of every interval."""

EFFECT_COLUMNS: tuple[str, ...] = (
    "policy",
    "indicator",
    "baseline_mean",
    "policy_mean",
    "diff",
    "ci_low",
    "ci_high",
    "rel_change",
    "n",
    "window",
)
"""Columns of ``effects.csv``: the contract's nine, then the window."""

ARM_COLORS: tuple[str, ...] = ("#444444", "#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2")


def _t_crit(n: int) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.5 + LEVEL / 2, n - 1)) if n >= 2 else math.nan


def paired_interval(
    diffs: np.ndarray, method: str = "t", rng: np.random.Generator | None = None, samples: int = 2000
) -> tuple[float, float, float]:
    """Mean of paired differences and its 95% interval.

    Args:
        diffs: one difference per replication (NaN-free).
        method: ``t`` (paired t interval) or ``bootstrap`` (percentile interval of resampled pair means).
        rng: generator for the bootstrap.
        samples: bootstrap resamples.

    Returns:
        ``(mean, low, high)``; NaN ends with fewer than two pairs.
    """
    d = np.asarray(diffs, dtype=float)
    n = len(d)
    if n == 0:
        return (math.nan, math.nan, math.nan)
    mean = float(d.mean())
    if n < 2:
        return (mean, math.nan, math.nan)
    if method == "bootstrap":
        rng = rng if rng is not None else np.random.default_rng(0)
        means = d[rng.integers(0, n, size=(samples, n))].mean(axis=1)
        lo, hi = np.quantile(means, [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
        return (mean, float(lo), float(hi))
    half = _t_crit(n) * float(d.std(ddof=1)) / math.sqrt(n)
    return (mean, mean - half, mean + half)


def _window_values(frame: pd.DataFrame, indicator: str, window: str, start_day: int) -> pd.Series:
    """One value per replication: the indicator in the window (``frame``: one arm's daily rows)."""
    last = frame["day"].max()
    if window == "final_day":
        rows = frame[frame["day"] == last]
    elif window == "after_start":
        rows = frame[frame["day"] >= start_day]
    else:
        n_days = int(window.split("_")[1])
        rows = frame[frame["day"] > last - n_days]
    return rows.groupby("replication")[indicator].mean()


def _arm_frames(runs: pd.DataFrame, series: pd.DataFrame) -> dict[str, pd.DataFrame]:
    ok = runs.loc[runs["status"] == "ok", ["run_id", "policy"]]
    merged = series.merge(ok, on="run_id", how="inner")
    return {name: part for name, part in merged.groupby("policy", sort=False)}


def effects_table(
    runs: pd.DataFrame,
    series: pd.DataFrame,
    policies: Sequence[tuple[str, int]],
    indicators: Sequence[str],
    windows: Sequence[str] = ("final_day", "after_start"),
    interval: str = "t",
    seed: int = 0,
    bootstrap_samples: int = 2000,
    reference: str | None = None,
) -> pd.DataFrame:
    """Paired effects of every policy on every indicator in every window.

    Args:
        runs: ``runs.parquet`` (``run_id``, ``policy``, ``replication``, ``status``, ...).
        series: ``timeseries.parquet`` (``run_id``, ``replication``, ``day``, indicators).
        policies: ``(name, first start day)`` of each policy (the baseline arm is named ``baseline``).
        indicators: indicators to report.
        windows: ``final_day``, ``after_start``, ``last_<N>_days``.
        interval: ``t`` or ``bootstrap``.
        seed: seed of the bootstrap.
        bootstrap_samples: bootstrap resamples.
        reference: the arm the policies are compared with (default the baseline; another policy for a
            contrast, then ``baseline_mean`` is that policy's mean).

    Returns:
        One row per window, policy and indicator with the columns of :data:`EFFECT_COLUMNS`.
    """
    from cogov_sim.experiments.whatif import BASELINE

    arms = _arm_frames(runs, series)
    empty = pd.DataFrame(columns=["day", "replication", *indicators])
    base = arms.get(reference or BASELINE, empty)
    salt = [] if reference in (None, BASELINE) else [zlib.crc32(str(reference).encode())]
    rows = []
    for window in windows:
        for name, start in policies:
            pol = arms.get(name, empty)
            for ind in indicators:
                b = _window_values(base, ind, window, start)
                p = _window_values(pol, ind, window, start)
                pair = pd.concat([b.rename("b"), p.rename("p")], axis=1, join="inner").dropna()
                rng = np.random.default_rng(
                    [seed, zlib.crc32(name.encode()), zlib.crc32(ind.encode()), zlib.crc32(window.encode()), *salt]
                )
                diff, lo, hi = paired_interval((pair["p"] - pair["b"]).to_numpy(), interval, rng, bootstrap_samples)
                b_mean = float(pair["b"].mean()) if len(pair) else math.nan
                rows.append(
                    {
                        "policy": name,
                        "indicator": ind,
                        "baseline_mean": b_mean,
                        "policy_mean": float(pair["p"].mean()) if len(pair) else math.nan,
                        "diff": diff,
                        "ci_low": lo,
                        "ci_high": hi,
                        "rel_change": diff / b_mean if len(pair) and b_mean != 0 else math.nan,
                        "n": len(pair),
                        "window": window,
                    }
                )
    return pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))


def trajectory_table(runs: pd.DataFrame, series: pd.DataFrame, indicators: Sequence[str]) -> pd.DataFrame:
    """Per arm, indicator and day: mean over replications with its 95% t band; paired difference from baseline.

    Returns:
        Columns ``policy, indicator, day, n, mean, low, high, diff, diff_low, diff_high`` (the difference
        columns are 0 for the baseline arm and computed over the replications where both arms finished).
    """
    from cogov_sim.experiments.whatif import BASELINE

    arms = _arm_frames(runs, series)
    if BASELINE not in arms:
        return pd.DataFrame(columns=["policy", "indicator", "day", "n", "mean", "low", "high", "diff", "diff_low",
                                     "diff_high"])  # fmt: skip
    base = arms[BASELINE].set_index(["replication", "day"])
    parts = []
    for name, frame in arms.items():
        f = frame.set_index(["replication", "day"])
        for ind in indicators:
            wide = f[ind].unstack("replication")
            stats = _bands(wide)
            d = (f[ind] - base[ind]).dropna().unstack("replication") if name != BASELINE else wide * 0.0
            dstats = _bands(d.reindex(wide.index))
            part = pd.DataFrame(
                {
                    "policy": name,
                    "indicator": ind,
                    "day": wide.index.astype("int64"),
                    "n": stats["n"],
                    "mean": stats["mean"],
                    "low": stats["low"],
                    "high": stats["high"],
                    "diff": dstats["mean"],
                    "diff_low": dstats["low"],
                    "diff_high": dstats["high"],
                }
            )
            parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _bands(wide: pd.DataFrame) -> dict[str, np.ndarray]:
    """Mean and 95% t band across the columns (replications) of a day × replication table."""
    x = wide.to_numpy(dtype=float)
    n = np.sum(~np.isnan(x), axis=1)
    with np.errstate(all="ignore"):
        mean = np.nanmean(x, axis=1) if x.shape[1] else np.full(len(x), np.nan)
        sd = np.nanstd(x, axis=1, ddof=1) if x.shape[1] > 1 else np.full(len(x), np.nan)
        from scipy import stats

        t = np.where(n >= 2, stats.t.ppf(0.5 + LEVEL / 2, np.maximum(n - 1, 1)), np.nan)
        half = t * sd / np.sqrt(np.maximum(n, 1))
    return {"n": n, "mean": mean, "low": mean - half, "high": mean + half}


# --------------------------------------------------------------------------------------------------------- plots
def trajectory_figure(traj: pd.DataFrame, indicator: str, markers: dict[str, list[tuple[int, str]]]) -> Figure:
    """The indicator's trajectory per arm (mean, 95% band) above the paired difference from the baseline.

    Args:
        traj: the :func:`trajectory_table`.
        indicator: indicator to draw.
        markers: policy -> ``(day, "start" | "end")`` of its interventions (vertical lines).
    """
    from cogov_sim.experiments.whatif import BASELINE

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


# -------------------------------------------------------------------------------------------------------- report
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


def report_markdown(
    wf: WhatIf,
    runs: pd.DataFrame,
    effects: pd.DataFrame,
    plot_files: Sequence[str],
    contrasts: pd.DataFrame | None = None,
) -> str:
    """``report.md``: the question, the setup, the policies, the effects with intervals, contrasts, the plots."""
    from cogov_sim.vocabulary import INDICATORS

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
    for window in dict.fromkeys(effects["window"]):
        lines += [f"### Window: `{window}` ({_window_text(window)})", ""]
        lines += [
            "| policy | indicator | baseline | policy | diff [95% CI] | rel. change | n | reading |",
            "|---|---|---:|---:|---|---:|---:|---|",
        ]
        for _, r in effects[effects["window"] == window].iterrows():
            rel = "–" if pd.isna(r["rel_change"]) else f"{r['rel_change']:+.1%}"
            lines.append(
                f"| {r['policy']} | {r['indicator']} | {_fmt(r['baseline_mean'])} | {_fmt(r['policy_mean'])} |"
                f" {_fmt(r['diff'])} [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}] | {rel} | {int(r['n'])} |"
                f" {_verdict(r)} |"
            )
        lines.append("")
    if contrasts is not None and len(contrasts):
        lines += [
            "## Contrasts between policies",
            "",
            "The same paired comparison with another policy as the reference (same seeds in both arms); the"
            " `after_start` window starts at the later of the two first start days.",
            "",
        ]
        for window in dict.fromkeys(contrasts["window"]):
            lines += [f"### Window: `{window}` ({_window_text(window)})", ""]
            lines += [
                "| policy − reference | indicator | reference | policy | diff [95% CI] | rel. change | n | reading |",
                "|---|---|---:|---:|---|---:|---:|---|",
            ]
            for _, r in contrasts[contrasts["window"] == window].iterrows():
                rel = "–" if pd.isna(r["rel_change"]) else f"{r['rel_change']:+.1%}"
                lines.append(
                    f"| {r['policy']} − {r['reference']} | {r['indicator']} | {_fmt(r['reference_mean'])} |"
                    f" {_fmt(r['policy_mean'])} | {_fmt(r['diff'])} [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}] |"
                    f" {rel} | {int(r['n'])} | {_verdict(r)} |"
                )
            lines.append("")
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


CONTRAST_COLUMNS: tuple[str, ...] = (
    "policy",
    "reference",
    "indicator",
    "reference_mean",
    "policy_mean",
    "diff",
    "ci_low",
    "ci_high",
    "rel_change",
    "n",
    "window",
)
"""Columns of ``contrasts.csv``: a policy against another policy (``reference``) instead of the baseline."""


def contrasts_table(wf: WhatIf, runs: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame | None:
    """Paired effects of a policy against another (the file's ``contrasts``); ``None`` when there are none.

    The ``after_start`` window starts at the later of the two policies' first start days.
    """
    spec = wf.spec
    if not spec.contrasts:
        return None
    start = {p.name: p.start_day for p in wf.arms}
    parts = []
    for a, b in spec.contrasts:
        part = effects_table(
            runs,
            series,
            [(a, max(start[a], start[b]))],
            spec.indicators,
            spec.windows,
            spec.interval,
            spec.seed,
            spec.bootstrap_samples,
            reference=b,
        )
        part = part.rename(columns={"baseline_mean": "reference_mean"})
        part.insert(1, "reference", b)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)[list(CONTRAST_COLUMNS)]


def write_outputs(out: Path, wf: WhatIf, runs: pd.DataFrame, series: pd.DataFrame) -> list[Path]:
    """Write ``effects.csv``, ``trajectories.csv``, the plots and ``report.md`` into ``out``; return the paths."""
    out = Path(out)
    spec = wf.spec
    policies = [(p.name, p.start_day) for p in wf.policies]
    eff = effects_table(
        runs, series, policies, spec.indicators, spec.windows, spec.interval, spec.seed, spec.bootstrap_samples
    )
    files = []
    atomic_write(out / "effects.csv", lambda f: f.write(eff.to_csv(index=False, float_format="%.8g").encode()))
    files.append(out / "effects.csv")
    con = contrasts_table(wf, runs, series)
    if con is not None:
        atomic_write(out / "contrasts.csv", lambda f: f.write(con.to_csv(index=False, float_format="%.8g").encode()))
        files.append(out / "contrasts.csv")
    traj = trajectory_table(runs, series, spec.indicators)
    atomic_write(out / "trajectories.csv", lambda f: f.write(traj.to_csv(index=False, float_format="%.8g").encode()))
    files.append(out / "trajectories.csv")
    plots = out / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    rel: list[str] = []
    markers = {p.name: p.marker_days for p in wf.policies}
    figures: list[tuple[str, Any]] = []
    if len(eff):
        figures.append(("forest.png", lambda: forest_figure(eff)))
    if len(traj):
        for ind in spec.indicators:
            figures.append((f"trajectory_{ind}.png", lambda ind=ind: trajectory_figure(traj, ind, markers)))
    for name, make in figures:
        fig = make()
        atomic_write(plots / name, lambda f, fig=fig: fig.savefig(f, dpi=110, format="png"))
        files.append(plots / name)
        rel.append(f"plots/{name}")
    text = report_markdown(wf, runs, eff, rel, con)
    atomic_write(out / "report.md", lambda f: f.write(text.encode()))
    files.append(out / "report.md")
    return files
