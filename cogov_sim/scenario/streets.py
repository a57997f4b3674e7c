"""The streets of a city scenario resolved: one street scenario each, with its district and its position.

:func:`plan_streets` turns the ``city`` section (:mod:`cogov_sim.scenario.places`) into :class:`StreetPlan` and
:class:`DistrictPlan` rows. A street is the template street (the scenario's own sections) with the changes its
entry names, and a layout seed of its own (the template's plus its number, so street 0 is the template's place).
Streets without positions are laid out in rows within their district, and districts in rows within the city.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from pydantic import ValidationError

from cogov_sim.scenario.base import Localized
from cogov_sim.scenario.places import City, DistrictSpec, StreetSpec
from cogov_sim.scenario.schema import Scenario


@dataclass(frozen=True)
class StreetPlan:
    """One street of a city, resolved."""

    name: Localized
    district: int
    path: str
    """Field path of its entry in the scenario file (``city.districts.0.streets.2``)."""
    origin: tuple[float, float]
    """South-west corner in the city, m."""
    scenario: Scenario

    @property
    def size(self) -> tuple[float, float]:
        """Width and height, m."""
        return self.scenario.area.width_m, self.scenario.area.height_m


@dataclass(frozen=True)
class DistrictPlan:
    """One district of a city, resolved: its rectangle, its streets (indices into the street list), departments."""

    name: Localized
    origin: tuple[float, float]
    size: tuple[float, float]
    streets: tuple[int, ...]
    departments: int
    centers: int = 1


class StreetError(Exception):
    """A street scenario that does not validate: the street's field path and pydantic's error."""

    def __init__(self, path: str, error: ValidationError) -> None:
        super().__init__(path)
        self.path = path
        self.error = error


class PlaceError(Exception):
    """A city whose streets do not fit where they are placed: field path and message."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def numbered(name: Localized, k: int, count: int) -> Localized:
    """``name`` with `` k`` appended when it stands for ``count`` > 1 streets alike."""
    if count == 1:
        return name
    if isinstance(name, str):
        return f"{name} {k}"
    return {lang: f"{text} {k}" for lang, text in name.items()}  # type: ignore[misc]


def street_residents(template: Scenario, city: City, d: DistrictSpec, s: StreetSpec) -> int:
    """Residents of one street of entry ``s``.

    Given; else its share, or an equal part, of its district's (when the district's are known); else the template's.
    """
    if s.residents is not None:
        return s.residents
    district = d.residents
    if district is None and d.share is not None and city.residents is not None:
        district = round(d.share * city.residents)
    if district is None:
        return template.population.residents
    if s.share is not None:
        return round(s.share * district)
    return round(district / sum(x.count for x in d.streets))


def street_scenario(template: Scenario, city: City, d: DistrictSpec, s: StreetSpec, number: int) -> Scenario:
    """The template street with the changes ``s`` names; its layout seed moved on by the street's ``number``."""
    data = template.to_dict()
    data.pop("city", None)
    data["area"]["layout_seed"] = template.area.layout_seed + number
    for key in ("width_m", "height_m"):
        if getattr(s, key) is not None:
            data["area"][key] = getattr(s, key)
    data["population"]["residents"] = street_residents(template, city, d, s)
    for section, keys in (
        ("population", ("commuters", "residential_areas")),
        ("zones", ("office_buildings", "business_parks", "shops")),
        ("organizations", ("departments", "enterprises", "social_organizations")),
    ):
        for key in keys:
            if getattr(s, key) is not None:
                data[section][key] = getattr(s, key)
    data["centers"].pop("district", None)
    for level, n in s.centers.items():
        if level in data["centers"]:
            data["centers"][level].update(count=n, per_km2=None, per_10k_residents=None)
    return Scenario.model_validate(data)


def shelf(sizes: list[tuple[float, float]]) -> tuple[list[tuple[float, float]], tuple[float, float]]:
    """Rectangles of ``sizes`` in rows of about the square root of their number: their corners and the whole's size."""
    cols = max(1, math.ceil(math.sqrt(len(sizes))))
    corners: list[tuple[float, float]] = []
    y = width = 0.0
    for r in range(0, len(sizes), cols):
        row = sizes[r : r + cols]
        x = 0.0
        for w, _ in row:
            corners.append((x, y))
            x += w
        width = max(width, x)
        y += max(h for _, h in row)
    return corners, (width, y)


