"""Figures of a scorecard (matplotlib's object API, no pyplot): one per target and one of all targets at a glance.

- ``plots/<id>.png`` (:func:`target_figure`): the measure on each seed (dots) and their mean with its 95% interval,
  against the observed range (shaded green; a value alone as a line) and the range widened by the uncertainty
  (shaded lighter);
- ``plots/summary.png`` (:func:`summary_figure`): every target on one scale, where 0 and 1 are the ends of its
  observed range (an open end runs to the edge; a single value spans its uncertainty), the mean and interval
  coloured by verdict, in file order (grouped by stylized fact).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cogov_sim.experiments.folder import atomic_write
from cogov_sim.plotting import Figure

VERDICT_COLORS: dict[str, str] = {"pass": "#2ca02c", "near": "#ff9f1c", "fail": "#d62728"}
"""Colour of each verdict."""

SEED_COLOR = "0.35"
"""Colour of the value on each seed."""

OBSERVED_COLOR = "#2ca02c"
"""Shade of the observed range."""

SUMMARY_CLIP = (-3.0, 4.0)
"""Range of the summary scale shown; results beyond it are drawn at the edge with an arrow."""


def _finite(x: float) -> bool:
    return x is not None and math.isfinite(x)


def _span(row: pd.Series) -> tuple[float, float]:
    """The observed range as drawn on the summary's scale, [0, 1] there.

    A closed range is itself; an open one runs from its finite end over the size of that end (1 where it is 0);
    a single value spans half its near band (a tenth of the value without one).
    """
    lo, hi = float(row["observed_low"]), float(row["observed_high"])
    nlo, nhi = float(row["near_low"]), float(row["near_high"])
    if _finite(lo) and _finite(hi) and hi > lo:
        return lo, hi
    if _finite(lo) and _finite(hi):  # a single value
        w = (nhi - nlo) / 2 if _finite(nlo) and _finite(nhi) and nhi > nlo else abs(lo) / 10 or 1.0
        return lo - w / 2, lo + w / 2
    end = lo if _finite(lo) else hi
    w = abs(end) or 1.0
    return (end, end + w) if _finite(lo) else (end - w, end)


def target_figure(row: pd.Series, values: Sequence[float], seeds: Sequence[int]) -> Figure:
    """The measure across seeds against the observed range of one target (a row of ``scorecard.csv``)."""
    fig = Figure(figsize=(6.4, 2.6), layout="constrained")
    ax = fig.subplots()
    lo, hi = float(row["observed_low"]), float(row["observed_high"])
    nlo, nhi = float(row["near_low"]), float(row["near_high"])
    x = np.asarray(values, dtype=float)
    shown = [v for v in (*x, lo, hi, nlo, nhi, row["observed_value"]) if _finite(v)]
    left, right = (min(shown), max(shown)) if shown else (0.0, 1.0)
    pad = 0.15 * (right - left) or 0.5 * abs(right) or 1.0
    left, right = left - pad, right + pad
    clip = lambda v: min(max(v, left), right)  # noqa: E731
    if (nlo, nhi) != (lo, hi):
        ax.axvspan(clip(nlo), clip(nhi), color=OBSERVED_COLOR, alpha=0.12, label=f"near ({row['uncertainty']})")
    if lo < hi:
        ax.axvspan(clip(lo), clip(hi), color=OBSERVED_COLOR, alpha=0.3, label="observed range")
    if _finite(row["observed_value"]):
        ax.axvline(row["observed_value"], color=OBSERVED_COLOR, lw=2, label="observed value")
    ok = np.isfinite(x)
    jitter = np.linspace(-0.15, 0.15, len(x)) if len(x) > 1 else np.zeros(len(x))
    ax.scatter(x[ok], 0.3 + jitter[ok], s=22, color=SEED_COLOR, zorder=3, label="each seed")
    for v, s, y in zip(x[ok], np.asarray(seeds)[ok], 0.3 + jitter[ok], strict=True):
        ax.annotate(str(s), (v, y), xytext=(3, 2), textcoords="offset points", fontsize=6, color="0.4")
    color = VERDICT_COLORS.get(row["verdict"], SEED_COLOR)
    if _finite(row["mean"]):
        err = [[row["mean"] - row["ci_low"]], [row["ci_high"] - row["mean"]]] if row["n"] > 1 else None
        ax.errorbar([row["mean"]], [-0.3], xerr=err, fmt="D", color=color, capsize=5, ms=7, zorder=4,
                    label=f"mean, 95% interval: {row['verdict']}")  # fmt: skip
    else:
        ax.text(0.5, 0.5, "not measured on any seed", transform=ax.transAxes, ha="center", color=color)
    ax.set_xlim(left, right)
    ax.set_ylim(-1, 1)
    ax.set_yticks([])
    unit = f" ({row['unit']})" if row["unit"] else ""
    ax.set_xlabel(f"{row['id']}{unit}")
    ax.set_title(f"{row['title']}: {row['verdict']}\n{row['measure']}", fontsize=8)
    ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="x", alpha=0.3)
    fig.text(0.01, 0.01, f"source: {row['source']}", fontsize=6, color="0.4")
    return fig


def summary_figure(card: pd.DataFrame, title: str = "") -> Figure:
    """Every target on one scale (0 and 1: the ends of its observed range), coloured by verdict."""
    n = len(card)
    fig = Figure(figsize=(8.0, 0.28 * n + 1.6), layout="constrained")
    ax = fig.subplots()
    ys = np.arange(n)[::-1]
    for y, (_, r) in zip(ys, card.iterrows(), strict=True):
        lo, hi = _span(r)
        scale = lambda v, lo=lo, hi=hi: (v - lo) / (hi - lo)  # noqa: E731
        nlo, nhi = (scale(v) if _finite(v) else (SUMMARY_CLIP[0] if v < 0 else SUMMARY_CLIP[1])
                    for v in (r["near_low"], r["near_high"]))  # fmt: skip
        ax.plot([max(nlo, SUMMARY_CLIP[0]), min(nhi, SUMMARY_CLIP[1])], [y, y], color=OBSERVED_COLOR, alpha=0.2,
                lw=7, solid_capstyle="butt")  # fmt: skip
        olo = 0.0 if _finite(r["observed_low"]) else SUMMARY_CLIP[0]
        ohi = 1.0 if _finite(r["observed_high"]) else SUMMARY_CLIP[1]
        ax.plot([olo, ohi], [y, y], color=OBSERVED_COLOR, alpha=0.45, lw=7, solid_capstyle="butt")
        color = VERDICT_COLORS[r["verdict"]]
        if not _finite(r["mean"]):
            ax.text(0.5, y, "not measured", va="center", ha="center", fontsize=6, color=color)
            continue
        m, a, b = (scale(float(v)) for v in (r["mean"], r["ci_low"], r["ci_high"]))
        a, b = (m, m) if not (_finite(a) and _finite(b)) else (a, b)
        ax.plot([np.clip(a, *SUMMARY_CLIP), np.clip(b, *SUMMARY_CLIP)], [y, y], color=color, lw=2)
        if SUMMARY_CLIP[0] <= m <= SUMMARY_CLIP[1]:
            ax.plot([m], [y], "o", color=color, ms=5)
        else:
            edge = SUMMARY_CLIP[1] if m > 0 else SUMMARY_CLIP[0]
            ax.plot([edge], [y], ">" if m > 0 else "<", color=color, ms=7)
            ax.annotate(f"{r['mean']:.3g}", (edge, y), xytext=(-4 if m > 0 else 4, 4), textcoords="offset points",
                        fontsize=6, ha="right" if m > 0 else "left", color=color)  # fmt: skip
    for edge in (0, 1):
        ax.axvline(edge, color=OBSERVED_COLOR, lw=0.8, alpha=0.6)
    labels = [f"{'' if pd.isna(r['fact']) else f'{int(r["fact"])}. '}{r['title']}" for _, r in card.iterrows()]
    ax.set_yticks(ys, labels, fontsize=7)
    ax.set_xlim(SUMMARY_CLIP[0] - 0.2, SUMMARY_CLIP[1] + 0.2)
    ax.set_xlabel("each target on its own scale: 0-1 = observed range (open ends run on); light = near")
    for verdict, color in VERDICT_COLORS.items():
        ax.plot([], [], "o-", color=color, label=f"{verdict} ({(card['verdict'] == verdict).sum()})")
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(title or "All targets at a glance: mean and 95% interval across seeds", fontsize=9)
    return fig


def write_figures(out: Path, card: pd.DataFrame, values: Mapping[str, Sequence[float]], seeds: Sequence[int],
                  title: str = "") -> list[Path]:  # fmt: skip
    """Write ``plots/<id>.png`` for every target and ``plots/summary.png``; returns the files written."""
    pdir = Path(out) / "plots"
    pdir.mkdir(parents=True, exist_ok=True)
    written = []
    for _, row in card.iterrows():
        fig = target_figure(row, values[row["id"]], seeds)
        written.append(
            atomic_write(pdir / f"{row['id']}.png", lambda f, fig=fig: fig.savefig(f, dpi=100, format="png"))
        )
    fig = summary_figure(card, title)
    written.append(atomic_write(pdir / "summary.png", lambda f: fig.savefig(f, dpi=110, format="png")))
    return written
