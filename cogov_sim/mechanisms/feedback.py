"""Phase 6: feedback. Outcomes change people, relationships, supply and the organized field.

- Participants: a success multiplies the odds of joining again by ``1 + success_repeat_boost`` (Evidence §1.4:
  +57%) and raises trust, co-governance consciousness and identification by ``action_gain`` toward 1; a failure
  multiplies the odds by ``1 - failure_repeat_penalty`` and lowers trust and consciousness.
- Relationships: participants spend two hours together (bounded contacts, as in encounters, and every pair of
  participants already acquainted: people who know each other sit together); every pair of the
  organizations present gains two hours and, on success, a shared success. Organizations whose tie reaches
  ``agreement_hours`` and ``agreement_successes`` sign a co-building agreement when both hold fewer than
  ``MAX_AGREEMENTS``.
- Problems: a successful joint action on a problem resolves it.
- Organizations: commitment rises with success; each organization present adds the outcome to its recent record
  (readiness, aged weekly); social organizations mature or, a year after founding, fail.
- Incubation: successful service projects and social-organization-led actions at a center with a group-work zone
  (where resident groups meet and are incubated) gather into cohorts: ``incubation_successes`` of them at one
  center within ``INCUBATION_WINDOW_DAYS`` complete a cohort, which registers as a social organization there with
  ``INCUBATION_FOUNDING_CHANCE``, at most one in the street per ``INCUBATION_SPACING_DAYS``.
- Supply (weekly): departments' coordination rises with their ties to Party organizations, and their staff
  (center service quality) follows where government services were asked for.

Contract: reads ``world.today.activities`` (with participants and outcomes); writes the states listed above.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from cogov_sim.mechanisms.alliance import self_formed_alliances
from cogov_sim.mechanisms.encounters import acquainted_pairs, merge_pairs, ring_pairs
from cogov_sim.rng import stream
from cogov_sim.scenario import FUNCTIONS
from cogov_sim.world import Activity, World
from cogov_sim.world.organizations import MAX_AGREEMENTS, READY_TIE_HOURS, Department, SocialOrganization

ENGAGEMENT_BOUNDS = (-3.0, 3.0)
"""Bounds of the log-odds offset of joining again (about ×0.05 to ×20): assumption, plausible ±2 to ±4."""
JOINT_ACTION_HOURS = 2.0
"""Hours participants and organizations of a joint action spend together: assumption (a meeting or an event),
plausible 1-3 h."""
ORG_PARTICIPANT_HOURS = 1.0
"""Hours each participant spends with each organization of the action (a share of the action's time): assumption,
plausible 0.5-2 h."""
AGREEMENT_LAPSE_SHARE = 0.5
"""An agreement lapses when its tie falls below this share of ``agreement_hours`` (regular contact broken off):
assumption, plausible 0.25-0.75."""
AGREEMENT_GRACE_DAYS = 180
"""An agreement is not judged by its tie before it is this old (one signed by a programme starts without a tie):
assumption, plausible 90-365 days."""
COMMITMENT_GAIN = 0.04
"""Share of the gap to full commitment an organization gains from a successful joint action it took part in
(c += gain · (1 − c)): assumption (Ansell & Gash 2008: small wins build commitment), plausible 0.02-0.08."""
COMMITMENT_KEPT_ON_FAILURE = 0.98
"""Factor on commitment after a failed joint action (c ×= factor): assumption, plausible 0.95-0.99."""
MATURITY_GAIN = 0.05
"""Maturity a social organization gains from a successful joint action: assumption, plausible 0.02-0.1."""
MATURITY_LOSS = 0.02
"""Maturity a social organization loses from a failed joint action: assumption, plausible 0.01-0.05."""
FAILED_MATURITY = 0.25
"""A social organization still below this maturity ``FAILURE_AGE_DAYS`` after its founding fails (becomes
inactive): assumption, plausible 0.15-0.35."""
FAILURE_AGE_DAYS = 365
"""Age at which an immature social organization fails, days (a first year to prove itself): assumption, plausible
180-730."""
FAILURE_CONSCIOUSNESS_SHARE = 0.5
"""A failed joint action lowers its participants' trust, co-governance consciousness and identification by this
share of ``action_gain`` times the value (x −= share · g · x; success raises them by g · (1 − x)): assumption,
plausible 0.25-1."""
COORDINATION_PER_TIE = 0.1
"""A department's coordination per Party organization it is tied to (coordination = min(1, per-tie · ties)):
assumption, plausible 0.05-0.2."""
COORDINATION_TIE_HOURS = 4.0
"""Tie hours with a Party organization that count for a department's coordination, h (two shared meetings):
assumption, plausible 2-10 h."""
QUALITY_PER_DEPARTMENT = 0.05
"""Service quality a department's staff adds to the centers with government services, per department (target
quality 1 + per-department · departments · demand share · centers): assumption, plausible 0.02-0.1."""
QUALITY_ADJUSTMENT = 0.1
"""Share of the gap to the target quality closed each week (staff follow demand): assumption, plausible 0.05-0.3."""
INCUBATION_WINDOW_DAYS = 90
"""Successes within this many days count toward an incubation (a season of regular activity): assumption, plausible
60-180."""
INCUBATION_SPACING_DAYS = 365
"""Days after a social organization is incubated before the street founds the next one (its incubation base
supports one new organization at a time through its first year): assumption, plausible 180-730."""
INCUBATION_FOUNDING_CHANCE = 0.3
"""Chance that a completed incubation cohort (``incubation_successes`` successful service projects or
social-organization-led actions at one center with a group-work zone within ``INCUBATION_WINDOW_DAYS``) registers
as a social organization; the rest stay informal resident groups: assumption, plausible 0.1-0.6 (at 0.3 the
baseline grows about 6% a year, Evidence §4 fact 12)."""
GROUP_WORK = FUNCTIONS.index("group_work")
WEEK_DAYS = 7
"""The weekly updates (links, records, supply) run every this many days."""
GOV = FUNCTIONS.index("government_services")


class Feedback:
    """Phase 6: apply the consequences of today's joint actions."""

    name = "feedback"

    def run(self, world: World, rng: np.random.Generator) -> None:
        """Update people, ties, problems, organizations, agreements and supply."""
        b = world.scenario.behaviour
        pop, day = world.pop, world.day
        up = np.log1p(b.success_repeat_boost)
        down = np.log1p(-min(b.failure_repeat_penalty, 0.999))
        candidates: set[tuple[int, int]] = set()  # organization pairs that shared a success today
        known = acquainted_pairs(world, [a.participants for a in world.today.activities])
        for a, (ki, kj) in zip(world.today.activities, known, strict=True):
            world.action_log.append((day, a.success))
            p = a.participants
            if len(p):
                pop.engagement[p] = np.clip(pop.engagement[p] + (up if a.success else down), *ENGAGEMENT_BOUNDS)
                pop.actions_joined[p] += 1
                pop.last_action[p] = day
                g = b.action_gain
                for name in ("trust", "cogov", "identification"):
                    col = pop.consciousness(name)
                    before = float(col[p].sum())
                    col[p] += g * (1 - col[p]) if a.success else -FAILURE_CONSCIOUSNESS_SHARE * g * col[p]
                    world.book(name, "joint_action", before, float(col[p].sum()))
                i, j, _ = ring_pairs(np.zeros(len(p), dtype=np.int64), p, b.contacts_per_visit, rng)
                i, j = merge_pairs(i, j, ki, kj, world.ties.n_nodes)
                world.ties.add(i, j, JOINT_ACTION_HOURS, day, success=a.success)
            orgs = [a.convener, *a.partners]
            if len(p):
                nodes = np.array([o.node for o in orgs])
                world.ties.add(np.repeat(p, len(nodes)), np.tile(nodes, len(p)), ORG_PARTICIPANT_HOURS, day,
                               success=a.success)  # fmt: skip
            if len(orgs) > 1:
                pairs = np.array([(x.node, y.node) for x, y in combinations(orgs, 2)])
                world.ties.add(pairs[:, 0], pairs[:, 1], JOINT_ACTION_HOURS, day, success=a.success)
            for o in orgs:
                if a.success:
                    o.commitment += COMMITMENT_GAIN * (1 - o.commitment)
                else:
                    o.commitment *= COMMITMENT_KEPT_ON_FAILURE
                o.record_outcome(a.success)
                if isinstance(o, SocialOrganization):
                    o.maturity = (
                        min(1.0, o.maturity + MATURITY_GAIN) if a.success else max(0.0, o.maturity - MATURITY_LOSS)
                    )
            if a.success:
                if a.problem >= 0 and world.problems.resolved[a.problem] < 0:
                    world.problems.resolve(a.problem, day)
                if self._incubates(world, a):
                    world.success_log.append((day, a.center))
                candidates.update((min(x.node, y.node), max(x.node, y.node)) for x, y in combinations(orgs, 2)
                                  if x.node >= world.n and y.node >= world.n)  # fmt: skip
        self._agreements(world, candidates)
        self._incubate(world)
        for o in world.orgs:
            if (isinstance(o, SocialOrganization) and o.active and day - o.founded > FAILURE_AGE_DAYS
                    and o.maturity < FAILED_MATURITY):  # fmt: skip
                o.active = False
        if day % WEEK_DAYS == 0:
            self._weekly_supply(world)

    def _agreements(self, world: World, pairs: set[tuple[int, int]]) -> None:
        """Sign a co-building agreement for each pair whose tie hours and shared successes reach the thresholds.

        A pair signs only when both sides hold fewer than ``MAX_AGREEMENTS`` agreements; ready pairs sign in the
        order of their tie hours, strongest first (an organization with room for one more signs with its closest
        partner).
        """
        pairs = {p for p in pairs if p not in world.agreements}
        if not pairs:
            return
        b = world.scenario.behaviour
        a, c = np.array(sorted(pairs)).T
        hours = world.ties.get(a, c, world.day)
        wins = world.ties.shared_successes(a, c)
        ready = np.flatnonzero((hours >= b.agreement_hours) & (wins >= b.agreement_successes))
        if not len(ready):
            return
        held: dict[int, int] = {}
        for x, y in world.agreements:
            held[x] = held.get(x, 0) + 1
            held[y] = held.get(y, 0) + 1
        for k in ready[np.argsort(-hours[ready], kind="stable")].tolist():
            x, y = int(a[k]), int(c[k])
            if held.get(x, 0) < MAX_AGREEMENTS and held.get(y, 0) < MAX_AGREEMENTS:
                world.agreements[(x, y)] = world.day
                held[x] = held.get(x, 0) + 1
                held[y] = held.get(y, 0) + 1

    @staticmethod
    def _incubates(world: World, a: Activity) -> bool:
        """Whether a successful activity counts toward an incubation cohort.

        It counts when it is a service project or an action led by a social organization, at an active center with
        a group-work zone.
        """
        c = world.centers
        if a.center < 0 or not (c.active[a.center] and c.functions[a.center, GROUP_WORK]):
            return False
        return a.problem < 0 or isinstance(a.convener, SocialOrganization)

    def _incubate(self, world: World) -> None:
        """Complete the incubation cohorts of the day's centers; each registers with ``INCUBATION_FOUNDING_CHANCE``.

        A center whose counted successes within ``INCUBATION_WINDOW_DAYS`` reach ``incubation_successes`` completes
        a cohort (its count starts again). The cohort founds a social organization there with
        ``INCUBATION_FOUNDING_CHANCE`` (a stream of its own) unless the center's street founded one within
        ``INCUBATION_SPACING_DAYS`` or ``max_social_organizations`` are active in that street.
        """
        sc = world.scenario
        day = world.day
        world.success_log = [(d, c) for d, c in world.success_log if d > day - INCUBATION_WINDOW_DAYS]
        if not world.success_log:
            return
        centers, counts = np.unique([c for _, c in world.success_log], return_counts=True)
        for c in centers[counts >= sc.behaviour.incubation_successes].tolist():
            world.success_log = [(d, cc) for d, cc in world.success_log if cc != c]
            street = world.centers.street
            here = street[c]
            last = max((d for k, d in world.last_incubation.items() if street[k] == here),
                       default=-INCUBATION_SPACING_DAYS)  # fmt: skip
            if day - last < INCUBATION_SPACING_DAYS:
                continue
            n_social = sum(
                1 for o in world.orgs if isinstance(o, SocialOrganization) and o.active and street[o.center] == here
            )
            if n_social >= sc.organizations.max_social_organizations:
                continue
            if stream(world.seed, f"{self.name}.incubation.{c}", day).random() >= INCUBATION_FOUNDING_CHANCE:
                continue
            world.last_incubation[c] = day
            fn = np.flatnonzero(world.centers.functions[c])
            spec = int(fn[day % len(fn)])
            world.found_social_org(c, int(world.centers.area_index[c]), specialty=spec)

    def _weekly_links(self, world: World) -> None:
        """Weekly: organizations' links and records; lapsed agreements end.

        Each organization counts the organizations it is tied to at ``READY_TIE_HOURS`` and its recent record ages
        by a week.
        """
        ai, aj, ah = world.ties.above(world.day, world.scenario.behaviour.acquaintance_hours)
        people = np.r_[ai[ai < world.n], aj[aj < world.n]]
        world.degree = np.bincount(people, minlength=world.n)
        strong = ah >= READY_TIE_HOURS
        i, j = ai[strong], aj[strong]
        both = (i >= world.n) & (j >= world.n)
        linked = np.bincount(np.r_[i[both], j[both]] - world.n, minlength=len(world.orgs))
        for o, k in zip(world.orgs, linked.tolist(), strict=True):
            o.linked = int(k)
            o.decay_record(WEEK_DAYS)
        if world.agreements:
            pairs = np.array(sorted(world.agreements))
            h = world.ties.get(pairs[:, 0], pairs[:, 1], world.day)
            age = world.day - np.array([world.agreements[(x, y)] for x, y in pairs.tolist()])
            floor = AGREEMENT_LAPSE_SHARE * world.scenario.behaviour.agreement_hours
            for x, y in pairs[(h < floor) & (age > AGREEMENT_GRACE_DAYS)].tolist():
                del world.agreements[(x, y)]
                world.lapsed_agreements += 1

    def _weekly_supply(self, world: World) -> None:
        self._weekly_links(world)
        self_formed_alliances(world)
        party_nodes = np.array([o.node for o in world.orgs if o.kind == "party"])
        for o in world.orgs:
            if isinstance(o, Department) and len(party_nodes):
                tie = world.ties.get(np.full(len(party_nodes), o.node), party_nodes, world.day)
                o.coordination = min(1.0, COORDINATION_PER_TIE * float((tie >= COORDINATION_TIE_HOURS).sum()))
        c = world.centers
        gov = c.functions[:, GOV] & c.active
        if gov.any():
            demand = world.visits_by_center[:, :].sum(axis=1).astype(float)
            share = demand[gov] / max(demand[gov].sum(), 1.0)
            n_dept = sum(1 for o in world.orgs if isinstance(o, Department) and o.active)
            target = 1.0 + QUALITY_PER_DEPARTMENT * n_dept * share * gov.sum() / max(gov.sum(), 1)
            c.quality[gov] += QUALITY_ADJUSTMENT * (target - c.quality[gov])
