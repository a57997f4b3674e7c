"""Phase 4: encounters. Co-present people in the same zone meet a bounded number of others; ties grow.

Visitors of a center, slot and zone form a group; in zones that gather like with like the group is further split
by resident segment. A center with ``mixed_zones`` is one shared mixed-use space (a "living room for all",
Evidence §1.1): all its visitors of a slot form one group, whatever their zone. Within a group, people sit in a
ring ordered by a stable personal position (a fixed random number, plus noise), so regulars who come at the same
times meet the same people again (Feld's foci). Each meets the next ``ceil(contacts_per_visit / 2)`` people
in the ring, so everyone meets about ``contacts_per_visit`` others and the cost is linear in visits. Each pair
adds the zone's dwell time to its tie (shared leisure hours). People look out for those they know: two
residents tied at the acquaintance level who are at one center in one slot meet whatever the zone and seating. Everyday
neighbourly contact outside the centers keeps the first neighbour ties up (``NEIGHBOURLY_HOURS`` a week).

Contract: writes ``world.today.pairs`` (the day's contact pairs) and adds their hours to ``world.ties``.
"""

from __future__ import annotations

import numpy as np

from cogov_sim.rng import stream
from cogov_sim.scenario import FUNCTIONS, MIXING_FUNCTIONS, SEGMENTS
from cogov_sim.world import World

DWELL_HOURS = {
    "party_building": 1.5,
    "government_services": 0.5,
    "deliberation": 2.0,
    "group_work": 2.0,
    "livelihood": 1.0,
    "culture_sports": 2.0,
    "training": 1.5,
    "new_employment_support": 0.5,
}
"""Typical time spent in a zone per visit, h (assumption; Evidence §2.6 counts shared leisure hours)."""

AFFINITY_NOISE = 0.002
"""Noise on the seating position of a visitor (in units of the affinity scale) at one agent per person:
assumption, sets how often regulars meet the same people again. Simulated groups are ``sample_fraction`` times
as large as real ones, so the noise is divided by it (the same noise in ranks of real people)."""

ORG_CONTACTS = 6
"""Other organizations an organization present talks with in one slot at a center: assumption."""
ORG_MEET_HOURS = 1.0
"""Hours two organizations present at one center in one slot spend together (a chat, a shared task): assumption."""

EMPLOYEE_CARRY_HOURS = 0.05
"""Hours an employee's visit adds to the tie between the employer and an organization present (a word about
the firm, a contact passed on; about three minutes): assumption."""

ATTENDANCE_MEMORY_DAYS = 28
"""Days of the same kind (weekday or weekend) over which a space's usual attendance is averaged: assumption,
plausible 7-90 (long enough to smooth a day's noise, short enough to follow a new center filling up)."""

KNOWN_REFRESH_DAYS = 7
"""Acquaintances who look out for each other are read from the tie network as of (at most) this many days ago
(weekly, for speed, as the cascade's network)."""

NEIGHBOURLY_HOURS = 0.15
"""Hours a week each first neighbour tie gains from everyday neighbourly contact outside the centers (a greeting,
a chat on the stairs; about ten minutes): assumption, plausible 0-0.5. With the tie half-life of a year it keeps
such a tie near 11 h, so thin neighbourliness (Evidence §4.7) lasts instead of fading away."""
NEIGHBOURLY_EVERY_DAYS = 7
"""Neighbourly contact is booked once a week."""

WORD_OF_MOUTH = 0.05
"""Chance that two people who meet share what they know of the center tiers: assumption."""

ORGANIZATIONS_STREAM = "encounters.organizations"
"""Random stream of the organizations' meetings, apart from the residents' (one does not shift the other)."""

DWELL = np.array([DWELL_HOURS[f] for f in FUNCTIONS])
MIXING = np.array([f in MIXING_FUNCTIONS for f in FUNCTIONS])


