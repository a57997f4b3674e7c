"""Scenario discovery: PRIM and CART find a planted box; the --where expression is safe; bad input exits 2.

Every table here is synthetic (seeded), so the tests are fast and their answers known in advance.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from cogov_sim.cli import main
from cogov_sim.discovery.boxes import prepare_inputs, run_cart, run_prim
from cogov_sim.discovery.expression import parse_condition
from cogov_sim.scenario import ScenarioError
from cogov_sim.vocabulary import INDICATORS

TOLERANCE = 0.05
"""PRIM's limits must lie within this of the planted ones (inputs on [0, 1]; PRIM peels 5% of the runs a step)."""

PLANTED = {"a": (0.0, 0.3), "b": (0.2, 0.8)}
"""The planted box: the condition holds where a <= 0.3 and 0.2 <= b <= 0.8 (c and the place do not matter)."""


def planted_table(n: int = 600, noise: float = 0.03, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(
        {
            "a": rng.random(n),
            "b": rng.random(n),
            "c": rng.random(n),
            "place": rng.choice(["dense", "sparse", "baseline"], n),
        }
    )
    inside = (x["a"] <= PLANTED["a"][1]) & (x["b"] >= PLANTED["b"][0]) & (x["b"] <= PLANTED["b"][1])
    flip = rng.random(n) < noise
    return x, np.where(flip, ~inside, inside)


def test_prim_recovers_the_planted_box_and_cart_splits_first_on_the_planted_variable() -> None:
    x, y = planted_table()
    prepared = prepare_inputs(x)
    prim = run_prim(prepared, y, min_density=0.9)
    limits = {lim.column: lim for lim in prim.limits}
    assert set(limits) == {"a", "b"}  # c and the place are left free
    assert abs(limits["a"].high - PLANTED["a"][1]) <= TOLERANCE
    assert abs(limits["b"].low - PLANTED["b"][0]) <= TOLERANCE
    assert abs(limits["b"].high - PLANTED["b"][1]) <= TOLERANCE
    assert all(lim.qp < 0.05 for lim in prim.limits)
    s = prim.stats
    assert s["density"] >= 0.9 and s["coverage"] >= 0.7
    assert prim.reason == "density"
    chosen = prim.trajectory[prim.trajectory["chosen"]]
    assert list(chosen["id"]) == [prim.chosen]
    # the rule: no other box with density >= 0.9 and significant restrictions balances the two better
    t = prim.trajectory[(prim.trajectory["density"] >= 0.9) & (prim.trajectory["max_qp"] < 0.05)]
    f1 = 2 * t["coverage"] * t["density"] / (t["coverage"] + t["density"])
    assert f1.max() == pytest.approx(2 * s["coverage"] * s["density"] / (s["coverage"] + s["density"]))
    cart = run_cart(prepared, y)
    assert cart.first_split == "a"  # a cuts 70% of the runs away, b only 40%
    best = cart.leaves.sort_values("density").iloc[-1]
    assert "a <= 0.3" in best["rule"] and best["density"] > 0.9


def test_a_condition_that_no_input_explains_gives_no_restriction() -> None:
    rng = np.random.default_rng(5)
    x = pd.DataFrame({"a": rng.random(400), "b": rng.random(400)})
    y = rng.random(400) < 0.5
    prim = run_prim(prepare_inputs(x), y)
    assert prim.stats["density"] < 0.8 and prim.reason == "densest"


ALLOWED = {**{k: "indicator" for k in INDICATORS}, "behaviour.visit_scale": "input", "place": "input"}


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("__import__('os').system('true')", "not allowed"),
        ("gci.__class__ > 0", "unknown indicator or column 'gci.__class__'"),
        ("[gci for gci in x] > 0", "not allowed"),
        ("open('f') > 0", "not allowed"),
        ("lambda: 1", "not allowed"),
        ("gcii > 0.3", "Did you mean 'gci'?"),
        ("effect(joint_action) > 0", "Did you mean 'joint_actions'?"),
        ("effect(gci) > mid and effect(trust_mean) > mid", "bare 'mid'"),
        ("gci >", "not an expression"),
    ],
)
def test_the_expression_refuses_anything_but_names_numbers_and_comparisons(text: str, needle: str) -> None:
    with pytest.raises(ScenarioError) as err:
        parse_condition(text, ALLOWED, list(INDICATORS), effects_ok=True)
    assert err.value.file == "--where" and needle in err.value.message


def test_the_expression_evaluates_comparisons_paths_places_and_effects() -> None:
    cond = parse_condition(
        "behaviour.visit_scale <= 0.5 and (place == 'dense' or not gci < 0.4) and effect(gci) > mid",
        ALLOWED,
        list(INDICATORS),
        effects_ok=True,
    )
    cols = {
        "behaviour.visit_scale": np.array([0.1, 0.6, 0.2, 0.3]),
        "place": np.array(["dense", "dense", "x", "x"]),
        "gci": np.array([0.1, 0.5, 0.5, 0.3]),
    }
    y = cond.evaluate(cols, {"gci": np.array([0.02, 0.02, 0.02, 0.02])}, {"gci": np.array([0.01, 0.01, 0.03, 0.01])})
    assert y.tolist() == [True, False, False, False]
    with pytest.raises(ScenarioError, match="needs results with a no-policy arm"):
        parse_condition("effect(gci) > 0", ALLOWED, list(INDICATORS), effects_ok=False)


