"""Designs and seeds: sizes, orders, bounds, stratification, trajectories, determinism."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from cogov_sim.experiments import designs
from cogov_sim.experiments.spec import Experiment, load_experiment
from cogov_sim.experiments.sweep import plan

BASE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


def experiment(tmp_path: Path, design: Any, parameters: list[dict[str, Any]], **extra: Any) -> Experiment:
    data = {
        "name": "d",
        "base_scenario": str(BASE),
        "set": {"population.sample_fraction": 0.01},
        "days": 3,
        "seed": 11,
        "design": design,
        "parameters": parameters,
        **extra,
    }
    path = tmp_path / "d.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_experiment(path)


RANGED = [
    {"path": "behaviour.visit_scale", "name": "a", "type": "real", "range": [0.01, 0.05]},
    {"path": "behaviour.contacts_per_visit", "name": "b", "type": "int", "range": [1, 6]},
    {"path": "organizations.brokerage", "name": "c", "type": "real", "range": [0.1, 0.5]},
]


def test_full_factorial_first_parameter_slowest(tmp_path: Path) -> None:
    exp = experiment(
        tmp_path,
        "full_factorial",
        [
            {"path": "centers.residential.count", "name": "n", "type": "int", "levels": [0, 6]},
            {"path": "behaviour.visit_scale", "name": "v", "type": "real", "range": [0.01, 0.03], "steps": 3},
        ],
    )
    d = designs.build_design(exp)
    assert [tuple(p.values()) for p in d.points] == [
        (0, 0.01),
        (0, 0.02),
        (0, 0.03),
        (6, 0.01),
        (6, 0.02),
        (6, 0.03),
    ]
    assert exp.n_points == len(d) == 6
    assert d.raw.shape == (6, 2)


def test_full_factorial_choice_raw_is_level_index(tmp_path: Path) -> None:
    exp = experiment(
        tmp_path,
        "full_factorial",
        [{"path": "centers.residential.placement", "name": "p", "type": "choice", "levels": ["even", "random"]}],
    )
    d = designs.build_design(exp)
    assert [p["p"] for p in d.points] == ["even", "random"]
    assert d.raw[:, 0].tolist() == [0.0, 1.0]
    assert exp.scenario_data(d.points[1])["centers"]["residential"]["placement"] == "random"


def test_latin_hypercube_one_point_per_stratum(tmp_path: Path) -> None:
    n = 20
    exp = experiment(tmp_path, {"method": "latin_hypercube", "samples": n}, RANGED)
    d = designs.build_design(exp)
    assert len(d) == n
    for j, p in enumerate(exp.parameters):
        lo, hi = p.raw_bounds
        strata = np.floor((d.raw[:, j] - lo) / (hi - lo) * n).astype(int)
        assert sorted(strata) == list(range(n)), p.column
    b = [pt["b"] for pt in d.points]
    assert all(isinstance(v, int) and 1 <= v <= 6 for v in b)
    assert set(b) == set(range(1, 7))
    assert all(0.01 <= pt["a"] <= 0.05 for pt in d.points)


def test_sobol_size_bounds_and_seed(tmp_path: Path) -> None:
    exp = experiment(tmp_path, {"method": "sobol", "samples": 8}, RANGED)
    d = designs.build_design(exp)
    assert len(d) == exp.n_points == 8 * (3 + 2)
    bounds = np.array([p.raw_bounds for p in exp.parameters])
    assert ((d.raw >= bounds[:, 0]) & (d.raw <= bounds[:, 1])).all()
    again = designs.build_design(exp)
    np.testing.assert_array_equal(d.raw, again.raw)
    other = designs.sobol(exp.parameters, 8, designs.design_seed(12))
    assert not np.array_equal(d.raw, other.raw)
    # Saltelli blocks: A, then A with column j from B (j = 0..D-1), then B
    block = d.raw[:5]
    for j in range(3):
        changed = np.flatnonzero(block[1 + j] != block[0])
        assert changed.tolist() == [j]
    assert d.problem == {
        "num_vars": 3,
        "names": ["a", "b", "c"],
        "bounds": [list(p.raw_bounds) for p in exp.parameters],
    }


def test_morris_trajectories_change_one_parameter_per_step(tmp_path: Path) -> None:
    exp = experiment(tmp_path, {"method": "morris", "samples": 5, "levels": 4}, RANGED)
    d = designs.build_design(exp)
    assert len(d) == 5 * 4
    assert d.levels == 4
    for t in range(5):
        traj = d.raw[t * 4 : (t + 1) * 4]
        steps = [np.flatnonzero(~np.isclose(traj[k + 1], traj[k])) for k in range(3)]
        assert all(len(s) == 1 for s in steps)
        assert sorted(int(s[0]) for s in steps) == [0, 1, 2]
    # whole numbers sampled on [lower - 0.5, upper + 0.5] land on the range's ends and inside it
    assert {pt["b"] for pt in d.points} <= set(range(1, 7))
    assert {1, 6} <= {pt["b"] for pt in d.points}


def test_run_seed_is_the_spawned_child() -> None:
    root = np.random.SeedSequence(42)
    children = root.spawn(4)
    for i in range(4):
        grand = children[i].spawn(3)
        for r in range(3):
            assert designs.run_seed(42, i, r) == int(grand[r].generate_state(1, dtype=np.uint32)[0])
    seeds = {designs.run_seed(42, i, r) for i in range(50) for r in range(20)}
    assert len(seeds) == 1000
    assert designs.run_seed(43, 0, 0) != designs.run_seed(42, 0, 0)


def test_adding_replications_keeps_existing_run_ids(tmp_path: Path) -> None:
    params = [{"path": "behaviour.visit_scale", "type": "real", "levels": [0.01, 0.02, 0.03]}]
    two = plan(e := experiment(tmp_path, "full_factorial", params, replications=2), designs.build_design(e))
    three = plan(e := experiment(tmp_path, "full_factorial", params, replications=3), designs.build_design(e))
    assert len(two) == 6
    assert len(three) == 9
    assert {t.run_id for t in two} < {t.run_id for t in three}
    assert len({t.run_id for t in three}) == 9
    # the id names the content: another experiment seed gives other runs
    other = plan(e := experiment(tmp_path, "full_factorial", params, replications=2, seed=12), designs.build_design(e))
    assert not {t.run_id for t in other} & {t.run_id for t in two}


@pytest.mark.parametrize("method", ["latin_hypercube", "sobol", "morris"])
def test_design_frame_keeps_raw_values(tmp_path: Path, method: str) -> None:
    exp = experiment(tmp_path, {"method": method, "samples": 4}, RANGED)
    d = designs.build_design(exp)
    frame = d.frame()
    assert frame["point_index"].tolist() == list(range(len(d)))
    np.testing.assert_array_equal(frame[["a", "b", "c"]].to_numpy(), d.raw)
    assert [p["b"] for p in d.points] == [int(min(max(round(x), 1), 6)) for x in d.raw[:, 1]]
