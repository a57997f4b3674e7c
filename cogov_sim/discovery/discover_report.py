"""The figures, tables and ``report.md`` of a scenario discovery, and its plain-language statement.

Figures use matplotlib's object API (``Figure`` from :mod:`cogov_sim.plotting`, which brings the CJK font); every
text a person reads comes from the i18n catalogue (``dc.`` keys of :mod:`cogov_sim.i18n.discover_texts`) in English
or Chinese; the CSV and JSON files keep the model's names.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg

from cogov_sim.discovery.boxes import MASS_MIN, Discovery, Limit, PrimResult
from cogov_sim.discovery.results import Results
from cogov_sim.experiments.store import atomic_write, write_csv
from cogov_sim.i18n import text
from cogov_sim.plotting import Figure

DPI = 110
"""Resolution of the figures."""

LABEL_LEFT_OF = 0.6
"""The chosen box's label goes to the left of its marker beyond this coverage."""


def pct(v: float) -> str:
    """A share as a percentage for a person (``78%``)."""
    return f"{100 * v:.0f}%" if np.isfinite(v) else "–"


def num(v: float | None) -> str:
    """A limit for a person: three significant digits."""
    return "–" if v is None else f"{v:.3g}"


def describe_limit(lim: Limit, name: str, lang: str) -> str:
    """One restriction in words: ``threshold is at most 0.62``, ``place is dense or sparse``."""
    if lim.categorical:
        return text("dc.is", lang, name=name, values=text("dc.or", lang).join(lim.values))
    low_cut = lim.low is not None and lim.full_low is not None and lim.low > lim.full_low
    high_cut = lim.high is not None and lim.full_high is not None and lim.high < lim.full_high
    if low_cut and high_cut:
        return text("dc.between", lang, name=name, low=num(lim.low), high=num(lim.high))
    if low_cut:
        return text("dc.at_least", lang, name=name, low=num(lim.low))
    return text("dc.at_most", lang, name=name, high=num(lim.high))


def statement(prim: PrimResult | None, y: np.ndarray, where: str, names: dict[str, str], lang: str) -> str:
    """The plain-language statement of the chosen box (``In 78% of the runs where ... holds; ...``)."""
    if prim is None or not prim.limits:
        return text("dc.statement.none", lang, where=where, density=pct(float(np.mean(y)) if len(y) else np.nan))
    s = prim.stats
    conditions = text("dc.and", lang).join(describe_limit(lim, names.get(lim.column, lim.column), lang)
                                           for lim in prim.limits)  # fmt: skip
    return text("dc.statement", lang, density=pct(s["density"]), conditions=conditions, where=where,
                coverage=pct(s["coverage"]), k=int(s["k"]), total=int(np.sum(y)), mass=pct(s["mass"]), n=int(s["n"]),
                runs=len(y))  # fmt: skip


def trajectory_figure(prim: PrimResult, lang: str) -> Figure:
    """Coverage against density of every box on the peeling trajectory, colored by restricted dimensions."""
    fig = Figure(figsize=(6.4, 4.8), layout="constrained")
    ax = fig.add_subplot()
    t = prim.trajectory
    sc = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=22)
    fig.colorbar(sc, ax=ax, label=text("dc.res_dim", lang))
    row = t[t["id"] == prim.chosen].iloc[0]
    ax.scatter([row["coverage"]], [row["density"]], s=160, facecolors="none", edgecolors="crimson", linewidths=2)
    left = row["coverage"] > LABEL_LEFT_OF  # keep the label inside the axes
    ax.annotate(text("dc.chosen", lang, id=prim.chosen), (row["coverage"], row["density"]),
                xytext=(-10 if left else 10, -16), ha="right" if left else "left", textcoords="offset points",
                color="crimson")  # fmt: skip
    ax.axhline(prim.min_density, color="grey", ls=":", lw=1)
    ax.set_xlabel(text("dc.coverage", lang))
    ax.set_ylabel(text("dc.density", lang))
    ax.set_title(text("dc.trajectory", lang))
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    return fig


def box_figure(prim: PrimResult, names: dict[str, str], lang: str) -> Figure:
    """Each restricted input's box limits on its full range (0-1 scale; categories as kept/dropped)."""
    lims = prim.limits
    fig = Figure(figsize=(7.2, 1.2 + 0.6 * max(len(lims), 1)), layout="constrained")
    ax = fig.add_subplot()
    for i, lim in enumerate(lims):
        ax.barh(i, 1.0, color="0.88", height=0.6)
        if lim.categorical:
            shown = text("dc.box_range", lang, box="/".join(lim.values), full="/".join(lim.all_values))
            ax.barh(i, len(lim.values) / max(len(lim.all_values), 1), color="tab:blue", height=0.6)
        else:
            span = (lim.full_high or 0) - (lim.full_low or 0) or 1.0
            lo, hi = ((lim.low or 0) - (lim.full_low or 0)) / span, ((lim.high or 0) - (lim.full_low or 0)) / span
            ax.barh(i, hi - lo, left=lo, color="tab:blue", height=0.6)
            box, full = f"[{num(lim.low)}, {num(lim.high)}]", f"[{num(lim.full_low)}, {num(lim.full_high)}]"
            shown = text("dc.box_range", lang, box=box, full=full)
        qp = f"qp {lim.qp:.2g}" if np.isfinite(lim.qp) else ""
        ax.text(1.02, i, f"{shown}  {qp}", va="center", fontsize=8)
    ax.set_yticks(range(len(lims)), [names.get(lim.column, lim.column) for lim in lims])
    ax.set_xlim(0, 1.9)
    ax.set_xticks([0, 0.5, 1])
    ax.invert_yaxis()
    ax.set_title(text("dc.box_title", lang, id=prim.chosen), fontsize=10)
    return fig


