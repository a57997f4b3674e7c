"""Phases 1-2: the calendar (new community problems) and supply (who convenes what, where, with whom).

How an activity is convened is one set of functions that the supply phase and the what-if programmes
(``cogov_sim.interventions.programmes``) share: :func:`open_slot` (a random open slot of the venue),
:func:`choose_topic` (an open problem of the area or a service project) and :func:`convene` (the activity, with
the weekly capacity it takes from the convener and its partners). Who is asked and who accepts is each
convener's own rule: :func:`invite` for the regular conveners; an alliance asks its own members.

The regular conveners' invitations are scored for the whole day at once: each activity is drafted in turn
(:func:`draft`: venue, slot, topic and every random draw of its invitation, in the order one activity at a time
always drew them), the drafts are scored together as a matrix over organizations (:func:`shortlists`, with the
tie hours among organizations read once a day, :func:`cogov_sim.world.org_columns.org_ties`), and the partners
are then asked activity by activity (:func:`ask`), since an acceptance takes weekly capacity that the next
invitation sees. The partners are the ones the one-at-a-time rule picks (tests/test_supply_invitations.py).

Contract: fills ``world.today.activities`` with the day's convened activities, their centers, slots, topics and
accepted partner organizations; opens new problems in ``world.problems``; resets weekly capacities.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from cogov_sim.mechanisms.initiatives import initiative_stream, resident_leads
from cogov_sim.scenario import DAY_KINDS, FUNCTIONS
from cogov_sim.world import Activity, World
from cogov_sim.world.org_columns import OrgColumns, by_type, org_ties
from cogov_sim.world.organizations import ORG_TYPES, Department, Organization, OrgTable, PartyOrganization

DELIBERATION = FUNCTIONS.index("deliberation")
NO_VENUE_FACTOR = 0.05
"""Share of its convening a convener keeps without any center (an activity in a courtyard, online, now and then):
assumption; plausible 0-0.2."""


PROBLEM_TOPIC_SHARE = 0.7
"""Chance a convener takes up an open problem of its area (needs collected) when one exists: assumption;
plausible 0.4-0.9."""


NEEDS_TOPIC_SHARE = 0.5
"""Chance a service project takes up a need its center heard but could not serve (needs collected), when there is
one: assumption, plausible 0.2-0.8."""


NO_SLOT_OPEN = 3
"""Slot of an activity held where no slot is open, or without a venue: the evening (index into ``SLOTS``), after
work: assumption; any slot is plausible. Such an activity books no presence at a center (``org_presence``)."""

PARTNERS_ASKED = 4
"""Organizations a convener asks to take part in one activity: assumption; plausible 2-8."""

AGREEMENT_ACTIONS_PER_DAY = 1.0 / 14.0
"""Chance a day that a co-building agreement holds its regular joint action (about every two weeks, 常态化联系):
assumption; plausible 1/30-1/7."""

PROBLEM_DIFFICULTY_MAX = 1.5
"""A new problem's difficulty is Uniform(0, PROBLEM_DIFFICULTY_MAX), in success log-odds (subtracted in
``JointAction.success_probability``): assumption, the hardest problems cost about what face-to-face deliberation
gains (``face_to_face_effect`` 1.21); plausible 1-2.5."""


class Topic(NamedTuple):
    """What an activity is about."""

    problem: int  # index into world.problems, -1 a service project
    function: int  # index into FUNCTIONS
    face_to_face: bool  # a problem discussed in a council hall


def open_slot(world: World, rng: np.random.Generator, center: int, kind: int) -> int | None:
    """A random open slot of ``center`` on day kind ``kind`` (None if it opens in no slot that day)."""
    slots = np.flatnonzero(world.centers.open[center, kind])
    if not len(slots):
        return None
    return int(slots[rng.integers(0, len(slots))])


def choose_topic(world: World, rng: np.random.Generator, center: int, area: int, problem_share: float) -> Topic:
    """Topic of an activity: (problem or -1, function, face-to-face).

    An open problem of ``area`` with probability ``problem_share`` when one exists, else a service project: with
    chance ``NEEDS_TOPIC_SHARE``, when the center has heard needs it could not serve, on one of them (drawn in
    proportion to how often it was heard, ``world.needs_heard``), otherwise on one of the center's functions
    (any function without a center). A problem discussed at a center with a council hall is a face-to-face
    meeting.
    """
    c, probs = world.centers, world.problems
    open_here = np.flatnonzero(probs.open_mask & (probs.area == area))
    if len(open_here) and rng.random() < problem_share:
        problem = int(open_here[rng.integers(0, len(open_here))])
        face = bool(center >= 0 and c.functions[center, DELIBERATION])
        return Topic(problem, probs.function_of(problem), face)
    if center >= 0:
        heard = world.needs_heard[center]
        if heard.sum() > 0 and rng.random() < NEEDS_TOPIC_SHARE:
            return Topic(-1, int(rng.choice(len(heard), p=heard / heard.sum())), False)
        fns = np.flatnonzero(c.functions[center])
        return Topic(-1, int(fns[rng.integers(0, len(fns))]), False)
    return Topic(-1, int(rng.integers(0, len(FUNCTIONS))), False)


TIE_SCORE_HOURS = 10.0
"""Tie hours at which a partner's tie term in the invitation score is one half (saturating): assumption;
plausible 5-20 h."""
SPECIALTY_WEIGHT = 1.0
"""Invitation score of a partner whose specialty serves the activity's need: assumption; plausible 0.5-2."""
INVITATION_NOISE = 0.5
"""Mean of the exponential noise on the invitation score (whom a convener happens to think of): assumption;
plausible 0.2-1."""


