"""CoGovModel: the Mesa model that wires the daily phases in one documented order.

One step is one day (``model.time`` = day number, starting at 1). Interventions are Mesa events scheduled at
half a day before the day they start, so they take effect before that day's phases run. The phases, in order
(MODEL.md §3; each is a small unit in ``cogov_sim.mechanisms`` with its own random stream):

1. calendar      - the day's kind (weekday/weekend); interventions already applied by the event list
2. supply        - Party organizations (and, once committed, others) schedule activities and invite partners
3. presence      - residents choose per slot whether and where to go (Huff/logit with an outside option)
4. encounters    - co-present people meet, a bounded number each; shared hours build ties
5. joint_action  - residents join convened activities by a threshold rule; success is drawn
6. feedback      - outcomes change trust, engagement, supply, agreements, incubation
7. consciousness - experience, bounded-confidence influence over ties, drift; volunteers join and leave
8. observation   - indicators are computed and recorded
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import mesa
import numpy as np
from scipy.spatial import cKDTree

from cogov_sim import __version__
from cogov_sim.agents import (
    ORG_TYPES,
    Department,
    Enterprise,
    Organization,
    PartyOrganization,
    Resident,
    SocialOrganization,
)
from cogov_sim.city import Centers, build_centers, build_layout
from cogov_sim.mechanisms import PHASES, Phase
from cogov_sim.population import make_population
from cogov_sim.rng import stream
from cogov_sim.scenario import FUNCTIONS, LEVELS, SEGMENTS, Scenario
from cogov_sim.ties import TieStore

CANDIDATES = 6
"""Nearest centers a person weighs from each anchor (street and district centers are always added)."""

INITIAL_SAME_SEGMENT = 0.7
"""Share of initial neighbour ties within one's own segment (homophily; assumption)."""

MAX_ORGS = 100_000
"""Room reserved for organization nodes after the residents in the tie network."""


@dataclass
class Activity:
    """A convened activity (joint action) at a center on one day."""

    convener: Organization
    center: int
    slot: int
    function: int
    problem: int = -1
    partners: list[Organization] = field(default_factory=list)
    face_to_face: bool = False
    participants: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    success: bool = False


@dataclass
class Today:
    """Scratch state of the current day, filled by the phases in order."""

    day: int
    weekend: bool
    activities: list[Activity] = field(default_factory=list)
    visitor: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    center: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    zone: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    slot: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    turned_away: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pairs: tuple[np.ndarray, np.ndarray] = field(default_factory=lambda: (np.zeros(0, np.int64),) * 2)
    org_present: dict[tuple[int, int], set[int]] = field(default_factory=dict)


@dataclass
class Candidates:
    """Candidate centers of the people anchored at one kind of place (home or work)."""

    rows: np.ndarray  # people these rows belong to
    idx: np.ndarray  # (rows, K) center index, -1 none
    safe: np.ndarray  # idx with -1 replaced by 0 (its weight is 0), for gathers
    dist: np.ndarray  # (rows, K) walking distance, m
    weight: np.ndarray  # (rows, K) static Huff weight
    level: np.ndarray  # (rows, K) level of each candidate


class _Groups:
    """Members of each key value, found by binary search in a sorted order."""

    def __init__(self, keys: np.ndarray) -> None:
        self.order = np.argsort(keys, kind="stable")
        self.sorted = np.asarray(keys)[self.order]

    def members(self, key: int) -> np.ndarray:
        lo, hi = np.searchsorted(self.sorted, [key, key + 1])
        return self.order[lo:hi]


