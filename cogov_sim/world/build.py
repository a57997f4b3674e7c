"""Build a World from a scenario and a seed: the place, its people, organizations, first ties and awareness.

Each part draws from its own stream (``init.population``, ``init.organizations``, ``init.awareness``,
``init.ties``, ``init.affinity``), so a change to one part does not move the draws of another. The layout and
the centers draw from streams of ``area.layout_seed`` (:mod:`cogov_sim.city`): replications share one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cogov_sim.city import Centers, Layout, build_centers, build_layout
from cogov_sim.population import Population, Streets, make_population
from cogov_sim.rng import stream
from cogov_sim.scenario import FUNCTIONS, LEVELS, SEGMENTS, Scenario
from cogov_sim.ties import TieStore
from cogov_sim.world.organizations import Department, Enterprise, Organization, PartyOrganization
from cogov_sim.world.places import Places, build_city, street_places
from cogov_sim.world.profiles import (
    DEPARTMENTS,
    PARTY_AWARENESS_BONUS,
    PARTY_SPECIALTIES,
    PROFILES,
    RIDER_KNOWS_STATIONS,
    WORKER_KNOWS_BUILDING,
    Profile,
    awareness_levels,
    value,
)
from cogov_sim.world.reach import nearest_active
from cogov_sim.world.state import World, new_social_org

INITIAL_SAME_SEGMENT = 0.7
"""Share of initial neighbour ties within one's own segment (homophily; assumption)."""

NEIGHBOURS_PER_PERSON = 0.65
"""Mean initial neighbour ties a resident starts (Poisson); with the ties others start to them, a resident has
none with chance about exp(-2 · 0.65) = 0.27: Evidence §4.7 (27% almost never interact with neighbours)."""

REDRAWS = 3
"""Rounds in which a first tie drawn twice (or to oneself) is drawn again, so small samples do not lose ties."""

MAX_ORGS = 100_000
"""Room reserved for organization nodes after the residents in the tie network."""


def build_world(scenario: Scenario, seed: int) -> World:
    """The World of ``scenario`` for run ``seed`` on day 0 (a street, or a city of streets: ``scenario.city``)."""
    if scenario.city is None:
        layout = build_layout(scenario)
        centers = build_centers(scenario, layout)
        streets, places = None, street_places(scenario)
    else:
        layout, centers, streets, places = build_city(scenario)
    pop = people(scenario, layout, seed, streets)
    orgs = organizations(scenario, layout, centers, pop, stream(seed, "init.organizations"), places)
    initial_awareness(pop, stream(seed, "init.awareness"))
    n_residents = len(layout.homes)
    ties = TieStore(pop.n + MAX_ORGS, scenario.behaviour.tie_half_life_days)
    neighbours = neighbour_ties(ties, pop, n_residents, stream(seed, "init.ties"))
    # stable seating position for encounters: regulars who come at the same time sit near the same people
    affinity = stream(seed, "init.affinity").random(pop.n)
    return World(scenario, int(seed), layout, centers, pop, n_residents, ties, affinity, orgs=orgs,
                 neighbours=neighbours, places=places)  # fmt: skip


def people(sc: Scenario, layout: Layout, seed: int, streets: Streets | None = None) -> Population:
    """Residents (one per home of the layout) and commuters of the scenario (of each street of a city)."""
    p, b = sc.population, sc.behaviour
    commuters = len(streets.commuters) if streets is not None else round(p.commuters * p.sample_fraction)
    return make_population(
        stream(seed, "init.population"),
        len(layout.homes),
        commuters,
        dict(p.segments),
        p.party_member_share,
        layout.homes,
        layout.area_of_home,
        layout.workplaces,
        layout.rider_points,
        b.threshold_mean,
        b.threshold_sd,
        b.propensity_shape,
        streets,
    )


@dataclass(frozen=True)
class StreetPart:
    """The rows of one street in the world's arrays: its scenario, areas, workplaces and street center."""

    scenario: Scenario
    areas: range
    workplaces: range
    center: int
    prefix: str


