"""Interventions on the center network: open, close, add or remove function zones, change hours, rider stations.

Each acts through the World's edits (``open_centers``, ``close_centers``/``reopen_centers``, ``set_functions``,
``set_hours``), which keep the reach tables current, and keeps what it changed in a small record to undo it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field, PrivateAttr, model_validator

from cogov_sim.city import make_centers, place_centers, snap_to_road
from cogov_sim.interventions.base import (
    CenterTargets,
    Intervention,
    Policy,
    Temporary,
    check_areas,
)
from cogov_sim.scenario import (
    DAY_KINDS,
    FUNCTIONS,
    LEVELS,
    SLOTS,
    CenterLevel,
    DayKind,
    Function,
    Level,
    Scenario,
    Site,
    Slot,
)
from cogov_sim.world.organizations import Organization

if TYPE_CHECKING:
    from cogov_sim.model import CoGovModel


@dataclass
class Opened:
    """Centers an intervention opened."""

    centers: np.ndarray


@dataclass
class Closed:
    """Centers an intervention closed, and the organizations it moved (organization, former center)."""

    centers: np.ndarray
    moved: list[tuple[Organization, int]] = field(default_factory=list)


@dataclass
class Cells:
    """Cells of a center table an intervention changed: rows, columns and their values before."""

    rows: np.ndarray
    cols: list[int]
    before: np.ndarray


class AddCenters(Intervention):
    """Open new centers of a level: placed like the scenario's own (``placement``), at explicit sites or in areas.

    The new centers are in the candidate sets of everyone from ``start_day``; people learn of them as of any
    center of that level (awareness of the level, street-front visibility, word of mouth).
    """

    kind: Literal["add_centers"] = "add_centers"
    level: Level = "residential"
    count: int = Field(1, ge=0, le=10_000, description="How many centers (ignored with sites).")
    placement: Literal["frontage", "even", "random", "residential_areas", "workplaces", "explicit"] = "frontage"
    sites: tuple[Site, ...] = ()
    areas: tuple[int, ...] = Field(
        (), description="Residential areas (0-based) to place the centers in, in turn, on the street front."
    )
    functions: tuple[Function, ...] = ("party_building", "government_services", "deliberation", "culture_sports")
    area_m2: tuple[float, float] = (100.0, 300.0)
    open_slots: tuple[Slot, ...] = ("morning", "afternoon")
    open_days: tuple[DayKind, ...] = ("weekday", "weekend")
    mixed_zones: bool = False
    visibility: float = Field(0.6, ge=0, le=1)

    _state: Opened | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _check_sites(self) -> AddCenters:
        if self.sites and self.areas:
            raise ValueError("areas: give sites or areas, not both")
        if any(a < 0 for a in self.areas):
            raise ValueError("areas: indices are 0-based and must be >= 0")
        return self

    def adds_level(self) -> str | None:
        """The level of the new centers."""
        return self.level

    def level_spec(self) -> CenterLevel:
        """The scenario-style description of the new centers."""
        return CenterLevel(
            count=None if self.sites else self.count,
            placement="explicit" if self.sites else self.placement,
            sites=self.sites,
            area_m2=self.area_m2,
            open_slots=self.open_slots,
            open_days=self.open_days,
            functions=self.functions,
            mixed_zones=self.mixed_zones,
            visibility=self.visibility,
        )

    def check(self, scenario: Scenario, policy: Policy = ()) -> None:
        """Sites must lie in the area and areas must exist."""
        check_areas(self.areas, scenario)
        for k, s in enumerate(self.sites):
            if not (0 <= s.x_m <= scenario.area.width_m and 0 <= s.y_m <= scenario.area.height_m):
                raise ValueError(f"sites.{k}: ({s.x_m}, {s.y_m}) lies outside the area")

    def apply(self, model: CoGovModel) -> None:
        """Build and open the centers."""
        spec = self.level_spec()
        n = len(self.sites) if self.sites else self.count
        if n == 0:
            return
        rng = self.rng(model)
        world = model.world
        lay = world.layout
        if self.areas:
            a = np.array(self.areas)[np.arange(n) % len(self.areas)]
            pts = lay.area_centers[a] + rng.normal(0, lay.road_spacing * 0.3, (n, 2))
            pos = snap_to_road(np.clip(pts, 0, [lay.width, lay.height]), lay.road_spacing, lay.width, lay.height)
        else:
            pos = place_centers(rng, spec, n, lay, self.level)
        new = world.open_centers(make_centers(pos, self.level, spec, rng, lay))
        self._state = Opened(new)
        self.log(model, f"{len(new)} {self.level}")


class CloseCenters(CenterTargets, Temporary):
    """Close centers: they leave everyone's choice set; organizations based there move to the nearest open center.

    ``select`` picks among the targeted centers (``all``, the ``least_visited`` or ``most_visited`` so far, or
    ``random``) and ``count`` caps how many. With ``end_day`` the centers reopen after it (a renovation) and the
    organizations move back.
    """

    kind: Literal["close_centers"] = "close_centers"
    select: Literal["all", "least_visited", "most_visited", "random"] = "all"
    count: int | None = Field(None, ge=0, le=100_000, description="Close at most this many (default: all selected).")

    _state: Closed | None = PrivateAttr(None)

    def apply(self, model: CoGovModel) -> None:
        """Close the selected centers and move the organizations based there."""
        world = model.world
        idx = self.targets(world)
        if self.select == "random":
            idx = self.rng(model).permutation(idx)
        elif self.select in ("least_visited", "most_visited"):
            v = world.visits_by_center[idx].sum(axis=1)
            order = np.argsort(v if self.select == "least_visited" else -v, kind="stable")
            idx = idx[order]
        if self.count is not None:
            idx = idx[: self.count]
        idx = np.sort(idx)
        self._state = Closed(idx)
        if not len(idx):
            return
        self._state.moved = world.close_centers(idx)
        self.log(model, f"closed {len(idx)} centers")

    def revert(self, model: CoGovModel) -> None:
        """Reopen the centers and move the organizations back."""
        if self._state is None or not len(self._state.centers):
            return
        model.world.reopen_centers(self._state.centers, self._state.moved)
        self.log(model, f"reopened {len(self._state.centers)} centers")


class AddFunctions(CenterTargets, Temporary):
    """Add function zones to the targeted centers (a canteen, a council hall, a rider rest room ...).

    People whose need the zone serves weigh the center more (the need-match term of the choice rule) and are
    served there; convened service projects may use the new zones; a ``deliberation`` zone turns problem meetings
    there into face-to-face deliberation. With ``end_day`` the zones are removed again after it.
    """

    kind: Literal["add_functions"] = "add_functions"
    functions: tuple[Function, ...] = Field(min_length=1, description="Function zones to add.")

    _state: Cells | None = PrivateAttr(None)

    def apply(self, model: CoGovModel) -> None:
        """Set the zones and recompute everyone's choice weights."""
        self._set(model, True)

    def _set(self, model: CoGovModel, value: bool) -> None:
        world = model.world
        idx = self.targets(world)
        cols = [FUNCTIONS.index(f) for f in self.functions]
        before = world.centers.functions[np.ix_(idx, cols)].copy()
        after = np.full_like(before, value)
        if not value:
            # a center keeps at least one zone: where removal would leave none, nothing is removed there
            left = world.centers.functions[idx].sum(axis=1) - before.sum(axis=1)
            after[left == 0] = before[left == 0]
        self._state = Cells(idx, cols, before)
        if np.array_equal(before, after):
            return
        world.set_functions(idx, cols, after)
        self.log(model, f"{'added' if value else 'removed'} {int((before != after).sum())} zones")

    def revert(self, model: CoGovModel) -> None:
        """Restore the zones the centers had before."""
        if self._state is None:
            return
        model.world.set_functions(self._state.rows, self._state.cols, self._state.before)
        self.log(model, "restored zones")


