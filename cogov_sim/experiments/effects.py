"""Effects of a what-if experiment, from its result tables only: paired differences with their intervals.

For policy ``p``, indicator ``x``, window ``w`` and replication ``r`` (seed ``s_r``), the outcome ``y(arm, r)`` is
``x`` on the final day (``final_day``), its mean over the days from the policy's first start day to the end
(``after_start``; the baseline is averaged over the same days) or over the last N days (``last_<N>_days``). The
effect is the mean paired difference ``d_r = y(p, r) - y(baseline, r)`` over the replications where both arms
finished, with a 95% interval: the paired t interval (``mean ± t_{n-1} · sd/√n``) or a paired percentile
bootstrap (resampling the pairs, seeded from the experiment seed, the policy, the indicator and the window).
``rel_change`` is ``diff / baseline_mean`` (empty when the baseline mean is 0).

A minimum important difference (MID) per indicator (:data:`MIN_IMPORTANT`, overridable by a what-if file's
``min_important``) decides the ``verdict``: ``up`` / ``down`` when the interval excludes 0 and ``|diff|`` exceeds
the MID; ``unclear`` when the interval includes 0 but ``|diff|`` exceeds the MID; ``no_material_change`` when
``|diff|`` is at most the MID; ``identical`` for an interval of exactly [0, 0]; ``small_n`` with fewer than two
pairs (:func:`verdict`). A MID is absolute (a number, in the indicator's units) or relative (``"5%"``: that
share of the baseline mean, or of the reference's mean in a contrast); ``mid`` is it in the indicator's units.

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
import re
import zlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cogov_sim.experiments.analysis import LEVEL, t_critical

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
    "mid",
    "verdict",
)
"""Columns of ``effects.csv``: the contract's nine, the window, the minimum important difference and the verdict."""

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
    "mid",
    "verdict",
)
"""Columns of ``contrasts.csv``: a policy against another policy (``reference``) instead of the baseline."""


RELATIVE_MID = "5%"
"""Default MID of counts, rates and means on an open scale: 5% of the baseline mean."""

ABSOLUTE_MID = 0.01
"""Default MID of shares and indices on a 0-1 scale: 0.01 (one percentage point)."""

MIN_IMPORTANT: dict[str, float | str] = {
    "visits": RELATIVE_MID,
    "visits_per_capita": RELATIVE_MID,
    "coverage_15min": ABSOLUTE_MID,
    "copresence_diversity": RELATIVE_MID,
    "joint_actions": RELATIVE_MID,
    "joint_action_success_rate": 0.02,
    "problems_open": RELATIVE_MID,
    "problems_resolved_share": ABSOLUTE_MID,
    "bridging_tie_share": ABSOLUTE_MID,
    "org_network_density": ABSOLUTE_MID,
    "co_building_agreements": RELATIVE_MID,
    "non_party_convened_share": ABSOLUTE_MID,
    "cross_type_agreement_share": ABSOLUTE_MID,
    "org_cross_type_tie_share": ABSOLUTE_MID,
    "org_presence_hours_party": RELATIVE_MID,
    "org_presence_hours_department": RELATIVE_MID,
    "org_presence_hours_enterprise": RELATIVE_MID,
    "org_presence_hours_social_org": RELATIVE_MID,
    "social_organizations": RELATIVE_MID,
    "volunteer_share": RELATIVE_MID,
    "registered_volunteer_share": RELATIVE_MID,
    "trust_mean": ABSOLUTE_MID,
    "service_consciousness_mean": ABSOLUTE_MID,
    "cogov_consciousness_mean": ABSOLUTE_MID,
    "identification_mean": ABSOLUTE_MID,
    "consensus": ABSOLUTE_MID,
    "gci_presence": ABSOLUTE_MID,
    "gci_linkage": ABSOLUTE_MID,
    "gci_action": ABSOLUTE_MID,
    "gci_consciousness": ABSOLUTE_MID,
    "gci": ABSOLUTE_MID,
}
"""Minimum important difference per indicator: a number is absolute (in the indicator's units), ``"5%"`` relative
to the baseline mean. Counts and means on an open scale are relative (5%; so are ``volunteer_share`` and
``registered_volunteer_share``, a few percent of people); shares and indices on a 0-1 scale are absolute (0.01;
the 30-day success rate, a ratio of few actions, 0.02). An indicator not listed gets :data:`RELATIVE_MID`."""

PERCENT_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*%\s*$")
"""A relative MID as written: a non-negative number followed by ``%``."""

VERDICTS: tuple[str, ...] = ("up", "down", "unclear", "no_material_change", "identical", "small_n")
"""The values of the ``verdict`` column."""


def parse_mid(value: object) -> tuple[str, float]:
    """A MID as ``("relative", fraction)`` or ``("absolute", amount)``; ValueError for anything else.

    ``"5%"`` is relative (0.05 of the baseline mean); a non-negative finite number is absolute.
    """
    if isinstance(value, str):
        m = PERCENT_RE.match(value)
        if not m:
            raise ValueError(f"expected a non-negative number or a percentage such as '5%', got {value!r}")
        return ("relative", float(m.group(1)) / 100)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"expected a non-negative number or a percentage such as '5%', got {value!r}")
    return ("absolute", float(value))


