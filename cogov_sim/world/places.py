"""A city or district built as its streets side by side: each street laid out alone, moved to its place, joined.

Every street is built by the one-street builders (:func:`cogov_sim.city.build_layout`, ``build_centers``) from its
own street scenario (:func:`cogov_sim.scenario.streets.plan_streets`), shifted to its corner, and its arrays
appended to the city's: residential areas, homes, workplaces, rider routes and centers keep their street in a
``street`` column. Each district then gets its district center at the frontage nearest its middle. The people are
drawn for the whole city at once (:func:`cogov_sim.population.make_population` with :class:`Streets`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cogov_sim.city import (
    Centers,
    Layout,
    build_centers,
    build_layout,
    empty_centers,
    grid_points,
    make_centers,
    snap_to_road,
)
from cogov_sim.population import Streets
from cogov_sim.rng import stream
from cogov_sim.scenario import CenterLevel, Scenario
from cogov_sim.scenario.base import Localized, in_lang
from cogov_sim.scenario.places import DISTRICT_CENTER
from cogov_sim.scenario.streets import DistrictPlan, StreetPlan, cached_plan


@dataclass
class Places:
    """The streets and districts of the world (one street, in no named district, for a street scenario)."""

    names: list[Localized] = field(default_factory=lambda: [""])
    district: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int32))
    """(S,) each street's district."""
    origin: np.ndarray = field(default_factory=lambda: np.zeros((1, 2)))
    """(S, 2) each street's south-west corner, m."""
    size: np.ndarray = field(default_factory=lambda: np.zeros((1, 2)))
    """(S, 2) each street's width and height, m."""
    district_names: list[Localized] = field(default_factory=lambda: [""])
    plans: list[StreetPlan] = field(default_factory=list)
    """The street scenarios (empty for a street scenario: the scenario is the street)."""
    wide_orgs: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    """Organizations (indices into ``World.orgs``) that serve a whole district: its departments."""
    wide_district: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    """The district each of ``wide_orgs`` serves."""

    @property
    def n_streets(self) -> int:
        """Number of streets."""
        return len(self.names)

    def street_name(self, k: int, lang: str = "en") -> str:
        """Street ``k``'s name in ``lang``."""
        return in_lang(self.names[k], lang)

    def district_name(self, d: int, lang: str = "en") -> str:
        """District ``d``'s name in ``lang``."""
        return in_lang(self.district_names[d], lang)


def street_places(scenario: Scenario) -> Places:
    """The :class:`Places` of a one-street scenario: the whole area is street 0."""
    size = np.array([[scenario.area.width_m, scenario.area.height_m]])
    return Places(names=[scenario.name], size=size, district_names=[scenario.name])


def _joined(parts: list[Layout], template: Scenario, width: float, height: float) -> Layout:
    cat = np.concatenate
    areas = [len(p.area_centers) for p in parts]
    offsets = np.r_[0, np.cumsum(areas)[:-1]]
    weights = np.array(areas, dtype=float)
    return Layout(
        width,
        height,
        cat([p.area_centers for p in parts]),
        float(np.average([p.area_radius for p in parts], weights=weights)),
        cat([p.homes for p in parts]),
        cat([p.area_of_home.astype(np.int32) + o for p, o in zip(parts, offsets, strict=True)]),
        cat([p.workplaces for p in parts]),
        cat([p.workplace_kind for p in parts]),
        cat([p.rider_points for p in parts]),
        template.area.road_spacing_m,
        street_of_area=np.repeat(np.arange(len(parts), dtype=np.int32), areas),
        street_of_workplace=np.repeat(np.arange(len(parts), dtype=np.int32), [len(p.workplaces) for p in parts]),
        street_of_rider_point=np.repeat(np.arange(len(parts), dtype=np.int32), [len(p.rider_points) for p in parts]),
    )


def _shifted(layout: Layout, dx: float, dy: float) -> Layout:
    d = np.array([dx, dy])
    moved = {name: (getattr(layout, name) + d).astype(np.float32) for name in ("homes", "workplaces", "rider_points")}
    return Layout(layout.width, layout.height, layout.area_centers + d, layout.area_radius, moved["homes"],
                  layout.area_of_home, moved["workplaces"], layout.workplace_kind, moved["rider_points"],
                  layout.road_spacing)  # fmt: skip


def district_centers(template: Scenario, districts: list[DistrictPlan], layout: Layout) -> Centers:
    """Each district's centers on the frontage: one near its middle, more spread evenly over it."""
    spec = template.centers.get("district") or CenterLevel.model_validate(DISTRICT_CENTER)
    rows = [empty_centers()]
    for i, d in enumerate(districts):
        rng = stream(template.area.layout_seed, f"layout.centers.district.{i}")
        if d.centers == 1:
            base = np.array([[d.size[0] / 2, d.size[1] / 2]])
        else:
            base = grid_points(rng, d.centers, d.size[0], d.size[1], 0.1)
        base = base + np.array(d.origin)
        pos = snap_to_road(base + rng.normal(0, layout.road_spacing * 0.3, base.shape), layout.road_spacing,
                           layout.width, layout.height)  # fmt: skip
        rows.append(make_centers(pos, "district", spec, rng, layout))
    return Centers.joined(rows)


def build_city(template: Scenario) -> tuple[Layout, Centers, Streets, Places]:
    """The layout, centers and :class:`Streets` of a city scenario, and its :class:`Places`."""
    streets, districts = cached_plan(template)
    width = max(d.origin[0] + d.size[0] for d in districts)
    height = max(d.origin[1] + d.size[1] for d in districts)
    parts, tables = [], []
    area0 = 0
    for k, plan in enumerate(streets):
        local = build_layout(plan.scenario)
        c = build_centers(plan.scenario, local)
        c.x += plan.origin[0]
        c.y += plan.origin[1]
        c.area_index += area0
        c.street[:] = k
        area0 += len(local.area_centers)
        parts.append(_shifted(local, *plan.origin))
        tables.append(c)
    layout = _joined(parts, template, width, height)
    centers = Centers.joined([*tables, district_centers(template, districts, layout)])
    commuters = [round(p.scenario.population.commuters * p.scenario.population.sample_fraction) for p in streets]
    district_of = np.array([p.district for p in streets], dtype=np.int32)
    people = Streets(layout.street_of_area, layout.street_of_workplace, layout.street_of_rider_point, district_of,
                     np.repeat(np.arange(len(streets), dtype=np.int32), commuters))  # fmt: skip
    places = Places(
        names=[p.name for p in streets],
        district=district_of,
        origin=np.array([p.origin for p in streets], dtype=float),
        size=np.array([p.size for p in streets], dtype=float),
        district_names=[d.name for d in districts],
        plans=streets,
    )
    return layout, centers, people, places
