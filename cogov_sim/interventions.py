"""What-if policy objects: serializable interventions applied to a running model at a day.

An intervention is a frozen pydantic model with a ``kind`` (its registry name), a ``start_day`` (and, where it
makes sense, an ``end_day``) and its own parameters. ``schedule(model)`` registers it with Mesa's event list half
a day before ``start_day``, so it acts before that day's phases (and so before day ``start_day`` is recorded);
an ``end_day`` is the last day in effect, undone (``revert``) half a day after it. ``apply(model)`` performs the
change at once (the browser app uses this to act "now").

Targets. Interventions on centers select them by ``levels`` (center levels), ``centers`` (0-based indices of the
center table, the ``center`` column of ``per_center.csv``) and ``areas`` (0-based residential-area indices); the
selection is the active centers that match every filter given. Interventions on Party organizations select them by
``tiers`` (``street`` working committee, residential ``branch``, ``workplace`` organization) and ``areas``.

Randomness. Every intervention draws from its own streams (named after its kind, its position in the model's list
and the day), so the model's mechanism streams stay untouched and a policy changes only what it touches (common
random numbers). Recurring programmes (an alliance's regular joint actions, departments' joint meetings) add
their activities through ``model.programmes`` at the end of the supply phase, after the regular conveners.

``REGISTRY`` maps a name to its class; :func:`make_intervention` builds one from plain data (as in an experiment
file) with field-path errors. ``docs/whatif.md`` documents every intervention.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from cogov_sim.mechanisms.supply import choose_topic
from cogov_sim.rng import stream
from cogov_sim.scenario import (
    FUNCTIONS,
    LEVELS,
    SLOTS,
    CenterLevel,
    DayKind,
    Function,
    Level,
    Scenario,
    ScenarioError,
    Site,
    Slot,
    _unknown_message,
)

if TYPE_CHECKING:
    from cogov_sim.agents import Department, Organization, PartyOrganization
    from cogov_sim.mechanisms.supply import Supply
    from cogov_sim.model import Activity, CoGovModel

Tier = Literal["street", "branch", "workplace"]
TIERS: tuple[str, ...] = ("street", "branch", "workplace")
"""Tiers of Party organizations: the street working committee, residential-area branches, building/park ones."""

ALL_SLOTS: tuple[Slot, ...] = ("morning", "midday", "afternoon", "evening")
ALL_DAYS: tuple[DayKind, ...] = ("weekday", "weekend")
DAY_KINDS: tuple[str, ...] = ALL_DAYS


def effect_day(model: CoGovModel) -> int:
    """The first day whose phases see a change made now (events fire half a day before their day)."""
    return math.floor(model.time) + 1


def scenario_center_count(scenario: Scenario) -> int:
    """Number of centers a scenario builds (all levels)."""
    return sum(scenario.center_count(level) for level in LEVELS)


class Intervention(BaseModel, ABC):
    """Base of all interventions: when it starts and, optionally, ends."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    start_day: int = Field(1, ge=1, description="First day the intervention is in effect.")
    description: ClassVar[str] = ""

    _model: Any = PrivateAttr(None)
    _state: dict[str, Any] = PrivateAttr(default_factory=dict)

    def schedule(self, model: CoGovModel) -> None:
        """Register with the model's event list (before the phases of ``start_day``; undo after ``end_day``)."""
        model.schedule_event(self._fire, at=self.start_day - 0.5)
        self.schedule_end(model)

    def schedule_end(self, model: CoGovModel) -> None:
        """Register the undo after ``end_day`` (if there is one and it is still ahead).

        ``schedule`` calls it; an intervention applied at once (``model.apply_now``) needs it called to end.
        """
        end = getattr(self, "end_day", None)
        if end is not None and end + 0.5 > model.time:
            model.schedule_event(self._expire, at=end + 0.5)

    def _fire(self) -> None:
        self.apply(self._model)

    def _expire(self) -> None:
        self.revert(self._model)

    def bind(self, model: CoGovModel) -> Intervention:
        """Attach to a model (events call back into it); clears any state of an earlier model."""
        self._model = model
        self._state = {}
        return self

    @abstractmethod
    def apply(self, model: CoGovModel) -> None:
        """Make the change now."""

    def revert(self, model: CoGovModel) -> None:
        """Undo a temporary change at ``end_day`` (interventions without an end do nothing)."""

    def rng(self, model: CoGovModel, purpose: str = "") -> np.random.Generator:
        """A random stream of this intervention's own, for today (``purpose`` names a second stream)."""
        position = next((k for k, iv in enumerate(model.interventions) if iv is self), "unlisted")
        suffix = f".{purpose}" if purpose else ""
        return stream(model.seed, f"intervention.{self.kind}.{position}{suffix}", model.day)

    def check(self, scenario: Scenario, policy: list[Intervention] | tuple[Intervention, ...] = ()) -> None:
        """Check the targets against the scenario the intervention will act on.

        Args:
            scenario: the (base) scenario.
            policy: the other interventions of the same policy (a level one of them adds counts as present).

        Raises:
            ValueError: ``"field: message"`` when a target does not exist.
        """

    def summary(self) -> str:
        """One line: the kind and the parameters that differ from their defaults."""
        params = self.model_dump(exclude_defaults=True, exclude={"kind"}, mode="json")
        text = ", ".join(f"{k}={v}" for k, v in params.items())
        return f"{self.kind}({text})"

    def _log(self, model: CoGovModel, text: str) -> None:
        model.intervention_log.append((effect_day(model), f"{self.kind}: {text}"))


