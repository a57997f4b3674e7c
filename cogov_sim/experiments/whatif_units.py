"""Per-unit daily values of a what-if run: by residential area (street in a city), by group and by actor type.

A what-if run records, besides the daily indicators, the values of a few indicators in every *unit* of the
place: each residential area (residents by home area; the in-commuters, who live elsewhere, as the unit
``commuters``), each group of residents (``segment``, ``age_band``, ``party_member``, the groups of
``indicators.per_segment``) and each actor type (residents and the four organization types). A
:class:`UnitRecorder` is handed to the model with the policy's interventions; it registers a daily event that
runs after each day's phases (after the observation phase records the indicators) and computes every value from
the World's arrays with ``bincount`` (no loop over residents). :func:`execute_with_units` runs a task with one and
adds its values to the run's daily series as columns named ``<dimension>|<unit>|<indicator>``
(:func:`unit_column`, :func:`parse_unit_column`), so they are stored, resumed and consolidated with the run like
every indicator, and :mod:`~cogov_sim.experiments.whatif_areas` estimates their paired effects.

Units of counts are those of the totals: ``visits`` and ``participants`` in real people (simulated counts divided
by the sample fraction), ``joint_actions`` and ``problems_open`` as counted. By area, ``joint_actions`` are the
actions held at the area's centers and ``problems_open`` the problems of the area; the per-area visits (with
``commuters``) add up to the total ``visits``, the convened actions by actor type to the total ``joint_actions``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from mesa.time import Priority, Schedule

from cogov_sim.experiments.runner import RunOutcome, RunTask, execute
from cogov_sim.indicators import ACTOR_TYPES, SLOT_HOURS
from cogov_sim.population import AGE_BANDS
from cogov_sim.scenario import SEGMENTS
from cogov_sim.world import World
from cogov_sim.world.organizations import ORG_TYPES

if TYPE_CHECKING:
    from cogov_sim.model import CoGovModel

SEP = "|"
"""Separator of a unit column's parts: ``area|0|visits``."""

COMMUTERS = "commuters"
"""The unit of the people without a residential area (in-commuters: office workers living elsewhere)."""

RESIDENT_INDICATORS: tuple[str, ...] = (
    "visits",
    "visits_per_capita",
    "gci_presence",
    "participants",
    "volunteer_share",
    "trust_mean",
    "service_consciousness_mean",
    "cogov_consciousness_mean",
    "identification_mean",
)
"""Values recorded for every group of people (an area, a segment): the totals' definitions restricted to the group;
``participants`` is the people taking part in that day's joint actions (one in two actions counts twice)."""

PRESENCE_DAYS = 30
"""``gci_presence`` counts the people who visited a center in the last this many days (as ``indicators.compute``)."""

PLACE_INDICATORS: tuple[str, ...] = ("joint_actions", "problems_open")
"""Values recorded for residential areas only: actions held at the area's centers, the area's open problems."""

AREA_INDICATORS: tuple[str, ...] = (*RESIDENT_INDICATORS, *PLACE_INDICATORS)
"""Every indicator recorded per residential area."""

ACTOR_INDICATORS: tuple[str, ...] = ("convened", "joined", "presence_hours", "active", "commitment_mean")
"""Values recorded per actor type: actions convened that day; partners (organizations) or participants (residents)
that day; hours present at centers that day (organizations' sessions, residents' visits); active organizations;
mean commitment (residents: co-governance consciousness, as ``per_actor_type``)."""

GROUPS: tuple[str, ...] = ("segment", "age_band", "party_member")
"""The dimensions of residents' groups (``indicators.per_segment``)."""

AGE_LABELS: tuple[str, ...] = tuple(f"{lo}-{hi}" if hi < 120 else f"{lo}+" for lo, hi in AGE_BANDS)
"""Age bands as the per-segment table names them."""

RECORDER_VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
"""Hash of this module: part of every what-if run id, so runs recorded by other code are not reused."""


