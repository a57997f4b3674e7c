"""Programmes: interventions that hold recurring activities of their own (an alliance, joint meetings).

On ``apply`` a programme intervention appends a programme record (:class:`Alliance`, :class:`JointMeetings`) to
``world.programmes``; the supply phase asks each record for the day's activities after the regular conveners.
A programme convenes through the supply phase's own functions (``open_slot``, ``choose_topic``, ``convene``);
what differs is who it asks: an alliance its members, a joint meeting every department.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field, PrivateAttr, model_validator

from cogov_sim.interventions.base import Intervention, Temporary, effect_day, party_orgs
from cogov_sim.mechanisms.alliance import Alliance
from cogov_sim.mechanisms.supply import Topic, convene, open_slot
from cogov_sim.rng import stream
from cogov_sim.scenario import FUNCTIONS
from cogov_sim.world import Activity, World
from cogov_sim.world.organizations import Department, Organization, PartyOrganization
from cogov_sim.world.reach import nearest_active

if TYPE_CHECKING:
    from cogov_sim.model import CoGovModel


@dataclass(eq=False)
class JointMeetings:
    """A running joint-meeting programme: the departments, their responsiveness before, the convener, the cycle."""

    depts: list[Department]
    before: list[float]
    lead: PartyOrganization | None
    first: int
    every_days: int
    stream: str

    def activities(self, world: World, kind: int, has_venue: bool) -> list[Activity]:
        """Today's joint meeting, if one is due (called by the supply phase)."""
        lead = self.lead
        if (world.day - self.first) % self.every_days or lead is None:
            return []
        if not (lead.active and lead.convening) or lead.center < 0 or not world.centers.active[lead.center]:
            return []
        rng = stream(world.seed, self.stream, world.day)
        venue = lead.center
        slot = open_slot(world, rng, venue, kind)
        if slot is None:
            return []
        return [convene(lead, venue, slot, self.topic(world, venue), [d for d in self.depts if d.active])]

    @staticmethod
    def topic(world: World, venue: int) -> Topic:
        """The longest-open community problem (face-to-face with a council hall), else government services."""
        probs = world.problems
        open_ = np.flatnonzero(probs.open_mask)
        if len(open_):
            problem = int(open_[np.argmin(probs.opened[open_])])
            function = probs.function_of(problem)
        else:
            problem, function = -1, FUNCTIONS.index("government_services")
        face = bool(problem >= 0 and world.centers.functions[venue, FUNCTIONS.index("deliberation")])
        return Topic(problem, function, face)


class LaunchAlliance(Intervention):
    """A business-district party-building alliance (商圈党建联盟) of enterprises and Party organizations.

    Members: the ``lead`` Party organization (the street working committee, or the workplace Party organization
    nearest the business district) and the organizations of ``member_types`` based at centers within
    ``radius_m`` of the business district (``zones.business_district``), nearest first, at most ``max_members``.
    They are recorded in ``world.alliances[name]``. At launch the members sign co-building agreements
    (``agreements``: between the lead and each member, among ``all`` members, or ``none``); each agreement then
    holds a regular joint action about every two weeks (the supply phase). The alliance also holds its own joint
    actions, ``actions_per_month`` on average, at the ``venue`` (the open center nearest the business district
    among building, grid and street centers, or the lead's center), convened by the lead (if the lead stopped
    convening, by the most committed member that passes every convener's gate, else by nobody), with up to
    ``PARTNERS_ASKED`` members as partners, each taking part with chance
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

    _state: Alliance | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _check_end(self) -> LaunchAlliance:
        if self.end_day is not None and self.end_day < self.start_day:
            raise ValueError(f"end_day: {self.end_day} is before start_day {self.start_day}")
        return self

    @property
    def alliance(self) -> Alliance | None:
        """The running alliance (None before launch)."""
        return self._state

    def district_point(self, world: World) -> tuple[float, float]:
        """The business district's middle, m."""
        fx, fy = world.scenario.zones.business_district
        return fx * world.layout.width, fy * world.layout.height

    def apply(self, model: CoGovModel) -> None:
        """Form the alliance, sign its agreements and start its regular actions."""
        world = model.world
        c = world.centers
        bx, by = self.district_point(world)

        def dist(o: Organization) -> float:
            return float(np.hypot(c.x[o.center] - bx, c.y[o.center] - by)) if o.center >= 0 else np.inf

        party = [o for o in world.orgs if isinstance(o, PartyOrganization)]
        if self.lead == "street":
            lead = next((o for o in party if o.tier == "street"), party[0])
        else:
            work = [o for o in party if o.tier == "workplace"] or party
            lead = min(work, key=dist)
        cand = [o for o in world.orgs if o is not lead and o.active and o.kind in self.member_types]
        cand = [o for o in cand if dist(o) <= self.radius_m]
        cand.sort(key=lambda o: (dist(o), o.node))
        if self.max_members is not None:
            cand = cand[: max(self.max_members - 1, 0)]
        members = [lead, *cand]
        world.alliances[self.name] = {o.node for o in members}
        signed = 0
        if self.agreements != "none":
            pairs = (
                [(lead, o) for o in cand]
                if self.agreements == "lead"
                else [(x, y) for i, x in enumerate(members) for y in members[i + 1 :]]
            )
            for x, y in pairs:
                key = (min(x.node, y.node), max(x.node, y.node))
                if key not in world.agreements:
                    world.agreements[key] = effect_day(model)
                    signed += 1
        venue = -1
        if self.venue == "district":
            venue = nearest_active(c, bx, by, ("building", "grid", "street"), fallback=False)
        name = self.stream_name(model, "actions")
        self._state = Alliance(lead, members, venue, self.actions_per_month, self.participation, name)
        world.programmes.append(self._state)
        self.log(model, f"'{self.name}': {len(members)} members, {signed} agreements signed")

    def revert(self, model: CoGovModel) -> None:
        """Stop the alliance's own joint actions (agreements stay in force)."""
        if self._state in model.world.programmes:
            model.world.programmes.remove(self._state)
        self.log(model, f"'{self.name}' stops its own actions")


class DepartmentCoordination(Temporary):
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

    _state: JointMeetings | None = PrivateAttr(None)

    def apply(self, model: CoGovModel) -> None:
        """Raise responsiveness and start the meetings."""
        world = model.world
        depts = [o for o in world.orgs if isinstance(o, Department)]
        before = [d.responsiveness for d in depts]
        for d in depts:
            d.responsiveness = min(0.95, d.responsiveness + self.responsiveness_boost)
        lead = next(iter(party_orgs(world, ("street",))), None)
        name = self.stream_name(model, "meetings")
        self._state = JointMeetings(depts, before, lead, effect_day(model), self.every_days, name)
        world.programmes.append(self._state)
        self.log(model, f"{len(depts)} departments, meetings every {self.every_days} days")

    def revert(self, model: CoGovModel) -> None:
        """Stop the meetings and take back the responsiveness boost."""
        if self._state is None:
            self.log(model, "joint meetings end")
            return
        for d, r in zip(self._state.depts, self._state.before, strict=True):
            d.responsiveness = r
        if self._state in model.world.programmes:
            model.world.programmes.remove(self._state)
        self.log(model, "joint meetings end")
