"""``report.md`` of one run: what ran, the indicators on the final day with their meanings, and the plots.

In English or Chinese (``lang``); the indicator's column name stays beside its display name, so the table can be
read against ``timeseries.csv``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cogov_sim.i18n import label, meaning, text
from cogov_sim.scenario import Scenario
from cogov_sim.scenario.base import in_lang
from cogov_sim.vocabulary import INDICATORS


def _value(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def run_markdown(
    scenario: Scenario, meta: Mapping[str, Any], final: Mapping[str, float], plots: Sequence[str], lang: str = "en"
) -> str:
    """The text of a run's ``report.md``.

    Args:
        scenario: the resolved scenario that ran.
        meta: the run's metadata (``seed``, ``days``, ``wall_time_s``; see :func:`cogov_sim.simulation.simulate`).
        final: indicator -> value on the final day.
        plots: plot files relative to the output folder, embedded in this order.
        lang: ``en`` or ``zh``.
    """
    lines = [f"# {text('run.title', lang, name=scenario.name)}", ""]
    about = in_lang(scenario.description, lang).strip()
    if about:
        lines += [about, ""]
    wall = meta.get("wall_time_s", float("nan"))
    lines += [
        text(
            "run.setup",
            lang,
            name=scenario.name,
            hash=scenario.hash(),
            seed=meta.get("seed"),
            days=meta.get("days", scenario.days),
            wall=f"{wall:.1f}",
        ),
        "",
        f"## {text('run.final', lang)}",
        "",
        f"| {text('run.col.indicator', lang)} | {text('run.col.column', lang)} | {text('run.col.value', lang)} |"
        f" {text('run.col.meaning', lang)} |",
        "|---|---|---:|---|",
    ]
    for name in INDICATORS:
        if name in final:
            lines.append(f"| {label(name, lang)} | `{name}` | {_value(final[name])} | {meaning(name, lang)} |")
    lines.append("")
    if plots:
        lines += [f"## {text('run.plots', lang)}", ""]
        for f in plots:
            lines += [f"![{Path(f).stem}]({f})", ""]
    lines += [text("run.files", lang), ""]
    return "\n".join(lines)
