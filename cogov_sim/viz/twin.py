"""The live counterfactual: a twin of the running model, started when the first what-if is applied, without it.

The twin is a deep copy of the model (its World, event list and agents) taken just before the first what-if acts,
so both arms start from the same state. Every mechanism draws from its own stream, derived from the run seed, its
name and the day (:func:`cogov_sim.rng.stream`), and every intervention from streams of its own, so the twin draws
the same numbers as the running model wherever the what-ifs do not act (common random numbers): what differs
between the arms is what the what-ifs did. Later what-ifs act on the running model only; the twin stays the run
without any of them.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cogov_sim.model import CoGovModel

DIFFERENCES: tuple[str, ...] = (
    "visits",
    "joint_actions",
    "problems_resolved_share",
    "trust_mean",
    "cogov_consciousness_mean",
    "gci",
)
"""Indicators whose difference between the arms the app charts (running minus twin), in panel order."""


@dataclass
class Twin:
    """The arm without the what-ifs.

    Attributes:
        model: the twin's model (a deep copy of the running model when the first what-if was applied).
        start_day: the day counter when it was taken (the first what-if acts from the next day).
    """

    model: CoGovModel
    start_day: int

    @classmethod
    def start(cls, model: CoGovModel) -> Twin:
        """A twin of ``model`` as it is now (call it before the what-if changes anything)."""
        return cls(copy.deepcopy(model), model.day)

    def catch_up(self, day: int) -> None:
        """Step the twin until its day counter reaches ``day`` (the running model's)."""
        while self.model.day < day:
            self.model.step()

    @property
    def records(self) -> list[dict[str, float]]:
        """The twin's daily indicator records (the shared history before the what-if, then its own)."""
        return self.model.world.records


def differences(
    records: Sequence[dict[str, float]], twin: Sequence[dict[str, float]], names: Sequence[str] = DIFFERENCES
) -> pd.DataFrame:
    """Running minus twin, day by day, for ``names`` (columns ``day`` and each name; days both arms have run)."""
    n = min(len(records), len(twin))
    out = {"day": np.array([r["day"] for r in records[:n]], dtype=float)}
    for name in names:
        a = np.array([r.get(name, math.nan) for r in records[:n]], dtype=float)
        b = np.array([r.get(name, math.nan) for r in twin[:n]], dtype=float)
        out[name] = a - b
    return pd.DataFrame(out)


def same_records(a: dict[str, float], b: dict[str, float]) -> bool:
    """Whether two daily records hold the same values (NaN equal to NaN)."""
    if a.keys() != b.keys():
        return False
    return all(x == y or (isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y))
               for x, y in ((a[k], b[k]) for k in a))  # fmt: skip
