"""Phases 1-2: the calendar (new community problems) and supply (who convenes what, where, with whom).

Contract: fills ``model.today.activities`` with the day's convened activities, their centers, slots, topics and
accepted partner organizations; opens new problems in ``model.problems``; resets weekly capacities.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cogov_sim.agents import Department, Organization, PartyOrganization
from cogov_sim.city import DAY_KINDS
from cogov_sim.scenario import FUNCTIONS

if TYPE_CHECKING:
    from cogov_sim.model import CoGovModel

DELIBERATION = FUNCTIONS.index("deliberation")
NO_VENUE_FACTOR = 0.05
"""Without any center, a convener still holds an activity now and then (in a courtyard, online): assumption."""


PROBLEM_TOPIC_SHARE = 0.7
"""Chance a convener takes up an open problem of its area (needs collected) when one exists: assumption."""


def choose_topic(
    model: CoGovModel, rng: np.random.Generator, center: int, area: int, problem_share: float
) -> tuple[int, int, bool]:
    """Topic of an activity: (problem or -1, function, face-to-face).

    An open problem of ``area`` with probability ``problem_share`` when one exists, else a service project among
    the center's functions (any function without a center). A problem discussed at a center with a council hall
    is a face-to-face meeting.
    """
    c, probs = model.centers, model.problems
    open_here = np.flatnonzero(probs.open_mask & (probs.area == area))
    if len(open_here) and rng.random() < problem_share:
        problem = int(open_here[rng.integers(0, len(open_here))])
        face = bool(center >= 0 and c.functions[center, DELIBERATION])
        return problem, probs.function_of(problem), face
    if center >= 0:
        fns = np.flatnonzero(c.functions[center])
        return -1, int(fns[rng.integers(0, len(fns))]), False
    return -1, int(rng.integers(0, len(FUNCTIONS))), False


class Calendar:
    """Phase 1: weekly resets and new community problems in residential areas (Poisson arrivals)."""

    name = "calendar"

    def run(self, model: CoGovModel, rng: np.random.Generator) -> None:
        """Open today's problems; reset organizations' weekly capacity on the first day of a week."""
        if model.day % 7 == 1:
            for org in model.orgs:
                org.busy = 0.0
        n_areas = len(model.layout.area_centers)
        rate = model.config.behaviour.problem_rate_per_area_month / 30.0
        k = rng.poisson(rate, n_areas)
        if k.sum():
            area = np.repeat(np.arange(n_areas), k)
            kind = rng.integers(0, len(model.problems.TYPES), len(area))
            model.problems.add(area, kind, rng.uniform(0.0, 1.5, len(area)), model.day)


class Supply:
    """Phase 2: conveners schedule activities at their centers and invite partners.

    Party organizations convene at ``convening_per_week`` (times any campaign); other organizations convene once
    their commitment passes ``emergent_convening_threshold``; each co-building agreement holds a regular joint
    action about every two weeks, convened by its first party (by the other when the first is a Party
    organization that stopped convening). Invitees accept by motive × tie to the convener × free capacity;
    departments join problem-solving by their responsiveness. Then each what-if programme in
    ``model.programmes`` (an alliance's regular actions, departments' joint meetings) adds its activities.
    """

    name = "supply"

    def run(self, model: CoGovModel, rng: np.random.Generator) -> None:
        """Decide today's activities."""
        sc = model.config
        c = model.centers
        has_venue = bool(c.active.any())
        thr = sc.behaviour.emergent_convening_threshold
        conveners: list[Organization] = []
        for org in model.orgs:
            rate = org.convening_rate(thr) / 7.0
            if not has_venue:
                rate *= NO_VENUE_FACTOR
            if rate > 0 and rng.random() < rate:
                conveners.append(org)
        for a, b in sorted(model.agreements):
            if rng.random() < 1.0 / 14.0:
                org = model.orgs[a - model.n]
                if not org.convening:  # a Party organization that stopped convening: the partner convenes
                    org = model.orgs[b - model.n]
                if org.active and org.convening:
                    conveners.append(org)
        kind = DAY_KINDS.index("weekend") if model.today.weekend else 0
        for org in conveners:
            model.today.activities.append(self._plan(model, rng, org, kind, has_venue))
        # what-if programmes (cogov_sim.interventions) add their own activities, drawn from their own streams
        for programme in model.programmes:
            model.today.activities.extend(programme.activities(model, self, kind, has_venue))

    def _plan(self, model: CoGovModel, rng: np.random.Generator, org: Organization, kind: int, has_venue: bool):
        from cogov_sim.model import Activity

        c = model.centers
        center = org.center if org.center >= 0 and c.active[org.center] else -1
        if center < 0 and has_venue:
            act = np.flatnonzero(c.active)
            center = int(act[rng.integers(0, len(act))])
        if center >= 0:
            open_slots = np.flatnonzero(c.open[center, kind])
            slot = int(open_slots[rng.integers(0, len(open_slots))]) if len(open_slots) else 3
            area = int(c.area_index[center])
        else:
            slot, area = 3, max(org.area, 0)
        problem, function, face = choose_topic(model, rng, center, area, PROBLEM_TOPIC_SHARE)
        a = Activity(convener=org, center=center, slot=slot, function=function, problem=problem, face_to_face=face)
        a.partners = self._invite(model, rng, org, a)
        org.busy += 1
        org.convened += 1
        return a

    def _invite(self, model: CoGovModel, rng: np.random.Generator, org: Organization, a) -> list[Organization]:
        others = [o for o in model.orgs if o.active and o is not org]
        if not others:
            return []
        nodes = np.array([o.node for o in others])
        tie = model.ties.get(np.full(len(nodes), org.node), nodes, model.day)
        rel = np.array([float(o.specialties[a.function]) for o in others])
        agreed = np.array([(min(org.node, o.node), max(org.node, o.node)) in model.agreements for o in others])
        score = tie + 5 * rel + 10 * agreed + rng.exponential(2.0, len(others))
        accepted: list[Organization] = []
        for i in np.argsort(-score)[:4]:
            o = others[i]
            if isinstance(o, Department):
                ok = a.problem >= 0 and o.responds(rng.random())
            elif isinstance(o, PartyOrganization):
                ok = rng.random() < 0.3 * o.free_capacity()
            else:
                ok = o.accepts(float(tie[i]), float(rel[i]), rng.random())
            if ok:
                o.busy += 1
                o.joined += 1
                accepted.append(o)
        return accepted