def mid_for(indicator: str, baseline_mean: float, overrides: dict[str, float | str] | None = None) -> float:
    """The MID of ``indicator`` in its units (a relative MID times ``|baseline_mean|``; 0 when that is NaN)."""
    value = (overrides or {}).get(indicator, MIN_IMPORTANT.get(indicator, RELATIVE_MID))
    kind, amount = parse_mid(value)
    if kind == "absolute":
        return amount
    return amount * abs(baseline_mean) if math.isfinite(baseline_mean) else 0.0


def verdict(diff: float, low: float, high: float, mid: float) -> str:
    """The reading of an effect (one of :data:`VERDICTS`); see the module's text for the rule."""
    if any(math.isnan(v) for v in (diff, low, high)):
        return "small_n"
    if low == high == 0:
        return "identical"
    if abs(diff) <= mid:
        return "no_material_change"
    if low > 0:
        return "up"
    if high < 0:
        return "down"
    return "unclear"


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
    mean, low, high = paired_t(d[:, None])
    return (float(mean[0]), float(low[0]), float(high[0]))


def paired_t(diffs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The paired t interval of every column of ``diffs`` (replications × outcomes, NaN-free) at once.

    Returns:
        ``(mean, low, high)``, one value per column: ``mean ± t_{n-1} · sd/√n``; NaN ends with fewer than two
        rows (and a NaN mean with none).
    """
    d = np.asarray(diffs, dtype=float)
    n = d.shape[0]
    if n == 0:
        nan = np.full(d.shape[1], math.nan)
        return (nan, nan, nan.copy())
    mean = d.mean(axis=0)
    if n < 2:
        nan = np.full(d.shape[1], math.nan)
        return (mean, nan, nan.copy())
    half = float(t_critical(np.asarray(n))) * d.std(axis=0, ddof=1) / math.sqrt(n)
    return (mean, mean - half, mean + half)


def _window_values(frame: pd.DataFrame, indicators: Sequence[str], window: str, start_day: int) -> pd.DataFrame:
    """One row per replication: each indicator in the window (``frame``: one arm's daily rows)."""
    last = frame["day"].max()
    if window == "final_day":
        keep = frame["day"] == last
    elif window == "after_start":
        keep = frame["day"] >= start_day
    else:
        n_days = int(window.split("_")[1])
        keep = frame["day"] > last - n_days
    return frame.loc[keep, ["replication", *indicators]].groupby("replication").mean()


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
    min_important: dict[str, float | str] | None = None,
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
        min_important: MIDs that replace the defaults of :data:`MIN_IMPORTANT` (indicator -> value).

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
            b_all = _window_values(base, indicators, window, start)
            p_all = _window_values(pol, indicators, window, start)
            common = b_all.index.intersection(p_all.index)  # replications where both arms finished
            bs = b_all.loc[common, list(indicators)].to_numpy(dtype=float)
            ps = p_all.loc[common, list(indicators)].to_numpy(dtype=float)
            clean = ~np.isnan(ps - bs).any(axis=0)  # the t interval of these columns is computed at once
            t_all = paired_t((ps - bs)[:, clean]) if interval == "t" else None
            t_col = np.cumsum(clean) - 1
            for j, ind in enumerate(indicators):
                b, p = bs[:, j], ps[:, j]
                both = ~(np.isnan(b) | np.isnan(p))
                b, p = b[both], p[both]
                if t_all is not None and clean[j]:
                    diff, lo, hi = (float(v[t_col[j]]) for v in t_all)
                else:
                    rng = np.random.default_rng(
                        [seed, zlib.crc32(name.encode()), zlib.crc32(ind.encode()), zlib.crc32(window.encode()), *salt]
                    )
                    diff, lo, hi = paired_interval(p - b, interval, rng, bootstrap_samples)
                b_mean = float(b.mean()) if len(b) else math.nan
                mid = mid_for(ind, b_mean, min_important)
                rows.append(
                    {
                        "policy": name,
                        "indicator": ind,
                        "baseline_mean": b_mean,
                        "policy_mean": float(p.mean()) if len(p) else math.nan,
                        "diff": diff,
                        "ci_low": lo,
                        "ci_high": hi,
                        "rel_change": diff / b_mean if len(b) and b_mean != 0 else math.nan,
                        "n": len(b),
                        "window": window,
                        "mid": mid,
                        "verdict": verdict(diff, lo, hi, mid),
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
    min_important: dict[str, float | str] | None = None,
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
        min_important: MIDs replacing the defaults (relative ones are taken of the reference's mean).
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
            min_important=min_important,
        )
        part = part.rename(columns={"baseline_mean": "reference_mean"})
        part.insert(1, "reference", b)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)[list(CONTRAST_COLUMNS)]
