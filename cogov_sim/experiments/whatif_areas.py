"""Effects of a what-if by residential area, by group of residents and by actor type; their section of report.md.

The per-unit daily values a what-if run records (:mod:`~cogov_sim.experiments.whatif_units`) are columns of
``timeseries.parquet`` like the indicators, so their paired effects are :func:`~cogov_sim.experiments.effects.
effects_table` on those columns: the same windows, interval method, seeds and MID rule as the totals. A unit's MID
is its indicator's (:data:`~cogov_sim.experiments.effects.MIN_IMPORTANT`, or the file's ``min_important``; a
relative MID is taken of the unit's own baseline mean); the indicators that exist only per unit have theirs in
:data:`UNIT_MIN_IMPORTANT`.

Three tidy tables, one row per policy × window × unit × indicator (:data:`AREA_COLUMNS`, :data:`SEGMENT_COLUMNS`,
:data:`ACTOR_COLUMNS`): ``effects_by_area.csv``, ``effects_by_segment.csv``, ``effects_by_actor.csv``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from cogov_sim.experiments.effects import ABSOLUTE_MID, MIN_IMPORTANT, RELATIVE_MID, effects_table
from cogov_sim.experiments.whatif import WhatIf
from cogov_sim.experiments.whatif_units import COMMUTERS, parse_unit_column
from cogov_sim.i18n import TEXTS, label, text

STAT_COLUMNS: tuple[str, ...] = (
    "baseline_mean",
    "policy_mean",
    "diff",
    "ci_low",
    "ci_high",
    "rel_change",
    "n",
    "mid",
    "verdict",
)
"""The effect's columns, as in ``effects.csv``."""

AREA_COLUMNS: tuple[str, ...] = ("policy", "window", "area", "area_label", "indicator", *STAT_COLUMNS)
"""``effects_by_area.csv``: ``area`` 0-based (as interventions' ``areas``; -1 the in-commuters), ``area_label``
``RA1`` … (``commuters``)."""

STREET_COLUMNS: tuple[str, ...] = ("policy", "window", "street", "street_label", "indicator", *STAT_COLUMNS)
"""``effects_by_street.csv`` (a city or district): ``street`` 0-based, as ``tables/per_street.csv`` of a run numbers
its streets; ``street_label`` ``S1`` …"""

SEGMENT_COLUMNS: tuple[str, ...] = ("policy", "window", "group", "unit", "indicator", *STAT_COLUMNS)
"""``effects_by_segment.csv``: ``group`` is ``segment``, ``age_band`` or ``party_member``; ``unit`` its value."""

ACTOR_COLUMNS: tuple[str, ...] = ("policy", "window", "actor_type", "indicator", *STAT_COLUMNS)
"""``effects_by_actor.csv``: ``actor_type`` is ``resident`` or an organization type."""

UNIT_MIN_IMPORTANT: dict[str, float | str] = {
    "participants": RELATIVE_MID,
    "convened": RELATIVE_MID,
    "joined": RELATIVE_MID,
    "presence_hours": RELATIVE_MID,
    "active": RELATIVE_MID,
    "commitment_mean": ABSOLUTE_MID,
}
"""MIDs of the indicators recorded only per unit (counts: 5% of the unit's baseline mean; commitment: 0.01)."""

DIMENSIONS: dict[str, tuple[str, ...]] = {
    "area": ("area",),
    "street": ("street",),
    "segment": ("segment", "age_band", "party_member"),
    "actor": ("actor",),
}
"""Which unit dimensions go to which table."""

MATERIAL = ("up", "down")
"""The verdicts that name a unit in the report."""

SHOWN_UNITS = 6
"""Units named at most per indicator and direction in the report (the largest changes; the rest are counted)."""

NOT_REPORTED: tuple[str, ...] = ("visits",)
"""Unit indicators left out of the report's sentences (in a group of fixed size, ``visits`` moves exactly as
``visits_per_capita``); they stay in the tables."""


def unit_mid(indicator: str, overrides: dict[str, float | str] | None = None) -> float | str:
    """The MID (as written: a number or ``"5%"``) of a unit's indicator."""
    overrides = overrides or {}
    if indicator in overrides:
        return overrides[indicator]
    return MIN_IMPORTANT.get(indicator, UNIT_MIN_IMPORTANT.get(indicator, RELATIVE_MID))


