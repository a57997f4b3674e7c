"""Array-backed resident state: one numpy column per variable, indexed by resident number.

The Resident agents (``agents.Resident``) hold only their index; the mechanisms read and write these columns
with masks, never with a per-resident Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cogov_sim.scenario import FUNCTIONS, LEVELS, SEGMENTS, SLOTS

F = {name: i for i, name in enumerate(FUNCTIONS)}

SEGMENT_PROFILES: dict[str, dict] = {
    # age: uniform range, years. avail: chance of being free for a center visit per slot (weekday, weekend).
    # needs: relative weight of each function as a person's primary need. Sources: Evidence §1.4-1.5 (time use
    # of elderly, office workers, riders) and MODEL.md §2; the numbers themselves are assumptions.
    "elderly": {
        "age": (60, 85),
        "avail": ((0.55, 0.35, 0.45, 0.2), (0.45, 0.3, 0.4, 0.2)),
        "needs": {
            "livelihood": 3,
            "culture_sports": 3,
            "government_services": 1.5,
            "party_building": 1,
            "training": 1,
        },
        "work_slots": (),
    },
    "working_adult": {
        "age": (25, 59),
        "avail": ((0.03, 0.05, 0.03, 0.2), (0.25, 0.2, 0.3, 0.2)),
        "needs": {
            "government_services": 3,
            "culture_sports": 2,
            "livelihood": 1,
            "training": 1,
            "deliberation": 0.5,
        },
        "work_slots": (),
    },
    "parent": {
        "age": (28, 45),
        "avail": ((0.05, 0.05, 0.3, 0.2), (0.3, 0.2, 0.35, 0.15)),
        "needs": {"group_work": 3, "training": 2.5, "culture_sports": 1, "government_services": 1},
        "work_slots": (),
    },
    "office_worker": {
        "age": (22, 50),
        "avail": ((0.02, 0.2, 0.03, 0.12), (0.2, 0.15, 0.25, 0.15)),
        "needs": {
            "livelihood": 2,
            "culture_sports": 1.5,
            "training": 1.5,
            "government_services": 1,
            "party_building": 1,
        },
        "work_slots": (0, 1, 2),
    },
    "rider": {
        "age": (20, 45),
        "avail": ((0.02, 0.05, 0.25, 0.05), (0.02, 0.05, 0.2, 0.05)),
        "needs": {"new_employment_support": 4, "livelihood": 1.5, "government_services": 1, "training": 0.5},
        "work_slots": (0, 1, 2, 3),
    },
}

AGE_BANDS: tuple[tuple[int, int], ...] = (
    (18, 29),
    (30, 39),
    (40, 49),
    (50, 59),
    (60, 69),
    (70, 79),
    (80, 120),
)
"""Age bands used in the participation tables (Evidence §1.4 reports 18-29 … 70-79)."""

CONSCIOUSNESS = ("trust", "service", "cogov", "identification")


def availability_table() -> np.ndarray:
    """Chance of being free for a visit, shape (segment, day kind, slot)."""
    return np.array([SEGMENT_PROFILES[s]["avail"] for s in SEGMENTS], dtype=np.float64)


def need_table() -> np.ndarray:
    """Primary-need probabilities, shape (segment, function)."""
    out = np.zeros((len(SEGMENTS), len(FUNCTIONS)))
    for i, s in enumerate(SEGMENTS):
        for fn, w in SEGMENT_PROFILES[s]["needs"].items():
            out[i, F[fn]] = w
    return out / out.sum(axis=1, keepdims=True)


def works_table() -> np.ndarray:
    """Whether a segment is anchored at its workplace in a slot, shape (segment, slot)."""
    out = np.zeros((len(SEGMENTS), len(SLOTS)), dtype=bool)
    for i, s in enumerate(SEGMENTS):
        out[i, list(SEGMENT_PROFILES[s]["work_slots"])] = True
    return out


@dataclass
class Population:
    """Numpy columns of resident state. ``n`` people: residents first, then in-commuters."""

    n: int
    segment: np.ndarray  # int8 index into SEGMENTS
    age: np.ndarray  # int16 years
    party: np.ndarray  # bool Party member
    commuter: np.ndarray  # bool lives outside, anchored at work
    area: np.ndarray  # int16 residential area (-1 for commuters)
    home: np.ndarray  # float32 (n, 2) m; commuters: their workplace
    work: np.ndarray  # float32 (n, 2) m; the slot anchor for workers and riders
    workplace: np.ndarray  # int32 organization node of the employer (-1 none)
    need: np.ndarray  # int8 primary need (function index)
    unmet: np.ndarray  # float32 0-1 unmet need, grows daily, falls when served
    habit: np.ndarray  # float32 0-1 habit of visiting one's usual center
    favourite: np.ndarray  # int32 usual center (-1 none)
    pref_slot: np.ndarray  # int8 the slot of the person's routine
    routine: np.ndarray  # int8 which weekly routine (pair of weekdays) the person keeps
    propensity: np.ndarray  # float32 persistent personal visit propensity (gamma, mean 1)
    awareness: np.ndarray  # bool (n, levels)
    threshold: np.ndarray  # float32 participation threshold (Granovetter)
    engagement: np.ndarray  # float32 log-odds offset of joining again (feedback)
    trust: np.ndarray
    service: np.ndarray
    cogov: np.ndarray
    identification: np.ndarray
    baseline: np.ndarray  # float32 (4, n) initial values of the four consciousness columns
    volunteer: np.ndarray  # bool
    volunteer_since: np.ndarray  # int32 day joined (-1 never)
    last_visit: np.ndarray  # int32 day of the last center visit (-10**6 never)
    visits: np.ndarray  # int32 cumulative visits
    actions_joined: np.ndarray  # int32 cumulative joint actions joined
    last_action: np.ndarray  # int32 day of the last joint action joined
    street: np.ndarray  # int32 the street one lives in (commuters: the street one works in)
    extra: dict = field(default_factory=dict)

    def consciousness(self, name: str) -> np.ndarray:
        """The column of one consciousness variable (trust, service, cogov, identification)."""
        return getattr(self, name)

    def age_band(self) -> np.ndarray:
        """Index into AGE_BANDS for every person."""
        edges = np.array([lo for lo, _ in AGE_BANDS[1:]])
        return np.searchsorted(edges, self.age, side="right")


def _beta(rng: np.random.Generator, mean: np.ndarray | float, conc: float, n: int) -> np.ndarray:
    mean = np.clip(mean, 0.02, 0.98)
    return rng.beta(mean * conc, (1 - mean) * conc, size=n).astype(np.float32)


@dataclass(frozen=True)
class Streets:
    """Where the streets of a city are, for drawing people.

    Each area's, workplace's and route point's street, each street's district, and each commuter row's street.
    """

    of_area: np.ndarray
    of_workplace: np.ndarray
    of_rider_point: np.ndarray
    district: np.ndarray
    commuters: np.ndarray


def pick_within(rng: np.random.Generator, group: np.ndarray, item_group: np.ndarray) -> np.ndarray:
    """For each entry of ``group``, a random item whose ``item_group`` is the same (any item if its group has none)."""
    order = np.argsort(item_group, kind="stable")
    groups = int(max(group.max(initial=-1), item_group.max(initial=-1))) + 1
    count = np.bincount(item_group, minlength=groups)
    start = np.r_[0, np.cumsum(count)[:-1]]
    u = rng.random(len(group))
    has = count[group] > 0
    out = np.empty(len(group), dtype=np.int64)
    out[has] = order[start[group[has]] + (u[has] * count[group[has]]).astype(np.int64)]
    out[~has] = (u[~has] * len(item_group)).astype(np.int64)
    return out


def make_population(
    rng: np.random.Generator,
    n_res: int,
    n_comm: int,
    segment_shares: dict[str, float],
    party_share: float,
    homes: np.ndarray,
    area_of_home: np.ndarray,
    work_points: np.ndarray,
    rider_points: np.ndarray,
    threshold_mean: float,
    threshold_sd: float,
    propensity_shape: float = 0.5,
    streets: Streets | None = None,
) -> Population:
    """Draw the people: segments, ages, Party membership, anchors, needs and initial states.

    ``homes`` (n_res, 2) and ``area_of_home`` come from the city builder; office workers and commuters are
    anchored at a random point of ``work_points``, riders at a random point of ``rider_points``. In a city
    (``streets`` given) a resident works and rides within the district of their street, and a street's in-commuters
    work in that street.
    """
    n = n_res + n_comm
    shares = np.array([segment_shares.get(s, 0.0) for s in SEGMENTS])
    seg = np.empty(n, dtype=np.int8)
    seg[:n_res] = rng.choice(len(SEGMENTS), size=n_res, p=shares / shares.sum()) if n_res else []
    seg[n_res:] = SEGMENTS.index("office_worker")
    lo = np.array([SEGMENT_PROFILES[s]["age"][0] for s in SEGMENTS])[seg]
    hi = np.array([SEGMENT_PROFILES[s]["age"][1] for s in SEGMENTS])[seg]
    age = rng.integers(lo, hi + 1).astype(np.int16)
    party = rng.random(n) < party_share
    commuter = np.zeros(n, dtype=bool)
    commuter[n_res:] = True

    worker = seg == SEGMENTS.index("office_worker")
    rider = seg == SEGMENTS.index("rider")
    work = np.zeros((n, 2), dtype=np.float32)
    workplace = np.full(n, -1, dtype=np.int32)
    street = np.zeros(n, dtype=np.int32)
    if streets is not None:
        street[:n_res] = streets.of_area[area_of_home]
        street[n_res:] = streets.commuters
    if streets is not None and len(work_points) and worker.any():
        # residents work within their district, commuters within the street they come to
        res, comm = worker[:n_res], worker[n_res:]
        wp = np.empty(int(worker.sum()), dtype=np.int64)
        k = int(res.sum())
        wp[:k] = pick_within(rng, streets.district[street[:n_res][res]], streets.district[streets.of_workplace])
        wp[k:] = pick_within(rng, street[n_res:][comm], streets.of_workplace)
        work[worker] = work_points[wp]
        workplace[worker] = wp
    elif len(work_points) and worker.any():
        wp = rng.integers(0, len(work_points), size=int(worker.sum()))
        work[worker] = work_points[wp]
        workplace[worker] = wp
    if streets is not None and len(rider_points) and rider.any():
        district = streets.district[street[rider]]
        work[rider] = rider_points[pick_within(rng, district, streets.district[streets.of_rider_point])]
    elif len(rider_points) and rider.any():
        work[rider] = rider_points[rng.integers(0, len(rider_points), size=int(rider.sum()))]
    home = np.zeros((n, 2), dtype=np.float32)
    home[:n_res] = homes
    home[n_res:] = work[n_res:]
    # no workplace or route in the place: the anchor stays at home
    no_anchor = ~(worker | rider) | (worker & (workplace < 0)) | (rider & (len(rider_points) == 0))
    work[no_anchor] = home[no_anchor]
    area = np.full(n, -1, dtype=np.int16)
    area[:n_res] = area_of_home

    needs = need_table()
    u = rng.random(n)
    need = (u[:, None] > np.cumsum(needs[seg], axis=1)).sum(axis=1).astype(np.int8)

    older = (age - 45) / 40.0
    trust = _beta(rng, 0.45 + 0.1 * older + 0.15 * party, 12, n)
    service = _beta(rng, 0.40 + 0.05 * older + 0.1 * party, 12, n)
    cogov = _beta(rng, 0.28 + 0.08 * older + 0.15 * party, 10, n)
    ident = _beta(rng, 0.35 + 0.1 * older + 0.1 * party - 0.15 * commuter, 10, n)
    # participation threshold falls with age and for Party members (Evidence §1.4 gradients)
    thr = rng.normal(threshold_mean, threshold_sd, n) - 0.12 * older - 0.08 * party
    awareness = np.zeros((n, len(LEVELS)), dtype=bool)
    slot_p = availability_table()[seg, 0]
    pref_slot = (rng.random(n)[:, None] * slot_p.sum(axis=1, keepdims=True) > np.cumsum(slot_p, axis=1)).sum(axis=1)
    return Population(
        n=n,
        segment=seg,
        age=age,
        party=party,
        commuter=commuter,
        area=area,
        home=home,
        work=work,
        workplace=workplace,
        need=need,
        unmet=rng.random(n).astype(np.float32),
        habit=np.zeros(n, dtype=np.float32),
        favourite=np.full(n, -1, dtype=np.int32),
        pref_slot=pref_slot.astype(np.int8),
        routine=rng.integers(0, 4, n).astype(np.int8),
        propensity=rng.gamma(propensity_shape, 1.0 / propensity_shape, n).astype(np.float32),
        awareness=awareness,
        threshold=np.clip(thr, 0.0, 1.0).astype(np.float32),
        engagement=np.zeros(n, dtype=np.float32),
        trust=trust,
        service=service,
        cogov=cogov,
        identification=ident,
        baseline=np.stack([trust, service, cogov, ident]).copy(),
        volunteer=np.zeros(n, dtype=bool),
        volunteer_since=np.full(n, -1, dtype=np.int32),
        last_visit=np.full(n, -(10**6), dtype=np.int32),
        visits=np.zeros(n, dtype=np.int32),
        actions_joined=np.zeros(n, dtype=np.int32),
        last_action=np.full(n, -(10**6), dtype=np.int32),
        street=street,
    )
