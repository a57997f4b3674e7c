"""Phase 5: joint action. Residents join convened activities by a threshold rule; success is drawn.

Joining (MODEL.md §3.5). The convener invites up to ``mobilization_reach`` people of the center's catchment
(people whose nearest center it is, and the residential area it serves), favouring Party members, volunteers and
today's visitors. An invited person who is free in the slot joins with probability

    sigmoid(-1 + 4 · (willingness_i - θ_i) + engagement_i),  willingness = 0.5 cogov + 0.3 trust + 0.2 identification

where θ_i is the personal threshold and ``engagement`` carries the feedback of past outcomes (log-odds). Then
two rounds of a Granovetter cascade: anyone in the catchment who is free and whose share of tied contacts
(acquaintance or more) already taking part reaches θ_i joins. Below one agent per person, the other people an
agent stands for decide too: for an invitation, Binomial(1/fraction − 1, p_free · p); in the cascade, each free
one joins when the share reaches a threshold drawn from the catchment's, so a cascade grows person by person, not
1/fraction people at a time. Shares count the people taking part among those each tied agent stands for. Group
size is capped in real people (a council hall holds 20).

Success (:meth:`JointAction.success_probability`):

    P = sigmoid(SUCCESS_INTERCEPT + SIZE_EFFECT ln(1 + n / SIZE_SCALE) + actor_diversity_effect (types - 1)
                + TRUST_EFFECT (mean trust - TRUST_REFERENCE) + deliberation - difficulty)

by default sigmoid(-1 + 0.6 ln(1 + n/5) + 0.5 (types - 1) + 2 (mean trust - 0.45) + deliberation - difficulty),
n the real people taking part, types the actor types present (the convener's, its partners', and residents when
n > 0), ``actor_diversity_effect`` the scenario's behaviour parameter; deliberation = ``face_to_face_effect`` for
a council-hall meeting on a problem, ``remote_effect`` for a problem handled without a council hall (remote
consultation), 0 for a service project; difficulty the problem's (``supply.PROBLEM_DIFFICULTY_MAX``), 0 for a
service project.

Contract: fills each activity's ``participants`` and ``success``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from cogov_sim.population import Population, availability_table
from cogov_sim.world import Activity, World


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    """Logistic function."""
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


ADJACENCY_REFRESH_DAYS = 7
"""The cascade reads the resident tie network as of (at most) a week ago; rebuilt weekly for speed."""


def join_probability(pop: Population, idx: np.ndarray) -> np.ndarray:
    """Chance that invited, free people ``idx`` join: sigmoid(-1 + 4 (willingness - θ) + engagement)."""
    will = 0.5 * pop.cogov[idx] + 0.3 * pop.trust[idx] + 0.2 * pop.identification[idx]
    return sigmoid(-1.0 + 4.0 * (will - pop.threshold[idx]) + pop.engagement[idx])


HALL_CAPACITY = 20
"""People a council-hall meeting holds (Evidence §4.10: sessions of 10-20 people): assumption within that range."""
EVENT_CAPACITY = 40
"""People an activity holds otherwise: assumption."""
VOLUNTEER_INVITATION_WEIGHT = 3.0
"""Extra weight of a volunteer on an invitation list (organizers call their volunteers first): assumption;
plausible 1-5."""
PRESENT_INVITATION_WEIGHT = 2.0
"""Extra weight of someone at the center today on its invitation list (asked in person): assumption; plausible
1-4."""
FREE_FACTOR = 1.5
"""An invitation raises the chance of being free in the slot by half (people make time for it): assumption."""
CASCADE_ROUNDS = 2
"""Rounds of the threshold cascade within an activity's catchment: assumption."""
NO_PARTICIPANT_TRUST = 0.3
"""Mean trust used for an activity nobody came to: assumption (below the starting trust of the people who come);
plausible 0.2-0.45."""