class Problems:
    """Community problems that arise in residential areas and are resolved (or not) by joint action."""

    TYPES: tuple[tuple[str, str], ...] = (
        ("elderly_care", "livelihood"),
        ("parking", "deliberation"),
        ("garbage_sorting", "deliberation"),
        ("renovation", "government_services"),
        ("dispute", "deliberation"),
        ("youth_after_school", "training"),
    )

    def __init__(self) -> None:
        self.area = np.zeros(0, dtype=np.int32)
        self.kind = np.zeros(0, dtype=np.int8)
        self.difficulty = np.zeros(0, dtype=np.float32)
        self.opened = np.zeros(0, dtype=np.int32)
        self.resolved = np.zeros(0, dtype=np.int32)  # day resolved, -1 open

    def add(self, area: np.ndarray, kind: np.ndarray, difficulty: np.ndarray, day: int) -> None:
        """Open new problems."""
        self.area = np.concatenate([self.area, area.astype(np.int32)])
        self.kind = np.concatenate([self.kind, kind.astype(np.int8)])
        self.difficulty = np.concatenate([self.difficulty, difficulty.astype(np.float32)])
        self.opened = np.concatenate([self.opened, np.full(len(area), day, np.int32)])
        self.resolved = np.concatenate([self.resolved, np.full(len(area), -1, np.int32)])

    def function_of(self, i: int) -> int:
        """Function index that addresses problem ``i``."""
        return FUNCTIONS.index(self.TYPES[int(self.kind[i])][1])

    @property
    def open_mask(self) -> np.ndarray:
        """Which problems are open."""
        return self.resolved < 0


