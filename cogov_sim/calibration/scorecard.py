"""The scorecard: each target's measured mean and 95% interval across seeds against the evidence; a verdict.

The rule (:func:`verdict`), with [a, b] the 95% t-interval of the mean across seeds (the value itself with one
seed) and [lo, hi] the observed range (a value alone is the range [value, value]; an open end is infinite):

- **pass**: [a, b] overlaps [lo, hi];
- **near**: it does not, but overlaps the range widened by the target's uncertainty: [lo - u, hi + u] for an
  absolute uncertainty u, [lo / f, hi · f] for a factor f;
- **fail**: otherwise, or when the measure could not be computed on any seed.

A stylized fact (or a Shanghai figure) takes the worst verdict of its targets: it passes when every target of it
passes. :func:`score` builds ``scorecard.csv``, :func:`fact_table` the facts, :func:`markdown` ``scorecard.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cogov_sim.calibration.measures import describe
from cogov_sim.calibration.targets import Target
from cogov_sim.calibration.targets_file import Targets, runs_of
from cogov_sim.experiments.analysis import t_interval

VERDICTS: tuple[str, ...] = ("pass", "near", "fail")
"""Verdicts, best first."""

RULE = (
    "**pass**: the 95% interval of the mean across seeds overlaps the observed range; **near**: it overlaps the"
    " range widened by the target's uncertainty (± an absolute margin, or × / ÷ a factor); **fail**: otherwise. A"
    " fact takes the worst verdict of its targets."
)
"""The rule in one paragraph, as the scorecard states it."""


def verdict(low: float, high: float, band: tuple[float, float], near: tuple[float, float]) -> str:
    """``pass``, ``near`` or ``fail`` for the interval [low, high] against the observed and the widened range."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "fail"
    if low <= band[1] and high >= band[0]:
        return "pass"
    if low <= near[1] and high >= near[0]:
        return "near"
    return "fail"


def worst(verdicts: Sequence[str]) -> str:
    """The worst of some verdicts (``fail`` for none)."""
    return max(verdicts, key=VERDICTS.index) if verdicts else "fail"


def fmt(value: float | None) -> str:
    """A number in three significant digits (thousands grouped), ``-`` for a missing one."""
    if value is None or not math.isfinite(value):
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def observed_text(t: Target) -> str:
    """The observed value and range in words: ``0.6 (0.5 to 0.8) km``, ``≥ 0.75``, ``≤ 0.1``."""
    o = t.observed
    unit = f" {o.unit}" if o.unit else ""
    if o.range is None:
        return f"{fmt(o.value)}{unit}"
    lo, hi = o.range
    span = f"≥ {fmt(lo)}" if hi is None else f"≤ {fmt(hi)}" if lo is None else f"{fmt(lo)} to {fmt(hi)}"
    return f"{fmt(o.value)} ({span}){unit}" if o.value is not None else f"{span}{unit}"


def uncertainty_text(t: Target) -> str:
    """The uncertainty in words: ``± 0.2`` or ``× / ÷ 2``; empty without one."""
    u = t.uncertainty
    if u is None:
        return ""
    return f"± {fmt(u.absolute)}" if u.absolute is not None else f"× / ÷ {fmt(u.factor)}"


def run_text(targets: Targets, t: Target) -> str:
    """The runs a target is measured on: ``year: baseline, 365 d, f = 0.1``."""
    parts = []
    for name in dict.fromkeys(runs_of(t.measure)):
        r = targets.runs[name].spec
        changes = "".join(f", {k} = {v}" for k, v in r.set_.items())
        parts.append(f"{name}: {r.scenario}, {r.days} d, f = {r.sample_fraction:g}{changes}")
    return "; ".join(parts)


def score(targets: Targets, values: Mapping[str, Sequence[float]]) -> pd.DataFrame:
    """``scorecard.csv``: one row per target, in file order.

    Args:
        targets: the loaded targets file.
        values: target id -> the measure on each seed (NaN where undefined or the run failed).
    """
    rows = []
    for t in targets.targets:
        x = np.asarray(values.get(t.id, []), dtype=float)
        n = int(np.isfinite(x).sum())
        mean, sd, low, high = t_interval(x)
        if n == 1:
            low = high = mean
        band, near = t.observed.band, t.near_band()
        rows.append(
            {
                "id": t.id,
                "fact": t.fact,
                "shanghai": t.shanghai or "",
                "title": t.title,
                "measure": describe(t.measure),
                "runs": run_text(targets, t),
                "seeds": len(x),
                "n": n,
                "mean": mean,
                "sd": sd,
                "ci_low": low,
                "ci_high": high,
                "observed_value": t.observed.value,
                "observed_low": band[0],
                "observed_high": band[1],
                "unit": t.observed.unit,
                "uncertainty": uncertainty_text(t),
                "near_low": near[0],
                "near_high": near[1],
                "verdict": verdict(low, high, band, near),
                "source": t.source,
                "note": t.note,
            }
        )
    return pd.DataFrame(rows)


