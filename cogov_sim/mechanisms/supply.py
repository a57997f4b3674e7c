"""Phases 1-2: the calendar (new community problems) and supply (who convenes what, where, with whom).

How an activity is convened is one set of functions that the supply phase and the what-if programmes
(``cogov_sim.interventions.programmes``) share: :func:`open_slot` (a random open slot of the venue),
:func:`choose_topic` (an open problem of the area or a service project) and :func:`convene` (the activity, with
the weekly capacity it takes from the convener and its partners). Who is asked and who accepts is each
convener's own rule: :func:`invite` for the regular conveners; an alliance asks its own members.

Contract: fills ``world.today.activities`` with the day's convened activities, their centers, slots, topics and
accepted partner organizations; opens new problems in ``world.problems``; resets weekly capacities.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from cogov_sim.scenario import DAY_KINDS, FUNCTIONS
from cogov_sim.world import Activity, World
from cogov_sim.world.organizations import Department, Organization, PartyOrganization

DELIBERATION = FUNCTIONS.index("deliberation")
NO_VENUE_FACTOR = 0.05
"""Without any center, a convener still holds an activity now and then (in a courtyard, online): assumption."""


PROBLEM_TOPIC_SHARE = 0.7
"""Chance a convener takes up an open problem of its area (needs collected) when one exists: assumption."""


NO_SLOT_OPEN = 3
"""Slot of an activity held where no slot is open, or without a venue (the evening): assumption."""

PARTNERS_ASKED = 4
"""Organizations a convener asks to take part in one activity."""


class Topic(NamedTuple):
    """What an activity is about."""

    problem: int  # index into world.problems, -1 a service project
    function: int  # index into FUNCTIONS
    face_to_face: bool  # a problem discussed in a council hall


def open_slot(world: World, rng: np.random.Generator, center: int, kind: int) -> int | None:
    """A random open slot of ``center`` on day kind ``kind`` (None if it opens in no slot that day)."""
    slots = np.flatnonzero(world.centers.open[center, kind])
    if not len(slots):
        return None
    return int(slots[rng.integers(0, len(slots))])


def choose_topic(world: World, rng: np.random.Generator, center: int, area: int, problem_share: float) -> Topic:
    """Topic of an activity: (problem or -1, function, face-to-face).

    An open problem of ``area`` with probability ``problem_share`` when one exists, else a service project among
    the center's functions (any function without a center). A problem discussed at a center with a council hall
    is a face-to-face meeting.
    """
    c, probs = world.centers, world.problems
    open_here = np.flatnonzero(probs.open_mask & (probs.area == area))
    if len(open_here) and rng.random() < problem_share:
        problem = int(open_here[rng.integers(0, len(open_here))])
        face = bool(center >= 0 and c.functions[center, DELIBERATION])
        return Topic(problem, probs.function_of(problem), face)
    if center >= 0:
        fns = np.flatnonzero(c.functions[center])
        return Topic(-1, int(fns[rng.integers(0, len(fns))]), False)
    return Topic(-1, int(rng.integers(0, len(FUNCTIONS))), False)


def invite(
    world: World, rng: np.random.Generator, convener: Organization, function: int, problem: int
) -> list[Organization]:
    """The partners who accept the invitation of ``convener`` to an activity on ``function`` (and ``problem``).

    The ``PARTNERS_ASKED`` active organizations with the highest tie hours to the convener + 5 × specialty
    match + 10 × co-building agreement + exponential noise (mean 2) are asked. A department takes part in
    problem-solving by its responsiveness, a Party organization with chance 0.3 × free capacity, any other by
    motive × tie × free capacity (``Organization.accepts``).
    """
    others = [o for o in world.orgs if o.active and o is not convener]
    if not others:
        return []
    nodes = np.array([o.node for o in others])
    tie = world.ties.get(np.full(len(nodes), convener.node), nodes, world.day)
    rel = np.array([float(o.specialties[function]) for o in others])
    agreed = np.array([(min(convener.node, o.node), max(convener.node, o.node)) in world.agreements for o in others])
    score = tie + 5 * rel + 10 * agreed + rng.exponential(2.0, len(others))
    accepted: list[Organization] = []
    for i in np.argsort(-score)[:PARTNERS_ASKED]:
        o = others[i]
        if isinstance(o, Department):
            ok = problem >= 0 and o.responds(rng.random())
        elif isinstance(o, PartyOrganization):
            ok = rng.random() < 0.3 * o.free_capacity()
        else:
            ok = o.accepts(float(tie[i]), float(rel[i]), rng.random())
        if ok:
            accepted.append(o)
    return accepted


def convene(convener: Organization, center: int, slot: int, topic: Topic, partners: list[Organization]) -> Activity:
    """The activity ``convener`` holds with ``partners``; each takes one joint action of its weekly capacity."""
    for o in partners:
        o.busy += 1
        o.joined += 1
    convener.busy += 1
    convener.convened += 1
    return Activity(convener, center, slot, topic.function, topic.problem, list(partners), topic.face_to_face)


class Calendar:
    """Phase 1: weekly resets and new community problems in residential areas (Poisson arrivals)."""

    name = "calendar"

    def run(self, world: World, rng: np.random.Generator) -> None:
        """Open today's problems; reset organizations' weekly capacity on the first day of a week."""
        if world.day % 7 == 1:
            for org in world.orgs:
                org.busy = 0.0
        n_areas = len(world.layout.area_centers)
        rate = world.scenario.behaviour.problem_rate_per_area_month / 30.0
        k = rng.poisson(rate, n_areas)
        if k.sum():
            area = np.repeat(np.arange(n_areas), k)
            kind = rng.integers(0, len(world.problems.TYPES), len(area))
            world.problems.add(area, kind, rng.uniform(0.0, 1.5, len(area)), world.day)


class Supply:
    """Phase 2: conveners schedule activities at their centers and invite partners.

    Party organizations convene at ``convening_per_week`` (times any campaign); other organizations convene once
    their commitment passes ``emergent_convening_threshold``; each co-building agreement holds a regular joint
    action about every two weeks, convened by its first party (by the other when the first is a Party
    organization that stopped convening). Invitees accept by :func:`invite`. Then each what-if programme in
    ``world.programmes`` (an alliance's regular actions, departments' joint meetings) adds its activities.
    """

    name = "supply"

    def run(self, world: World, rng: np.random.Generator) -> None:
        """Decide today's activities."""
        c = world.centers
        has_venue = bool(c.active.any())
        thr = world.scenario.behaviour.emergent_convening_threshold
        conveners: list[Organization] = []
        for org in world.orgs:
            rate = org.convening_rate(thr) / 7.0
            if not has_venue:
                rate *= NO_VENUE_FACTOR
            if rate > 0 and rng.random() < rate:
                conveners.append(org)
        for a, b in sorted(world.agreements):
            if rng.random() < 1.0 / 14.0:
                org = world.org(a)
                if not org.convening:  # a Party organization that stopped convening: the partner convenes
                    org = world.org(b)
                if org.active and org.convening:
                    conveners.append(org)
        kind = DAY_KINDS.index("weekend") if world.today.weekend else 0
        for org in conveners:
            world.today.activities.append(plan(world, rng, org, kind, has_venue))
        # what-if programmes (cogov_sim.interventions) add their own activities, drawn from their own streams
        for programme in world.programmes:
            world.today.activities.extend(programme.activities(world, kind, has_venue))


def plan(world: World, rng: np.random.Generator, org: Organization, kind: int, has_venue: bool) -> Activity:
    """The activity ``org`` convenes today: at its center (else a random open one), in a random open slot."""
    c = world.centers
    center = org.center if org.center >= 0 and c.active[org.center] else -1
    if center < 0 and has_venue:
        act = np.flatnonzero(c.active)
        center = int(act[rng.integers(0, len(act))])
    slot, area = NO_SLOT_OPEN, max(org.area, 0)
    if center >= 0:
        found = open_slot(world, rng, center, kind)
        slot = NO_SLOT_OPEN if found is None else found
        area = int(c.area_index[center])
    topic = choose_topic(world, rng, center, area, PROBLEM_TOPIC_SHARE)
    return convene(org, center, slot, topic, invite(world, rng, org, topic.function, topic.problem))
