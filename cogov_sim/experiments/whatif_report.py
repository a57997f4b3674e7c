"""The what-if report: trajectory and forest figures and ``report.md``, drawn from the effect tables.

:func:`write_outputs` writes a what-if's tables (:mod:`~cogov_sim.experiments.effects`) and then
``plots/trajectory_<x>.png``, ``plots/forest.png`` and ``report.md``. Figures use matplotlib's object API
(``Figure``), no pyplot state. Figures and report take a language (``lang``, ``en`` or ``zh``): their fixed text
comes from :mod:`cogov_sim.i18n`; the numbers and the CSV tables are the same in both.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cogov_sim.experiments.effects import BASELINE, contrasts_table, effects_table, trajectory_table
from cogov_sim.experiments.store import atomic_write, write_csv
from cogov_sim.experiments.whatif import WhatIf
from cogov_sim.experiments.whatif_areas import unit_lines
from cogov_sim.experiments.whatif_map import write_unit_outputs
from cogov_sim.i18n import label, meaning, text
from cogov_sim.plotting import Figure
from cogov_sim.scenario.base import in_lang

ARM_COLORS: tuple[str, ...] = ("#444444", "#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2")


def _arm(name: str, lang: str) -> str:
    """An arm's name as shown: the policy's own name, the baseline in words."""
    return text("wi.baseline", lang) if name == BASELINE else name


def trajectory_figure(
    traj: pd.DataFrame, indicator: str, markers: dict[str, list[tuple[int, str]]], lang: str = "en"
) -> Figure:
    """The indicator's trajectory per arm (mean, 95% band) above the paired difference from the baseline.

    Args:
        traj: the :func:`trajectory_table`.
        indicator: indicator to draw.
        markers: policy -> ``(day, "start" | "end")`` of its interventions (vertical lines).
        lang: language of the titles, labels and legend.
    """
    fig = Figure(figsize=(8.5, 6.2), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    part = traj[traj["indicator"] == indicator]
    names = list(dict.fromkeys(part["policy"]))
    for k, name in enumerate(names):
        arm = part[part["policy"] == name]
        color = ARM_COLORS[k % len(ARM_COLORS)]
        top.plot(arm["day"], arm["mean"], color=color, lw=1.4, label=_arm(name, lang))
        top.fill_between(arm["day"], arm["low"], arm["high"], color=color, alpha=0.18, lw=0)
        if name != BASELINE:
            bottom.plot(arm["day"], arm["diff"], color=color, lw=1.4, label=name)
            bottom.fill_between(arm["day"], arm["diff_low"], arm["diff_high"], color=color, alpha=0.2, lw=0)
        for day, what in markers.get(name, []):
            for ax in (top, bottom):
                ax.axvline(day, color=color, ls="--" if what == "start" else ":", lw=1.0, alpha=0.9)
    bottom.axhline(0.0, color="black", lw=0.8)
    shown = label(indicator, lang)
    top.set_title(text("wi.trajectory", lang, indicator=shown))
    top.set_ylabel(shown)
    top.legend(loc="best", fontsize=8)
    bottom.set_title(text("wi.paired", lang), fontsize=10)
    bottom.set_ylabel(text("wi.diff_axis", lang))
    bottom.set_xlabel(text("dash.day", lang))
    return fig


def _window_label(window: str, lang: str) -> str:
    """A window's short name for a legend (``final day``, ``last 30 days``)."""
    if window in ("final_day", "after_start"):
        return text(f"wi.window.{window}", lang)
    return text("wi.window.last", lang, days=window.split("_")[1])