SHORTLIST = 2 * PARTNERS_ASKED
"""Best-scored candidates of each organization type kept for the asking (at most ``PARTNERS_ASKED`` are asked, so
any number from ``PARTNERS_ASKED`` up gives the same partners; twice that also covers scores that tie once the
missing-type bonus is added): a bound of the computation, not of the model."""
CHUNK_CELLS = 1 << 21
"""Activities × organizations scored in one block (2M cells, 16 MB a matrix): bounds the memory of a day's
scoring at city scale, does not change the result."""


class Draft(NamedTuple):
    """An activity planned, with its invitation's random draws made and its partners not yet asked."""

    org: Organization  # the convener
    center: int
    slot: int
    topic: Topic
    broker_u: float  # the uniform that decides on brokerage (1.0 when nobody can be asked)
    asks: np.ndarray  # one uniform per invitee, in the order they are asked (empty when nobody can be asked)


class Shortlist(NamedTuple):
    """The candidates an invitation can reach, by organization index (ascending), with their scores' terms."""

    idx: np.ndarray
    base: np.ndarray  # score without the missing-type term
    tie: np.ndarray  # tie hours to the convener (or its broker), as the acceptance reads them
    rel: np.ndarray  # 1.0 when the candidate's specialty serves the activity's function


def today_ties(world: World) -> sp.csr_matrix:
    """Today's tie hours among the organizations (:func:`cogov_sim.world.org_columns.org_ties`)."""
    return org_ties(world.ties, world.n, len(world.orgs), world.day)


def draw_invitation(
    rng: np.random.Generator, convener: Organization, table: OrgTable, noise: np.ndarray
) -> tuple[float, np.ndarray]:
    """The draws of one invitation in the order the rule has always made them; returns (brokerage, asks).

    No draws when nobody can be asked (brokerage 1.0, no asks); else the brokerage uniform, Exp(INVITATION_NOISE)
    for every organization (into ``noise``) and one uniform per invitee.
    """
    n_cand = int(table.active.sum()) - int(np.count_nonzero(table.active & (table.node == convener.node)))
    if n_cand <= 0:
        noise[:] = 0.0
        return 1.0, np.zeros(0)
    broker_u = rng.random()
    rng.standard_exponential(out=noise)
    noise *= INVITATION_NOISE  # the very numbers rng.exponential(INVITATION_NOISE, n) gives
    return broker_u, rng.random(min(PARTNERS_ASKED, n_cand))


