"""The World: the state of one place, and the edits that change it.

Everything a phase reads or writes lives here (the scenario, the layout, the centers, the people, the
organizations, the ties, the problems, agreements, alliances, programmes, logs and today's scratch record), so a
phase is ``run(world, rng)`` and can be tested on a World built without a Mesa model
(:func:`cogov_sim.world.build.build_world`). Changes to the center network and new organizations go through the
edits below, which keep the derived reach tables (:mod:`cogov_sim.world.reach`) current.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from cogov_sim.city import Centers, Layout
from cogov_sim.population import Population
from cogov_sim.rng import stream
from cogov_sim.scenario import DAY_KINDS, FUNCTIONS, SEGMENTS, SLOTS, Scenario
from cogov_sim.ties import TieStore
from cogov_sim.world.organizations import ORG_TYPES, Organization, SocialOrganization
from cogov_sim.world.places import Places
from cogov_sim.world.profiles import PROFILES, value
from cogov_sim.world.reach import Reach, build_reach, nearest_active
from cogov_sim.world.records import Activity, Problems, Today

SEGMENT_COLUMNS = len(SEGMENTS)
"""Columns of ``visits_by_center``: one per resident segment."""


def new_social_org(
    rng: np.random.Generator,
    node: int,
    number: int,
    center: int,
    area: int,
    day: int,
    specialty: int | None = None,
    maturity: float | None = None,
) -> SocialOrganization:
    """A social organization by the ``social_org`` profile at tie-network ``node``, labelled with ``number``.

    One specialty (drawn unless given), then motive, commitment and (unless given) maturity are drawn from ``rng``
    in that order.
    """
    prof = PROFILES["social_org"]
    sp = np.zeros(len(FUNCTIONS), dtype=bool)
    sp[specialty if specialty is not None else int(rng.integers(0, len(FUNCTIONS)))] = True
    motive = value(prof.motive, rng)
    commitment = value(prof.commitment, rng)
    grown = value(prof.maturity, rng) if maturity is None else maturity  # type: ignore[arg-type]
    label = f"social organization {number}"
    org = SocialOrganization(node, center, area, prof.capacity, motive, commitment, sp, label, maturity=grown)
    org.founded = day
    return org


class Programme(Protocol):
    """A recurring what-if programme (an alliance's actions, joint meetings) that adds activities in supply."""

    def activities(self, world: World, kind: int, has_venue: bool) -> list[Activity]:
        """Today's activities of the programme (``kind``: 0 weekday, 1 weekend)."""
        ...


@dataclass(eq=False)
class World:
    """The state of a place.

    Attributes:
        scenario: the validated scenario.
        seed: the run seed (with the scenario it fixes every output).
        layout: fixed geography (areas, homes, workplaces, rider routes).
        centers: the center network (closed centers stay, inactive).
        pop: the people (residents, then commuters) as columns.
        n_residents: how many of them live here.
        ties: the relationship network over people and organization nodes.
        affinity: each person's stable seating position at encounters.
        orgs: organizations in node order (node ``n + k`` is ``orgs[k]``).
        problems: community problems.
        agreements: co-building agreements in force, (node, node) -> day signed.
        lapsed_agreements: agreements that lapsed because regular contact broke off.
        alliances: alliance name -> member nodes.
        programmes: recurring what-if programmes that add activities in supply.
        success_log: (day, center) of the successes that count toward incubation, within its window.
        last_incubation: center -> day a cohort there last registered a social organization.
        action_log: (day, success) of every joint action.
        intervention_log: (day, text) of what the interventions did.
        records: the daily indicators.
        resident_convened: resident-led initiatives so far.
        neighbours: the pairs of first neighbour ties (kept up by neighbourly contact, see encounters).
        degree: each person's ties at the acquaintance level or above (updated weekly by feedback).
        presence_hours_total: cumulative hours organizations of each type (ORG_TYPES order) were present at centers.
        ledger: (variable, term) -> cumulative change of the variable's mean from that term (what moves it).
        visits_by_center: cumulative visits per center and segment (simulated people).
        needs_heard: per center and function, the recent visits whose need the center could not serve (the needs
            its staff collect; a running sum with the memory of ``presence.NEEDS_MEMORY_DAYS``).
        usual_crowd: per center, day kind and slot, the running mean of the real people who came to it
            (``presence.CROWD_MEMORY_DAYS``; NaN until first seen open), by which it admits visitors.
        places: the streets and districts (one street for a street scenario) that ``street`` columns index.
        street_actions: per street, joint actions held, succeeded and convened by non-Party actors so far (cities
            only; ``cogov_sim.place_indicators``).
        street_records: every week, the streets' indicators (cities only).
        today: the scratch record of the current day.
        day: the current day (0 before the first).
        reach: derived reach tables (rebuilt by the edits).

    """

    scenario: Scenario
    seed: int
    layout: Layout
    centers: Centers
    pop: Population
    n_residents: int
    ties: TieStore
    affinity: np.ndarray
    orgs: list[Organization] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)
    agreements: dict[tuple[int, int], int] = field(default_factory=dict)
    lapsed_agreements: int = 0
    alliances: dict[str, set[int]] = field(default_factory=dict)
    programmes: list[Programme] = field(default_factory=list)
    success_log: list[tuple[int, int]] = field(default_factory=list)
    last_incubation: dict[int, int] = field(default_factory=dict)
    action_log: list[tuple[int, bool]] = field(default_factory=list)
    intervention_log: list[tuple[int, str]] = field(default_factory=list)
    records: list[dict[str, float]] = field(default_factory=list)
    ledger: dict[tuple[str, str], float] = field(default_factory=dict)
    presence_hours_total: np.ndarray = field(default_factory=lambda: np.zeros(len(ORG_TYPES)))
    resident_convened: int = 0
    neighbours: tuple[np.ndarray, np.ndarray] = field(default_factory=lambda: (np.zeros(0, int), np.zeros(0, int)))
    degree: np.ndarray = field(init=False)
    visits_by_center: np.ndarray = field(init=False)
    needs_heard: np.ndarray = field(init=False)
    usual_crowd: np.ndarray = field(init=False)
    places: Places = field(default_factory=Places)
    street_actions: np.ndarray = field(init=False)
    street_records: list[tuple[int, dict[str, np.ndarray]]] = field(default_factory=list)
    today: Today = field(default_factory=lambda: Today(day=0, weekend=False))
    day: int = 0
    reach: Reach = field(init=False)

    def __post_init__(self) -> None:
        self.visits_by_center = np.zeros((len(self.centers), SEGMENT_COLUMNS), dtype=np.int64)
        self.needs_heard = np.zeros((len(self.centers), len(FUNCTIONS)))
        self.usual_crowd = np.full((len(self.centers), len(DAY_KINDS), len(SLOTS)), np.nan)
        self.degree = np.zeros(self.pop.n, dtype=np.int64)
        self.street_actions = np.zeros((self.places.n_streets, 3))
        self.refresh_reach()

    # ------------------------------------------------------------------ reading
    @property
    def n(self) -> int:
        """Number of people (residents and commuters); organization nodes follow them."""
        return self.pop.n

    @property
    def scale(self) -> float:
        """Real people per simulated person."""
        return 1.0 / self.scenario.population.sample_fraction

    def to_agents(self, real: float | np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Real-population counts ``real`` as simulated people, rounded at random (unbiased: E = real · fraction).

        Every count compared with simulated people (capacities, invitations, group caps, contacts with an
        organization) is defined in real people and converted here, so sampling does not change the answer.
        """
        x = np.asarray(real, dtype=np.float64) * self.scenario.population.sample_fraction
        low = np.floor(x)
        return (low + (rng.random(x.shape) < x - low)).astype(np.int64)

    def within_capacity(
        self, wanting: np.ndarray, capacity: float | np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """How many of ``wanting`` simulated people a capacity of ``capacity`` real people lets in.

        min(wanting, capacity · fraction), rounded at random: E = min(wanting, capacity · fraction) exactly (an
        activity's group cap). Rounding the capacity first (:meth:`to_agents`) and then taking the minimum would let
        in fewer on average wherever a capacity is a fraction of an agent. Centers admit by their usual crowd
        instead (``presence.admitted_share``): the day's agents come in lumps of 1/fraction people.
        """
        return self.to_agents(np.minimum(np.asarray(wanting, dtype=np.float64) * self.scale, capacity), rng)

    def org(self, node: int) -> Organization:
        """The organization at tie-network ``node``."""
        return self.orgs[node - self.n]

    def active_orgs(self, kind: str | None = None) -> list[Organization]:
        """Active organizations, optionally of one type."""
        return [o for o in self.orgs if o.active and (kind is None or o.kind == kind)]

    def org_kind_index(self) -> np.ndarray:
        """Actor-type index (into ORG_TYPES) of every organization, in node order."""
        return np.array([ORG_TYPES.index(o.kind) for o in self.orgs], dtype=np.int8)

    def book(self, variable: str, term: str, before: float, after: float) -> None:
        """Add a change of a column's sum (``before`` → ``after``) to the ledger as a change of its mean."""
        key = (variable, term)
        self.ledger[key] = self.ledger.get(key, 0.0) + (after - before) / max(self.pop.n, 1)

    # ------------------------------------------------------------------ the day
    def begin_day(self, day: int) -> None:
        """Start ``day``: a fresh scratch record (days 6 and 0 of the week are the weekend)."""
        self.day = day
        self.today = Today(day=day, weekend=(day % 7) in (6, 0))

    # ------------------------------------------------------------------ edits
    def add_organization(self, cls: type[Organization], **fields: Any) -> Organization:
        """Add an organization of class ``cls`` as the next node; returns it."""
        org = cls(node=self.n + len(self.orgs), **fields)
        self.orgs.append(org)
        return org

    def found_social_org(
        self,
        center: int,
        area: int,
        specialty: int | None = None,
        maturity: float | None = None,
        day: int | None = None,
        rng: np.random.Generator | None = None,
    ) -> SocialOrganization:
        """Found a social organization (incubation) on ``day`` (default today); returns it.

        Its random values come from ``rng``, by default a stream of its own named after its position.
        """
        day = self.day if day is None else day
        if rng is None:
            rng = stream(self.seed, f"incubate.{len(self.orgs)}", day)
        k = len(self.orgs)
        org = new_social_org(rng, self.n + k, k + 1, center, area, day, specialty, maturity)
        self.orgs.append(org)
        return org

    def open_centers(self, table: Centers) -> np.ndarray:
        """Open new centers; returns their indices."""
        start = len(self.centers)
        self.centers = self.centers.append(table)
        pad = np.zeros((len(self.centers) - len(self.visits_by_center), SEGMENT_COLUMNS), np.int64)
        self.visits_by_center = np.vstack([self.visits_by_center, pad])
        self.needs_heard = np.vstack([self.needs_heard, np.zeros((len(pad), len(FUNCTIONS)))])
        self.usual_crowd = np.concatenate([self.usual_crowd, np.full((len(pad), *self.usual_crowd.shape[1:]), np.nan)])
        self.refresh_reach()
        return np.arange(start, len(self.centers))

    def close_centers(self, idx: np.ndarray) -> list[tuple[Organization, int]]:
        """Close centers ``idx``; organizations based there move to the nearest open center.

        Returns the (organization, former center) moves, for :meth:`reopen_centers`.
        """
        c = self.centers
        c.active[idx] = False
        closed = set(np.asarray(idx).tolist())
        moved = []
        for o in self.orgs:
            if o.center in closed:
                moved.append((o, o.center))
                o.center = nearest_active(c, float(c.x[o.center]), float(c.y[o.center]))
        self.refresh_reach()
        return moved

    def reopen_centers(self, idx: np.ndarray, moved: list[tuple[Organization, int]]) -> None:
        """Reopen centers ``idx`` and move the organizations of ``moved`` back."""
        self.centers.active[idx] = True
        for o, center in moved:
            o.center = center
        self.refresh_reach()

    def set_functions(self, idx: np.ndarray, cols: list[int], zones: np.ndarray) -> None:
        """Set the function zones ``cols`` of centers ``idx`` to ``zones`` (bool, len(idx) × len(cols))."""
        self.centers.functions[np.ix_(idx, cols)] = zones
        self.refresh_reach()

    def set_hours(self, idx: np.ndarray, table: np.ndarray) -> None:
        """Set the opening table (day kinds × slots) of centers ``idx``.

        Opening hours do not enter the reach tables (presence reads them daily; the coverage cache is keyed by
        the opening pattern), so nothing else changes.
        """
        self.centers.open[idx] = table

    def refresh_reach(self) -> None:
        """Rebuild the reach tables from the current centers."""
        self.reach = build_reach(self.centers, self.pop, self.scenario)