def ring_pairs(
    keys: np.ndarray,
    people: np.ndarray,
    contacts: int | np.ndarray,
    rng: np.random.Generator,
    affinity: np.ndarray | None = None,
    noise: float = AFFINITY_NOISE,
):
    """Pairs of people who meet: each meets the next ``ceil(contacts/2)`` in a ring within its key group.

    ``contacts`` is one number for all or one per person.
    The ring is ordered by ``affinity`` (a stable per-person position, so regulars sit near the same people
    visit after visit) plus noise; without ``affinity`` the ring is random.
    Returns (i, j, group index of the pair); each unordered pair appears once.
    """
    reach = (np.broadcast_to(np.asarray(contacts, dtype=np.int64), keys.shape) + 1) // 2
    if len(keys) < 2 or not reach.any():
        e = np.zeros(0, dtype=np.int64)
        return e, e, e
    position = rng.random(len(keys)) if affinity is None else affinity + rng.normal(0, noise, len(keys))
    order = np.lexsort((position, keys))
    k_sorted = keys[order]
    start = np.r_[0, np.flatnonzero(k_sorted[1:] != k_sorted[:-1]) + 1]
    size = np.diff(np.r_[start, len(keys)])
    gid = np.repeat(np.arange(len(start)), size)
    pos = np.arange(len(keys)) - start[gid]
    src, dst, grp = [], [], []
    reach = reach[order]
    for k in range(1, int(reach.max()) + 1):
        ok = (size[gid] > k) & (reach >= k)
        partner = start[gid] + (pos + k) % size[gid]
        src.append(order[ok])
        dst.append(order[partner[ok]])
        grp.append(gid[ok])
    i = people[np.concatenate(src)]
    j = people[np.concatenate(dst)]
    g = np.concatenate(grp)
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    _, first = np.unique(lo * (people.max() + 1) + hi, return_index=True)
    return lo[first], hi[first], g[first]


class Encounters:
    """Phase 4: bounded contacts among co-present visitors; shared hours into the tie network.

    It remembers, per space and day kind, how many other agents a visitor usually finds there, to estimate the
    real crowd of a space at sample fractions below one (:func:`contact_groups`).
    """

    name = "encounters"

    def __init__(self) -> None:
        self.attendance = np.zeros((2, 2, 0))
        self.days = np.zeros(2)
        self._known: tuple[np.ndarray, np.ndarray] | None = None
        self._known_day = 0

    def run(self, world: World, rng: np.random.Generator) -> None:
        """Pair today's visitors, and organizations with visitors and each other; add the shared hours to ties."""
        self._residents(world, rng)
        meet_organizations(world, stream(world.seed, ORGANIZATIONS_STREAM, world.day))
        if world.day % NEIGHBOURLY_EVERY_DAYS == 0 and len(world.neighbours[0]):
            world.ties.add(*world.neighbours, NEIGHBOURLY_HOURS, world.day)

    def _residents(self, world: World, rng: np.random.Generator) -> None:
        t, pop = world.today, world.pop
        spaces = space_keys(world)
        usual = self._remember(world, spaces)
        if len(t.visitor) < 2:
            return
        keys, seating, contacts = contact_groups(world, spaces, usual, rng)
        affinity = seating + world.affinity[t.visitor]
        noise = AFFINITY_NOISE * world.scale
        i, j, _ = ring_pairs(keys, t.visitor, contacts, rng, affinity, noise)
        ki, kj = self._known_here(world)
        if len(ki):
            i, j = merge_pairs(i, j, ki, kj, pop.n)
        if not len(i):
            return
        # the zone of the pair is the zone of either member (of the first where a small group was widened)
        zone_of = np.zeros(pop.n, dtype=np.int64)
        zone_of[t.visitor] = t.zone
        hours = DWELL[zone_of[i]]
        world.ties.add(i, j, hours, world.day)
        t.pairs = (i, j)
        word_of_mouth(world, rng)

    def _known_here(self, world: World) -> tuple[np.ndarray, np.ndarray]:
        """Pairs of residents tied at the acquaintance level who are at one center in one slot today.

        People look out for those they know: such a pair meets whatever the zone and the seating (a word in the
        hall, a seat kept). The ties are read as of (at most) a week ago.
        """
        if self._known is None or world.day - self._known_day >= KNOWN_REFRESH_DAYS:
            i, j, _ = world.ties.above(world.day, world.scenario.behaviour.acquaintance_hours)
            residents = j < world.n
            self._known, self._known_day = (i[residents], j[residents]), world.day
        i, j = self._known
        t = world.today
        where = np.full(world.n, -1, dtype=np.int64)
        where[t.visitor] = t.center * 4 + t.slot
        met = (where[i] >= 0) & (where[i] == where[j])
        return i[met], j[met]

    def _remember(self, world: World, spaces: np.ndarray) -> np.ndarray:
        """Update the running means for today's day kind; return the others each of today's visitors usually finds.

        Per space s, the running means m_s of a day's agents and q_s of a day's agents × (agents − 1). A visitor
        of s usually finds q_s / m_s others (the visitor left out, however often they come); q_s is sparse at
        small samples, so the estimate is m_s · Σq / Σm² pooled over all spaces (equal to q_s / m_s where
        crowds are Poisson-like, and below m_s where a few regulars make up a space's visits).
        """
        size = len(world.centers.x) * 4 * len(FUNCTIONS) * (len(SEGMENTS) + 1)
        if self.attendance.shape[2] < size:
            self.attendance = np.pad(self.attendance, ((0, 0), (0, 0), (0, size - self.attendance.shape[2])))
        kind = int(world.today.weekend)
        self.days[kind] += 1
        rate = 1.0 / min(self.days[kind], ATTENDANCE_MEMORY_DAYS)
        today = np.bincount(spaces, minlength=size).astype(np.float64)
        self.attendance[kind] += rate * (np.stack([today, today * (today - 1.0)]) - self.attendance[kind])
        visits, pairs = self.attendance[kind]
        poisson = float(np.square(visits).sum())  # not a BLAS dot: its idle threads spin and slow the run
        ratio = float(pairs.sum()) / poisson if poisson > 0 else 1.0
        return visits[spaces] * ratio


