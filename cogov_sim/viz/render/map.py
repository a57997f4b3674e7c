"""The map view: :func:`cogov_sim.report.map_figure` with catchments, redrawn cheaply every day (blitting).

Static (drawn in full only when the centers, the sample or the shading change): residential areas, catchments, axes,
legend and colour bar. Residents' colours (identification, or its difference from the twin run without the
what-ifs) change slowly: they are drawn again only when a colour moved by more than :data:`RESIDENT_COLOUR_STEP`,
else the last drawing of them is put back. Per frame: centers' sizes (today's visits), rings around stations a
what-if opened, the place chosen for a new station. The image is the size shown in the browser, so a click on it
maps back to metres (:meth:`MapView.to_metres`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox

from cogov_sim import report
from cogov_sim.i18n import label, text
from cogov_sim.viz.render.charts import nice_ceiling
from cogov_sim.viz.render.figure import DPI, FigureView, encode_jpeg, encode_png

if TYPE_CHECKING:
    from cogov_sim.world import World

MAP_SIZE = (6.8, 5.0)
"""Figure size, inches."""

DEFAULT_SAMPLE = 2000
"""Residents drawn on the map by default (a fixed random sample)."""

RESIDENT_COLOUR_STEP = 0.02
"""Largest change of a drawn resident's value since the residents were last drawn (on the colour bar's 0-1 scale)
that does not draw them again: about five of the map's 256 colours, a shade one hardly sees on a 3-pixel dot.
Drawing the 2,000 residents is most of a map frame (about 40 ms); their identification moves slowly."""

DIFF_CMAP = "PuOr"
"""Colour map of the difference mode (purple: higher with the what-ifs; orange: lower)."""


def today_visits(world: World) -> np.ndarray:
    """Visits to each center on the last day run (real-population units)."""
    n = len(world.centers)
    centers = np.asarray(world.today.center, dtype=np.int64)
    return np.bincount(centers, minlength=n)[:n] * world.scale


class MapView(FigureView):
    """The map of the place (see the module docstring for what is cached)."""

    def __init__(self, size: tuple[float, float] = MAP_SIZE, dpi: int = DPI, image_format: str = "png") -> None:
        super().__init__(size, dpi)
        self.image_format = image_format
        self.ax: Any = None
        self._key: tuple | None = None
        self._bg: Any = None
        self._dynamic: list[Any] = []
        self._sample_idx = np.zeros(0, dtype=np.int64)
        self._sample_for: tuple[int, int] | None = None
        self._drawn: np.ndarray | None = None
        self._bg_residents: Any = None

    def render(
        self,
        world: World,
        sample: int = DEFAULT_SAMPLE,
        catchments: bool = True,
        highlight: Sequence[int] = (),
        place: tuple[float, float] | None = None,
        lang: str = "en",
        twin: World | None = None,
    ) -> bytes:
        """Draw the map of ``world`` as it is now.

        Args:
            world: the running model's World.
            sample: residents drawn.
            catchments: shade the area each center draws from.
            highlight: centers to ring (stations a what-if opened).
            place: a chosen place (metres) marked with a cross, or None.
            lang: language of the title and legends (another language redraws the static part).
            twin: the twin run's World: residents show identification with the what-ifs minus without.

        Returns:
            PNG bytes (JPEG for a view made with ``image_format="jpeg"``).
        """
        c = world.centers
        visits = today_visits(world)
        highlight = [int(i) for i in highlight if 0 <= int(i) < len(c) and c.active[int(i)]]
        values = self._resident_values(world, twin, sample)
        span = None if twin is None else nice_span(float(np.abs(values).max(initial=0.0)))
        key = (id(world), len(c), c.active.tobytes(), sample, catchments, tuple(highlight), lang, span)
        if key != self._key:
            self._draw_static(world, visits, sample, catchments, highlight, lang, span)
            self._key = key
            self._drawn = None
        shown = values if span is None else (values / span + 1) / 2  # on the colour bar's 0-1 scale
        if self._drawn is not None and np.abs(shown - self._drawn).max(initial=0.0) <= RESIDENT_COLOUR_STEP:
            self.canvas.restore_region(self._bg_residents)
        else:
            self.canvas.restore_region(self._bg)
            self._residents.set_array(values)
            self.ax.draw_artist(self._residents)
            for region in self._overlays:  # labels and workplaces stay on top of the residents
                self.canvas.restore_region(region)
            self._bg_residents = self.canvas.copy_from_bbox(self.fig.bbox)
            self._drawn = shown
        self._update(world, visits, highlight, place)
        for artist in self._dynamic:
            self.ax.draw_artist(artist)
        return encode_jpeg(self.canvas) if self.image_format == "jpeg" else encode_png(self.canvas)

    def _resident_values(self, world: World, twin: World | None, sample: int) -> np.ndarray:
        """The drawn residents' identification, or its difference from the twin's (same people, same order)."""
        if self._sample_for != (id(world), sample):
            self._sample_idx = report.resident_sample(world, sample)
            self._sample_for = (id(world), sample)
        own = world.pop.identification[self._sample_idx]
        return own if twin is None else own - twin.pop.identification[self._sample_idx]

    def _draw_static(
        self,
        world: World,
        visits: np.ndarray,
        sample: int,
        catchments: bool,
        highlight: list[int],
        lang: str,
        span: float | None = None,
    ) -> None:
        self.fig.clear()
        ax = self.fig.add_axes((0.09, 0.09, 0.65, 0.84))
        report.map_figure(world, sample=sample, ax=ax, visits=visits, catchments=catchments, lang=lang)
        ax.set_title("")
        title = "app.map_title" if span is None else "app.map_title_diff"
        ax.set_title(text(title, lang), fontsize=9, loc="left")
        ax.xaxis.label.set_fontsize(8)
        ax.tick_params(labelsize=7)
        handles, labels = ax.get_legend_handles_labels()
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        self._ring = ax.scatter([], [], s=[], facecolors="none", edgecolors=report.MARKER_COLOR, linewidths=2.2,
                                zorder=5)  # fmt: skip
        (self._cross,) = ax.plot([], [], marker="+", ms=18, mew=2.5, color=report.MARKER_COLOR, ls="none", zorder=6)
        keys = [_legend_key(h) for h in handles]
        labels = [_short_label(h, lb, lang) for h, lb in zip(handles, labels, strict=True)]
        if highlight:
            keys.append(Line2D([], [], marker="o", ms=9, mfc="none", mec=report.MARKER_COLOR, mew=2, ls="none"))
            labels.append(text("app.opened_by_whatif", lang))
        self.fig.legend(keys, labels, loc="upper left", bbox_to_anchor=(0.755, 0.93), fontsize=7.5,
                        title=text("app.centers_count", lang), title_fontsize=8, frameon=False)  # fmt: skip
        residents = next(a for a in ax.collections if a.get_gid() == "residents")
        if span is not None:
            residents.set_cmap(DIFF_CMAP)
            residents.set_clim(-span, span)
        cax = self.fig.add_axes((0.77, 0.12, 0.19, 0.025))
        self.fig.colorbar(residents, cax=cax, orientation="horizontal")
        cax.set_title(text("app.resident_identification" if span is None else "app.identification_diff", lang),
                      fontsize=8)  # fmt: skip
        cax.tick_params(labelsize=7)
        # residents, centers and what-if marks change every frame; area labels and workplaces are drawn once and
        # their pixels put back over the residents each frame
        self._residents = residents
        self._dynamic = [a for a in [*ax.collections, *ax.lines] if a.get_gid() != "residents"
                         and a.get_zorder() > 3]  # fmt: skip
        self._dynamic.sort(key=lambda a: a.get_zorder())
        for artist in [residents, *self._dynamic]:
            artist.set_animated(True)
        self._resident_values(world, None, sample)
        self.ax = ax
        self.canvas.draw()
        self._bg = self.canvas.copy_from_bbox(self.fig.bbox)
        renderer = self.canvas.get_renderer()
        on_top = [a for a in [*ax.collections, *ax.texts] if not a.get_animated() and a.get_zorder() > 1]
        self._overlays = [self.canvas.copy_from_bbox(a.get_window_extent(renderer).padded(1)) for a in _split(on_top)]
        self.full_draws += 1

    def _update(
        self, world: World, visits: np.ndarray, highlight: list[int], place: tuple[float, float] | None
    ) -> None:
        c = world.centers
        by_gid = {a.get_gid(): a for a in self.ax.collections if a.get_gid()}
        top = float(visits.max()) if len(visits) else 0.0
        for name, idx in report.center_groups(world):
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


def nice_span(value: float) -> float:
    """The half-width of the difference colour bar: a round number above ``value``, at least 0.01."""
    return nice_ceiling(max(value, 0.01), headroom=1.0)


def _legend_key(handle: Any) -> Any:
    """A legend key of fixed size for a scatter (the map's markers change size every day)."""
    if not isinstance(handle, PathCollection):
        return handle
    marker = "s" if handle.get_gid() is None else "o"
    face = handle.get_facecolor()[0] if len(handle.get_facecolor()) else "grey"
    return Line2D([], [], marker=marker, ms=8 if marker == "o" else 6, mfc=face, mec="black", mew=0.6, ls="none")


def _short_label(handle: Any, shown: str, lang: str) -> str:
    """A level's legend entry without the English beside the Chinese (the app's legend column is narrow)."""
    gid = handle.get_gid() or ""
    if not gid.startswith("centers."):
        return shown
    return f"{label(gid.removeprefix('centers.'), lang, 'level')} ({len(handle.get_offsets())})"


def _split(artists: list[Any]) -> list[Any]:
    """Artists to keep on top, with a collection of several markers split into one bbox-sized piece each."""
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
        x, y = self.collection.get_offset_transform().transform(self.collection.get_offsets()[self.k])
        size = np.sqrt(self.collection.get_sizes()[0]) * renderer.points_to_pixels(1.0) / 2 + 1
        return Bbox.from_extents(x - size, y - size, x + size, y + size)
