"""Effects of a what-if experiment, from its result tables only: paired differences with their intervals.

For policy ``p``, indicator ``x``, window ``w`` and replication ``r`` (seed ``s_r``), the outcome ``y(arm, r)`` is
``x`` on the final day (``final_day``), its mean over the days from the policy's first start day to the end
(``after_start``; the baseline is averaged over the same days) or over the last N days (``last_<N>_days``). The
effect is the mean paired difference ``d_r = y(p, r) - y(baseline, r)`` over the replications where both arms
finished, with a 95% interval: the paired t interval (``mean ± t_{n-1} · sd/√n``) or a paired percentile
bootstrap (resampling the pairs, seeded from the experiment seed, the policy, the indicator and the window).
``rel_change`` is ``diff / baseline_mean`` (empty when the baseline mean is 0).

Because both arms of a pair share every random stream the policy does not touch, ``d_r`` is free of most of the
run-to-run noise and the interval on the difference is much narrower than the bands around either arm.

Tables: :func:`effects_table` (``effects.csv``), :func:`contrasts_table` (``contrasts.csv``: a policy against
another) and :func:`trajectory_table` (``trajectories.csv``: per arm, indicator and day, the mean and 95% band over
replications and the paired difference from the baseline with its band). The figures and ``report.md`` are
:mod:`~cogov_sim.experiments.whatif_report`, the way :mod:`~cogov_sim.experiments.plots` draws a sweep's
:mod:`~cogov_sim.experiments.analysis`.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cogov_sim.experiments.analysis import LEVEL, t_critical, t_interval

BASELINE = "baseline"
"""Name of the arm without interventions (reserved: no policy may use it)."""

EFFECT_COLUMNS: tuple[str, ...] = (
    "policy",
    "indicator",
    "baseline_mean",
    "policy_mean",
    "diff",
    "ci_low",
    "ci_high",
    "rel_change",
    "n",
    "window",
)
"""Columns of ``effects.csv``: the contract's nine, then the window."""

CONTRAST_COLUMNS: tuple[str, ...] = (
    "policy",
    "reference",
    "indicator",
    "reference_mean",
    "policy_mean",
    "diff",
    "ci_low",
    "ci_high",
    "rel_change",
    "n",
    "window",
)
"""Columns of ``contrasts.csv``: a policy against another policy (``reference``) instead of the baseline."""


def paired_interval(
    diffs: np.ndarray, method: str = "t", rng: np.random.Generator | None = None, samples: int = 2000
) -> tuple[float, float, float]:
    """Mean of paired differences and its 95% interval.

    Args:
        diffs: one difference per replication (NaN-free).
        method: ``t`` (paired t interval) or ``bootstrap`` (percentile interval of resampled pair means).
        rng: generator for the bootstrap.
        samples: bootstrap resamples.

    Returns:
        ``(mean, low, high)``; NaN ends with fewer than two pairs.
    """
    d = np.asarray(diffs, dtype=float)
    n = len(d)
    if method == "bootstrap" and n >= 2:
        rng = rng if rng is not None else np.random.default_rng(0)
        means = d[rng.integers(0, n, size=(samples, n))].mean(axis=1)
        lo, hi = np.quantile(means, [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
        return (float(d.mean()), float(lo), float(hi))
    mean, _, low, high = t_interval(d)
    return (mean, low, high)


def _window_values(frame: pd.DataFrame, indicator: str, window: str, start_day: int) -> pd.Series:
    """One value per replication: the indicator in the window (``frame``: one arm's daily rows)."""
    last = frame["day"].max()
    if window == "final_day":
        rows = frame[frame["day"] == last]
    elif window == "after_start":
        rows = frame[frame["day"] >= start_day]
    else:
        n_days = int(window.split("_")[1])
        rows = frame[frame["day"] > last - n_days]
    return rows.groupby("replication")[indicator].mean()


def _arm_frames(runs: pd.DataFrame, series: pd.DataFrame) -> dict[str, pd.DataFrame]:
    ok = runs.loc[runs["status"] == "ok", ["run_id", "policy"]]
    merged = series.merge(ok, on="run_id", how="inner")
    return {name: part for name, part in merged.groupby("policy", sort=False)}


def effects_table(
    runs: pd.DataFrame,
    series: pd.DataFrame,
    policies: Sequence[tuple[str, int]],
    indicators: Sequence[str],
    windows: Sequence[str] = ("final_day", "after_start"),
    interval: str = "t",
    seed: int = 0,
    bootstrap_samples: int = 2000,
    reference: str | None = None,
) -> pd.DataFrame:
    """Paired effects of every policy on every indicator in every window.

    Args:
        runs: ``runs.parquet`` (``run_id``, ``policy``, ``replication``, ``status``, ...).
        series: ``timeseries.parquet`` (``run_id``, ``replication``, ``day``, indicators).
        policies: ``(name, first start day)`` of each policy (the baseline arm is named ``baseline``).
        indicators: indicators to report.
        windows: ``final_day``, ``after_start``, ``last_<N>_days``.
        interval: ``t`` or ``bootstrap``.
        seed: seed of the bootstrap.
        bootstrap_samples: bootstrap resamples.
        reference: the arm the policies are compared with (default the baseline; another policy for a
            contrast, then ``baseline_mean`` is that policy's mean).

    Returns:
        One row per window, policy and indicator with the columns of :data:`EFFECT_COLUMNS`.
    """
    arms = _arm_frames(runs, series)
    empty = pd.DataFrame(columns=["day", "replication", *indicators])
    base = arms.get(reference or BASELINE, empty)
    salt = [] if reference in (None, BASELINE) else [zlib.crc32(str(reference).encode())]
    rows = []
    for window in windows:
        for name, start in policies:
            pol = arms.get(name, empty)
            for ind in indicators:
                b = _window_values(base, ind, window, start)
                p = _window_values(pol, ind, window, start)
                pair = pd.concat([b.rename("b"), p.rename("p")], axis=1, join="inner").dropna()
                rng = np.random.default_rng(
                    [seed, zlib.crc32(name.encode()), zlib.crc32(ind.encode()), zlib.crc32(window.encode()), *salt]
                )
                diff, lo, hi = paired_interval((pair["p"] - pair["b"]).to_numpy(), interval, rng, bootstrap_samples)
                b_mean = float(pair["b"].mean()) if len(pair) else math.nan
                rows.append(
                    {
                        "policy": name,
                        "indicator": ind,
                        "baseline_mean": b_mean,
                        "policy_mean": float(pair["p"].mean()) if len(pair) else math.nan,
                        "diff": diff,
                        "ci_low": lo,
                        "ci_high": hi,
                        "rel_change": diff / b_mean if len(pair) and b_mean != 0 else math.nan,
                        "n": len(pair),
                        "window": window,
                    }
                )
    return pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))


