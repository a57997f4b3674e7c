"""Vectorized invitations: the day's invitations scored at once pick the partners a per-organization loop picks.

The reference below is the invitation rule written out organization by organization (MODEL.md §3.2), drawing
the same random numbers in the same order as ``supply.invite`` always has (before the scoring moved to
``cogov_sim.mechanisms.invitations``): the brokerage uniform, one
Exp(INVITATION_NOISE) per organization, one uniform per invitee.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from cogov_sim.mechanisms import invitations, supply
from cogov_sim.mechanisms.initiatives import ResidentLead
from cogov_sim.mechanisms.invitations import INVITATION_NOISE, PARTNERS_ASKED, SPECIALTY_WEIGHT, TIE_SCORE_HOURS
from cogov_sim.model import CoGovModel
from cogov_sim.rng import stream
from cogov_sim.scenario import FUNCTIONS
from cogov_sim.world.org_columns import OrgColumns, org_ties
from cogov_sim.world.organizations import ORG_TYPES, Department, Organization, OrgTable
from tests.conftest import small

SEED = 11


def reference_invite(world, rng, convener: Organization, function: int, problem: int) -> list[Organization]:
    """The invitation rule, one organization at a time."""
    orgs = world.orgs
    cand = [o.active and o.node != convener.node for o in orgs]
    if not any(cand):
        return []
    tie = [float(world.ties.get(np.array([convener.node]), np.array([o.node]), world.day)[0]) for o in orgs]
    if rng.random() < world.scenario.organizations.brokerage:
        party = [o for o in orgs if o.active and o.kind == "party" and o.node != convener.node]
        if party:
            best = max(range(len(party)), key=lambda k: (tie[party[k].node - world.n], -k))
            broker = party[best].node
            for k, o in enumerate(orgs):
                tie[k] = max(tie[k], float(world.ties.get(np.array([broker]), np.array([o.node]), world.day)[0]))
    base = []
    for k, o in enumerate(orgs):
        rel = float(o.specialties[function])
        base.append(tie[k] / (tie[k] + TIE_SCORE_HOURS) + SPECIALTY_WEIGHT * rel + rng.exponential(INVITATION_NOISE))
    missing = {t: t != convener.kind for t in ORG_TYPES}
    w = world.scenario.behaviour.complementarity_weight
    accepted = []
    for u in rng.random(min(PARTNERS_ASKED, sum(cand))):
        score = [base[k] + w * missing[o.kind] if cand[k] else -math.inf for k, o in enumerate(orgs)]
        k = max(range(len(orgs)), key=lambda i: (score[i], -i))
        cand[k] = False
        o = orgs[k]
        p = o.acceptance(tie[k], float(o.specialties[function]))
        if isinstance(o, Department) and problem >= 0:
            p = max(p, o.response_probability())
        if u < p:
            accepted.append(o)
            missing[o.kind] = False
    return accepted


def reference_activity(world, rng, org: Organization, kind: int) -> tuple:
    """One activity as the supply phase planned it before its invitations were scored together."""
    c = world.centers
    center = org.center if org.center >= 0 and c.active[org.center] else -1
    if center < 0:
        act = np.flatnonzero(c.active)
        center = int(act[rng.integers(0, len(act))])
    found = supply.open_slot(world, rng, center, kind)
    slot = supply.NO_SLOT_OPEN if found is None else found
    topic = supply.choose_topic(world, rng, center, int(c.area_index[center]), supply.PROBLEM_TOPIC_SHARE)
    partners = reference_invite(world, rng, org, topic.function, topic.problem)
    supply.convene(org, center, slot, topic, partners)
    return center, slot, topic, [p.node for p in partners]


@pytest.fixture(scope="module")
def grown():
    """A baseline street with many organizations of each type, after 40 days (organizations tied by then)."""
    sc = small("baseline", 0.05, **{"organizations.enterprises": 60, "organizations.social_organizations": 20,
                                    "organizations.brokerage": 0.6})  # fmt: skip
    model = CoGovModel(sc, seed=SEED)
    for _ in range(40):
        model.step()
    return model.world


def busy_state(world) -> list[float]:
    return [o.busy for o in world.orgs]


def set_busy(world, busy: list[float]) -> None:
    for o, b in zip(world.orgs, busy, strict=True):
        o.busy = b


def test_the_world_has_organizations_tied_and_types_larger_than_the_shortlist(grown):
    table = OrgTable.of(grown.orgs)
    assert np.bincount(table.kind).max() > invitations.SHORTLIST  # the shortlist really drops candidates
    among = org_ties(grown.ties, grown.n, len(grown.orgs), grown.day)
    assert among.nnz > 50


def test_one_invitation_picks_what_the_per_organization_loop_picks(grown):
    start = busy_state(grown)
    leads = [ResidentLead(p, 0, 0, 1.0, 1.0, 0.5, np.eye(len(FUNCTIONS), dtype=bool)[p % len(FUNCTIONS)], "lead")
             for p in (3, 50, 400)]  # fmt: skip
    conveners = grown.orgs[:: max(1, len(grown.orgs) // 25)] + leads
    picked = 0
    for t, convener in enumerate(conveners * 4):
        set_busy(grown, [(b + t % 3) * 0.5 for b in start])  # free capacity varies
        function, problem = t % len(FUNCTIONS), (0 if t % 2 else -1)
        want = reference_invite(grown, stream(SEED, "ref", t), convener, function, problem)
        got = supply.invite(grown, stream(SEED, "ref", t), convener, function, problem)
        assert [o.node for o in got] == [o.node for o in want], t
        picked += len(got)
    set_busy(grown, start)
    assert picked > 20  # partners were accepted, not only refused


def test_a_day_scored_at_once_convenes_what_activity_by_activity_convenes(grown):
    start = busy_state(grown)
    conveners = [o for o in grown.orgs if o.active][::3] * 2  # some convene twice: capacity taken in between
    rng = stream(SEED, "day", 1)
    want = [reference_activity(grown, rng, o, 0) for o in conveners]
    after_reference = busy_state(grown)
    set_busy(grown, start)
    table = OrgColumns().table(grown.orgs)
    got = []
    for d, short in supply.drafted(
        grown, stream(SEED, "day", 1), conveners, 0, True, table, invitations.today_ties(grown)
    ):
        partners = invitations.ask(grown, d.org, d.asks, short, table, d.topic.problem)
        supply.convene(d.org, d.center, d.slot, d.topic, partners)
        got.append((d.center, d.slot, d.topic, [p.node for p in partners]))
    assert got == want
    assert busy_state(grown) == after_reference
    set_busy(grown, start)


def test_scoring_in_blocks_gives_the_same_shortlists(grown, monkeypatch):
    table = OrgTable.of(grown.orgs)
    conveners = grown.orgs[:30]
    whole = supply.drafted(grown, stream(SEED, "blocks", 0), conveners, 1, True, table, invitations.today_ties(grown))
    monkeypatch.setattr(supply, "CHUNK_CELLS", 7 * len(grown.orgs))  # blocks of 7 activities
    blocks = supply.drafted(grown, stream(SEED, "blocks", 0), conveners, 1, True, table, invitations.today_ties(grown))
    for (d1, s1), (d2, s2) in zip(whole, blocks, strict=True):
        assert d1.topic == d2.topic and np.array_equal(d1.asks, d2.asks)
        assert all(np.array_equal(a, b) for a, b in zip(s1, s2, strict=True))


def test_org_ties_are_the_pairwise_tie_hours(grown):
    nodes = np.array([o.node for o in grown.orgs])
    among = org_ties(grown.ties, grown.n, len(grown.orgs), grown.day + 30).toarray()  # decayed 30 more days
    pairwise = np.stack([grown.ties.get(np.full(len(nodes), x), nodes, grown.day + 30) for x in nodes])
    assert np.array_equal(among, pairwise)
    assert np.array_equal(among, among.T)


def test_org_columns_follow_founding_and_closing(grown):
    def same(table, orgs):
        want = OrgTable.of(orgs)
        return all(np.array_equal(getattr(table, k), getattr(want, k)) for k in want.__dataclass_fields__)

    cols = OrgColumns()
    orgs = list(grown.orgs)
    assert same(cols.table(orgs), orgs)
    closed = orgs[3]
    closed.active = False
    founded = type(orgs[-1])(orgs[-1].node + 1, 2, 0, 1.0, 0.5, 0.5, np.eye(len(FUNCTIONS), dtype=bool)[2], "new")
    orgs.append(founded)
    try:
        table = cols.table(orgs)
        assert same(table, orgs)
        assert not table.active[3] and table.node[-1] == founded.node and table.specialties[-1, 2]
    finally:
        closed.active = True
    other = orgs[:10]  # another list (another world): its own columns
    assert same(cols.table(other), other)
