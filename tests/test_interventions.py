"""Each intervention does what docs/whatif.md says, leaves earlier days untouched; null ones change nothing."""

from __future__ import annotations

import numpy as np
import pytest

from cogov_sim.interventions import (
    REGISTRY,
    AddCenters,
    AddFunctions,
    ChangeHours,
    CloseCenters,
    DepartmentCoordination,
    IncubateSocialOrganizations,
    LaunchAlliance,
    MobilizationCampaign,
    RemoveFunctions,
    RiderStations,
    WithdrawPartyConvening,
    make_intervention,
)
from cogov_sim.model import CoGovModel
from cogov_sim.scenario import FUNCTIONS, LEVELS, SEGMENTS, SLOTS, ScenarioError
from cogov_sim.simulation import simulate
from cogov_sim.world.organizations import Department, PartyOrganization, SocialOrganization
from tests.conftest import small

T = 12  # start day of the interventions under test
SEED = 5


@pytest.fixture(scope="module")
def scenario():
    return small("baseline", 0.04)


def _run(scenario, interventions, days, each_day=None, seed=SEED):
    """Step a model day by day; ``each_day(model)`` sees the finished day's state."""
    model = CoGovModel(scenario, seed=seed, interventions=list(interventions))
    for _ in range(days):
        model.step()
        if each_day is not None:
            each_day(model)
    return model


def _level(name):
    return LEVELS.index(name)


# ------------------------------------------------------------------------------------------- common properties
EXAMPLES = {
    "add_centers": AddCenters(count=3, start_day=T),
    "close_centers": CloseCenters(levels=("grid",), start_day=T),
    "add_functions": AddFunctions(levels=("residential",), functions=("training",), start_day=T),
    "remove_functions": RemoveFunctions(levels=("residential",), functions=("livelihood",), start_day=T),
    "change_hours": ChangeHours(levels=("residential",), start_day=T),
    "rider_stations": RiderStations(count=3, start_day=T),
    "launch_alliance": LaunchAlliance(start_day=T),
    "incubate_social_organizations": IncubateSocialOrganizations(count=3, start_day=T),
    "mobilization_campaign": MobilizationCampaign(multiplier=3, start_day=T),
    "department_coordination": DepartmentCoordination(start_day=T, every_days=3),
    "withdraw_party_convening": WithdrawPartyConvening(start_day=T),
}


def test_every_registered_intervention_has_an_example():
    assert set(EXAMPLES) == set(REGISTRY)


@pytest.fixture(scope="module")
def baseline_series(scenario):
    return simulate(scenario, SEED, T + 8).timeseries


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_days_before_start_are_identical_and_the_policy_acts_from_start_day(scenario, baseline_series, kind):
    ts = simulate(scenario, SEED, T + 8, interventions=[EXAMPLES[kind]]).timeseries
    before = ts["day"] < T
    assert ts[before].equals(baseline_series[before])
    assert not ts[~before].equals(baseline_series[~before]), f"{kind} changed nothing from day {T}"


@pytest.fixture(scope="module")
def baseline_25(scenario):
    return simulate(scenario, SEED, 25).timeseries


@pytest.mark.parametrize(
    "null",
    [
        AddCenters(count=0, start_day=3),
        CloseCenters(levels=("grid",), count=0, start_day=3),
        RiderStations(count=0, start_day=3),
        IncubateSocialOrganizations(count=0, start_day=3),
        MobilizationCampaign(multiplier=1.0, start_day=3),
        ChangeHours(levels=("street",), open_slots=("morning",), start_day=3),  # the street center is open then
        DepartmentCoordination(every_days=1, responsiveness_boost=0.0, start_day=30, end_day=30),
    ],
    ids=lambda iv: iv.kind,
)
def test_a_policy_that_changes_nothing_reproduces_the_baseline_exactly(scenario, baseline_25, null):
    ts = simulate(scenario, SEED, 25, interventions=[null]).timeseries
    assert ts.equals(baseline_25)


# ----------------------------------------------------------------------------------------------------- centers
def test_added_centers_exist_from_start_day_and_receive_visits(scenario):
    n0 = len(CoGovModel(scenario, seed=SEED).world.centers)
    sizes = {}
    iv = AddCenters(level="residential", count=4, start_day=T, functions=("livelihood", "culture_sports"))
    model = _run(scenario, [iv], T + 30, lambda m: sizes.setdefault(m.day, len(m.world.centers)))
    assert sizes[T - 1] == n0 and sizes[T] == n0 + 4
    new = np.arange(n0, n0 + 4)
    assert model.world.centers.active[new].all()
    assert (model.world.centers.level[new] == _level("residential")).all()
    assert model.world.visits_by_center[new].sum(axis=1).min() > 0