def trajectory_table(runs: pd.DataFrame, series: pd.DataFrame, indicators: Sequence[str]) -> pd.DataFrame:
    """Per arm, indicator and day: mean over replications with its 95% t band; paired difference from baseline.

    Returns:
        Columns ``policy, indicator, day, n, mean, low, high, diff, diff_low, diff_high`` (the difference
        columns are 0 for the baseline arm and computed over the replications where both arms finished).
    """
    arms = _arm_frames(runs, series)
    if BASELINE not in arms:
        return pd.DataFrame(columns=["policy", "indicator", "day", "n", "mean", "low", "high", "diff", "diff_low",
                                     "diff_high"])  # fmt: skip
    base = arms[BASELINE].set_index(["replication", "day"])
    parts = []
    for name, frame in arms.items():
        f = frame.set_index(["replication", "day"])
        for ind in indicators:
            wide = f[ind].unstack("replication")
            stats = _bands(wide)
            d = (f[ind] - base[ind]).dropna().unstack("replication") if name != BASELINE else wide * 0.0
            dstats = _bands(d.reindex(wide.index))
            part = pd.DataFrame(
                {
                    "policy": name,
                    "indicator": ind,
                    "day": wide.index.astype("int64"),
                    "n": stats["n"],
                    "mean": stats["mean"],
                    "low": stats["low"],
                    "high": stats["high"],
                    "diff": dstats["mean"],
                    "diff_low": dstats["low"],
                    "diff_high": dstats["high"],
                }
            )
            parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _bands(wide: pd.DataFrame) -> dict[str, np.ndarray]:
    """Mean and 95% t band across the columns (replications) of a day × replication table."""
    x = wide.to_numpy(dtype=float)
    n = np.sum(~np.isnan(x), axis=1)
    with np.errstate(all="ignore"):
        mean = np.nanmean(x, axis=1) if x.shape[1] else np.full(len(x), np.nan)
        sd = np.nanstd(x, axis=1, ddof=1) if x.shape[1] > 1 else np.full(len(x), np.nan)
        half = t_critical(n) * sd / np.sqrt(np.maximum(n, 1))
    return {"n": n, "mean": mean, "low": mean - half, "high": mean + half}


def contrasts_table(
    runs: pd.DataFrame,
    series: pd.DataFrame,
    pairs: Sequence[tuple[str, str]],
    start_days: dict[str, int],
    indicators: Sequence[str],
    windows: Sequence[str] = ("final_day", "after_start"),
    interval: str = "t",
    seed: int = 0,
    bootstrap_samples: int = 2000,
) -> pd.DataFrame | None:
    """Paired effects of a policy against another (a what-if file's ``contrasts``); ``None`` when there are none.

    Args:
        runs: ``runs.parquet``.
        series: ``timeseries.parquet``.
        pairs: ``(policy, reference policy)`` pairs.
        start_days: first start day of every arm.
        indicators: as for :func:`effects_table`, and the rest.
        windows: effect windows; the ``after_start`` window starts at the later of the two first start days.
        interval: ``t`` or ``bootstrap``.
        seed: seed of the bootstrap.
        bootstrap_samples: bootstrap resamples.
    """
    if not pairs:
        return None
    parts = []
    for a, b in pairs:
        part = effects_table(
            runs,
            series,
            [(a, max(start_days[a], start_days[b]))],
            indicators,
            windows,
            interval,
            seed,
            bootstrap_samples,
            reference=b,
        )
        part = part.rename(columns={"baseline_mean": "reference_mean"})
        part.insert(1, "reference", b)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)[list(CONTRAST_COLUMNS)]
