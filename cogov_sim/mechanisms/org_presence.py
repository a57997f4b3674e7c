"""Phase 2b: organizations are present at centers (MODEL.md §3.3, "organizations in the room").

Each organization holds sessions at centers on a schedule: a Party organization is on duty at the center it
operates (``party_sessions_per_week``, party-building zone); a department staffs service windows and consultation
days at centers with a government-services zone (``department_sessions_per_week``, the center drawn in
proportion to its real visits so far + ``VENUE_PRIOR_VISITS``, in the zone of its line function where offered,
else government services); a social organization runs a service project at a center offering its specialty
(``social_org_sessions_per_week``, its own center if it offers the specialty, else the nearest that does); an
enterprise offers professional services at its station (``enterprise_sessions_per_week``, training zone where
offered, else one of its specialties, else any zone). A session happens on a day with chance
``sessions_per_week / 7``, in a random slot the venue is open. An organization's line function is its first
specialty other than government services, or government services when that is its only one. An organization
without a center (center -1) holds no sessions unless its rule gives it a venue (a department: any center with
government services); it is never placed from another center. The conveners and partners of today's activities
are present at the activity's center, slot and zone too, but only where the center is active and open in the
activity's slot: an activity held in the fallback slot (``supply.NO_SLOT_OPEN``) at a center closed that day,
or without a venue, books no presence hours.

Meeting (in the encounters phase): an organization present meets up to ``org_contacts_per_session`` real people
among the visitors of its zone (of the whole center where zones are mixed), and the organizations present at one
center in one slot meet each other.

Contract: fills ``world.today.org_present`` (one row per session or activity presence).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from cogov_sim.scenario import FUNCTIONS
from cogov_sim.vocabulary import SLOT_HOURS as VOCAB_SLOT_HOURS
from cogov_sim.world import World
from cogov_sim.world.org_columns import OrgColumns
from cogov_sim.world.organizations import ORG_TYPES, OrgTable

PARTY = ORG_TYPES.index("party")
DEPARTMENT = ORG_TYPES.index("department")
ENTERPRISE = ORG_TYPES.index("enterprise")
SOCIAL = ORG_TYPES.index("social_org")
GOV = FUNCTIONS.index("government_services")
PARTY_ZONE = FUNCTIONS.index("party_building")
TRAINING = FUNCTIONS.index("training")
SLOT_HOURS = np.array(VOCAB_SLOT_HOURS)
"""Length of the slots, h (``vocabulary.SLOT_HOURS``)."""
VENUE_PRIOR_VISITS = 1.0
"""Real visits added to every government-services center's count when a department chooses where to staff a
session (a center nobody has visited yet still gets sessions now and then): assumption; plausible 0.1-100."""


def random_open_slot(open_today: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random open slot of each row of ``open_today`` (bool rows × slots); -1 where none is open."""
    u = rng.random(open_today.shape) * open_today
    slot = np.argmax(u, axis=1)
    return np.where(open_today.any(axis=1), slot, -1)


