"""The widgets a new day changes, updated in place: the numbers of the day and the images of the views.

A render pass of the page goes over every element of it (some two hundred widgets), whichever component changed;
a day that only brings new numbers and new images sets them on these widgets directly, with no render pass. The
page's components hold them as children (``solara.display``-free: reacton takes a widget as a child), and the
reactive frame (:class:`cogov_sim.viz.state.State`) changes only when something else on the page must follow (a
build, a what-if, a tab or a language).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ipywidgets

from cogov_sim.viz.render import VIEWS
from cogov_sim.viz.render.views import MAP_FORMAT
from cogov_sim.viz.session import Frame


@dataclass
class Live:
    """The widgets of one page that each frame updates.

    Attributes:
        images: one image widget per view (``map``, ``charts``, ``diff``, ``network``), class ``cogov-<view>``.
        day: the numbers of the day as HTML (see :func:`cogov_sim.viz.panels.day_html`).
    """

    images: dict[str, ipywidgets.Image] = field(default_factory=dict)
    day: ipywidgets.HTML = field(default_factory=ipywidgets.HTML)

    def __post_init__(self) -> None:
        for view in sorted(VIEWS):
            if view not in self.images:
                image = ipywidgets.Image(format=MAP_FORMAT if view == "map" else "png")
                image.add_class(f"cogov-{view}")
                self.images[view] = image
        self.day.add_class("cogov-day-panel")

    def show(self, frame: Frame, day_html: str) -> None:
        """Put a frame's images (those drawn) and its numbers of the day on the widgets."""
        with self.day.hold_sync():
            for view, png in frame.images.items():
                image = self.images[view]
                if image.value != png:
                    image.value = png
            if self.day.value != day_html:
                self.day.value = day_html
