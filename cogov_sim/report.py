"""Output files and plots of a run: the dashboard of the three spaces, the map of the place, the network.

Uses matplotlib's object API with the Agg backend (no display needed); the model never imports this module. Every
figure and ``report.md`` take a language (``lang``, ``en`` or ``zh``): their words come from :mod:`cogov_sim.i18n`,
the CSV and JSON files keep the model's names.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from cogov_sim.city_map import CITY_MAP_INDICATORS, city_map_figure
from cogov_sim.i18n import label, text
from cogov_sim.plotting import Figure
from cogov_sim.run_report import run_markdown
from cogov_sim.scenario import LEVELS, Scenario
from cogov_sim.world.organizations import ORG_TYPES

if TYPE_CHECKING:
    from cogov_sim.simulation import RunResult
    from cogov_sim.world import World

LEVEL_COLORS = {
    "district": "#7f0000",
    "street": "#d62728",
    "grid": "#ff7f0e",
    "residential": "#2ca02c",
    "building": "#1f77b4",
    "park": "#17becf",
    "rider": "#9467bd",
}
MAX_DRAWN_AREAS = 200
"""Residential areas are drawn and labelled on maps of at most this many (a city's map shows its centers only)."""
MARKER_COLOR = "#e6007e"
"""Colour of what-if markers (chart lines at the day applied, rings around stations opened by a what-if)."""
ORG_COLORS = {"party": "#d62728", "department": "#1f77b4", "enterprise": "#ff7f0e", "social_org": "#2ca02c"}

DASHBOARD_PANELS: tuple[tuple[str, tuple[tuple[str, str | None], ...]], ...] = (
    ("dash.physical", (("visits_per_capita", None), ("gci_presence", "dash.visited_30d"), ("coverage_15min", None))),
    ("dash.social", (("joint_action_success_rate", None), ("problems_resolved_share", None),
                     ("bridging_tie_share", None))),
    ("dash.spiritual", (("trust_mean", None), ("service_consciousness_mean", None), ("cogov_consciousness_mean", None),
                        ("identification_mean", None), ("volunteer_share", None))),
    ("dash.gci", (("gci", None), ("gci_presence", None), ("gci_linkage", None), ("gci_action", None),
                  ("gci_consciousness", None))),
)  # fmt: skip
"""The dashboard's panels: title key and ``(indicator, legend text key)``; None: the indicator's own label."""


def write_run(result: RunResult, scenario: Scenario, out: Path, plots: bool = True, lang: str = "en") -> None:
    """Write ``timeseries.csv``, ``summary.json``, ``scenario.resolved.yaml``, the tables, ``plots/``, ``report.md``.

    ``lang`` (``en`` or ``zh``) is the language of the plots and of ``report.md``; the data files do not change.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    result.timeseries.to_csv(out / "timeseries.csv", index=False, float_format="%.6g")
    summary: dict[str, Any] = {**result.meta, "final": result.final}
    if "per_level" in result.tables:
        summary["visits_per_center_per_day"] = {
            r["level"]: round(float(r["visits_per_day"]), 2) for r in result.tables["per_level"].to_dict("records")
        }
    (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    header = f"# resolved scenario; scenario_hash {scenario.hash()}\n"
    (out / "scenario.resolved.yaml").write_text(
        header + yaml.safe_dump(scenario.to_dict(), sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    tables = out / "tables"
    tables.mkdir(exist_ok=True)
    for name, df in result.tables.items():
        df.to_csv(tables / f"{name}.csv", index=False, float_format="%.6g")
    drawn: list[str] = []
    if plots:
        pdir = out / "plots"
        pdir.mkdir(exist_ok=True)
        title = text("dash.title", lang, name=scenario.name, seed=result.meta["seed"])
        dashboard(result.timeseries, title, lang=lang).savefig(pdir / "dashboard.png", dpi=110)
        drawn.append("plots/dashboard.png")
        if "per_street" in result.tables:
            for indicator in CITY_MAP_INDICATORS:
                name = f"plots/city_map_{indicator}.png"
                city_map_figure(result.tables["per_street"], indicator, scenario.name, result.meta["days"],
                                lang).savefig(out / name, dpi=110)  # fmt: skip
                drawn.append(name)
        if result.model is not None:
            map_figure(result.model.world, lang=lang).savefig(pdir / "map.png", dpi=110)
            network_figure(result.model.world, lang=lang).savefig(pdir / "network.png", dpi=110)
            drawn += ["plots/map.png", "plots/network.png"]
    report = run_markdown(scenario, result.meta, result.final, drawn, lang)
    (out / "report.md").write_text(report, encoding="utf-8")


def dashboard(
    ts,
    title: str = "",
    fig: Figure | None = None,
    markers: Sequence[tuple[float, str]] = (),
    lang: str = "en",
) -> Figure:
    """Four panels over time: the physical, social and spiritual spaces and the gci with its components.

    Args:
        ts: daily indicators (a ``timeseries.csv`` table) with a ``day`` column.
        title: figure title.
        fig: draw into this (empty) figure instead of a new one; its layout engine is left as it is.
        markers: ``(day, label)`` pairs drawn as dashed vertical lines on every panel (what-ifs applied).
        lang: language of the titles, axis labels and legends (``en`` or ``zh``).

    Each indicator line carries its column name as gid, so a caller can update the data of a drawn figure.
    """
    if fig is None:
        fig = Figure(figsize=(13, 8.5), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    for ax, (panel, series) in zip(axes, DASHBOARD_PANELS, strict=True):
        for col, key in series:
            if col in ts:
                lw = 2.5 if col == "gci" else 1.4
                name = text(key, lang) if key else label(col, lang)
                ax.plot(ts["day"], ts[col], label=name, lw=lw, gid=col)
        for k, (day, mark) in enumerate(markers):
            ax.axvline(day, color=MARKER_COLOR, ls="--", lw=1.3, gid="marker", label=mark if k == 0 else None)
        ax.set_title(text(panel, lang), loc="left", fontsize=11)
        ax.set_xlabel(text("dash.day", lang))
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8, loc="best")
    # joint actions per day as bars behind the social panel
    if "joint_actions" in ts:
        twin = axes[1].twinx()
        twin.bar(ts["day"], ts["joint_actions"], color="grey", alpha=0.25, width=1.0)
        twin.set_ylabel(text("dash.joint_per_day", lang), color="grey")
    fig.suptitle(title or text("dash.untitled", lang), fontsize=13)
    return fig


def center_groups(world: World) -> list[tuple[str, np.ndarray]]:
    """Active centers by level, in LEVELS order: ``(level name, center indices)`` for levels that have any."""
    c = world.centers
    out = []
    for lv, name in enumerate(LEVELS):
        idx = np.flatnonzero((c.level == lv) & c.active)
        if len(idx):
            out.append((name, idx))
    return out


def center_sizes(visits: np.ndarray, top: float) -> np.ndarray:
    """Marker areas (pt²) of centers with ``visits``, scaled so that ``top`` visits gives the largest marker."""
    return 20 + 400 * np.sqrt(np.asarray(visits, dtype=float) / max(top, 1))


def resident_sample(world: World, sample: int) -> np.ndarray:
    """A fixed random sample of at most ``sample`` people (the same on every call for the same world size)."""
    n = min(sample, world.pop.n)
    return np.random.default_rng(0).choice(world.pop.n, size=n, replace=False) if n else np.zeros(0, int)


def catchment_image(world: World, cells: int = 160) -> np.ndarray:
    """RGBA raster of the area each active center draws from (its catchment: homes nearest to it).

    The world groups people by the active center nearest their home (``world.reach.nearest_center``); this is the
    same rule on a grid of ``cells`` columns: each cell is tinted with the level colour of its nearest center
    and the borders between catchments are drawn grey. Row 0 is the southern edge (``origin="lower"``).
    """
    from matplotlib.colors import to_rgb
    from scipy.spatial import cKDTree

    lay, c = world.layout, world.centers
    cols = max(int(cells), 2)
    rows = max(round(cols * lay.height / lay.width), 2)
    img = np.zeros((rows, cols, 4))
    active = np.flatnonzero(c.active)
    if not len(active):
        return img
    gx = (np.arange(cols) + 0.5) * lay.width / cols
    gy = (np.arange(rows) + 0.5) * lay.height / rows
    xx, yy = np.meshgrid(gx, gy)
    near = cKDTree(c.xy[active]).query(np.column_stack([xx.ravel(), yy.ravel()]))[1].reshape(rows, cols)
    palette = np.array([to_rgb(LEVEL_COLORS[name]) for name in LEVELS])
    img[..., :3] = palette[c.level[active][near]]
    img[..., 3] = 0.10
    edge = np.zeros((rows, cols), dtype=bool)
    edge[:, 1:] |= near[:, 1:] != near[:, :-1]
    edge[1:, :] |= near[1:, :] != near[:-1, :]
    img[edge] = (0.35, 0.35, 0.35, 0.55)
    return img


def map_figure(
    world: World,
    sample: int = 4000,
    ax=None,
    visits: np.ndarray | None = None,
    catchments: bool = False,
    lang: str = "en",
) -> Figure:
    """The place: residential areas, business zone, centers by level sized by visits, residents by identification.

    Args:
        world: the world to draw.
        sample: how many residents to draw (a fixed random sample, see :func:`resident_sample`).
        ax: draw into these axes instead of a new figure (then no colour bar is added).
        visits: visits per center to size the centers by; default the mean visits per day so far.
        catchments: also shade the area each center draws from (:func:`catchment_image`).
        lang: language of the title, labels and legend (``en`` or ``zh``).

    Artists carry gids (``residents``, ``centers.<level>``) so a caller can update a drawn map.
    """
    fig = None
    if ax is None:
        fig = Figure(figsize=(9, 7.5), layout="constrained")
        ax = fig.subplots()
    lay, pop, c = world.layout, world.pop, world.centers
    idx = resident_sample(world, sample)
    sc = ax.scatter(pop.home[idx, 0], pop.home[idx, 1], c=pop.identification[idx], cmap="viridis", s=3,
                    vmin=0, vmax=1, alpha=0.6, zorder=1, gid="residents")  # fmt: skip
    if catchments:
        ax.imshow(catchment_image(world), extent=(0, lay.width, 0, lay.height), origin="lower",
                  interpolation="nearest", zorder=-1, aspect="auto")  # fmt: skip
    for k, (x, y) in enumerate(lay.area_centers if len(lay.area_centers) <= MAX_DRAWN_AREAS else []):
        ax.add_patch(_circle(x, y, lay.area_radius, "#bbbbbb"))
        ax.text(x, y, text("map.area", lang, k=k + 1), fontsize=7, color="#555555", ha="center", va="center", zorder=2)
    if len(lay.workplaces):
        ax.scatter(lay.workplaces[:, 0], lay.workplaces[:, 1], marker="s", s=60, c="#444444",
                   label=text("map.workplaces", lang), zorder=3)  # fmt: skip
    if visits is None:
        visits = world.visits_by_center[: len(c)].sum(axis=1) * world.scale / max(world.day, 1)
    top = float(np.max(visits)) if len(visits) else 0.0
    for name, m in center_groups(world):
        ax.scatter(c.x[m], c.y[m], s=center_sizes(visits[m], top), c=LEVEL_COLORS[name], edgecolors="black",
                   linewidths=0.6, label=f"{label(name, lang, 'level', both=True)} ({len(m)})", zorder=4,
                   alpha=0.85, gid=f"centers.{name}")  # fmt: skip
    ax.set_xlim(0, lay.width)
    ax.set_ylim(0, lay.height)
    ax.set_aspect("equal")
    ax.set_xlabel(text("map.metres", lang))
    ax.set_title(text("map.title", lang, name=world.scenario.name))
    ax.legend(fontsize=8, loc="upper left", markerscale=0.6)
    if fig is not None:
        fig.colorbar(sc, ax=ax, label=text("map.identification", lang), shrink=0.7)
        return fig
    return ax.figure


def _circle(x: float, y: float, r: float, color: str):
    from matplotlib.patches import Circle

    return Circle((x, y), r, facecolor=color, alpha=0.12, edgecolor=color, zorder=0)


def org_graph(world: World):
    """The organization network as a networkx graph: nodes by type, edges with hours and agreement flags."""
    import networkx as nx

    g = nx.Graph()
    for o in world.orgs:
        if o.active:
            g.add_node(o.node, kind=o.kind, label=o.label)
    i, j, h = world.ties.above(world.day, world.scenario.behaviour.acquaintance_hours)
    orgs = (i >= world.n) & (j >= world.n)  # organization nodes follow the people
    i, j, h = i[orgs], j[orgs], h[orgs]
    for a, b, w in zip(i.tolist(), j.tolist(), h.tolist(), strict=True):
        if a in g and b in g:
            g.add_edge(a, b, hours=w, agreement=(min(a, b), max(a, b)) in world.agreements)
    for a, b in world.agreements:
        if a in g and b in g and not g.has_edge(a, b):
            g.add_edge(a, b, hours=0.0, agreement=True)
    return g


MAX_DRAWN = 400
"""Organizations drawn at most in the network plot: the best connected (the layout's cost grows as its square)."""


def drawn_graph(g):
    """The part of the organization network that is drawn: organizations with ties, at most ``MAX_DRAWN``.

    The best connected come first (degree, then tie hours, then node), so a city of thousands of enterprises
    draws in about a second and shows who is linked with whom.
    """
    tied = [n for n in g.nodes if g.degree(n) > 0]
    if len(tied) > MAX_DRAWN:
        hours = dict(g.degree(tied, weight="hours"))
        tied = sorted(tied, key=lambda n: (-g.degree(n), -hours[n], n))[:MAX_DRAWN]
    return g.subgraph(tied)


def network_layout(g, pos: dict | None = None, iterations: int = 50) -> dict:
    """Spring layout of the drawn part of the network (:func:`drawn_graph`); ``pos`` warm-starts it."""
    import networkx as nx

    shown = drawn_graph(g)
    k = 1.5 / max(np.sqrt(max(len(shown), 1)), 1)
    if pos is not None:
        pos = {n: p for n, p in pos.items() if n in shown} or None
    return nx.spring_layout(shown, seed=1, k=k, pos=pos, iterations=iterations)


PAIR_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")
"""Edge colors of the six cross-type organization pairs; ties within one type are grey."""


def type_pair(a: str, b: str, lang: str = "en") -> str:
    """The label of an organization type pair, in ``ORG_TYPES`` order (e.g. ``party–enterprise``, ``党组织–企业``)."""
    x, y = sorted((a, b), key=ORG_TYPES.index)
    if lang == "en":
        return f"{x}–{y}"
    return f"{label(x, lang, 'actor')}–{label(y, lang, 'actor')}"


def network_figure(world: World, ax=None, pos: dict | None = None, lang: str = "en") -> Figure:
    """Organizations by type, ties colored by type pair (width by hours), agreements bold red.

    Alliance members are ringed. Organizations without any tie, and past ``MAX_DRAWN`` the less connected, are left
    out and counted in the title.

    Args:
        world: the world to draw.
        ax: draw into these axes instead of a new figure.
        pos: node positions of the drawn organizations (:func:`network_layout`); default a fresh layout.
        lang: language of the title and legend (``en`` or ``zh``).

    Nodes carry their organization type as gid (``org.<type>``), so a caller can restyle the legend's keys.
    """
    import networkx as nx

    fig = None
    if ax is None:
        fig = Figure(figsize=(9, 7.5), layout="constrained")
        ax = fig.subplots()
    g = org_graph(world)
    if pos is None:
        pos = network_layout(g)
    alone = sum(1 for n in g.nodes if g.degree(n) == 0)
    shown = drawn_graph(g)
    cut = len(g) - alone - len(shown)
    edges = list(shown.edges(data=True))
    kinds = nx.get_node_attributes(g, "kind")
    same = text("net.same_type", lang)
    cross = [type_pair(x, y, lang) for k, x in enumerate(ORG_TYPES) for y in ORG_TYPES[k + 1 :]]
    if edges:
        w = np.array([d["hours"] for _, _, d in edges])
        width = 0.3 + 3 * np.sqrt(w / max(w.max(), 1e-9))
        pairs = [type_pair(kinds[a], kinds[b], lang) if kinds[a] != kinds[b] else same for a, b, _ in edges]
        for pair in [same, *cross]:
            sel = [k for k, p in enumerate(pairs) if p == pair]
            if not sel:
                continue
            color = "#999999" if pair == same else PAIR_COLORS[cross.index(pair) % len(PAIR_COLORS)]
            nx.draw_networkx_edges(shown, pos, ax=ax, edgelist=[edges[k][:2] for k in sel], width=width[sel],
                                   alpha=0.6, edge_color=color, label=f"{pair} ({len(sel)})")  # fmt: skip
        agreed = [(a, b) for a, b, d in edges if d["agreement"]]
        if agreed:
            nx.draw_networkx_edges(shown, pos, ax=ax, edgelist=agreed, width=2.5, edge_color="#d62728",
                                   label=text("net.agreement", lang))  # fmt: skip
    allied = set().union(*world.alliances.values()) if world.alliances else set()
    for kind, color in ORG_COLORS.items():
        nodes = [n for n, d in shown.nodes(data=True) if d["kind"] == kind]
        if nodes:
            drawn = nx.draw_networkx_nodes(shown, pos, nodelist=nodes, node_color=color, node_size=60, ax=ax,
                                           label=label(kind, lang, "actor", both=True),
                                           edgecolors=["black" if n in allied else "none" for n in nodes],
                                           linewidths=2.0)  # fmt: skip
            drawn.set_gid(f"org.{kind}")
    hidden = text("net.alone", lang, alone=alone) + (text("net.cut", lang, cut=cut) if cut else "")
    ax.set_title(text("net.title", lang, day=world.day, agreements=len(world.agreements), hidden=hidden))
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="upper left")
    ax.set_axis_off()
    return fig if fig is not None else ax.figure
