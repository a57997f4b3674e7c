"""The exploration file (uncertainties apart from policies) and one tiny real exploration: paired, resumable."""

from __future__ import annotations

import contextlib
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cogov_sim.cli import main
from cogov_sim.discovery.commands import EXPLORE_EXAMPLE
from cogov_sim.discovery.ema import ema_model, export_results
from cogov_sim.discovery.explore import load_exploration
from cogov_sim.discovery.explore_run import draw_futures, run_exploration
from cogov_sim.discovery.results import read_results
from cogov_sim.experiments.executors import ExecutorHandle
from cogov_sim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "experiments" / "when_circle_of_friends.yaml"

TINY = {
    "name": "tiny",
    "base_scenario": str(ROOT / "scenarios" / "baseline.yaml"),
    "set": {"population.sample_fraction": 0.02},
    "days": 8,
    "seed": 3,
    "futures": 2,
    "uncertainties": [
        "behaviour.emergent_convening_threshold",
        {"path": "organizations.convening_per_week", "range": [0.2, 1.5]},
    ],
    "policies": {"campaign": [{"kind": "mobilization_campaign", "start_day": 3, "end_day": 6, "multiplier": 2}]},
    "robustness": [{"outcome": "gci"}],
    "keep": {"daily_every": 1},
}


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_uncertainties_default_to_the_plausible_range_and_may_be_narrowed(tmp_path: Path) -> None:
    data = {
        **TINY,
        "uncertainties": [
            "behaviour.emergent_convening_threshold",
            {"path": "behaviour.actor_diversity_effect", "range": [0.2, 0.4]},
            {"path": "behaviour.agreement_successes"},
            {"name": "place", "scenarios": ["baseline", "dense"]},
        ],
        "futures": 40,
    }
    del data["base_scenario"]
    exp = load_exploration(_write(tmp_path, data))
    u = {x.column: x for x in exp.uncertainties}
    assert u["behaviour.emergent_convening_threshold"].bounds == (0.3, 0.9)
    assert u["behaviour.emergent_convening_threshold"].plausible
    assert u["behaviour.actor_diversity_effect"].bounds == (0.2, 0.4)
    assert u["behaviour.agreement_successes"].kind == "int"
    assert u["place"].places == ("baseline", "dense")
    futures = draw_futures(exp)
    # a Latin hypercube: one draw in each of the 40 strata of every uncertainty
    strata = ((futures["behaviour.emergent_convening_threshold"] - 0.3) / 0.6 * 40).astype(int)
    assert sorted(strata) == list(range(40))
    assert set(futures["place"]) == {"baseline", "dense"} and (futures["place"] == "dense").sum() == 20
    assert futures["behaviour.agreement_successes"].between(1, 5).all()
    assert futures.equals(draw_futures(exp))  # seeded


@pytest.mark.parametrize(
    ("change", "where", "needle"),
    [
        ({"futurs": 3}, "futurs", "Did you mean 'futures'?"),
        ({"uncertainties": ["organizations.enterprises"]}, "uncertainties.0.range", "no plausible range"),
        (
            {"uncertainties": [{"path": "behaviour.emergent_convening_threshold", "range": [0.5, 2]}]},
            "uncertainties.0.range",
            "less than or equal to 1",
        ),
        (
            {"uncertainties": [{"path": "behaviour.emergent_convening_threshold", "rnage": [0, 1]}]},
            "uncertainties.0.rnage",
            "Did you mean 'range'?",
        ),
        (
            {"base_scenario": None, "uncertainties": [{"name": "place", "scenarios": ["baseline", "dens"]}]},
            "uncertainties.0.scenarios.1",
            "Did you mean 'dense'?",
        ),
        (
            {"policies": {"campaign": [{"kind": "mobilization_campaign", "start_day": 3, "multiplyer": 2}]}},
            "policies.campaign.0.multiplyer",
            "Did you mean 'multiplier'?",
        ),
        ({"robustness": [{"outcome": "gcii"}]}, "robustness.0.outcome", "Did you mean 'gci'?"),
        ({"design": "grid"}, "design", "Allowed: latin_hypercube, random"),
    ],
)
def test_a_bad_exploration_file_exits_2_naming_the_file_and_field(
    tmp_path: Path, capsys, change, where, needle
) -> None:
    path = _write(tmp_path, {**TINY, **change})
    with pytest.raises(ScenarioError) as err:
        load_exploration(path)
    assert err.value.path == where and needle in err.value.message
    assert main(["validate", str(path)]) == 2
    line = capsys.readouterr().err.strip()
    assert line.startswith(f"error: {path}: {where}: ") and "\n" not in line