def unit_column(dimension: str, unit: str, indicator: str) -> str:
    """The series column of one unit's indicator (``area|3|visits``)."""
    return SEP.join((dimension, unit, indicator))


def parse_unit_column(column: str) -> tuple[str, str, str] | None:
    """``(dimension, unit, indicator)`` of a unit column, or ``None`` for any other column."""
    parts = column.split(SEP)
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else None


def area_units(n_areas: int) -> list[str]:
    """The area units: ``0`` … ``n-1`` (0-based, as interventions' ``areas``), then :data:`COMMUTERS`."""
    return [*(str(a) for a in range(n_areas)), COMMUTERS]


def unit_columns(n_areas: int, n_streets: int = 0) -> list[str]:
    """Every unit column, in the order :func:`unit_values` returns them.

    In a city (``n_streets`` > 0) the place's units are its streets (dimension ``street``, everyone belongs to
    one), not its residential areas.
    """
    if n_streets:
        streets = [str(s) for s in range(n_streets)]
        cols = [unit_column("street", u, i) for u in streets for i in RESIDENT_INDICATORS]
        cols += [unit_column("street", u, i) for u in streets for i in PLACE_INDICATORS]
    else:
        cols = [unit_column("area", u, i) for u in area_units(n_areas) for i in RESIDENT_INDICATORS]
        cols += [unit_column("area", str(a), i) for a in range(n_areas) for i in PLACE_INDICATORS]
    groups = {"segment": list(SEGMENTS), "age_band": list(AGE_LABELS), "party_member": ["False", "True"]}
    cols += [unit_column(g, u, i) for g in GROUPS for u in groups[g] for i in RESIDENT_INDICATORS]
    cols += [unit_column("actor", a, i) for a in ACTOR_TYPES for i in ACTOR_INDICATORS]
    return cols


def _people(world: World, group: np.ndarray, k: int, participants: np.ndarray) -> np.ndarray:
    """The resident indicators of ``k`` groups (``group``: every person's group, 0..k-1), shape (k, indicators)."""
    pop, t, day = world.pop, world.today, world.day
    n = np.bincount(group, minlength=k).astype(float)
    per = np.maximum(n, 1)

    def mean(values: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=values, minlength=k) / per

    visits = np.bincount(group[t.visitor], minlength=k).astype(float)
    columns = [
        visits * world.scale,
        visits / per,
        mean(pop.last_visit > day - PRESENCE_DAYS),
        np.bincount(group[participants], minlength=k) * world.scale,
        mean(pop.volunteer),
        mean(pop.trust),
        mean(pop.service),
        mean(pop.cogov),
        mean(pop.identification),
    ]
    return np.column_stack(columns)


def unit_values(world: World) -> np.ndarray:
    """Today's value of every unit column (:func:`unit_columns`), as one float array."""
    pop, t, c = world.pop, world.today, world.centers
    acts = t.activities
    participants = np.concatenate([a.participants for a in acts]) if acts else np.zeros(0, np.int64)
    venues = np.array([a.center for a in acts], dtype=np.int64)
    venues = venues[venues >= 0]
    open_area = world.problems.area[world.problems.open_mask].astype(np.int64)
    if world.places.plans:  # a city: by street
        n = world.places.n_streets
        parts = [_people(world, pop.street.astype(np.int64), n, participants).ravel()]
        venue_unit, open_unit = c.street[venues], world.layout.street_of_area[open_area]
    else:
        n = len(world.layout.area_centers)
        area = np.where(pop.area >= 0, pop.area, n).astype(np.int64)
        parts = [_people(world, area, n + 1, participants).ravel()]
        venue_unit, open_unit = c.area_index[venues], open_area
    place = np.column_stack([np.bincount(venue_unit, minlength=n), np.bincount(open_unit, minlength=n)])
    parts.append(place[:n].astype(float).ravel())
    groups = (pop.segment.astype(np.int64), pop.age_band().astype(np.int64), pop.party.astype(np.int64))
    for g, k in zip(groups, (len(SEGMENTS), len(AGE_LABELS), 2), strict=True):
        parts.append(_people(world, g, k, participants).ravel())
    parts.append(_actors(world, participants).ravel())
    return np.concatenate(parts)


