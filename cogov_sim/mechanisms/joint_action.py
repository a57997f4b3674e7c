"""Phase 5: joint action. Residents join convened activities by a threshold rule; success is drawn.

Joining (MODEL.md §3.5). The convener invites up to ``mobilization_reach`` people of the center's catchment
(people whose nearest center it is, and the residential area it serves), favouring Party members, volunteers and
today's visitors. An invited person who is free in the slot joins with probability

    sigmoid(-1 + 4 · (willingness_i - θ_i) + engagement_i),  willingness = 0.5 cogov + 0.3 trust + 0.2 identification

where θ_i is the personal threshold and ``engagement`` carries the feedback of past outcomes (log-odds). Then
two rounds of a Granovetter cascade: anyone in the catchment who is free and whose share of tied contacts
(acquaintance or more) already taking part reaches θ_i joins. Group size is capped (a council hall holds 20).

Success: P = sigmoid(-1 + 0.6 ln(1 + n/5) + 0.5 (types - 1) + 2 (mean trust - 0.45) + deliberation - difficulty),
with deliberation = ``face_to_face_effect`` for a council-hall meeting on a problem, ``remote_effect`` for a
problem handled without a council hall (remote consultation), 0 for a service project.

Contract: fills each activity's ``participants`` and ``success``.
"""

from __future__ import annotations

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
EVENT_CAPACITY = 40


class JointAction:
    """Phase 5: participation and outcomes of today's activities."""

    name = "joint_action"

    def __init__(self) -> None:
        self.avail = availability_table()
        self._adj: sp.csr_matrix | None = None
        self._deg = np.zeros(0)
        self._adj_day = 0

    def run(self, world: World, rng: np.random.Generator) -> None:
        """Fill participants and draw success for every activity of the day."""
        acts = world.today.activities
        if not acts:
            return
        if self._adj is None or world.day - self._adj_day >= ADJACENCY_REFRESH_DAYS:
            self._adj = world.ties.adjacency(world.day, world.scenario.behaviour.acquaintance_hours, world.n)
            self._deg = np.asarray(self._adj.sum(axis=1)).ravel()
            self._adj_day = world.day
        adj, deg = self._adj, self._deg
        for a in acts:
            self._participants(world, rng, a, adj, deg)
            a.success = bool(rng.random() < self.success_probability(world, a))

    def _participants(self, world: World, rng: np.random.Generator, a: Activity, adj: sp.csr_matrix,
                      deg: np.ndarray) -> None:  # fmt: skip
        pop, sc, t = world.pop, world.scenario, world.today
        pool = world.reach.catchment(a.center, a.convener.area)
        if not len(pool):
            return
        frac = sc.population.sample_fraction
        reach = max(1, round(sc.organizations.mobilization_reach * frac))
        cap = max(3, round((HALL_CAPACITY if a.face_to_face else EVENT_CAPACITY) * frac))
        weight = 1.0 + 2.0 * pop.party[pool] + 3.0 * pop.volunteer[pool]
        if len(t.visitor) and a.center >= 0:
            here = np.zeros(pop.n, dtype=bool)
            here[t.visitor[t.center == a.center]] = True
            weight = weight + 2.0 * here[pool]
        invited = rng.choice(pool, size=min(reach, len(pool)), replace=False, p=weight / weight.sum())
        free = rng.random(len(pool)) < self.avail[pop.segment[pool], int(t.weekend), a.slot] * 1.5
        free_set = np.zeros(pop.n, dtype=bool)
        free_set[pool[free]] = True
        p = join_probability(pop, invited)
        joined = np.zeros(pop.n, dtype=bool)
        joined[invited[free_set[invited] & (rng.random(len(invited)) < p)]] = True
        for _ in range(2):
            if not joined.any():
                break
            exposure = adj[pool] @ joined.astype(np.float32)
            share = np.divide(exposure, deg[pool], out=np.zeros(len(pool)), where=deg[pool] > 0)
            new = pool[(share >= pop.threshold[pool]) & (deg[pool] > 0) & free & ~joined[pool]]
            if not len(new):
                break
            joined[new] = True
        who = np.flatnonzero(joined)
        if len(who) > cap:
            who = rng.choice(who, size=cap, replace=False)
        a.participants = np.sort(who)

    def success_probability(self, world: World, a: Activity) -> float:
        """Chance the activity succeeds (see the module docstring for the equation)."""
        b = world.scenario.behaviour
        n = len(a.participants) / world.scenario.population.sample_fraction
        kinds = {a.convener.kind} | {o.kind for o in a.partners} | ({"resident"} if n else set())
        trust = float(world.pop.trust[a.participants].mean()) if len(a.participants) else 0.3
        delib = 0.0
        difficulty = 0.0
        if a.problem >= 0:
            delib = b.face_to_face_effect if a.face_to_face else b.remote_effect
            difficulty = float(world.problems.difficulty[a.problem])
        x = -1.0 + 0.6 * np.log1p(n / 5) + 0.5 * (len(kinds) - 1) + 2.0 * (trust - 0.45) + delib - difficulty
        return float(sigmoid(x))
