"""The charts view: :func:`cogov_sim.report.dashboard` (the three spaces and the gci), redrawn cheaply every day.

Static: axes with fixed ranges (days doubling from :data:`FIRST_DAYS_SHOWN`, values up to a rounded ceiling),
legends (above each panel, so no line runs under them), what-if marker lines, bars of past days' joint actions. Per
frame: the indicator lines and new bars. Once a what-if was applied, each indicator has a second, dotted line of the
same colour: the twin run without the what-ifs (:mod:`cogov_sim.viz.twin`). The background is redrawn when a range
is outgrown (same axes, new limits); the figure is drawn anew for a new run, a new marker or a new twin.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from cogov_sim import report
from cogov_sim.i18n import text
from cogov_sim.viz.render.figure import DPI, FigureView, encode_png

CHARTS_SIZE = (6.8, 6.0)
"""Figure size, inches."""

FIRST_DAYS_SHOWN = 30
"""Day range of the charts at the start; it doubles whenever the run outgrows it."""

TWIN = "|twin"
"""Suffix of the gid of a twin line (the indicator's gid, then this)."""

TWIN_STYLE: dict[str, Any] = {"ls": (0, (1.2, 1.2)), "lw": 1.6, "alpha": 0.95}
"""How a twin line is drawn (the colour is its indicator's)."""


def nice_ceiling(value: float, headroom: float = 1.03) -> float:
    """A round number (1, 1.1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten) above ``value × headroom``."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    target = value * headroom
    base = 10.0 ** math.floor(math.log10(target))
    for m in (1, 1.1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * base >= target:
            return m * base
    return 10 * base  # pragma: no cover (the loop ends at 10 × base >= target)


class ChartsView(FigureView):
    """Live charts of the three spaces and the gci (see the module docstring for what is cached)."""

    def __init__(self, size: tuple[float, float] = CHARTS_SIZE, dpi: int = DPI) -> None:
        super().__init__(size, dpi)
        self._key: tuple | None = None
        self._bg: Any = None
        self._xmax = FIRST_DAYS_SHOWN
        self._panels: list[tuple[Any, list[Any], float]] = []
        self._twin: Any = None
        self._bars_drawn = 0

    def render(
        self,
        records: Sequence[dict[str, float]],
        markers: Sequence[float] = (),
        run: Any = None,
        lang: str = "en",
        twin: Sequence[dict[str, float]] | None = None,
    ) -> bytes:
        """Draw the charts of a run's daily records.

        Args:
            records: the model's daily indicator records (``model.records``).
            markers: days at which a what-if was applied.
            run: identifies the run; a new run redraws everything.
            lang: language of the titles and legends (another language redraws everything).
            twin: the twin run's records (without the what-ifs), drawn dotted; None: no twin.

        Returns:
            PNG bytes.
        """
        n = len(records)
        cols = _columns(records)
        if twin is not None:
            cols.update({k + TWIN: v for k, v in _columns(twin).items()})
        key = (run, tuple(markers), n > 0, lang, twin is not None)
        if key != self._key:  # a new run or a new marker: draw the figure anew
            self._xmax = FIRST_DAYS_SHOWN
            while n > self._xmax:
                self._xmax *= 2
            self._draw_static(records, cols, markers, lang)
            self._key = key
        elif n > self._xmax or self._outgrown(cols):  # same figure, wider ranges
            while n > self._xmax:
                self._xmax *= 2
            self._set_ranges(cols)
            self._redraw_background()
        else:
            self.canvas.restore_region(self._bg)
        if self._twin is not None and n > self._bars_drawn:
            days = cols["day"][self._bars_drawn :]
            bars = self._twin.bar(days, cols["joint_actions"][self._bars_drawn :], color="grey", alpha=0.25, width=1.0)
            for patch in bars:
                self._twin.draw_artist(patch)
            self._bg = self.canvas.copy_from_bbox(self.fig.bbox)
            self._bars_drawn = n
        for ax, lines, _ in self._panels:
            for line in lines:
                gid = line.get_gid()
                line.set_data(cols["day" + TWIN if gid.endswith(TWIN) else "day"], cols[gid])
                ax.draw_artist(line)
        return encode_png(self.canvas)

    def _outgrown(self, cols: dict[str, np.ndarray]) -> bool:
        for _, lines, top in self._panels:
            for line in lines:
                values = cols.get(line.get_gid())
                if values is not None and len(values) and np.nanmax(values, initial=0.0) > top:
                    return True
        if self._twin is not None and len(cols.get("joint_actions", ())):
            return float(np.nanmax(cols["joint_actions"])) > self._twin.get_ylim()[1]
        return False

    def _draw_static(
        self, records: Sequence[dict[str, float]], cols: dict[str, np.ndarray], markers: Sequence[float], lang: str
    ) -> None:
        self.fig.clear()
        ts = pd.DataFrame(list(records))
        marks = [(d, text("app.marker_line", lang)) for d in markers]
        report.dashboard(ts, fig=self.fig, markers=marks, lang=lang)
        self.fig.suptitle("")
        self.fig.subplots_adjust(left=0.07, right=0.92, bottom=0.07, top=0.88, wspace=0.3, hspace=0.75)
        main = self.fig.axes[:4]
        self._twin = self.fig.axes[4] if len(self.fig.axes) > 4 else None
        self._panels = []
        for ax in main:
            lines = [ln for ln in ax.get_lines() if ln.get_gid() not in (None, "marker")]
            if cols.get("day" + TWIN) is not None:
                lines += [ax.plot([], [], color=ln.get_color(), gid=ln.get_gid() + TWIN, **TWIN_STYLE)[0]
                          for ln in lines]  # fmt: skip
            # the legend goes between the title and the plot, so that no line runs under it
            rows = 0
            if ax.get_legend() is not None:
                ax.get_legend().remove()
                handles, labels = ax.get_legend_handles_labels()
                rows = math.ceil(len(labels) / 2)
                ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=7,
                          frameon=False, handlelength=1.4, columnspacing=0.9, borderaxespad=0.2,
                          labelspacing=0.25)  # fmt: skip
            ax.set_title(ax.get_title(loc="left"), loc="left", fontsize=9.5, pad=6 + 9.5 * rows)
            ax.xaxis.label.set_fontsize(8)
            ax.tick_params(labelsize=7)
            for ln in lines:
                ln.set_animated(True)
            self._panels.append((ax, lines, 0.0))
        self._bars_drawn = 0
        if self._twin is not None:
            self._twin.tick_params(labelsize=7)
            self._twin.yaxis.label.set_fontsize(8)
            self._bars_drawn = len(cols.get("joint_actions", ()))
        if cols.get("day" + TWIN) is not None:
            self.fig.suptitle(text("app.arms_legend", lang), x=0.07, y=0.995, ha="left", va="top", fontsize=8)
        self._set_ranges(cols)
        self._redraw_background()

    def _set_ranges(self, cols: dict[str, np.ndarray]) -> None:
        """Days up to the current range; values up to a rounded ceiling above the data of each panel."""
        panels = []
        for ax, lines, _ in self._panels:
            top = nice_ceiling(max((float(np.nanmax(cols[ln.get_gid()], initial=0.0)) for ln in lines), default=0.0))
            ax.set_xlim(0, self._xmax)
            ax.set_ylim(0, top)
            panels.append((ax, lines, top))
        self._panels = panels
        if self._twin is not None:
            ja = cols.get("joint_actions", np.zeros(0))
            self._twin.set_ylim(0, nice_ceiling(float(np.nanmax(ja, initial=0.0)) * 1.5))

    def _redraw_background(self) -> None:
        self.canvas.draw()
        self._bg = self.canvas.copy_from_bbox(self.fig.bbox)
        self.full_draws += 1


def _columns(records: Sequence[dict[str, float]]) -> dict[str, np.ndarray]:
    if not records:
        return {"day": np.zeros(0)}
    names = records[0].keys()
    return {k: np.array([r.get(k, np.nan) for r in records], dtype=float) for k in names}
