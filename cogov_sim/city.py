"""Build the place from a scenario: residential areas, homes, workplaces, centers, walking distances.

The layout draws from streams seeded by ``area.layout_seed`` (one stream per element), so replications of a
scenario share one place, and adding stations of one level does not move homes or the other levels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

from cogov_sim.rng import stream
from cogov_sim.scenario import DAY_KINDS, FUNCTIONS, LEVELS, SLOTS, CenterLevel, Scenario


@dataclass
class Layout:
    """Fixed geography of a place."""

    width: float
    height: float
    area_centers: np.ndarray  # (A, 2) residential-area centroids, m
    area_radius: float  # m
    homes: np.ndarray  # (n_res, 2)
    area_of_home: np.ndarray  # (n_res,)
    workplaces: np.ndarray  # (W, 2) office buildings then parks
    workplace_kind: np.ndarray  # (W,) 0 building, 1 park
    rider_points: np.ndarray  # (R, 2) points on frontage riders pass
    road_spacing: float
    street_of_area: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    """(A,) the street each residential area belongs to (all 0 in a one-street scenario)."""
    street_of_workplace: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    """(W,) the street each workplace belongs to."""
    street_of_rider_point: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    """(R,) the street each rider route point belongs to."""

    def __post_init__(self) -> None:
        for name, rows in (("street_of_area", self.area_centers), ("street_of_workplace", self.workplaces),
                           ("street_of_rider_point", self.rider_points)):  # fmt: skip
            if len(getattr(self, name)) != len(rows):
                setattr(self, name, np.zeros(len(rows), np.int32))


@dataclass
class Centers:
    """The center network as columns (one row per center, closed centers stay with ``active`` False)."""

    x: np.ndarray
    y: np.ndarray
    level: np.ndarray  # int8 index into LEVELS
    area_m2: np.ndarray
    functions: np.ndarray  # bool (C, F)
    mixed: np.ndarray  # bool
    open: np.ndarray  # bool (C, day kinds, slots)
    visibility: np.ndarray
    area_index: np.ndarray  # residential area it sits in (nearest centroid)
    active: np.ndarray  # bool
    quality: np.ndarray  # float, service quality adjusted by feedback (starts at 1)
    street: np.ndarray  # int32 street it belongs to (its residential area's; a district center, its district's)

    def __len__(self) -> int:
        return len(self.x)

    @property
    def xy(self) -> np.ndarray:
        """Positions (C, 2), m."""
        return np.column_stack([self.x, self.y])

    def append(self, other: Centers) -> Centers:
        """A new table with ``other``'s rows after these."""
        return Centers.joined([self, other])

    @staticmethod
    def joined(tables: list[Centers]) -> Centers:
        """One table of the rows of ``tables`` in turn."""
        return Centers(**{k: np.concatenate([getattr(t, k) for t in tables]) for k in Centers.__dataclass_fields__})


def grid_points(rng: np.random.Generator, n: int, w: float, h: float, jitter: float) -> np.ndarray:
    """``n`` points spread evenly over a w × h rectangle (jittered grid)."""
    if n <= 0:
        return np.zeros((0, 2))
    cols = max(1, round(np.sqrt(n * w / h)))
    rows = int(np.ceil(n / cols))
    xs = (np.arange(cols) + 0.5) * w / cols
    ys = (np.arange(rows) + 0.5) * h / rows
    pts = np.array([(x, y) for y in ys for x in xs])[:n]
    pts += rng.normal(0, jitter, pts.shape) * np.array([w / cols, h / rows])
    return np.clip(pts, 0, [w, h])


def snap_to_road(pts: np.ndarray, spacing: float, w: float, h: float) -> np.ndarray:
    """Move each point onto the nearest road of the grid (street frontage)."""
    out = pts.copy()
    rx = np.round(pts[:, 0] / spacing) * spacing
    ry = np.round(pts[:, 1] / spacing) * spacing
    use_x = np.abs(pts[:, 0] - rx) < np.abs(pts[:, 1] - ry)
    out[use_x, 0] = rx[use_x]
    out[~use_x, 1] = ry[~use_x]
    return np.clip(out, 0, [w, h])


def build_layout(sc: Scenario) -> Layout:
    """Residential areas, homes, workplaces and rider routes of a scenario."""
    seed = sc.area.layout_seed
    w, h = sc.area.width_m, sc.area.height_m
    pop = sc.population
    n_areas = pop.residential_areas
    area_centers = grid_points(stream(seed, "layout.areas"), n_areas, w, h, 0.12)
    area_radius = 0.5 * np.sqrt(w * h / n_areas)
    n_res = round(pop.residents * pop.sample_fraction)
    rng = stream(seed, "layout.homes")
    area_of_home = rng.integers(0, n_areas, size=n_res).astype(np.int16)
    offsets = rng.normal(0, area_radius * 0.5, (n_res, 2))
    homes = np.clip(area_centers[area_of_home] + offsets, 0, [w, h]).astype(np.float32)
    # nearest centroid decides the area a home belongs to (Voronoi areas)
    if n_res:
        area_of_home = cKDTree(area_centers).query(homes)[1].astype(np.int16)
    z = sc.zones
    rng = stream(seed, "layout.work")
    cx, cy = z.business_district[0] * w, z.business_district[1] * h
    spread = 0.12 * min(w, h)
    bld = np.column_stack([rng.normal(cx, spread, z.office_buildings), rng.normal(cy, spread, z.office_buildings)])
    parks = np.column_stack([rng.uniform(0.05, 0.95, z.business_parks) * w, np.full(z.business_parks, 0.06 * h)])
    workplaces = np.clip(np.vstack([bld.reshape(-1, 2), parks.reshape(-1, 2)]), 0, [w, h]).astype(np.float32)
    kind = np.concatenate([np.zeros(z.office_buildings, np.int8), np.ones(z.business_parks, np.int8)])
    rider_points = snap_to_road(
        rng.uniform([0, 0], [w, h], (max(z.shops, 20), 2)), sc.area.road_spacing_m, w, h
    ).astype(np.float32)
    return Layout(
        w,
        h,
        area_centers,
        float(area_radius),
        homes,
        area_of_home,
        workplaces,
        kind,
        rider_points,
        sc.area.road_spacing_m,
    )


