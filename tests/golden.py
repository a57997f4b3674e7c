"""Golden summary of the baseline: a small, fixed run whose final indicators are stored in the repository.

Regenerate after an intended model change with ``make golden`` (``python -m tests.golden regenerate``) and
commit the new ``tests/data/baseline_golden.json`` with a message that says why the numbers moved.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cogov_sim.scenario import load_scenario
from cogov_sim.simulation import simulate

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "baseline_golden.json"
SEED, DAYS, FRACTION = 20241, 90, 0.1


def golden_run() -> dict:
    """Final indicators and provenance of the golden baseline run."""
    sc = load_scenario(ROOT / "scenarios" / "baseline.yaml", {"population.sample_fraction": FRACTION})
    result = simulate(sc, SEED, DAYS)
    return {"seed": SEED, "days": DAYS, "sample_fraction": FRACTION, "scenario_hash": sc.hash(),
            "final": result.final}  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:] != ["regenerate"]:
        raise SystemExit("usage: python -m tests.golden regenerate")
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(json.dumps(golden_run(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