def test_add_centers_in_chosen_areas_sits_in_those_areas(scenario):
    iv = AddCenters(level="grid", count=3, areas=(2, 5), start_day=2)
    model = _run(scenario, [iv], 2)
    n = len(model.world.centers)
    assert sorted(set(model.world.centers.area_index[n - 3 :].tolist())) == [2, 5]


def test_closed_centers_get_no_visits_while_closed_and_their_organizations_move(scenario):
    base = CoGovModel(scenario, seed=SEED)
    grid = np.flatnonzero(base.world.centers.level == _level("grid"))
    based_there = [o.node for o in base.world.orgs if o.center in set(grid.tolist())]
    assert based_there, "the test needs organizations based at grid centers"
    seen = {}

    def record(m):
        seen[m.day] = m.world.visits_by_center[grid].sum()

    iv = CloseCenters(levels=("grid",), start_day=T, end_day=T + 9)
    model = _run(scenario, [iv], T + 20, record)
    assert seen[T - 1] > 0
    assert seen[T + 9] == seen[T - 1]  # closed from day T through the end day
    assert seen[T + 20] > seen[T + 9]  # reopened after the end day
    assert model.world.centers.active[grid].all()
    # while closed, the organizations based there had moved to an open center; they move back on reopening
    mid = _run(scenario, [CloseCenters(levels=("grid",), start_day=T, end_day=T + 9)], T + 1)
    moved = [o for o in mid.world.orgs if o.node in based_there]
    assert all(o.center not in set(grid.tolist()) and mid.world.centers.active[o.center] for o in moved)
    assert all(model.world.orgs[o.node - model.world.n].center in set(grid.tolist()) for o in moved)


def test_close_least_visited_closes_that_many_of_the_targets(scenario):
    iv = CloseCenters(levels=("residential",), select="least_visited", count=3, start_day=T)
    model = _run(scenario, [iv], T)
    res = np.flatnonzero(model.world.centers.level == _level("residential"))
    closed = res[~model.world.centers.active[res]]
    assert len(closed) == 3
    # the three had the fewest visits before day T (visits while closed are zero, so order is kept)
    visits = model.world.visits_by_center[res].sum(axis=1)
    assert visits[~model.world.centers.active[res]].max() <= np.sort(visits)[3]


def _visits_at(model, centers):
    return int(model.world.visits_by_center[centers].sum())


def test_added_functions_are_offered_and_draw_more_visits_than_the_baseline(scenario):
    days = T + 40
    base = _run(scenario, [], days)
    res = np.flatnonzero(base.world.centers.level == _level("residential"))
    add = ("training", "government_services", "new_employment_support")
    iv = AddFunctions(levels=("residential",), functions=add, start_day=T)
    model = _run(scenario, [iv], days)
    cols = [FUNCTIONS.index(f) for f in add]
    assert model.world.centers.functions[np.ix_(res, cols)].all()
    assert not base.world.centers.functions[np.ix_(res, cols)].all()
    assert _visits_at(model, res) > 1.05 * _visits_at(base, res)


def test_removed_functions_go_but_every_center_keeps_one_and_visits_fall(scenario):
    days = T + 40
    base = _run(scenario, [], days)
    res = np.flatnonzero(base.world.centers.level == _level("residential"))
    gone = ("livelihood", "culture_sports", "group_work")
    model = _run(scenario, [RemoveFunctions(levels=("residential",), functions=gone, start_day=T)], days)
    assert not model.world.centers.functions[np.ix_(res, [FUNCTIONS.index(f) for f in gone])].any()
    assert _visits_at(model, res) < 0.95 * _visits_at(base, res)
    # a rider station has one zone only: removing it leaves the station as it was
    last = _run(scenario, [RemoveFunctions(levels=("rider",), functions=("new_employment_support",))], 1)
    rider = last.world.centers.level == _level("rider")
    assert last.world.centers.functions[rider].sum(axis=1).min() == 1


