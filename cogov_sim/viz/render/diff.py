"""The difference view: what the what-ifs changed, day by day (the run with them minus its twin without them).

One small panel per indicator of :data:`cogov_sim.viz.twin.DIFFERENCES`, each with a zero line, the days the
what-ifs were applied, and the difference since the twin started. The axes are built once per run, language and
set of markers; each frame sets the lines' data and the ranges and draws the figure (it is drawn only while it is
on screen).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from cogov_sim import report
from cogov_sim.i18n import label, text
from cogov_sim.viz.render.charts import FIRST_DAYS_SHOWN, nice_ceiling
from cogov_sim.viz.render.figure import DPI, FigureView, encode_png
from cogov_sim.viz.twin import DIFFERENCES, differences

DIFF_SIZE = (6.8, 5.4)
"""Figure size, inches."""

DIFF_COLOR = "#2b6cb0"
"""Colour of the difference lines."""


class DiffView(FigureView):
    """Differences between the arms (see the module docstring)."""

    def __init__(self, size: tuple[float, float] = DIFF_SIZE, dpi: int = DPI) -> None:
        super().__init__(size, dpi)
        self._key: tuple | None = None
        self._lines: dict[str, Any] = {}
        self._note: Any = None

    def render(
        self,
        records: Sequence[dict[str, float]],
        twin: Sequence[dict[str, float]] | None,
        markers: Sequence[float] = (),
        run: Any = None,
        lang: str = "en",
    ) -> bytes:
        """Draw the differences of ``records`` from ``twin`` (None: no what-if yet, the view says so)."""
        key = (run, tuple(markers), lang, twin is None)
        if key != self._key:
            self._draw_static(markers, lang, twin is None)
            self._key = key
        if twin is not None:
            table = differences(records, twin)
            start = int(min(markers)) if markers else 0
            shown = table[table["day"] >= start]
            days = max(FIRST_DAYS_SHOWN, len(records))
            for name, line in self._lines.items():
                values = shown[name].to_numpy()
                line.set_data(shown["day"].to_numpy(), values)
                top = nice_ceiling(float(np.nanmax(np.abs(values), initial=0.0)))
                line.axes.set_ylim(-top, top)
                line.axes.set_xlim(start, max(days, start + 1))
        self.canvas.draw()
        self.full_draws += 1
        return encode_png(self.canvas)

    def _draw_static(self, markers: Sequence[float], lang: str, empty: bool) -> None:
        self.fig.clear()
        self._lines = {}
        if empty:
            self.fig.text(0.5, 0.5, text("app.diff_empty", lang), ha="center", va="center", fontsize=10, wrap=True)
            return
        axes = self.fig.subplots(3, 2).ravel()
        self.fig.subplots_adjust(left=0.1, right=0.97, bottom=0.08, top=0.88, wspace=0.3, hspace=0.6)
        self.fig.suptitle(text("app.diff_title", lang), x=0.02, y=0.985, ha="left", fontsize=9.5)
        for ax, name in zip(axes, DIFFERENCES, strict=True):
            ax.axhline(0, color="#888888", lw=0.8)
            for day in markers:
                ax.axvline(day, color=report.MARKER_COLOR, ls="--", lw=1.1)
            (self._lines[name],) = ax.plot([], [], color=DIFF_COLOR, lw=1.6, gid=f"diff.{name}")
            ax.set_title(label(name, lang), loc="left", fontsize=8.5)
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3)
        for ax in axes[-2:]:
            ax.set_xlabel(text("dash.day", lang), fontsize=8)