SUCCESS_INTERCEPT = -1.0
"""Log-odds of success of an activity of one actor type with nobody taking part, at the reference trust, on a
service project (P ≈ 0.27): assumption; plausible -2 to 0."""
SIZE_EFFECT = 0.6
"""Log-odds of success per unit of ln(1 + n / SIZE_SCALE), n the real people taking part (more hands, with
diminishing returns): assumption; plausible 0.3-1."""
SIZE_SCALE = 5.0
"""Real people taking part at which the size term reaches 0.6 ln 2 (a small working group): assumption;
plausible 3-10 people."""
TRUST_EFFECT = 2.0
"""Log-odds of success per unit of the participants' mean trust above TRUST_REFERENCE: assumption; plausible
1-3."""
TRUST_REFERENCE = 0.45
"""Mean trust at which the trust term is zero: the starting trust of a 45-year-old resident who is not a Party
member (the mean of the Beta draw in ``population.py``); plausible 0.35-0.55."""


class Catchment(NamedTuple):
    """The people a convener at a center reaches and their rows of the tie network, for one adjacency."""

    pool: np.ndarray
    ties: sp.csr_matrix
    degree: np.ndarray
    threshold: np.ndarray
    sorted_threshold: np.ndarray

    @classmethod
    def of(cls, world: World, center: int, area: int, adj: sp.csr_matrix, deg: np.ndarray) -> Catchment:
        """The catchment of a convener at ``center`` serving ``area`` (see ``Reach.catchment``)."""
        pool = world.reach.catchment(center, area)
        theta = world.pop.threshold[pool]
        return cls(pool, adj[pool], deg[pool], theta, np.sort(theta))


