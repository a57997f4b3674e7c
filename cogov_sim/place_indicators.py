"""Indicators street by street and district by district, for a city or district scenario.

The observation phase adds each day's joint actions to the street of the center they were held at
(:func:`count_actions`) and, every ``STREET_RECORD_DAYS`` days, records a snapshot of every street
(:func:`record_streets`); :func:`by_street` and :func:`by_district` give the tables at the end of a run.
People belong to the street they live in (commuters to the one they work in); joint actions to the street of
their center. Counts are in real-population units; shares and means as in :mod:`cogov_sim.indicators`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cogov_sim.indicators import node_categories
from cogov_sim.vocabulary import STREET_COLUMNS
from cogov_sim.world import World

STREET_RECORD_DAYS = 7
"""Days between two snapshots of the street series (``streets_timeseries.csv``)."""

ACTION_COUNTS = ("held", "succeeded", "non_party")
"""Columns of ``World.street_actions``: joint actions held, succeeded and convened by others than the Party."""


def count_actions(world: World) -> None:
    """Add today's joint actions to their centers' streets (held, succeeded, convened by non-Party actors)."""
    acts = [a for a in world.today.activities if a.center >= 0]
    if not acts:
        return
    street = world.centers.street[np.array([a.center for a in acts])]
    succeeded = np.array([a.success for a in acts], dtype=float)
    non_party = np.array([a.convener.kind != "party" for a in acts], dtype=float)
    s = world.street_actions
    for k, w in enumerate((None, succeeded, non_party)):
        s[:, k] += np.bincount(street, weights=w, minlength=len(s))


def _mean_by(key: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    count = np.bincount(key, minlength=n)
    return np.divide(np.bincount(key, weights=values, minlength=n), count, out=np.zeros(n), where=count > 0)


def street_values(world: World) -> dict[str, np.ndarray]:
    """Each street's :data:`STREET_COLUMNS` today, one array of length (streets) each."""
    pop, n_st = world.pop, world.places.n_streets
    st = pop.street
    out: dict[str, np.ndarray] = {}
    agents = np.bincount(st, minlength=n_st)
    out["people"] = agents * world.scale
    out["visits_per_capita"] = _mean_by(st, pop.visits / max(world.day, 1), n_st)
    out["gci_presence"] = _mean_by(st, (pop.last_visit > world.day - 30).astype(float), n_st)
    held, succeeded, non_party = world.street_actions.T
    out["joint_actions"] = held.copy()
    out["joint_action_success_rate"] = np.divide(succeeded, held, out=np.zeros(n_st), where=held > 0)
    out["non_party_convened_share"] = np.divide(non_party, held, out=np.zeros(n_st), where=held > 0)
    ai, aj, _ = world.ties.above(world.day, world.scenario.behaviour.acquaintance_hours)
    person = np.where(ai < world.n, ai, aj)
    keep = person < world.n  # ties between two organizations belong to no street
    cat = node_categories(world)
    crossing = (cat[ai] != cat[aj]).astype(float)
    out["bridging_tie_share"] = _mean_by(st[person[keep]], crossing[keep], n_st)
    out["volunteer_share"] = _mean_by(st, pop.volunteer.astype(float), n_st)
    for name, column in (("trust_mean", "trust"), ("service_consciousness_mean", "service"),
                         ("cogov_consciousness_mean", "cogov"), ("identification_mean", "identification")):  # fmt: skip
        out[name] = _mean_by(st, getattr(pop, column).astype(float), n_st)
    out["gci_consciousness"] = np.mean(
        [out[k] for k in ("trust_mean", "service_consciousness_mean", "cogov_consciousness_mean",
                          "identification_mean")], axis=0)  # fmt: skip
    return out


def record_streets(world: World) -> None:
    """Every ``STREET_RECORD_DAYS`` days, append a snapshot of every street to ``world.street_records``."""
    if world.day % STREET_RECORD_DAYS == 0:
        world.street_records.append((world.day, street_values(world)))


def _names(world: World, lang: str) -> pd.DataFrame:
    p = world.places
    return pd.DataFrame({
        "street": np.arange(p.n_streets),
        "street_name": [p.street_name(k, lang) for k in range(p.n_streets)],
        "district": p.district,
        "district_name": [p.district_name(int(d), lang) for d in p.district],
    })  # fmt: skip


def by_street(world: World, lang: str = "en") -> pd.DataFrame:
    """One row per street: its name, district, position and :data:`STREET_COLUMNS` today."""
    df = _names(world, lang)
    p = world.places
    df["x_m"], df["y_m"] = p.origin[:, 0], p.origin[:, 1]
    df["width_m"], df["height_m"] = p.size[:, 0], p.size[:, 1]
    df["centers"] = np.bincount(world.centers.street[world.centers.active], minlength=p.n_streets)
    for k, v in street_values(world).items():
        df[k] = v
    return df


def street_series(world: World, lang: str = "en") -> pd.DataFrame:
    """The recorded snapshots (:func:`record_streets`) and today's, one row per day and street."""
    snaps = list(world.street_records)
    if not snaps or snaps[-1][0] != world.day:
        snaps.append((world.day, street_values(world)))
    names = _names(world, lang)
    frames = []
    for day, values in snaps:
        f = names.copy()
        f.insert(0, "day", day)
        for k, v in values.items():
            f[k] = v
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def by_district(streets: pd.DataFrame) -> pd.DataFrame:
    """One row per district from a :func:`by_street` table: counts summed, shares and means weighted.

    Means over people (visits, consciousness, volunteers, presence) are weighted by people, the joint-action shares
    by joint actions held; the bridging share by people (its ties are not counted per street).
    """
    rows = []
    for (d, name), g in streets.groupby(["district", "district_name"], sort=True):
        row = {"district": d, "district_name": name, "streets": len(g), "centers": int(g["centers"].sum()),
               "people": float(g["people"].sum()), "joint_actions": float(g["joint_actions"].sum())}  # fmt: skip
        held = g["joint_actions"].to_numpy()
        for col in ("joint_action_success_rate", "non_party_convened_share"):
            row[col] = float(np.average(g[col], weights=held)) if held.sum() else 0.0
        for col in STREET_COLUMNS:
            if col not in row:
                row[col] = float(np.average(g[col], weights=g["people"])) if g["people"].sum() else 0.0
        rows.append(row)
    return pd.DataFrame(rows)
