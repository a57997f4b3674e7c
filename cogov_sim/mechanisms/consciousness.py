"""Phase 7: shared consciousness, and volunteers who join and leave.

- Service (experience): a visit that serves the person's need (the center offers it and the person used that
  zone) raises service consciousness by ``experience_gain`` toward 1 and trust by ``SERVED_TRUST_SHARE`` of that
  (a service delivered); a visit that does not serve the need lowers service consciousness by
  ``SERVICE_MISS_SHARE`` of that (relative); being turned away lowers trust and service consciousness by
  ``turned_away_penalty`` (relative). Visits do not move co-governance consciousness or identification: those
  come from taking part and from others over ties.
- Joint action (in the feedback phase): taking part raises trust, co-governance consciousness and
  identification on success and lowers them on failure.
- Problems left open: each problem of one's residential area open longer than ``PROBLEM_PATIENCE_DAYS`` lowers
  the trust of its residents by ``OPEN_PROBLEM_TRUST_LOSS`` a day (relative), up to ``OPEN_PROBLEM_CAP`` problems.
- Contact broken off (weekly): each tie at the acquaintance level a person lost since last week lowers their
  trust by ``CONTACT_LOSS_TRUST`` (relative).
- Influence (bounded confidence, Deffuant): for each of today's contact pairs whose tie is at least acquaintance,
  each side moves by ``influence_rate`` toward the other on service, co-governance consciousness and
  identification, but only if their difference is below its confidence bound
  ε_i = ``confidence_bound`` + ``confidence_trust_gain`` · trust_i.
- Drift: every value moves by ``baseline_drift_per_day`` back toward its initial value.
- Volunteers: a person who took part in a joint action today and whose co-governance consciousness and
  identification reach ``volunteer_cogov_threshold`` becomes a volunteer with probability ``volunteer_join``;
  each volunteer leaves with the daily hazard that makes ``volunteer_dropout_per_year`` leave within a year.

Every change is booked in ``world.ledger`` by variable and term (the decomposition in docs/MODEL.md).

Contract: reads ``world.today`` visits (served or not), turned-away people and contact pairs, and the open
problems; writes the consciousness columns and volunteer status.
"""

from __future__ import annotations

import numpy as np

from cogov_sim.mechanisms.feedback import WEEK_DAYS
from cogov_sim.population import CONSCIOUSNESS
from cogov_sim.world import World

SERVICE_MISS_SHARE = 0.5
"""A visit that does not serve one's need lowers service consciousness by this share of ``experience_gain``
(relative): assumption."""
SERVED_TRUST_SHARE = 0.25
"""A visit that serves one's need raises trust by this share of ``experience_gain`` (toward 1): assumption,
plausible 0-0.5 (a service delivered builds some trust in those who deliver it; joint action builds more)."""
CONTACT_LOSS_TRUST = 0.01
"""Relative trust loss per tie at the acquaintance level lost in a week (regular contact broken off): assumption,
plausible 0-0.03."""
PROBLEM_PATIENCE_DAYS = 90
"""Days a problem may stay open before it costs its area's residents trust: assumption."""
OPEN_PROBLEM_TRUST_LOSS = 0.0002
"""Relative daily trust loss per problem of one's area open longer than the patience: assumption."""
OPEN_PROBLEM_CAP = 5
"""Old open problems beyond this many cost no more trust (residents notice a backlog, not its length): with the
drift toward baseline, a backlog holds trust at about 0.002 / (0.002 + 5 · 0.0002) = 2/3 of its baseline:
assumption."""


def bounded_confidence(
    x: np.ndarray, i: np.ndarray, j: np.ndarray, eps_i: np.ndarray, eps_j: np.ndarray, mu: float
) -> None:
    """Move ``x[i]`` and ``x[j]`` toward each other by ``mu`` where their gap is below each side's bound.

    Updates ``x`` in place; moves from several pairs on the same person add up.
    """
    gap = x[j] - x[i]
    close_i = np.abs(gap) < eps_i
    close_j = np.abs(gap) < eps_j
    delta = np.zeros(len(x), dtype=np.float64)
    np.add.at(delta, i[close_i], mu * gap[close_i])
    np.add.at(delta, j[close_j], -mu * gap[close_j])
    x += delta.astype(x.dtype)
    np.clip(x, 0.0, 1.0, out=x)


