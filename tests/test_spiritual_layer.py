"""The spiritual layer is fed by the social (issue 9 item 5): visits serve, joint action and ties identify."""

from __future__ import annotations

import numpy as np
import pytest

from cogov_sim.mechanisms.consciousness import CONTACT_LOSS_TRUST, Consciousness
from cogov_sim.rng import stream
from cogov_sim.world import build_world
from tests.conftest import small

SEED = 3


@pytest.fixture
def world():
    return build_world(small("baseline", 0.05), SEED)


def test_a_served_visit_raises_service_and_trust_but_not_identification_or_cogov(world):
    pop = world.pop
    visitors, others = np.arange(0, 200), np.arange(200, 400)
    before = {k: pop.consciousness(k).copy() for k in ("service", "trust", "identification", "cogov")}
    phase = Consciousness()
    for d in (1, 2, 3):
        world.begin_day(d)
        world.today.visitor = visitors
        world.today.served = np.ones(len(visitors), dtype=bool)
        phase.run(world, stream(SEED, phase.name, d))

    def gain(name: str, who: np.ndarray) -> float:
        return float((pop.consciousness(name)[who] - before[name][who]).mean())

    assert gain("service", visitors) > gain("service", others) + 0.01
    assert gain("trust", visitors) > gain("trust", others) + 0.002
    for name in ("identification", "cogov"):
        assert gain(name, visitors) == pytest.approx(gain(name, others), abs=2e-3)


def test_losing_ties_lowers_trust_by_the_named_share_per_tie(world):
    pop = world.pop
    phase = Consciousness()
    world.degree = np.full(pop.n, 4, dtype=np.int64)
    world.begin_day(7)
    phase.run(world, stream(SEED, phase.name, 7))
    lost, kept = np.arange(0, 300), np.arange(300, 600)
    world.degree = world.degree.copy()
    world.degree[lost] = 2
    trust = pop.trust.copy()
    world.begin_day(14)
    phase.run(world, stream(SEED, phase.name, 14))
    ratio_lost = pop.trust[lost] / trust[lost]
    ratio_kept = pop.trust[kept] / trust[kept]
    expected = (1 - CONTACT_LOSS_TRUST) ** 2
    assert np.median(ratio_lost / np.median(ratio_kept)) == pytest.approx(expected, rel=2e-3)
    assert np.median(ratio_kept) > np.median(ratio_lost)