def place_centers(rng: np.random.Generator, spec: CenterLevel, count: int, layout: Layout, level: str) -> np.ndarray:
    """Positions of ``count`` centers of one level by its placement rule."""
    w, h = layout.width, layout.height
    if spec.placement == "explicit":
        return np.array([(s.x_m, s.y_m) for s in spec.sites], dtype=float).reshape(-1, 2)
    if count == 0:
        return np.zeros((0, 2))
    if spec.placement == "even":
        return grid_points(rng, count, w, h, 0.1)
    if spec.placement == "random":
        return rng.uniform([0, 0], [w, h], (count, 2))
    if spec.placement == "workplaces":
        pts = layout.workplaces if len(layout.workplaces) else layout.area_centers
        return pts[np.arange(count) % len(pts)] + rng.normal(0, 15, (count, 2))
    if spec.placement == "residential_areas":
        a = np.arange(count) % len(layout.area_centers)
        jitter = layout.area_radius * (0.55 if count > len(layout.area_centers) else 0.15)
        return np.clip(layout.area_centers[a] + rng.normal(0, jitter, (count, 2)), 0, [w, h])
    # frontage: next to residential areas, on the street; the street level sits at the middle of the place
    if level in ("street", "district") and count == 1:
        base = np.array([[w / 2, h / 2]])
    elif count <= len(layout.area_centers):
        # spread over the areas: pick area centroids far apart from each other
        idx = np.linspace(0, len(layout.area_centers) - 1, count).round().astype(int)
        base = layout.area_centers[idx]
    else:
        a = np.arange(count) % len(layout.area_centers)
        base = layout.area_centers[a] + rng.normal(0, layout.area_radius * 0.6, (count, 2))
    pts = base + rng.normal(0, layout.road_spacing * 0.3, base.shape)
    return snap_to_road(np.clip(pts, 0, [w, h]), layout.road_spacing, w, h)


def make_centers(
    positions: np.ndarray,
    level: str,
    spec: CenterLevel,
    rng: np.random.Generator,
    layout: Layout,
) -> Centers:
    """Rows for centers of one level at the given positions."""
    n = len(positions)
    fn = np.zeros((n, len(FUNCTIONS)), dtype=bool)
    fn[:, [FUNCTIONS.index(f) for f in spec.functions]] = True
    opened = np.zeros((n, 2, len(SLOTS)), dtype=bool)
    for d in spec.open_days:
        for s in spec.open_slots:
            opened[:, DAY_KINDS.index(d), SLOTS.index(s)] = True
    lo, hi = spec.area_m2
    area_idx = cKDTree(layout.area_centers).query(positions)[1] if n and len(layout.area_centers) else np.zeros(n, int)
    return Centers(
        x=positions[:, 0].astype(float),
        y=positions[:, 1].astype(float),
        level=np.full(n, LEVELS.index(level), dtype=np.int8),
        area_m2=rng.uniform(lo, hi, n) if hi > lo else np.full(n, lo),
        functions=fn,
        mixed=np.full(n, spec.mixed_zones),
        open=opened,
        visibility=np.full(n, spec.visibility),
        area_index=np.asarray(area_idx, dtype=np.int32),
        active=np.ones(n, dtype=bool),
        quality=np.ones(n),
        street=layout.street_of_area[area_idx] if n and len(layout.street_of_area) else np.zeros(n, np.int32),
    )


def empty_centers() -> Centers:
    """A table with no centers."""
    return make_centers(np.zeros((0, 2)), "street", CenterLevel(), np.random.default_rng(0), _EMPTY)


_EMPTY = Layout(1, 1, np.zeros((1, 2)), 1.0, np.zeros((0, 2)), np.zeros(0, np.int16), np.zeros((0, 2)),
                np.zeros(0, np.int8), np.zeros((0, 2)), 1.0)  # fmt: skip


def build_centers(sc: Scenario, layout: Layout) -> Centers:
    """All centers of the scenario, level by level."""
    table = empty_centers()
    for level in LEVELS:
        spec = sc.centers.get(level)  # type: ignore[call-overload]
        if spec is None:
            continue
        rng = stream(sc.area.layout_seed, f"layout.centers.{level}")
        pos = place_centers(rng, spec, sc.center_count(level), layout, level)
        table = table.append(make_centers(pos, level, spec, rng, layout))
    return table
