"""Alliances as programmes: a business-district alliance (商圈党建联盟) holds joint actions of its own.

An alliance is launched by a what-if (``cogov_sim.interventions.programmes.LaunchAlliance``) or forms by itself
(:func:`self_formed_alliances`, run weekly by the feedback phase): when a workplace Party organization holds
co-building agreements with at least ``ALLIANCE_MIN_ENTERPRISES`` enterprises based within ``ALLIANCE_RADIUS_M``
of its center, they become an alliance with its own regular joint actions (``SELF_ALLIANCE_ACTIONS_PER_MONTH``
at the Party organization's center).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cogov_sim.mechanisms.supply import choose_topic, convene, open_slot
from cogov_sim.rng import stream
from cogov_sim.world import Activity, World
from cogov_sim.world.organizations import Enterprise, Organization, PartyOrganization

ALLIANCE_MIN_ENTERPRISES = 3
"""Enterprises tied by agreement to one workplace Party organization that make an alliance: assumption."""
ALLIANCE_RADIUS_M = 800.0
"""Members of a self-formed alliance are based within this distance of the Party organization's center, m
(the launched alliance's default radius): assumption."""
SELF_ALLIANCE_ACTIONS_PER_MONTH = 2.0
"""Own joint actions a month of a self-formed alliance (half a launched one's default): assumption."""
SELF_ALLIANCE_PARTICIPATION = 0.7
"""Chance an asked member of a self-formed alliance takes part (the launched alliance's default): assumption."""


ALLIANCE_PROBLEM_SHARE = 0.5
"""Chance an alliance action takes up an open problem of the venue's area when one exists: assumption."""


@dataclass(eq=False)
class Alliance:
    """A running alliance programme: its members, lead and venue, and how often and how its members take part.

    ``stream`` names the random stream of its actions (drawn per day).
    """

    lead: Organization
    members: list[Organization]
    venue: int
    actions_per_month: float
    participation: float
    stream: str

    def activities(self, world: World, kind: int, has_venue: bool) -> list[Activity]:
        """Today's alliance joint actions (called by the supply phase)."""
        members = [o for o in self.members if o.active]
        if not members or self.actions_per_month <= 0:
            return []
        rng = stream(world.seed, self.stream, world.day)
        n = int(rng.poisson(self.actions_per_month / 30.0))
        if n == 0:
            return []
        lead = self.lead
        convener = lead if (lead.active and lead.convening) else None
        if convener is None:
            able = [o for o in members if o.convening]
            if not able:
                return []
            convener = max(able, key=lambda o: (o.commitment, -o.node))
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

    def ask(self, rng: np.random.Generator, convener: Organization, members: list[Organization]) -> list[Organization]:
        """Up to four other members, in random order, each taking part with ``participation`` × free capacity."""
        others = [o for o in members if o is not convener]
        partners = []
        for i in rng.permutation(len(others))[:4]:
            o = others[int(i)]
            if rng.random() < self.participation * o.free_capacity():
                partners.append(o)
        return partners


def self_formed_alliances(world: World) -> None:
    """Form an alliance around each workplace Party organization with enough enterprises linked by agreement."""
    c = world.centers
    for lead in world.orgs:
        if not (isinstance(lead, PartyOrganization) and lead.tier == "workplace" and lead.active and lead.center >= 0):
            continue
        name = f"self-formed alliance of {lead.label}"
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
                                         SELF_ALLIANCE_PARTICIPATION, f"alliance.self.{lead.node}"))  # fmt: skip
        world.intervention_log.append((world.day, f"{name} formed with {len(linked)} enterprises"))