def shortlists(
    world: World, drafts: list[Draft], noise: np.ndarray, table: OrgTable, among: sp.csr_matrix
) -> list[Shortlist]:
    """The invitations of ``drafts`` scored at once (MODEL.md §3.2; ``among``: :func:`org_ties` of today).

    Score of organization k for an activity on function f, with ``noise`` the drafts' Exp(INVITATION_NOISE) draws
    (one row per draft, overwritten by the scores):

        s_k = h_k / (h_k + TIE_SCORE_HOURS) + SPECIALTY_WEIGHT · serves_k(f) + Exp(INVITATION_NOISE)
              (+ complementarity_weight when k's type is not yet in the activity, added by :func:`ask`)

    h_k is the tie hours to the convener; when the draft's brokerage uniform falls under
    ``organizations.brokerage``, the Party organization (not the convener) most tied to the convener introduces
    its contacts: h_k = max(own tie, broker's tie). Keeps the ``SHORTLIST`` best candidates of each type.
    """
    n_orgs = len(table.node)
    if not drafts or not n_orgs:
        return [Shortlist(*(np.zeros(0, dtype=t) for t in (np.int64, float, float, float))) for _ in drafts]
    first = world.n
    conv = np.array([d.org.node for d in drafts], dtype=np.int64)
    tie = np.zeros((len(drafts), n_orgs))
    is_org = conv >= first
    if is_org.any():
        tie[is_org] = among[conv[is_org] - first].toarray()
    for r in np.flatnonzero(~is_org):  # resident leads: their own ties to the organizations
        tie[r] = world.ties.get(np.full(n_orgs, conv[r]), table.node, world.day)
    party = table.active & (table.kind == ORG_TYPES.index("party"))
    brokered = np.array([d.broker_u for d in drafts]) < world.scenario.organizations.brokerage
    for r in np.flatnonzero(brokered):
        k = np.flatnonzero(party & (table.node != conv[r]))
        if len(k):
            tie[r] = np.maximum(tie[r], among[k[np.argmax(tie[r, k])]].toarray()[0])
    rel = table.specialties[:, [d.topic.function for d in drafts]].T
    # the score in the rule's order of operations, (tie term + specialty) + noise; where there is no tie the
    # tie term is 0 and the sum is noise + specialty exactly, so the tie term is computed at the ties only
    r, k = np.nonzero(tie)
    t, tied_noise = tie[r, k], noise[r, k]
    base = noise
    np.add(base, SPECIALTY_WEIGHT, out=base, where=rel)
    base[r, k] = (t / (t + TIE_SCORE_HOURS) + SPECIALTY_WEIGHT * rel[r, k]) + tied_noise
    base[:, ~table.active] = -np.inf
    own = np.flatnonzero(is_org)
    base[own, conv[own] - first] = -np.inf  # nobody invites itself
    picks = []
    for cols in by_type(table):
        if len(cols) <= SHORTLIST:
            picks.append(np.broadcast_to(cols, (len(drafts), len(cols))))
            continue
        picks.append(cols[np.argpartition(base[:, cols], len(cols) - SHORTLIST, axis=1)[:, -SHORTLIST:]])
    pick = np.sort(np.concatenate(picks, axis=1), axis=1)
    out: list[Shortlist] = []
    for row, ks in enumerate(pick):
        ks = ks[base[row, ks] > -np.inf]
        out.append(Shortlist(ks, base[row, ks], tie[row, ks], rel[row, ks].astype(np.float64)))
    return out


def ask(world: World, draft: Draft, short: Shortlist, table: OrgTable, problem: int) -> list[Organization]:
    """The partners who accept: the shortlisted asked best first, ``len(draft.asks)`` of them, one by one.

    Each asked organization is the best by score plus ``complementarity_weight`` when its type is not yet in
    the activity (updated after each acceptance; a resident lead misses every type). It accepts with
    ``Organization.acceptance`` (motive × tie × free capacity × relevance); a department asked to a problem also
    responds by its responsiveness.
    """
    missing = np.ones(len(ORG_TYPES), dtype=bool)
    if draft.org.kind in ORG_TYPES:
        missing[ORG_TYPES.index(draft.org.kind)] = False
    w = world.scenario.behaviour.complementarity_weight
    kinds = table.kind[short.idx]
    left = np.ones(len(short.idx), dtype=bool)
    accepted: list[Organization] = []
    for u in draft.asks:
        j = int(np.argmax(np.where(left, short.base + w * missing[kinds], -np.inf)))
        left[j] = False
        o = world.orgs[int(short.idx[j])]
        p = o.acceptance(float(short.tie[j]), float(short.rel[j]))
        if isinstance(o, Department) and problem >= 0:
            p = max(p, o.response_probability())
        if u < p:
            accepted.append(o)
            missing[kinds[j]] = False
    return accepted


