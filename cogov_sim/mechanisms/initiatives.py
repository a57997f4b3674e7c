"""Resident-led initiatives: activists start joint actions of their own at their usual center (issue 9 item 4).

A resident is an activist when they volunteer, their co-governance consciousness reaches
``resident_initiative_cogov`` and they hold at least ``RESIDENT_LEAD_TIES`` ties at the acquaintance level
(people to bring along). Real activists start ``resident_initiatives_per_year`` initiatives a year each: the
day's number is Poisson(activists × 1/fraction × rate / 365), each led by a random activist, so sampling does not
change it. The initiative is convened by a :class:`ResidentLead` (the activist's own node, not an organization):
it invites organizations like any convener, and its participants come from the activist's center and area.

Initiatives draw from a stream of their own (:func:`initiative_stream`, named ``STREAM``, per day): who starts
one and how the supply phase plans it, so turning initiatives on or off leaves every draw of the supply phase
for the organizations' own activities unchanged (common random numbers).

Contract: returns the day's leads for the supply phase; changes no state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from cogov_sim.rng import stream
from cogov_sim.scenario import FUNCTIONS
from cogov_sim.world import World
from cogov_sim.world.organizations import Organization

RESIDENT_LEAD_TIES = 3
"""Ties at the acquaintance level an activist needs to start an initiative: assumption."""
LEAD_CAPACITY = 1.0
"""Initiatives an activist can lead in a week: assumption."""
STREAM = "initiatives"
"""Name of the initiatives' random stream (``cogov_sim.rng.stream``)."""


def initiative_stream(world: World) -> np.random.Generator:
    """Today's stream of the resident initiatives: who starts one, and the planning of their activities."""
    return stream(world.seed, STREAM, world.day)


@dataclass(eq=False)
class ResidentLead(Organization):
    """A resident leading an initiative: the convener of a resident-led joint action (not in ``world.orgs``)."""

    kind: ClassVar[str] = "resident"


def resident_leads(world: World, rng: np.random.Generator) -> list[Organization]:
    """Today's resident leads (activists who start an initiative today), drawn from ``rng``.

    The supply phase passes :func:`initiative_stream`, not its own stream.
    """
    b, pop = world.scenario.behaviour, world.pop
    rate = b.resident_initiatives_per_year
    if rate <= 0 or not world.centers.active.any():
        return []
    cand = np.flatnonzero(pop.volunteer & (pop.cogov >= b.resident_initiative_cogov) & (pop.favourite >= 0))
    if not len(cand):
        return []
    cand = cand[world.degree[cand] >= RESIDENT_LEAD_TIES]
    cand = cand[world.centers.active[pop.favourite[cand]]]
    k = int(rng.poisson(len(cand) * world.scale * rate / 365.0)) if len(cand) else 0
    leads: list[Organization] = []
    for p in rng.choice(cand, size=k).tolist() if k else []:
        need = np.zeros(len(FUNCTIONS), dtype=bool)
        need[int(pop.need[p])] = True
        label = f"resident initiative of person {p}"
        lead = ResidentLead(p, int(pop.favourite[p]), int(pop.area[p]), LEAD_CAPACITY, 1.0, float(pop.cogov[p]),
                            need, label)  # fmt: skip
        lead.founded = world.day
        leads.append(lead)
    return leads
