"""Computes the outcome vocabulary (``cogov_sim.vocabulary``): daily indicators, the composite ``gci``, tables.

Counts (``visits``, ``joint_actions``) are in real-population units (simulated counts / sample_fraction);
shares and means are unit-free.

The governance community index ``gci`` is the mean of four components, each in [0, 1]:

- ``gci_presence``: share of people who visited a center in the last 30 days (physical space);
- ``gci_linkage``: mean of the share of people with at least one tie at the casual-friend level and the
  organization network density (social space, relationships);
- ``gci_action``: mean of the 30-day joint-action success rate and the cumulative share of problems resolved
  (social space, joint action);
- ``gci_consciousness``: mean of trust, service consciousness, co-governance consciousness and identification
  (spiritual space).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cogov_sim.population import AGE_BANDS
from cogov_sim.scenario import LEVELS, SEGMENTS
from cogov_sim.vocabulary import PER_ACTOR_TYPE_COLUMNS
from cogov_sim.vocabulary import SLOT_HOURS as _SLOT_HOURS
from cogov_sim.world import World
from cogov_sim.world.organizations import ORG_TYPES

N_RESIDENT_TYPES = len(SEGMENTS)
SLOT_HOURS = np.array(_SLOT_HOURS)


def node_categories(world: World) -> np.ndarray:
    """Category of every node: resident segment (0-4) or 5 + organization type."""
    cat = np.empty(world.n + len(world.orgs), dtype=np.int16)
    cat[: world.n] = world.pop.segment
    cat[world.n :] = N_RESIDENT_TYPES + world.org_kind_index()
    return cat


def copresence_diversity(world: World) -> float:
    """Mean distinct actor types present per open center-slot today.

    Resident segments among the visitors and organization types among the organizations present
    (``today.org_present``: sessions and activities).
    """
    t, c = world.today, world.centers
    kind = int(t.weekend)
    open_cs = np.argwhere(c.open[:, kind, :] & c.active[:, None])
    if not len(open_cs):
        return 0.0
    n_slots = c.open.shape[2]
    n_types = N_RESIDENT_TYPES + len(ORG_TYPES)
    present = np.zeros((len(c) * n_slots, n_types), dtype=bool)
    if len(t.visitor):
        present[t.center * n_slots + t.slot, world.pop.segment[t.visitor]] = True
    op = t.org_present
    if len(op):
        present[op.center * n_slots + op.slot, N_RESIDENT_TYPES + op.kind] = True
    rows = open_cs[:, 0] * n_slots + open_cs[:, 1]
    return float(present[rows].sum(axis=1).mean())


def org_links(world: World, ties: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, float]:
    """The organized field: who convenes, cross-type agreements and ties, today's presence hours by type.

    ``org_presence_hours_<type>`` is daily (today's ``org_present`` rows); the cumulative total is the column
    ``presence_hours_total`` of :func:`per_actor_type`. ``ties``: today's pairs at the acquaintance level, when
    the caller has read them already (else they are read here).
    """
    out: dict[str, float] = {}
    convened = np.zeros(len(ORG_TYPES))
    for o in world.orgs:
        convened[ORG_TYPES.index(o.kind)] += o.convened
    total = convened.sum() + world.resident_convened
    out["non_party_convened_share"] = float(1.0 - convened[0] / total) if total else 0.0
    kinds = world.org_kind_index()
    if world.agreements:
        a, b = np.array(list(world.agreements)).T
        out["cross_type_agreement_share"] = float((kinds[a - world.n] != kinds[b - world.n]).mean())
    else:
        out["cross_type_agreement_share"] = 0.0
    i, j = ties if ties is not None else world.ties.above(world.day, world.scenario.behaviour.acquaintance_hours)[:2]
    both = (i >= world.n) & (j >= world.n)
    ki, kj = kinds[i[both] - world.n], kinds[j[both] - world.n]
    out["org_cross_type_tie_share"] = float((ki != kj).mean()) if len(ki) else 0.0
    op = world.today.org_present
    hours = np.bincount(op.kind, weights=SLOT_HOURS[op.slot], minlength=len(ORG_TYPES)) if len(op) else convened * 0
    for k, name in enumerate(ORG_TYPES):
        out[f"org_presence_hours_{name}"] = float(hours[k])
    return out


def coverage_15min(world: World, kind: int) -> float:
    """Share of residents with a center open that day (kind 0 weekday, 1 weekend) within a 15-minute walk.

    Depends only on the candidate centers and which are open, so it is cached (``refresh_candidates`` clears it).
    """
    c, pop = world.centers, world.pop
    open_today = c.open[:, kind, :].any(axis=1) & c.active
    key = open_today.tobytes()
    if key not in world.reach.coverage_cache:
        idx, dist = world.reach.cand["home"].idx, world.reach.cand["home"].dist
        res = ~pop.commuter
        limit = 15 * world.scenario.behaviour.walk_m_per_min
        value = 0.0
        if idx.shape[1] and res.any():
            near = open_today[np.maximum(idx[res], 0)] & (idx[res] >= 0) & (dist[res] <= limit)
            value = float(near.any(axis=1).mean())
        world.reach.coverage_cache.clear()
        world.reach.coverage_cache[key] = value
    return world.reach.coverage_cache[key]


def compute(world: World) -> dict[str, float]:
    """All daily indicators of the world's current day."""
    pop, t, b = world.pop, world.today, world.scenario.behaviour
    day = world.day
    scale = world.scale
    n = max(pop.n, 1)
    out: dict[str, float] = {}
    out["visits"] = len(t.visitor) * scale
    out["visits_per_capita"] = len(t.visitor) / n
    out["coverage_15min"] = coverage_15min(world, int(t.weekend))
    out["copresence_diversity"] = copresence_diversity(world)
    out["joint_actions"] = float(len(t.activities))
    recent = [s for d, s in world.action_log if d > day - 30]
    out["joint_action_success_rate"] = float(np.mean(recent)) if recent else 0.0
    probs = world.problems
    out["problems_open"] = float(probs.open_mask.sum())
    out["problems_resolved_share"] = (
        float((~probs.open_mask).sum() / len(probs.resolved)) if len(probs.resolved) else 0.0
    )
    cat = node_categories(world)
    ai, aj, ah = world.ties.above(day, b.acquaintance_hours)
    out["bridging_tie_share"] = float((cat[ai] != cat[aj]).mean()) if len(ai) else 0.0
    casual = ah >= b.casual_hours
    si, sj = ai[casual], aj[casual]
    active_org_nodes = np.array([o.node for o in world.orgs if o.active], dtype=np.int64)
    m = len(active_org_nodes)
    out["org_network_density"] = 0.0
    if m > 1:
        is_org = np.zeros(world.n + len(world.orgs), dtype=bool)
        is_org[active_org_nodes] = True
        out["org_network_density"] = float((is_org[ai] & is_org[aj]).sum() / (m * (m - 1) / 2))
    out["co_building_agreements"] = float(len(world.agreements))
    out.update(org_links(world, (ai, aj)))
    out["social_organizations"] = float(sum(1 for o in world.orgs if o.kind == "social_org" and o.active))
    out["volunteer_share"] = float(pop.volunteer.mean()) if pop.n else 0.0
    out["registered_volunteer_share"] = float((pop.volunteer_since >= 0).mean()) if pop.n else 0.0
    means = {name: float(getattr(pop, name).mean()) if pop.n else 0.0 for name in
             ("trust", "service", "cogov", "identification")}  # fmt: skip
    out["trust_mean"] = means["trust"]
    out["service_consciousness_mean"] = means["service"]
    out["cogov_consciousness_mean"] = means["cogov"]
    out["identification_mean"] = means["identification"]
    out["consensus"] = float(max(0.0, 1.0 - pop.cogov.std() / 0.5)) if pop.n else 0.0
    out["gci_presence"] = float((pop.last_visit > day - 30).mean()) if pop.n else 0.0
    has_casual = np.zeros(world.n + len(world.orgs), dtype=bool)
    has_casual[si] = True
    has_casual[sj] = True
    out["gci_linkage"] = (
        0.5 * float(has_casual[: world.n].mean() if world.n else 0.0) + 0.5 * out["org_network_density"]
    )
    out["gci_action"] = 0.5 * out["joint_action_success_rate"] + 0.5 * out["problems_resolved_share"]
    out["gci_consciousness"] = float(np.mean(list(means.values())))
    out["gci"] = float(np.mean([out["gci_presence"], out["gci_linkage"], out["gci_action"], out["gci_consciousness"]]))
    return out


def per_center(world: World) -> pd.DataFrame:
    """Cumulative visits per center, by segment, with level and position (real-population units)."""
    c = world.centers
    v = world.visits_by_center[: len(c)] * world.scale
    df = pd.DataFrame(
        {
            "center": np.arange(len(c)),
            "level": [LEVELS[k] for k in c.level],
            "x_m": c.x.round(1),
            "y_m": c.y.round(1),
            "area_m2": c.area_m2.round(0),
            "active": c.active,
            "visits": v.sum(axis=1),
        }
    )
    for k, s in enumerate(SEGMENTS):
        df[f"visits_{s}"] = v[:, k]
    days = max(world.day, 1)
    df["visits_per_day"] = df["visits"] / days
    return df


def per_level(world: World) -> pd.DataFrame:
    """Mean daily visits per center of each level (active centers)."""
    df = per_center(world)
    df = df[df["active"]]
    return df.groupby("level", sort=False).agg(centers=("center", "size"), visits_per_day=("visits_per_day", "mean"))


def per_segment(world: World) -> pd.DataFrame:
    """Participation by segment, age band and Party membership (share who ever joined a joint action)."""
    pop = world.pop
    df = pd.DataFrame(
        {
            "segment": np.array(SEGMENTS)[pop.segment],
            "age_band": np.array([f"{lo}-{hi}" if hi < 120 else f"{lo}+" for lo, hi in AGE_BANDS])[pop.age_band()],
            "party_member": pop.party,
            "visits": pop.visits,
            "participated": pop.actions_joined > 0,
            "volunteer": pop.volunteer,
        }
    )
    rows = []
    for col in ("segment", "age_band", "party_member"):
        g = df.groupby(col).agg(
            people=("visits", "size"),
            visits_per_person=("visits", "mean"),
            participation=("participated", "mean"),
            volunteer_share=("volunteer", "mean"),
        )
        g.insert(0, "group", col)
        g.index = g.index.astype(str)
        g.index.name = "value"
        rows.append(g.reset_index())
    return pd.concat(rows, ignore_index=True)


def per_actor_type(world: World) -> pd.DataFrame:
    """Actors by type, the columns of ``vocabulary.PER_ACTOR_TYPE_COLUMNS``.

    How many, active, hours present at centers since day 0 (``presence_hours_total``, the sum of the daily
    ``org_presence_hours_<type>``), convened, joined, successes, commitment.
    """
    rows = []
    for k, kind in enumerate(ORG_TYPES):
        orgs = [o for o in world.orgs if o.kind == kind]
        rows.append(
            {
                "actor_type": kind,
                "count": len(orgs),
                "active": sum(o.active for o in orgs),
                "presence_hours_total": float(world.presence_hours_total[k]),
                "convened": sum(o.convened for o in orgs),
                "joined": sum(o.joined for o in orgs),
                "successes": sum(o.successes for o in orgs),
                "commitment_mean": float(np.mean([o.commitment for o in orgs])) if orgs else 0.0,
            }
        )
    rows.append(
        {
            "actor_type": "resident",
            "count": world.pop.n,
            "active": world.pop.n,
            "presence_hours_total": 0.0,
            "convened": world.resident_convened,
            "joined": int(world.pop.actions_joined.sum()),
            "successes": 0,
            "commitment_mean": float(world.pop.cogov.mean()) if world.pop.n else 0.0,
        }
    )
    return pd.DataFrame(rows, columns=list(PER_ACTOR_TYPE_COLUMNS))


ACTOR_TYPES: tuple[str, ...] = ("resident", *ORG_TYPES)
"""Actor types of the type-pair tables: residents (all segments) and the four organization types."""


def actor_type_of(world: World) -> np.ndarray:
    """Actor type of every node, index into ``ACTOR_TYPES``."""
    out = np.zeros(world.n + len(world.orgs), dtype=np.int64)
    out[world.n :] = 1 + world.org_kind_index()
    return out


def ties_by_type_pair(world: World) -> pd.DataFrame:
    """Ties at the acquaintance level or above by pair of actor types.

    How many, and how many reach 20 h and the casual-friend level. Ties of residents are counted among simulated
    people (multiply by the scale for real
    people where one end is a resident).
    """
    b = world.scenario.behaviour
    i, j, h = world.ties.above(world.day, b.acquaintance_hours)
    at = actor_type_of(world)
    lo, hi = np.minimum(at[i], at[j]), np.maximum(at[i], at[j])
    rows = []
    for x in range(len(ACTOR_TYPES)):
        for y in range(x, len(ACTOR_TYPES)):
            m = (lo == x) & (hi == y)
            rows.append({"type_a": ACTOR_TYPES[x], "type_b": ACTOR_TYPES[y], "ties": int(m.sum()),
                         "ties_20h": int((h[m] >= 20).sum()), "ties_casual": int((h[m] >= b.casual_hours).sum()),
                         "mean_hours": float(h[m].mean()) if m.any() else 0.0})  # fmt: skip
    return pd.DataFrame(rows)


def agreements_by_type_pair(world: World) -> pd.DataFrame:
    """Co-building agreements in force by pair of organization types (and how many lapsed in all)."""
    kinds = world.org_kind_index()
    counts: dict[tuple[str, str], int] = {}
    for a, b in world.agreements:
        x, y = sorted((ORG_TYPES[kinds[a - world.n]], ORG_TYPES[kinds[b - world.n]]), key=ORG_TYPES.index)
        counts[(x, y)] = counts.get((x, y), 0) + 1
    rows = [{"type_a": x, "type_b": y, "agreements": counts.get((x, y), 0)}
            for k, x in enumerate(ORG_TYPES) for y in ORG_TYPES[k:]]  # fmt: skip
    rows.append({"type_a": "lapsed", "type_b": "", "agreements": world.lapsed_agreements})
    return pd.DataFrame(rows)


def consciousness_ledger(world: World) -> pd.DataFrame:
    """What moved each consciousness mean since day 0.

    The cumulative change by term (service visits, open problems, joint action, influence over ties, drift).
    """
    rows = [{"variable": v, "term": t, "change": c} for (v, t), c in sorted(world.ledger.items())]
    return pd.DataFrame(rows, columns=["variable", "term", "change"])