class _Temporary(Intervention):
    """An intervention that may end: ``end_day`` is its last day in effect."""

    end_day: int | None = Field(None, ge=1, description="Last day in effect (the change is undone after it).")

    @model_validator(mode="after")
    def _check_end(self) -> _Temporary:
        if self.end_day is not None and self.end_day < self.start_day:
            raise ValueError(f"end_day: {self.end_day} is before start_day {self.start_day}")
        return self


def _levels_added(policy: list[Intervention] | tuple[Intervention, ...]) -> set[str]:
    out: set[str] = set()
    for iv in policy:
        if isinstance(iv, AddCenters):
            out.add(iv.level)
        elif isinstance(iv, RiderStations):
            out.add("rider")
    return out


class _CenterTargets(Intervention):
    """An intervention on centers chosen by level, index and residential area."""

    levels: tuple[Level, ...] = Field((), description="Center levels targeted.")
    centers: tuple[int, ...] = Field((), description="Center indices (0-based rows of the center table).")
    areas: tuple[int, ...] = Field((), description="Residential areas (0-based) whose centers are targeted.")

    @model_validator(mode="after")
    def _need_target(self) -> _CenterTargets:
        if not (self.levels or self.centers or self.areas):
            raise ValueError("levels: give at least one of levels, centers or areas (the centers it acts on)")
        if any(c < 0 for c in self.centers):
            raise ValueError("centers: indices are 0-based and must be >= 0")
        if any(a < 0 for a in self.areas):
            raise ValueError("areas: indices are 0-based and must be >= 0")
        return self

    def targets(self, model: CoGovModel) -> np.ndarray:
        """Indices of the active centers that match every filter given."""
        c = model.centers
        mask = c.active.copy()
        if self.levels:
            mask &= np.isin(c.level, [LEVELS.index(lv) for lv in self.levels])
        if self.centers:
            pick = np.zeros(len(c), dtype=bool)
            pick[[i for i in self.centers if i < len(c)]] = True
            mask &= pick
        if self.areas:
            mask &= np.isin(c.area_index, list(self.areas))
        return np.flatnonzero(mask)

    def check(self, scenario: Scenario, policy: list[Intervention] | tuple[Intervention, ...] = ()) -> None:
        """Centers and areas must exist; a targeted level must be in the scenario or added by the policy."""
        n = scenario_center_count(scenario)
        for k, i in enumerate(self.centers):
            if i >= n and not _levels_added(policy):
                raise ValueError(f"centers.{k}: center {i} does not exist (the scenario has {n} centers: 0-{n - 1})")
        _check_areas(self.areas, scenario)
        present = {lv for lv in LEVELS if scenario.center_count(lv) > 0} | _levels_added(policy)
        for k, lv in enumerate(self.levels):
            if lv not in present:
                have = ", ".join(sorted(present, key=LEVELS.index)) or "none"
                raise ValueError(f"levels.{k}: the scenario has no {lv} centers (levels present: {have})")


