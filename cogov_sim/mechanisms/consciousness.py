"""Phase 7: shared consciousness, and volunteers who join and leave.

- Experience: a served visit raises service consciousness by ``experience_gain`` toward 1 and trust and
  identification by half that; being turned away lowers trust by ``turned_away_penalty`` (relative).
- Influence (bounded confidence, Deffuant): for each of today's contact pairs whose tie is at least acquaintance,
  each side moves by ``influence_rate`` toward the other on service, co-governance consciousness and
  identification, but only if their difference is below its confidence bound
  ε_i = ``confidence_bound`` + ``confidence_trust_gain`` · trust_i.
- Drift: every value moves by ``baseline_drift_per_day`` back toward its initial value.
- Volunteers: a person who took part in a joint action today and whose co-governance consciousness and
  identification reach ``volunteer_cogov_threshold`` becomes a volunteer with probability ``volunteer_join``;
  each volunteer leaves with the daily hazard that makes ``volunteer_dropout_per_year`` leave within a year.

Contract: reads ``world.today`` visits, turned-away people and contact pairs; writes the consciousness columns and
volunteer status.
"""

from __future__ import annotations

import numpy as np

from cogov_sim.population import CONSCIOUSNESS
from cogov_sim.world import World


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
    """Phase 7: experience, influence, drift and volunteering."""

    name = "consciousness"

    def run(self, world: World, rng: np.random.Generator) -> None:
        """Update consciousness and volunteers."""
        pop, b, t = world.pop, world.scenario.behaviour, world.today
        g = b.experience_gain
        v = t.visitor
        if len(v):
            pop.service[v] += g * (1 - pop.service[v])
            pop.trust[v] += 0.5 * g * (1 - pop.trust[v])
            pop.identification[v] += 0.5 * g * (1 - pop.identification[v])
        if len(t.turned_away):
            pop.trust[t.turned_away] *= 1 - b.turned_away_penalty
        i, j = t.pairs
        if len(i):
            tied = world.ties.get(i, j, world.day) >= b.acquaintance_hours
            i, j = i[tied], j[tied]
            eps_i = b.confidence_bound + b.confidence_trust_gain * pop.trust[i]
            eps_j = b.confidence_bound + b.confidence_trust_gain * pop.trust[j]
            for name in ("service", "cogov", "identification"):
                bounded_confidence(pop.consciousness(name), i, j, eps_i, eps_j, b.influence_rate)
        for k, name in enumerate(CONSCIOUSNESS):
            col = pop.consciousness(name)
            col += b.baseline_drift_per_day * (pop.baseline[k] - col)
        self._volunteers(world, rng)

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
