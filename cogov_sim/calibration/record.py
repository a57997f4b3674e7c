"""What a probed run records besides its daily indicators: named tables of cells, flattened into one mapping.

A run's record is a flat mapping ``"<table>|<row>|<column>" -> float`` (:func:`key`), stored as extra columns of
the run's row in the result store, so targets are measured from stored runs only and a second ``cogov check``
reads them back without running anything. The tables (:data:`TABLE_COLUMNS`):

- ``per_level``, ``per_segment``, ``per_actor_type``, ``ties_by_type_pair``, ``agreements_by_type_pair``: the
  tables a run writes (``cogov_sim.indicators``), one row per level, per ``group=value`` (``age_band=70-79``,
  ``party_member=True``, ``segment=elderly``), per actor type, per ``typeA-typeB`` pair;
- ``probe``: what only the World knows, at the start and the end of the run and from each day's visits and
  actions (rows and columns in :data:`PROBE_CELLS`);
- ``decay``: per center level, visits of home-anchored residents to centers of that level binned by walking
  distance from home to the nearest such center (``km_k``, ``people_k``, ``visits_k`` for bin k of
  :data:`DECAY_BIN_KM`), for the distance-decay fits.
"""

from __future__ import annotations

from cogov_sim.population import AGE_BANDS
from cogov_sim.scenario import unknown_message
from cogov_sim.vocabulary import LEVELS, PER_ACTOR_TYPE_COLUMNS, SEGMENTS
from cogov_sim.world.organizations import ORG_TYPES

SEPARATOR = "|"
"""Between table, row and column in a record key."""

DECAY_BIN_KM = 0.2
"""Width of a walking-distance bin of the decay table, km (as in the pattern tests)."""

DECAY_BINS = 13
"""Bins of the decay table: 0-2.6 km of walking distance."""

PROBE_CELLS: dict[str, dict[str, str]] = {
    "start": {
        "no_tie_share": "share of residents with no tie at all on day 0 (before any center)",
        "unaware_residential_share": "share of residents unaware of the residential stations on day 0",
        "unaware_street_share": "share of residents unaware of the street center on day 0",
    },
    "visits": {
        "ever_share": "share of residents who visited a center at least once in the run",
        "elderly_within_800m_share": "share of elderly residents' visits made to a center within 800 m walking of home",
        "work_anchor_share": "share of resident office workers' and riders' visits made to a center nearer their"
        " work or route anchor than their home",
        "per_person": "visits per person (residents and in-commuters) over the run",
    },
    "centers": {
        "skewness": "skewness of the visits per day across active centers",
        "mean_visits_per_day": "mean visits per day of an active center (real people)",
        "max_to_median": "busiest active center's visits over the median center's",
    },
    "ties": {
        "friend_share": "share of resident-resident ties at the acquaintance level or above that reach the friend"
        " level (friend_hours) at the end",
        "casual_share": "the same share at the casual-friend level (casual_hours)",
    },
    "actions": {
        "count": "joint actions held in the run",
        "people_per_action": "mean real people taking part per joint action",
        "face_to_face_success": "success rate of council-hall meetings on a problem",
        "remote_success": "success rate of problems handled by remote consultation",
        "service_success": "success rate of service projects",
        "face_to_face_count": "council-hall meetings on a problem held",
        "remote_count": "remote consultations on a problem held",
    },
    "volunteers": {
        "retention_last_year": "share of the volunteers of day (end - 365) still volunteering at the end without a"
        " break (NaN for runs of a year or less)",
    },
    "place": {
        "residents": "residents of the place (real people)",
        "people": "residents and in-commuters (real people)",
    },
}
"""Row -> column -> meaning of the ``probe`` table."""

BAND_NAMES: tuple[str, ...] = tuple(f"{lo}-{hi}" if hi < 120 else f"{lo}+" for lo, hi in AGE_BANDS)
"""Age bands as the participation table names them."""

ACTOR_TYPES: tuple[str, ...] = ("resident", *ORG_TYPES)
"""Actor types of the per-actor-type and type-pair tables."""

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "per_level": ("centers", "visits_per_day"),
    "per_segment": ("people", "visits_per_person", "participation", "volunteer_share"),
    "per_actor_type": tuple(c for c in PER_ACTOR_TYPE_COLUMNS if c != "actor_type"),
    "ties_by_type_pair": ("ties", "ties_20h", "ties_casual", "mean_hours"),
    "agreements_by_type_pair": ("agreements",),
    "probe": tuple(dict.fromkeys(c for cells in PROBE_CELLS.values() for c in cells)),
    "decay": tuple(f"{what}_{k}" for what in ("km", "people", "visits") for k in range(DECAY_BINS)),
}
"""Table -> its columns."""


def _pairs(types: tuple[str, ...]) -> list[str]:
    return [f"{a}-{b}" for i, a in enumerate(types) for b in types[i:]]


TABLE_ROWS: dict[str, tuple[str, ...]] = {
    "per_level": LEVELS,
    "per_segment": (
        *(f"segment={s}" for s in SEGMENTS),
        *(f"age_band={b}" for b in BAND_NAMES),
        "party_member=True",
        "party_member=False",
    ),
    "per_actor_type": ACTOR_TYPES,
    "ties_by_type_pair": tuple(_pairs(ACTOR_TYPES)),
    "agreements_by_type_pair": (*_pairs(ORG_TYPES), "lapsed"),
    "probe": tuple(PROBE_CELLS),
    "decay": LEVELS,
}
"""Table -> its rows."""


def key(table: str, row: str, column: str) -> str:
    """The record key of one cell."""
    return f"{table}{SEPARATOR}{row}{SEPARATOR}{column}"


def cell_problem(table: str, row: str, column: str) -> tuple[str, str] | None:
    """What is wrong with a cell of ``table`` as ``(field, message)`` (``row`` or ``column``), or None."""
    rows = TABLE_ROWS[table]
    if row not in rows:
        return "row", unknown_message(row, list(rows), f"{table} row")
    columns = list(PROBE_CELLS[row]) if table == "probe" else list(TABLE_COLUMNS[table])
    if column not in columns:
        return "column", unknown_message(column, columns, f"{table} {row} column" if table == "probe" else
                                         f"{table} column")  # fmt: skip
    return None
