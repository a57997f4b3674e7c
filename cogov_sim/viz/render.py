"""The app's three views, drawn with the report's drawing functions and kept cheap to redraw every day.

Each view owns one matplotlib figure (Agg canvas, no display). The expensive part of a frame is drawing what does
not change, so each view draws the full figure with :mod:`cogov_sim.report` only when its static part changes and
otherwise restores that background and redraws the few artists that change (blitting):

- :class:`MapView`: :func:`cogov_sim.report.map_figure` with catchments. Static: residential areas, catchments,
  axes, legend and colour bar. Per frame: residents' colours (identification), centers' sizes (today's visits),
  rings around stations a what-if opened, the place chosen for a new station. Full redraw when the centers change.
- :class:`ChartsView`: :func:`cogov_sim.report.dashboard`. Static: axes with fixed ranges (days doubling from 30,
  values up to a rounded ceiling), legends (above each panel, so no line runs under them), what-if marker lines,
  bars of past days' joint actions. Per frame: the indicator lines and new bars. The background is redrawn when a
  range is outgrown (same axes, new limits); the figure is drawn anew for a new run or a new marker.
- :class:`NetworkView`: :func:`cogov_sim.report.network_figure` with positions warm-started from the last drawing
  (nodes stay in place). Redrawn when organizations, agreements or alliances change, and every
  :data:`NETWORK_REFRESH_DAYS` days (new ties, tie strengths), else the last image is reused.

Images are PNG bytes (fast zlib level), the size shown in the browser (1 image pixel = 1 CSS pixel), so a click on
the map maps back to metres (:meth:`MapView.to_metres`).
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from cogov_sim import report

if TYPE_CHECKING:
    from cogov_sim.model import CoGovModel

DPI = 90
"""Dots per inch of the views (one image pixel per CSS pixel in the page)."""

MAP_SIZE = (6.8, 5.0)
CHARTS_SIZE = (6.8, 6.0)
NETWORK_SIZE = (6.8, 4.4)
"""Figure sizes, inches."""

DEFAULT_SAMPLE = 2000
"""Residents drawn on the map by default (a fixed random sample)."""

NETWORK_REFRESH_DAYS = 7
"""The network is redrawn this often (new ties, tie strengths) and whenever organizations, agreements or alliances
change."""

FIRST_DAYS_SHOWN = 30
"""Day range of the charts at the start; it doubles whenever the run outgrows it."""


def encode_png(canvas: FigureCanvasAgg) -> bytes:
    """The canvas as PNG bytes (RGB, fast compression)."""
    rgba = np.asarray(canvas.buffer_rgba())
    out = io.BytesIO()
    Image.fromarray(rgba[..., :3]).save(out, format="png", compress_level=1)
    return out.getvalue()


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


def today_visits(model: CoGovModel) -> np.ndarray:
    """Visits to each center on the last day run (real-population units)."""
    n = len(model.centers)
    centers = np.asarray(model.today.center, dtype=np.int64)
    return np.bincount(centers, minlength=n)[:n] * model.scale


class MapView:
    """The map of the place (see the module docstring for what is cached)."""

    def __init__(self, size: tuple[float, float] = MAP_SIZE, dpi: int = DPI) -> None:
        self.fig = Figure(figsize=size, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax: Any = None
        self.full_draws = 0
        self._key: tuple | None = None
        self._bg: Any = None
        self._dynamic: list[Any] = []
        self._sample_idx = np.zeros(0, dtype=np.int64)

    def render(
        self,
        model: CoGovModel,
        sample: int = DEFAULT_SAMPLE,
        catchments: bool = True,
        highlight: Sequence[int] = (),
        place: tuple[float, float] | None = None,
    ) -> bytes:
        """Draw the map of ``model`` as it is now.

        Args:
            model: the running model.
            sample: residents drawn.
            catchments: shade the area each center draws from.
            highlight: centers to ring (stations a what-if opened).
            place: a chosen place (metres) marked with a cross, or None.

        Returns:
            PNG bytes.
        """
        c = model.centers
        visits = today_visits(model)
        highlight = [int(i) for i in highlight if 0 <= int(i) < len(c) and c.active[int(i)]]
        key = (id(model), len(c), c.active.tobytes(), sample, catchments, tuple(highlight))
        if key != self._key:
            self._draw_static(model, visits, sample, catchments, highlight)
            self._key = key
        else:
            self.canvas.restore_region(self._bg)
        self._update(model, visits, highlight, place)
        self.ax.draw_artist(self._residents)
        for region in self._overlays:  # labels and workplaces stay on top of the residents
            self.canvas.restore_region(region)
        for artist in self._dynamic:
            self.ax.draw_artist(artist)
        return encode_png(self.canvas)

    def _draw_static(
        self, model: CoGovModel, visits: np.ndarray, sample: int, catchments: bool, highlight: list[int]
    ) -> None:
        self.fig.clear()
        ax = self.fig.add_axes((0.09, 0.09, 0.65, 0.84))
        report.map_figure(model, sample=sample, ax=ax, visits=visits, catchments=catchments)
        ax.set_title("")
        ax.set_title("centers sized by today's visits · residents coloured by identification", fontsize=9, loc="left")
        ax.set_xlabel("m", fontsize=8)
        ax.tick_params(labelsize=7)
        handles, labels = ax.get_legend_handles_labels()
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        self._ring = ax.scatter([], [], s=[], facecolors="none", edgecolors=report.MARKER_COLOR, linewidths=2.2,
                                zorder=5)  # fmt: skip
        (self._cross,) = ax.plot([], [], marker="+", ms=18, mew=2.5, color=report.MARKER_COLOR, ls="none", zorder=6)
        keys = [_legend_key(h) for h in handles]
        if highlight:
            keys.append(Line2D([], [], marker="o", ms=9, mfc="none", mec=report.MARKER_COLOR, mew=2, ls="none"))
            labels.append("opened by a what-if")
        self.fig.legend(keys, labels, loc="upper left", bbox_to_anchor=(0.755, 0.93), fontsize=7.5,
                        title="centers (count)", title_fontsize=8, frameon=False)  # fmt: skip
        residents = next(a for a in ax.collections if a.get_gid() == "residents")
        cax = self.fig.add_axes((0.77, 0.12, 0.19, 0.025))
        self.fig.colorbar(residents, cax=cax, orientation="horizontal")
        cax.set_title("resident identification", fontsize=8)
        cax.tick_params(labelsize=7)
        # residents, centers and what-if marks change every frame; area labels and workplaces are drawn once and
        # their pixels put back over the residents each frame
        self._residents = residents
        self._dynamic = [a for a in [*ax.collections, *ax.lines] if a.get_gid() != "residents"
                         and a.get_zorder() > 3]  # fmt: skip
        self._dynamic.sort(key=lambda a: a.get_zorder())
        for artist in [residents, *self._dynamic]:
            artist.set_animated(True)
        self._sample_idx = report.resident_sample(model, sample)
        self.ax = ax
        self.canvas.draw()
        self._bg = self.canvas.copy_from_bbox(self.fig.bbox)
        renderer = self.canvas.get_renderer()
        on_top = [a for a in [*ax.collections, *ax.texts] if not a.get_animated() and a.get_zorder() > 1]
        self._overlays = [self.canvas.copy_from_bbox(a.get_window_extent(renderer).padded(1)) for a in _split(on_top)]
        self.full_draws += 1

    def _update(
        self, model: CoGovModel, visits: np.ndarray, highlight: list[int], place: tuple[float, float] | None
    ) -> None:
        pop, c = model.pop, model.centers
        by_gid = {a.get_gid(): a for a in self.ax.collections if a.get_gid()}
        by_gid["residents"].set_array(pop.identification[self._sample_idx])
        top = float(visits.max()) if len(visits) else 0.0
        for name, idx in report.center_groups(model):
            by_gid[f"centers.{name}"].set_sizes(report.center_sizes(visits[idx], top))
        if highlight:
            h = np.asarray(highlight)
            self._ring.set_offsets(np.column_stack([c.x[h], c.y[h]]))
            self._ring.set_sizes(report.center_sizes(visits[h], top) * 1.6 + 160)
        self._cross.set_visible(place is not None)
        if place is not None:
            self._cross.set_data([place[0]], [place[1]])

    def to_metres(self, px: float, py: float) -> tuple[float, float] | None:
        """The place (m) under image pixel (px, py) counted from the top left, or None outside the map."""
        if self.ax is None:
            return None
        height = self.canvas.get_width_height()[1]
        x, y = self.ax.transData.inverted().transform((px, height - py))
        (x0, x1), (y0, y1) = self.ax.get_xlim(), self.ax.get_ylim()
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            return None
        return float(x), float(y)

    def to_pixels(self, x: float, y: float) -> tuple[float, float]:
        """Image pixel (from the top left) of a place in metres; the inverse of :meth:`to_metres`."""
        height = self.canvas.get_width_height()[1]
        px, py = self.ax.transData.transform((x, y))
        return float(px), float(height - py)


class ChartsView:
    """Live charts of the three spaces and the gci (see the module docstring for what is cached)."""

    def __init__(self, size: tuple[float, float] = CHARTS_SIZE, dpi: int = DPI) -> None:
        self.fig = Figure(figsize=size, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.full_draws = 0
        self._key: tuple | None = None
        self._bg: Any = None
        self._xmax = FIRST_DAYS_SHOWN
        self._panels: list[tuple[Any, list[Any], float]] = []
        self._twin: Any = None
        self._bars_drawn = 0

    def render(self, records: Sequence[dict[str, float]], markers: Sequence[float] = (), run: Any = None) -> bytes:
        """Draw the charts of a run's daily records.

        Args:
            records: the model's daily indicator records (``model.records``).
            markers: days at which a what-if was applied.
            run: identifies the run; a new run redraws everything.

        Returns:
            PNG bytes.
        """
        n = len(records)
        cols = _columns(records)
        key = (run, tuple(markers), n > 0)
        if key != self._key:  # a new run or a new marker: draw the figure anew
            self._xmax = FIRST_DAYS_SHOWN
            while n > self._xmax:
                self._xmax *= 2
            self._draw_static(records, cols, markers)
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
                line.set_data(cols["day"], cols[line.get_gid()])
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

    def _draw_static(self, records: Sequence[dict[str, float]], cols: dict[str, np.ndarray], markers: Sequence[float]):
        import pandas as pd

        self.fig.clear()
        ts = pd.DataFrame(list(records))
        report.dashboard(ts, fig=self.fig, markers=[(d, "what-if applied") for d in markers])
        self.fig.suptitle("")
        self.fig.subplots_adjust(left=0.07, right=0.92, bottom=0.07, top=0.88, wspace=0.3, hspace=0.75)
        main = self.fig.axes[:4]
        self._twin = self.fig.axes[4] if len(self.fig.axes) > 4 else None
        self._panels = []
        for ax in main:
            lines = [ln for ln in ax.get_lines() if ln.get_gid() not in (None, "marker")]
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


def _legend_key(handle: Any) -> Any:
    """A legend key of fixed size for a scatter (the map's markers change size every day)."""
    from matplotlib.collections import PathCollection

    if not isinstance(handle, PathCollection):
        return handle
    marker = "s" if handle.get_gid() is None else "o"
    face = handle.get_facecolor()[0] if len(handle.get_facecolor()) else "grey"
    return Line2D([], [], marker=marker, ms=8 if marker == "o" else 6, mfc=face, mec="black", mew=0.6, ls="none")


def _split(artists: list[Any]) -> list[Any]:
    """Artists to keep on top, with a collection of several markers split into one bbox-sized piece each."""
    from matplotlib.collections import PathCollection

    out: list[Any] = []
    for a in artists:
        if isinstance(a, PathCollection) and len(a.get_offsets()) > 1:
            out.extend(_MarkerBox(a, k) for k in range(len(a.get_offsets())))
        else:
            out.append(a)
    return out


class _MarkerBox:
    """The screen box of one marker of a scatter (for keeping it on top)."""

    def __init__(self, collection: Any, k: int) -> None:
        self.collection = collection
        self.k = k

    def get_window_extent(self, renderer: Any) -> Any:
        from matplotlib.transforms import Bbox

        x, y = self.collection.get_offset_transform().transform(self.collection.get_offsets()[self.k])
        size = np.sqrt(self.collection.get_sizes()[0]) * renderer.points_to_pixels(1.0) / 2 + 1
        return Bbox.from_extents(x - size, y - size, x + size, y + size)


def _columns(records: Sequence[dict[str, float]]) -> dict[str, np.ndarray]:
    if not records:
        return {"day": np.zeros(0)}
    names = records[0].keys()
    return {k: np.array([r.get(k, np.nan) for r in records], dtype=float) for k in names}


class NetworkView:
    """The organization network (see the module docstring for when it is redrawn)."""

    def __init__(self, size: tuple[float, float] = NETWORK_SIZE, dpi: int = DPI) -> None:
        self.fig = Figure(figsize=size, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.full_draws = 0
        self._key: tuple | None = None
        self._png = b""
        self._pos: dict | None = None
        self._model_id: int | None = None

    def render(self, model: CoGovModel) -> bytes:
        """Draw the network of ``model`` when it changed (else return the last image)."""
        alliances = tuple(sorted((k, len(v)) for k, v in model.alliances.items()))
        orgs = sum(1 for o in model.orgs if o.active)
        key = (id(model), orgs, len(model.agreements), alliances, model.day // NETWORK_REFRESH_DAYS)
        if key == self._key:
            return self._png
        if self._model_id != id(model):
            self._pos = None
            self._model_id = id(model)
        g = report.org_graph(model)
        pos = report.network_layout(g, pos=self._pos, iterations=50 if self._pos is None else 15)
        self._pos = pos
        self.fig.clear()
        ax = self.fig.add_axes((0.01, 0.01, 0.98, 0.91))
        report.network_figure(model, ax=ax, pos=pos)
        ax.title.set_fontsize(9.5)
        legend = ax.get_legend()
        if legend is not None:  # plain keys: the network marks alliance members with a ring, not a node type
            legend.remove()
            handles, labels = ax.get_legend_handles_labels()
            keys = [Line2D([], [], marker="o", ls="none", ms=7, mfc=report.ORG_COLORS[lb], mec="none")
                    if lb in report.ORG_COLORS else h for h, lb in zip(handles, labels, strict=True)]  # fmt: skip
            if model.alliances:
                keys.append(Line2D([], [], marker="o", ls="none", ms=7, mfc="white", mec="black", mew=2))
                labels.append("alliance member")
            ax.legend(keys, labels, fontsize=7, loc="upper left", bbox_to_anchor=(0.0, 1.0), frameon=True,
                      framealpha=0.8)  # fmt: skip
        self.canvas.draw()
        self._png = encode_png(self.canvas)
        self._key = key
        self.full_draws += 1
        return self._png


@dataclass
class Views:
    """The three views of one session, drawn together, with how long each took (s)."""

    map: MapView = field(default_factory=MapView)
    charts: ChartsView = field(default_factory=ChartsView)
    network: NetworkView = field(default_factory=NetworkView)

    def draw(
        self,
        model: CoGovModel,
        run: Any,
        markers: Sequence[float],
        highlight: Sequence[int],
        place: tuple[float, float] | None,
        sample: int,
        catchments: bool,
    ) -> tuple[dict[str, bytes], dict[str, float]]:
        """Draw every view; returns ``({view: png}, {view: seconds})``."""
        images: dict[str, bytes] = {}
        took: dict[str, float] = {}
        t = time.perf_counter()
        images["map"] = self.map.render(model, sample, catchments, highlight, place)
        took["map"] = time.perf_counter() - t
        t = time.perf_counter()
        images["charts"] = self.charts.render(model.records, markers, run)
        took["charts"] = time.perf_counter() - t
        t = time.perf_counter()
        images["network"] = self.network.render(model)
        took["network"] = time.perf_counter() - t
        return images, took
