"""Shared fixtures: small scenarios that run in a second or two."""

from __future__ import annotations

from pathlib import Path

import pytest

from cogov_sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def small(name: str = "baseline", fraction: float = 0.05, **overrides: object) -> Scenario:
    """A shipped scenario at a small sample fraction (one agent per 1/fraction people)."""
    return load_scenario(SCENARIOS / f"{name}.yaml", {"population.sample_fraction": fraction, **overrides})


@pytest.fixture
def small_baseline() -> Scenario:
    """The baseline street at 5% sampling (~2,800 agents)."""
    return small()
