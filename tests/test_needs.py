"""Needs collected (issue 9 item 2): a center hears the needs it could not serve, and service projects take them up."""

from __future__ import annotations

import numpy as np

from cogov_sim.mechanisms.presence import NEEDS_MEMORY_DAYS, Presence
from cogov_sim.mechanisms.supply import NEEDS_TOPIC_SHARE, Calendar, choose_topic
from cogov_sim.rng import stream
from cogov_sim.world import build_world
from tests.conftest import small


def test_service_projects_take_up_the_needs_a_center_heard_at_the_named_rate():
    world = build_world(small("baseline", 0.05), 8)
    center = 0
    missing = int(np.flatnonzero(~world.centers.functions[center])[0])
    area = int(world.centers.area_index[center])
    rng = np.random.default_rng(1)
    n = 2000

    def share() -> float:
        topics = [choose_topic(world, rng, center, area, 0.0) for _ in range(n)]
        return float(np.mean([t.function == missing for t in topics]))

    assert share() == 0.0  # nothing heard: only the functions the center offers
    world.needs_heard[center, missing] = 5.0
    p = NEEDS_TOPIC_SHARE
    assert abs(share() - p) < 4 * np.sqrt(p * (1 - p) / n)


def test_every_visit_the_center_cannot_serve_is_heard_there():
    world = build_world(small("baseline", 0.05), 8)
    presence, calendar = Presence(), Calendar()
    for d in range(1, 4):
        world.begin_day(d)
        calendar.run(world, stream(8, calendar.name, d))
        before = world.needs_heard.copy()
        presence.run(world, stream(8, presence.name, d))
        t = world.today
        missed = ~t.served
        expected = before * np.exp(-1 / NEEDS_MEMORY_DAYS)
        np.add.at(expected, (t.center[missed], world.pop.need[t.visitor[missed]]), 1.0)
        assert missed.any()
        np.testing.assert_allclose(world.needs_heard, expected)
