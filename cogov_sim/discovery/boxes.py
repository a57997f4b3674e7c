"""PRIM and CART on a table of inputs and a yes/no outcome: the boxes and the tree of scenario discovery.

PRIM is EMA Workbench's (``ema_workbench.analysis.prim.Prim``, Friedman & Fisher 1999 as used for scenario
discovery by Bryant & Lempert 2010; install ``cogov-sim[ema]``): it peels the input space in small steps
(``peel_alpha`` of the remaining runs at a time) and records the *peeling trajectory*, each box's coverage (the share
of all runs of interest that lie in the box) against its density (the share of the box's runs that are of interest).
Each restricted dimension of a box carries a quasi-p value: a one-sided binomial test of whether lifting that
restriction would lower the density as much as it does by chance (EMA Workbench's ``qp values``).

The box chosen (:func:`choose_box`): among the boxes with density at least ``min_density`` whose every restriction
has quasi-p below ``max_qp``, the one with the best balance of the two, the largest harmonic mean of coverage and
density (``2·c·d / (c + d)``, the F1 score of the box as a classifier); if no box qualifies, the densest box (ties:
the greater coverage). CART is scikit-learn's ``DecisionTreeClassifier`` on the same inputs (places and
policies one-hot), with leaves of at least ``mass_min`` of the runs.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cogov_sim.scenario import ScenarioError

MIN_DENSITY = 0.8
"""Default: the chosen box must hold at least this share of runs of interest."""

MAX_QP = 0.05
"""Default: every restriction of the chosen box must have a quasi-p value below this."""

PEEL_ALPHA = 0.05
"""Share of the remaining runs PRIM peels off per step (EMA Workbench's default)."""

MASS_MIN = 0.05
"""Smallest box, and smallest CART leaf, as a share of the runs."""

CART_DEPTH = 3
"""Default depth of the CART tree."""


@dataclass(frozen=True)
class Limit:
    """One restricted dimension of a box.

    Attributes:
        column: the input column.
        low, high: the box's limits (numbers), or ``None`` for a categorical input.
        full_low, full_high: the column's range over all runs.
        values: the categories the box keeps (categorical inputs).
        all_values: every category of the column.
        qp: the quasi-p value of the restriction (the larger of its two sides; NaN when not computed).
    """

    column: str
    low: float | None
    high: float | None
    full_low: float | None
    full_high: float | None
    values: tuple[str, ...] = ()
    all_values: tuple[str, ...] = ()
    qp: float = math.nan

    @property
    def categorical(self) -> bool:
        """Whether the input is a choice (place, policy)."""
        return self.low is None


@dataclass(frozen=True)
class PrimResult:
    """What PRIM found.

    Attributes:
        trajectory: one row per box of the peeling trajectory: ``id, coverage, density, mass, res_dim, n, k``,
            ``max_qp`` (the largest quasi-p of its restrictions) and ``chosen``.
        chosen: the id of the chosen box.
        reason: ``density`` (reached ``min_density`` with significant restrictions) or ``densest`` (none did).
        limits: the chosen box's restricted dimensions.
        min_density, max_qp: the rule's thresholds.
        box: EMA Workbench's ``PrimBox`` (for further inspection).
    """

    trajectory: pd.DataFrame
    chosen: int
    reason: str
    limits: tuple[Limit, ...]
    min_density: float
    max_qp: float
    box: Any = None

    @property
    def stats(self) -> dict[str, float]:
        """The chosen box's coverage, density, mass, res_dim, n and k."""
        row = self.trajectory.loc[self.trajectory["id"] == self.chosen].iloc[0]
        return {k: float(row[k]) for k in ("coverage", "density", "mass", "res_dim", "n", "k")}


def import_prim() -> Any:
    """EMA Workbench's prim module, or a ScenarioError saying how to install it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # it warns at import that ipyparallel is missing
            from ema_workbench.analysis import prim
    except ImportError:
        raise ScenarioError("cogov discover", "", "needs EMA Workbench: pip install 'cogov-sim[ema]'") from None
    return prim


def prepare_inputs(x: pd.DataFrame) -> pd.DataFrame:
    """Inputs as PRIM and CART take them: numbers as float or int, choices as categories; constant columns dropped."""
    out = pd.DataFrame(index=x.index)
    for col in x.columns:
        s = x[col]
        if s.nunique(dropna=False) < 2:
            continue
        if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            out[col] = s.astype(str).astype("category")
        elif pd.api.types.is_integer_dtype(s):
            out[col] = s.astype(np.int64)
        else:
            out[col] = s.astype(np.float64)
    return out.reset_index(drop=True)


def run_prim(x: pd.DataFrame, y: np.ndarray, *, min_density: float = MIN_DENSITY, max_qp: float = MAX_QP,
             peel_alpha: float = PEEL_ALPHA, mass_min: float = MASS_MIN) -> PrimResult:  # fmt: skip
    """One PRIM box over inputs ``x`` (prepared by :func:`prepare_inputs`) for the yes/no outcome ``y``."""
    prim = import_prim()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = prim.Prim(x, np.asarray(y, dtype=int), peel_alpha=peel_alpha, mass_min=mass_min)
        box = p.find_box()
    traj = box.peeling_trajectory[["id", "coverage", "density", "mass", "res_dim", "n", "k"]].copy()
    traj["max_qp"] = [_max_qp(box.p_values[i]) for i in range(len(traj))]
    chosen, reason = choose_box(traj, min_density, max_qp)
    traj["chosen"] = traj["id"] == chosen
    return PrimResult(traj.reset_index(drop=True), chosen, reason, box_limits(box, chosen), min_density, max_qp, box)


def _max_qp(qp: dict[str, list[float]]) -> float:
    values = [v for sides in qp.values() for v in sides if v is not None and v >= 0]
    return max(values) if values else math.nan


def choose_box(trajectory: pd.DataFrame, min_density: float, max_qp: float) -> tuple[int, str]:
    """The id of the box chosen on a peeling trajectory and why (see the module's text).

    Among the boxes with density at least ``min_density`` whose every restriction has quasi-p below ``max_qp``,
    the one with the largest harmonic mean of coverage and density (ties: fewer restrictions, then the earlier
    box); without such a box, the densest (ties: the greater coverage).
    """
    qp_ok = (trajectory["max_qp"].isna() & (trajectory["res_dim"] == 0)) | (trajectory["max_qp"] < max_qp)
    good = trajectory[(trajectory["density"] >= min_density) & qp_ok].copy()
    if not good.empty:
        c, d = good["coverage"], good["density"]
        good["f"] = (2 * c * d / (c + d)).round(12)
        best = good.sort_values(["f", "res_dim", "id"], ascending=[False, True, True]).iloc[0]
        return int(best["id"]), "density"
    best = trajectory.sort_values(["density", "coverage", "id"], ascending=[False, False, True]).iloc[0]
    return int(best["id"]), "densest"


def box_limits(box: Any, i: int) -> tuple[Limit, ...]:
    """The restricted dimensions of box ``i`` of an EMA Workbench ``PrimBox``, with their quasi-p values."""
    lims, init = box.box_lims[i], box.prim.box_init
    qps = box.p_values[i]
    out: list[Limit] = []
    for col in init.columns:
        if np.all(lims[col].to_numpy() == init[col].to_numpy()):
            continue
        sides = [v for v in qps.get(col, []) if v is not None and v >= 0]
        qp = max(sides) if sides else math.nan
        low, high = lims[col].iloc[0], lims[col].iloc[1]
        if isinstance(low, set):
            out.append(Limit(col, None, None, None, None, tuple(sorted(map(str, low))),
                             tuple(sorted(map(str, init[col].iloc[0]))), qp))  # fmt: skip
        else:
            out.append(Limit(col, float(low), float(high), float(init[col].iloc[0]), float(init[col].iloc[1]),
                             qp=qp))  # fmt: skip
    return tuple(out)


@dataclass(frozen=True)
class CartResult:
    """A CART tree.

    Attributes:
        tree: the fitted ``DecisionTreeClassifier``.
        features: its feature names (one-hot columns ``place=dense``).
        first_split: the input column of the root split (``None`` when the tree is a single leaf).
        leaves: one row per leaf: ``leaf, rule, n, k, density, coverage``.
        text: ``sklearn.tree.export_text`` of the tree.
    """

    tree: Any
    features: list[str]
    first_split: str | None
    leaves: pd.DataFrame
    text: str


def one_hot(x: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Numbers as they are, each category of a choice as a 0/1 column ``column=value``; feature -> input column."""
    parts, origin = [], {}
    for col in x.columns:
        if isinstance(x[col].dtype, pd.CategoricalDtype):
            for value in x[col].cat.categories:
                name = f"{col}={value}"
                parts.append((x[col] == value).astype(float).rename(name))
                origin[name] = col
        else:
            parts.append(x[col].astype(float))
            origin[col] = col
    return pd.concat(parts, axis=1), origin


def run_cart(x: pd.DataFrame, y: np.ndarray, *, depth: int = CART_DEPTH, mass_min: float = MASS_MIN) -> CartResult:
    """A CART tree of the yes/no outcome ``y`` over inputs ``x`` (prepared by :func:`prepare_inputs`)."""
    from sklearn.tree import DecisionTreeClassifier, export_text

    features, origin = one_hot(x)
    y = np.asarray(y, dtype=bool)
    leaf = max(1, math.ceil(mass_min * len(y)))
    tree = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=leaf, random_state=0).fit(features.to_numpy(), y)
    names = list(features.columns)
    t = tree.tree_
    first = origin[names[t.feature[0]]] if t.node_count > 1 else None
    rows: list[dict[str, Any]] = []
    total = max(int(y.sum()), 1)
    leaf_of = tree.apply(features.to_numpy())

    def walk(node: int, rule: list[str]) -> None:
        if t.children_left[node] == -1:
            inside = leaf_of == node
            n, k = int(inside.sum()), int(y[inside].sum())
            rows.append({"leaf": node, "rule": " and ".join(rule) or "(all runs)", "n": n, "k": k,
                         "density": k / n if n else math.nan, "coverage": k / total})  # fmt: skip
            return
        name, thr = names[t.feature[node]], float(t.threshold[node])
        walk(t.children_left[node], [*rule, f"{name} <= {thr:.4g}"])
        walk(t.children_right[node], [*rule, f"{name} > {thr:.4g}"])

    walk(0, [])
    return CartResult(tree, names, first, pd.DataFrame(rows), export_text(tree, feature_names=names))


@dataclass(frozen=True)
class Discovery:
    """One scenario discovery: the rows searched, the outcome, and what PRIM and CART found.

    Attributes:
        where: the condition as written.
        rows: ``all``, ``policy`` (one arm) or ``effects`` (policy runs paired with their no-policy runs).
        policy: the arm searched (``--policy``), if one.
        x: the inputs searched (prepared: constant columns dropped).
        y: the condition per row.
        prim: PRIM's result (``None`` when the condition holds in no row or in every row).
        cart: CART's result (``None`` likewise).
    """

    where: str
    rows: str
    policy: str | None
    x: pd.DataFrame
    y: np.ndarray
    prim: PrimResult | None
    cart: CartResult | None

    def to_json(self) -> dict[str, Any]:
        """The machine-read summary (``discover.json``)."""
        out: dict[str, Any] = {"where": self.where, "rows": self.rows, "policy": self.policy,
                               "n": len(self.y), "k": int(self.y.sum()), "inputs": list(self.x.columns)}  # fmt: skip
        if self.prim is not None:
            out["prim"] = {
                "chosen": self.prim.chosen,
                "reason": self.prim.reason,
                "min_density": self.prim.min_density,
                "max_qp": self.prim.max_qp,
                **self.prim.stats,
                "limits": [_limit_json(lim) for lim in self.prim.limits],
            }
        if self.cart is not None:
            out["cart"] = {"first_split": self.cart.first_split}
        return out


def _limit_json(lim: Any) -> dict[str, Any]:
    if lim.categorical:
        return {"column": lim.column, "values": list(lim.values), "qp": _finite(lim.qp)}
    return {"column": lim.column, "low": lim.low, "high": lim.high, "full_low": lim.full_low,
            "full_high": lim.full_high, "qp": _finite(lim.qp)}  # fmt: skip


def _finite(v: float) -> float | None:
    return None if v is None or not np.isfinite(v) else float(v)