def invite(
    world: World,
    rng: np.random.Generator,
    convener: Organization,
    function: int,
    problem: int,
    table: OrgTable | None = None,
) -> list[Organization]:
    """The partners who accept the invitation of ``convener`` to one activity on ``function`` (and ``problem``).

    The rule of :func:`shortlists` and :func:`ask` for a single activity, with the draws of
    :func:`draw_invitation` from ``rng``.
    """
    table = OrgTable.of(world.orgs) if table is None else table
    noise = np.empty((1, len(table.node)))
    topic = Topic(problem, function, False)
    d = Draft(convener, -1, NO_SLOT_OPEN, topic, *draw_invitation(rng, convener, table, noise[0]))
    return ask(world, d, shortlists(world, [d], noise, table, today_ties(world))[0], table, problem)


def convene(convener: Organization, center: int, slot: int, topic: Topic, partners: list[Organization]) -> Activity:
    """The activity ``convener`` holds with ``partners``; each takes one joint action of its weekly capacity."""
    for o in partners:
        o.busy += 1
        o.joined += 1
    convener.busy += 1
    convener.convened += 1
    return Activity(convener, center, slot, topic.function, topic.problem, list(partners), topic.face_to_face)


class Calendar:
    """Phase 1: weekly resets and new community problems in residential areas.

    Problems arrive as Poisson(``problem_rate_per_area_month`` / 30) per area a day, of a random kind, with
    difficulty Uniform(0, ``PROBLEM_DIFFICULTY_MAX``).
    """

    name = "calendar"

    def run(self, world: World, rng: np.random.Generator) -> None:
        """Open today's problems; reset organizations' weekly capacity on the first day of a week."""
        if world.day % 7 == 1:
            for org in world.orgs:
                org.busy = 0.0
        n_areas = len(world.layout.area_centers)
        rate = world.scenario.behaviour.problem_rate_per_area_month / 30.0
        k = rng.poisson(rate, n_areas)
        if k.sum():
            area = np.repeat(np.arange(n_areas), k)
            kind = rng.integers(0, len(world.problems.TYPES), len(area))
            world.problems.add(area, kind, rng.uniform(0.0, PROBLEM_DIFFICULTY_MAX, len(area)), world.day)


class Supply:
    """Phase 2: conveners schedule activities at their centers and invite partners.

    Party organizations convene at ``convening_per_week`` (times any campaign); other organizations convene once
    their readiness (``Organization.readiness``) passes ``emergent_convening_threshold``; each co-building
    agreement holds a regular joint action about every two weeks, convened by either side that is able to
    (:func:`agreement_convener`: a Party organization, or one whose readiness passes the threshold). A non-Party
    organization, and any side of an agreement, whose weekly capacity is taken convenes nothing more that week.
    Activists start resident-led initiatives (:func:`cogov_sim.mechanisms.initiatives.resident_leads`), drawn
    and planned from the initiatives' own stream.
    Invitees accept by :func:`invite`. Then each what-if programme in ``world.programmes`` (an alliance's regular
    actions, departments' joint meetings) adds its activities.
    """

    name = "supply"

    def __init__(self) -> None:
        self.columns = OrgColumns()

    def run(self, world: World, rng: np.random.Generator) -> None:
        """Decide today's activities."""
        c = world.centers
        has_venue = bool(c.active.any())
        thr = world.scenario.behaviour.emergent_convening_threshold
        conveners: list[Organization] = []
        for org in world.orgs:
            rate = org.convening_rate(thr) / 7.0
            if not has_venue:
                rate *= NO_VENUE_FACTOR
            # a Party organization's own rate is its convening capacity (times any campaign); others need free
            # weekly capacity
            if rate > 0 and rng.random() < rate and (isinstance(org, PartyOrganization) or org.free_capacity() > 0):
                conveners.append(org)
        for a, b in sorted(world.agreements):
            if rng.random() < AGREEMENT_ACTIONS_PER_DAY:
                org = agreement_convener(world.org(a), world.org(b), rng.random(), thr)
                if org is not None and org.free_capacity() > 0:
                    conveners.append(org)
        # resident initiatives draw from their own stream, so they shift none of the organizations' draws
        lead_rng = initiative_stream(world)
        leads = resident_leads(world, lead_rng)
        world.resident_convened += len(leads)
        kind = DAY_KINDS.index("weekend") if world.today.weekend else 0
        table = self.columns.table(world.orgs)
        among = today_ties(world)
        # every draw is made in the order of the conveners (the leads' from their own stream); the partners are
        # asked in that order too, since an acceptance takes weekly capacity that later invitations see
        days = drafted(world, rng, conveners, kind, has_venue, table, among)
        days += drafted(world, lead_rng, leads, kind, has_venue, table, among)
        for d, short in days:
            partners = ask(world, d, short, table, d.topic.problem)
            world.today.activities.append(convene(d.org, d.center, d.slot, d.topic, partners))
        # what-if programmes (cogov_sim.interventions) add their own activities, drawn from their own streams
        for programme in world.programmes:
            world.today.activities.extend(programme.activities(world, kind, has_venue))