class Consciousness:
    """Phase 7: experience, open problems, influence, drift and volunteering."""

    name = "consciousness"

    def __init__(self) -> None:
        self._degree = np.zeros(0, dtype=np.int64)

    def run(self, world: World, rng: np.random.Generator) -> None:
        """Update consciousness and volunteers."""
        pop, b, t = world.pop, world.scenario.behaviour, world.today
        g = b.experience_gain
        sums = {name: float(pop.consciousness(name).sum()) for name in CONSCIOUSNESS}

        def book(term: str) -> None:
            for name in CONSCIOUSNESS:
                now = float(pop.consciousness(name).sum())
                world.book(name, term, sums[name], now)
                sums[name] = now

        v = t.visitor
        if len(v):
            served = t.served if len(t.served) == len(v) else np.ones(len(v), dtype=bool)
            s, m = v[served], v[~served]
            pop.service[s] += g * (1 - pop.service[s])
            pop.trust[s] += SERVED_TRUST_SHARE * g * (1 - pop.trust[s])
            pop.service[m] *= 1 - SERVICE_MISS_SHARE * g
        if len(t.turned_away):
            pop.trust[t.turned_away] *= 1 - b.turned_away_penalty
            pop.service[t.turned_away] *= 1 - b.turned_away_penalty
        book("service")
        self._open_problems(world)
        book("open_problems")
        self._contact_lost(world)
        book("contact_lost")
        i, j = t.pairs
        if len(i):
            tied = world.ties.get(i, j, world.day) >= b.acquaintance_hours
            i, j = i[tied], j[tied]
            eps_i = b.confidence_bound + b.confidence_trust_gain * pop.trust[i]
            eps_j = b.confidence_bound + b.confidence_trust_gain * pop.trust[j]
            for name in ("service", "cogov", "identification"):
                bounded_confidence(pop.consciousness(name), i, j, eps_i, eps_j, b.influence_rate)
        book("influence")
        for k, name in enumerate(CONSCIOUSNESS):
            col = pop.consciousness(name)
            col += b.baseline_drift_per_day * (pop.baseline[k] - col)
        book("drift")
        self._volunteers(world, rng)

    def _contact_lost(self, world: World) -> None:
        """Residents lose trust for each acquaintance tie lost since ``world.degree`` was last counted (weekly)."""
        now = world.degree
        if world.day % WEEK_DAYS:
            return
        if len(self._degree) == len(now):
            lost = np.maximum(self._degree - now, 0)
            hit = np.flatnonzero(lost)
            world.pop.trust[hit] *= ((1 - CONTACT_LOSS_TRUST) ** lost[hit]).astype(world.pop.trust.dtype)
        self._degree = now.copy()

    def _open_problems(self, world: World) -> None:
        """Residents lose trust for each problem of their area left open past the patience."""
        probs, pop = world.problems, world.pop
        old = probs.open_mask & (probs.opened < world.day - PROBLEM_PATIENCE_DAYS)
        if not old.any():
            return
        n_areas = max(int(pop.area.max()) + 1, 1) if pop.n else 1
        per_area = np.bincount(probs.area[old], minlength=n_areas)
        res = pop.area >= 0
        loss = (1 - OPEN_PROBLEM_TRUST_LOSS) ** np.minimum(per_area[pop.area[res]], OPEN_PROBLEM_CAP)
        pop.trust[res] *= loss.astype(pop.trust.dtype)

    def _volunteers(self, world: World, rng: np.random.Generator) -> None:
        pop, b, day = world.pop, world.scenario.behaviour, world.day
        thr = b.volunteer_cogov_threshold
        cand = np.flatnonzero(
            (pop.last_action == day) & ~pop.volunteer & (pop.cogov >= thr) & (pop.identification >= thr)
        )
        join = cand[rng.random(len(cand)) < b.volunteer_join]
        pop.volunteer[join] = True
        pop.volunteer_since[join] = day
        hazard = 1.0 - (1.0 - b.volunteer_dropout_per_year) ** (1.0 / 365.0)
        vol = np.flatnonzero(pop.volunteer)
        leave = vol[rng.random(len(vol)) < hazard]
        pop.volunteer[leave] = False