def acquainted_pairs(world: World, groups: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each small group (the participants of one joint action), its pairs tied at the acquaintance level.

    People who know each other sit together at a meeting or an event, whatever the bounded contacts drew. One
    query of the tie network for all groups, as it stands before the groups' own hours are added.
    """
    e = np.zeros(0, dtype=np.int64)
    out: list[tuple[np.ndarray, np.ndarray]] = [(e, e)] * len(groups)
    parts = [(k, np.triu_indices(len(g), 1)) for k, g in enumerate(groups) if len(g) >= 2]
    if not parts:
        return out
    a = np.concatenate([groups[k][x] for k, (x, _) in parts])
    b = np.concatenate([groups[k][y] for k, (_, y) in parts])
    known = world.ties.get(a, b, world.day) >= world.scenario.behaviour.acquaintance_hours
    ends = np.cumsum([len(x) for _, (x, _) in parts])
    for (k, _), sel_a, sel_b, ok in zip(parts, np.split(a, ends[:-1]), np.split(b, ends[:-1]),
                                        np.split(known, ends[:-1]), strict=True):  # fmt: skip
        out[k] = (sel_a[ok], sel_b[ok])
    return out


def merge_pairs(
    i: np.ndarray, j: np.ndarray, k: np.ndarray, m: np.ndarray, n_nodes: int
) -> tuple[np.ndarray, np.ndarray]:
    """The union of the pairs (i, j) and (k, m), each unordered pair once, as (low, high)."""
    lo = np.r_[np.minimum(i, j), np.minimum(k, m)]
    hi = np.r_[np.maximum(i, j), np.maximum(k, m)]
    _, first = np.unique(lo * n_nodes + hi, return_index=True)
    return lo[first], hi[first]


def space_keys(world: World) -> np.ndarray:
    """The space each of today's visitors shares with others.

    Center, slot and zone, split by segment where the zone gathers like with like (the whole center's slot where
    zones are mixed).
    """
    t, pop, c = world.today, world.pop, world.centers
    seg = pop.segment[t.visitor].astype(np.int64)
    sub = np.where(MIXING[t.zone] | c.mixed[t.center], len(SEGMENTS), seg)
    return zone_keys(world, t.center, t.slot, t.zone) * (len(SEGMENTS) + 1) + sub


def contact_groups(world: World, spaces: np.ndarray, usual: np.ndarray, rng: np.random.Generator,
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """The group each of today's visitors meets people in, its seat order in the group, and its contacts.

    A real person in a space meets ``min(contacts_per_visit, others)`` of the others there. At one agent per
    person the others are the other agents of the space. Below that they are the other agents plus the people no
    agent stands for: Poisson((1/fraction - 1) · m), m the other agents a visitor usually finds in the space on
    such days (``Encounters._remember``).
    Where the space holds fewer other agents than the person's contacts, the group widens to the zone without
    the segment split, the center in that slot, the center that day, the centers of its residential area that
    day and last its street's, so an agent meets as many others as the person it stands for (people like those
    the person meets); people of one space still sit together (``seating`` orders the spaces).
    Returns (group key, seating offset, contacts) per visitor; at one agent per person every group is its space.
    """
    t = world.today
    _, space, agents = np.unique(spaces, return_inverse=True, return_counts=True)
    others = agents[space] - 1 + rng.poisson((world.scale - 1.0) * usual)
    contacts = np.minimum(world.scenario.behaviour.contacts_per_visit, others)
    zone = spaces // (len(SEGMENTS) + 1)
    street = world.centers.street[t.center]
    levels = (spaces, zone, zone // len(FUNCTIONS), t.center, world.centers.area_index[t.center], street)
    key = np.full(len(spaces), -1, dtype=np.int64)
    for level, k in enumerate(levels):
        left = np.flatnonzero(key < 0)  # a wider group holds only those its narrower groups could not serve
        _, inverse, count = np.unique(k[left], return_inverse=True, return_counts=True)
        pick = left[(count[inverse] - 1 >= contacts[left]) | (level == len(levels) - 1)]
        key[pick] = k[pick] * len(levels) + level
    return key, 2.0 * space, contacts


def zone_keys(world: World, center: np.ndarray, slot: np.ndarray, zone: np.ndarray) -> np.ndarray:
    """Key of the space people share: center, slot and zone (the whole center where its zones are mixed)."""
    space = np.where(world.centers.mixed[center], 0, zone)
    return (center * 4 + slot) * len(FUNCTIONS) + space


def meet_organizations(world: World, rng: np.random.Generator) -> None:
    """Organizations present meet visitors of their zone and each other (module docstring of org_presence).

    Each presence meets the first q visitors of its zone in a random order, q = ``org_contacts_per_session``
    real people converted to simulated ones; each pair adds the zone's dwell time. Organizations present at one
    center in one slot meet (ring pairs, ``ORG_CONTACTS`` each) for ``ORG_MEET_HOURS``.
    """
    t = world.today
    op = t.org_present
    if not len(op):
        return
    if len(t.visitor):
        vk = zone_keys(world, t.center, t.slot, t.zone)
        order = np.lexsort((rng.random(len(vk)), vk))
        sk = vk[order]
        pk = zone_keys(world, op.center, op.slot, op.zone)
        lo = np.searchsorted(sk, pk, side="left")
        hi = np.searchsorted(sk, pk, side="right")
        q = world.to_agents(np.full(len(op), world.scenario.behaviour.org_contacts_per_session), rng)
        count = np.minimum(q, hi - lo)
        if count.sum():
            rep = np.repeat(np.arange(len(op)), count)
            within = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
            people = t.visitor[order[lo[rep] + within]]
            world.ties.add(op.node[rep], people, DWELL[op.zone[rep]], world.day)
            t.org_pairs = (op.node[rep], people)
    keys = op.center * 4 + op.slot
    i, j, _ = ring_pairs(keys, op.node, ORG_CONTACTS, rng)
    if len(i):
        world.ties.add(i, j, ORG_MEET_HOURS, world.day)
    employees_carry_employers(world, keys)


def employees_carry_employers(world: World, org_keys: np.ndarray) -> None:
    """Office workers at a center carry their employer.

    Each real employee visit adds ``EMPLOYEE_CARRY_HOURS`` to the tie between the employer and every
    organization present at that center in that slot.
    """
    t, pop = world.today, world.pop
    emp = pop.workplace[t.visitor] if len(t.visitor) else np.zeros(0, dtype=np.int64)
    has = emp >= 0
    if not has.any():
        return
    ek = (t.center * 4 + t.slot)[has]
    pair, count = np.unique(np.column_stack([ek, emp[has]]), axis=0, return_counts=True)
    order = np.argsort(org_keys, kind="stable")
    sk = org_keys[order]
    lo = np.searchsorted(sk, pair[:, 0], side="left")
    hi = np.searchsorted(sk, pair[:, 0], side="right")
    n = hi - lo
    if not n.sum():
        return
    rep = np.repeat(np.arange(len(pair)), n)
    within = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    org = world.today.org_present.node[order[lo[rep] + within]]
    hours = count[rep] * world.scale * EMPLOYEE_CARRY_HOURS
    world.ties.add(pair[rep, 1], org, hours, world.day)


def word_of_mouth(world: World, rng: np.random.Generator) -> None:
    """People at a center tell each other of the center tiers they know.

    A visitor who does not know a level learns of it with chance 1 - (1 - WORD_OF_MOUTH · s)^contacts, s the
    share of the other visitors of the center that day who know it (a share, so sampling does not change it).
    """
    t, pop = world.today, world.pop
    groups, g = np.unique(t.center, return_inverse=True)
    others = np.bincount(g, minlength=len(groups)).astype(np.float64)[g] - 1.0
    aware = pop.awareness[t.visitor]
    known = np.stack([np.bincount(g, weights=aware[:, k], minlength=len(groups)) for k in range(aware.shape[1])], 1)
    share = np.divide(known[g] - aware, others[:, None], out=np.zeros(aware.shape), where=others[:, None] > 0)
    contacts = world.scenario.behaviour.contacts_per_visit
    p = 1.0 - (1.0 - WORD_OF_MOUTH * share) ** contacts
    learn = ~aware & (rng.random(aware.shape) < p)
    pop.awareness[t.visitor] = aware | learn
