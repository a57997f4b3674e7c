"""Organizations in the room: presence at centers, meetings, invitations, agreements, emergent convening and
the spiritual layer fed by the social (issue 9). Each test can fail; the random ones are seeded statistics."""

from __future__ import annotations

import numpy as np
import pytest

from cogov_sim.mechanisms import alliance, feedback
from cogov_sim.mechanisms.alliance import ALLIANCE_MIN_ENTERPRISES, Alliance, self_formed_alliances
from cogov_sim.mechanisms.consciousness import Consciousness
from cogov_sim.mechanisms.encounters import meet_organizations
from cogov_sim.mechanisms.feedback import Feedback
from cogov_sim.mechanisms.org_presence import OrgPresence
from cogov_sim.mechanisms.supply import Calendar, Supply, Topic, convene, invite
from cogov_sim.model import CoGovModel
from cogov_sim.rng import stream
from cogov_sim.scenario import FUNCTIONS
from cogov_sim.world import Activity, World, build_world
from cogov_sim.world.organizations import (
    MAX_AGREEMENTS,
    ORG_TYPES,
    Department,
    Enterprise,
    OrgTable,
    PartyOrganization,
    SocialOrganization,
)
from tests.conftest import small

SEED = 5
GOV = FUNCTIONS.index("government_services")


@pytest.fixture(scope="module")
def scenario():
    return small("baseline", 0.05)


def test_without_centers_no_organization_is_present_and_presence_makes_no_cross_type_ties():
    model = CoGovModel(small("no_centers", 0.05), seed=SEED)
    for _ in range(30):
        model.step()
        assert len(model.world.today.org_present) == 0
    w = model.world
    assert w.presence_hours_total.sum() == 0
    assert all(o.convened == 0 for o in w.orgs if o.kind != "party")


def test_every_type_is_present_at_centers_in_the_baseline(scenario):
    model = CoGovModel(scenario, seed=SEED)
    for _ in range(28):
        model.step()
    w = model.world
    assert (w.presence_hours_total > 0).all()  # party, department, enterprise, social organization
    op = w.today.org_present
    assert w.centers.active[op.center].all()
    kind = int(w.today.weekend)
    assert w.centers.open[op.center, kind, op.slot].all()  # only where and when the center is open


def test_departments_staff_centers_with_government_services(scenario):
    world = build_world(scenario, SEED)
    phase = OrgPresence()
    rows = []
    for d in range(1, 60):
        world.begin_day(d)
        phase.run(world, stream(SEED, phase.name, d))
        op = world.today.org_present
        rows.append((op.kind.copy(), op.center.copy(), op.zone.copy()))
    kind = np.concatenate([r[0] for r in rows])
    center = np.concatenate([r[1] for r in rows])
    dept = kind == ORG_TYPES.index("department")
    n_dept = sum(isinstance(o, Department) for o in world.orgs)
    # about department_sessions_per_week a week each
    expected = n_dept * scenario.organizations.department_sessions_per_week * 59 / 7
    assert abs(dept.sum() - expected) < 4 * np.sqrt(expected)
    assert world.centers.functions[center[dept], GOV].all()


def _meeting_world(scenario) -> tuple[World, Department, Department, np.ndarray]:
    """A world with today's visitors all at center 0, slot 0, in the government-services zone."""
    world = build_world(scenario, SEED)
    world.begin_day(1)
    t = world.today
    t.visitor = np.arange(40)
    t.center = np.zeros(40, dtype=np.int64)
    t.slot = np.zeros(40, dtype=np.int64)
    t.zone = np.full(40, GOV)
    depts = [o for o in world.orgs if isinstance(o, Department)]
    return world, depts[0], depts[1], t.visitor