def _check_areas(areas: tuple[int, ...], scenario: Scenario) -> None:
    n = scenario.population.residential_areas
    for k, a in enumerate(areas):
        if a >= n:
            raise ValueError(f"areas.{k}: area {a} does not exist (the scenario has {n} areas: 0-{n - 1})")


def _nearest_active(model: CoGovModel, x: float, y: float, exclude: np.ndarray | None = None) -> int:
    c = model.centers
    mask = c.active.copy()
    if exclude is not None and len(exclude):
        mask[exclude] = False
    idx = np.flatnonzero(mask)
    if not len(idx):
        return -1
    return int(idx[np.argmin(np.hypot(c.x[idx] - x, c.y[idx] - y))])


def _party_orgs(model: CoGovModel, tiers: tuple[str, ...], areas: tuple[int, ...]) -> list[PartyOrganization]:
    from cogov_sim.agents import PartyOrganization

    out = []
    for o in model.orgs:
        if isinstance(o, PartyOrganization) and o.tier in tiers and (not areas or o.area in areas):
            out.append(o)
    return out


def _open_slot(model: CoGovModel, rng: np.random.Generator, center: int, kind: int) -> int | None:
    slots = np.flatnonzero(model.centers.open[center, kind])
    if not len(slots):
        return None
    return int(slots[rng.integers(0, len(slots))])


# ---------------------------------------------------------------------------------------------------- centers
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

    @model_validator(mode="after")
    def _check_sites(self) -> AddCenters:
        if self.sites and self.areas:
            raise ValueError("areas: give sites or areas, not both")
        if any(a < 0 for a in self.areas):
            raise ValueError("areas: indices are 0-based and must be >= 0")
        return self

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

    def check(self, scenario: Scenario, policy: list[Intervention] | tuple[Intervention, ...] = ()) -> None:
        """Sites must lie in the area and areas must exist."""
        _check_areas(self.areas, scenario)
        for k, s in enumerate(self.sites):
            if not (0 <= s.x_m <= scenario.area.width_m and 0 <= s.y_m <= scenario.area.height_m):
                raise ValueError(f"sites.{k}: ({s.x_m}, {s.y_m}) lies outside the area")

    def apply(self, model: CoGovModel) -> None:
        """Build and open the centers."""
        from cogov_sim.city import _snap_to_road, make_centers, place_centers

        spec = self.level_spec()
        n = len(self.sites) if self.sites else self.count
        if n == 0:
            return
        rng = self.rng(model)
        lay = model.layout
        if self.areas:
            a = np.array(self.areas)[np.arange(n) % len(self.areas)]
            pts = lay.area_centers[a] + rng.normal(0, lay.road_spacing * 0.3, (n, 2))
            pos = _snap_to_road(np.clip(pts, 0, [lay.width, lay.height]), lay.road_spacing, lay.width, lay.height)
        else:
            pos = place_centers(rng, spec, n, lay, self.level)
        new = model.add_centers(make_centers(pos, self.level, spec, rng, lay))
        self._state["added"] = new
        self._log(model, f"{len(new)} {self.level}")


class CloseCenters(_CenterTargets, _Temporary):
    """Close centers: they leave everyone's choice set; organizations based there move to the nearest open center.

    ``select`` picks among the targeted centers (``all``, the ``least_visited`` or ``most_visited`` so far, or
    ``random``) and ``count`` caps how many. With ``end_day`` the centers reopen after it (a renovation) and the
    organizations move back.
    """

    kind: Literal["close_centers"] = "close_centers"
    select: Literal["all", "least_visited", "most_visited", "random"] = "all"
    count: int | None = Field(None, ge=0, le=100_000, description="Close at most this many (default: all selected).")

    def apply(self, model: CoGovModel) -> None:
        """Close the selected centers and move the organizations based there."""
        idx = self.targets(model)
        if self.select == "random":
            idx = self.rng(model).permutation(idx)
        elif self.select in ("least_visited", "most_visited"):
            v = model.visits_by_center[idx].sum(axis=1)
            order = np.argsort(v if self.select == "least_visited" else -v, kind="stable")
            idx = idx[order]
        if self.count is not None:
            idx = idx[: self.count]
        idx = np.sort(idx)
        self._state["closed"] = idx
        if not len(idx):
            return
        c = model.centers
        c.active[idx] = False
        moved = []
        closed = set(idx.tolist())
        for o in model.orgs:
            if o.center in closed:
                moved.append((o, o.center))
                o.center = _nearest_active(model, float(c.x[o.center]), float(c.y[o.center]))
        self._state["moved"] = moved
        model.refresh_candidates()
        self._log(model, f"closed {len(idx)} centers")

    def revert(self, model: CoGovModel) -> None:
        """Reopen the centers and move the organizations back."""
        idx = self._state.get("closed")
        if idx is None or not len(idx):
            return
        model.centers.active[idx] = True
        for o, center in self._state.get("moved", []):
            o.center = center
        model.refresh_candidates()
        self._log(model, f"reopened {len(idx)} centers")