def forest_figure(effects: pd.DataFrame, lang: str = "en") -> Figure:
    """Forest plot on one scale: each effect as a relative change from the baseline (%), with its 95% interval.

    One row per indicator and policy, one marker per window; ``diff``, ``ci_low`` and ``ci_high`` are divided by
    ``|baseline_mean|`` (the raw numbers stay in the tables); the grey band behind each marker is ± the MID on the
    same scale. An effect whose baseline mean is 0 has no relative change and is left out (its row says so).
    """
    indicators = list(dict.fromkeys(effects["indicator"]))
    policies = list(dict.fromkeys(effects["policy"]))
    windows = list(dict.fromkeys(effects["window"]))
    rows = [(ind, pol) for ind in indicators for pol in policies]
    fig = Figure(figsize=(8.5, 1.4 + 0.2 * len(rows) * max(len(windows), 1.5)), layout="constrained")
    ax = fig.subplots()
    shapes = ("o", "s", "^", "D")
    step = 0.8 / max(len(windows), 1)
    by = effects.set_index(["indicator", "policy", "window"])
    unscaled: set[int] = set()
    band_label = text("wi.forest_mid", lang)
    for wi, window in enumerate(windows):
        xs, ys, lows, highs = [], [], [], []
        for k, (ind, pol) in enumerate(rows):
            if (ind, pol, window) not in by.index:
                continue
            r = by.loc[(ind, pol, window)]
            base = abs(float(r["baseline_mean"]))
            y = k - 0.4 + step * (wi + 0.5)
            if not base or math.isnan(base):
                unscaled.add(k)
                continue
            mid = 100 * float(r["mid"]) / base if "mid" in r and not pd.isna(r["mid"]) else 0.0
            ax.fill_betweenx([y - step / 2, y + step / 2], -mid, mid, color="0.85", lw=0, label=band_label)
            band_label = "_nolegend_"
            xs.append(100 * float(r["diff"]) / base)
            lows.append(100 * float(r["ci_low"]) / base)
            highs.append(100 * float(r["ci_high"]) / base)
            ys.append(y)
        x, lo, hi = (np.asarray(v, dtype=float) for v in (xs, lows, highs))
        err = np.vstack([np.nan_to_num(x - lo), np.nan_to_num(hi - x)])
        ax.errorbar(x, ys, xerr=err, fmt=shapes[wi % len(shapes)], ms=4, capsize=3, lw=1,
                    label=_window_label(window, lang))  # fmt: skip
    ax.axvline(0.0, color="black", lw=0.8)
    names = []
    for k, (ind, pol) in enumerate(rows):
        name = f"{label(ind, lang)} · {pol}"
        names.append(name + (" " + text("wi.forest_zero", lang) if k in unscaled else ""))
    ax.set_yticks(np.arange(len(rows)), names, fontsize=8)
    for k in range(1, len(indicators)):
        ax.axhline(k * len(policies) - 0.5, color="0.6", lw=0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlabel(text("wi.forest_x", lang), fontsize=9)
    ax.legend(fontsize=7, loc="best")
    fig.suptitle(text("wi.forest_title", lang))
    return fig


def _fmt(x: float) -> str:
    """A number for the report: three significant digits, thousands separated."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _verdict(row: pd.Series, lang: str = "en") -> str:
    """The row's ``verdict`` (:func:`~cogov_sim.experiments.effects.verdict`) in words."""
    return text(f"wi.verdict.{row['verdict']}", lang)


def _signed(x: float) -> str:
    """A difference with its sign."""
    return ("+" if x > 0 else "") + _fmt(x)


def _answer_window(window: str, start: int, end: int, lang: str) -> str:
    """The window of an answer sentence with its days (``over days 60-300``)."""
    if window == "final_day":
        return text("wi.answer.final_day", lang, end=end)
    if window == "after_start":
        return text("wi.answer.after_start", lang, start=start, end=end)
    days = int(window.split("_")[1])
    return text("wi.answer.last", lang, days=days, start=max(end - days + 1, 1), end=end)


def _answer_sentence(rows: pd.DataFrame, reference: str, start: int, end: int, lang: str) -> str:
    """One policy against its reference in one window: the material changes, then the rest by verdict."""
    first = rows.iloc[0]
    ref_mean = "reference_mean" if "reference_mean" in rows else "baseline_mean"
    groups: dict[str, list[str]] = {}
    changes = []
    for _, r in rows.iterrows():
        shown = label(r["indicator"], lang)
        v = r["verdict"]
        if v in ("up", "down"):
            rel = r["rel_change"]
            changes.append(
                text(
                    "wi.answer.change",
                    lang,
                    indicator=shown,
                    direction=text(f"wi.answer.{v}", lang),
                    rel="" if pd.isna(rel) else f" {abs(rel):.0%}" if abs(rel) >= 0.095 else f" {abs(rel):.1%}",
                    diff=_signed(r["diff"]),
                    low=_fmt(r["ci_low"]),
                    high=_fmt(r["ci_high"]),
                    before=_fmt(r[ref_mean]),
                    after=_fmt(r["policy_mean"]),
                )
            )
        elif v == "unclear":
            item = text("wi.answer.unclear_item", lang, indicator=shown, diff=_signed(r["diff"]),
                        low=_fmt(r["ci_low"]), high=_fmt(r["ci_high"]))  # fmt: skip
            groups.setdefault("unclear", []).append(item)
        else:
            groups.setdefault("none" if v == "no_material_change" else v, []).append(shown)
    sep = text("wi.answer.list_sep", lang)
    parts = changes + [
        text(f"wi.answer.{k}", lang, items=sep.join(groups[k]))
        for k in ("unclear", "none", "identical", "small_n")
        if k in groups
    ]
    ref = (
        text("wi.answer.baseline", lang) if reference == BASELINE else text("wi.answer.reference", lang, name=reference)
    )
    return text(
        "wi.answer.sentence",
        lang,
        policy=first["policy"],
        reference=ref,
        window=_answer_window(first["window"], start, end, lang),
        n=int(rows["n"].min()),
        parts=text("wi.answer.sep", lang).join(parts),
    )


def answer_lines(wf: WhatIf, effects: pd.DataFrame, contrasts: pd.DataFrame | None, lang: str = "en") -> list[str]:
    """The report's first section: for each policy, then each contrast, one sentence per window."""
    starts = {p.name: p.start_day for p in wf.arms}
    lines = [f"## {text('wi.answer', lang)}", "", text("wi.answer.intro", lang), ""]
    frames = [effects] if contrasts is None or not len(contrasts) else [effects, contrasts]
    for frame in frames:
        keys = ["policy", "reference"] if "reference" in frame else ["policy"]
        for key, part in frame.groupby(keys, sort=False):
            name, ref = (key[0], key[1]) if len(keys) == 2 else (key[0], BASELINE)
            start = max(starts.get(name, 1), starts.get(ref, 1))
            for _, rows in part.groupby("window", sort=False):
                lines.append("- " + _answer_sentence(rows, ref, start, wf.days, lang))
    lines.append("")
    return lines


def _window_text(window: str, lang: str = "en") -> str:
    if window in ("final_day", "after_start"):
        return text(f"wi.window.{window}.long", lang)
    return text("wi.window.last.long", lang, days=window.split("_")[1])


def _window_tables(frame: pd.DataFrame, contrast: bool, lang: str = "en") -> list[str]:
    """Markdown tables, one per window, of effects against the baseline or (``contrast``) against a reference."""
    first, ref = ("wi.col.contrast", "wi.col.reference") if contrast else ("wi.col.policy", "wi.col.baseline")
    keys = (first, "wi.col.indicator", ref, "wi.col.policy", "wi.col.diff", "wi.col.rel", "wi.col.mid")
    head = [text(k, lang) for k in keys]
    lines: list[str] = []
    for window in dict.fromkeys(frame["window"]):
        lines += ["### " + text("wi.window", lang, window=window, text=_window_text(window, lang)), ""]
        lines += [
            f"| {' | '.join(head)} | n | {text('wi.col.reading', lang)} |",
            "|---|---|---:|---:|---|---:|---:|---:|---|",
        ]
        for _, r in frame[frame["window"] == window].iterrows():
            arm = f"{r['policy']} − {r['reference']}" if contrast else r["policy"]
            ref_mean = r["reference_mean"] if contrast else r["baseline_mean"]
            rel = "–" if pd.isna(r["rel_change"]) else f"{r['rel_change']:+.1%}"
            lines.append(
                f"| {arm} | {_indicator(r['indicator'], lang)} | {_fmt(ref_mean)} | {_fmt(r['policy_mean'])}"
                f" | {_fmt(r['diff'])} [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}] | {rel} | {_fmt(r['mid'])}"
                f" | {int(r['n'])}"
                f" | {_verdict(r, lang)} |"
            )
        lines.append("")
    return lines


def _indicator(name: str, lang: str, code: bool = False) -> str:
    """An indicator as the report names it: its column name (``code``: in backticks), in Chinese after its label."""
    shown = f"`{name}`" if code else name
    return shown if lang == "en" else f"{label(name, lang)} {shown}"


def report_markdown(
    wf: WhatIf,
    runs: pd.DataFrame,
    effects: pd.DataFrame,
    plot_files: Sequence[str],
    contrasts: pd.DataFrame | None = None,
    lang: str = "en",
    units: dict[str, pd.DataFrame] | None = None,
) -> str:
    """``report.md``: the question, the answer, who gains and loses, the setup, the policies, effects, the plots.

    ``units`` are the tables of :func:`~cogov_sim.experiments.whatif_areas.unit_effects` (who gains and loses).
    """
    spec = wf.spec
    lines = [f"# {text('wi.title', lang, name=wf.name)}", ""]
    if spec.question:
        lines += [text("wi.question", lang, question=in_lang(spec.question, lang).strip()), ""]
    if spec.description:
        lines += [in_lang(spec.description, lang).strip(), ""]
    lines += answer_lines(wf, effects, contrasts, lang)
    if units is not None and len(units["area"]):
        lines += unit_lines(wf, units, lambda w, start: _answer_window(w, start, wf.days, lang), lang)
    status = runs["status"].value_counts().to_dict()
    ok_wall = runs.loc[runs["status"] == "ok", "wall_time_s"]
    overrides = ", ".join(f"`{k}={v}`" for k, v in spec.overrides.items()) or text("wi.none", lang)
    wall = _fmt(float(ok_wall.mean())) if len(ok_wall) else "–"
    runs_line = text("wi.setup.runs", lang, runs=len(runs), ok=status.get("ok", 0), failed=status.get("failed", 0),
                     lost=status.get("lost", 0), wall=wall)  # fmt: skip
    lines += [
        f"## {text('wi.setup', lang)}",
        "",
        "- " + text("wi.setup.base", lang, base=spec.base_scenario, hash=wf.base_hash, overrides=overrides),
        "- " + text("wi.setup.days", lang, days=wf.days, reps=spec.replications, seed=spec.seed),
        "- " + runs_line,
        "- " + text("wi.setup.t" if spec.interval == "t" else "wi.setup.bootstrap", lang),
        "",
        f"## {text('wi.policies', lang)}",
        "",
    ]
    for p in wf.policies:
        about = in_lang(p.description, lang).strip()
        lines.append(text("wi.policy", lang, name=p.name, day=p.start_day, description=about))
        lines.append("")
        if not p.interventions:
            lines.append("- " + text("wi.no_interventions", lang))
        for iv in p.interventions:
            name = "" if lang == "en" else f"**{label(iv.kind, lang, 'intervention')}** "  # the kind is English
            about = text(f"wi.iv.{iv.kind}", lang)
            lines.append(f"- {name}" + text("wi.iv.line", lang, summary=iv.summary(), description=about))
        lines.append("")
    lines += [f"## {text('wi.effects', lang)}", "", text("wi.effects.intro", lang), ""]
    lines += _window_tables(effects, contrast=False, lang=lang)
    if contrasts is not None and len(contrasts):
        lines += [f"## {text('wi.contrasts', lang)}", "", text("wi.contrasts.intro", lang), ""]
        lines += _window_tables(contrasts, contrast=True, lang=lang)
    lines += [f"## {text('wi.indicators', lang)}", ""]
    for ind in dict.fromkeys(effects["indicator"]):
        lines.append(f"- {_indicator(ind, lang, code=True)}: {meaning(ind, lang)}")
    lines += ["", f"## {text('wi.plots', lang)}", ""]
    for f in plot_files:
        lines += [f"![{Path(f).stem}]({f})", ""]
    lines += [text("wi.files", lang), ""]
    return "\n".join(lines)


def write_outputs(out: Path, wf: WhatIf, runs: pd.DataFrame, series: pd.DataFrame, lang: str = "en") -> list[Path]:
    """Write the effects, contrasts and trajectories, the effects by unit, the plots, maps and report; the paths.

    The files: ``effects.csv``, ``contrasts.csv``, ``trajectories.csv``, ``effects_by_{area,segment,actor}.csv``,
    ``plots/`` (with the maps of differences) and ``report.md``.

    ``lang`` (``en`` or ``zh``) is the language of the plots and the report; the CSV files do not depend on it.
    """
    out = Path(out)
    spec = wf.spec
    options = (spec.indicators, spec.windows, spec.interval, spec.seed, spec.bootstrap_samples)
    mids = spec.min_important
    eff = effects_table(runs, series, [(p.name, p.start_day) for p in wf.policies], *options, min_important=mids)
    files = [write_csv(out / "effects.csv", eff)]
    starts = {p.name: p.start_day for p in wf.arms}
    con = contrasts_table(runs, series, spec.contrasts, starts, *options, min_important=mids)
    if con is not None:
        files.append(write_csv(out / "contrasts.csv", con))
    traj = trajectory_table(runs, series, spec.indicators)
    files.append(write_csv(out / "trajectories.csv", traj))
    plots = out / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    rel: list[str] = []
    markers = {p.name: p.marker_days for p in wf.policies}
    unit_files, units, maps = write_unit_outputs(
        out, wf, runs, series, lambda w, start: _answer_window(w, start, wf.days, lang), lang
    )
    files += unit_files
    figures: list[tuple[str, Callable[[], Figure]]] = []
    if len(eff):
        figures.append(("forest.png", lambda: forest_figure(eff, lang)))
    if len(traj):
        for ind in spec.indicators:
            figures.append((f"trajectory_{ind}.png", lambda ind=ind: trajectory_figure(traj, ind, markers, lang)))
    for name, make in figures:
        fig = make()
        files.append(atomic_write(plots / name, lambda f, fig=fig: fig.savefig(f, dpi=110, format="png")))
        rel.append(f"plots/{name}")
    body = report_markdown(wf, runs, eff, [*rel, *maps], con, lang, units).encode("utf-8")
    files.append(atomic_write(out / "report.md", lambda f: f.write(body)))
    return files
