"""The map of differences: the place with each residential area coloured by a policy's effect on one indicator.

:func:`difference_map` draws the place with the run map's own drawing (:func:`cogov_sim.report.map_figure`: the
residential areas, offices and parks, the centers by level) and fills each area with its relative change under
the policy (``diff / baseline_mean`` of ``effects_by_area.csv``, in %) on a diverging colour map centred on 0.
The band ± the MID (as a relative change) is one neutral grey, so a colour means a change larger than the MID;
areas whose change is *up* or *down* (the interval excludes 0 and the change exceeds the MID) are outlined,
*unclear* ones hatched. Centers the policy opens are ringed. :func:`map_world` builds the place a map is drawn on.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import ListedColormap, Normalize, to_rgba
from matplotlib.patches import Circle, Patch, Rectangle

from cogov_sim.experiments.store import atomic_write, write_csv
from cogov_sim.experiments.whatif import Policy, WhatIf
from cogov_sim.experiments.whatif_areas import unit_effects, unit_indicator
from cogov_sim.i18n import text
from cogov_sim.model import CoGovModel
from cogov_sim.plotting import Figure
from cogov_sim.report import MARKER_COLOR, map_figure
from cogov_sim.scenario import scenario_from_dict
from cogov_sim.world import World, build_world

CMAP = "PuOr"
"""The diverging colour map (purple for a rise, orange for a fall; readable with the common colour deficiencies)."""

NEUTRAL = "#e6e6e6"
"""Colour of the band ± the MID: no material change."""

LEVELS = 256
"""Colours in the map's colour table."""

MIN_SPAN_PCT = 1.0
"""The colour scale reaches at least ± this many percent, so that tiny changes do not fill the scale."""


def neutral_cmap(band: float, span: float) -> ListedColormap:
    """The diverging map on [-span, span] with the values within ± ``band`` in :data:`NEUTRAL`."""
    base = colormaps[CMAP].resampled(LEVELS)
    colors = base(np.linspace(0, 1, LEVELS))
    centres = np.linspace(-span, span, LEVELS)
    colors[np.abs(centres) <= band] = to_rgba(NEUTRAL)
    return ListedColormap(colors)


def map_world(wf: WhatIf, policy: Policy | None = None) -> tuple[World, np.ndarray]:
    """The place of the experiment on day 0 and the centers ``policy`` opens (indices into its center table).

    The interventions that open centers (``add_centers``, ``rider_stations``) are applied at once on a model of
    replication 0, so their centers stand where that replication's would first open; nothing else is applied.
    """
    scenario = scenario_from_dict(dict(wf.base_data))
    opening = [iv for iv in (policy.interventions if policy is not None else ()) if iv.adds_level() is not None]
    if not opening:
        world = build_world(scenario, wf.seed(0))
        return world, np.zeros(0, dtype=np.int64)
    model = CoGovModel(scenario, seed=wf.seed(0))
    before = len(model.world.centers)
    for iv in opening:
        model.apply_now(type(iv).model_validate(iv.model_dump()))
    return model.world, np.arange(before, len(model.world.centers))


