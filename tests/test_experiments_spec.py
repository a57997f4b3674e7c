"""The experiment file: shipped experiments load; bad files exit 2 with one message naming file and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from cogov_sim import cli
from cogov_sim.experiments.spec import load_experiment
from cogov_sim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "baseline.yaml"


def good(**changes: Any) -> dict[str, Any]:
    exp: dict[str, Any] = {
        "name": "t",
        "base_scenario": str(BASE),
        "set": {"population.sample_fraction": 0.01},
        "days": 5,
        "replications": 2,
        "design": "full_factorial",
        "parameters": [{"path": "behaviour.visit_scale", "type": "real", "levels": [0.01, 0.03]}],
    }
    exp.update(changes)
    return exp


def write(tmp_path: Path, data: Any, name: str = "exp.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "runs", "method"),
    [
        ("smoke", 4, "full_factorial"),
        ("density_sweep", 60, "full_factorial"),
        ("function_mix", 15, "full_factorial"),
        ("convening_capacity", 30, "full_factorial"),
        ("morris_screening", 110, "morris"),
    ],
)
def test_shipped_experiments_load(name: str, runs: int, method: str) -> None:
    exp = load_experiment(ROOT / "experiments" / f"{name}.yaml")
    assert exp.name == name
    assert exp.n_runs == runs
    assert exp.method == method
    assert Path(exp.base_file).resolve() == BASE.resolve()


def test_density_sweep_goes_from_none_to_every_home_within_ten_minutes() -> None:
    from scipy.spatial import cKDTree

    from cogov_sim.city import LEVELS, build_centers, build_layout
    from cogov_sim.scenario import scenario_from_dict

    exp = load_experiment(ROOT / "experiments" / "density_sweep.yaml")
    (param,) = exp.parameters
    assert exp.spec.replications == 10
    assert min(param.values) == 0
    share = {}
    for count in (min(param.values), 12):
        sc = scenario_from_dict(exp.scenario_data({param.column: count}))
        layout = build_layout(sc)
        centers = build_centers(sc, layout)
        res = centers.xy[centers.level == LEVELS.index("residential")]
        if not len(res):
            share[count] = 0.0
            continue
        dist = cKDTree(res).query(layout.homes)[0]
        minutes = dist * sc.behaviour.detour_factor / sc.behaviour.walk_m_per_min
        share[count] = float((minutes <= 10).mean())
    assert share[0] == 0.0
    assert share[12] == 1.0
    assert max(param.values) >= 12


def test_function_mix_is_a_choice_of_bundles() -> None:
    exp = load_experiment(ROOT / "experiments" / "function_mix.yaml")
    (param,) = exp.parameters
    assert param.kind == "choice"
    assert param.values == ("single_function", "party_and_services", "full_mix")
    data = exp.scenario_data({"function_mix": "single_function"})
    assert data["centers"]["residential"]["functions"] == ["party_building"]
    assert data["centers"]["grid"]["functions"] == ["party_building"]


def test_base_scenario_found_relative_to_project_root(tmp_path: Path) -> None:
    exp = load_experiment(write(tmp_path, good(base_scenario="scenarios/baseline.yaml")))
    assert Path(exp.base_file).resolve() == BASE.resolve()
    assert exp.days == 5
    assert exp.base_data["population"]["sample_fraction"] == 0.01


def test_validate_says_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", str(write(tmp_path, good()))]) == 0
    assert capsys.readouterr().out.strip() == "ok"


BAD: list[tuple[str, dict[str, Any], str, str]] = [
    ("unknown key", good(replication=3), "replication", "Did you mean 'replications'?"),
    (
        "unknown parameter key",
        good(parameters=[{"path": "behaviour.visit_scale", "rnage": [0, 1]}]),
        "parameters.0.rnage",
        "Did you mean 'range'?",
    ),
    (
        "path not in scenario",
        good(parameters=[{"path": "behaviour.visit_scal", "type": "real", "levels": [0.1]}]),
        "parameters.0.path",
        "Did you mean 'visit_scale'?",
    ),
    (
        "path under a missing section",
        good(parameters=[{"path": "behavior.visit_scale", "type": "real", "levels": [0.1]}]),
        "parameters.0.path",
        "Did you mean 'behaviour'?",
    ),
    (
        "lower above upper",
        good(
            design={"method": "latin_hypercube", "samples": 4},
            parameters=[{"path": "behaviour.visit_scale", "type": "real", "range": [0.5, 0.1]}],
        ),
        "parameters.0.range",
        "lower 0.5 is above upper 0.1",
    ),
    ("unknown design", good(design="grid_search"), "design", "unknown design 'grid_search'"),
    (
        "unknown design method",
        good(design={"method": "sobel", "samples": 8}),
        "design.method",
        "Did you mean 'sobol'?",
    ),
    ("zero replications", good(replications=0), "replications", "greater than or equal to 1"),
    ("missing base scenario", good(base_scenario="nowhere/base.yaml"), "base_scenario", "not found"),
    (
        "level outside the schema's bounds",
        good(parameters=[{"path": "behaviour.visit_scale", "type": "real", "levels": [0.01, -1]}]),
        "parameters.0.levels.1",
        "greater than or equal to 0",
    ),
    (
        "sobol sample not a power of two",
        good(
            design={"method": "sobol", "samples": 10},
            parameters=[{"path": "behaviour.visit_scale", "type": "real", "range": [0.01, 0.05]}],
        ),
        "design.samples",
        "power of 2",
    ),
    (
        "levels in a sampled design",
        good(design={"method": "morris", "samples": 4}),
        "parameters.0",
        "give range, not levels",
    ),
    (
        "real values for a whole-number field",
        good(parameters=[{"path": "behaviour.contacts_per_visit", "type": "real", "levels": [2, 3]}]),
        "parameters.0.type",
        "use type: int",
    ),
    (
        "not a number",
        good(parameters=[{"path": "centers.residential.placement", "type": "real", "levels": [1]}]),
        "parameters.0.path",
        "use type: choice",
    ),
    ("unknown indicator", good(indicators=["gcii"]), "indicators.0", "Did you mean 'gci'?"),
    (
        "days as a parameter",
        good(parameters=[{"path": "days", "type": "int", "levels": [10, 20]}]),
        "parameters.0.path",
        "experiment's `days`",
    ),
    (
        "duplicate column",
        good(
            parameters=[
                {"path": "behaviour.visit_scale", "type": "real", "levels": [0.01]},
                {"path": "behaviour.habit_gain", "name": "behaviour.visit_scale", "type": "real", "levels": [0.1]},
            ]
        ),
        "parameters.1",
        "already used by parameters.0",
    ),
    (
        "range without steps in a grid",
        good(parameters=[{"path": "behaviour.visit_scale", "type": "real", "range": [0.01, 0.05]}]),
        "parameters.0",
        "levels, or a range with steps",
    ),
    ("bad fixed change", good(set={"population.sample_fractio": 0.1}), "set.population.sample_fractio", "Did you mean"),
    (
        "invalid fixed value",
        good(set={"population.sample_fraction": 2}),
        "set.population.sample_fraction",
        "less than or equal to 1",
    ),
]


@pytest.mark.parametrize(("case", "data", "field", "text"), BAD, ids=[b[0] for b in BAD])
def test_bad_experiment_exits_2_with_one_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, data: dict[str, Any], field: str, text: str
) -> None:
    path = write(tmp_path, data)
    for command in (["validate", str(path)], ["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"]):
        assert cli.main(command) == 2, case
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0, err
        assert err.startswith(f"error: {path}: {field}: "), err
        assert text in err, err
        assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\ndesign: [full_factorial\n")
    with pytest.raises(ScenarioError, match="malformed YAML at line 3") as info:
        load_experiment(path)
    assert info.value.file == str(path)


def test_validate_dispatches_on_base_scenario_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, {"base_scenario": str(BASE), "parameters": []})
    assert cli.main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "design" in err
    assert "Field required" in err