def tree_figure(found: Discovery, names: dict[str, str], lang: str) -> Figure:
    """The CART tree drawn by scikit-learn, inputs and classes named in ``lang``."""
    from sklearn.tree import plot_tree

    assert found.cart is not None
    fig = Figure(figsize=(11, 6), layout="constrained")
    FigureCanvasAgg(fig)  # plot_tree measures text with the canvas's renderer
    ax = fig.add_subplot()
    features = []
    for f in found.cart.features:
        col, sep, value = f.partition("=")
        features.append(f"{names.get(col, col)}={value}" if sep else names.get(col, col))
    plot_tree(found.cart.tree, feature_names=features, class_names=[text("dc.no", lang), text("dc.yes", lang)],
              filled=True, impurity=False, proportion=False, fontsize=7, ax=ax)  # fmt: skip
    ax.set_title(text("dc.tree_title", lang, where=found.where))
    return fig


def _save(path: Path, fig: Figure) -> Path:
    return atomic_write(path, lambda f: fig.savefig(f, dpi=DPI, format="png"))


def write_discovery(out: Path, results: Results, found: Discovery, lang: str = "en", *, title: bool = True) -> str:
    """Write the tables, figures and ``report.md`` of ``found`` into ``out``; return the statement."""
    names = {c: results.display(c, lang) for c in found.x.columns}
    plots = out / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    lines = report_lines(results, found, names, lang, plots="plots", title=title)
    if found.prim is not None:
        write_csv(out / "trajectory.csv", found.prim.trajectory)
        write_csv(out / "box.csv", box_table(found.prim))
        _save(plots / "prim_trajectory.png", trajectory_figure(found.prim, lang))
        _save(plots / "prim_box.png", box_figure(found.prim, names, lang))
    if found.cart is not None:
        write_csv(out / "cart_leaves.csv", found.cart.leaves)
        (out / "tree.txt").write_text(found.cart.text, encoding="utf-8")
        _save(plots / "cart_tree.png", tree_figure(found, names, lang))
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return statement(found.prim, found.y, found.where, names, lang)


def box_table(prim: PrimResult) -> pd.DataFrame:
    """``box.csv``: one row per restricted input of the chosen box."""
    return pd.DataFrame([{"column": lim.column, "low": lim.low, "high": lim.high, "full_low": lim.full_low,
                          "full_high": lim.full_high, "values": "|".join(lim.values), "qp": lim.qp}
                         for lim in prim.limits])  # fmt: skip


def report_lines(results: Results, found: Discovery, names: dict[str, str], lang: str, *, plots: str,
                 title: bool = True, level: int = 2) -> list[str]:  # fmt: skip
    """The discovery in Markdown (``report.md``; a section of the robustness report with ``title=False``)."""
    h = "#" * level
    lines = [f"# {text('dc.title', lang, name=results.name)}", ""] if title else []
    rows = (
        text("dc.rows.effects", lang)
        if found.rows == "effects"
        else (
            text("dc.rows.policy", lang, policy=found.policy) if found.rows == "policy" else text("dc.rows.all", lang)
        )
    )
    lines += [text("dc.condition", lang, where=found.where), "",
              text("dc.rows", lang, n=len(found.y), rows=rows, k=int(found.y.sum()), share=pct(float(found.y.mean()))),
              text("dc.inputs", lang, inputs=", ".join(names.values()) or "–"), "",
              f"{h} {text('dc.answer', lang)}", ""]  # fmt: skip
    lines += [statement(found.prim, found.y, found.where, names, lang), ""]
    prim = found.prim
    if prim is None or not prim.limits:
        return lines
    lines += [text(f"dc.rule.{prim.reason}", lang, id=prim.chosen, min_density=pct(prim.min_density),
                   max_qp=prim.max_qp), "", f"{h} {text('dc.prim', lang)}", "", text("dc.box_header", lang),
              "|---|---|---|---|"]  # fmt: skip
    for lim in prim.limits:
        if lim.categorical:
            box, full = ", ".join(lim.values), ", ".join(lim.all_values)
        else:
            box, full = f"[{num(lim.low)}, {num(lim.high)}]", f"[{num(lim.full_low)}, {num(lim.full_high)}]"
        qp = f"{lim.qp:.2g}" if np.isfinite(lim.qp) else "–"
        lines.append(f"| {names.get(lim.column, lim.column)} | {box} | {full} | {qp} |")
    lines += ["", text("dc.qp_note", lang), "", f"{h} {text('dc.trajectory', lang)}", "",
              text("dc.trajectory_note", lang), "", f"![]({plots}/prim_trajectory.png)", "",
              f"![]({plots}/prim_box.png)", ""]  # fmt: skip
    cart = found.cart
    if cart is not None:
        first = names.get(cart.first_split, cart.first_split) if cart.first_split else text("dc.cart_none", lang)
        leaf = max(1, int(np.ceil(MASS_MIN * len(found.y))))
        lines += [f"{h} {text('dc.cart', lang)}", "",
                  text("dc.cart_note", lang, depth=cart.tree.get_depth(), leaf=leaf, first=first), "",
                  text("dc.leaf_header", lang), "|---|---|---|---|---|---|"]  # fmt: skip
        for r in cart.leaves.itertuples():
            lines.append(f"| {r.leaf} | `{r.rule}` | {r.n} | {r.k} | {pct(r.density)} | {pct(r.coverage)} |")
        lines += ["", f"![]({plots}/cart_tree.png)", ""]
    return lines
