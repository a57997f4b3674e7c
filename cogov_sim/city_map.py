"""The map of a city or district: each street a rectangle coloured by one of its indicators, districts outlined.

Drawn from a run's ``per_street`` table (:func:`cogov_sim.place_indicators.by_street`), so it can be redrawn from
the files of a finished run; matplotlib's object API, Agg backend, words from :mod:`cogov_sim.i18n`.
"""

from __future__ import annotations

import pandas as pd

from cogov_sim.i18n import label, text
from cogov_sim.plotting import Figure
from cogov_sim.vocabulary import STREET_COLUMNS

CITY_MAP_INDICATORS: tuple[str, ...] = (
    "gci_consciousness",
    "gci_presence",
    "joint_actions",
    "non_party_convened_share",
)
"""Indicators a city run draws a map of by default (``plots/city_map_<indicator>.png``)."""

NAMED_STREETS = 40
"""Streets are labelled with their names on maps of at most this many streets (else the map is unreadable)."""


def city_map_figure(streets: pd.DataFrame, indicator: str, name: str = "", day: int = 0, lang: str = "en") -> Figure:
    """Streets coloured by ``indicator`` (a column of ``streets``), district boundaries drawn over them.

    Raises:
        ValueError: ``indicator`` is not one of the street indicators.
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.patches import Rectangle

    if indicator not in STREET_COLUMNS:
        raise ValueError(f"no street indicator {indicator!r}; allowed: {', '.join(STREET_COLUMNS)}")
    values = streets[indicator].to_numpy(dtype=float)
    lo, hi = (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)
    norm = Normalize(lo, hi if hi > lo else lo + 1e-9)
    cmap = "viridis"
    fig = Figure(figsize=(9, 7.5), layout="constrained")
    ax = fig.subplots()
    mapper = ScalarMappable(norm=norm, cmap=cmap)
    for row, v in zip(streets.itertuples(), values, strict=True):
        ax.add_patch(Rectangle((row.x_m, row.y_m), row.width_m, row.height_m, facecolor=mapper.to_rgba(v),
                               edgecolor="white", linewidth=0.6))  # fmt: skip
        if len(streets) <= NAMED_STREETS:
            ax.text(row.x_m + row.width_m / 2, row.y_m + row.height_m / 2, f"{row.street_name}\n{v:.3g}",
                    ha="center", va="center", fontsize=7, color="white" if norm(v) < 0.6 else "black")  # fmt: skip
    for _, g in streets.groupby("district"):
        x0, y0 = g["x_m"].min(), g["y_m"].min()
        x1, y1 = (g["x_m"] + g["width_m"]).max(), (g["y_m"] + g["height_m"]).max()
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="black", linewidth=1.6))
        if len(streets) > NAMED_STREETS:
            ax.text((x0 + x1) / 2, (y0 + y1) / 2, str(g["district_name"].iloc[0]), ha="center", va="center",
                    fontsize=8, color="black", bbox={"facecolor": "white", "alpha": 0.6, "linewidth": 0})  # fmt: skip
    width = float((streets["x_m"] + streets["width_m"]).max()) if len(streets) else 1.0
    height = float((streets["y_m"] + streets["height_m"]).max()) if len(streets) else 1.0
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.set_xlabel(text("map.metres", lang))
    title = label(indicator, lang)
    ax.set_title(text("citymap.title", lang, name=name, indicator=title, day=day))
    fig.colorbar(mapper, ax=ax, label=title, shrink=0.7)
    return fig