def _moved(p: StreetPlan, dx: float, dy: float) -> StreetPlan:
    return replace(p, origin=(p.origin[0] + dx, p.origin[1] + dy))


def plan_streets(template: Scenario) -> tuple[list[StreetPlan], list[DistrictPlan]]:
    """The streets and districts of ``template.city``, resolved and placed.

    Raises:
        StreetError: a street's scenario does not validate.
        PlaceError: a street does not fit inside its district's rectangle.
    """
    city = template.city
    if city is None:
        raise ValueError("plan_streets needs a scenario with a city section")
    streets: list[StreetPlan] = []
    districts: list[DistrictPlan] = []
    for i, d in enumerate(city.districts):
        mine: list[StreetPlan] = []
        for j, s in enumerate(d.streets):
            path = f"city.districts.{i}.streets.{j}"
            for k in range(1, s.count + 1):
                try:
                    sc = street_scenario(template, city, d, s, len(streets) + len(mine))
                except ValidationError as err:
                    raise StreetError(path, err) from None
                mine.append(StreetPlan(numbered(s.name, k, s.count), i, path, s.origin_m or (0.0, 0.0), sc))
        if d.streets[0].origin_m is None:
            corners, size = shelf([p.size for p in mine])
            base = d.origin_m or (0.0, 0.0)
            mine = [_moved(p, c[0] + base[0], c[1] + base[1]) for p, c in zip(mine, corners, strict=True)]
            origin = base
        else:
            origin = (min(p.origin[0] for p in mine), min(p.origin[1] for p in mine))
            size = (max(p.origin[0] + p.size[0] for p in mine) - origin[0],
                    max(p.origin[1] + p.size[1] for p in mine) - origin[1])  # fmt: skip
        if d.origin_m is not None and d.size_m is not None:
            x0, y0 = d.origin_m
            w, h = d.size_m
            for p in mine:
                (sx, sy), (sw, sh) = p.origin, p.size
                if sx < x0 or sy < y0 or sx + sw > x0 + w + 1e-6 or sy + sh > y0 + h + 1e-6:
                    where = p.path + (".origin_m" if d.streets[0].origin_m is not None else "")
                    raise PlaceError(
                        where, f"the street {sx:g}-{sx + sw:g} × {sy:g}-{sy + sh:g} m lies outside its district"
                        f" {x0:g}-{x0 + w:g} × {y0:g}-{y0 + h:g} m (city.districts.{i}.size_m)"
                    )  # fmt: skip
            origin, size = d.origin_m, d.size_m
        first = len(streets)
        streets += mine
        districts.append(
            DistrictPlan(d.name, origin, size, tuple(range(first, len(streets))), d.departments, d.centers)
        )
    if city.districts[0].origin_m is None and city.districts[0].streets[0].origin_m is None:
        corners, _ = shelf([dp.size for dp in districts])
        for i, (cx, cy) in enumerate(corners):
            dp = districts[i]
            districts[i] = replace(dp, origin=(cx, cy))
            for k in dp.streets:
                streets[k] = _moved(streets[k], cx, cy)
    return streets, districts


_PLANS: dict[str, tuple[list[StreetPlan], list[DistrictPlan]]] = {}
PLAN_CACHE = 8
"""City plans kept by scenario hash (resolving Shanghai's 215 streets takes a while; the plan is read often)."""


def cached_plan(scenario: Scenario) -> tuple[list[StreetPlan], list[DistrictPlan]]:
    """:func:`plan_streets` of ``scenario``, remembered for the last few scenarios."""
    key = scenario.hash()
    if key not in _PLANS:
        if len(_PLANS) >= PLAN_CACHE:
            _PLANS.pop(next(iter(_PLANS)))
        _PLANS[key] = plan_streets(scenario)
    return _PLANS[key]
