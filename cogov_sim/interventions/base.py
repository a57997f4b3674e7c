"""The intervention framework: the base class, when an intervention acts, its streams and its targets.

An intervention is a frozen pydantic model with a ``kind`` (its registry name), a ``start_day`` (and, where it
makes sense, an ``end_day``) and its own parameters. ``schedule(model)`` registers it with Mesa's event list half
a day before ``start_day``, so it acts before that day's phases (and so before day ``start_day`` is recorded);
an ``end_day`` is the last day in effect, undone (``revert``) half a day after it. ``apply(model)`` performs the
change at once (the browser app uses this to act "now"). Interventions change the model's World only through
its edits (``World.open_centers``, ``close_centers``, ``set_functions``, ``set_hours``, ``found_social_org``) or
the plain state of its organizations; what an intervention must remember to undo it is a small typed record.

Targets. Interventions on centers select them by ``levels`` (center levels), ``centers`` (0-based indices of the
center table, the ``center`` column of ``per_center.csv``) and ``areas`` (0-based residential-area indices); the
selection is the active centers that match every filter given. Interventions on Party organizations select them by
``tiers`` (``street`` working committee, residential ``branch``, ``workplace`` organization) and ``areas``.

Randomness. Every intervention draws from its own streams (named after its kind, its position in the model's list
and the day), so the model's mechanism streams stay untouched and a policy changes only what it touches (common
random numbers).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Literal, get_args

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from cogov_sim.rng import stream
from cogov_sim.scenario import LEVELS, Level, Scenario
from cogov_sim.world import World
from cogov_sim.world.organizations import PartyOrganization

if TYPE_CHECKING:
    from cogov_sim.model import CoGovModel

Tier = Literal["street", "branch", "workplace"]
TIERS: tuple[Tier, ...] = get_args(Tier)
"""Tiers of Party organizations: the street working committee, residential-area branches, building/park ones."""

Policy = list["Intervention"] | tuple["Intervention", ...]


def effect_day(model: CoGovModel) -> int:
    """The first day whose phases see a change made now (events fire half a day before their day)."""
    return math.floor(model.time) + 1


def scenario_center_count(scenario: Scenario) -> int:
    """Number of centers a scenario builds (all levels)."""
    return sum(scenario.center_count(level) for level in LEVELS)


class Intervention(BaseModel, ABC):
    """Base of all interventions: when it starts and, optionally, ends."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    kind: str
    start_day: int = Field(1, ge=1, description="First day the intervention is in effect.")
    description: ClassVar[str] = ""

    _model: Any = PrivateAttr(None)
    _state: object | None = PrivateAttr(None)  # what it did, to undo it: each subclass names its record type

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
        """Attach to a model (events call back into it); forgets what it did to an earlier model."""
        self._model = model
        self._state = None
        return self

    @abstractmethod
    def apply(self, model: CoGovModel) -> None:
        """Make the change now."""

    def revert(self, model: CoGovModel) -> None:
        """Undo a temporary change at ``end_day`` (interventions without an end do nothing)."""

    def stream_name(self, model: CoGovModel, purpose: str = "") -> str:
        """Name of this intervention's own stream (``purpose`` names a second one)."""
        position = next((k for k, iv in enumerate(model.interventions) if iv is self), "unlisted")
        suffix = f".{purpose}" if purpose else ""
        return f"intervention.{self.kind}.{position}{suffix}"

    def rng(self, model: CoGovModel, purpose: str = "") -> np.random.Generator:
        """A random stream of this intervention's own, for the day it takes effect (``purpose`` names a second one).

        The day is :func:`effect_day`, so a change applied at once after day t (the browser app) draws what the same
        intervention scheduled for day t + 1 draws (an exported rerun).
        """
        return stream(model.world.seed, self.stream_name(model, purpose), effect_day(model))

    def adds_level(self) -> str | None:
        """The center level this intervention opens centers of (None: it opens none)."""
        return None

    def check(self, scenario: Scenario, policy: Policy = ()) -> None:
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

    def log(self, model: CoGovModel, text: str) -> None:
        """Record what the intervention did, on the day it takes effect."""
        model.world.intervention_log.append((effect_day(model), f"{self.kind}: {text}"))