class CoGovModel(mesa.Model):
    """The co-governance model of one place.

    Args:
        scenario: a validated scenario.
        seed: run seed; with the scenario it fixes every output.
        interventions: what-if policy objects (``cogov_sim.interventions``) scheduled on this model.

    """

    def __init__(self, scenario: Scenario, seed: int = 0, interventions: list[Any] | tuple = ()) -> None:
        if seed < 0:
            raise ValueError("seed must be >= 0")
        super().__init__(rng=seed)
        self.config = scenario
        self.seed = int(seed)
        self.version = __version__
        self.scale = 1.0 / scenario.population.sample_fraction
        self.layout = build_layout(scenario)
        pop_spec = scenario.population
        n_res = len(self.layout.homes)
        n_comm = round(pop_spec.commuters * pop_spec.sample_fraction)
        b = scenario.behaviour
        self.pop = make_population(
            stream(seed, "init.population"),
            n_res,
            n_comm,
            dict(pop_spec.segments),
            pop_spec.party_member_share,
            self.layout.homes,
            self.layout.area_of_home,
            self.layout.workplaces,
            self.layout.rider_points,
            b.threshold_mean,
            b.threshold_sd,
            b.propensity_shape,
        )
        self.n = self.pop.n
        self.n_residents = n_res
        self.centers: Centers = build_centers(scenario, self.layout)
        self.ties = TieStore(self.n + MAX_ORGS, b.tie_half_life_days)
        self.orgs: list[Organization] = []
        self.agreements: dict[tuple[int, int], int] = {}
        self.alliances: dict[str, set[int]] = {}
        self.problems = Problems()
        self.success_log: list[tuple[int, int]] = []  # (day, center) of successful joint actions
        self.last_incubation: dict[int, int] = {}  # center -> day it last incubated a social organization
        self.action_log: list[tuple[int, bool]] = []  # (day, success)
        self.intervention_log: list[tuple[int, str]] = []
        # recurring what-if programmes (alliances, joint meetings) that add activities in the supply phase
        self.programmes: list[Any] = []
        self.interventions = list(interventions)
        self.records: list[dict[str, float]] = []
        self.visits_by_center = np.zeros((len(self.centers), 5), dtype=np.int64)
        self.today = Today(day=0, weekend=False)
        self.coverage_cache: dict[bytes, float] = {}  # see indicators.coverage_15min
        self.phases: list[Phase] = [cls() for cls in PHASES]
        # stable seating position for encounters: regulars who come at the same time sit near the same people
        self.affinity = stream(seed, "init.affinity").random(self.n)

        self._init_organizations(stream(seed, "init.organizations"))
        self._init_awareness(stream(seed, "init.awareness"))
        self._init_neighbour_ties(stream(seed, "init.ties"))
        self.refresh_candidates()
        Resident.create_agents(self, self.n, list(range(self.n)))
        for iv in self.interventions:
            iv.bind(self).schedule(self)

    # ------------------------------------------------------------------ building
    def _new_org(self, cls: type[Organization], **kw: Any) -> Organization:
        node = self.n + len(self.orgs)
        org = cls(self, node, **kw)
        self.orgs.append(org)
        return org

    def _init_organizations(self, rng: np.random.Generator) -> None:
        sc = self.config
        c = self.centers
        nf = len(FUNCTIONS)
        areas = self.layout.area_centers
        street_c = np.flatnonzero(c.level == LEVELS.index("street"))
        any_center = len(c) > 0

        def center_near(xy: np.ndarray, levels: tuple[str, ...] | None = None) -> int:
            mask = c.active.copy()
            if levels is not None:
                mask &= np.isin(c.level, [LEVELS.index(lv) for lv in levels])
            if not mask.any():
                mask = c.active.copy()
            if not mask.any():
                return -1
            idx = np.flatnonzero(mask)
            d = np.hypot(c.x[idx] - xy[0], c.y[idx] - xy[1])
            return int(idx[np.argmin(d)])

        center0 = int(street_c[0]) if len(street_c) else (0 if any_center else -1)
        all_f = np.ones(nf, dtype=bool)
        self._new_org(PartyOrganization, center=center0, area=-1, capacity=6, motive=1.0, commitment=0.8,
                      specialties=all_f, label="street working committee", tier="street")  # fmt: skip
        for a in range(len(areas)):
            cc = center_near(areas[a], ("residential", "grid"))
            self._new_org(PartyOrganization, center=cc, area=a, capacity=3, motive=1.0, commitment=0.7,
                          specialties=all_f, label=f"residential branch {a + 1}", tier="branch")  # fmt: skip
        for w in range(len(self.layout.workplaces)):
            cc = center_near(self.layout.workplaces[w], ("building", "park", "grid"))
            self._new_org(PartyOrganization, center=cc, area=-1, capacity=2, motive=0.9, commitment=0.6,
                          specialties=all_f, label=f"workplace Party org {w + 1}", tier="workplace")  # fmt: skip
        org = sc.organizations
        dept_names = ("civil affairs", "human resources & social security", "justice", "health", "culture",
                      "market regulation", "housing", "education")  # fmt: skip
        dept_funcs = ("livelihood", "training", "deliberation", "livelihood", "culture_sports", "government_services",
                      "government_services", "training")  # fmt: skip
        for d in range(org.departments):
            sp = np.zeros(nf, dtype=bool)
            sp[[FUNCTIONS.index("government_services"), FUNCTIONS.index(dept_funcs[d % len(dept_funcs)])]] = True
            self._new_org(Department, center=center0, area=-1, capacity=3, motive=0.6, commitment=0.3,
                          specialties=sp, label=dept_names[d % len(dept_names)],
                          responsiveness=org.department_responsiveness)  # fmt: skip
        # enterprises: employees of office buildings are linked through `workplace`
        for e in range(org.enterprises):
            w = e % max(len(self.layout.workplaces), 1)
            xy = self.layout.workplaces[w] if len(self.layout.workplaces) else areas[e % len(areas)]
            sp = rng.random(nf) < 0.2
            self._new_org(Enterprise, center=center_near(xy), area=-1, capacity=1.0, motive=float(rng.beta(2, 4)),
                          commitment=float(rng.beta(2, 6)), specialties=sp, label=f"enterprise {e + 1}")  # fmt: skip
        for s in range(org.social_organizations):
            self._add_social_org(rng, center_near(areas[s % len(areas)]), s % len(areas), day=0)
        # employees' workplace index -> the enterprise node in that building (first enterprise there)
        ent = [o for o in self.orgs if isinstance(o, Enterprise)]
        wp_to_node = np.full(max(len(self.layout.workplaces), 1), -1, dtype=np.int64)
        for i, e in enumerate(ent[: len(self.layout.workplaces)]):
            wp_to_node[i] = e.node
        has = self.pop.workplace >= 0
        self.pop.workplace[has] = wp_to_node[self.pop.workplace[has]]

    def _add_social_org(self, rng: np.random.Generator, center: int, area: int, day: int,
                        specialty: int | None = None, maturity: float | None = None) -> SocialOrganization:  # fmt: skip
        nf = len(FUNCTIONS)
        sp = np.zeros(nf, dtype=bool)
        sp[specialty if specialty is not None else int(rng.integers(0, nf))] = True
        org = self._new_org(SocialOrganization, center=center, area=area, capacity=2.0,
                            motive=float(rng.beta(5, 2)), commitment=float(rng.beta(3, 4)), specialties=sp,
                            label=f"social organization {len(self.orgs) + 1}",
                            maturity=float(rng.beta(4, 4)) if maturity is None else maturity)  # fmt: skip
        org.founded = day
        return org  # type: ignore[return-value]

    def _init_awareness(self, rng: np.random.Generator) -> None:
        # about 70% do not know their residents' committee (Evidence §1.4): awareness is low at the start
        base = np.array([0.4, 0.45, 0.3, 0.45, 0.3, 0.3, 0.1])
        p = base[None, :] * np.ones((self.n, 1))
        p[self.pop.party] = np.minimum(1.0, p[self.pop.party] + 0.4)
        p[self.pop.segment == SEGMENTS.index("rider"), LEVELS.index("rider")] = 0.8
        p[self.pop.workplace >= 0, LEVELS.index("building")] = 0.6
        self.pop.awareness[:] = rng.random(p.shape) < p

    def _init_neighbour_ties(self, rng: np.random.Generator) -> None:
        # thin neighbourliness (Evidence §4.7): ~27% know no neighbour; ties mostly acquaintance level and
        # homophilous (INITIAL_SAME_SEGMENT of them within the person's own segment: people of one life stage)
        n = self.n_residents
        if n < 2:
            return
        k = rng.poisson(1.3, n)
        src = np.repeat(np.arange(n), k)
        same_seg = rng.random(len(src)) < INITIAL_SAME_SEGMENT
        dst = np.empty_like(src)
        for mask, key in ((same_seg, self.pop.area[:n] * 8 + self.pop.segment[:n]), (~same_seg, self.pop.area[:n])):
            order = np.argsort(key, kind="stable")
            pos = np.empty(n, dtype=np.int64)
            pos[order] = np.arange(n)
            shift = rng.integers(1, 40, int(mask.sum())) * rng.choice([-1, 1], int(mask.sum()))
            dst[mask] = order[np.clip(pos[src[mask]] + shift, 0, n - 1)]
        same = self.pop.area[dst] == self.pop.area[src]
        hours = rng.gamma(1.5, 8.0, len(src)).astype(np.float32)
        self.ties.add(src[same], dst[same], hours[same], day=0)

    def refresh_candidates(self) -> None:
        """Recompute each person's candidate centers and static choice weights (after centers change).

        For the home anchor (everyone) and the work anchor (office workers and riders), ``cand[anchor]`` holds
        the rows it applies to, the candidate center indices (-1 = none), the walking distances (m) and the
        static Huff weight (area^α · need match · exp(-decay · km)) of each candidate.
        """
        c, b = self.centers, self.config.behaviour
        self.coverage_cache.clear()
        active = np.flatnonzero(c.active)
        k = min(CANDIDATES, len(active))
        always = active[np.isin(c.level[active], [LEVELS.index("street"), LEVELS.index("district")])]
        works = (self.pop.work != self.pop.home).any(axis=1)
        self.cand: dict[str, Candidates] = {}
        for anchor, rows in (("home", np.arange(self.n)), ("work", np.flatnonzero(works))):
            pts = getattr(self.pop, anchor)[rows]
            if k == 0:
                idx = np.zeros((len(rows), 0), dtype=np.int64)
            else:
                _, near = cKDTree(c.xy[active]).query(pts, k=k)
                idx = active[np.asarray(near).reshape(len(rows), k)]
            idx = np.concatenate([idx, np.broadcast_to(always, (len(rows), len(always)))], axis=1)
            if idx.shape[1] > 1:
                # a street center already among the nearest appears twice: keep one
                idx = np.sort(idx, axis=1)
                dup = np.zeros(idx.shape, dtype=bool)
                dup[:, 1:] = idx[:, 1:] == idx[:, :-1]
                idx[dup] = -1
            safe = np.maximum(idx, 0)
            dist = np.hypot(c.x[safe] - pts[:, :1], c.y[safe] - pts[:, 1:2]) * b.detour_factor
            dist[idx < 0] = np.inf
            need = self.pop.need[rows].astype(np.int64)[:, None]
            weight = (
                (c.area_m2[safe] / 100.0) ** b.area_exponent
                * (1 + b.need_match_weight * c.functions[safe, need])
                * np.exp(-b.decay_per_km * dist / 1000.0)
            )
            weight[idx < 0] = 0.0
            self.cand[anchor] = Candidates(
                rows,
                idx,
                safe.astype(np.intp),
                dist.astype(np.float32),
                weight.astype(np.float32),
                c.level[safe].astype(np.intp),
            )
        # nearest active center per home (for coverage and catchments); inf with no centers
        if len(active):
            d, near = cKDTree(c.xy[active]).query(self.pop.home, k=1)
            self.nearest_center = active[near]
            self.nearest_dist = d * self.config.behaviour.detour_factor
        else:
            self.nearest_center = np.full(self.n, -1)
            self.nearest_dist = np.full(self.n, np.inf)
        # catchments: people grouped by the center nearest their home (or workplace for workers) and by area
        anchor_center = self.nearest_center.copy()
        works = (self.pop.work != self.pop.home).any(axis=1) & (self.pop.workplace >= 0)
        if len(active) and works.any():
            anchor_center[works] = active[cKDTree(c.xy[active]).query(self.pop.work[works], k=1)[1]]
        self._by_center = _Groups(anchor_center)
        self._by_area = _Groups(self.pop.area)
        if self.visits_by_center.shape[0] < len(c):
            pad = np.zeros((len(c) - self.visits_by_center.shape[0], self.visits_by_center.shape[1]), np.int64)
            self.visits_by_center = np.vstack([self.visits_by_center, pad])

    def catchment(self, center: int, area: int) -> np.ndarray:
        """People a convener at ``center`` serving residential ``area`` reaches (either may be -1)."""
        parts = [self._by_center.members(center)] if center >= 0 else []
        if area >= 0:
            parts.append(self._by_area.members(area))
        elif center >= 0:
            parts.append(self._by_area.members(int(self.centers.area_index[center])))
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)

    # ------------------------------------------------------------------ running
    @property
    def day(self) -> int:
        """The current day (0 before the first step)."""
        return round(self.time)

    def step(self) -> None:
        """Advance one day: run every phase in order with its own random stream."""
        day = self.day
        self.today = Today(day=day, weekend=(day % 7) in (6, 0))
        for phase in self.phases:
            phase.run(self, stream(self.seed, phase.name, day))

    def org_kind_index(self) -> np.ndarray:
        """Actor-type index (into ORG_TYPES) of every organization, in node order."""
        return np.array([ORG_TYPES.index(o.kind) for o in self.orgs], dtype=np.int8)

    def active_orgs(self, kind: str | None = None) -> list[Organization]:
        """Active organizations, optionally of one type."""
        return [o for o in self.orgs if o.active and (kind is None or o.kind == kind)]

    def add_social_org(self, center: int, area: int, specialty: int | None = None,
                       maturity: float | None = None) -> SocialOrganization:  # fmt: skip
        """Found a new social organization (incubation); returns it."""
        rng = stream(self.seed, f"incubate.{len(self.orgs)}", self.day)
        return self._add_social_org(rng, center, area, self.day, specialty, maturity)

    def add_centers(self, table: Centers) -> np.ndarray:
        """Open new centers; returns their indices."""
        start = len(self.centers)
        self.centers = self.centers.append(table)
        self.refresh_candidates()
        return np.arange(start, len(self.centers))

    def apply_now(self, intervention: Any) -> None:
        """Apply an intervention to the running model at once (the browser app's what-if panel)."""
        self.interventions.append(intervention.bind(self))
        intervention.apply(self)
        self.intervention_log.append((self.day, f"applied now: {intervention.kind}"))

    def meta(self) -> dict[str, Any]:
        """What every output records: seed, scenario hash and package version."""
        return {
            "scenario": self.config.name,
            "scenario_hash": self.config.hash(),
            "seed": self.seed,
            "version": self.version,
            "mesa_version": mesa.__version__,
        }