class JointAction:
    """Phase 5: participation and outcomes of today's activities."""

    name = "joint_action"

    def __init__(self) -> None:
        self.avail = availability_table()
        self._adj: sp.csr_matrix | None = None
        self._deg = np.zeros(0)
        self._adj_day = 0
        self._catchments: dict[tuple[int, int], Catchment] = {}
        self._catchments_of: object = None
        self._share = np.zeros(0)  # people taking part per person, kept zero outside the activity at hand
        self._here = np.zeros(0, dtype=bool)  # at the activity's center today, kept False elsewhere
        self._visitors: tuple[np.ndarray, np.ndarray] = (np.zeros(0, np.int64), np.zeros(0, np.int64))

    def run(self, world: World, rng: np.random.Generator) -> None:
        """Fill participants and draw success for every activity of the day."""
        acts = world.today.activities
        if not acts:
            return
        if self._adj is None or world.day - self._adj_day >= ADJACENCY_REFRESH_DAYS:
            self._adj = world.ties.adjacency(world.day, world.scenario.behaviour.acquaintance_hours, world.n)
            self._deg = np.asarray(self._adj.sum(axis=1)).ravel()
            self._adj_day = world.day
            self._catchments.clear()
        if self._catchments_of is not world.reach:  # centers opened or closed: new catchments
            self._catchments.clear()
            self._catchments_of = world.reach
        adj, deg = self._adj, self._deg
        if len(self._share) != world.n:
            self._share = np.zeros(world.n)
            self._here = np.zeros(world.n, dtype=bool)
        t = world.today
        order = np.argsort(t.center, kind="stable")
        self._visitors = (t.center[order], t.visitor[order])
        for a in acts:
            self._participants(world, rng, a, adj, deg)
            a.success = bool(rng.random() < self.success_probability(world, a))

    def _participants(self, world: World, rng: np.random.Generator, a: Activity, adj: sp.csr_matrix,
                      deg: np.ndarray) -> None:  # fmt: skip
        pop, sc, t = world.pop, world.scenario, world.today
        key = (a.center, a.convener.area)
        if key not in self._catchments:
            self._catchments[key] = Catchment.of(world, a.center, a.convener.area, adj, deg)
        pool, ties, deg_pool, theta, thresholds = self._catchments[key]
        if not len(pool):
            return
        reach = int(world.to_agents(sc.organizations.mobilization_reach, rng))
        cap_people = HALL_CAPACITY if a.face_to_face else EVENT_CAPACITY
        cap = int(world.to_agents(cap_people, rng))
        weight = (
            1.0
            + sc.behaviour.party_invitation_weight * pop.party[pool]
            + VOLUNTEER_INVITATION_WEIGHT * pop.volunteer[pool]
        )
        if len(t.visitor) and a.center >= 0:
            centers, visitors = self._visitors
            lo, hi = np.searchsorted(centers, [a.center, a.center + 1])
            here = self._here
            here[visitors[lo:hi]] = True
            weight = weight + PRESENT_INVITATION_WEIGHT * here[pool]
            here[visitors[lo:hi]] = False
        pick = rng.choice(len(pool), size=min(reach, len(pool)), replace=False, p=weight / weight.sum())
        invited = pool[pick]
        free_p = np.minimum(1.0, self.avail[pop.segment[pool], int(t.weekend), a.slot] * FREE_FACTOR)
        free = rng.random(len(pool)) < free_p
        p = join_probability(pop, invited)
        direct = free[pick] & (rng.random(len(invited)) < p)
        joined = np.zeros(len(pool), dtype=bool)  # over the pool, as the arrays below
        joined[pick[direct]] = True
        # the real people each agent stands for (1/fraction on average) decide too: for the invited, its own
        # answer plus Binomial(s - 1, p_free · p)
        stand = np.floor(world.scale) + (rng.random(len(pool)) < world.scale % 1.0)
        others = rng.binomial((stand[pick] - 1).astype(np.int64), free_p[pick] * p)
        people = np.zeros(len(pool))  # people taking part among those each agent stands for
        people[pick] = direct + others
        taking_part = self._share
        for _ in range(CASCADE_ROUNDS):
            if not people.any():
                break
            taking_part[pool] = people / stand
            exposure = ties @ taking_part
            share = np.divide(exposure, deg_pool, out=np.zeros(len(pool)), where=deg_pool > 0)
            reached = (exposure > 0) & (people < stand)
            own = reached & (share >= theta) & free & ~joined
            # the agent's other people: each free one whose own threshold the share reaches joins (thresholds
            # as in the catchment); at one agent per person there are none
            rest = stand - 1.0 - (people - joined)
            reach_p = free_p * np.searchsorted(thresholds, share, side="right") / len(thresholds)
            more = np.where(reached, rng.binomial(np.maximum(rest, 0).astype(np.int64), reach_p), 0)
            if not own.any() and not more.any():
                break
            joined |= own
            people += own + more
        taking_part[pool] = 0.0
        who = pool[joined]
        if len(who) > cap:
            who = rng.choice(who, size=cap, replace=False)
        a.participants = np.sort(who)
        a.people = min(float(cap_people), float(people.sum()))
        a.invited = invited

    def success_probability(self, world: World, a: Activity) -> float:
        """Chance the activity succeeds (see the module docstring for the equation)."""
        b = world.scenario.behaviour
        n = a.people
        kinds = {a.convener.kind} | {o.kind for o in a.partners} | ({"resident"} if n else set())
        if len(a.participants):
            trust = float(world.pop.trust[a.participants].mean())
        elif n and len(a.invited):  # real people came whom no agent stands for: those invited are like them
            trust = float(world.pop.trust[a.invited].mean())
        else:
            trust = NO_PARTICIPANT_TRUST
        delib = 0.0
        difficulty = 0.0
        if a.problem >= 0:
            delib = b.face_to_face_effect if a.face_to_face else b.remote_effect
            difficulty = float(world.problems.difficulty[a.problem])
        x = (
            SUCCESS_INTERCEPT
            + SIZE_EFFECT * np.log1p(n / SIZE_SCALE)
            + b.actor_diversity_effect * (len(kinds) - 1)
            + TRUST_EFFECT * (trust - TRUST_REFERENCE)
            + delib
            - difficulty
        )
        return float(sigmoid(x))