def street_parts(sc: Scenario, layout: Layout, c: Centers, places: Places) -> list[StreetPart]:
    """One :class:`StreetPart` per street (the whole place for a street scenario)."""
    street_level = c.level == LEVELS.index("street")
    parts = []
    for k in range(places.n_streets):
        areas = np.flatnonzero(layout.street_of_area == k)
        work = np.flatnonzero(layout.street_of_workplace == k)
        # the street center, else the street's first center, else any center (-1 with none)
        here = np.flatnonzero(c.street == k)
        mine = here[street_level[here]]
        first = mine if len(mine) else here
        center = int(first[0]) if len(first) else (0 if len(c) else -1)
        scenario = places.plans[k].scenario if places.plans else sc
        prefix = f"{places.street_name(k)}: " if places.plans else ""
        area_rows = range(int(areas[0]), int(areas[-1]) + 1) if len(areas) else range(0)
        work_rows = range(int(work[0]), int(work[-1]) + 1) if len(work) else range(0)
        parts.append(StreetPart(scenario, area_rows, work_rows, center, prefix))
    return parts


def organizations(
    sc: Scenario, layout: Layout, c: Centers, pop: Population, rng: np.random.Generator, places: Places | None = None
) -> list[Organization]:
    """The starting organizations in node order.

    Street by street: its Party organizations, departments, enterprises and social organizations; then each
    district's departments at its district center. Also links employees to their building's enterprise:
    ``pop.workplace`` becomes the enterprise's node.
    """
    places = places or street_places(sc)
    orgs: list[Organization] = []
    nf = len(FUNCTIONS)

    def add(cls: type[Organization], prof: Profile, **fields: Any) -> Organization:
        motive = value(prof.motive, rng)
        commitment = value(prof.commitment, rng)
        org = cls(node=pop.n + len(orgs), capacity=prof.capacity, motive=motive, commitment=commitment, **fields)
        orgs.append(org)
        return org

    def based(xy: np.ndarray, prof: Profile) -> int:
        return nearest_active(c, xy[0], xy[1], prof.based_at)

    def holds(names: tuple[str, ...]) -> np.ndarray:
        return np.isin(np.array(FUNCTIONS), names)

    def department(d: int, center: int, label: str) -> None:
        name, function = DEPARTMENTS[d % len(DEPARTMENTS)]
        sp = np.zeros(nf, dtype=bool)
        sp[[FUNCTIONS.index("government_services"), FUNCTIONS.index(function)]] = True
        add(Department, PROFILES["department"], center=center, area=-1, specialties=sp, label=label + name,
            responsiveness=sc.organizations.department_responsiveness)  # fmt: skip

    per_week = sc.organizations.convening_per_week
    party = {"per_week": per_week, "specialties": holds(PARTY_SPECIALTIES["residential"])}
    wp_to_node = np.full(max(len(layout.workplaces), 1), -1, dtype=np.int64)
    for part in street_parts(sc, layout, c, places):
        ssc, pre = part.scenario, part.prefix
        add(PartyOrganization, PROFILES["street_committee"], center=part.center, area=-1,
            label=pre + "street working committee", tier="street", per_week=per_week,
            specialties=holds(PARTY_SPECIALTIES["street"]))  # fmt: skip
        for n, a in enumerate(part.areas):
            prof = PROFILES["branch"]
            add(PartyOrganization, prof, center=based(layout.area_centers[a], prof), area=a,
                label=f"{pre}residential branch {n + 1}", tier="branch", **party)  # fmt: skip
        for n, w in enumerate(part.workplaces):
            prof = PROFILES["workplace_party"]
            add(PartyOrganization, prof, center=based(layout.workplaces[w], prof), area=-1,
                label=f"{pre}workplace Party org {n + 1}", tier="workplace", per_week=per_week,
                specialties=holds(PARTY_SPECIALTIES["workplace"]))  # fmt: skip
        for d in range(ssc.organizations.departments):
            department(d, part.center, pre)
        # enterprises: employees of office buildings are linked through `workplace`
        prof = PROFILES["enterprise"]
        first = len(orgs)
        for e in range(ssc.organizations.enterprises):
            if len(part.workplaces):
                xy = layout.workplaces[part.workplaces[e % len(part.workplaces)]]
            else:
                xy = layout.area_centers[part.areas[e % len(part.areas)]]
            sp = rng.random(nf) < prof.specialty_share
            add(Enterprise, prof, center=based(xy, prof), area=-1, specialties=sp, label=f"{pre}enterprise {e + 1}")
        # each workplace's employees -> the first enterprise there
        for w, k in zip(part.workplaces, range(first, len(orgs)), strict=False):
            wp_to_node[w] = orgs[k].node
        for s in range(ssc.organizations.social_organizations):
            a = part.areas[s % len(part.areas)]
            k = len(orgs)
            orgs.append(new_social_org(rng, pop.n + k, k + 1, based(layout.area_centers[a], PROFILES["social_org"]),
                                       a, day=0))  # fmt: skip
    for i in range(len(places.district_names) if places.plans else 0):
        hub = np.flatnonzero((c.level == LEVELS.index("district")) & (places.district[c.street] == i))
        departments = sc.city.districts[i].departments if sc.city else 0
        first = len(orgs)
        for d in range(departments):
            department(d, int(hub[0]) if len(hub) else 0, f"{places.district_name(i)} district: ")
        places.wide_orgs = np.r_[places.wide_orgs, np.arange(first, len(orgs))].astype(np.int64)
        places.wide_district = np.r_[places.wide_district, np.full(len(orgs) - first, i)].astype(np.int64)
    has = pop.workplace >= 0
    pop.workplace[has] = wp_to_node[pop.workplace[has]]
    return orgs