def test_an_exploration_file_given_to_cogov_whatif_is_named_as_such(tmp_path: Path, capsys) -> None:
    assert main(["whatif", str(_write(tmp_path, TINY))]) == 2
    assert "this is an exploration file" in capsys.readouterr().err and "cogov explore" in "cogov explore"


@contextlib.contextmanager
def _threads(workers: int = 2):
    with ThreadPoolExecutor(workers) as ex:
        yield ExecutorHandle(ex, workers, f"{workers} threads")


def test_a_tiny_exploration_runs_paired_resumes_and_exports(tmp_path: Path) -> None:
    exp = load_exploration(_write(tmp_path, TINY))
    out = tmp_path / "out"
    report = run_exploration(exp, out, _threads, progress=False, say=lambda _: None)
    assert report.total == 4 and report.stats.ok == 4
    runs = pd.read_parquet(out / "runs.parquet")
    pairs = runs.groupby("point_index")["seed"].nunique()
    assert (pairs == 1).all() and runs["seed"].nunique() == 2  # each future's arms share a seed; futures differ
    series = pd.read_parquet(out / "timeseries.parquet").merge(runs[["run_id", "policy"]], on="run_id")
    before = series[series["day"] < 3].pivot_table(index=["point_index", "day"], columns="policy", values="gci")
    pd.testing.assert_series_equal(before["baseline"], before["campaign"], check_names=False)  # paired until day 3
    # resume: a finished run file removed (an interruption) is the only run done again
    victim = sorted((out / "runs").glob("*.parquet"))[0]
    victim.unlink()
    again = run_exploration(exp, out, _threads, progress=False, say=lambda _: None)
    assert again.skipped == 3 and again.stats.ok == 1
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "runs.parquet").drop(columns=["wall_time_s", "attempts"]),
        runs.drop(columns=["wall_time_s", "attempts"]),
    )
    assert (out / "robustness" / "report.md").is_file()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import load_results
    experiments, outcomes = load_results(str(export_results(read_results(out), tmp_path / "e.tar.gz")))
    assert experiments["policy"].astype(str).tolist() == runs["policy"].tolist()
    assert outcomes["gci"].tolist() == runs["gci"].tolist()
    model = ema_model(_write(tmp_path, TINY))
    assert [lv.name for lv in model.levers] == ["arm"]
    assert [c.name for c in model.levers["arm"].categories] == ["baseline", "campaign"]


def test_the_shipped_question_validates_at_the_size_the_issue_asks(capsys) -> None:
    exp = load_exploration(SHIPPED)
    assert exp.spec.futures >= 200 and len(exp.policies) >= 3
    assert any(u.kind == "place" for u in exp.uncertainties) and exp.spec.robustness
    assert main(["validate", str(SHIPPED)]) == 0


def test_the_example_of_cogov_explore_help_is_a_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "example.yaml"
    path.write_text(EXPLORE_EXAMPLE.split("\n", 1)[1])
    exp = load_exploration(path)
    assert exp.columns == ("behaviour.emergent_convening_threshold", "organizations.convening_per_week")
    assert [a.name for a in exp.arms] == ["baseline", "campaign"]


def test_the_ema_model_runs_in_ema_workbench_with_paired_seeds_across_arms(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import Sample, SequentialEvaluator

        model = ema_model(_write(tmp_path, TINY), days=2)  # the campaign starts on day 3: the arms must agree
        with SequentialEvaluator(model) as evaluator:
            arms = [Sample(name=a, arm=a) for a in ("baseline", "campaign")]
            experiments, outcomes = evaluator.perform_experiments(scenarios=2, policies=arms)
    gci = pd.Series(outcomes["gci"], index=pd.MultiIndex.from_arrays([experiments["scenario"], experiments["arm"]]))
    assert set(experiments["arm"].astype(str)) == {"baseline", "campaign"}
    for scenario in experiments["scenario"].unique():
        assert gci[(scenario, "baseline")] == gci[(scenario, "campaign")]  # one seed per scenario
    assert gci.groupby(level=0).first().nunique() == 2  # two scenarios, two outcomes