def first_offered(functions: np.ndarray, prefer: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per row: the preferred function (``prefer``, -1 none) if the venue offers it, else a random offered one."""
    rows = np.arange(len(functions))
    ok = (prefer >= 0) & functions[rows, np.maximum(prefer, 0)]
    other = np.argmax(rng.random(functions.shape) * functions, axis=1)
    return np.where(ok, prefer, other)


def department_scopes(
    world: World, tab: OrgTable, orgs: np.ndarray, gov: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Where departments ``orgs`` (rows of ``tab``) may staff a session: (their positions in ``orgs``, centers).

    In a one-street scenario every department may go to every center of ``gov``; in a city a street's
    departments to those of their street, a district's (``Places.wide_orgs``) to those of their district.
    """
    p = world.places
    if p.n_streets == 1:
        return [(np.arange(len(orgs)), gov)]
    c = world.centers
    street = c.street[np.maximum(tab.center[orgs], 0)]
    key = street.astype(np.int64)
    wide = np.isin(orgs, p.wide_orgs)
    key[wide] = p.n_streets + p.wide_district[np.searchsorted(p.wide_orgs, orgs[wide])]  # wide_orgs ascend
    gov_key = c.street[gov]
    out = []
    for k in np.unique(key).tolist():
        centers = gov[gov_key == k] if k < p.n_streets else gov[p.district[gov_key] == k - p.n_streets]
        out.append((np.flatnonzero(key == k), centers))
    return out


def line_function(specialties: np.ndarray) -> np.ndarray:
    """The line function of each row of ``specialties`` (bool rows × functions).

    The first specialty other than government services; government services when that is the only one; -1 with
    no specialty.
    """
    other = specialties & (np.arange(specialties.shape[1]) != GOV)
    line = np.where(specialties[:, GOV], GOV, -1)
    return np.where(other.any(axis=1), np.argmax(other, axis=1), line)


class OrgPresence:
    """Phase 2b: who of the organizations is at which center, slot and zone today."""

    name = "org_presence"

    def __init__(self) -> None:
        self.columns = OrgColumns()
        self._trees: dict[int, tuple[cKDTree | None, np.ndarray]] = {}
        self._trees_of: object = None

    def run(self, world: World, rng: np.random.Generator) -> None:
        """Draw today's sessions and record them with today's activities."""
        c, o = world.centers, world.scenario.organizations
        t = world.today
        kind_today = int(t.weekend)
        if len(world.orgs) and c.active.any():
            tab = self.columns.table(world.orgs)
            rate = np.zeros(len(tab.node))
            rate[tab.kind == PARTY] = o.party_sessions_per_week
            rate[tab.kind == DEPARTMENT] = o.department_sessions_per_week
            rate[tab.kind == ENTERPRISE] = o.enterprise_sessions_per_week
            rate[tab.kind == SOCIAL] = o.social_org_sessions_per_week
            go = np.flatnonzero(tab.active & (rng.random(len(rate)) < rate / 7.0))
            venue = self._venues(world, tab, go, rng)
            ok = venue >= 0
            go, venue = go[ok], venue[ok]
            open_today = c.open[venue, kind_today, :] & c.active[venue, None]
            slot = random_open_slot(open_today, rng)
            ok = slot >= 0
            go, venue, slot = go[ok], venue[ok], slot[ok]
            want = self._zone_wanted(tab, go)
            zone = first_offered(c.functions[venue], want, rng)
            zone[(tab.kind[go] == DEPARTMENT) & (zone != want)] = GOV  # the affairs window
            t.org_present.extend(tab.node[go], tab.kind[go], venue, slot, zone)
        acts = [
            a for a in t.activities if a.center >= 0 and c.active[a.center] and c.open[a.center, kind_today, a.slot]
        ]
        rows = []
        if acts:
            rows = [(org.node, ORG_TYPES.index(org.kind), a.center, a.slot, a.function)
                    for a in acts for org in (a.convener, *a.partners) if org.kind in ORG_TYPES]  # fmt: skip
        if rows:
            node, kind, center, slot, zone = np.array(rows, dtype=np.int64).T
            t.org_present.extend(node, kind, center, slot, zone)
        op = t.org_present
        world.presence_hours_total += np.bincount(op.kind, weights=SLOT_HOURS[op.slot], minlength=len(ORG_TYPES))

    def _venues(self, world: World, tab: OrgTable, go: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The center of each session of ``go`` (-1 where the organization has none it can use)."""
        c = world.centers
        own = tab.center[go]
        venue = np.where((own >= 0) & c.active[np.maximum(own, 0)], own, -1)
        kind = tab.kind[go]
        # departments: a center with a government-services zone, in proportion to its real visits so far + a prior
        gov = np.flatnonzero(c.active & c.functions[:, GOV])
        dept = np.flatnonzero(kind == DEPARTMENT)
        if len(dept):
            u = rng.random(len(dept))
            for rows, centers in department_scopes(world, tab, go[dept], gov):
                if len(centers):
                    w = world.visits_by_center[centers].sum(axis=1) * world.scale + VENUE_PRIOR_VISITS
                    cw = np.cumsum(w / w.sum())
                    pick = np.minimum(np.searchsorted(cw, u[rows]), len(centers) - 1)
                    venue[dept[rows]] = centers[pick]
                else:
                    venue[dept[rows]] = -1
        # social organizations: their own center if it offers the specialty, else the nearest that does; none
        # without a center of their own (there is nothing to be near to)
        soc = np.flatnonzero((kind == SOCIAL) & (own >= 0))
        if len(soc):
            venue[soc] = self._nearest_offering(world, own[soc], tab.specialties[go[soc]])
        return venue

    def _nearest_offering(self, world: World, base: np.ndarray, spec: np.ndarray) -> np.ndarray:
        """For each center ``base`` and row of ``spec``, the nearest active center offering one of those functions.

        -1 where none does. One k-d tree per function over the centers offering it, rebuilt when the network
        changes.
        """
        c = world.centers
        if self._trees_of is not world.reach:
            self._trees.clear()
            self._trees_of = world.reach
        best = np.full(len(base), np.inf)
        out = np.full(len(base), -1, dtype=np.int64)
        xy = np.column_stack([c.x[base], c.y[base]])
        for f in np.flatnonzero(spec.any(axis=0)).tolist():
            if f not in self._trees:
                at = np.flatnonzero(c.active & c.functions[:, f])
                self._trees[f] = (cKDTree(np.column_stack([c.x[at], c.y[at]])) if len(at) else None, at)
            tree, at = self._trees[f]
            rows = np.flatnonzero(spec[:, f])
            if tree is None or not len(rows):
                continue
            d, k = tree.query(xy[rows])
            better = d < best[rows]
            best[rows[better]] = d[better]
            out[rows[better]] = at[k[better]]
        return out

    def _zone_wanted(self, tab: OrgTable, go: np.ndarray) -> np.ndarray:
        """The zone each organization of ``go`` wants to work in (-1: any zone the venue offers)."""
        kind = tab.kind[go]
        spec = tab.specialties[go]
        line = line_function(spec)
        want = np.full(len(go), -1, dtype=np.int64)
        want[kind == PARTY] = PARTY_ZONE
        want[kind == DEPARTMENT] = np.where(line >= 0, line, GOV)[kind == DEPARTMENT]
        want[kind == SOCIAL] = line[kind == SOCIAL]
        want[kind == ENTERPRISE] = np.where(spec[:, TRAINING], TRAINING, line)[kind == ENTERPRISE]
        return want
