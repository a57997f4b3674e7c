"""The scenario schema: shipped files load; bad input is refused with the file, field path and what is allowed."""

from __future__ import annotations

import copy

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cogov_sim.scenario import (
    FUNCTIONS,
    MAX_AGENTS,
    Scenario,
    ScenarioError,
    apply_overrides,
    load_scenario,
    scenario_from_dict,
    tunable_fields,
)
from tests.conftest import SCENARIOS

SHIPPED = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))


def test_all_scenarios_the_issue_names_are_shipped():
    expected = {"baseline", "sparse", "dense", "single_function", "mixed_function", "business_district", "new_town",
                "no_centers"}  # fmt: skip
    assert expected <= set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_loads_and_says_where_it_comes_from(name):
    text = (SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8")
    assert text.startswith("#"), "each scenario opens with a header comment saying what place it represents"
    sc = load_scenario(SCENARIOS / f"{name}.yaml")
    assert sc.name == name


def test_frozen():
    sc = Scenario()
    with pytest.raises(Exception, match="frozen"):
        sc.name = "x"  # type: ignore[misc]


def test_every_field_has_a_description_with_source_or_assumption():
    def walk(model, prefix=""):
        for name, field in model.model_fields.items():
            ann = field.annotation
            if isinstance(ann, type) and hasattr(ann, "model_fields"):
                yield from walk(ann, f"{prefix}{name}.")
            elif prefix.startswith(("behaviour", "organizations")):
                yield f"{prefix}{name}", field.description or ""

    missing = [p for p, d in walk(Scenario) if not any(w in d for w in ("Evidence", "Assumption", "assumption"))]
    assert missing == []


def _data(name: str = "baseline") -> dict:
    return yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [
        (lambda d: d.update(populaton={}), "populaton", "Did you mean 'population'"),
        (lambda d: d["population"].update(residents="many"), "population.residents", "valid integer"),
        (lambda d: d["centers"]["grid"].update(count=-3), "centers.grid.count", "greater than or equal to 0"),
        (lambda d: d["population"].update(party_member_share=1.5), "population.party_member_share", "less than"),
        (lambda d: d["population"].update(segments={"elderly": 0.5, "rider": 0.2}), "population.segments",
         "sum to 1"),
        (lambda d: d["centers"]["street"].update(functions=["canteen"]), "centers.street.functions.0", "allowed"),
        (lambda d: d["centers"].update(grd={}), "centers.grd", "Did you mean 'grid'"),
        (lambda d: d["population"].update(residents=10**9), "population.residents", "at most"),
        (lambda d: d["centers"]["grid"].update(placement="explicit", sites=[{"x_m": 99_999, "y_m": 1}]),
         "centers.grid", "outside the area"),
        (lambda d: d["centers"]["grid"].update(per_km2=3), "centers.grid", "one of count"),
    ],
)  # fmt: skip
def test_bad_input_names_file_and_field(mutate, path, fragment):
    data = _data()
    mutate(data)
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(data, file="x.yaml")
    assert err.value.file == "x.yaml"
    assert err.value.path.startswith(path)
    assert fragment in str(err.value)


def test_population_too_large_is_refused_before_allocating():
    with pytest.raises(ScenarioError, match="sample_fraction"):
        scenario_from_dict({"population": {"residents": MAX_AGENTS * 2}}, file="big.yaml")
    # the same people sampled at 1% are fine
    sc = scenario_from_dict({"population": {"residents": MAX_AGENTS * 2, "sample_fraction": 0.01}})
    assert sc.population.agents <= MAX_AGENTS


def test_overrides_are_checked_against_the_schema():
    out = apply_overrides(_data(), ["centers.residential.count=30", "behaviour.decay_per_km=2"])
    assert out["centers"]["residential"]["count"] == 30
    assert out["behaviour"]["decay_per_km"] == 2
    with pytest.raises(ScenarioError, match="Did you mean 'count'"):
        apply_overrides(_data(), ["centers.grid.cont=3"])
    with pytest.raises(ScenarioError, match="no sub-fields"):
        apply_overrides(_data(), ["population.residents.x=3"])


def test_center_density_forms_resolve_to_counts():
    sc = scenario_from_dict(
        {
            "area": {"width_m": 2000, "height_m": 1000},
            "population": {"residents": 40_000},
            "centers": {"grid": {"per_km2": 3}, "residential": {"per_10k_residents": 2.5}},
        }
    )
    assert sc.center_count("grid") == 6
    assert sc.center_count("residential") == 10
    assert sc.center_count("street") == 0


def test_tunable_fields_carry_schema_bounds():
    fields = {t.path: t for t in tunable_fields()}
    decay = fields["behaviour.decay_per_km"]
    assert (decay.lower, decay.upper, decay.default) == (0.1, 10, 2.15)  # the calibrated default (MODEL.md §10.1)
    assert fields["organizations.convening_per_week"].upper == 50


def test_hash_changes_with_content_only():
    a = load_scenario(SCENARIOS / "baseline.yaml")
    b = load_scenario(SCENARIOS / "baseline.yaml")
    c = load_scenario(SCENARIOS / "baseline.yaml", ["behaviour.decay_per_km=2.0"])
    assert a.hash() == b.hash() != c.hash()


LEAVES = [("population", "residents"), ("population", "party_member_share"), ("behaviour", "decay_per_km"),
          ("centers", "grid", "count"), ("centers", "street", "functions"), ("area", "width_m"),
          ("organizations", "departments"), ("centers", "residential", "open_slots"), ("days",)]  # fmt: skip
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**10), 10**10),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.sampled_from([*FUNCTIONS, "x", 1]), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(leaf=st.sampled_from(LEAVES), value=VALUES, extra_key=st.one_of(st.none(), st.text(min_size=1, max_size=6)))
def test_random_mutations_load_or_fail_cleanly(leaf, value, extra_key):
    data = copy.deepcopy(_data())
    node = data
    for part in leaf[:-1]:
        node = node.setdefault(part, {})
    node[leaf[-1]] = value
    if extra_key is not None:
        data[extra_key] = 1
    try:
        sc = scenario_from_dict(data, file="m.yaml")
    except ScenarioError as err:
        assert str(err).startswith("m.yaml")
    else:
        assert isinstance(sc, Scenario)


def test_names_are_safe_folder_names_and_chinese_is_welcome():
    from cogov_sim.scenario import name_problem

    for good in ("baseline", "旭辉滨江 街道", "what-if_1.2", "Ünïcode"):
        assert name_problem(good) is None, good
    for bad in ("", "../x", "a/b", "a\\b", "a\x00b", ".hidden", "-opt", "a..b", "end.", "x" * 101, "街" * 70):
        assert name_problem(bad), bad


def test_values_in_messages_are_bounded():
    from cogov_sim.scenario import one_line, show

    assert show(list(range(10**6))) == "[0, 1, 2, 3, ...]"
    assert len(show("x" * 10**6)) <= 80
    assert show({"a": 1}) == "a mapping of 1 keys"
    assert one_line("a\nb\x00c 中") == "a\\nb\\x00c 中"
    err = ScenarioError("f" * 5000, "p" * 5000, "m" * 10**6)
    assert len(str(err)) < 2_400 and "\n" not in str(err)
