"""Readiness that can fall: the recent record of joint actions (issue 9). Seeded, each test able to fail."""

from __future__ import annotations

import numpy as np
import pytest

from cogov_sim.mechanisms.feedback import Feedback
from cogov_sim.mechanisms.supply import Calendar, Supply
from cogov_sim.rng import stream
from cogov_sim.world import build_world
from cogov_sim.world.organizations import READY_SUCCESSES, RECORD_HALF_LIFE_DAYS, Enterprise, PartyOrganization
from tests.conftest import small

SEED = 11
DAYS = 546  # a year and a half


@pytest.fixture(scope="module")
def scenario():
    return small("baseline", 0.05)


def _failing_and_succeeding(scenario):
    """Two enterprises, equally ready at the start; the actions of one always fail, of the other always succeed.

    Only these two convene (the Party organizations and the rest do not), so every activity is theirs. Returns the
    two, their readiness each week and the days each convened.
    """
    world = build_world(scenario, SEED)
    ents = [o for o in world.orgs if isinstance(o, Enterprise) and o.center >= 0]
    loser, winner = ents[0], ents[1]
    party = [o for o in world.orgs if isinstance(o, PartyOrganization)][:3]
    for o in world.orgs:
        o.convening = o is loser or o is winner
    for o in (loser, winner):
        o.commitment, o.recent_successes, o.recent_failures = 0.7, float(READY_SUCCESSES), 0.0
        for p in party:  # three links well above READY_TIE_HOURS for the whole run
            world.ties.add(np.array([o.node]), np.array([p.node]), 60.0, day=0)
    calendar, supply, feedback = Calendar(), Supply(), Feedback()
    weekly: dict[str, list[float]] = {"loser": [], "winner": []}
    convened: dict[str, list[int]] = {"loser": [], "winner": []}
    for d in range(1, DAYS + 1):
        world.begin_day(d)
        calendar.run(world, stream(SEED, calendar.name, d))
        supply.run(world, stream(SEED, supply.name, d))
        for a in world.today.activities:
            a.success = a.convener is not loser
            for name, o in (("loser", loser), ("winner", winner)):
                if a.convener is o:
                    convened[name].append(d)
        feedback.run(world, stream(SEED, feedback.name, d))
        if d % 7 == 0:
            weekly["loser"].append(loser.readiness())
            weekly["winner"].append(winner.readiness())
    return loser, winner, weekly, convened


def test_an_organization_whose_actions_keep_failing_stops_convening_and_one_that_keeps_succeeding_stays_ready(
    scenario,
):
    thr = scenario.behaviour.emergent_convening_threshold
    loser, winner, weekly, convened = _failing_and_succeeding(scenario)
    assert weekly["loser"][0] > thr and weekly["winner"][0] > thr  # both start ready
    # failures lower readiness below the threshold: the failing organization stops convening
    assert loser.readiness() <= thr
    assert loser.convening_rate(thr) == 0.0
    last_quarter = DAYS - DAYS // 4
    assert [d for d in convened["loser"] if d > last_quarter] == []
    assert len(convened["loser"]) >= 3  # it did convene (and fail) before it stopped
    # the succeeding one stays above the threshold all along and keeps convening
    assert min(weekly["winner"]) > thr
    assert sum(d > last_quarter for d in convened["winner"]) >= 5
    assert len(convened["winner"]) > 3 * len(convened["loser"])
    # the lifetime count the indicators read still counts every success
    assert winner.successes >= len(convened["winner"])
    assert loser.successes == 0 and loser.recent_failures > 0


def test_inactivity_lowers_the_record_and_failures_lower_it_more(scenario):
    world = build_world(scenario, SEED)
    a, b = [o for o in world.orgs if isinstance(o, Enterprise)][:2]
    for o in (a, b):
        o.commitment, o.linked = 0.7, 3
        for _ in range(READY_SUCCESSES):
            o.record_outcome(True)
    start = a.readiness()
    assert a.record() == pytest.approx(1.0) and a.successes == READY_SUCCESSES
    for _ in range(READY_SUCCESSES):
        b.record_outcome(False)
    assert b.readiness() < start  # failures lower readiness at once
    fb = Feedback()
    weeks = int(np.ceil(RECORD_HALF_LIFE_DAYS / 7))
    for w in range(1, weeks + 1):  # about a half-life without any joint action
        world.begin_day(7 * w)
        fb._weekly_links(world)
    # the links were recounted from the (empty) tie network; the record aged by about a half-life
    assert a.recent_successes == pytest.approx(READY_SUCCESSES * 0.5 ** (7 * weeks / RECORD_HALF_LIFE_DAYS))
    assert a.record() < 0.55
    assert a.successes == READY_SUCCESSES  # the lifetime count does not decay
    assert b.record() < a.record()