class RemoveFunctions(AddFunctions):
    """Remove function zones from the targeted centers; a center always keeps at least one zone.

    People lose the need match there (they weigh the center less and are not served in that zone); service
    projects and problem meetings move to the zones left. With ``end_day`` the zones come back after it.
    """

    kind: Literal["remove_functions"] = "remove_functions"  # type: ignore[assignment]
    functions: tuple[Function, ...] = Field(min_length=1, description="Function zones to remove.")

    def apply(self, model: CoGovModel) -> None:
        """Remove the zones and recompute everyone's choice weights."""
        self._set(model, False)


class ChangeHours(CenterTargets, Temporary):
    """Change opening hours: open (``add``), close (``remove``) or ``set`` the given slots on the given day kinds.

    Evening opening (``open_slots: [evening]``) lets working adults and office workers come after work (their
    availability is highest in the evening); weekend opening (``open_days: [weekend]``) does the same for
    commuters' free days. A center is only chosen, and activities are only convened there, in its open slots.
    With ``end_day`` the old hours come back after it.
    """

    kind: Literal["change_hours"] = "change_hours"
    open_slots: tuple[Slot, ...] = Field(("evening",), min_length=1, description="Slots: " + ", ".join(SLOTS))
    open_days: tuple[DayKind, ...] = Field(DAY_KINDS, min_length=1, description="Day kinds: weekday, weekend.")
    mode: Literal["add", "remove", "set"] = "add"

    _state: Cells | None = PrivateAttr(None)

    def apply(self, model: CoGovModel) -> None:
        """Change the opening table of the targeted centers."""
        world = model.world
        idx = self.targets(world)
        before = world.centers.open[idx].copy()
        after = np.zeros_like(before) if self.mode == "set" else before.copy()
        value = self.mode != "remove"
        for d in self.open_days:
            for s in self.open_slots:
                after[:, DAY_KINDS.index(d), SLOTS.index(s)] = value
        self._state = Cells(idx, [], before)
        if np.array_equal(before, after):
            return
        world.set_hours(idx, after)
        self.log(model, f"{self.mode} {'/'.join(self.open_slots)} on {'/'.join(self.open_days)} at {len(idx)}")

    def revert(self, model: CoGovModel) -> None:
        """Restore the old hours."""
        if self._state is None:
            return
        model.world.set_hours(self._state.rows, self._state.before)
        self.log(model, "restored hours")