class AddFunctions(_CenterTargets, _Temporary):
    """Add function zones to the targeted centers (a canteen, a council hall, a rider rest room ...).

    People whose need the zone serves weigh the center more (the need-match term of the choice rule) and are
    served there; convened service projects may use the new zones; a ``deliberation`` zone turns problem meetings
    there into face-to-face deliberation. With ``end_day`` the zones are removed again after it.
    """

    kind: Literal["add_functions"] = "add_functions"
    functions: tuple[Function, ...] = Field(min_length=1, description="Function zones to add.")

    def apply(self, model: CoGovModel) -> None:
        """Set the zones and recompute everyone's choice weights."""
        self._set(model, True)

    def _set(self, model: CoGovModel, value: bool) -> None:
        idx = self.targets(model)
        cols = [FUNCTIONS.index(f) for f in self.functions]
        before = model.centers.functions[np.ix_(idx, cols)].copy()
        after = np.full_like(before, value)
        if not value:
            # a center keeps at least one zone: where removal would leave none, nothing is removed there
            left = model.centers.functions[idx].sum(axis=1) - before.sum(axis=1)
            after[left == 0] = before[left == 0]
        self._state["cells"] = (idx, cols, before)
        if np.array_equal(before, after):
            return
        model.centers.functions[np.ix_(idx, cols)] = after
        model.refresh_candidates()
        self._log(model, f"{'added' if value else 'removed'} {int((before != after).sum())} zones")

    def revert(self, model: CoGovModel) -> None:
        """Restore the zones the centers had before."""
        cells = self._state.get("cells")
        if cells is None:
            return
        idx, cols, before = cells
        model.centers.functions[np.ix_(idx, cols)] = before
        model.refresh_candidates()
        self._log(model, "restored zones")


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


class ChangeHours(_CenterTargets, _Temporary):
    """Change opening hours: open (``add``), close (``remove``) or ``set`` the given slots on the given day kinds.

    Evening opening (``open_slots: [evening]``) lets working adults and office workers come after work (their
    availability is highest in the evening); weekend opening (``open_days: [weekend]``) does the same for
    commuters' free days. A center is only chosen, and activities are only convened there, in its open slots.
    With ``end_day`` the old hours come back after it.
    """

    kind: Literal["change_hours"] = "change_hours"
    open_slots: tuple[Slot, ...] = Field(("evening",), min_length=1, description="Slots: " + ", ".join(SLOTS))
    open_days: tuple[DayKind, ...] = Field(ALL_DAYS, min_length=1, description="Day kinds: weekday, weekend.")
    mode: Literal["add", "remove", "set"] = "add"

    def apply(self, model: CoGovModel) -> None:
        """Change the opening table of the targeted centers."""
        idx = self.targets(model)
        c = model.centers
        before = c.open[idx].copy()
        after = np.zeros_like(before) if self.mode == "set" else before.copy()
        value = self.mode != "remove"
        for d in self.open_days:
            for s in self.open_slots:
                after[:, DAY_KINDS.index(d), SLOTS.index(s)] = value
        self._state["open"] = (idx, before)
        if np.array_equal(before, after):
            return
        c.open[idx] = after
        self._log(model, f"{self.mode} {'/'.join(self.open_slots)} on {'/'.join(self.open_days)} at {len(idx)}")

    def revert(self, model: CoGovModel) -> None:
        """Restore the old hours."""
        saved = self._state.get("open")
        if saved is None:
            return
        idx, before = saved
        model.centers.open[idx] = before
        self._log(model, "restored hours")