def _actors(world: World, participants: np.ndarray) -> np.ndarray:
    """The actor-type indicators, shape (actor types, :data:`ACTOR_INDICATORS`)."""
    t, k = world.today, len(ACTOR_TYPES)
    kind_of = {name: i for i, name in enumerate(ACTOR_TYPES)}
    convened = np.bincount([kind_of[a.convener.kind] for a in t.activities], minlength=k).astype(float)
    partner_kinds = [kind_of[o.kind] for a in t.activities for o in a.partners]
    joined = np.bincount(partner_kinds, minlength=k).astype(float)
    joined[0] = len(participants) * world.scale
    hours = np.zeros(k)
    op = t.org_present
    if len(op):
        hours[1:] = np.bincount(op.kind, weights=SLOT_HOURS[op.slot], minlength=len(ORG_TYPES))
    hours[0] = float(SLOT_HOURS[t.slot].sum()) * world.scale
    kinds = world.org_kind_index().astype(np.int64) + 1
    active = np.fromiter((o.active for o in world.orgs), bool, len(world.orgs))
    commitment = np.fromiter((o.commitment for o in world.orgs), float, len(world.orgs))
    n_active = np.bincount(kinds[active], minlength=k).astype(float)
    mean_commitment = np.bincount(kinds[active], weights=commitment[active], minlength=k) / np.maximum(n_active, 1)
    n_active[0] = world.pop.n * world.scale
    mean_commitment[0] = float(world.pop.cogov.mean()) if world.pop.n else 0.0
    return np.column_stack([convened, joined, hours, n_active, mean_commitment])


class UnitRecorder:
    """Records :func:`unit_values` at the end of every day of a model it is handed to as an intervention.

    It acts on nothing and draws no random number: the model binds and schedules it like an intervention, and it
    registers a daily event at low priority, which Mesa runs after the day's step at the same time.
    """

    def __init__(self) -> None:
        self.days: list[int] = []
        self.rows: list[np.ndarray] = []
        self._model: CoGovModel | None = None
        self.places = (0, 0)  # residential areas and streets (0: one street) of the world recorded

    def bind(self, model: CoGovModel) -> UnitRecorder:
        """Attach to ``model`` (forgetting any earlier record)."""
        self._model, self.days, self.rows = model, [], []
        return self

    def schedule(self, model: CoGovModel) -> None:
        """Record after every day's phases, from day 1."""
        model.schedule_recurring(self._record, Schedule(interval=1.0, start=1.0), priority=Priority.LOW)

    def _record(self) -> None:
        world = self._model.world
        self.places = (len(world.layout.area_centers), world.places.n_streets if world.places.plans else 0)
        self.days.append(world.day)
        self.rows.append(unit_values(world))

    def table(self) -> tuple[np.ndarray, list[str]]:
        """The recorded values (day × unit column) and the columns' names."""
        cols = unit_columns(*self.places)
        return (np.vstack(self.rows) if self.rows else np.zeros((0, len(cols)))), cols


def execute_with_units(task: RunTask) -> RunOutcome:
    """Run one what-if task with a :class:`UnitRecorder`; its values become columns of the run's series.

    The recorder goes last in the model's interventions, so the policy's interventions keep their positions and
    their random streams; the days kept are those of the series.
    """
    recorder = UnitRecorder()
    outcome = execute(dataclasses.replace(task, interventions=(*task.interventions, recorder)))
    if outcome.series is None or not recorder.rows:
        return outcome
    values, cols = recorder.table()
    kept = np.isin(np.asarray(recorder.days), outcome.series[:, 0].astype(np.int64))
    series = np.hstack([outcome.series, values[kept]])
    return dataclasses.replace(outcome, series=series, series_columns=(*outcome.series_columns, *cols))