def test_evening_opening_brings_evening_visits_only_while_in_effect(scenario):
    evening = SLOTS.index("evening")
    counts = {}

    def record(m):
        t = m.world.today
        res = m.world.centers.level[t.center] == _level("residential")
        counts[m.day] = int((res & (t.slot == evening)).sum())

    iv = ChangeHours(levels=("residential",), open_slots=("evening",), start_day=T, end_day=T + 14)
    model = _run(scenario, [iv], T + 22, record)
    assert sum(counts[d] for d in range(1, T)) == 0
    assert sum(counts[d] for d in range(T, T + 15)) > 0
    assert sum(counts[d] for d in range(T + 15, T + 23)) == 0
    res = model.world.centers.level == _level("residential")
    assert not model.world.centers.open[res][:, :, evening].any()  # the old hours are back


def test_rider_stations_sit_on_rider_routes_and_riders_use_them():
    # a fifth of the street: at 4% its few rider agents, most of whom rarely visit anywhere (the calibrated
    # propensity, gamma shape 0.108), may all pass a new station by in 40 days
    scenario = small("baseline", 0.2)
    n0 = len(CoGovModel(scenario, seed=SEED).world.centers)
    model = _run(scenario, [RiderStations(count=4, start_day=T)], T + 40)
    new = np.arange(n0, len(model.world.centers))
    assert len(new) == 4
    assert (model.world.centers.level[new] == _level("rider")).all()
    assert model.world.centers.functions[new, FUNCTIONS.index("new_employment_support")].all()
    pts = model.world.layout.rider_points
    d = np.hypot(model.world.centers.x[new, None] - pts[None, :, 0], model.world.centers.y[new, None] - pts[None, :, 1])
    assert d.min(axis=1).max() < 1.0  # each at a route point
    # "gaps": the new stations are farther from the old rider stations than the average route point is
    old = np.flatnonzero(model.world.centers.level[:n0] == _level("rider"))
    c = model.world.centers
    to_old = lambda xy: np.hypot(xy[:, None, 0] - c.x[old], xy[:, None, 1] - c.y[old])  # noqa: E731
    assert to_old(model.world.centers.xy[new]).min(axis=1).mean() > to_old(pts.astype(float)).min(axis=1).mean()
    rider_visits = model.world.visits_by_center[new, SEGMENTS.index("rider")].sum()
    assert rider_visits > 0


# ----------------------------------------------------------------------------------------------- organizations
def test_alliance_records_members_signs_agreements_and_holds_joint_actions(scenario):
    acts = []
    iv = LaunchAlliance(name="cbd", start_day=T, max_members=10, actions_per_month=15)
    model = _run(scenario, [iv], T + 30, lambda m: acts.extend((m.day, a) for a in m.world.today.activities))
    members = model.world.alliances["cbd"]
    assert len(members) == 10
    kinds = {model.world.orgs[n - model.world.n].kind for n in members}
    assert {"party", "enterprise"} <= kinds
    lead = next(o for o in model.world.orgs if isinstance(o, PartyOrganization) and o.tier == "street")
    assert lead.node in members
    for node in members - {lead.node}:
        key = (min(lead.node, node), max(lead.node, node))
        assert model.world.agreements[key] == T
    venue = iv.alliance.venue
    alliance_acts = [a for d, a in acts if d >= T and a.center == venue and a.convener is lead]
    assert len(alliance_acts) >= 5  # 15 a month for 30 days, plus agreement actions convened by the lead
    partners = [p.node for a in alliance_acts for p in a.partners]
    assert partners and set(partners) <= members | {o.node for o in model.world.orgs}
    assert sum(p in members for p in partners) / len(partners) > 0.5


def test_alliance_all_pairs_signs_every_pair(scenario):
    model = _run(scenario, [LaunchAlliance(start_day=2, max_members=6, agreements="all")], 2)
    members = sorted(model.world.alliances["business district alliance"])
    pairs = {(a, b) for i, a in enumerate(members) for b in members[i + 1 :]}
    assert pairs <= set(model.world.agreements)


def test_incubated_organizations_are_founded_at_the_street_center_and_mature_with_support(scenario):
    def founded(model):
        return [o for o in model.world.orgs if isinstance(o, SocialOrganization) and o.founded >= T - 1]

    days = T + 65  # two monthly support steps: days T+30 and T+60
    spec = ("livelihood", "training")
    with_support = _run(
        scenario, [IncubateSocialOrganizations(count=4, specialties=spec, support_per_month=0.1, start_day=T)], days
    )
    without = _run(
        scenario, [IncubateSocialOrganizations(count=4, specialties=spec, support_per_month=0.0, start_day=T)], days
    )
    a, b = founded(with_support), founded(without)
    assert len(a) == len(b) == 4
    street = int(np.flatnonzero(with_support.world.centers.level == _level("street"))[0])
    assert all(o.center == street for o in a)
    assert [o.specialty_names() for o in a] == [["livelihood"], ["training"], ["livelihood"], ["training"]]
    # everything else is paired, so support adds exactly 0.1 a month (below the cap of 1)
    gain = np.array([x.maturity - y.maturity for x, y in zip(a, b, strict=True)])
    assert np.allclose(gain[np.array([y.maturity for y in b]) < 0.8], 0.2)


