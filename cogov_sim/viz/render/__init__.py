"""The app's views, drawn with the report's drawing functions and kept cheap to redraw every day.

Each view owns one matplotlib figure on an Agg canvas (:mod:`~cogov_sim.viz.render.figure`). The expensive part of
a frame is drawing what does not change, so each view draws the full figure with :mod:`cogov_sim.report` only when
its static part changes and otherwise restores that background and redraws the few artists that change (blitting):

- :mod:`~cogov_sim.viz.render.map`: :class:`MapView`, full redraw when the centers change;
- :mod:`~cogov_sim.viz.render.charts`: :class:`ChartsView`, new limits on the same axes when a range is outgrown;
- :mod:`~cogov_sim.viz.render.diff`: :class:`DiffView`, the difference between the run and its twin without the
  what-ifs;
- :mod:`~cogov_sim.viz.render.network`: :class:`NetworkView`, redrawn when the network changes and weekly;
- :mod:`~cogov_sim.viz.render.views`: :class:`Views`, those on screen drawn together for one frame.

Images are PNG bytes (fast zlib level), the size shown in the browser (1 image pixel = 1 CSS pixel), so a click on
the map maps back to metres (:meth:`MapView.to_metres`).
"""

from cogov_sim.viz.render.charts import FIRST_DAYS_SHOWN, ChartsView, nice_ceiling
from cogov_sim.viz.render.diff import DiffView
from cogov_sim.viz.render.figure import DPI, FigureView, encode_png
from cogov_sim.viz.render.map import DEFAULT_SAMPLE, MapView, today_visits
from cogov_sim.viz.render.network import NETWORK_REFRESH_DAYS, NetworkView
from cogov_sim.viz.render.views import VIEWS, Views

__all__ = [
    "DEFAULT_SAMPLE",
    "DPI",
    "FIRST_DAYS_SHOWN",
    "NETWORK_REFRESH_DAYS",
    "VIEWS",
    "ChartsView",
    "DiffView",
    "FigureView",
    "MapView",
    "NetworkView",
    "Views",
    "encode_png",
    "nice_ceiling",
    "today_visits",
]
