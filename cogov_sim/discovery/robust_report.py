"""``cogov robust`` and the robustness report of an exploration: tables, plots, rankings and where each arm fails.

Writes, in ``RESULTS/robustness/`` (or ``--out``), per outcome judged: ``<outcome>_arms.csv`` (the metrics of each
arm), ``<outcome>_ranks.csv``, ``<outcome>_values.csv`` and ``<outcome>_regret.csv`` (per future and arm),
``plots/<outcome>_distribution.png`` and ``plots/<outcome>_regret.png``, and for an outcome with a threshold, the
scenario discovery of the futures where each arm misses it (PRIM and CART over the uncertainties,
:func:`~cogov_sim.discovery.discover.search`); then ``report.md`` in ``--lang``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cogov_sim.discovery.boxes import Discovery
from cogov_sim.discovery.discover import search
from cogov_sim.discovery.discover_report import pct, report_lines, write_discovery
from cogov_sim.discovery.results import Results, read_results
from cogov_sim.discovery.robust import METRICS, Robustness, robustness
from cogov_sim.experiments.store import atomic_write, write_csv
from cogov_sim.i18n import label, text
from cogov_sim.plotting import Figure
from cogov_sim.scenario import EXIT_OK, ScenarioError, unknown_message
from cogov_sim.vocabulary import INDICATORS

DPI = 110
"""Resolution of the figures."""


def _fmt(v: float) -> str:
    return "–" if not np.isfinite(v) else f"{v:.3g}"


def _box_figure(frame: Any, title: str, ylabel: str) -> Figure:
    fig = Figure(figsize=(7.0, 4.2), layout="constrained")
    ax = fig.add_subplot()
    arms = list(frame.columns)
    ax.boxplot([frame[a].to_numpy() for a in arms], tick_labels=arms, showmeans=True)
    rng = np.random.default_rng(0)  # jitter only, for the eye
    for i, a in enumerate(arms, start=1):
        ax.scatter(i + rng.uniform(-0.12, 0.12, len(frame)), frame[a], s=8, alpha=0.4, color="tab:blue")
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(ylabel)
    return fig


def _save(path: Path, fig: Figure) -> Path:
    return atomic_write(path, lambda f: fig.savefig(f, dpi=DPI, format="png"))


def write_robustness(results: Results, specs: Sequence[Any], lang: str = "en", *, out: Path | None = None,
                     question: str = "") -> list[Path]:  # fmt: skip
    """Judge every outcome of ``specs`` (``outcome``, ``direction``, ``threshold``); write tables, plots, report.

    Returns:
        The files written.
    """
    out = out or results.folder / "robustness"
    plots = out / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    lines = [f"# {text('rb.title', lang, name=results.name)}", ""]
    if question:
        lines += [text("rb.question", lang, question=question), ""]
    files: list[Path] = []
    for spec in specs:
        rb = robustness(results, spec.outcome, spec.direction, spec.threshold)
        if not files:
            arms = list(rb.values.columns)
            lines += [text("rb.setup", lang, futures=len(rb.values), arms=len(arms), policies=", ".join(arms[1:])), ""]
        o = spec.outcome
        for part, frame in (("arms", rb.table), ("ranks", rb.ranks.reset_index()), ("values", rb.values.reset_index()),
                            ("regret", rb.regret.reset_index())):  # fmt: skip
            files.append(write_csv(out / f"{o}_{part}.csv", frame))
        name = label(o, lang)
        files.append(_save(plots / f"{o}_distribution.png",
                           _box_figure(rb.values, text("rb.dist_title", lang, outcome=name), name)))  # fmt: skip
        files.append(_save(plots / f"{o}_regret.png", _box_figure(
            rb.regret, text("rb.regret_title", lang, outcome=name), text("rb.regret", lang))))  # fmt: skip
        lines += outcome_lines(results, rb, lang, out)
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [*files, out / "report.md"]


def outcome_lines(results: Results, rb: Robustness, lang: str, out: Path) -> list[str]:
    """The report's section on one outcome: the metrics, the ranks and their disagreements, where arms fail."""
    o, name = rb.outcome, label(rb.outcome, lang)
    threshold = ""
    if rb.threshold is not None:
        threshold = text("rb.threshold", lang, op=">=" if rb.direction == "maximize" else "<=", threshold=rb.threshold)
    direction = text(f"rb.{rb.direction}", lang)
    heading = text("rb.outcome", lang, outcome=name, direction=direction, threshold=threshold)
    lines = [f"## {heading}", "", text("rb.table_header", lang), "|---|---|---|---|---|---|---|---|"]
    for r in rb.table.itertuples():
        lines.append(f"| {r.arm} | {_fmt(r.mean)} | {_fmt(r.p10)} | {_fmt(r.median)} | {_fmt(r.p90)} |"
                     f" {_fmt(r.mean_regret)} | {_fmt(r.max_regret)} | {pct(r.satisficing)} |")  # fmt: skip
    metrics = [m for m in METRICS if m in rb.ranks.columns]
    shown = [text(f"rb.metric.{'p10' if m == 'bad_case' else m}", lang) for m in metrics]
    lines += ["", text("rb.rank_note", lang), "", text("rb.ranks_header", lang, metrics=" | ".join(shown)),
              "|---|" + "---|" * len(metrics)]  # fmt: skip
    for arm, row in rb.ranks.iterrows():
        lines.append(f"| {arm} | " + " | ".join(str(row[m]) for m in metrics) + " |")
    firsts = rb.first_by
    common = [arm for arm in rb.ranks.index if all(arm in v for v in firsts.values())]
    lines.append("")
    if common:  # one arm first (or tied first) by every metric
        lines.append(text("rb.agree", lang, arm=" / ".join(common)))
    else:
        pairs = zip(metrics, shown, strict=True)
        parts = [text("rb.first_by", lang, metric=s, arm=" / ".join(firsts[m])) for m, s in pairs]
        lines.append(text("rb.disagree", lang, parts="; ".join(parts)))
    lines += ["", f"![](plots/{o}_distribution.png)", "", f"![](plots/{o}_regret.png)", ""]
    if rb.threshold is None:
        return [*lines, text("rb.no_threshold", lang), ""]
    lines += [f"### {text('rb.fails', lang)}", ""]
    meets = rb.meets()
    for arm in rb.values.columns:
        fails = ~meets[arm].to_numpy()
        if not fails.any():
            lines += [text("rb.fails_none", lang, arm=arm), ""]
            continue
        if fails.all():
            lines += [text("rb.fails_all", lang, arm=arm), ""]
            continue
        where = f"{o} {'<' if rb.direction == 'maximize' else '>'} {rb.threshold:g}"
        x, prim, cart = search(rb.futures, fails, min_density=0.8, max_qp=0.05)
        found = Discovery(where, "policy", arm, x, fails, prim, cart)
        sub = out / f"{o}_fails_{arm}"
        sub.mkdir(parents=True, exist_ok=True)
        write_discovery(sub, results, found, lang)
        names = {c: results.display(c, lang) for c in x.columns}
        lines += [f"#### {arm}", "", *report_lines(results, found, names, lang, plots=f"{sub.name}/plots",
                                                   title=False, level=5)]  # fmt: skip
    return lines


def robust_command(args: argparse.Namespace) -> int:
    """The ``cogov robust`` command: judge one outcome of a what-if or exploration across its futures."""
    results = read_results(args.results)
    if args.outcome not in results.runs.columns:
        raise ScenarioError("--outcome", "", unknown_message(args.outcome, list(INDICATORS), "indicator"))
    spec = argparse.Namespace(outcome=args.outcome, direction=args.direction, threshold=args.threshold)
    out = Path(args.out) if args.out else results.folder / "robustness"
    write_robustness(results, [spec], args.lang, out=out)
    print(f"wrote {out}/: report.md, {args.outcome}_arms.csv, {args.outcome}_ranks.csv, plots/")
    return EXIT_OK
