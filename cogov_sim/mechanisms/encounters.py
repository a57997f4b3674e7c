"""Phase 4: encounters. Co-present people in the same zone meet a bounded number of others; ties grow.

Visitors of a center, slot and zone form a group; in zones that gather like with like the group is further split
by resident segment. A center with ``mixed_zones`` is one shared mixed-use space (a "living room for all",
Evidence §1.1): all its visitors of a slot form one group, whatever their zone. Within a group, people sit in a
ring ordered by a stable personal position (a fixed random number, plus noise), so regulars who come at the same
times meet the same people again (Feld's foci). Each meets the next ``ceil(contacts_per_visit / 2)`` people
in the ring, so everyone meets about ``contacts_per_visit`` others and the cost is linear in visits. Each pair
adds the zone's dwell time to its tie (shared leisure hours).

Contract: writes ``world.today.pairs`` (the day's contact pairs) and adds their hours to ``world.ties``.
"""

from __future__ import annotations

import numpy as np

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

AFFINITY_NOISE = 0.005
"""Noise on the seating position of a visitor (in units of the affinity scale): assumption, sets how often
regulars meet the same people again."""

DWELL = np.array([DWELL_HOURS[f] for f in FUNCTIONS])
MIXING = np.array([f in MIXING_FUNCTIONS for f in FUNCTIONS])


def ring_pairs(
    keys: np.ndarray,
    people: np.ndarray,
    contacts: int,
    rng: np.random.Generator,
    affinity: np.ndarray | None = None,
):
    """Pairs of people who meet: each meets the next ``ceil(contacts/2)`` in a ring within its key group.

    The ring is ordered by ``affinity`` (a stable per-person position, so regulars sit near the same people
    visit after visit) plus noise; without ``affinity`` the ring is random.
    Returns (i, j, group index of the pair); each unordered pair appears once.
    """
    if len(keys) < 2 or contacts <= 0:
        e = np.zeros(0, dtype=np.int64)
        return e, e, e
    position = rng.random(len(keys)) if affinity is None else affinity + rng.normal(0, AFFINITY_NOISE, len(keys))
    order = np.lexsort((position, keys))
    k_sorted = keys[order]
    start = np.r_[0, np.flatnonzero(k_sorted[1:] != k_sorted[:-1]) + 1]
    size = np.diff(np.r_[start, len(keys)])
    gid = np.repeat(np.arange(len(start)), size)
    pos = np.arange(len(keys)) - start[gid]
    src, dst, grp = [], [], []
    for k in range(1, (contacts + 1) // 2 + 1):
        ok = size[gid] > k
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
    """Phase 4: bounded contacts among co-present visitors; shared hours into the tie network."""

    name = "encounters"

    def run(self, world: World, rng: np.random.Generator) -> None:
        """Pair today's visitors and add their shared hours to the ties."""
        t, pop, c = world.today, world.pop, world.centers
        if len(t.visitor) < 2:
            return
        seg = pop.segment[t.visitor].astype(np.int64)
        shared = c.mixed[t.center]
        sub = np.where(MIXING[t.zone] | shared, len(SEGMENTS), seg)
        space = np.where(shared, 0, t.zone)
        keys = ((t.center * 4 + t.slot) * len(FUNCTIONS) + space) * (len(SEGMENTS) + 1) + sub
        affinity = world.affinity[t.visitor]
        i, j, _ = ring_pairs(keys, t.visitor, world.scenario.behaviour.contacts_per_visit, rng, affinity)
        if not len(i):
            return
        # the zone of the pair is the zone of either member; both share it by construction
        zone_of = np.zeros(pop.n, dtype=np.int64)
        zone_of[t.visitor] = t.zone
        hours = DWELL[zone_of[i]]
        world.ties.add(i, j, hours, world.day)
        t.pairs = (i, j)
        # word of mouth: people who meet share what they know about the tiers of centers
        share = rng.random(len(i)) < 0.1
        a, b = i[share], j[share]
        know = pop.awareness[a] | pop.awareness[b]
        pop.awareness[a] = know
        pop.awareness[b] = know