def unit_effects(
    runs: pd.DataFrame, series: pd.DataFrame, wf: WhatIf, policies: Sequence[str] | None = None
) -> dict[str, pd.DataFrame]:
    """Paired effects of every policy on every recorded unit column, a table per dimension.

    The tables are ``area``, ``street``, ``segment`` and ``actor``; a city has streets and no areas, a street
    areas and no streets.

    Args:
        runs: ``runs.parquet``.
        series: ``timeseries.parquet`` with the unit columns (a what-if run by ``cogov whatif``).
        wf: the experiment (its windows, interval, seed, bootstrap samples and ``min_important``).
        policies: the policies to estimate (default all).

    Returns:
        The tidy tables (columns :data:`AREA_COLUMNS`, :data:`STREET_COLUMNS`, :data:`SEGMENT_COLUMNS`,
        :data:`ACTOR_COLUMNS`); empty when the series holds no unit columns.
    """
    spec = wf.spec
    parsed = {c: p for c in series.columns if (p := parse_unit_column(str(c))) is not None}
    mids = {c: unit_mid(p[2], spec.min_important) for c, p in parsed.items()}
    chosen = [(p.name, p.start_day) for p in wf.policies if policies is None or p.name in policies]
    eff = effects_table(runs, series, chosen, list(parsed), spec.windows, spec.interval, spec.seed,
                        spec.bootstrap_samples, min_important=mids)  # fmt: skip
    parts = pd.DataFrame([parsed[c] for c in eff["indicator"]], columns=["dimension", "unit", "name"])
    eff = pd.concat([eff.drop(columns="indicator"), parts], axis=1).rename(columns={"name": "indicator"})
    out = {}
    for table, dims in DIMENSIONS.items():
        part = eff[eff["dimension"].isin(dims)].reset_index(drop=True)
        if table == "area":
            part["area"] = [-1 if u == COMMUTERS else int(u) for u in part["unit"]]
            part["area_label"] = [COMMUTERS if u == COMMUTERS else text("map.area", k=int(u) + 1) for u in part["unit"]]
            columns = AREA_COLUMNS
        elif table == "street":
            part["street"] = [int(u) for u in part["unit"]]
            part["street_label"] = [text("map.street", k=int(u) + 1) for u in part["unit"]]
            columns = STREET_COLUMNS
        elif table == "segment":
            part = part.rename(columns={"dimension": "group"})
            columns = SEGMENT_COLUMNS
        else:
            part = part.rename(columns={"unit": "actor_type"})
            columns = ACTOR_COLUMNS
        out[table] = part[list(columns)] if len(part) else pd.DataFrame(columns=list(columns))
    return out


def unit_label(dimension: str, unit: str, lang: str = "en") -> str:
    """A unit as a reader names it: ``RA3`` (居3), ``elderly`` (老年人), ``aged 60-69``, ``Party members``."""
    if dimension == "area":
        return text("wi.units.commuters", lang) if unit == COMMUTERS else text("map.area", lang, k=int(unit) + 1)
    if dimension == "street":
        return text("map.street", lang, k=int(unit) + 1)
    if dimension == "segment":
        return label(unit, lang, "segment")
    if dimension == "age_band":
        return text("wi.units.age", lang, band=unit)
    if dimension == "party_member":
        return text("wi.units.party" if unit == "True" else "wi.units.non_party", lang)
    return label(unit, lang, "actor")


def unit_indicator(name: str, lang: str = "en") -> str:
    """A unit indicator's display name (the totals' label, or one of the per-unit ones)."""
    key = f"wi.units.ind.{name}"
    return text(key, lang) if key in TEXTS else label(name, lang)


def _change(row: pd.Series) -> str:
    """A unit's change in a few characters: the relative change, or the difference when the baseline is 0."""
    rel = row["rel_change"]
    if pd.isna(rel):
        return f"{row['diff']:+.3g}"
    return f"{rel:+.0%}" if abs(rel) >= 0.095 else f"{rel:+.1%}"


def _dimension_parts(frame: pd.DataFrame, dimension_col: str, unit_col: str, lang: str) -> list[str]:
    """``visits up in RA1 (+40%), RA3 (+12%)`` for each indicator and direction with a material unit."""
    parts = []
    material = frame[frame["verdict"].isin(MATERIAL) & ~frame["indicator"].isin(NOT_REPORTED)]
    for (ind, v), rows in material.groupby(["indicator", "verdict"], sort=False):
        rows = rows.reindex(rows["rel_change"].abs().sort_values(ascending=False).index)
        units = [
            text("wi.units.unit", lang, unit=unit_label(r[dimension_col] if dimension_col else "actor",
                                                        str(r[unit_col]), lang), change=_change(r))
            for _, r in rows.head(SHOWN_UNITS).iterrows()
        ]  # fmt: skip
        if len(rows) > SHOWN_UNITS:
            units.append(text("wi.units.more", lang, n=len(rows) - SHOWN_UNITS))
        parts.append(
            text(
                "wi.units.item",
                lang,
                indicator=unit_indicator(str(ind), lang),
                direction=text(f"wi.answer.{v}", lang),
                units=text("wi.answer.list_sep", lang).join(units),
            )
        )
    return parts


def unit_lines(wf: WhatIf, tables: dict[str, pd.DataFrame], window_text, lang: str = "en") -> list[str]:
    """The report's section on who gains and who loses: per policy and window, the units that change materially.

    Args:
        wf: the experiment.
        tables: :func:`unit_effects`.
        window_text: ``(window, start day) -> str``, the window with its days (as the answer writes it).
        lang: ``en`` or ``zh``.
    """
    lines = [f"## {text('wi.units', lang)}", "", text("wi.units.intro", lang), ""]
    units = [COMMUTERS if a < 0 else str(a) for a in tables["area"]["area"]]
    area = tables["area"].assign(dimension="area", unit=units)
    street = tables["street"].assign(dimension="street", unit=[str(s) for s in tables["street"]["street"]])
    frames = (
        ("wi.units.by_area", area, "dimension", "unit"),
        ("wi.units.by_street", street, "dimension", "unit"),
        ("wi.units.by_segment", tables["segment"], "group", "unit"),
        ("wi.units.by_actor", tables["actor"], "", "actor_type"),
    )
    sep = text("wi.answer.sep", lang)
    for p in wf.policies:
        for window in wf.spec.windows:
            head = "- " + text("wi.units.sentence", lang, policy=p.name, window=window_text(window, p.start_day))
            found = []
            for key, frame, dim, unit in frames:
                part = frame[(frame["policy"] == p.name) & (frame["window"] == window)]
                items = _dimension_parts(part, dim, unit, lang)
                if items:
                    found.append("  - " + text(key, lang, items=sep.join(items)))
            lines += [head, *found] if found else [f"{head} {text('wi.units.nothing', lang)}"]
    lines += ["", text("wi.units.files", lang), ""]
    return lines
