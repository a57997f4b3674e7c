"""Figures of a calibration: the non-implausible region as a pairs plot, and the waves.

- :func:`pairs_figure`: for every pair of parameters, the samples of the region left (grey) and the points run,
  coloured by wave; on the diagonal, the histogram of the region's samples of each parameter;
- :func:`waves_figure`: the share of the parameter box left after each wave and the emulators' share of the
  variance.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cogov_sim.plotting import Figure

REGION_COLOR = "0.6"
"""Colour of the region's samples."""


def pairs_figure(region: pd.DataFrame, design: pd.DataFrame, names: Sequence[str], title: str = "") -> Figure:
    """Pairs plot of the non-implausible region (samples) and the points run in each wave."""
    d = len(names)
    size = max(1.8, min(2.6, 14 / max(d, 1)))
    fig = Figure(figsize=(size * d + 1, size * d + 0.6), layout="constrained")
    axes = fig.subplots(d, d, squeeze=False)
    waves = sorted(design["wave"].unique()) if len(design) else []
    colors = {w: c for w, c in zip(waves, ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"),
                                   strict=False)}  # fmt: skip
    for i, yi in enumerate(names):
        for j, xj in enumerate(names):
            ax = axes[i, j]
            if i == j:
                if len(region):
                    ax.hist(region[xj], bins=20, color=REGION_COLOR)
                ax.set_yticks([])
            else:
                if len(region):
                    ax.scatter(region[xj], region[yi], s=2, color=REGION_COLOR, alpha=0.4, rasterized=True)
                for w in waves:
                    part = design[design["wave"] == w]
                    ax.scatter(part[xj], part[yi], s=6, color=colors.get(w, "k"), label=f"wave {w}")
            if i == d - 1:
                ax.set_xlabel(xj.split(".")[-1], fontsize=7)
            if j == 0 and i != j:
                ax.set_ylabel(yi.split(".")[-1], fontsize=7)
            ax.tick_params(labelsize=6)
    if d > 1 and waves:
        axes[0, 1].legend(fontsize=6, loc="upper right")
    fig.suptitle(f"{title}: non-implausible region (grey) and the points run" if title else "non-implausible region")
    return fig


def waves_figure(rows: pd.DataFrame) -> Figure:
    """Share of the box left and the emulators' variance share, by wave."""
    fig = Figure(figsize=(5.5, 3.0), layout="constrained")
    ax = fig.subplots()
    waves = rows["wave"].to_numpy() if len(rows) else np.zeros(0)
    if len(rows):
        ax.plot(waves, rows["share_left"], "o-", label="share of the box left")
        ax.plot(waves, rows["emulator_variance_share"], "s--", label="emulators' variance share")
    ax.axhline(0.5, color="0.5", lw=0.8, ls=":")
    ax.set_xlabel("wave")
    ax.set_ylim(0, 1.05)
    ax.set_xticks(waves)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    ax.set_title("History matching: what each wave leaves", fontsize=9)
    return fig