def test_an_organization_present_meets_the_visitors_of_its_zone_and_the_organizations_there(scenario):
    world, staffed, absent, visitors = _meeting_world(scenario)
    party = world.orgs[0]
    op = world.today.org_present
    op.extend([staffed.node, party.node], [1, 0], [0, 0], [0, 0], [GOV, FUNCTIONS.index("party_building")])
    meet_organizations(world, stream(SEED, "test", 1))
    to_staffed = world.ties.get(np.full(len(visitors), staffed.node), visitors, 1)
    to_absent = world.ties.get(np.full(len(visitors), absent.node), visitors, 1)
    q = scenario.behaviour.org_contacts_per_session * scenario.population.sample_fraction
    assert np.floor(q) <= (to_staffed > 0).sum() <= np.ceil(q)
    assert (to_absent == 0).all()
    # the department and the Party organization at the same center in the same slot meet
    assert world.ties.get(np.array([staffed.node]), np.array([party.node]), 1)[0] > 0
    assert world.ties.get(np.array([absent.node]), np.array([party.node]), 1)[0] == 0


def test_a_department_that_staffs_a_center_gains_ties_one_that_does_not_lacks():
    def org_ties(sessions: float) -> int:
        model = CoGovModel(small("baseline", 0.1, **{"organizations.department_sessions_per_week": sessions}), SEED)
        for _ in range(90):
            model.step()
        w = model.world
        i, j, _ = w.ties.above(w.day, 0.1)
        depts = {o.node for o in w.orgs if isinstance(o, Department)}
        return int(sum(a in depts or b in depts for a, b in zip(i.tolist(), j.tolist(), strict=True)))

    assert org_ties(3.0) > 1.5 * org_ties(0.0)


def _invite_stats(scenario, weight: float, function: int, trials: int = 400) -> tuple[float, float]:
    """Share of accepted partners of the convener's own type, and share serving ``function``."""
    sc = scenario.model_copy(
        update={"behaviour": scenario.behaviour.model_copy(update={"complementarity_weight": weight})}
    )
    world = build_world(sc, SEED)
    world.begin_day(1)
    convener = world.orgs[1]  # a residential branch
    rng = stream(SEED, "invite-test", 0)
    table = OrgTable.of(world.orgs)
    same = serve = total = 0
    for _ in range(trials):
        for o in world.orgs:
            o.busy = 0.0
        got = invite(world, rng, convener, function, -1, table)
        same += sum(o.kind == convener.kind for o in got)
        serve += sum(bool(o.specialties[function]) for o in got)
        total += len(got)
    return same / total, serve / total


def test_invitations_favour_missing_actor_types_and_matching_specialties(scenario):
    training = FUNCTIONS.index("training")
    same_with, serve_with = _invite_stats(scenario, 1.0, training)
    same_without, _ = _invite_stats(scenario, 0.0, training)
    assert same_with < same_without - 0.05  # complementarity: fewer Party partners for a Party convener
    world = build_world(scenario, SEED)
    base_share = np.mean([bool(o.specialties[training]) for o in world.orgs[1:]])
    assert serve_with > base_share + 0.1  # partners who serve the need are asked first


def test_cross_type_agreements_form_when_the_thresholds_are_met_and_not_before(scenario):
    world = build_world(scenario, SEED)
    b = scenario.behaviour
    dept = next(o for o in world.orgs if isinstance(o, Department))
    ents = [o for o in world.orgs if isinstance(o, Enterprise)][:3]
    world.begin_day(10)
    hours = (b.agreement_hours - 1, b.agreement_hours + 1, b.agreement_hours + 1)
    wins = (b.agreement_successes, b.agreement_successes, b.agreement_successes - 1)
    for e, h, w in zip(ents, hours, wins, strict=True):
        for _ in range(w):
            world.ties.add(np.array([dept.node]), np.array([e.node]), 0.0, 10, success=True)
        world.ties.add(np.array([dept.node]), np.array([e.node]), h, 10)
    pairs = {(min(dept.node, e.node), max(dept.node, e.node)) for e in ents}
    Feedback()._agreements(world, pairs)
    signed = {e.node for e in ents if (min(dept.node, e.node), max(dept.node, e.node)) in world.agreements}
    assert signed == {ents[1].node}  # hours short, both met, successes short


