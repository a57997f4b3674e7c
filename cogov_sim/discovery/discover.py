"""``cogov discover RESULTS --where "EXPRESSION"``: under which conditions does the condition hold?

Reads a results folder (:mod:`~cogov_sim.discovery.results`), evaluates the condition on every finished run
(:mod:`~cogov_sim.discovery.expression`; with ``effect(x)`` on every policy run against its paired no-policy run),
and searches the inputs with PRIM and CART (:mod:`~cogov_sim.discovery.boxes`). Writes, in ``RESULTS/discover/``
(or ``--out``):

- ``discover.json``: the condition, the rows, the chosen box (limits, quasi-p, coverage, density) and the statement;
- ``trajectory.csv``: the peeling trajectory (``id, coverage, density, mass, res_dim, n, k, max_qp, chosen``);
- ``box.csv``: the chosen box per restricted input (``column, low, high, full_low, full_high, values, qp``);
- ``cart_leaves.csv`` and ``tree.txt``: the CART tree's leaves and its text;
- ``report.md`` and ``plots/`` (``prim_trajectory.png``, ``prim_box.png``, ``cart_tree.png``), in ``--lang``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from cogov_sim.discovery.boxes import (
    CART_DEPTH,
    MASS_MIN,
    CartResult,
    Discovery,
    PrimResult,
    prepare_inputs,
    run_cart,
    run_prim,
)
from cogov_sim.discovery.discover_report import write_discovery
from cogov_sim.discovery.expression import WHERE, parse_condition
from cogov_sim.discovery.results import POLICY, Results, read_results
from cogov_sim.experiments.effects import BASELINE
from cogov_sim.scenario import EXIT_OK, ScenarioError, unknown_message
from cogov_sim.vocabulary import INDICATORS


def search(x: pd.DataFrame, y: np.ndarray, *, min_density: float, max_qp: float, depth: int = CART_DEPTH,
           mass_min: float = MASS_MIN) -> tuple[pd.DataFrame, PrimResult | None, CartResult | None]:  # fmt: skip
    """PRIM and CART of ``y`` over ``x``; ``None`` for both when ``y`` is all True or all False, or ``x`` empty."""
    prepared = prepare_inputs(x)
    if prepared.shape[1] == 0 or y.all() or not y.any():
        return prepared, None, None
    prim = run_prim(prepared, y, min_density=min_density, max_qp=max_qp, mass_min=mass_min)
    return prepared, prim, run_cart(prepared, y, depth=depth, mass_min=mass_min)


def discover(results: Results, where: str, *, policy: str | None = None, min_density: float = 0.8,
             max_qp: float = 0.05, depth: int = CART_DEPTH) -> Discovery:  # fmt: skip
    """Scenario discovery of the condition ``where`` on ``results``.

    Raises:
        ScenarioError: naming ``--where`` or ``--policy``: an unknown name, ``effect`` without a no-policy arm, an
            unknown policy, no run left to search.
    """
    allowed = {name: "indicator" for name in INDICATORS if name in results.runs.columns}
    allowed.update({c: "input" for c in results.inputs if c in results.runs.columns})
    cond = parse_condition(where, allowed, [n for n in INDICATORS if n in results.runs.columns],
                           effects_ok=results.has_arms)  # fmt: skip
    runs = results.runs
    if policy is not None:
        arms = list(dict.fromkeys(runs[POLICY])) if POLICY in runs.columns else []
        if policy not in arms:
            raise ScenarioError("--policy", "", unknown_message(policy, arms, "policy") if arms
                                else "these results have no policies (a sweep)")  # fmt: skip
        if cond.effects and policy == BASELINE:
            raise ScenarioError("--policy", "", "effects are taken against the no-policy arm: pick another policy")
    rows_kind = "effects" if cond.effects else ("policy" if policy else "all")
    rows = runs[runs[POLICY] != BASELINE] if cond.effects else runs
    if policy is not None:
        rows = rows[rows[POLICY] == policy]
    rows = rows.reset_index(drop=True)
    if not len(rows):
        raise ScenarioError(WHERE, "", "no run to search (no finished policy run paired with a no-policy run)")
    effects, mids = results.paired(rows, sorted(cond.effects)) if cond.effects else ({}, {})
    columns = {c: rows[c].to_numpy() for c in cond.names}
    y = np.broadcast_to(cond.evaluate(columns, effects, mids), (len(rows),)).copy()
    inputs = [c for c in results.inputs if c in rows.columns and not (c == POLICY and policy is not None)]
    x, prim, cart = search(rows[inputs], y, min_density=min_density, max_qp=max_qp, depth=depth)
    return Discovery(where, rows_kind, policy, x, y, prim, cart)


def discover_command(args: argparse.Namespace) -> int:
    """The ``cogov discover`` command: write the discovery of ``--where`` on a results folder.

    Returns:
        0; bad input (an unknown name, an empty results folder, ...) raises ScenarioError (exit 2 from the CLI).
    """
    results = read_results(args.results)
    found = discover(results, args.where, policy=args.policy, min_density=args.min_density, max_qp=args.max_qp,
                     depth=args.depth)  # fmt: skip
    out = Path(args.out) if args.out else results.folder / "discover"
    out.mkdir(parents=True, exist_ok=True)
    (out / "discover.json").write_text(json.dumps(found.to_json(), indent=2, ensure_ascii=False) + "\n")
    statement = write_discovery(out, results, found, args.lang)
    print(statement)
    print(f"wrote {out}/: report.md, discover.json, trajectory.csv, box.csv, cart_leaves.csv, tree.txt, plots/")
    return EXIT_OK
