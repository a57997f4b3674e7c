"""Alliances as programmes: a business-district alliance (商圈党建联盟) holds joint actions of its own.

An alliance is launched by a what-if (``cogov_sim.interventions.programmes.LaunchAlliance``) or forms by itself
(:func:`self_formed_alliances`, run weekly by the feedback phase): when a workplace Party organization holds
co-building agreements with at least ``ALLIANCE_MIN_ENTERPRISES`` enterprises based within ``ALLIANCE_RADIUS_M``
of its center, they become an alliance with its own regular joint actions (``SELF_ALLIANCE_ACTIONS_PER_MONTH``
at the Party organization's center). A self-formed alliance dissolves when its lead is no longer active or fewer
than ``ALLIANCE_MIN_ENTERPRISES`` of its member enterprises still hold an agreement with the lead; it can form
again later when the condition holds again.

An alliance's actions are convened by its lead; when the lead does not convene (withdrawn or inactive), by the
most committed member that passes the gate every convener passes: it would convene on its own
(``convening_rate(emergent_convening_threshold) > 0``: a Party organization that convenes, or another
organization whose readiness passes the threshold) and has free weekly capacity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cogov_sim.mechanisms.supply import PARTNERS_ASKED, choose_topic, convene, open_slot
from cogov_sim.rng import stream
from cogov_sim.world import Activity, World
from cogov_sim.world.organizations import Enterprise, Organization, PartyOrganization
from cogov_sim.world.state import Programme

ALLIANCE_MIN_ENTERPRISES = 3
"""Enterprises tied by agreement to one workplace Party organization that make an alliance: assumption, plausible
2-6."""
ALLIANCE_RADIUS_M = 800.0
"""Members of a self-formed alliance are based within this distance of the Party organization's center, m
(the launched alliance's default radius): assumption, plausible 400-1500 m."""
SELF_ALLIANCE_ACTIONS_PER_MONTH = 2.0
"""Own joint actions a month of a self-formed alliance (half a launched one's default): assumption, plausible 1-4."""
SELF_ALLIANCE_PARTICIPATION = 0.7
"""Chance an asked member of a self-formed alliance takes part (the launched alliance's default): assumption,
plausible 0.5-0.9."""


ALLIANCE_PROBLEM_SHARE = 0.5
"""Chance an alliance action takes up an open problem of the venue's area when one exists: assumption, plausible
0.3-0.7."""


@dataclass(eq=False)
class Alliance:
    """A running alliance programme: its members, lead and venue, and how often and how its members take part.

    ``stream`` names the random stream of its actions (drawn per day); ``self_formed`` marks an alliance formed by
    itself (:func:`self_formed_alliances`), which dissolves when its condition no longer holds.
    """

    lead: Organization
    members: list[Organization]
    venue: int
    actions_per_month: float
    participation: float
    stream: str
    self_formed: bool = False

    def activities(self, world: World, kind: int, has_venue: bool) -> list[Activity]:
        """Today's alliance joint actions (called by the supply phase)."""
        members = [o for o in self.members if o.active]
        if not members or self.actions_per_month <= 0:
            return []
        rng = stream(world.seed, self.stream, world.day)
        n = int(rng.poisson(self.actions_per_month / 30.0))
        if n == 0:
            return []
        convener = self.convener(world, members)
        if convener is None:
            return []
        c = world.centers
        venue = self.venue
        if venue < 0 or not c.active[venue]:
            venue = convener.center if convener.center >= 0 and c.active[convener.center] else -1
        if venue < 0:
            return []
        out = []
        for _ in range(n):
            slot = open_slot(world, rng, venue, kind)
            if slot is None:
                break
            topic = choose_topic(world, rng, venue, int(c.area_index[venue]), ALLIANCE_PROBLEM_SHARE)
            out.append(convene(convener, venue, slot, topic, self.ask(rng, convener, members)))
        return out

    def convener(self, world: World, members: list[Organization]) -> Organization | None:
        """Who convenes today's actions: the lead while it convenes, else the most committed able member, or None.

        A member is able when it passes the gate of every convener: ``convening_rate(threshold) > 0`` (the
        scenario's ``emergent_convening_threshold``) and free weekly capacity.
        """
        lead = self.lead
        if lead.active and lead.convening:
            return lead
        thr = world.scenario.behaviour.emergent_convening_threshold
        able = [o for o in members if o is not lead and o.convening_rate(thr) > 0 and o.free_capacity() > 0]
        if not able:
            return None
        return max(able, key=lambda o: (o.commitment, -o.node))

    def ask(self, rng: np.random.Generator, convener: Organization, members: list[Organization]) -> list[Organization]:
        """Other members who take part: up to ``PARTNERS_ASKED`` asked in random order.

        Each asked member takes part with chance ``participation`` × its free capacity.
        """
        others = [o for o in members if o is not convener]
        partners = []
        for i in rng.permutation(len(others))[:PARTNERS_ASKED]:
            o = others[int(i)]
            if rng.random() < self.participation * o.free_capacity():
                partners.append(o)
        return partners


def self_formed_name(lead: Organization) -> str:
    """The name (key of ``world.alliances``) of the alliance that forms by itself around ``lead``."""
    return f"self-formed alliance of {lead.label}"


def agreed_with(world: World, lead: Organization, members: list[Organization]) -> list[Organization]:
    """The active member enterprises of ``members`` that hold a co-building agreement with ``lead``."""
    return [
        o
        for o in members
        if isinstance(o, Enterprise)
        and o.active
        and (min(o.node, lead.node), max(o.node, lead.node)) in world.agreements
    ]


def dissolve_alliances(world: World) -> None:
    """Dissolve each self-formed alliance whose lead is inactive or which lost its enterprises' agreements.

    A dissolved alliance leaves ``world.programmes`` and ``world.alliances`` and the dissolution is logged in
    ``world.intervention_log``; the same lead can form one again later.
    """
    keep: list[Programme] = []
    for p in world.programmes:
        if isinstance(p, Alliance) and p.self_formed:
            left = len(agreed_with(world, p.lead, p.members))
            if not p.lead.active or left < ALLIANCE_MIN_ENTERPRISES:
                name = self_formed_name(p.lead)
                world.alliances.pop(name, None)
                why = "lead inactive" if not p.lead.active else f"{left} enterprises still in agreement"
                world.intervention_log.append((world.day, f"{name} dissolved ({why})"))
                continue
        keep.append(p)
    world.programmes[:] = keep


def self_formed_alliances(world: World) -> None:
    """Weekly: dissolve self-formed alliances that lost their condition, then form new ones.

    An alliance forms around each active workplace Party organization with agreements with at least
    ``ALLIANCE_MIN_ENTERPRISES`` active enterprises based within ``ALLIANCE_RADIUS_M`` of its center.
    """
    dissolve_alliances(world)
    c = world.centers
    for lead in world.orgs:
        if not (isinstance(lead, PartyOrganization) and lead.tier == "workplace" and lead.active and lead.center >= 0):
            continue
        name = self_formed_name(lead)
        if name in world.alliances:
            continue
        linked = []
        for a, b in world.agreements:
            other = b if a == lead.node else a if b == lead.node else -1
            if other < 0:
                continue
            o = world.org(other)
            if isinstance(o, Enterprise) and o.active and o.center >= 0:
                d = float(np.hypot(c.x[o.center] - c.x[lead.center], c.y[o.center] - c.y[lead.center]))
                if d <= ALLIANCE_RADIUS_M:
                    linked.append(o)
        if len(linked) < ALLIANCE_MIN_ENTERPRISES:
            continue
        members: list[Organization] = [lead, *sorted(linked, key=lambda o: o.node)]
        world.alliances[name] = {o.node for o in members}
        world.programmes.append(Alliance(lead, members, lead.center, SELF_ALLIANCE_ACTIONS_PER_MONTH,
                                         SELF_ALLIANCE_PARTICIPATION, f"alliance.self.{lead.node}",
                                         self_formed=True))  # fmt: skip
        world.intervention_log.append((world.day, f"{name} formed with {len(linked)} enterprises"))
