"""The registry of named statistics: one function per kind of measure, computed from stored runs only.

Each function takes a measure (:mod:`~cogov_sim.calibration.targets`) and the runs of one seed, by run name
(:class:`RunData`: the run's row of ``runs.parquet`` with its record cells, and its daily indicators), and returns
one number, NaN where the statistic is undefined for that run (a fit without enough points, a zero denominator).
:data:`REGISTRY` maps each kind to its function and to a sentence saying what it measures (for the scorecard).

- ``indicator``: the value on ``day`` (default: the last), or the mean over ``window`` or the ``last`` N days;
- ``table``: a record cell (``<table>|<row>|<column>``) × ``scale``, divided by the place's residents or people
  when ``per`` says so;
- ``distance_decay``: weighted least squares over the bins of walking distance (bins with at least
  :data:`MIN_BIN_PEOPLE` simulated people and :data:`MIN_BIN_VISITS` visits; the log rate of a bin has variance
  about 1/visits, so weights √visits): ln(rate) = a - d / L gives the e-folding length L (km); ln(rate) = a - β ln d
  the power-form exponent β;
- ``logistic``: K / (1 + exp(-r (t - t0))) fitted by least squares (``scipy.optimize.curve_fit``, K within (0, 1]
  for a share, r within (0, 50] a year), t in years from day 0;
- ``age_gradient``: from ``per_segment|age_band=<band>|<column>``;
- ``growth_rate``: (y_b / y_a)^(365 / (b - a)) - 1 between the window's first and last day (the last of the run
  without one), as the evidence's mean growth of Shanghai's social organizations was computed;
- ``ratio``: numerator / denominator, or their difference, each on its own run with the same seed.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from cogov_sim.calibration.record import BAND_NAMES, DECAY_BINS, key
from cogov_sim.calibration.targets import (
    AgeGradientMeasure,
    DecayMeasure,
    GrowthMeasure,
    IndicatorMeasure,
    LogisticMeasure,
    RatioMeasure,
    TableMeasure,
)

MIN_BIN_PEOPLE = 30
"""Fewest simulated people in a distance bin for it to enter a decay fit."""

MIN_BIN_VISITS = 20
"""Fewest visits in a distance bin for it to enter a decay fit."""

MIN_BINS = 3
"""Fewest bins a decay fit needs."""

SHARES = frozenset({"volunteer_share", "visits_per_capita", "gci_presence", "coverage_15min"})
"""Indicators that are shares (a logistic fitted to one levels off at most at 1)."""


@dataclass(frozen=True)
class RunData:
    """One stored run: its row of ``runs.parquet`` (final indicators and record cells) and its daily series."""

    row: Mapping[str, Any]
    series: pd.DataFrame

    def cell(self, table: str, row: str, column: str) -> float:
        """A record cell, NaN when the run does not have it."""
        value = self.row.get(key(table, row, column), math.nan)
        return math.nan if value is None else float(value)

    def values(self, indicator: str) -> tuple[np.ndarray, np.ndarray]:
        """Days and values of an indicator's daily series."""
        return self.series["day"].to_numpy(float), self.series[indicator].to_numpy(float)


Runs = Mapping[str, RunData]
"""The runs of one seed, by run name."""


def indicator(m: IndicatorMeasure, runs: Runs) -> float:
    """An indicator on a day, or its mean over a window or the last days."""
    day, y = runs[m.run].values(m.name)
    if m.window is not None:
        sel = (day >= m.window[0]) & (day <= m.window[1])
    elif m.last is not None:
        sel = day > day.max() - m.last
    else:
        sel = day == (m.day if m.day is not None else day.max())
    return float(y[sel].mean()) if sel.any() else math.nan


def table(m: TableMeasure, runs: Runs) -> float:
    """A record cell, scaled, optionally per resident or per person."""
    run = runs[m.run]
    value = run.cell(m.table, m.row, m.column) * m.scale
    if m.per is not None:
        value /= run.cell("probe", "place", m.per)
    return value