def _non_party_conveners(scenario, commitment: float, linked: int, days: int = 200) -> int:
    world = build_world(scenario, SEED)
    for o in world.orgs:
        if not isinstance(o, PartyOrganization):
            o.commitment, o.linked, o.recent_successes = commitment, linked, 3.0
    supply, calendar, count = Supply(), Calendar(), 0
    for d in range(1, days + 1):
        world.begin_day(d)
        calendar.run(world, stream(SEED, calendar.name, d))
        supply.run(world, stream(SEED, supply.name, d))
        count += sum(a.convener.kind != "party" for a in world.today.activities)
    return count


def test_non_party_convening_rises_with_commitment_and_ties(scenario):
    by_commitment = [_non_party_conveners(scenario, c, 3) for c in (0.3, 0.6, 0.9)]
    assert by_commitment[0] < by_commitment[1] < by_commitment[2]
    by_ties = [_non_party_conveners(scenario, 0.8, k) for k in (0, 1, 3)]
    assert by_ties[0] < by_ties[1] < by_ties[2]


def test_agreement_actions_are_convened_by_either_side(scenario):
    world = build_world(scenario, SEED)
    party = world.orgs[1]
    ent = next(o for o in world.orgs if isinstance(o, Enterprise))
    ent.commitment = party.commitment
    world.agreements[(party.node, ent.node)] = 0
    supply, by = Supply(), {"party": 0, "enterprise": 0}
    for o in world.orgs:
        o.convening = o is party or o is ent
    party.per_week = 0.0
    ent.commitment = party.commitment = 0.5
    ent.linked, ent.recent_successes = 0, 0.0  # readiness 0.25: below the threshold, the Party side convenes alone
    for d in range(1, 200):
        world.begin_day(d)
        supply.run(world, stream(SEED, supply.name, d))
        assert all(a.convener is party for a in world.today.activities)
    ent.linked, ent.recent_successes = 3, 5.0  # readiness 0.75: both sides convene
    for d in range(200, 800):
        world.begin_day(d)
        for o in world.orgs:
            o.busy = 0.0
        supply.run(world, stream(SEED, supply.name, d))
        for a in world.today.activities:
            by[a.convener.kind] += 1
    assert by["party"] > 10 and by["enterprise"] > 10
    assert abs(by["party"] - by["enterprise"]) < 4 * np.sqrt(by["party"] + by["enterprise"])


def test_trust_falls_after_repeated_failures_in_an_area(scenario):
    world = build_world(scenario, SEED)
    area = 0
    people = np.flatnonzero(world.pop.area == area)[:30]
    others = np.flatnonzero(world.pop.area == 1)[:30]
    before = world.pop.trust[people].mean(), world.pop.trust[others].mean()
    fb = Feedback()
    for d in range(1, 11):
        world.begin_day(d)
        act = convene(world.orgs[1], 0, 0, Topic(-1, GOV, False), [])
        act.participants = people
        act.success = False
        world.today.activities = [act]
        fb.run(world, stream(SEED, fb.name, d))
    assert world.pop.trust[people].mean() < before[0] - 0.05
    assert world.pop.trust[others].mean() == pytest.approx(before[1])


def test_problems_left_open_cost_their_area_trust(scenario):
    world = build_world(scenario, SEED)
    world.problems.add(np.array([0, 0, 0]), np.array([0, 1, 2]), np.ones(3), day=0)
    here, there = world.pop.area == 0, world.pop.area == 1
    before = world.pop.trust[here].mean(), world.pop.trust[there].mean()
    phase = Consciousness()
    for d in range(100, 160):
        world.begin_day(d)
        phase.run(world, stream(SEED, phase.name, d))
    drop_here = before[0] - world.pop.trust[here].mean()
    drop_there = before[1] - world.pop.trust[there].mean()
    assert drop_here > drop_there + 0.01
    assert world.ledger[("trust", "open_problems")] < 0


def test_a_visit_that_serves_the_need_raises_service_consciousness_and_one_that_does_not_lowers_it(scenario):
    world = build_world(scenario, SEED)
    world.scenario.behaviour  # noqa: B018
    world.begin_day(1)
    t = world.today
    t.visitor = np.arange(200)
    t.center = np.zeros(200, dtype=np.int64)
    t.slot = np.zeros(200, dtype=np.int64)
    t.zone = np.zeros(200, dtype=np.int64)
    t.served = np.arange(200) < 100
    before = world.pop.service[:200].copy()
    world.pop.baseline[:] = np.stack([world.pop.trust, world.pop.service, world.pop.cogov, world.pop.identification])
    Consciousness().run(world, stream(SEED, "consciousness", 1))
    after = world.pop.service[:200]
    assert (after[:100] > before[:100]).all()
    assert (after[100:] < before[100:]).all()


