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
    """The people a convener at a center reaches and the ties among them, for one adjacency.

    ``rows`` and ``cols`` are positions in ``pool`` (ascending people): one entry per tie between two of them,
    in both directions; ``degree`` counts each one's ties to anyone.
    """

    pool: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    degree: np.ndarray
    threshold: np.ndarray
    sorted_threshold: np.ndarray

    @classmethod
    def of(cls, world: World, center: int, area: int, adj: sp.csr_matrix, deg: np.ndarray) -> Catchment:
        """The catchment of a convener at ``center`` serving ``area`` (see ``Reach.catchment``)."""
        pool = world.reach.catchment(center, area)
        start = adj.indptr[pool]
        length = adj.indptr[pool + 1] - start
        rows = np.repeat(np.arange(len(pool)), length)
        at = np.repeat(start - np.cumsum(length) + length, length) + np.arange(int(length.sum()))
        other = adj.indices[at]
        local = np.minimum(np.searchsorted(pool, other), max(len(pool) - 1, 0))
        inside = pool[local] == other if len(pool) else np.zeros(0, dtype=bool)
        theta = world.pop.threshold[pool]
        return cls(pool, rows[inside], local[inside], deg[pool], theta, np.sort(theta))


class Day(NamedTuple):
    """The day's activities' catchments end to end: entry ``e`` is person ``pool[e]`` of activity ``seg[e]``."""

    pool: np.ndarray
    seg: np.ndarray
    start: np.ndarray  # first entry of each activity
    size: np.ndarray  # entries of each activity
    rows: np.ndarray  # ties among an activity's entries, as entry pairs
    cols: np.ndarray
    degree: np.ndarray
    threshold: np.ndarray
    ranked_threshold: np.ndarray  # each activity's thresholds ascending, shifted by 2 · activity

    @classmethod
    def of(cls, catchments: list[Catchment]) -> Day:
        """The entries of ``catchments`` in turn."""
        size = np.array([len(c.pool) for c in catchments], dtype=np.int64)
        start = np.cumsum(size) - size
        cat = np.concatenate
        return cls(
            cat([c.pool for c in catchments]).astype(np.int64),
            np.repeat(np.arange(len(size)), size),
            start,
            size,
            cat([c.rows + s for c, s in zip(catchments, start, strict=True)]).astype(np.int64),
            cat([c.cols + s for c, s in zip(catchments, start, strict=True)]).astype(np.int64),
            cat([c.degree for c in catchments]),
            cat([c.threshold for c in catchments]),
            cat([c.sorted_threshold + 2.0 * k for k, c in enumerate(catchments)]),
        )

    def per_activity(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` (one per entry) over each activity's entries."""
        return np.bincount(self.seg, weights=values, minlength=len(self.size))

    def rank(self, key: np.ndarray, among: np.ndarray) -> np.ndarray:
        """Each entry's rank within its activity by ``key`` ascending, counting only the entries ``among``."""
        idx = np.flatnonzero(among)
        by_key = np.argsort(key[idx])
        seg = self.seg[idx][by_key]
        # a stable sort of small integers is a radix sort: the lexsort's order at a fraction of its cost
        order = idx[by_key[np.argsort(seg.astype(np.int16) if len(self.size) < 2**15 else seg, kind="stable")]]
        first = np.searchsorted(self.seg[order], np.arange(len(self.size)))
        rank = np.full(len(self.pool), np.iinfo(np.int64).max)
        rank[order] = np.arange(len(order)) - first[self.seg[order]]
        return rank


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

    def run(self, world: World, rng: np.random.Generator) -> None:
        """Fill participants of every activity of the day, all at once, then draw every activity's success."""
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
        catchments = []
        for a in acts:
            key = (a.center, a.convener.area)
            if key not in self._catchments:
                self._catchments[key] = Catchment.of(world, a.center, a.convener.area, self._adj, self._deg)
            catchments.append(self._catchments[key])
        self._participants(world, rng, acts, Day.of(catchments))
        p = np.array([self.success_probability(world, a) for a in acts])
        for a, won in zip(acts, (rng.random(len(acts)) < p).tolist(), strict=True):
            a.success = won

    def _participants(self, world: World, rng: np.random.Generator, acts: list[Activity], day: Day) -> None:
        """Who of each activity's catchment takes part (module docstring), every activity's draws at once."""
        pop, sc, t = world.pop, world.scenario, world.today
        pool, seg = day.pool, day.seg
        n_acts = len(acts)
        center = np.array([a.center for a in acts], dtype=np.int64)
        slot = np.array([a.slot for a in acts], dtype=np.int64)
        cap_people = np.where([a.face_to_face for a in acts], HALL_CAPACITY, EVENT_CAPACITY).astype(float)
        reach = world.to_agents(np.full(n_acts, sc.organizations.mobilization_reach), rng)
        weight = (
            1.0
            + sc.behaviour.party_invitation_weight * pop.party[pool]
            + VOLUNTEER_INVITATION_WEIGHT * pop.volunteer[pool]
        )
        if len(t.visitor):  # asked in person: at the activity's center today
            seen = np.unique(t.center.astype(np.int64) * world.n + t.visitor)
            key = center[seg] * world.n + pool
            at = np.minimum(np.searchsorted(seen, key), len(seen) - 1)
            weight = weight + PRESENT_INVITATION_WEIGHT * ((seen[at] == key) & (center[seg] >= 0))
        # weighted sampling without replacement (Efraimidis-Spirakis keys: the same law as drawing one by one)
        key = -np.log(rng.random(len(pool))) / weight
        invited = day.rank(key, np.ones(len(pool), dtype=bool)) < np.minimum(reach, day.size)[seg]
        free_p = np.minimum(1.0, self.avail[pop.segment[pool], int(t.weekend), slot[seg]] * FREE_FACTOR)
        free = rng.random(len(pool)) < free_p
        p = join_probability(pop, pool)
        joined = invited & free & (rng.random(len(pool)) < p)
        # the real people each agent stands for (1/fraction on average) decide too: for the invited, its own
        # answer plus Binomial(s - 1, p_free · p)
        stand = np.floor(world.scale) + (rng.random(len(pool)) < world.scale % 1.0)
        others = rng.binomial(np.where(invited, stand - 1, 0).astype(np.int64), free_p * p)
        people = np.where(invited, joined + others, 0.0)  # people taking part among those each agent stands for
        going = np.ones(n_acts, dtype=bool)  # activities whose cascade has not stopped
        for _ in range(CASCADE_ROUNDS):
            going &= day.per_activity(people) > 0
            if not going.any():
                break
            exposure = np.bincount(day.rows, weights=(people / stand)[day.cols], minlength=len(pool))
            share = np.divide(exposure, day.degree, out=np.zeros(len(pool)), where=day.degree > 0)
            reached = (exposure > 0) & (people < stand) & going[seg]
            own = reached & (share >= day.threshold) & free & ~joined
            # the agent's other people: each free one whose own threshold the share reaches joins (thresholds
            # as in the catchment); at one agent per person there are none
            rest = stand - 1.0 - (people - joined)
            below = np.searchsorted(day.ranked_threshold, share + 2.0 * seg, side="right") - day.start[seg]
            reach_p = free_p * below / np.maximum(day.size[seg], 1)
            more = np.where(reached, rng.binomial(np.maximum(rest, 0).astype(np.int64), reach_p), 0)
            going &= day.per_activity(own + more) > 0
            joined |= own
            people += own + more
        # group size is capped in real people: a random cap's worth of those who joined stay
        room = world.within_capacity(day.per_activity(joined), cap_people, rng)
        kept = joined & (day.rank(rng.random(len(pool)), joined) < room[seg])
        total = np.minimum(cap_people, day.per_activity(people))
        bounds = np.r_[day.start, len(pool)]
        for k, a in enumerate(acts):
            lo, hi = bounds[k], bounds[k + 1]
            a.participants = pool[lo:hi][kept[lo:hi]]
            a.people = float(total[k])
            a.invited = pool[lo:hi][invited[lo:hi]]

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
