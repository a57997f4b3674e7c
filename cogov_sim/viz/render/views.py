"""The views of one session (map, charts, difference, network), drawn together and timed.

Only the views on screen are drawn for a frame (``shown``); a view that comes on screen is drawn then.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cogov_sim.viz.render.charts import ChartsView
from cogov_sim.viz.render.diff import DiffView
from cogov_sim.viz.render.map import MapView
from cogov_sim.viz.render.network import NetworkView

if TYPE_CHECKING:
    from cogov_sim.world import World

VIEWS: frozenset[str] = frozenset({"map", "charts", "diff", "network"})
"""The views a session draws (keys of a frame's images and timings)."""

MAP_FORMAT = "jpeg"
"""Image format of the live map (redrawn every day: the fastest to encode); the other views are PNG."""


@dataclass
class Views:
    """The views of one session, drawn together, with how long each took (s)."""

    map: MapView = field(default_factory=lambda: MapView(image_format=MAP_FORMAT))
    charts: ChartsView = field(default_factory=ChartsView)
    diff: DiffView = field(default_factory=DiffView)
    network: NetworkView = field(default_factory=NetworkView)

    def draw(
        self,
        world: World,
        run: Any,
        markers: Sequence[float],
        highlight: Sequence[int],
        place: tuple[float, float] | None,
        sample: int,
        catchments: bool,
        lang: str = "en",
        twin: World | None = None,
        shown: frozenset[str] = VIEWS,
        map_mode: str = "level",
    ) -> tuple[dict[str, bytes], dict[str, float]]:
        """Draw the views of ``shown`` in ``lang``; returns ``({view: png}, {view: seconds})`` (0 s: not drawn).

        ``twin`` is the twin run's World (None before the first what-if): the charts draw its lines, the difference
        view the arms' difference, and the map in ``map_mode`` ``difference`` the residents' difference.
        """
        twin_records = twin.records if twin is not None else None
        map_twin = twin if map_mode == "difference" else None
        draws: dict[str, Callable[[], bytes]] = {
            "map": lambda: self.map.render(world, sample, catchments, highlight, place, lang, map_twin),
            "charts": lambda: self.charts.render(world.records, markers, run, lang, twin_records),
            "diff": lambda: self.diff.render(world.records, twin_records, markers, run, lang),
            "network": lambda: self.network.render(world, lang),
        }
        images: dict[str, bytes] = {}
        took: dict[str, float] = {}
        for name, draw in draws.items():
            took[name] = 0.0
            if name in shown:
                t = time.perf_counter()
                images[name] = draw()
                took[name] = time.perf_counter() - t
        return images, took