def initial_awareness(pop: Population, rng: np.random.Generator) -> None:
    """Who knows of each level's centers at the start (``profiles.INITIAL_AWARENESS`` and its bonuses)."""
    p = awareness_levels()[None, :] * np.ones((pop.n, 1))
    p[pop.party] = np.minimum(1.0, p[pop.party] + PARTY_AWARENESS_BONUS)
    p[pop.segment == SEGMENTS.index("rider"), LEVELS.index("rider")] = RIDER_KNOWS_STATIONS
    p[pop.workplace >= 0, LEVELS.index("building")] = WORKER_KNOWS_BUILDING
    pop.awareness[:] = rng.random(p.shape) < p


def anyone_else(key: np.ndarray, who: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each of ``who``, a random other person with the same ``key`` (itself if alone in its group)."""
    order = np.argsort(key, kind="stable")
    first = np.r_[0, np.flatnonzero(np.diff(key[order])) + 1]
    size = np.diff(np.r_[first, len(key)])
    group = np.repeat(np.arange(len(first)), size)
    pos = np.empty(len(key), dtype=np.int64)
    pos[order] = np.arange(len(key))
    g = group[pos[who]]
    shift = 1 + (rng.random(len(who)) * (size[g] - 1)).astype(np.int64)
    return order[first[g] + (pos[who] - first[g] + shift) % size[g]]


def neighbour_ties(ties: TieStore, pop: Population, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Thin neighbourliness among the ``n`` residents (Evidence §4.7), added to ``ties``; returns the pairs.

    Mostly acquaintance-level ties to someone of one's residential area, ``INITIAL_SAME_SEGMENT`` of them within
    one's own segment (people of one life stage); the partner is anyone of that group, so the share of pairs
    drawn twice, and so the ties a person starts with, does not depend on the sample fraction.
    """
    if n < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    k = rng.poisson(NEIGHBOURS_PER_PERSON, n)
    src = np.repeat(np.arange(n), k)
    same_seg = rng.random(len(src)) < INITIAL_SAME_SEGMENT
    dst = np.empty_like(src)
    redraw = np.ones(len(src), dtype=bool)
    for _ in range(REDRAWS):
        for mask, key in ((same_seg & redraw, pop.area[:n] * 8 + pop.segment[:n]), (~same_seg & redraw, pop.area[:n])):
            dst[mask] = anyone_else(key, src[mask], rng)
        pair = np.minimum(src, dst) * n + np.maximum(src, dst)
        redraw = np.ones(len(src), dtype=bool)
        redraw[np.unique(pair, return_index=True)[1]] = False
        redraw |= dst == src
        if not redraw.any():
            break
    same = (pop.area[dst] == pop.area[src]) & (dst != src)
    hours = rng.gamma(1.5, 8.0, len(src)).astype(np.float32)
    ties.add(src[same], dst[same], hours[same], day=0)
    return src[same], dst[same]