def test_activity_partners_are_present_where_the_activity_is(scenario):
    world = build_world(scenario, SEED)
    world.begin_day(1)
    ent = next(o for o in world.orgs if isinstance(o, Enterprise))
    act = Activity(world.orgs[0], 0, 1, GOV, partners=[ent])
    world.today.activities = [act]
    OrgPresence().run(world, stream(SEED, "org_presence", 1))
    assert {world.orgs[0].node, ent.node} <= world.today.org_present.at(0, 1)


def test_an_alliance_forms_by_itself_when_enough_enterprises_are_linked_to_a_building_party_organization(scenario):
    world = build_world(scenario, SEED)
    lead = next(o for o in world.orgs if isinstance(o, PartyOrganization) and o.tier == "workplace")
    ents = [o for o in world.orgs if isinstance(o, Enterprise)][:ALLIANCE_MIN_ENTERPRISES]
    for e in ents:
        e.center = lead.center  # based in the same building
    for e in ents[:-1]:
        world.agreements[(min(lead.node, e.node), max(lead.node, e.node))] = 0
    self_formed_alliances(world)
    assert world.alliances == {} and world.programmes == []  # one enterprise short
    e = ents[-1]
    world.agreements[(min(lead.node, e.node), max(lead.node, e.node))] = 0
    self_formed_alliances(world)
    ((_name, members),) = world.alliances.items()
    assert members == {lead.node, *(o.node for o in ents)}
    assert len(world.programmes) == 1
    self_formed_alliances(world)
    assert len(world.programmes) == 1  # formed once


def _alliance_world(scenario) -> tuple[World, PartyOrganization, list[Enterprise]]:
    """A workplace Party organization and ALLIANCE_MIN_ENTERPRISES enterprises based in its building."""
    world = build_world(scenario, SEED)
    lead = next(o for o in world.orgs if isinstance(o, PartyOrganization) and o.tier == "workplace")
    ents = [o for o in world.orgs if isinstance(o, Enterprise)][:ALLIANCE_MIN_ENTERPRISES]
    for e in ents:
        e.center = lead.center
    return world, lead, ents


def _sign(world: World, x: int, y: int) -> None:
    world.agreements[(min(x, y), max(x, y))] = world.day


def test_a_self_formed_alliance_dissolves_when_its_enterprises_lose_their_agreements_and_can_form_again(scenario):
    world, lead, ents = _alliance_world(scenario)
    launched = Alliance(world.orgs[0], [world.orgs[0], *ents], 0, 4.0, 0.7, "launched")  # a what-if's alliance
    world.programmes.append(launched)
    for e in ents:
        _sign(world, lead.node, e.node)
    self_formed_alliances(world)
    name = alliance.self_formed_name(lead)
    assert name in world.alliances and len(world.programmes) == 2
    del world.agreements[(min(lead.node, ents[0].node), max(lead.node, ents[0].node))]  # one agreement lapses
    world.day = 70
    self_formed_alliances(world)
    assert name not in world.alliances
    assert world.programmes == [launched]  # the launched alliance stays
    assert world.intervention_log[-1][0] == 70 and "dissolved" in world.intervention_log[-1][1]
    world.day = 140
    _sign(world, lead.node, ents[0].node)  # signed again: the alliance forms again
    self_formed_alliances(world)
    assert world.alliances[name] == {lead.node, *(e.node for e in ents)}
    assert len(world.programmes) == 2 and "formed" in world.intervention_log[-1][1]


