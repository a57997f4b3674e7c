"""Analysis of a sweep from its result tables only (``runs.parquet``, ``design.parquet``), never the model.

- :func:`summarize`: per design point and final indicator, the mean over the runs that finished and its 95%
  t-interval (``summary.csv``).
- :func:`sensitivity`: SALib's Morris (mu*, sigma) or Sobol (S1, ST) indices with bootstrap confidence intervals,
  on the per-point means over replications (``sensitivity.csv``).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

DESIGN_META_KEY = b"cogov_design"
"""Key of the design description (method, parameter columns and kinds, SALib problem) in ``design.parquet``."""

LEVEL = 0.95
"""Confidence level of every interval written."""


def indicator_columns(runs: pd.DataFrame) -> list[str]:
    """The final-indicator columns of a ``runs.parquet`` table: those between ``error`` and ``scenario_hash``."""
    cols = list(runs.columns)
    return cols[cols.index("error") + 1 : cols.index("scenario_hash")]


def read_design(folder: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``design.parquet`` of a sweep folder and its description (method, parameters, SALib problem)."""
    table = pq.read_table(Path(folder) / "design.parquet")
    meta = json.loads((table.schema.metadata or {})[DESIGN_META_KEY])
    return table.to_pandas(), meta


def t_interval(values: np.ndarray, level: float = LEVEL) -> tuple[float, float, float, float]:
    """Mean, standard deviation and the two-sided t-interval of the mean of ``values`` (NaN ends when n < 2)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return (np.nan, np.nan, np.nan, np.nan)
    mean = float(x.mean())
    if n < 2:
        return (mean, np.nan, np.nan, np.nan)
    sd = float(x.std(ddof=1))
    half = float(t_critical(np.asarray(n), level)) * sd / np.sqrt(n)
    return (mean, sd, mean - half, mean + half)


def t_critical(n: np.ndarray, level: float = LEVEL) -> np.ndarray:
    """The two-sided t critical value for the mean of ``n`` values, elementwise (NaN where n < 2)."""
    from scipy import stats

    return np.where(n >= 2, stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)), np.nan)


def summarize(
    runs: pd.DataFrame, design_columns: Sequence[str], indicators: Sequence[str] | None = None
) -> pd.DataFrame:
    """Per design point and indicator: runs, runs that finished, mean, sd and 95% interval of the final value.

    Args:
        runs: the ``runs.parquet`` table.
        design_columns: the design-point columns.
        indicators: indicator columns (default: all of them).

    Returns:
        A long table: ``point_index``, the design columns, ``indicator``, ``n_runs``, ``n``, ``mean``, ``sd``,
        ``ci_low``, ``ci_high``; one row per point and indicator, in point order.
    """
    indicators = list(indicators) if indicators is not None else indicator_columns(runs)
    points = runs.groupby("point_index", sort=True)[list(design_columns)].first()
    points["n_runs"] = runs.groupby("point_index", sort=True).size()
    ok = runs[runs["status"] == "ok"]
    grouped = ok.groupby("point_index", sort=True)[indicators]
    n = grouped.count().reindex(points.index, fill_value=0)
    mean = grouped.mean().reindex(points.index)
    sd = grouped.std(ddof=1).reindex(points.index)
    tcrit = pd.DataFrame(t_critical(n.to_numpy()), index=n.index, columns=n.columns)
    half = tcrit * sd / np.sqrt(n.where(n > 0))
    parts = []
    for ind in indicators:
        part = points.copy()
        part.insert(len(design_columns), "indicator", ind)
        part["n"] = n[ind].astype("int64")
        part["mean"] = mean[ind]
        part["sd"] = sd[ind]
        part["ci_low"] = mean[ind] - half[ind]
        part["ci_high"] = mean[ind] + half[ind]
        parts.append(part.reset_index())
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values("point_index", kind="stable").reset_index(drop=True)


def point_means(runs: pd.DataFrame, indicator: str, n_points: int) -> np.ndarray:
    """Mean of ``indicator`` over the finished replications of each design point (NaN where none finished)."""
    ok = runs[runs["status"] == "ok"]
    means = ok.groupby("point_index")[indicator].mean()
    return means.reindex(range(n_points)).to_numpy(dtype=float)


def _complete_groups(x: np.ndarray, y: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Drop whole groups (trajectories, Saltelli blocks) that contain a missing output."""
    groups = len(y) // size
    ok = ~np.isnan(y[: groups * size].reshape(groups, size)).any(axis=1)
    keep = np.repeat(ok, size)
    return x[: groups * size][keep], y[: groups * size][keep], int(ok.sum())


def sensitivity(
    runs: pd.DataFrame,
    design: pd.DataFrame,
    meta: dict[str, Any],
    indicators: Sequence[str],
    seed: int = 0,
) -> pd.DataFrame:
    """SALib sensitivity indices of each indicator to each parameter, for Morris and Sobol designs.

    The output of a design point is the mean over its finished replications. Trajectories (Morris) or Saltelli
    blocks (Sobol) with a point that has no finished run are left out.

    Args:
        runs: the ``runs.parquet`` table.
        design: the ``design.parquet`` table (raw sampled values, in point order).
        meta: the design description from :func:`read_design`.
        indicators: indicators to analyse.
        seed: seed of the bootstrap that gives the confidence intervals.

    Returns:
        Morris: ``indicator, parameter, rank, mu_star, mu_star_conf, sigma, mu, groups_used``; Sobol:
        ``indicator, parameter, rank, S1, S1_conf, ST, ST_conf, groups_used``. ``*_conf`` is the half-width of the
        95% bootstrap interval; ``rank`` 1 is the most influential parameter (by mu* or ST). Empty for other designs.
    """
    method = meta["method"]
    if method not in ("morris", "sobol"):
        return pd.DataFrame()
    problem = meta["problem"]
    names = list(problem["names"])
    d = len(names)
    x_all = design.sort_values("point_index")[names].to_numpy(dtype=float)
    frames = []
    for ind in indicators:
        y_all = point_means(runs, ind, len(x_all))
        size = d + 1 if method == "morris" else d + 2
        x, y, used = _complete_groups(x_all, y_all, size)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            if used < 2:
                res = {k: np.full(d, np.nan) for k in ("mu_star", "mu_star_conf", "sigma", "mu", "S1", "S1_conf")}
                res.update(ST=np.full(d, np.nan), ST_conf=np.full(d, np.nan))
            elif method == "morris":
                from SALib.analyze import morris as morris_analyze

                res = morris_analyze.analyze(
                    dict(problem), x, y, num_levels=int(meta["levels"]), conf_level=LEVEL, num_resamples=1000, seed=seed
                )
            else:
                from SALib.analyze import sobol as sobol_analyze

                res = sobol_analyze.analyze(
                    dict(problem), y, calc_second_order=False, conf_level=LEVEL, num_resamples=1000, seed=seed
                )
        cols = ("mu_star", "mu_star_conf", "sigma", "mu") if method == "morris" else ("S1", "S1_conf", "ST", "ST_conf")
        frame = pd.DataFrame({c: np.asarray(res[c], dtype=float) for c in cols})
        frame.insert(0, "parameter", names)
        frame.insert(0, "indicator", ind)
        key = frame["mu_star" if method == "morris" else "ST"]
        frame.insert(2, "rank", key.rank(ascending=False, method="min").astype("Int64"))
        frame["groups_used"] = used
        frames.append(frame.sort_values("rank", kind="stable", na_position="last"))
    return pd.concat(frames, ignore_index=True)