class Temporary(Intervention):
    """An intervention that may end: ``end_day`` is its last day in effect."""

    end_day: int | None = Field(None, ge=1, description="Last day in effect (the change is undone after it).")

    @model_validator(mode="after")
    def _check_end(self) -> Temporary:
        if self.end_day is not None and self.end_day < self.start_day:
            raise ValueError(f"end_day: {self.end_day} is before start_day {self.start_day}")
        return self


def levels_added(policy: Policy) -> set[str]:
    """Center levels the interventions of ``policy`` open centers of."""
    return {lv for iv in policy if (lv := iv.adds_level()) is not None}


def check_areas(areas: tuple[int, ...], scenario: Scenario) -> None:
    """Every residential area of ``areas`` must exist in ``scenario``."""
    n = scenario.population.residential_areas
    for k, a in enumerate(areas):
        if a >= n:
            raise ValueError(f"areas.{k}: area {a} does not exist (the scenario has {n} areas: 0-{n - 1})")


class CenterTargets(Intervention):
    """An intervention on centers chosen by level, index and residential area."""

    levels: tuple[Level, ...] = Field((), description="Center levels targeted.")
    centers: tuple[int, ...] = Field((), description="Center indices (0-based rows of the center table).")
    areas: tuple[int, ...] = Field((), description="Residential areas (0-based) whose centers are targeted.")

    @model_validator(mode="after")
    def _need_target(self) -> CenterTargets:
        if not (self.levels or self.centers or self.areas):
            raise ValueError("levels: give at least one of levels, centers or areas (the centers it acts on)")
        if any(c < 0 for c in self.centers):
            raise ValueError("centers: indices are 0-based and must be >= 0")
        if any(a < 0 for a in self.areas):
            raise ValueError("areas: indices are 0-based and must be >= 0")
        return self

    def targets(self, world: World) -> np.ndarray:
        """Indices of the active centers that match every filter given."""
        c = world.centers
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

    def check(self, scenario: Scenario, policy: Policy = ()) -> None:
        """Centers and areas must exist; a targeted level must be in the scenario or added by the policy."""
        n = scenario_center_count(scenario)
        for k, i in enumerate(self.centers):
            if i >= n and not levels_added(policy):
                raise ValueError(f"centers.{k}: center {i} does not exist (the scenario has {n} centers: 0-{n - 1})")
        check_areas(self.areas, scenario)
        present = {lv for lv in LEVELS if scenario.center_count(lv) > 0} | levels_added(policy)
        for k, lv in enumerate(self.levels):
            if lv not in present:
                have = ", ".join(sorted(present, key=LEVELS.index)) or "none"
                raise ValueError(f"levels.{k}: the scenario has no {lv} centers (levels present: {have})")


def party_orgs(world: World, tiers: tuple[str, ...], areas: tuple[int, ...] = ()) -> list[PartyOrganization]:
    """The Party organizations of ``tiers`` (and, if given, of residential ``areas``), in node order."""
    return [
        o for o in world.orgs if isinstance(o, PartyOrganization) and o.tier in tiers and (not areas or o.area in areas)
    ]


class PartyTargets(Temporary):
    """An intervention on Party organizations chosen by tier and residential area."""

    tiers: tuple[Tier, ...] = Field(TIERS, min_length=1, description="Tiers: street, branch, workplace.")
    areas: tuple[int, ...] = Field((), description="Only the branches of these residential areas (0-based).")

    def check(self, scenario: Scenario, policy: Policy = ()) -> None:
        """Areas must exist."""
        check_areas(self.areas, scenario)

    def party(self, world: World) -> list[PartyOrganization]:
        """The targeted Party organizations."""
        return party_orgs(world, self.tiers, self.areas)
