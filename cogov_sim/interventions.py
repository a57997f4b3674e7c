"""What-if policy objects: serializable interventions applied to a running model at a day.

An intervention is a frozen pydantic model with a ``kind`` (its registry name), a ``start_day`` (and, where it
makes sense, an ``end_day``) and its own parameters. ``schedule(model)`` registers it with Mesa's event list half
a day before ``start_day``, so it acts before that day's phases (and so before day ``start_day`` is recorded);
``apply(model)`` performs the change at once (the browser app uses this to act "now").

Every intervention draws any randomness from its own stream (named after its kind and position), so the model's
mechanism streams stay untouched and a policy changes only what it touches (common random numbers).

``REGISTRY`` maps a name to its class; :func:`make_intervention` builds one from plain data (as in an experiment
file) with field-path errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cogov_sim.rng import stream
from cogov_sim.scenario import CenterLevel, Function, Level, ScenarioError, Site, _unknown_message

if TYPE_CHECKING:
    from cogov_sim.model import CoGovModel


class Intervention(BaseModel):
    """Base of all interventions: when it starts and, optionally, ends."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    start_day: int = Field(1, ge=1, description="First day the intervention is in effect.")
    description: ClassVar[str] = ""

    def schedule(self, model: CoGovModel) -> None:
        """Register with the model's event list (before the phases of ``start_day``)."""
        model.schedule_event(self._fire, at=self.start_day - 0.5)
        end = getattr(self, "end_day", None)
        if end is not None:
            model.schedule_event(self._expire, at=end + 0.5)

    def _fire(self) -> None:
        self.apply(self._model)

    def _expire(self) -> None:
        self.revert(self._model)

    def bind(self, model: CoGovModel) -> Intervention:
        """Attach to a model (events call back into it)."""
        object.__setattr__(self, "_model", model)
        return self

    def apply(self, model: CoGovModel) -> None:
        """Make the change now."""
        raise NotImplementedError(f"{type(self).__name__} must implement apply")

    def revert(self, model: CoGovModel) -> None:
        """Undo a temporary change at ``end_day`` (interventions without an end do nothing)."""

    def rng(self, model: CoGovModel) -> np.random.Generator:
        """A random stream of this intervention's own, for today."""
        position = next(k for k, iv in enumerate(model.interventions) if iv is self)
        return stream(model.seed, f"intervention.{self.kind}.{position}", model.day)


class AddCenters(Intervention):
    """Open new centers of a level: placed like the scenario's own (``placement``) or at explicit sites.

    The new centers are in the candidate sets of everyone from ``start_day``; people learn of them as of any
    center of that level (awareness of the level, street-front visibility, word of mouth).
    """

    kind: Literal["add_centers"] = "add_centers"
    level: Level = "residential"
    count: int = Field(1, ge=0, le=10_000, description="How many centers (ignored with sites).")
    placement: Literal["frontage", "even", "random", "residential_areas", "workplaces", "explicit"] = "frontage"
    sites: tuple[Site, ...] = ()
    functions: tuple[Function, ...] = ("party_building", "government_services", "deliberation", "culture_sports")
    area_m2: tuple[float, float] = (100.0, 300.0)
    open_slots: tuple[Literal["morning", "midday", "afternoon", "evening"], ...] = ("morning", "afternoon")
    open_days: tuple[Literal["weekday", "weekend"], ...] = ("weekday", "weekend")
    mixed_zones: bool = False
    visibility: float = Field(0.6, ge=0, le=1)

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

    def apply(self, model: CoGovModel) -> None:
        """Build and open the centers."""
        from cogov_sim.city import make_centers, place_centers

        spec = self.level_spec()
        n = len(self.sites) if self.sites else self.count
        if n == 0:
            return
        rng = self.rng(model)
        pos = place_centers(rng, spec, n, model.layout, self.level)
        new = model.add_centers(make_centers(pos, self.level, spec, rng, model.layout))
        model.intervention_log.append((model.day, f"{self.kind}: {len(new)} {self.level}"))


REGISTRY: dict[str, type[Intervention]] = {"add_centers": AddCenters}
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
        where = f"{path}.{sub}" if path else sub
        if first["type"] == "extra_forbidden":
            allowed = list(REGISTRY[kind].model_fields)
            raise ScenarioError(file, where, _unknown_message(where, str(first["loc"][-1]), allowed)) from None
        raise ScenarioError(file, where, first["msg"]) from None
