"""Scenario schema: typed, frozen, validated at construction (unknown keys rejected, ranges and cross-field rules).

A scenario describes one place (a street/subdistrict; with ``city``, a district or a city of streets): its
layout, population, the tiered network of Party-mass service centers with their density and functions, the
organizations, and the behaviour parameters.
Every field carries a description with its unit and its source (or the word "assumption"); the same metadata
drives the command line's ``--set``, the sweep bounds and the browser app's sliders (see
:func:`cogov_sim.scenario.table.tunable_fields`). The words of the place (levels, functions, segments, slots) come
from :mod:`cogov_sim.vocabulary`; reading files and overrides is :mod:`cogov_sim.scenario.inputs`.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from cogov_sim.scenario.base import Frozen, Localized, Share, check_localized, plausible
from cogov_sim.scenario.behaviour import Behaviour
from cogov_sim.scenario.errors import name_problem, unknown_message
from cogov_sim.scenario.places import City
from cogov_sim.vocabulary import FUNCTIONS, SEGMENTS, SLOTS, DayKind, Function, Level, Slot

MAX_AGENTS = 3_000_000
"""Largest number of simulated people accepted; above it the scenario is refused before anything is allocated."""


class Area(Frozen):
    """The plane the place sits on."""

    width_m: float = Field(2400.0, gt=100, le=200_000, description="East-west extent, m. Evidence §1.2: 2-7 km².")
    height_m: float = Field(2000.0, gt=100, le=200_000, description="North-south extent, m. Evidence §1.2.")
    road_spacing_m: float = Field(
        400.0,
        gt=50,
        le=5000,
        description="Spacing of the street grid whose frontage centers face, m. Assumption.",
    )
    layout_seed: int = Field(
        20240101,
        ge=0,
        description="Seed of the generated layout (homes, buildings, centers); the run seed varies behaviour only,"
        " so replications share one place. Assumption.",
    )


class Population(Frozen):
    """Who lives and works here."""

    residents: int = Field(
        50_000,
        ge=0,
        description="People living in the place, persons. Evidence §1.2: 50,000-115,000 per street.",
    )
    commuters: int = Field(
        6_000,
        ge=0,
        description="Office workers who live elsewhere and work here (anchored at their workplace), persons."
        " Evidence §1.3: about 700 employees per key building. Assumption for the count.",
    )
    residential_areas: int = Field(
        12,
        ge=1,
        le=2000,
        description="Residential areas (居民区), each with a Party branch. Evidence §1.2: 12-21.",
    )
    party_member_share: Share = Field(
        0.075, description="Share of people who are Party members. Evidence §1.3: about 6-9%."
    )
    segments: dict[str, Share] = Field(
        default_factory=lambda: {
            "elderly": 0.24,
            "working_adult": 0.38,
            "parent": 0.18,
            "office_worker": 0.16,
            "rider": 0.04,
        },
        description="Share of residents in each segment; must sum to 1. Allowed segments: "
        + ", ".join(SEGMENTS)
        + ". Shanghai age structure (Evidence §1.2); rider share assumption.",
    )
    sample_fraction: float = Field(
        1.0,
        gt=0.0,
        le=1.0,
        description="Share of real people simulated; one agent stands for 1/sample_fraction persons. Counts are"
        " reported in real-population units. Assumption.",
    )

    @model_validator(mode="after")
    def _check(self) -> Population:
        unknown = [k for k in self.segments if k not in SEGMENTS]
        if unknown:
            raise ValueError(unknown_message(unknown[0], SEGMENTS, "segment"))
        total = sum(self.segments.values())
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(f"segments: shares must sum to 1, they sum to {total:.4g}")
        agents = self.agents
        if agents > MAX_AGENTS:
            gib = agents * 1.6e-6
            raise ValueError(
                f"residents: {self.residents + self.commuters:,} people at sample_fraction {self.sample_fraction}"
                f" means {agents:,} agents (~{gib:.0f} GiB); at most {MAX_AGENTS:,} agents are allowed."
                " Lower population.sample_fraction."
            )
        return self

    @property
    def agents(self) -> int:
        """Number of simulated people (residents and commuters) after sampling."""
        return round(self.residents * self.sample_fraction) + round(self.commuters * self.sample_fraction)


class Zones(Frozen):
    """Non-residential zones of the place."""

    office_buildings: int = Field(8, ge=0, le=5000, description="Office buildings (楼宇). Evidence §1.3.")
    business_parks: int = Field(1, ge=0, le=500, description="Business parks (园区). Assumption.")
    shops: int = Field(150, ge=0, description="Street shops on the frontage. Evidence §1.1: 150-706 per area.")
    business_district: tuple[float, float] = Field(
        (0.75, 0.5),
        description="Where the office buildings cluster, as fractions (x, y) of the area. Assumption.",
    )

    @model_validator(mode="after")
    def _check(self) -> Zones:
        if not all(0.0 <= v <= 1.0 for v in self.business_district):
            raise ValueError("business_district: both fractions must lie in [0, 1]")
        return self


class Site(Frozen):
    """An explicit center position."""

    x_m: float = Field(description="East coordinate, m.")
    y_m: float = Field(description="North coordinate, m.")


class CenterLevel(Frozen):
    """One tier of the center network: how many, where, how large, when open, with which functions."""

    count: int | None = Field(None, ge=0, le=100_000, description="Number of centers of this level.")
    per_km2: float | None = Field(None, ge=0, le=1000, description="Density per km² (alternative to count).")
    per_10k_residents: float | None = Field(
        None, ge=0, le=1000, description="Density per 10,000 residents (alternative to count)."
    )
    placement: Literal["frontage", "even", "random", "residential_areas", "workplaces", "explicit"] = Field(
        "frontage",
        description="frontage: on the street next to residential areas; even: spread evenly; random: uniform;"
        " residential_areas: inside each residential area in turn; workplaces: in office buildings and parks;"
        " explicit: at `sites`.",
    )
    sites: tuple[Site, ...] = Field((), description="Explicit positions (placement: explicit).")
    area_m2: tuple[float, float] = Field(
        (100.0, 400.0), description="Floor area range, m². Evidence §1.1: street 1,500-2,700; grid 200-800."
    )
    open_slots: tuple[Slot, ...] = Field(
        ("morning", "afternoon"), description="Slots when open: " + ", ".join(SLOTS) + "."
    )
    open_days: tuple[DayKind, ...] = Field(("weekday",), description="Day kinds when open: weekday, weekend.")
    functions: tuple[Function, ...] = Field(
        ("party_building", "government_services"), description="Function zones: " + ", ".join(FUNCTIONS) + "."
    )
    mixed_zones: bool = Field(
        False,
        description="The center is one shared mixed-use space: everyone present in a slot can meet, whatever their"
        " zone (Xuhui riverside 'living room for all', Evidence §1.1).",
    )
    visibility: Share = Field(0.5, description="Street-front visibility, 0-1: raises awareness. Assumption.")

    @model_validator(mode="after")
    def _check(self) -> CenterLevel:
        given = [k for k in ("count", "per_km2", "per_10k_residents") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give one of count, per_km2, per_10k_residents, not {' and '.join(given)}")
        if self.area_m2[0] <= 0 or self.area_m2[0] > self.area_m2[1]:
            raise ValueError(f"area_m2: need 0 < min <= max, got {list(self.area_m2)}")
        if self.placement == "explicit" and not self.sites:
            raise ValueError("placement: explicit needs at least one entry in sites")
        if self.sites and self.placement != "explicit":
            raise ValueError("sites: only allowed with placement: explicit")
        if not self.functions:
            raise ValueError("functions: a center needs at least one function zone")
        if not self.open_slots or not self.open_days:
            raise ValueError("open_slots and open_days must not be empty")
        return self


class Organizations(Frozen):
    """The organized actors and their capacities."""

    departments: int = Field(6, ge=0, le=100, description="Government departments serving the place. Assumption.")
    enterprises: int = Field(
        30,
        ge=0,
        le=10_000,
        description="Enterprises taking part in local life, mostly in buildings. Assumption.",
    )
    social_organizations: int = Field(
        6, ge=0, le=10_000, description="Social organizations active at the start. Assumption."
    )
    max_social_organizations: int = Field(
        60,
        ge=0,
        le=100_000,
        json_schema_extra=plausible(30, 120),
        description="Cap on active social organizations in a street (its incubation stops there). Assumption;"
        " order of magnitude from Evidence §1.3: 16,232 social organizations in Shanghai (2018) over about 215"
        " streets and towns, about 75 a street (derived).",
    )
    convening_per_week: float = Field(
        1.0,
        ge=0,
        le=50,
        json_schema_extra=plausible(0.2, 2),
        description="Activities a Party organization convenes per week at its centers."
        " Evidence §1.1: 760,000 activities a year at ~215 street centers. Assumption for the split; plausible 0.2-2:"
        " assumption (it spans the sweeps in experiments/).",
    )
    mobilization_reach: float = Field(
        200.0,
        ge=0,
        le=1000,
        json_schema_extra=plausible(30, 300),
        description="Residents a convener invites per activity, persons. Assumption (a notice in the area's chat"
        " group and door-to-door); calibrated by history matching (docs/MODEL.md §10.1).",
    )
    brokerage: Share = Field(
        0.3,
        json_schema_extra=plausible(0, 0.6),
        description="Chance per activity that the Party organization closest to the convener introduces the"
        " partners it is tied to (its ties count as the convener's in the invitation). Assumption.",
    )
    department_responsiveness: Share = Field(
        0.33,
        json_schema_extra=plausible(0.2, 0.5),
        description="Baseline chance a department responds to a request. Evidence §1.4: Chen, Pan & Xu 2016;"
        " plausible 0.2-0.5: Evidence §5 gives 0.2-0.8 with Party coordination, which the model adds on top"
        " of this baseline (the narrower upper end an assumption).",
    )
    party_sessions_per_week: float = Field(
        3.0,
        ge=0,
        le=21,
        json_schema_extra=plausible(1, 5),
        description="Party duty slots a week (a secretary on duty some slots a week). Assumption.",
    )
    department_sessions_per_week: float = Field(
        2.0,
        ge=0,
        le=21,
        json_schema_extra=plausible(0.5, 5),
        description="Department service sessions a week (service windows, consultation days). Assumption.",
    )
    enterprise_sessions_per_week: float = Field(
        0.25,
        ge=0,
        le=21,
        json_schema_extra=plausible(0, 1),
        description="Enterprise service sessions a week (a lecture or counseling). Assumption.",
    )
    social_org_sessions_per_week: float = Field(
        2.0,
        ge=0,
        le=21,
        json_schema_extra=plausible(0.5, 4),
        description="Social-organization project sessions a week (e.g. 四点半课堂). Assumption.",
    )


class Scenario(Frozen):
    """A whole scenario: the place, its centers, its actors and behaviour."""

    name: str = Field("scenario", min_length=1, max_length=80, description="Short name; the default output folder.")
    description: Localized = Field(
        "",
        description="What place this represents and where its numbers come from: one text, or one per language"
        " ({en: ..., zh: ...}).",
    )
    days: int = Field(365, ge=1, le=36_500, description="Days simulated by default.")
    area: Area = Field(default_factory=Area)
    population: Population = Field(default_factory=Population)
    zones: Zones = Field(default_factory=Zones)
    centers: dict[Level, CenterLevel] = Field(
        default_factory=dict, description="Center levels present, each with density, placement and functions."
    )
    organizations: Organizations = Field(default_factory=Organizations)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    city: City | None = Field(
        None,
        description="A city or district of streets (cogov_sim.scenario.places); the sections above are then the"
        " template of every street. Absent: the scenario is one street.",
    )

    _localized = field_validator("description", mode="before")(check_localized)

    @field_validator("name")
    @classmethod
    def _safe_name(cls, name: str) -> str:
        problem = name_problem(name)
        if problem:
            raise ValueError(problem)
        return name

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        for level, spec in self.centers.items():
            for i, site in enumerate(spec.sites):
                if not (0 <= site.x_m <= self.area.width_m and 0 <= site.y_m <= self.area.height_m):
                    raise ValueError(
                        f"centers.{level}.sites.{i}: ({site.x_m}, {site.y_m}) lies outside the area"
                        f" 0-{self.area.width_m:g} × 0-{self.area.height_m:g} m"
                    )
        b = self.behaviour
        if not b.acquaintance_hours <= b.casual_hours <= b.friend_hours <= b.close_hours:
            raise ValueError("behaviour: need acquaintance_hours <= casual_hours <= friend_hours <= close_hours")
        return self

    @property
    def area_km2(self) -> float:
        """Area of the place, km²."""
        return self.area.width_m * self.area.height_m / 1e6

    def center_count(self, level: str) -> int:
        """Number of centers of a level after resolving count, per_km2 and per_10k_residents."""
        spec = self.centers.get(level)  # type: ignore[call-overload]
        if spec is None:
            return 0
        if spec.placement == "explicit":
            return len(spec.sites)
        if spec.count is not None:
            return spec.count
        if spec.per_km2 is not None:
            return round(spec.per_km2 * self.area_km2)
        if spec.per_10k_residents is not None:
            return round(spec.per_10k_residents * self.population.residents / 10_000)
        return 0

    def to_dict(self) -> dict[str, Any]:
        """Plain data (lists, not tuples), as written to ``scenario.resolved.yaml``; no ``city`` key for a street."""
        data = json.loads(self.model_dump_json())
        if data.get("city") is None:
            data.pop("city", None)
        return data

    def hash(self) -> str:
        """Content hash of the resolved scenario (first 16 hex digits of SHA-256)."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]