def write_exploration_results(folder: Path, n_futures: int = 300, seed: int = 11) -> Path:
    """A synthetic exploration folder: 2 uncertainties, a place, a no-policy arm and one policy."""
    rng = np.random.default_rng(seed)
    a, b = rng.random(n_futures), rng.random(n_futures)
    place = rng.choice(["baseline", "dense"], n_futures)
    rows = []
    for i in range(n_futures):
        base = 0.3 + 0.1 * a[i]
        lift = 0.05 if a[i] <= 0.4 else 0.0  # the policy helps only where a is low
        inputs = {"behaviour.emergent_convening_threshold": a[i], "organizations.convening_per_week": b[i]}
        for arm, value in (("baseline", base), ("campaign", base + lift)):
            row = {"run_id": f"{i}-{arm}", "point_index": i, "future": i, **inputs, "place": place[i], "policy": arm}
            row.update(replication=0, seed=i, status="ok", error=None, **{k: 0.0 for k in INDICATORS})
            rows.append({**row, "gci": value, "non_party_convened_share": 0.4 if b[i] > 0.5 else 0.1})
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(folder / "runs.parquet")
    resolved = {
        "name": "synthetic",
        "kind": "exploration",
        "uncertainties": [
            {
                "column": "behaviour.emergent_convening_threshold",
                "kind": "real",
                "path": "behaviour.emergent_convening_threshold",
            },
            {"column": "organizations.convening_per_week", "kind": "real", "path": "organizations.convening_per_week"},
            {"column": "place", "kind": "place", "path": None},
        ],
    }
    (folder / "exploration.resolved.yaml").write_text(yaml.safe_dump(resolved))
    return folder


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_cogov_discover_writes_the_box_the_tree_and_a_statement(tmp_path: Path, lang: str, capsys) -> None:
    folder = write_exploration_results(tmp_path / "r", n_futures=150)
    out = tmp_path / "d"
    code = main(
        ["discover", str(folder), "--where", "non_party_convened_share > 0.25", "--out", str(out), "--lang", lang]
    )
    assert code == 0
    found = json.loads((out / "discover.json").read_text())
    limits = {lim["column"]: lim for lim in found["prim"]["limits"]}
    assert set(limits) == {"organizations.convening_per_week"}
    assert abs(limits["organizations.convening_per_week"]["low"] - 0.5) <= TOLERANCE
    assert found["prim"]["density"] >= 0.95 and found["cart"]["first_split"] == "organizations.convening_per_week"
    report = (out / "report.md").read_text()
    said = capsys.readouterr().out
    low = f"{limits['organizations.convening_per_week']['low']:.3g}"
    density, coverage = f"{100 * found['prim']['density']:.0f}%", f"{100 * found['prim']['coverage']:.0f}%"
    in_box, total = int(found["prim"]["k"]), found["k"]
    if lang == "en":
        assert f"In {density} of the runs where convening per week is at least {low}" in said
        assert f"these runs are {coverage} of all runs where it holds ({in_box} of {total})" in report
    else:
        assert f"在 每周发起次数 不低于 {low} 的运行中，{density} 满足" in said and "覆盖率" in report
    for name in ("prim_trajectory.png", "prim_box.png", "cart_tree.png"):
        assert (out / "plots" / name).stat().st_size > 1000


def test_cogov_discover_on_a_policy_effect_finds_where_the_policy_helps(tmp_path: Path) -> None:
    folder = write_exploration_results(tmp_path / "r", n_futures=200)
    out = tmp_path / "d"
    assert (
        main(["discover", str(folder), "--where", "effect(gci) > mid", "--policy", "campaign", "--out", str(out)]) == 0
    )
    found = json.loads((out / "discover.json").read_text())
    assert found["rows"] == "effects" and found["n"] == 200  # one campaign run per future, paired
    limit = found["prim"]["limits"][0]
    assert limit["column"] == "behaviour.emergent_convening_threshold"
    assert abs(limit["high"] - 0.4) <= TOLERANCE


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--where", "joint_action > 1"], "unknown indicator or column 'joint_action'. Did you mean 'joint_actions'?"),
        (["--where", "gci > 0", "--policy", "campagin"], "unknown policy 'campagin'. Did you mean 'campaign'?"),
        (["--where", "gci > 0", "--min-density", "2"], "must be above 0 and at most 1"),
    ],
)
def test_bad_discovery_arguments_exit_2_with_one_clear_line(tmp_path: Path, capsys, args: list, needle: str) -> None:
    folder = write_exploration_results(tmp_path / "r", n_futures=10)
    if "--min-density" in args:  # refused by argparse
        with pytest.raises(SystemExit) as stop:
            main(["discover", str(folder), *args])
        assert stop.value.code == 2
    else:
        assert main(["discover", str(folder), *args]) == 2
    err = capsys.readouterr().err
    assert needle in err and len(err.strip().splitlines()) == 1
    if "joint_action >" in " ".join(args):
        assert "Allowed:" in err and "gci" in err and "organizations.convening_per_week" in err


def test_an_empty_or_missing_results_folder_exits_2(tmp_path: Path, capsys) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["discover", str(tmp_path / "empty"), "--where", "gci > 0"]) == 2
    assert "no results here" in capsys.readouterr().err
    assert main(["discover", str(tmp_path / "nowhere"), "--where", "gci > 0"]) == 2
    assert "no such results folder" in capsys.readouterr().err
    folder = write_exploration_results(tmp_path / "r", n_futures=3)
    runs = pd.read_parquet(folder / "runs.parquet").assign(status="failed")
    runs.to_parquet(folder / "runs.parquet")
    assert main(["discover", str(folder), "--where", "gci > 0"]) == 2
    assert "no finished run" in capsys.readouterr().err
