"""Encounters: acquaintances look out for each other, and neighbourly contact keeps first neighbour ties up."""

from __future__ import annotations

import numpy as np
import pytest

from cogov_sim.mechanisms.encounters import (
    NEIGHBOURLY_EVERY_DAYS,
    NEIGHBOURLY_HOURS,
    Encounters,
    acquainted_pairs,
    merge_pairs,
)
from cogov_sim.rng import stream
from cogov_sim.scenario import FUNCTIONS
from cogov_sim.ties import TieStore
from cogov_sim.world import build_world
from tests.conftest import small


def _one_room(world, visitors: np.ndarray) -> None:
    world.today.visitor = visitors
    world.today.center = np.zeros(len(visitors), dtype=np.int64)
    world.today.slot = np.zeros(len(visitors), dtype=np.int64)
    world.today.zone = np.full(len(visitors), FUNCTIONS.index("livelihood"))


def test_acquaintances_in_one_room_meet_whatever_the_seating_and_strangers_do_not():
    sc = small("baseline", 1.0, **{"population.residents": 3000, "behaviour.contacts_per_visit": 2})
    world = build_world(sc, 4)  # each visitor meets about two of the 300 in the room
    visitors = np.arange(300)
    world.affinity[visitors] = np.linspace(0, 1, 300)
    a, b, c = 0, 150, 75  # a and b sit half a room apart; so do a and c
    hours = world.scenario.behaviour.acquaintance_hours + 5
    world.ties.add(np.array([a]), np.array([b]), hours, day=0)
    known_met = stranger_met = 0
    for d in range(1, 21):
        world.begin_day(d)
        _one_room(world, visitors)
        Encounters().run(world, stream(9, "test", d))
        pairs = set(zip(*(x.tolist() for x in world.today.pairs), strict=True))
        known_met += (a, b) in pairs
        stranger_met += (a, c) in pairs
    assert known_met == 20
    assert stranger_met == 0


def test_neighbourly_contact_keeps_first_neighbour_ties_near_their_steady_state():
    world = build_world(small("no_centers", 0.05), 6)
    i, j = world.neighbours
    start = world.ties.get(i, j, 0).astype(float)
    phase = Encounters()
    days = 730
    for d in range(1, days + 1):
        world.begin_day(d)
        phase.run(world, stream(6, phase.name, d))
    now = world.ties.get(i, j, days).astype(float)
    rate = world.ties.rate
    weekly = np.exp(-rate * NEIGHBOURLY_EVERY_DAYS)
    steady = NEIGHBOURLY_HOURS / (1 - weekly)
    left = np.exp(-rate * days)
    expected = start.mean() * left + steady * (1 - left)
    assert now.mean() == pytest.approx(expected, rel=0.05)
    assert now.mean() > 2 * start.mean() * left  # without the rule the ties would have decayed to that


def test_acquaintances_at_one_joint_action_spend_it_together_and_strangers_only_by_the_draw():
    world = build_world(small("baseline", 0.05), 4)
    world.ties = TieStore(world.ties.n_nodes, world.scenario.behaviour.tie_half_life_days)
    people = np.array([3, 8, 17, 40])
    world.ties.add(np.array([3]), np.array([17]), world.scenario.behaviour.acquaintance_hours + 1, day=0)
    world.ties.add(np.array([8]), np.array([40]), world.scenario.behaviour.acquaintance_hours / 2, day=0)
    (ki, kj), (none_i, _) = acquainted_pairs(world, [people, np.array([8, 40])])
    assert len(none_i) == 0  # 8 and 40 are tied below the acquaintance level
    i, j = merge_pairs(np.array([40]), np.array([3]), ki, kj, world.ties.n_nodes)
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == [(3, 17), (3, 40)]