def agreement_convener(x: Organization, y: Organization, u: float, threshold: float) -> Organization | None:
    """Who convenes an agreement's regular action: either side able to, with chance in proportion to commitment.

    A side is able when it is active and convening and, unless it is a Party organization, its readiness passes
    ``threshold`` (``emergent_convening_threshold``: the same gate as convening on its own). None if neither is.
    """
    able = [o for o in (x, y) if o.active and o.convening and (isinstance(o, PartyOrganization) or
                                                               o.readiness() > threshold)]  # fmt: skip
    if len(able) < 2:
        return able[0] if able else None
    total = x.commitment + y.commitment
    return x if u * total < x.commitment else y


def draft(
    world: World,
    rng: np.random.Generator,
    org: Organization,
    kind: int,
    has_venue: bool,
    table: OrgTable,
    noise: np.ndarray,
) -> Draft:
    """The activity ``org`` convenes today, its partners not yet asked.

    At its center (else a random open one), in a random open slot, with its invitation's draws made
    (:func:`draw_invitation`, the noise into ``noise``).
    """
    c = world.centers
    center = org.center if org.center >= 0 and c.active[org.center] else -1
    if center < 0 and has_venue:
        act = np.flatnonzero(c.active)
        center = int(act[rng.integers(0, len(act))])
    slot, area = NO_SLOT_OPEN, org.area
    if center >= 0:
        found = open_slot(world, rng, center, kind)
        slot = NO_SLOT_OPEN if found is None else found
        area = int(c.area_index[center])
    elif area < 0:  # a street-wide organization without a venue takes up the problems of any residential area
        area = int(rng.integers(0, len(world.layout.area_centers)))
    topic = choose_topic(world, rng, center, area, PROBLEM_TOPIC_SHARE)
    return Draft(org, center, slot, topic, *draw_invitation(rng, org, table, noise))


def drafted(
    world: World,
    rng: np.random.Generator,
    orgs: list[Organization],
    kind: int,
    has_venue: bool,
    table: OrgTable,
    among: sp.csr_matrix,
) -> list[tuple[Draft, Shortlist]]:
    """The activities of ``orgs``, drafted in order from ``rng`` and scored in blocks of ``CHUNK_CELLS``."""
    rows = max(1, CHUNK_CELLS // max(len(table.node), 1))
    out: list[tuple[Draft, Shortlist]] = []
    for start in range(0, len(orgs), rows):
        block = orgs[start : start + rows]
        noise = np.empty((len(block), len(table.node)))
        drafts = [draft(world, rng, org, kind, has_venue, table, noise[i]) for i, org in enumerate(block)]
        out += zip(drafts, shortlists(world, drafts, noise, table, among), strict=True)
    return out


def plan(
    world: World,
    rng: np.random.Generator,
    org: Organization,
    kind: int,
    has_venue: bool,
    table: OrgTable | None = None,
) -> Activity:
    """The activity ``org`` convenes today: planned, its partners asked and its capacity booked.

    One activity of the supply phase on its own (the phase drafts and scores a day's activities together).
    """
    table = OrgTable.of(world.orgs) if table is None else table
    ((d, short),) = drafted(world, rng, [org], kind, has_venue, table, today_ties(world))
    return convene(org, d.center, d.slot, d.topic, ask(world, d, short, table, d.topic.problem))
