"""Figures of a sweep, drawn from its result tables (matplotlib's object API: no pyplot, no global state).

- ``<indicator>_by_parameter.png``: the indicator against each swept parameter, mean and 95% band over the runs
  at each value (the replications, and for several parameters the other parameters' values too);
- ``heatmap_<indicator>.png``: for a two-parameter grid, the mean at each combination;
- ``sensitivity_<indicator>.png``: Morris mu* and sigma, or Sobol S1 and ST, with their intervals;
- ``report.md``: the design, the runs and the figures.

Each takes a language (``lang``, ``en`` or ``zh``; words from :mod:`cogov_sim.i18n`). Indicators are shown by
their display name; parameters by their column name (what ``runs.parquet`` calls them).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cogov_sim.experiments.analysis import t_interval
from cogov_sim.experiments.folder import atomic_write
from cogov_sim.i18n import label, text
from cogov_sim.plotting import Figure

BAND_COLOR = "#1f77b4"


def _mean_and_band(ax: Any, xs: np.ndarray, band: pd.DataFrame, fmt: str, lang: str) -> None:
    """Draw the mean line (``fmt``) and its shaded 95% interval from a :func:`_band` table."""
    ax.plot(xs, band["mean"].to_numpy(float), fmt, color=BAND_COLOR, label=text("sweep.mean", lang))
    ax.fill_between(
        xs,
        band["low"].to_numpy(float),
        band["high"].to_numpy(float),
        color=BAND_COLOR,
        alpha=0.25,
        label=text("sweep.interval", lang),
    )


def _band(groups: pd.core.groupby.SeriesGroupBy, sort: bool = True) -> pd.DataFrame:
    """Mean, sd and 95% interval per group (in group order unless ``sort``)."""
    rows = {key: t_interval(vals.to_numpy()) for key, vals in groups}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["mean", "sd", "low", "high"])
    return frame.sort_index() if sort else frame


def indicator_by_parameters(
    runs: pd.DataFrame,
    parameters: Sequence[dict[str, Any]],
    indicator: str,
    method: str,
    title: str = "",
    lang: str = "en",
) -> Figure:
    """One panel per parameter: ``indicator`` at each value (grid) or in bins of the sampled values, with bands.

    Args:
        runs: the ``runs.parquet`` table (only ``ok`` runs are drawn).
        parameters: ``{"column": ..., "kind": "int" | "real" | "choice"}`` per parameter.
        indicator: the indicator column.
        method: the design method (grids are drawn as lines, sampled designs as points with binned means).
        title: figure title.
        lang: language of the labels (``en`` or ``zh``).
    """
    ok = runs[runs["status"] == "ok"]
    n = len(parameters)
    shown = label(indicator, lang)
    runs_label = text("sweep.runs", lang)
    cols = min(n, 3)
    rows = int(np.ceil(n / cols))
    fig = Figure(figsize=(4.2 * cols, 3.3 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, p in zip(axes, parameters, strict=False):
        col = p["column"]
        if p["kind"] == "choice":
            band = _band(ok.groupby(col, sort=False)[indicator], sort=False)  # the levels in design order
            labels = [str(v) for v in band.index]
            xs = np.arange(len(band))
            ax.errorbar(
                xs,
                band["mean"],
                yerr=[band["mean"] - band["low"], band["high"] - band["mean"]],
                fmt="o",
                color=BAND_COLOR,
                capsize=4,
            )
            ax.set_xticks(xs, labels, rotation=20, ha="right")
        elif method == "full_factorial":
            band = _band(ok.groupby(col)[indicator])
            xs = np.asarray(band.index, dtype=float)
            _mean_and_band(ax, xs, band, "o-", lang)
            ax.scatter(ok[col], ok[indicator], s=8, color="0.35", alpha=0.4, label=runs_label)
        else:
            ax.scatter(ok[col], ok[indicator], s=8, color="0.35", alpha=0.4, label=runs_label)
            distinct = ok[col].nunique()
            if len(ok) >= 4 and distinct > 1:
                # few distinct values (a Morris grid): group by value; else quantile bins of the sampled values
                key = ok[col] if distinct <= 12 else pd.qcut(ok[col], min(8, len(ok) // 2), duplicates="drop")
                band = _band(ok.groupby(key, observed=True)[indicator])
                centers = ok.groupby(key, observed=True)[col].mean().reindex(band.index)
                xs = centers.to_numpy(float)
                _mean_and_band(ax, xs, band, "-", lang)
        ax.set_xlabel(col)
        ax.set_ylabel(shown)
        ax.grid(alpha=0.3)
    for ax in axes[n:]:
        ax.set_visible(False)
    if n and parameters[0]["kind"] != "choice":
        axes[0].legend(fontsize=7, loc="best")
    fig.suptitle(title or text("sweep.by_parameter", lang, indicator=shown))
    return fig


def heatmap(runs: pd.DataFrame, x: str, y: str, indicator: str, title: str = "", lang: str = "en") -> Figure:
    """Mean of ``indicator`` over the finished runs at each combination of two grid parameters (labels in ``lang``)."""
    ok = runs[runs["status"] == "ok"]
    xs = list(dict.fromkeys(runs[x]))
    ys = list(dict.fromkeys(runs[y]))
    if all(isinstance(v, int | float) for v in xs):
        xs = sorted(xs)
    if all(isinstance(v, int | float) for v in ys):
        ys = sorted(ys)
    grid = ok.groupby([y, x])[indicator].mean().unstack(x).reindex(index=ys, columns=xs)
    fig = Figure(figsize=(1.2 * len(xs) + 3, 0.7 * len(ys) + 2.5), layout="constrained")
    ax = fig.subplots()
    im = ax.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(xs)), [f"{v:g}" if isinstance(v, float) else str(v) for v in xs])
    ax.set_yticks(range(len(ys)), [f"{v:g}" if isinstance(v, float) else str(v) for v in ys])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if grid.size <= 150:
        values = grid.to_numpy(dtype=float)
        mid = np.nanmean(values) if np.isfinite(values).any() else 0.0
        for i in range(len(ys)):
            for j in range(len(xs)):
                v = values[i, j]
                if np.isfinite(v):
                    ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=7, color="w" if v < mid else "k")
    shown = label(indicator, lang)
    fig.colorbar(im, ax=ax, label=text("sweep.mean_of", lang, indicator=shown))
    ax.set_title(title or text("sweep.heatmap", lang, indicator=shown))
    return fig


def sensitivity_bars(sens: pd.DataFrame, indicator: str, title: str = "", lang: str = "en") -> Figure:
    """Bars of Morris mu* and sigma, or Sobol S1 and ST, with 95% intervals, most influential first (in ``lang``)."""
    part = sens[sens["indicator"] == indicator].sort_values("rank", na_position="last")
    names = list(part["parameter"])
    ys = np.arange(len(names))
    fig = Figure(figsize=(7.5, 0.45 * len(names) + 1.8), layout="constrained")
    ax = fig.subplots()
    h = 0.38
    shown = label(indicator, lang)
    if "mu_star" in part:
        ax.barh(ys - h / 2, part["mu_star"], h, xerr=part["mu_star_conf"], label=text("sweep.mu_star", lang),
                capsize=3)  # fmt: skip
        ax.barh(ys + h / 2, part["sigma"], h, label=text("sweep.sigma", lang), color="#ff7f0e")
        ax.set_xlabel(text("sweep.morris_x", lang, indicator=shown))
        method = "Morris"
    else:
        ax.barh(ys - h / 2, part["S1"], h, xerr=part["S1_conf"], label=text("sweep.s1", lang), capsize=3)
        ax.barh(ys + h / 2, part["ST"], h, xerr=part["ST_conf"], label=text("sweep.st", lang), capsize=3,
                color="#ff7f0e")  # fmt: skip
        ax.set_xlabel(text("sweep.sobol_x", lang, indicator=shown))
        method = "Sobol"
    ax.set_yticks(ys, names)
    ax.invert_yaxis()
    ax.axvline(0, color="0.3", lw=0.8)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title or text("sweep.sensitivity", lang, method=method, indicator=shown))
    return fig


def write_plots(
    folder: str | Path,
    runs: pd.DataFrame,
    meta: dict[str, Any],
    indicators: Sequence[str],
    sens: pd.DataFrame | None = None,
    name: str = "",
    lang: str = "en",
) -> list[Path]:
    """Write every figure of a sweep into ``<folder>/plots/`` in ``lang``; returns the files written."""
    pdir = Path(folder) / "plots"
    pdir.mkdir(parents=True, exist_ok=True)
    params = meta["parameters"]
    method = meta["method"]
    written: list[Path] = []
    prefix = f"{name}: " if name else ""

    def save(fig: Figure, file: str) -> None:
        written.append(atomic_write(pdir / file, lambda f: fig.savefig(f, dpi=100, format="png")))

    for ind in indicators:
        shown = label(ind, lang)
        title = prefix + text("sweep.by_parameter", lang, indicator=shown)
        save(indicator_by_parameters(runs, params, ind, method, title, lang), f"{ind}_by_parameter.png")
        if method == "full_factorial" and len(params) == 2:
            a, b = params[0]["column"], params[1]["column"]
            title = prefix + text("sweep.heatmap", lang, indicator=shown)
            save(heatmap(runs, b, a, ind, title, lang), f"heatmap_{ind}.png")
        if sens is not None and len(sens) and (sens["indicator"] == ind).any():
            title = prefix + text("sweep.sensitivity_of", lang, indicator=shown)
            save(sensitivity_bars(sens, ind, title, lang), f"sensitivity_{ind}.png")
    return written


def report_markdown(
    runs: pd.DataFrame, meta: dict[str, Any], plots: Sequence[str], name: str = "", lang: str = "en"
) -> str:
    """A sweep's ``report.md``: the design, how many runs finished, and the figures (``plots`` relative paths)."""
    status = runs["status"].value_counts().to_dict() if "status" in runs else {}
    columns = ", ".join(f"`{p['column']}`" for p in meta["parameters"]) or "–"
    lines = [f"# {text('sweep.title', lang, name=name)}", ""]
    lines += [text("sweep.setup", lang, method=meta["method"], parameters=columns, runs=len(runs),
                   ok=status.get("ok", 0), failed=status.get("failed", 0)), ""]  # fmt: skip
    if plots:
        lines += [f"## {text('sweep.plots', lang)}", ""]
        for f in plots:
            lines += [f"![{Path(f).stem}]({f})", ""]
    lines += [text("sweep.files", lang), ""]
    return "\n".join(lines)


def write_report(
    folder: str | Path,
    runs: pd.DataFrame,
    meta: dict[str, Any],
    plot_files: Sequence[Path],
    name: str = "",
    lang: str = "en",
) -> Path:
    """Write ``<folder>/report.md`` (:func:`report_markdown`) for the figures ``plot_files``; returns its path."""
    folder = Path(folder)
    rel = [Path(p).resolve().relative_to(folder.resolve()).as_posix() for p in plot_files]
    body = report_markdown(runs, meta, rel, name, lang).encode("utf-8")
    return atomic_write(folder / "report.md", lambda f: f.write(body))
