"""Places nested in places: a city of districts, a district of streets, in the scenario's ``city`` section.

A scenario without ``city`` describes one street (街道/镇), as before. With ``city`` the scenario's own sections
(area, population, zones, centers, organizations) are the template of every street, and each street entry
changes only what it names: its residents (or its share of its district's), its size, its zones, its
organizations and the number of centers of each level. Each district has one district center (the template's
``centers.district`` spec, or :data:`DISTRICT_CENTER` when the template has none) and its own departments.

Streets are laid out side by side (rows within their district, districts in rows within the city) unless their
positions are given (``origin_m``); a district may give its rectangle, and its streets must then lie inside it.
:func:`cogov_sim.scenario.streets.plan_streets` resolves the section into one street scenario each, with its
position; :mod:`cogov_sim.world.places` builds the world from them.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from cogov_sim.scenario.base import Frozen, Localized, Share, check_localized
from cogov_sim.vocabulary import Level

MAX_STREETS = 2_000
"""Most streets a city may have (Shanghai has about 215 streets and towns)."""

SHARE_TOLERANCE = 1e-3
"""How far the shares at one level may sum from 1 (shares copied from a yearbook are rounded)."""

DISTRICT_CENTER: dict[str, Any] = {
    "placement": "frontage",
    "area_m2": [3000, 6000],
    "open_slots": ["morning", "midday", "afternoon", "evening"],
    "open_days": ["weekday", "weekend"],
    "functions": ["party_building", "government_services", "deliberation", "group_work", "livelihood",
                  "culture_sports", "training"],
    "visibility": 0.9,
}  # fmt: skip
"""A district center when the template has no ``centers.district``: larger than a street center, open like one.
Evidence §1.1 (district centers of several thousand m², e.g. Minhang's); the numbers are assumptions."""


def check_shares(what: str, shares: list[float | None], counts: list[int]) -> None:
    """Refuse shares given for some of ``what`` only, or not summing to 1 (within :data:`SHARE_TOLERANCE`).

    Each share stands for ``counts`` alike (streets of one entry). ValueError with the sub-path.
    """
    given = [s is not None for s in shares]
    if not any(given):
        return
    if not all(given):
        raise ValueError(f"{what}.{given.index(False)}.share: give every one of the {what} a share, or none")
    total = sum(s * n for s, n in zip(shares, counts, strict=True))  # type: ignore[operator]
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise ValueError(f"{what}: the {what}' shares (times their count) sum to {total:.4g}, not 1")


class StreetSpec(Frozen):
    """One street (or ``count`` streets alike) of a district: what differs from the template street."""

    name: Localized = Field(description="Name (one text or one per language); numbered when count > 1.")
    count: int = Field(1, ge=1, le=MAX_STREETS, description="Streets alike, named 'name 1', 'name 2', ...")
    residents: int | None = Field(None, ge=0, description="Residents of each, persons (default: share or template).")
    share: Share | None = Field(None, description="Share of the district's residents living in each of these.")
    commuters: int | None = Field(None, ge=0, description="In-commuting office workers of each, persons.")
    residential_areas: int | None = Field(None, ge=1, le=2000, description="Residential areas (居民区) of each.")
    width_m: float | None = Field(None, gt=100, le=200_000, description="East-west extent of each, m.")
    height_m: float | None = Field(None, gt=100, le=200_000, description="North-south extent of each, m.")
    origin_m: tuple[float, float] | None = Field(
        None, description="South-west corner in the city, m (count 1 only; default: laid out in rows)."
    )
    office_buildings: int | None = Field(None, ge=0, le=5000, description="Office buildings of each.")
    business_parks: int | None = Field(None, ge=0, le=500, description="Business parks of each.")
    shops: int | None = Field(None, ge=0, description="Street shops of each.")
    departments: int | None = Field(None, ge=0, le=100, description="Departments serving each street.")
    enterprises: int | None = Field(None, ge=0, le=10_000, description="Enterprises taking part, each.")
    social_organizations: int | None = Field(None, ge=0, le=10_000, description="Social organizations, each.")
    centers: dict[Level, int] = Field(
        default_factory=dict, description="Centers of a level in each street, overriding the template's count."
    )

    _localized = field_validator("name", mode="before")(check_localized)

    @model_validator(mode="after")
    def _check(self) -> StreetSpec:
        if self.origin_m is not None and self.count != 1:
            raise ValueError("origin_m: give a position only for a single street (count 1)")
        if "district" in self.centers:
            raise ValueError("centers.district: district centers belong to the district, not to a street")
        if any(n < 0 for n in self.centers.values()):
            raise ValueError("centers: counts must be >= 0")
        return self


class DistrictSpec(Frozen):
    """One district (区) of the city: its streets, its departments and, if given, its rectangle."""

    name: Localized = Field(description="Name (one text or one per language).")
    residents: int | None = Field(None, ge=0, description="Residents of the district, persons.")
    share: Share | None = Field(None, description="Share of the city's residents living in the district.")
    departments: int = Field(
        0, ge=0, le=100, description="District departments based at the district center. Assumption."
    )
    centers: int = Field(
        1, ge=0, le=100, description="District centers (区级阵地), spread over the district. Minhang has 2."
    )
    origin_m: tuple[float, float] | None = Field(None, description="South-west corner of the district, m.")
    size_m: tuple[float, float] | None = Field(None, description="Width and height of the district, m.")
    streets: tuple[StreetSpec, ...] = Field(description="The district's streets and towns (街道/镇).")

    _localized = field_validator("name", mode="before")(check_localized)

    @model_validator(mode="after")
    def _check(self) -> DistrictSpec:
        if not self.streets:
            raise ValueError("streets: a district needs at least one street")
        if (self.origin_m is None) != (self.size_m is None):
            raise ValueError("size_m: give origin_m and size_m together, or neither")
        if self.size_m is not None and min(self.size_m) <= 0:
            raise ValueError(f"size_m: width and height must be > 0, got {list(self.size_m)}")
        check_shares("streets", [s.share for s in self.streets], [s.count for s in self.streets])
        placed = [s.origin_m is not None for s in self.streets]
        if any(placed) and not all(placed):
            raise ValueError(f"streets.{placed.index(False)}.origin_m: place every street of the district, or none")
        return self


class City(Frozen):
    """A city (or one district) as districts of streets; the scenario's sections are the template street."""

    name: Localized = Field("", description="Name (one text or one per language).")
    residents: int | None = Field(None, ge=0, description="Residents of the city, persons (shared by districts).")
    districts: tuple[DistrictSpec, ...] = Field(description="The districts, each with its streets.")

    _localized = field_validator("name", mode="before")(check_localized)

    @model_validator(mode="after")
    def _check(self) -> City:
        if not self.districts:
            raise ValueError("districts: a city needs at least one district")
        streets = sum(s.count for d in self.districts for s in d.streets)
        if streets > MAX_STREETS:
            raise ValueError(f"districts: {streets:,} streets; at most {MAX_STREETS:,} are allowed")
        shares = [d.share for d in self.districts]
        if self.residents is None and any(s is not None for s in shares):
            at = next(i for i, s in enumerate(shares) if s is not None)
            raise ValueError(f"districts.{at}.share: a share needs city.residents")
        check_shares("districts", shares, [1] * len(shares))
        placed = [d.origin_m is not None or d.streets[0].origin_m is not None for d in self.districts]
        if any(placed) and not all(placed):
            raise ValueError(
                f"districts.{placed.index(False)}.origin_m: place every district (or its streets), or none"
            )
        for i, d in enumerate(self.districts):
            if d.origin_m is None or d.size_m is None:
                continue
            x0, y0 = d.origin_m
            w, h = d.size_m  # type: ignore[misc]
            for j, s in enumerate(d.streets):
                if s.origin_m is None:
                    continue
                sx, sy = s.origin_m
                if not (x0 <= sx < x0 + w and y0 <= sy < y0 + h):
                    raise ValueError(
                        f"districts.{i}.streets.{j}.origin_m: ({sx:g}, {sy:g}) lies outside its district"
                        f" {x0:g}-{x0 + w:g} × {y0:g}-{y0 + h:g} m"
                    )
        return self