class RiderStations(Intervention):
    """Open stations for new-employment workers (暖新驿站): rider-level centers near the routes riders pass.

    Stations are placed at the points of ``world.layout.rider_points`` (street frontage riders ride along):
    ``gaps`` takes, one after another, the route point farthest from every open rider station (filling the gaps
    of the network); ``random`` takes route points at random. Riders, whose anchor during working slots is their
    route, weigh nearby stations most; ``new_employment_support`` serves their main need (rest, charging, water)
    and ``training`` or ``government_services`` add job packages and labour services.
    """

    kind: Literal["rider_stations"] = "rider_stations"
    count: int = Field(6, ge=0, le=10_000, description="Stations to open.")
    placement: Literal["gaps", "random"] = "gaps"
    functions: tuple[Function, ...] = Field(("new_employment_support", "livelihood"), min_length=1)
    area_m2: tuple[float, float] = (15.0, 60.0)
    open_slots: tuple[Slot, ...] = Field(SLOTS, min_length=1)
    open_days: tuple[DayKind, ...] = Field(DAY_KINDS, min_length=1)
    visibility: float = Field(0.6, ge=0, le=1)

    _state: Opened | None = PrivateAttr(None)

    def adds_level(self) -> str | None:
        """Rider stations."""
        return "rider"

    def apply(self, model: CoGovModel) -> None:
        """Place and open the stations."""
        if self.count == 0:
            return
        rng = self.rng(model)
        world = model.world
        pts = world.layout.rider_points.astype(float)
        c = world.centers
        if self.placement == "random" or not len(pts):
            pick = rng.choice(len(pts), size=self.count, replace=self.count > len(pts))
            pos = pts[pick] + rng.normal(0, 10, (self.count, 2))
        else:
            have = c.active & (c.level == LEVELS.index("rider"))
            near = np.full(len(pts), np.inf)
            for x, y in zip(c.x[have], c.y[have], strict=True):
                near = np.minimum(near, np.hypot(pts[:, 0] - x, pts[:, 1] - y))
            chosen = []
            for _ in range(self.count):
                k = int(np.argmax(near))
                chosen.append(k)
                near = np.minimum(near, np.hypot(pts[:, 0] - pts[k, 0], pts[:, 1] - pts[k, 1]))
            pos = pts[chosen]
        spec = CenterLevel(
            area_m2=self.area_m2,
            open_slots=self.open_slots,
            open_days=self.open_days,
            functions=self.functions,
            visibility=self.visibility,
        )
        new = world.open_centers(make_centers(pos, "rider", spec, rng, world.layout))
        self._state = Opened(new)
        self.log(model, f"{len(new)} rider stations")