def test_a_self_formed_alliance_dissolves_when_its_lead_is_inactive(scenario):
    world, lead, ents = _alliance_world(scenario)
    for e in ents:
        _sign(world, lead.node, e.node)
    self_formed_alliances(world)
    assert len(world.programmes) == 1
    lead.convening = False  # a withdrawal does not dissolve it: its members may carry it
    self_formed_alliances(world)
    assert len(world.programmes) == 1
    lead.active = False
    self_formed_alliances(world)
    assert world.programmes == [] and world.alliances == {}  # and it does not form again around an inactive lead


def _alliance_conveners(world: World, programme: Alliance, days: range) -> list:
    conveners = []
    for d in days:
        world.begin_day(d)
        for o in world.orgs:
            o.busy = 0.0
        conveners += [a.convener for a in programme.activities(world, 0, True)]
    return conveners


def test_an_alliance_whose_lead_does_not_convene_is_convened_only_by_a_member_that_passes_the_convener_gate(
    scenario,
):
    world, lead, ents = _alliance_world(scenario)
    thr = scenario.behaviour.emergent_convening_threshold
    programme = Alliance(lead, [lead, *ents], lead.center, 30.0, 0.7, "alliance-test")
    lead.convening = False
    for e in ents:
        e.commitment, e.linked, e.recent_successes = 0.9, 0, 0.0  # committed but not ready: readiness 0.45
    assert all(e.convening_rate(thr) == 0 for e in ents)
    assert _alliance_conveners(world, programme, range(1, 60)) == []  # nobody able: the alliance falls silent
    ready = ents[1]
    ready.commitment, ready.linked, ready.recent_successes = 0.8, 3, 5.0  # readiness 0.9 (the most committed is not)
    held = _alliance_conveners(world, programme, range(60, 120))
    assert len(held) > 20 and all(o is ready for o in held)
    ready.busy = ready.capacity  # no free weekly capacity: it convenes nothing
    world.begin_day(120)
    assert programme.activities(world, 0, True) == []


def test_an_alliance_asks_partners_asked_members(scenario, monkeypatch):
    world, lead, _ = _alliance_world(scenario)
    members = [lead, *[o for o in world.orgs if isinstance(o, Enterprise)][:8]]
    programme = Alliance(lead, members, lead.center, 4.0, 1.0, "alliance-test")
    rng = stream(SEED, "ask-test", 0)
    assert len(programme.ask(rng, lead, members)) == alliance.PARTNERS_ASKED
    monkeypatch.setattr(alliance, "PARTNERS_ASKED", 2)
    assert len(programme.ask(rng, lead, members)) == 2


def _ready_pair(world: World, x, y, hours: float) -> tuple[int, int]:
    """Give ``x`` and ``y`` a tie of ``hours`` and enough shared successes for an agreement; returns the pair."""
    for _ in range(world.scenario.behaviour.agreement_successes):
        world.ties.add(np.array([x.node]), np.array([y.node]), 0.0, world.day, success=True)
    world.ties.add(np.array([x.node]), np.array([y.node]), hours, world.day)
    return min(x.node, y.node), max(x.node, y.node)


def test_a_pair_signs_only_when_both_have_room_for_another_agreement_and_the_strongest_tie_first(scenario):
    world = build_world(scenario, SEED)
    world.begin_day(10)
    h = scenario.behaviour.agreement_hours
    dept = next(o for o in world.orgs if isinstance(o, Department))
    ents = [o for o in world.orgs if isinstance(o, Enterprise)]
    for o in world.orgs[1:MAX_AGREEMENTS]:  # MAX_AGREEMENTS - 1 agreements already: room for one more
        world.agreements[(min(dept.node, o.node), max(dept.node, o.node))] = 0
    weak, strong = _ready_pair(world, dept, ents[0], h + 1), _ready_pair(world, dept, ents[1], h + 5)
    Feedback()._agreements(world, {weak, strong})
    assert strong in world.agreements and weak not in world.agreements  # the closer partner takes the last room
    held = sum(dept.node in p for p in world.agreements)
    assert held == MAX_AGREEMENTS
    Feedback()._agreements(world, {weak})
    assert weak not in world.agreements  # full
    free = _ready_pair(world, ents[0], ents[2], h + 1)
    Feedback()._agreements(world, {free})
    assert free in world.agreements  # both have room


