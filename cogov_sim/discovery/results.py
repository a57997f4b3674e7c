"""A results folder as scenario discovery reads it: the runs, which columns are inputs, and the paired effects.

Any folder written by ``cogov sweep``, ``cogov whatif`` or ``cogov explore`` is read from its ``runs.parquet`` and
its resolved file (``experiment.resolved.yaml``, ``whatif.resolved.yaml``, ``exploration.resolved.yaml``), which
says what kind it is and which columns are inputs: a sweep's parameters, a what-if's ``policy``, an exploration's
uncertainties and ``policy``. Only runs with status ``ok`` are read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cogov_sim.experiments.effects import BASELINE, MIN_IMPORTANT, RELATIVE_MID, parse_mid
from cogov_sim.i18n import TEXTS, label, text
from cogov_sim.scenario import ScenarioError, read_yaml, shorten
from cogov_sim.vocabulary import INDICATORS

RESOLVED: dict[str, str] = {
    "exploration": "exploration.resolved.yaml",
    "whatif": "whatif.resolved.yaml",
    "sweep": "experiment.resolved.yaml",
}
"""Kind of results -> the resolved file its command writes."""

POLICY = "policy"
"""The arm column of what-if and exploration results."""


@dataclass(frozen=True)
class Results:
    """The finished runs of a results folder.

    Attributes:
        folder: the folder.
        kind: ``sweep``, ``whatif`` or ``exploration``.
        name: the experiment's name.
        runs: the runs with status ``ok``.
        inputs: the input columns (design parameters, uncertainties; ``policy`` for what-ifs and explorations).
        paths: input column -> the scenario path it sets (for its display name), where it sets one.
        resolved: the resolved file's content.
        n_all: runs in ``runs.parquet`` of any status.
    """

    folder: Path
    kind: str
    name: str
    runs: pd.DataFrame
    inputs: list[str]
    paths: dict[str, str] = field(default_factory=dict)
    resolved: dict[str, Any] = field(default_factory=dict)
    n_all: int = 0

    @property
    def has_arms(self) -> bool:
        """Whether the runs have a no-policy arm to take paired effects against."""
        return self.kind in ("whatif", "exploration") and BASELINE in set(self.runs[POLICY])

    @property
    def pair_keys(self) -> list[str]:
        """Columns that pair a policy run with its no-policy run (same future or replication, same seed)."""
        return ["point_index", "replication"] if self.kind == "exploration" else ["replication"]

    def display(self, column: str, lang: str = "en") -> str:
        """A person's name for an input column (a parameter's label, ``place``, ``policy``) or an indicator."""
        if column in INDICATORS:
            return label(column, lang)
        if column in self.paths:
            return label(self.paths[column], lang, "parameter")
        if f"dc.col.{column}" in TEXTS:
            return text(f"dc.col.{column}", lang)
        return column

    def policy_rows(self, policy: str | None) -> pd.DataFrame:
        """The runs of one arm (``policy``), or every run when ``None``."""
        if policy is None:
            return self.runs
        return self.runs[self.runs[POLICY] == policy]

    def paired(self, rows: pd.DataFrame, indicators: list[str]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Per row of ``rows`` (policy runs), each indicator's paired effect and its MID in the indicator's units.

        The effect is the run's final value minus that of the no-policy run of the same future and replication;
        the MID is the absolute one of ``MIN_IMPORTANT``, or its share of the no-policy run's value. A row without
        its no-policy run gets NaN.
        """
        base = self.runs[self.runs[POLICY] == BASELINE].set_index(self.pair_keys)
        keys = pd.MultiIndex.from_frame(rows[self.pair_keys]) if len(self.pair_keys) > 1 else rows[self.pair_keys[0]]
        effects: dict[str, np.ndarray] = {}
        mids: dict[str, np.ndarray] = {}
        for ind in indicators:
            ref = base[ind].reindex(keys).to_numpy(dtype=float)
            effects[ind] = rows[ind].to_numpy(dtype=float) - ref
            kind, amount = parse_mid(MIN_IMPORTANT.get(ind, RELATIVE_MID))
            mids[ind] = np.full(len(rows), amount) if kind == "absolute" else amount * np.abs(ref)
        return effects, mids


def read_results(folder: str | Path) -> Results:
    """Read a results folder.

    Raises:
        ScenarioError: naming the folder: it does not exist, holds no results of cogov sweep, whatif or explore,
            or no run finished.
    """
    root = Path(folder)
    where = shorten(str(folder), 160)
    if not root.is_dir():
        raise ScenarioError(where, "", "no such results folder")
    kind = next((k for k, f in RESOLVED.items() if (root / f).is_file()), None)
    if kind is None or not (root / "runs.parquet").is_file():
        raise ScenarioError(where, "", "no results here: the folder has no runs.parquet and resolved file of cogov"
                            " sweep, whatif or explore (run one into it first)")  # fmt: skip
    resolved = read_yaml(root / RESOLVED[kind])
    runs = pd.read_parquet(root / "runs.parquet")
    ok = runs[runs["status"] == "ok"].reset_index(drop=True)
    if ok.empty:
        raise ScenarioError(where, "runs.parquet", f"no finished run ({len(runs)} runs, none with status ok)")
    inputs, paths = _inputs(kind, resolved)
    name = str(resolved.get("name") or root.name) if isinstance(resolved, dict) else root.name
    return Results(root, kind, name, ok, inputs, paths, resolved if isinstance(resolved, dict) else {}, len(runs))


def _inputs(kind: str, resolved: Any) -> tuple[list[str], dict[str, str]]:
    """Input columns and their scenario paths, from the resolved file."""
    if kind == "whatif":
        return [POLICY], {}
    if kind == "exploration":
        entries = resolved.get("uncertainties", [])
        paths = {e["column"]: e["path"] for e in entries if e.get("path")}
        return [*(e["column"] for e in entries), POLICY], paths
    columns: list[str] = []
    paths: dict[str, str] = {}
    for p in resolved.get("parameters", []):
        column = p.get("name") or p.get("path")
        columns.append(column)
        if p.get("path"):
            paths[column] = p["path"]
    return columns, paths
