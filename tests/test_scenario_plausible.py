"""Plausible ranges of scenario parameters: declared next to the validity bounds, shown in the parameter table."""

from __future__ import annotations

import pytest

from cogov_sim.scenario import json_schema, parameter_table, tunable_fields
from cogov_sim.scenario.base import plausible

REQUIRED = (
    "organizations.brokerage",
    "organizations.max_social_organizations",
    "organizations.mobilization_reach",
    "behaviour.agreement_hours",
    "behaviour.agreement_successes",
    "behaviour.actor_diversity_effect",
    "behaviour.emergent_convening_threshold",
    "behaviour.complementarity_weight",
)


def test_every_plausible_range_lies_within_the_allowed_bounds_and_holds_the_default():
    declared = [t for t in tunable_fields() if t.plausible is not None]
    assert len(declared) >= len(REQUIRED)
    for t in declared:
        lo, hi = t.plausible
        assert t.lower <= lo <= t.default <= hi, t.path
        assert hi <= t.upper, t.path  # the sliders and sweep bounds cover the plausible range


def test_the_parameters_of_the_multi_actor_rules_have_a_plausible_range():
    fields = {t.path: t for t in tunable_fields()}
    missing = [p for p in REQUIRED if fields[p].plausible is None]
    assert not missing
    assert fields["behaviour.actor_diversity_effect"].plausible == (0.0, 1.0)
    assert fields["behaviour.actor_diversity_effect"].default == 0.5


def test_the_parameter_table_shows_allowed_and_plausible():
    table = parameter_table()
    header = table.splitlines()[0]
    assert header == "| parameter | default | allowed | plausible | meaning, unit, source |"
    row = next(r for r in table.splitlines() if r.startswith("| `behaviour.actor_diversity_effect` |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1:4] == ["0.5", "≥ -2, ≤ 3", "0 to 1"]
    assert all(r.count("|") == header.count("|") for r in table.splitlines() if r.startswith("| `"))


def test_the_json_schema_carries_the_plausible_range():
    behaviour = json_schema()["$defs"]["Behaviour"]["properties"]
    assert behaviour["actor_diversity_effect"]["plausible"] == [0, 1]


def test_a_plausible_range_must_be_ordered():
    with pytest.raises(ValueError, match="lower <= upper"):
        plausible(2, 1)