def fact_table(targets: Targets, card: pd.DataFrame) -> pd.DataFrame:
    """One row per stylized fact with targets: its name, its targets and verdicts, and its (worst) verdict."""
    rows = []
    facts = sorted({int(f) for f in card["fact"].dropna()} | set(targets.spec.facts))
    for fact in facts:
        part = card[card["fact"] == fact]
        rows.append(
            {
                "fact": fact,
                "name": targets.spec.facts.get(fact, ""),
                "targets": len(part),
                "verdict": worst(list(part["verdict"])) if len(part) else "no target",
                "detail": ", ".join(f"{i} {v}" for i, v in zip(part["id"], part["verdict"], strict=True)),
            }
        )
    return pd.DataFrame(rows, columns=["fact", "name", "targets", "verdict", "detail"])


def counts(verdicts: Sequence[str]) -> str:
    """``3 pass, 1 near, 2 fail``."""
    return ", ".join(f"{list(verdicts).count(v)} {v}" for v in VERDICTS)


def _measured(r: Any) -> str:
    if not r["n"]:
        return "not measured"
    unit = f" {r['unit']}" if r["unit"] else ""
    ci = f" [{fmt(r['ci_low'])}, {fmt(r['ci_high'])}]" if r["n"] > 1 else ""
    return f"{fmt(r['mean'])}{ci}{unit}"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(targets: Targets, card: pd.DataFrame, facts: pd.DataFrame, provenance: Sequence[str] = ()) -> str:
    """``scorecard.md``: one page a reader takes in without the code.

    Args:
        targets: the loaded targets file.
        card: :func:`score`'s table.
        facts: :func:`fact_table`'s table.
        provenance: lines said under the title (seeds, runs, model, date).
    """
    with_fact = facts[facts["targets"] > 0]
    lines = [f"# Scorecard: {targets.name}", ""]
    lines += [f"{p}  " for p in provenance]
    lines += [
        "",
        f"**Stylized facts** (Evidence §4): {counts(list(with_fact['verdict']))} of {len(with_fact)}."
        f" **All targets**: {counts(list(card['verdict']))} of {len(card)}.",
        "",
        RULE,
        "",
        "| fact | | verdict | targets |",
        "|---|---|---|---|",
    ]
    for _, f in with_fact.iterrows():
        lines.append(f"| {f['fact']} | {_cell(f['name'])} | **{f['verdict']}** | {_cell(f['detail'])} |")
    shanghai = card[card["shanghai"] != ""]
    if len(shanghai):
        lines += ["", "**Shanghai figures**: " + "; ".join(
            f"{name}: {worst(list(g['verdict']))}" for name, g in shanghai.groupby("shanghai", sort=False)
        ) + "."]  # fmt: skip
    lines += [
        "",
        "| target | fact | measured: mean [95% interval] | observed | verdict | source |",
        "|---|---|---|---|---|---|",
    ]
    by_id = {t.id: t for t in targets.targets}
    for _, r in card.iterrows():
        fact = "" if pd.isna(r["fact"]) else str(int(r["fact"]))
        obs = observed_text(by_id[r["id"]])
        unc = f", near {r['uncertainty']}" if r["uncertainty"] else ""
        lines.append(
            f"| {_cell(r['title'])} (`{r['id']}`) | {fact} | {_measured(r)} | {_cell(obs)}{_cell(unc)} |"
            f" **{r['verdict']}** | {_cell(r['source'])} |"
        )
    notes = card[(card["verdict"] != "pass") & (card["note"] != "")]
    if len(notes):
        lines += ["", "Notes on the targets not passed:", ""]
        lines += [f"- `{r['id']}` ({r['verdict']}): {r['note']}" for _, r in notes.iterrows()]
    return "\n".join(lines) + "\n"
