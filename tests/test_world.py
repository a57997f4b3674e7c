"""The World without a Mesa model: built from a scenario and a seed, edited, and run through single phases."""

from __future__ import annotations

import numpy as np
import pytest

from cogov_sim.mechanisms import feedback
from cogov_sim.mechanisms.feedback import Feedback
from cogov_sim.mechanisms.joint_action import JointAction
from cogov_sim.mechanisms.presence import Presence
from cogov_sim.mechanisms.supply import Calendar, Supply, Topic, convene
from cogov_sim.model import CoGovModel
from cogov_sim.rng import stream
from cogov_sim.scenario import LEVELS, SEGMENTS
from cogov_sim.world import Activity, World, build_world
from cogov_sim.world.organizations import Enterprise, PartyOrganization, SocialOrganization
from cogov_sim.world.profiles import PROFILES
from tests.conftest import small

SEED = 3


@pytest.fixture(scope="module")
def scenario():
    return small("baseline", 0.05)


def _world(scenario) -> World:
    return build_world(scenario, SEED)


def _presence_days(world: World, days: range) -> list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    """Run presence alone on ``days``; (day, visitors, centers, slots) of each."""
    phase, out = Presence(), []
    for d in days:
        world.begin_day(d)
        phase.run(world, stream(SEED, phase.name, d))
        out.append((d, world.today.visitor.copy(), world.today.center.copy(), world.today.slot.copy()))
    return out


def test_the_builder_gives_the_model_world_without_a_model(scenario):
    world = _world(scenario)
    model = CoGovModel(scenario, seed=SEED)
    assert [o.label for o in world.orgs] == [o.label for o in model.world.orgs]
    assert np.array_equal(world.pop.awareness, model.world.pop.awareness)
    assert [o.node for o in world.orgs] == list(range(world.n, world.n + len(world.orgs)))
    street = world.orgs[0]
    assert isinstance(street, PartyOrganization) and street.tier == "street"
    assert street.capacity == PROFILES["street_committee"].capacity
    # employees point at the node of their building's enterprise
    employed = world.pop.workplace[world.pop.workplace >= 0]
    assert len(employed) and all(isinstance(world.org(int(k)), Enterprise) for k in np.unique(employed))
    # Beta-drawn motives of enterprises: mean a / (a + b) = 1/3 within sampling error
    ent = [o.motive for o in world.orgs if isinstance(o, Enterprise)]
    assert np.mean(ent) == pytest.approx(1 / 3, abs=4 * np.sqrt(2 / 63) / np.sqrt(len(ent)))


def test_presence_sends_people_only_to_open_active_centers(scenario):
    # capacity is a mean, not a wall (tests/test_crowding.py, test_mechanisms.test_capacity_turns_people_away)
    world = _world(scenario)
    days = _presence_days(world, range(1, 8))
    c = world.centers
    total = 0
    for d, who, center, slot in days:
        kind = int(d % 7 in (6, 0))
        assert c.open[center, kind, slot].all()
        assert c.active[center].all()
        total += len(who)
    assert total > 0.01 * world.n * 7  # a per cent or more of the people a day
    # commuters come on weekdays; on weekend days their availability is a twentieth
    week = [(d, who) for d, who, _, _ in days]
    per_day = lambda wknd: np.mean([world.pop.commuter[w].sum() for d, w in week if (d % 7 in (6, 0)) == wknd])  # noqa: E731
    assert per_day(True) < 0.25 * per_day(False)


def test_presence_depends_on_knowing_the_centers_and_on_opening_hours(scenario):
    visits = {}
    for aware in (True, False):
        world = _world(scenario)
        world.pop.awareness[:] = aware
        visits[aware] = sum(len(who) for _, who, _, _ in _presence_days(world, range(1, 8)))
    assert visits[True] > 3 * max(visits[False], 1)
    world = _world(scenario)
    everything = np.arange(len(world.centers))
    world.set_hours(everything, np.zeros_like(world.centers.open[everything]))
    assert sum(len(who) for _, who, _, _ in _presence_days(world, range(1, 8))) == 0