class RiderStations(Intervention):
    """Open stations for new-employment workers (暖新驿站): rider-level centers near the routes riders pass.

    Stations are placed at the points of ``model.layout.rider_points`` (street frontage riders ride along):
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
    open_slots: tuple[Slot, ...] = Field(ALL_SLOTS, min_length=1)
    open_days: tuple[DayKind, ...] = Field(ALL_DAYS, min_length=1)
    visibility: float = Field(0.6, ge=0, le=1)

    def apply(self, model: CoGovModel) -> None:
        """Place and open the stations."""
        from cogov_sim.city import make_centers

        if self.count == 0:
            return
        rng = self.rng(model)
        pts = model.layout.rider_points.astype(float)
        c = model.centers
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
        new = model.add_centers(make_centers(pos, "rider", spec, rng, model.layout))
        self._state["added"] = new
        self._log(model, f"{len(new)} rider stations")


# ---------------------------------------------------------------------------------------------- organizations
class _PartyTargets(_Temporary):
    """An intervention on Party organizations chosen by tier and residential area."""

    tiers: tuple[Tier, ...] = Field(TIERS, min_length=1, description="Tiers: street, branch, workplace.")
    areas: tuple[int, ...] = Field((), description="Only the branches of these residential areas (0-based).")

    def check(self, scenario: Scenario, policy: list[Intervention] | tuple[Intervention, ...] = ()) -> None:
        """Areas must exist."""
        _check_areas(self.areas, scenario)

    def party(self, model: CoGovModel) -> list[PartyOrganization]:
        """The targeted Party organizations."""
        return _party_orgs(model, self.tiers, self.areas)


class MobilizationCampaign(_PartyTargets):
    """Party organizations convene more for a while: their convening rate is multiplied by ``multiplier``.

    Campaigns multiply (two overlapping campaigns of 2 give 4); at ``end_day`` the multiplier is divided out.
    """

    kind: Literal["mobilization_campaign"] = "mobilization_campaign"
    multiplier: float = Field(2.0, gt=0, le=20, description="Factor on the activities convened per week.")

    def apply(self, model: CoGovModel) -> None:
        """Raise the campaign factor of the targeted organizations."""
        orgs = self.party(model)
        self._state["orgs"] = orgs
        for o in orgs:
            o.campaign *= self.multiplier
        self._log(model, f"x{self.multiplier:g} convening for {len(orgs)} Party organizations")

    def revert(self, model: CoGovModel) -> None:
        """End the campaign."""
        for o in self._state.get("orgs", []):
            o.campaign /= self.multiplier
        self._log(model, "campaign ended")


class WithdrawPartyConvening(_PartyTargets):
    """Party organizations stop convening (to test whether co-governance sustains itself: path dependence).

    The targeted organizations convene no activities of their own; the regular actions of their co-building
    agreements are convened by the partner instead, and programmes they lead (an alliance, joint meetings) pass
    to the most committed member or stop. They still accept invitations as partners, keep operating their centers
    and keep their ties. With ``end_day`` they resume convening after it.
    """

    kind: Literal["withdraw_party_convening"] = "withdraw_party_convening"

    def apply(self, model: CoGovModel) -> None:
        """Stop the targeted organizations convening."""
        orgs = [o for o in self.party(model) if o.convening]
        self._state["orgs"] = orgs
        for o in orgs:
            o.convening = False
        self._log(model, f"{len(orgs)} Party organizations stop convening")

    def revert(self, model: CoGovModel) -> None:
        """Resume convening."""
        for o in self._state.get("orgs", []):
            o.convening = True
        self._log(model, "Party organizations convene again")


class IncubateSocialOrganizations(_CenterTargets):
    """Found social organizations at incubation centers and support them for a while.

    ``count`` organizations are founded on ``start_day`` at the targeted centers in turn (default the street
    center: the street's incubation base), each with one specialty from ``specialties`` in turn, starting at
    ``maturity``. For ``support_months`` months each surviving one gains ``support_per_month`` maturity (grants,
    training, a desk at the center). Social organizations join activities in their specialty, mature with success
    and fail when still immature (< 0.25) a year after founding. They count toward ``social_organizations``; the
    scenario's cap limits only spontaneous incubation.
    """

    kind: Literal["incubate_social_organizations"] = "incubate_social_organizations"
    levels: tuple[Level, ...] = Field(("street",), description="Center levels that incubate.")
    count: int = Field(5, ge=0, le=10_000, description="Social organizations founded.")
    specialties: tuple[Function, ...] = Field(
        ("livelihood", "group_work", "training", "culture_sports"), min_length=1, description="Assigned in turn."
    )
    maturity: float = Field(0.3, ge=0, le=1, description="Maturity at founding (0-1).")
    support_per_month: float = Field(0.05, ge=0, le=1, description="Maturity gained per month of support.")
    support_months: int = Field(12, ge=0, le=1200, description="Months of support.")

    def apply(self, model: CoGovModel) -> None:
        """Found the organizations and schedule the monthly support."""
        from mesa.time import Schedule

        centers = self.targets(model)
        founded = []
        for k in range(self.count if len(centers) else 0):
            c = int(centers[k % len(centers)])
            spec = FUNCTIONS.index(self.specialties[k % len(self.specialties)])
            org = model.add_social_org(c, int(model.centers.area_index[c]), specialty=spec, maturity=self.maturity)
            founded.append(org)
        self._state["founded"] = founded
        if founded and self.support_months and self.support_per_month > 0:
            model.schedule_recurring(
                self._support, Schedule(interval=30, start=model.time + 30, count=self.support_months)
            )
        self._log(model, f"{len(founded)} social organizations")

    def _support(self) -> None:
        for o in self._state.get("founded", []):
            if o.active:
                o.maturity = min(1.0, o.maturity + self.support_per_month)


class LaunchAlliance(Intervention):
    """A business-district party-building alliance (商圈党建联盟) of enterprises and Party organizations.

    Members: the ``lead`` Party organization (the street working committee, or the workplace Party organization
    nearest the business district) and the organizations of ``member_types`` based at centers within
    ``radius_m`` of the business district (``zones.business_district``), nearest first, at most ``max_members``.
    They are recorded in ``model.alliances[name]``. At launch the members sign co-building agreements
    (``agreements``: between the lead and each member, among ``all`` members, or ``none``); each agreement then
    holds a regular joint action about every two weeks (the supply phase). The alliance also holds its own joint
    actions, ``actions_per_month`` on average, at the ``venue`` (the open center nearest the business district
    among building, grid and street centers, or the lead's center), convened by the lead (by the most committed
    member if the lead stopped convening), with up to four members as partners, each taking part with chance
    ``participation`` × its free capacity. With ``end_day`` the alliance's own actions stop after it; the
    agreements stay in force.
    """

    kind: Literal["launch_alliance"] = "launch_alliance"
    name: str = Field("business district alliance", min_length=1, description="Alliance name.")
    lead: Literal["street", "workplace"] = "street"
    member_types: tuple[Literal["enterprise", "party", "social_org", "department"], ...] = Field(
        ("enterprise", "party"), min_length=1
    )
    radius_m: float = Field(800.0, gt=0, le=100_000, description="Members are based within this distance, m.")
    max_members: int | None = Field(
        20, ge=1, le=100_000, description="At most this many members, the lead included (nearest first)."
    )
    agreements: Literal["lead", "all", "none"] = "lead"
    actions_per_month: float = Field(4.0, ge=0, le=90, description="The alliance's own joint actions per month.")
    venue: Literal["district", "lead"] = "district"
    participation: float = Field(0.7, ge=0, le=1, description="Chance an invited member takes part.")
    end_day: int | None = Field(None, ge=1, description="Last day of the alliance's own actions.")

    @model_validator(mode="after")
    def _check_end(self) -> LaunchAlliance:
        if self.end_day is not None and self.end_day < self.start_day:
            raise ValueError(f"end_day: {self.end_day} is before start_day {self.start_day}")
        return self

    def district_point(self, model: CoGovModel) -> tuple[float, float]:
        """The business district's middle, m."""
        fx, fy = model.config.zones.business_district
        return fx * model.layout.width, fy * model.layout.height

    def apply(self, model: CoGovModel) -> None:
        """Form the alliance, sign its agreements and start its regular actions."""
        from cogov_sim.agents import PartyOrganization

        c = model.centers
        bx, by = self.district_point(model)

        def dist(o: Organization) -> float:
            return float(np.hypot(c.x[o.center] - bx, c.y[o.center] - by)) if o.center >= 0 else np.inf

        party = [o for o in model.orgs if isinstance(o, PartyOrganization)]
        if self.lead == "street":
            lead = next((o for o in party if o.tier == "street"), party[0])
        else:
            work = [o for o in party if o.tier == "workplace"] or party
            lead = min(work, key=dist)
        cand = [o for o in model.orgs if o is not lead and o.active and o.kind in self.member_types]
        cand = [o for o in cand if dist(o) <= self.radius_m]
        cand.sort(key=lambda o: (dist(o), o.node))
        if self.max_members is not None:
            cand = cand[: max(self.max_members - 1, 0)]
        members = [lead, *cand]
        model.alliances[self.name] = {o.node for o in members}
        signed = 0
        if self.agreements != "none":
            pairs = (
                [(lead, o) for o in cand]
                if self.agreements == "lead"
                else [(x, y) for i, x in enumerate(members) for y in members[i + 1 :]]
            )
            for x, y in pairs:
                key = (min(x.node, y.node), max(x.node, y.node))
                if key not in model.agreements:
                    model.agreements[key] = effect_day(model)
                    signed += 1
        venue = -1
        if self.venue == "district":
            levels = [LEVELS.index(lv) for lv in ("building", "grid", "street")]
            ok = np.flatnonzero(c.active & np.isin(c.level, levels))
            if len(ok):
                venue = int(ok[np.argmin(np.hypot(c.x[ok] - bx, c.y[ok] - by))])
        self._state.update(lead=lead, members=members, venue=venue)
        model.programmes.append(self)
        self._log(model, f"'{self.name}': {len(members)} members, {signed} agreements signed")

    def revert(self, model: CoGovModel) -> None:
        """Stop the alliance's own joint actions (agreements stay in force)."""
        if self in model.programmes:
            model.programmes.remove(self)
        self._log(model, f"'{self.name}' stops its own actions")

    def activities(self, model: CoGovModel, supply: Supply, kind: int, has_venue: bool) -> list[Activity]:
        """Today's alliance joint actions (called by the supply phase)."""
        from cogov_sim.model import Activity

        members: list[Organization] = [o for o in self._state["members"] if o.active]
        if not members or self.actions_per_month <= 0:
            return []
        rng = self.rng(model, "actions")
        n = int(rng.poisson(self.actions_per_month / 30.0))
        if n == 0:
            return []
        lead = self._state["lead"]
        convener = lead if (lead.active and lead.convening) else None
        if convener is None:
            able = [o for o in members if o.convening]
            if not able:
                return []
            convener = max(able, key=lambda o: (o.commitment, -o.node))
        venue = self._state["venue"]
        c = model.centers
        if venue < 0 or not c.active[venue]:
            venue = convener.center if convener.center >= 0 and c.active[convener.center] else -1
        if venue < 0:
            return []
        out = []
        for _ in range(n):
            slot = _open_slot(model, rng, venue, kind)
            if slot is None:
                break
            problem, function, face = choose_topic(model, rng, venue, int(c.area_index[venue]), 0.5)
            others = [o for o in members if o is not convener]
            partners = []
            for i in rng.permutation(len(others))[:4]:
                o = others[int(i)]
                if rng.random() < self.participation * o.free_capacity():
                    o.busy += 1
                    o.joined += 1
                    partners.append(o)
            convener.busy += 1
            convener.convened += 1
            out.append(Activity(convener, venue, slot, function, problem=problem, partners=partners, face_to_face=face))
        return out


class DepartmentCoordination(_Temporary):
    """Regular joint meetings (联席会议) of government departments convened by the street working committee.

    Every ``every_days`` days from ``start_day`` the street working committee convenes a joint meeting at its
    center with every active department as a partner, on the longest-open community problem (face-to-face when
    the center has a council hall), else on government services. The meetings are joint actions like any other:
    they build ties between the departments and the Party organizations (which raise each department's
    ``coordination`` at the weekly supply update) and can resolve the problem. On ``start_day`` every
    department's ``responsiveness`` also rises by ``responsiveness_boost`` (capped at 0.95): the meetings agree a
    response procedure. With ``end_day`` the meetings stop and the boost is taken back after it. If the
    committee stopped convening, no meeting is held.
    """

    kind: Literal["department_coordination"] = "department_coordination"
    every_days: int = Field(14, ge=1, le=365, description="Days between joint meetings.")
    responsiveness_boost: float = Field(0.1, ge=0, le=0.9, description="Rise in responsiveness (absolute).")

    def apply(self, model: CoGovModel) -> None:
        """Raise responsiveness and start the meetings."""
        from cogov_sim.agents import Department

        depts = [o for o in model.orgs if isinstance(o, Department)]
        before = [d.responsiveness for d in depts]
        for d in depts:
            d.responsiveness = min(0.95, d.responsiveness + self.responsiveness_boost)
        lead = next((o for o in _party_orgs(model, ("street",), ())), None)
        self._state.update(depts=depts, before=before, lead=lead, first=effect_day(model))
        model.programmes.append(self)
        self._log(model, f"{len(depts)} departments, meetings every {self.every_days} days")

    def revert(self, model: CoGovModel) -> None:
        """Stop the meetings and take back the responsiveness boost."""
        for d, r in zip(self._state.get("depts", []), self._state.get("before", []), strict=True):
            d.responsiveness = r
        if self in model.programmes:
            model.programmes.remove(self)
        self._log(model, "joint meetings end")

    def activities(self, model: CoGovModel, supply: Supply, kind: int, has_venue: bool) -> list[Activity]:
        """Today's joint meeting, if one is due (called by the supply phase)."""
        from cogov_sim.model import Activity

        lead = self._state["lead"]
        if (model.day - self._state["first"]) % self.every_days or lead is None:
            return []
        if not (lead.active and lead.convening) or lead.center < 0 or not model.centers.active[lead.center]:
            return []
        rng = self.rng(model, "meetings")
        venue = lead.center
        slot = _open_slot(model, rng, venue, kind)
        if slot is None:
            return []
        depts: list[Department] = [d for d in self._state["depts"] if d.active]
        probs = model.problems
        open_ = np.flatnonzero(probs.open_mask)
        if len(open_):
            problem = int(open_[np.argmin(probs.opened[open_])])
            function = probs.function_of(problem)
        else:
            problem, function = -1, FUNCTIONS.index("government_services")
        face = bool(problem >= 0 and model.centers.functions[venue, FUNCTIONS.index("deliberation")])
        for d in depts:
            d.busy += 1
            d.joined += 1
        lead.busy += 1
        lead.convened += 1
        return [Activity(lead, venue, slot, function, problem=problem, partners=list(depts), face_to_face=face)]


REGISTRY: dict[str, type[Intervention]] = {
    "add_centers": AddCenters,
    "close_centers": CloseCenters,
    "add_functions": AddFunctions,
    "remove_functions": RemoveFunctions,
    "change_hours": ChangeHours,
    "rider_stations": RiderStations,
    "launch_alliance": LaunchAlliance,
    "incubate_social_organizations": IncubateSocialOrganizations,
    "mobilization_campaign": MobilizationCampaign,
    "department_coordination": DepartmentCoordination,
    "withdraw_party_convening": WithdrawPartyConvening,
}
"""Intervention name -> class."""


def make_intervention(data: dict[str, Any], file: str = "", path: str = "") -> Intervention:
    """Build an intervention from plain data; bad input raises ScenarioError with the field path."""
    if not isinstance(data, dict) or "kind" not in data:
        raise ScenarioError(file, path, f"an intervention needs a `kind`; allowed: {', '.join(REGISTRY)}")
    kind = data["kind"]
    if kind not in REGISTRY:
        raise ScenarioError(file, f"{path}.kind" if path else "kind", _unknown_message("", str(kind), list(REGISTRY)))
    try:
        return REGISTRY[kind].model_validate(data)
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        sub = ".".join(str(p) for p in first["loc"])
        msg = first["msg"]
        if first["type"] == "value_error":
            # validators report their own field first ("end_day: ...")
            msg = msg.removeprefix("Value error, ")
            head, sep, rest = msg.partition(": ")
            if sep and " " not in head:
                sub = f"{sub}.{head}" if sub else head
                msg = rest
        where = f"{path}.{sub}" if path and sub else (path or sub)
        if first["type"] == "extra_forbidden":
            allowed = list(REGISTRY[kind].model_fields)
            raise ScenarioError(file, where, _unknown_message(where, str(first["loc"][-1]), allowed)) from None
        if first["type"] == "literal_error" and first.get("ctx", {}).get("expected"):
            msg = f"got {first.get('input')!r}; allowed: {first['ctx']['expected']}"
        raise ScenarioError(file, where, msg) from None