def test_campaign_multiplies_party_convening_while_it_lasts():
    # no agreements, so Party organizations convene only at their own rate (Poisson, documented in Supply)
    sc = small("baseline", 0.04, **{"behaviour.agreement_successes": 1000})
    cum = {}

    def record(m):
        cum[m.day] = sum(o.convened for o in m.world.orgs if isinstance(o, PartyOrganization))

    end = T + 40
    model = _run(sc, [MobilizationCampaign(multiplier=3.0, start_day=T, end_day=end)], end + 1, record)
    party = [o for o in model.world.orgs if isinstance(o, PartyOrganization)]
    per_day = sum(sc.organizations.convening_per_week * o.capacity_share for o in party) / 7
    for days, factor, got in ((T - 1, 1.0, cum[T - 1]), (end - T + 1, 3.0, cum[end] - cum[T - 1])):
        expected = days * per_day * factor
        assert abs(got - expected) < 4 * np.sqrt(expected), (factor, got, expected)
    assert all(o.campaign == 1.0 for o in party)  # divided out after the end day


def test_department_coordination_holds_meetings_with_all_departments_and_raises_responsiveness(scenario):
    meetings = []

    def record(m):
        for a in m.world.today.activities:
            if a.convener.kind == "party" and len(a.partners) and all(p.kind == "department" for p in a.partners):
                meetings.append((m.day, len(a.partners)))

    iv = DepartmentCoordination(every_days=7, responsiveness_boost=0.2, start_day=T, end_day=T + 30)
    model = _run(scenario, [iv], T + 20, record)
    n_dept = sum(isinstance(o, Department) for o in model.world.orgs)
    assert [d for d, k in meetings if k == n_dept] == [T, T + 7, T + 14]
    base_r = scenario.organizations.department_responsiveness
    assert all(o.responsiveness == pytest.approx(base_r + 0.2) for o in model.world.orgs if isinstance(o, Department))
    ended = _run(scenario, [iv.model_copy()], T + 32)
    assert all(o.responsiveness == pytest.approx(base_r) for o in ended.world.orgs if isinstance(o, Department))


def test_department_meetings_build_coordination(scenario):
    days = T + 30
    base = _run(scenario, [], days)
    model = _run(scenario, [DepartmentCoordination(every_days=2, responsiveness_boost=0.0, start_day=T)], days)
    coord = lambda m: np.mean([o.coordination for o in m.world.orgs if isinstance(o, Department)])  # noqa: E731
    assert coord(model) > coord(base)


def _withdrawal_run(scenario, ready: bool):
    """The street committee signs agreements with 19 members on day 1; the Party withdraws from day 20 to 50.

    With ``ready`` the members are made ready to convene on day 1 (commitment 1, five shared successes)."""
    by_day = {}

    def record(m):
        by_day[m.day] = [a.convener for a in m.world.today.activities]
        if ready and m.day == 1:
            for node in m.world.alliances["business district alliance"]:
                o = m.world.org(node)
                if not isinstance(o, PartyOrganization):
                    o.commitment, o.recent_successes = 1.0, 5.0

    ivs = [LaunchAlliance(start_day=1, actions_per_month=0), WithdrawPartyConvening(start_day=20, end_day=50)]
    model = _run(scenario, ivs, 60, record)
    members = model.world.alliances["business district alliance"]
    by_members = sum(c.node in members for d in range(20, 51) for c in by_day[d])
    return model, by_day, by_members


def test_withdrawal_stops_party_convening_and_ready_partners_carry_agreements(scenario):
    model, by_day, by_members = _withdrawal_run(scenario, ready=True)
    party = lambda days: sum(c.kind == "party" for d in days for c in by_day[d])  # noqa: E731
    assert party(range(1, 20)) > 10
    assert party(range(20, 51)) == 0
    assert party(range(51, 61)) > 0  # resumed after the end day
    assert all(o.convening for o in model.world.orgs)
    # the agreements' regular actions go on, convened by the ready partners: about 19 / 14 a day
    assert 20 < by_members < 70
    # partners not yet ready to convene (readiness below the threshold) leave the agreements silent
    assert _withdrawal_run(scenario, ready=False)[2] < 0.25 * by_members


