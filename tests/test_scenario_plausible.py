"""Plausible ranges of scenario parameters: declared next to the validity bounds, shown in the parameter table."""

from __future__ import annotations

from itertools import pairwise

import pytest

from cogov_sim.scenario import Scenario, json_schema, parameter_table, tunable_fields
from cogov_sim.scenario.base import plausible, plausible_range
from cogov_sim.scenario.behaviour import Behaviour
from cogov_sim.scenario.schema import Organizations

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
PLACE_COUNTS = ("departments", "enterprises", "social_organizations")
"""Organizations fields that count what the place holds (its starting actors), not how they behave: no range."""
TIE_LEVELS = ("acquaintance_hours", "casual_hours", "friend_hours", "close_hours")
"""The tie thresholds, which a scenario must keep in this order."""


def _bounds(field) -> tuple[float | None, bool, float | None]:
    """The field's own lower bound, whether it is strict (gt), and its upper bound (le), from its metadata."""
    lower, strict, upper = None, False, None
    for meta in field.metadata:
        if getattr(meta, "ge", None) is not None:
            lower, strict = meta.ge, False
        if getattr(meta, "gt", None) is not None:
            lower, strict = meta.gt, True
        if getattr(meta, "le", None) is not None:
            upper = meta.le
    return lower, strict, upper


def _behavioural_numbers() -> list[tuple[str, object]]:
    fields = [(f"behaviour.{n}", f) for n, f in Behaviour.model_fields.items()]
    fields += [(f"organizations.{n}", f) for n, f in Organizations.model_fields.items() if n not in PLACE_COUNTS]
    return [(path, f) for path, f in fields if f.annotation in (int, float)]


def test_every_plausible_range_lies_within_the_allowed_bounds_and_holds_the_default():
    declared = [t for t in tunable_fields() if t.plausible is not None]
    assert len(declared) >= len(REQUIRED)
    for t in declared:
        lo, hi = t.plausible
        assert t.lower <= lo <= t.default <= hi, t.path
        assert hi <= t.upper, t.path  # the sliders and sweep bounds cover the plausible range


def test_every_behaviour_and_organization_number_has_a_plausible_range_within_its_own_bounds():
    numbers = _behavioural_numbers()
    assert len(numbers) >= 50  # every numeric field of Behaviour and the behavioural part of Organizations
    for path, field in numbers:
        rng = plausible_range(field)
        assert rng is not None, path
        lo, hi = rng
        lower, strict, upper = _bounds(field)
        assert lo <= field.default <= hi, path
        if lower is not None:
            assert lo > lower if strict else lo >= lower, path
        if upper is not None:
            assert hi <= upper, path
        if field.annotation is int:
            assert lo == int(lo) and hi == int(hi), path


def test_the_place_counts_are_the_only_numbers_without_a_range():
    fields = {t.path: t for t in tunable_fields()}
    without = sorted(p for p, t in fields.items() if t.plausible is None)
    assert without == sorted(f"organizations.{n}" for n in PLACE_COUNTS)
    assert all(Organizations.model_fields[n].annotation is int for n in PLACE_COUNTS)


def test_any_draw_from_the_tie_thresholds_ranges_keeps_their_order():
    ranges = [plausible_range(Behaviour.model_fields[n]) for n in TIE_LEVELS]
    assert all(below[1] < above[0] for below, above in pairwise(ranges))
    # the two alternating corners put every neighbouring pair at its closest: both load
    for start in (0, 1):
        corner = {n: r[(i + start) % 2] for i, (n, r) in enumerate(zip(TIE_LEVELS, ranges, strict=True))}
        assert Scenario(behaviour=corner).behaviour.model_dump(include=set(TIE_LEVELS)) == corner


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