def test_closed_centers_leave_the_reach_tables_and_get_no_visits(scenario):
    world = _world(scenario)
    res = np.flatnonzero(world.centers.level == LEVELS.index("residential"))
    based = [o for o in world.orgs if o.center in set(res.tolist())]
    moved = world.close_centers(res)
    assert {o for o, _ in moved} == set(based)
    assert not np.isin(world.reach.nearest_center, res).any()
    assert not np.isin(world.reach.cand["home"].idx, res).any()
    assert all(world.centers.active[o.center] for o in based)
    for _, _, center, _ in _presence_days(world, range(1, 4)):
        assert not np.isin(center, res).any()
    world.reopen_centers(res, moved)
    assert [o.center for o, _ in moved] == [center for _, center in moved]
    assert np.isin(world.reach.nearest_center, res).any()


def _activities(world: World, k: int) -> list[Activity]:
    street = world.orgs[0]
    return [convene(street, street.center, 0, Topic(-1, 0, False), []) for _ in range(k)]


def test_joint_action_draws_participants_from_the_catchment_and_success_at_its_probability(scenario):
    world = _world(scenario)
    world.begin_day(1)
    acts = _activities(world, 400)
    world.today.activities = acts
    phase = JointAction()
    phase.run(world, stream(SEED, phase.name, 1))
    pool = world.reach.catchment(acts[0].center, acts[0].convener.area)
    assert all(np.isin(a.participants, pool).all() for a in acts)
    cap = max(3, round(40 * scenario.population.sample_fraction))
    assert max(len(a.participants) for a in acts) <= cap
    p = np.array([phase.success_probability(world, a) for a in acts])
    wins = np.array([a.success for a in acts])
    assert abs(wins.mean() - p.mean()) < 4 * np.sqrt(p.mean() * (1 - p.mean()) / len(acts))
    # willing people with low thresholds join far more than unwilling ones
    counts = {}
    for willing in (True, False):
        w = _world(scenario)
        for col in (w.pop.cogov, w.pop.trust, w.pop.identification):
            col[:] = 1.0 if willing else 0.0
        w.pop.threshold[:] = 0.0 if willing else 1.0
        w.begin_day(1)
        w.today.activities = _activities(w, 50)
        JointAction().run(w, stream(SEED, "joint_action", 1))
        counts[willing] = np.mean([len(a.participants) for a in w.today.activities])
    assert counts[True] > 3 * counts[False]


def test_feedback_signs_agreements_resolves_problems_and_incubates(scenario, monkeypatch):
    monkeypatch.setattr(feedback, "INCUBATION_FOUNDING_CHANCE", 1.0)  # a completed cohort always registers
    world = _world(scenario)
    b = scenario.behaviour
    street, ent = world.orgs[0], next(o for o in world.orgs if isinstance(o, Enterprise))
    world.problems.add(np.array([0]), np.array([1]), np.array([0.5]), day=1)
    world.ties.add(np.array([street.node]), np.array([ent.node]), b.agreement_hours, day=1)
    for _ in range(b.agreement_successes - 1):
        world.ties.add(np.array([street.node]), np.array([ent.node]), 0.0, day=1, success=True)
    before = len(world.orgs)
    world.begin_day(2)
    center = street.center
    acts = [convene(street, center, 0, Topic(0, 1, True), [ent])]
    acts += [convene(street, center, 0, Topic(-1, 0, False), []) for _ in range(b.incubation_successes)]
    for a in acts:
        a.success = True
    world.today.activities = acts
    Feedback().run(world, stream(SEED, "feedback", 2))
    assert world.agreements == {(street.node, ent.node): 2}
    assert world.problems.resolved[0] == 2
    founded = world.orgs[before:]
    assert len(founded) == 1 and isinstance(founded[0], SocialOrganization)
    assert (founded[0].center, founded[0].founded, founded[0].node) == (center, 2, world.n + before)
    assert street.commitment > PROFILES["street_committee"].commitment  # success raises commitment
    assert street.convened == len(acts) and ent.joined == 1


def test_supply_convenes_at_the_configured_rate_on_a_bare_world(scenario):
    world = _world(scenario)
    calendar, supply = Calendar(), Supply()
    held = 0
    days = 70
    for d in range(1, days + 1):
        world.begin_day(d)
        calendar.run(world, stream(SEED, calendar.name, d))
        supply.run(world, stream(SEED, supply.name, d))
        held += sum(a.convener.kind == "party" for a in world.today.activities)
    party = [o for o in world.orgs if isinstance(o, PartyOrganization)]
    expected = days / 7 * sum(o.convening_rate(0.6) for o in party)
    assert held == pytest.approx(expected, rel=4 / np.sqrt(expected))


def test_segments_have_a_visits_column_each(scenario):
    world = _world(scenario)
    assert world.visits_by_center.shape == (len(world.centers), len(SEGMENTS))
