"""Organizations present at centers (``mechanisms/org_presence.py``): zones, venues and the hours booked.

Each test can fail: they were written against the bugs of issue 9 (an organization whose only specialty is
government services worked in the party-building zone; an organization without a center was placed from center
0; activities in the fallback slot at a closed center counted as presence hours).
"""

from __future__ import annotations

import numpy as np
import pytest

from cogov_sim.mechanisms.org_presence import SLOT_HOURS, OrgPresence
from cogov_sim.mechanisms.supply import Calendar, Supply, plan
from cogov_sim.rng import stream
from cogov_sim.scenario import FUNCTIONS
from cogov_sim.world import World, build_world
from cogov_sim.world.organizations import ORG_TYPES, Department, Enterprise, PartyOrganization, SocialOrganization
from tests.conftest import small

SEED = 5
GOV = FUNCTIONS.index("government_services")
DAYS = 60


@pytest.fixture(scope="module")
def scenario():
    """The small baseline with more sessions, so every organization shows up within the test's days."""
    return small(
        "baseline",
        0.05,
        **{"organizations.social_org_sessions_per_week": 4.0, "organizations.enterprise_sessions_per_week": 4.0},
    )


def _presence_rows(world: World, days: int, phases: tuple = (OrgPresence(),)) -> np.ndarray:
    """Run ``phases`` for ``days`` days; the presence rows (node, kind, center, slot, zone, weekend) of all days."""
    rows = []
    for d in range(1, days + 1):
        world.begin_day(d)
        for phase in phases:
            phase.run(world, stream(SEED, phase.name, d))
        op = world.today.org_present
        weekend = np.full(len(op), int(world.today.weekend))
        rows.append(np.column_stack([op.node, op.kind, op.center, op.slot, op.zone, weekend]))
    return np.concatenate(rows) if rows else np.zeros((0, 6), dtype=np.int64)


def _only_gov(world: World, cls: type) -> int:
    """Give the first organization of ``cls`` government services as its only specialty; its node."""
    org = next(o for o in world.orgs if isinstance(o, cls))
    org.specialties = np.zeros(len(FUNCTIONS), dtype=bool)
    org.specialties[GOV] = True
    return org.node


def test_an_organization_whose_only_specialty_is_government_services_works_in_that_zone(scenario):
    world = build_world(scenario, SEED)
    dept, social, firm = (_only_gov(world, cls) for cls in (Department, SocialOrganization, Enterprise))
    rows = _presence_rows(world, DAYS)
    offers_gov = world.centers.functions[rows[:, 2], GOV]
    for node in (dept, social, firm):
        mine = rows[:, 0] == node
        assert mine.any(), f"organization {node} was never present"
        here = mine & offers_gov
        # where the venue has a government-services zone, that is where it works, and the hours are real
        assert (rows[here, 4] == GOV).all()
        assert SLOT_HOURS[rows[here, 3]].sum() > 0
    for node in (dept, social):  # their venues are chosen for the specialty: always a government-services zone
        assert (rows[rows[:, 0] == node, 4] == GOV).all()
        assert offers_gov[rows[:, 0] == node].all()


def test_presence_hours_add_the_slot_lengths_of_the_rows_by_type(scenario):
    world = build_world(scenario, SEED)
    rows = _presence_rows(world, 20)
    expected = np.bincount(rows[:, 1], weights=SLOT_HOURS[rows[:, 3]], minlength=len(ORG_TYPES))
    assert world.presence_hours_total == pytest.approx(expected)
    assert (world.presence_hours_total > 0).all()


def test_an_organization_without_a_center_is_present_only_where_its_rule_gives_it_a_venue(scenario):
    world = build_world(scenario, SEED)
    homeless = {}
    for cls in (PartyOrganization, SocialOrganization, Enterprise, Department):
        org = next(o for o in world.orgs if isinstance(o, cls))
        org.center = -1
        homeless[cls] = org.node
    rows = _presence_rows(world, DAYS)
    for cls in (PartyOrganization, SocialOrganization, Enterprise):  # their venue is their own center
        assert not (rows[:, 0] == homeless[cls]).any(), cls.__name__
    # a department's venue is any center with government services, whatever its own center
    assert (rows[:, 0] == homeless[Department]).any()


def test_no_presence_hours_on_days_every_center_is_closed(scenario):
    world = build_world(scenario, SEED)
    closed = np.zeros(world.centers.open.shape[1:], dtype=bool)
    world.set_hours(np.arange(len(world.centers)), closed)
    held = 0
    rows = []
    for d in range(1, 30):
        world.begin_day(d)
        for phase in (Calendar(), Supply(), OrgPresence()):
            phase.run(world, stream(SEED, phase.name, d))
        held += sum(a.center >= 0 for a in world.today.activities)  # held at a center, in the fallback slot
        rows.append(len(world.today.org_present))
    assert held > 0, "no activity at a center: the test checks nothing"
    assert sum(rows) == 0
    assert world.presence_hours_total.sum() == 0


def test_activities_count_as_presence_only_in_slots_their_center_is_open(scenario):
    world = build_world(scenario, SEED)
    evening = world.centers.open.shape[2] - 1
    table = world.centers.open.copy()
    table[:, :, evening] = False  # the fallback slot of an activity where no slot is open
    table[0] = False  # center 0 opens on no day
    world.set_hours(np.arange(len(world.centers)), table)
    rows = _presence_rows(world, DAYS, (Calendar(), Supply(), OrgPresence()))
    assert len(rows)
    assert world.centers.open[rows[:, 2], rows[:, 5], rows[:, 3]].all()
    assert not (rows[:, 2] == 0).any()


def test_a_street_wide_organization_without_a_venue_takes_up_problems_of_every_area():
    world = build_world(small("no_centers", 0.05), 2)
    n_areas = len(world.layout.area_centers)
    world.problems.add(np.arange(n_areas), np.zeros(n_areas, dtype=np.int64), np.ones(n_areas), day=0)
    org = next(o for o in world.orgs if o.area < 0)
    rng = np.random.default_rng(5)
    areas = {int(world.problems.area[a.problem]) for a in (plan(world, rng, org, 0, False) for _ in range(200))
             if a.problem >= 0}  # fmt: skip
    assert len(areas) > n_areas // 2
