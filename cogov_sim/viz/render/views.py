"""The three views of one session (map, charts, network), drawn together and timed."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cogov_sim.viz.render.charts import ChartsView
from cogov_sim.viz.render.map import MapView
from cogov_sim.viz.render.network import NetworkView

if TYPE_CHECKING:
    from cogov_sim.world import World


@dataclass
class Views:
    """The three views of one session, drawn together, with how long each took (s)."""

    map: MapView = field(default_factory=MapView)
    charts: ChartsView = field(default_factory=ChartsView)
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
    ) -> tuple[dict[str, bytes], dict[str, float]]:
        """Draw every view in ``lang``; returns ``({view: png}, {view: seconds})``."""
        images: dict[str, bytes] = {}
        took: dict[str, float] = {}
        t = time.perf_counter()
        images["map"] = self.map.render(world, sample, catchments, highlight, place, lang)
        took["map"] = time.perf_counter() - t
        t = time.perf_counter()
        images["charts"] = self.charts.render(world.records, markers, run, lang)
        took["charts"] = time.perf_counter() - t
        t = time.perf_counter()
        images["network"] = self.network.render(world, lang)
        took["network"] = time.perf_counter() - t
        return images, took