def test_withdrawal_of_branches_in_chosen_areas_only(scenario):
    model = _run(scenario, [WithdrawPartyConvening(tiers=("branch",), areas=(0, 1), start_day=1)], 1)
    stopped = [o for o in model.world.orgs if isinstance(o, PartyOrganization) and not o.convening]
    assert sorted(o.area for o in stopped) == [0, 1]
    assert all(o.tier == "branch" for o in stopped)


def test_apply_now_acts_at_once_and_schedule_end_undoes_it(scenario):
    model = _run(scenario, [], 3)
    n0 = len(model.world.centers)
    model.apply_now(AddCenters(count=2))
    assert len(model.world.centers) == n0 + 2
    campaign = MobilizationCampaign(multiplier=2, end_day=5)
    model.apply_now(campaign)
    campaign.schedule_end(model)
    party = [o for o in model.world.orgs if isinstance(o, PartyOrganization)]
    model.step()
    assert model.day == 4 and all(o.campaign == 2 for o in party)
    model.step()
    model.step()
    assert all(o.campaign == 1 for o in party)  # undone after day 5


@pytest.mark.parametrize("day", [3, 4])  # an odd and an even day: the app's change and its export draw alike
def test_applied_now_after_day_t_equals_scheduled_for_day_t_plus_1(scenario, day):
    def policy(start):
        return [AddCenters(count=3, start_day=start),
                IncubateSocialOrganizations(count=2, start_day=start, support_per_month=0.2)]  # fmt: skip

    now = _run(scenario, [], day)
    for iv in policy(1):
        now.apply_now(iv)
    later = CoGovModel(scenario, seed=SEED, interventions=policy(day + 1))
    for _ in range(day):
        later.step()
    for _ in range(40):  # past the first monthly support
        now.step()
        later.step()
    a, b = now.world, later.world
    assert len(a.centers) == len(b.centers) > len(CoGovModel(scenario, seed=SEED).world.centers)
    np.testing.assert_array_equal(np.c_[a.centers.x, a.centers.y], np.c_[b.centers.x, b.centers.y])
    founded = [(o.founded, o.maturity) for o in a.orgs if isinstance(o, SocialOrganization)]
    assert founded == [(o.founded, o.maturity) for o in b.orgs if isinstance(o, SocialOrganization)]
    assert sum(f == day + 1 for f, _ in founded) == 2  # both founded on the day the change takes effect
    np.testing.assert_array_equal(a.pop.visits, b.pop.visits)


# ------------------------------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("data", "path", "fragment"),
    [
        ({"kind": "add_center"}, "p.kind", "Did you mean 'add_centers'"),
        ({"kind": "launch_alliance", "radius": 3}, "p.radius", "Did you mean 'radius_m'"),
        ({"kind": "change_hours", "levels": ["grid"], "open_slots": ["night"]}, "p.open_slots.0", "evening"),
        ({"kind": "close_centers"}, "p.levels", "at least one of levels, centers or areas"),
        ({"kind": "mobilization_campaign", "start_day": 9, "end_day": 3}, "p.end_day", "before start_day"),
        ({"kind": "mobilization_campaign", "multiplier": 0}, "p.multiplier", "greater than 0"),
        ({"start_day": 3}, "p", "needs a `kind`"),
    ],
)
def test_bad_interventions_name_the_field_path(data, path, fragment):
    with pytest.raises(ScenarioError) as err:
        make_intervention(data, "f.yaml", "p")
    assert err.value.file == "f.yaml"
    assert err.value.path == path
    assert fragment in err.value.message


def test_check_rejects_targets_the_scenario_does_not_have(scenario):
    with pytest.raises(ValueError, match=r"areas.0: area 99 does not exist"):
        WithdrawPartyConvening(areas=(99,)).check(scenario)
    with pytest.raises(ValueError, match=r"levels.0: the scenario has no park centers"):
        ChangeHours(levels=("park",)).check(scenario)
    ChangeHours(levels=("park",)).check(scenario, [AddCenters(level="park")])  # added by the same policy: fine
    with pytest.raises(ValueError, match=r"centers.0: center 500 does not exist"):
        CloseCenters(centers=(500,)).check(scenario)
