"""Phases 1-2: the calendar (new community problems) and supply (who convenes what, where, with whom).

How an activity is convened is one set of functions that the supply phase and the what-if programmes
(``cogov_sim.interventions.programmes``) share: :func:`open_slot` (a random open slot of the venue),
:func:`choose_topic` (an open problem of the area or a service project) and :func:`convene` (the activity, with
the weekly capacity it takes from the convener and its partners). Who is asked and who accepts is each
convener's own rule: :func:`invite` for the regular conveners; an alliance asks its own members.

The regular conveners' invitations are scored for the whole day at once: each activity is drafted in turn
(:func:`draft`: venue, slot, topic and every random draw of its invitation, in the order one activity at a time
always drew them), the drafts are scored together in blocks (:func:`drafted`), and the partners are then asked
activity by activity, since an acceptance takes weekly capacity that the next invitation sees: the scoring and
asking are in :mod:`cogov_sim.mechanisms.invitations`.

Contract: fills ``world.today.activities`` with the day's convened activities, their centers, slots, topics and
accepted partner organizations; opens new problems in ``world.problems``; resets weekly capacities.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from cogov_sim.mechanisms.initiatives import initiative_stream, resident_leads
from cogov_sim.mechanisms.invitations import PARTNERS_ASKED as PARTNERS_ASKED
from cogov_sim.mechanisms.invitations import (
    Scopes,
    Shortlist,
    ask,
    draw_invitation,
    invitation_scopes,
    shortlists,
    today_ties,
)
from cogov_sim.scenario import DAY_KINDS, FUNCTIONS
from cogov_sim.world import Activity, World
from cogov_sim.world.org_columns import OrgColumns
from cogov_sim.world.organizations import Organization, OrgTable, PartyOrganization

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
    open_here = probs.open_in(area)
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
    return ask(world, convener, d.asks, scored(world, [d], noise, table, today_ties(world))[0], table, problem)


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
            partners = ask(world, d.org, d.asks, short, table, d.topic.problem)
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
    """The activities of ``orgs``, drafted in order from ``rng`` and scored in blocks of ``CHUNK_CELLS``.

    In a city each convener's invitation goes to the organizations of its street (:func:`invitation_scopes`).
    """
    scopes = invitation_scopes(world, table)
    if scopes is not None:
        return drafted_by_street(world, rng, orgs, kind, has_venue, scopes, among)
    rows = max(1, CHUNK_CELLS // max(len(table.node), 1))
    out: list[tuple[Draft, Shortlist]] = []
    for start in range(0, len(orgs), rows):
        block = orgs[start : start + rows]
        noise = np.empty((len(block), len(table.node)))
        drafts = [draft(world, rng, org, kind, has_venue, table, noise[i]) for i, org in enumerate(block)]
        out += zip(drafts, scored(world, drafts, noise, table, among), strict=True)
    return out


def drafted_by_street(
    world: World,
    rng: np.random.Generator,
    orgs: list[Organization],
    kind: int,
    has_venue: bool,
    scopes: Scopes,
    among: sp.csr_matrix,
) -> list[tuple[Draft, Shortlist]]:
    """:func:`drafted` in a city.

    Drafted in order, each invitation's draws over its street's organizations, then scored street by street.
    """
    drafts: list[Draft] = []
    noise: list[np.ndarray] = []
    groups: dict[int, list[int]] = {}
    for i, org in enumerate(orgs):
        s = scopes.of(world, org.node)
        row = np.empty(len(scopes.rows[s]))
        drafts.append(draft(world, rng, org, kind, has_venue, scopes.tables[s], row))
        noise.append(row)
        groups.setdefault(s, []).append(i)
    shorts: list[Shortlist | None] = [None] * len(orgs)
    for s, members in groups.items():
        block = [drafts[i] for i in members]
        lists = scored(world, block, np.stack([noise[i] for i in members]), scopes.tables[s], among, scopes.rows[s])
        for i, short in zip(members, lists, strict=True):
            shorts[i] = short
    return list(zip(drafts, shorts, strict=True))  # type: ignore[arg-type]


def scored(
    world: World,
    drafts: list[Draft],
    noise: np.ndarray,
    table: OrgTable,
    among: sp.csr_matrix,
    scope: np.ndarray | None = None,
) -> list[Shortlist]:
    """The shortlists of ``drafts`` (:func:`cogov_sim.mechanisms.invitations.shortlists`); ``noise``: their draws."""
    conv = np.array([d.org.node for d in drafts], dtype=np.int64)
    functions = np.array([d.topic.function for d in drafts], dtype=np.int64)
    return shortlists(world, conv, np.array([d.broker_u for d in drafts]), functions, noise, table, among, scope)


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
    return convene(org, d.center, d.slot, d.topic, ask(world, org, d.asks, short, table, d.topic.problem))