def _decay_bins(m: DecayMeasure, run: RunData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean distance (km), visits per person and visits of the bins a decay fit may use."""
    rows = []
    for i in range(DECAY_BINS):
        km, people, visits = (run.cell("decay", m.level, f"{w}_{i}") for w in ("km", "people", "visits"))
        if people >= MIN_BIN_PEOPLE and visits >= MIN_BIN_VISITS and km > 0:
            rows.append((km, visits / people, visits))
    arr = np.array(rows).reshape(-1, 3)
    return arr[:, 0], arr[:, 1], arr[:, 2]


def distance_decay(m: DecayMeasure, runs: Runs) -> float:
    """The e-folding length (km) or the power-form exponent of visits per resident with walking distance."""
    km, rate, visits = _decay_bins(m, runs[m.run])
    if len(km) < MIN_BINS:
        return math.nan
    x = km if m.form == "exponential" else np.log(km)
    slope = float(np.polyfit(x, np.log(rate), 1, w=np.sqrt(visits))[0])
    if m.form == "power":
        return -slope
    return -1.0 / slope if slope < 0 else math.nan


def _logistic(t: np.ndarray, k: float, r: float, t0: float) -> np.ndarray:
    return k / (1.0 + np.exp(-r * (t - t0)))


def logistic_fit(days: np.ndarray, y: np.ndarray, share: bool) -> tuple[float, float, float]:
    """K, r (per year) and t0 (years) of a logistic fitted to a daily series; NaNs when it cannot be fitted."""
    top = float(np.nanmax(y)) if len(y) else 0.0
    if not top > 0:
        return (math.nan, math.nan, math.nan)
    t = days / 365.0
    half = float(t[np.argmax(y >= top / 2)])
    upper_k = 1.0 if share else 100.0 * top
    p0 = (min(1.2 * top, upper_k), 2.0, half)
    bounds = ([1e-12, 1e-6, -20.0], [upper_k, 50.0, 3.0 * t.max() + 20.0])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (k, r, t0), _ = optimize.curve_fit(_logistic, t, y, p0=p0, bounds=bounds, maxfev=20_000)
    except (RuntimeError, ValueError):
        return (math.nan, math.nan, math.nan)
    return (float(k), float(r), float(t0))


def logistic(m: LogisticMeasure, runs: Runs) -> float:
    """A parameter of the logistic fitted to an indicator's series."""
    day, y = runs[m.run].values(m.indicator)
    k, r, t0 = logistic_fit(day, y, m.indicator in SHARES)
    if m.parameter == "K":
        return k
    if m.parameter == "r":
        return r
    inflection = t0 * 365.0
    return inflection if m.parameter == "inflection_day" else inflection / float(day.max())


def age_gradient(m: AgeGradientMeasure, runs: Runs) -> float:
    """Participation (or another column) by age band: ratio, difference, middle position or monotonicity."""
    run = runs[m.run]
    first, last = BAND_NAMES.index(m.bands[0]), BAND_NAMES.index(m.bands[-1])
    value = {b: run.cell("per_segment", f"age_band={b}", m.column) for b in BAND_NAMES}
    lo, hi = value[m.bands[0]], value[m.bands[-1]]
    if m.form == "ratio":
        return hi / lo if lo > 0 else math.nan
    if m.form == "difference":
        return hi - lo
    if m.form == "mid_position":
        return (value[m.bands[1]] - lo) / (hi - lo) if hi != lo else math.nan
    ys = [value[b] for b in BAND_NAMES[first : last + 1]]
    if not np.all(np.isfinite(ys)) or np.ptp(ys) == 0:
        return math.nan
    return float(stats.spearmanr(np.arange(len(ys)), ys).statistic)


def growth_rate(m: GrowthMeasure, runs: Runs) -> float:
    """Annual growth rate of an indicator between the window's first and last day."""
    day, y = runs[m.run].values(m.indicator)
    a = m.window[0]
    b = m.window[1] if m.window[1] is not None else int(day.max())
    ya, yb = y[day == a], y[day == b]
    if not len(ya) or not len(yb) or not ya[0] > 0 or b <= a:
        return math.nan
    return float((yb[0] / ya[0]) ** (365.0 / (b - a)) - 1.0)


def ratio(m: RatioMeasure, runs: Runs) -> float:
    """Numerator / denominator (or their difference), each on its own run of the same seed."""
    num, den = evaluate(m.numerator, runs), evaluate(m.denominator, runs)
    if m.form == "difference":
        return num - den
    return num / den if den else math.nan


def _run_text(m: Any) -> str:
    return f" [run {m.run}]"


def _describe_indicator(m: IndicatorMeasure) -> str:
    when = (
        f"mean over days {m.window[0]}-{m.window[1]}"
        if m.window
        else f"mean over the last {m.last} days"
        if m.last
        else f"on day {m.day}"
        if m.day
        else "on the last day"
    )
    return f"{m.name} {when}{_run_text(m)}"


def _describe_table(m: TableMeasure) -> str:
    scale = f" × {m.scale:g}" if m.scale != 1 else ""
    per = f" per {m.per[:-1] if m.per == 'residents' else 'person'}" if m.per else ""
    return f"{m.table} {m.row} {m.column}{scale}{per}{_run_text(m)}"


def _describe_decay(m: DecayMeasure) -> str:
    what = "e-folding length (km)" if m.form == "exponential" else "power-form exponent β"
    return f"{what} of {m.level}-center visits per resident with walking distance from home{_run_text(m)}"


def _describe_logistic(m: LogisticMeasure) -> str:
    what = {"K": "K (level)", "r": "r (per year)", "inflection_day": "inflection day",
            "inflection_share": "inflection as a share of the run"}[m.parameter]  # fmt: skip
    return f"logistic fit to {m.indicator}: {what}{_run_text(m)}"


def _describe_age(m: AgeGradientMeasure) -> str:
    b = m.bands
    what = {
        "ratio": f"{b[-1]} / {b[0]}",
        "difference": f"{b[-1]} - {b[0]}",
        "mid_position": f"({b[1]} - {b[0]}) / ({b[-1]} - {b[0]})",
        "monotonicity": f"rank correlation with age, {b[0]} to {b[-1]}",
    }[m.form]
    return f"{m.column} by age band: {what}{_run_text(m)}"


def _describe_growth(m: GrowthMeasure) -> str:
    end = m.window[1] if m.window[1] is not None else "the end"
    return f"annual growth of {m.indicator} from day {m.window[0]} to {end}{_run_text(m)}"


def _describe_ratio(m: RatioMeasure) -> str:
    op = "/" if m.form == "ratio" else "-"
    return f"({describe(m.numerator)}) {op} ({describe(m.denominator)})"


REGISTRY: dict[str, tuple[Callable[[Any, Runs], float], Callable[[Any], str]]] = {
    "indicator": (indicator, _describe_indicator),
    "table": (table, _describe_table),
    "distance_decay": (distance_decay, _describe_decay),
    "logistic": (logistic, _describe_logistic),
    "age_gradient": (age_gradient, _describe_age),
    "growth_rate": (growth_rate, _describe_growth),
    "ratio": (ratio, _describe_ratio),
}
"""Kind of measure -> (the function computing it, the function describing it in words)."""


def evaluate(measure: Any, runs: Runs) -> float:
    """The measure on the runs of one seed; NaN when it is undefined there (or a run it needs is missing)."""
    from_kind = REGISTRY[measure.kind][0]
    try:
        value = float(from_kind(measure, runs))
    except (KeyError, IndexError, ZeroDivisionError, FloatingPointError):
        return math.nan
    return value if math.isfinite(value) else math.nan


def describe(measure: Any) -> str:
    """What the measure is, in words."""
    return REGISTRY[measure.kind][1](measure)