def test_no_organization_ever_holds_more_than_the_cap_of_agreements_and_agreements_still_form(scenario):
    model = CoGovModel(scenario, seed=SEED)
    most = 0
    for d in range(365):
        model.step()
        if d % 7 == 0:
            held: dict[int, int] = {}
            for x, y in model.world.agreements:
                held[x], held[y] = held.get(x, 0) + 1, held.get(y, 0) + 1
            most = max(most, *held.values(), 0)
    assert 0 < most <= MAX_AGREEMENTS
    assert len(model.world.agreements) >= 10


GROUP_WORK = FUNCTIONS.index("group_work")


def _incubation_centers(world: World) -> tuple[int, int, int]:
    """Two active centers with a group-work zone and one without."""
    c = world.centers
    gw = np.flatnonzero(c.active & c.functions[:, GROUP_WORK])
    other = np.flatnonzero(c.active & ~c.functions[:, GROUP_WORK])
    return int(gw[0]), int(gw[1]), int(other[0])


def test_service_projects_and_social_organization_actions_at_group_work_centers_count_toward_incubation(scenario):
    world = build_world(scenario, SEED)
    a, _, none = _incubation_centers(world)
    party = world.orgs[1]
    social = next(o for o in world.orgs if isinstance(o, SocialOrganization))
    world.problems.add(np.array([0, 0]), np.array([0, 1]), np.ones(2), day=0)
    world.begin_day(1)
    acts = [
        convene(party, a, 0, Topic(-1, GOV, False), []),  # a service project at a group-work center: counts
        convene(party, a, 0, Topic(0, GOV, True), []),  # a Party problem meeting: does not count
        convene(social, a, 0, Topic(1, GOV, True), []),  # led by a social organization: counts
        convene(party, none, 0, Topic(-1, GOV, False), []),  # no group-work zone: does not count
        convene(party, a, 0, Topic(-1, GOV, False), []),  # failed: does not count
    ]
    for act, ok in zip(acts, (True, True, True, True, False), strict=True):
        act.success = ok
    world.today.activities = acts
    Feedback().run(world, stream(SEED, "feedback", 1))
    assert world.success_log == [(1, a), (1, a)]


def _cohort(world: World, center: int, day: int) -> int:
    """Complete a cohort at ``center`` on ``day``; returns the social organizations founded."""
    before = len(world.orgs)
    world.begin_day(day)
    world.success_log = [(day, center)] * world.scenario.behaviour.incubation_successes
    Feedback()._incubate(world)
    assert all(cc != center for _, cc in world.success_log)  # a cohort is used up, founded or not
    return len(world.orgs) - before


def test_a_completed_cohort_registers_as_a_social_organization_with_the_founding_chance(scenario):
    world = build_world(scenario, SEED)
    a, _, _ = _incubation_centers(world)
    trials, founded = 600, 0
    for t in range(trials):
        world.last_incubation = {}
        k = _cohort(world, a, 1000 + t)
        founded += k
        del world.orgs[len(world.orgs) - k :]
    p = feedback.INCUBATION_FOUNDING_CHANCE
    assert abs(founded - p * trials) < 4 * np.sqrt(trials * p * (1 - p))
    short = world.scenario.behaviour.incubation_successes - 1
    world.begin_day(5000)
    world.success_log = [(5000, a)] * short  # one success short: no cohort
    Feedback()._incubate(world)
    assert len(world.success_log) == short


def test_the_street_founds_at_most_one_social_organization_per_incubation_spacing(scenario, monkeypatch):
    monkeypatch.setattr(feedback, "INCUBATION_FOUNDING_CHANCE", 1.0)
    world = build_world(scenario, SEED)
    a, b, _ = _incubation_centers(world)
    gap = feedback.INCUBATION_SPACING_DAYS
    assert _cohort(world, a, 100) == 1
    assert world.orgs[-1].center == a and world.orgs[-1].founded == 100
    assert _cohort(world, b, 100 + gap - 1) == 0  # another center of the same street: not yet
    assert _cohort(world, a, 100 + gap // 2) == 0
    assert _cohort(world, b, 100 + gap) == 1
