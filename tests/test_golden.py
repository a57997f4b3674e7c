"""The baseline's golden summary: any change to the model's numbers shows up here (regenerate: make golden)."""

from __future__ import annotations

import json

import pytest

from tests.golden import GOLDEN, golden_run


def test_baseline_matches_golden_summary():
    stored = json.loads(GOLDEN.read_text(encoding="utf-8"))
    fresh = golden_run()
    assert fresh["scenario_hash"] == stored["scenario_hash"], "the baseline scenario changed: make golden"
    assert fresh["final"].keys() == stored["final"].keys()
    for name, value in stored["final"].items():
        assert fresh["final"][name] == pytest.approx(value, rel=1e-9, abs=1e-12), name
