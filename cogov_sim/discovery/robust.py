"""Robustness of policies across futures: distributions, regret, satisficing, and the rankings they give.

For one outcome (an indicator's final value), a direction (``maximize`` or ``minimize``) and an optional threshold:
the value of each arm (the no-policy arm and every policy) in each future is its mean over the future's
replications; a future counts only when every arm finished in it. Then per arm:

- the distribution across futures: ``mean``, ``p10``, ``median``, ``p90`` (in the outcome's units);
- **regret** in a future: how far the arm falls short of the best arm of that same future (``best − value`` when
  maximizing, ``value − best`` when minimizing; 0 for the best), its ``mean_regret`` and ``max_regret``
  (Savage's minimax regret);
- the **satisficing** share: futures where the outcome meets the threshold (``>=`` when maximizing, ``<=`` when
  minimizing).

The **ranking** by each metric (1 is best): ``mean`` and ``bad_case`` (the 10th percentile when maximizing, the
90th when minimizing) the better the larger (smaller when minimizing), regrets the smaller the better,
satisficing the larger. Ties share the better rank. The metrics need not agree: that is the point of showing them.

The futures are an exploration's design points; in a what-if, each paired replication is a future (the only
uncertainty is the seed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cogov_sim.discovery.results import POLICY, Results
from cogov_sim.scenario import ScenarioError

METRICS: tuple[str, ...] = ("mean", "bad_case", "mean_regret", "max_regret", "satisficing")
"""The metrics a ranking is made by."""

BAD_CASE_QUANTILE = 0.1
"""The bad case: the 10th percentile of the outcome across futures (the 90th when minimizing)."""


@dataclass(frozen=True)
class Robustness:
    """The robustness of every arm for one outcome.

    Attributes:
        outcome, direction, threshold: what was judged.
        values: one row per future, one column per arm (the outcome in that future).
        regret: the same shape: each arm's regret in each future.
        table: one row per arm: ``arm, mean, p10, median, p90, bad_case, mean_regret, max_regret, satisficing``.
        ranks: one row per arm, one column per metric of :data:`METRICS`: its rank (1 is best).
        futures: the uncertainty columns of each future (index: the future), for discovering where an arm fails.
        dropped: futures left out because an arm did not finish there.
    """

    outcome: str
    direction: str
    threshold: float | None
    values: pd.DataFrame
    regret: pd.DataFrame
    table: pd.DataFrame
    ranks: pd.DataFrame
    futures: pd.DataFrame
    dropped: int

    @property
    def first_by(self) -> dict[str, list[str]]:
        """Metric -> the arms ranked first by it."""
        return {m: list(self.ranks.index[self.ranks[m] == 1]) for m in METRICS if m in self.ranks}

    def meets(self) -> pd.DataFrame:
        """Per future and arm, whether the outcome meets the threshold (requires a threshold)."""
        assert self.threshold is not None
        if self.direction == "maximize":
            return self.values >= self.threshold
        return self.values <= self.threshold


def future_key(results: Results) -> str:
    """The column naming a future: the design point of an exploration, the replication of a what-if."""
    return "point_index" if results.kind == "exploration" else "replication"


def robustness(
    results: Results, outcome: str, direction: str = "maximize", threshold: float | None = None
) -> Robustness:
    """The robustness of every arm of ``results`` for ``outcome``.

    Raises:
        ScenarioError: the results have no arms (a sweep), or no future where every arm finished.
    """
    if results.kind == "sweep":
        raise ScenarioError(str(results.folder), "", "robustness compares policies: run a what-if or an exploration")
    runs = results.runs
    key = future_key(results)
    arms = list(dict.fromkeys(runs[POLICY]))
    wide = runs.pivot_table(index=key, columns=POLICY, values=outcome, aggfunc="mean")[arms]
    complete = wide.dropna()
    if complete.empty:
        raise ScenarioError(str(results.folder), "runs.parquet", f"no future where every arm finished ({outcome})")
    sign = 1.0 if direction == "maximize" else -1.0
    oriented = sign * complete
    regret = oriented.max(axis=1).to_numpy()[:, None] - oriented
    rows = []
    for arm in arms:
        v = complete[arm]
        bad = v.quantile(BAD_CASE_QUANTILE if direction == "maximize" else 1 - BAD_CASE_QUANTILE)
        sat = np.nan
        if threshold is not None:
            sat = float((v >= threshold).mean() if direction == "maximize" else (v <= threshold).mean())
        rows.append({"arm": arm, "mean": v.mean(), "p10": v.quantile(0.1), "median": v.median(),
                     "p90": v.quantile(0.9), "bad_case": bad, "mean_regret": regret[arm].mean(),
                     "max_regret": regret[arm].max(), "satisficing": sat})  # fmt: skip
    table = pd.DataFrame(rows)
    ranks = rank_table(table.set_index("arm"), direction, threshold is not None)
    inputs = [c for c in results.inputs if c != POLICY and c in runs.columns]
    futures = runs.drop_duplicates(key).set_index(key)[inputs].loc[complete.index]
    return Robustness(outcome, direction, threshold, complete, regret, table, ranks, futures,
                      len(wide) - len(complete))  # fmt: skip


def rank_table(table: pd.DataFrame, direction: str, with_satisficing: bool) -> pd.DataFrame:
    """The rank of each arm (rows of ``table``) by each metric; 1 is best, ties share the better rank."""
    sign = 1.0 if direction == "maximize" else -1.0
    score = pd.DataFrame(
        {"mean": sign * table["mean"], "bad_case": sign * table["bad_case"], "mean_regret": -table["mean_regret"],
         "max_regret": -table["max_regret"]}, index=table.index)  # fmt: skip
    if with_satisficing:
        score["satisficing"] = table["satisficing"]
    return score.round(12).rank(ascending=False, method="min").astype(int)