def difference_map(
    world: World,
    area_effects: pd.DataFrame,
    policy: str,
    indicator: str,
    window: str,
    window_label: str,
    added: np.ndarray | None = None,
    lang: str = "en",
) -> Figure:
    """The map of one policy's effect on ``indicator`` in ``window``, area by area (street by street in a city).

    Args:
        world: the place (:func:`map_world`).
        area_effects: rows of ``effects_by_area.csv`` (``effects_by_street.csv`` for a city; any rows, those of
            ``policy``, ``indicator`` and ``window`` are drawn).
        policy: the policy.
        indicator: a per-area indicator (``visits_per_capita``, ``trust_mean`` …).
        window: the effect window (``after_start``).
        window_label: the window as a reader names it (``over days 30-240``).
        added: centers the policy opens (ringed).
        lang: ``en`` or ``zh``.
    """
    e = area_effects
    unit = "street" if world.places.plans else "area"
    rows = e[(e["policy"] == policy) & (e["indicator"] == indicator) & (e["window"] == window) & (e[unit] >= 0)]
    by_area = rows.set_index(unit)
    fig = Figure(figsize=(9.5, 7.5), layout="constrained")
    ax = fig.subplots()
    c = world.centers
    map_figure(world, sample=0, ax=ax, visits=np.zeros(len(c)), lang=lang)
    rel = 100 * by_area["rel_change"].astype(float)
    bands = 100 * by_area["mid"].astype(float) / by_area["baseline_mean"].astype(float).abs()
    band = float(np.nanmedian(bands)) if np.isfinite(bands).any() else 0.0
    span = max(float(np.nanmax(np.abs(rel))) if np.isfinite(rel).any() else 0.0, 2 * band, MIN_SPAN_PCT)
    cmap, norm = neutral_cmap(band, span), Normalize(-span, span)
    lay, p = world.layout, world.places
    if p.plans:
        corners, sizes = p.origin, p.size
        labels = [(x + w / 2, y + h / 2) for (x, y), (w, h) in zip(corners, sizes, strict=True)]
    else:
        labels = [(x, y - 0.35 * lay.area_radius) for x, y in lay.area_centers]
    for a, (lx, ly) in enumerate(labels):
        if a not in by_area.index or not math.isfinite(rel.get(a, math.nan)):
            ax.text(lx, ly, text("wi.map.no_change", lang), fontsize=7, ha="center", color="#555555", zorder=2)
            continue
        v = by_area.loc[a, "verdict"]
        style = {"facecolor": cmap(norm(rel[a])), "alpha": 0.6, "zorder": 0.5,
                 "hatch": "//" if v == "unclear" else None, "edgecolor": "black" if v in ("up", "down") else "#888888",
                 "linewidth": 2.0 if v in ("up", "down") else 0.6}  # fmt: skip
        if p.plans:
            ax.add_patch(Rectangle(tuple(p.origin[a]), *p.size[a], **style))
        else:
            ax.add_patch(Circle(tuple(lay.area_centers[a]), lay.area_radius, **style))
        ax.text(lx, ly, f"{rel[a]:+.1f}%", fontsize=8, ha="center", zorder=6,
                bbox={"facecolor": "white", "alpha": 0.7, "lw": 0, "pad": 1})  # fmt: skip
    if added is not None and len(added):
        ax.scatter(c.x[added], c.y[added], s=160, facecolors="none", edgecolors=MARKER_COLOR, linewidths=2.0,
                   zorder=5, label=text("wi.map.added", lang, n=len(added)))  # fmt: skip
    handles, labels = ax.get_legend_handles_labels()
    keys = (
        Patch(facecolor="white", edgecolor="black", linewidth=2.0, label=text("wi.map.material", lang)),
        Patch(facecolor="white", edgecolor="#888888", hatch="//", label=text("wi.map.unclear", lang)),
        Patch(facecolor=NEUTRAL, edgecolor="#888888", label=text("wi.map.neutral", lang, band=f"{band:.2g}")),
    )
    ax.legend([*handles, *keys], [*labels, *(k.get_label() for k in keys)], fontsize=7, loc="upper center",
              bbox_to_anchor=(0.5, -0.08), ncol=3)  # fmt: skip
    shown = unit_indicator(indicator, lang)
    fig.colorbar(ScalarMappable(norm, cmap), ax=ax, shrink=0.7, label=text("wi.map.colorbar", lang, indicator=shown))
    fig.suptitle(
        text(
            "wi.map.title_street" if p.plans else "wi.map.title",
            lang,
            policy=policy,
            indicator=shown,
            window=window_label,
        ),
        fontsize=11,
    )
    ax.set_title(world.scenario.name, fontsize=9)  # the run map's title describes its own colours
    return fig


def map_window(windows: Sequence[str]) -> str:
    """The window the maps show: ``after_start`` when the file has it (daily counts are noisy on one day)."""
    return "after_start" if "after_start" in windows else windows[0]


def write_unit_outputs(
    out: Path,
    wf: WhatIf,
    runs: pd.DataFrame,
    series: pd.DataFrame,
    window_text: Callable[[str, int], str],
    lang: str = "en",
) -> tuple[list[Path], dict[str, pd.DataFrame], list[str]]:
    """Write ``effects_by_{area,segment,actor}.csv`` and ``plots/map_<policy>.png``.

    Args:
        out: the what-if's folder.
        wf: the experiment.
        runs: ``runs.parquet``.
        series: ``timeseries.parquet``.
        window_text: ``(window, start day) -> str``: the window with its days, for the map's title.
        lang: language of the maps.

    Returns:
        The files written, the three tables (:func:`~cogov_sim.experiments.whatif_areas.unit_effects`) and the
        maps' paths relative to ``out``; nothing when the series holds no unit columns.
    """
    tables = unit_effects(runs, series, wf)
    if not len(tables["area"]) and not len(tables["street"]) and not len(tables["segment"]):
        return [], tables, []
    # a street has no street table and a city no area table
    files = [write_csv(out / f"effects_by_{name}.csv", frame) for name, frame in tables.items()
             if len(frame) or name not in ("area", "street")]  # fmt: skip
    window = map_window(wf.spec.windows)
    maps = []
    place: tuple[World, np.ndarray] | None = None
    for p in wf.policies:
        if any(iv.adds_level() is not None for iv in p.interventions):
            world, added = map_world(wf, p)
        else:
            place = place or map_world(wf)
            world, added = place
        label = window_text(window, p.start_day)
        places = tables["street"] if world.places.plans else tables["area"]
        fig = difference_map(world, places, p.name, wf.spec.map_indicator, window, label, added, lang)
        name = f"map_{p.name}.png"
        files.append(atomic_write(out / "plots" / name, lambda f, fig=fig: fig.savefig(f, dpi=110, format="png")))
        maps.append(f"plots/{name}")
    return files, tables, maps
