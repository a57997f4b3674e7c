"""``cogov check``: runs across seeds on the sweep runner and store, scores targets, resumes without rerunning.

A target built from a run's own measured value passes, one the model cannot meet fails, one just outside its
range but within its uncertainty is near; a second check on the same folder runs nothing; the outputs are there.
"""

from __future__ import annotations

import contextlib
import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cogov_sim.calibration.check import plan, run_check
from cogov_sim.calibration.probe import probe_run
from cogov_sim.calibration.record import key
from cogov_sim.calibration.targets_file import load_targets
from cogov_sim.cli import CHECK_EXAMPLE, main
from cogov_sim.experiments.executors import ExecutorHandle
from cogov_sim.experiments.files import load_scenario_ref

RUN = {"scenario": "baseline", "days": 40, "sample_fraction": 0.02}
LOAD = {"kind": "table", "run": "short", "table": "per_level", "row": "street", "column": "visits_per_day"}


@contextlib.contextmanager
def _threads(workers: int = 2):
    with ThreadPoolExecutor(workers) as ex:
        yield ExecutorHandle(ex, workers, f"{workers} threads")


def _targets(observed: dict[str, dict], uncertainty: dict[str, dict] | None = None) -> dict:
    uncertainty = uncertainty or {}
    rows = []
    for i, (tid, obs) in enumerate(observed.items()):
        extra = {"uncertainty": uncertainty[tid]} if tid in uncertainty else {}
        rows.append({"id": tid, "title": tid, "fact": 1 + i, "measure": LOAD, "observed": obs, "source": "§4.2",
                     **extra})  # fmt: skip
    rows.append({"id": "ratio_to_self", "title": "a run over the same run", "measure": {
        "kind": "ratio", "numerator": LOAD, "denominator": {**LOAD, "run": "same"}},
        "observed": {"value": 1.0}, "source": "§4.2"})  # fmt: skip
    return {"name": "t", "facts": {1: "one", 2: "two", 3: "three"}, "runs": {"short": RUN, "same": RUN},
            "targets": rows}  # fmt: skip


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def measured() -> list[float]:
    """The street center's visits a day of the three seeds' runs, measured directly."""
    sc = load_scenario_ref("baseline", {"population.sample_fraction": RUN["sample_fraction"], "days": RUN["days"]})
    return [probe_run(sc, seed, RUN["days"])[1][key("per_level", "street", "visits_per_day")] for seed in (1, 2, 3)]


def test_scores_pass_near_and_fail_and_resumes(tmp_path, measured):
    mean = sum(measured) / 3
    observed = {
        "own_value": {"value": mean},  # built from the runs' own measured mean: its interval covers it
        "impossible": {"range": [100 * mean, 200 * mean]},  # out of the model's reach
        "just_outside": {"range": [1.5 * max(measured), 2 * max(measured)]},
    }
    file = _write(tmp_path, _targets(observed, {"just_outside": {"factor": 2}, "impossible": {"factor": 2}}))
    targets = load_targets(file)
    out = tmp_path / "out"
    lines: list[str] = []
    report = run_check(targets, out, 3, _threads, progress=False, say=lines.append)
    assert report.total == 3 and report.stats.ok == 3  # "same" resolves to the "short" runs: shared
    card = pd.read_csv(out / "scorecard.csv").set_index("id")
    assert card.loc["own_value", "mean"] == pytest.approx(mean)
    assert card.loc["own_value", "verdict"] == "pass"
    assert card.loc["impossible", "verdict"] == "fail"
    assert card.loc["just_outside", "verdict"] == "near"
    assert card.loc["ratio_to_self", "mean"] == pytest.approx(1.0)
    assert card.loc["ratio_to_self", "verdict"] == "pass"
    assert card.loc["own_value", "ci_low"] < mean < card.loc["own_value", "ci_high"]
    facts = pd.read_csv(out / "facts.csv").set_index("fact")
    assert list(facts["verdict"]) == ["pass", "fail", "near"]
    values = pd.read_csv(out / "values.csv")
    got = values[values["id"] == "own_value"].sort_values("seed")["value"].tolist()
    assert got == pytest.approx(measured)  # each seed's run, as the probe measures it alone
    for name in ("scorecard.md", "targets.resolved.yaml", "runs.parquet", "timeseries.parquet"):
        assert (out / name).is_file()
    expected = {f"{t}.png" for t in [*observed, "ratio_to_self"]} | {"summary.png"}
    assert {p.name for p in (out / "plots").glob("*.png")} == expected
    md = (out / "scorecard.md").read_text()
    assert "**pass**" in md and "| 2 | two | **fail** |" in md and "1 pass, 1 near, 1 fail of 3" in md

    again = run_check(targets, out, 3, _threads, progress=False, say=lines.append)
    assert again.stats.done == 0 and again.skipped == 3  # nothing new is run
    assert pd.read_csv(out / "values.csv")["value"].tolist() == values["value"].tolist()
    assert any("3 finished earlier, 0 to run" in line for line in lines)


def test_more_seeds_run_only_the_new_ones_and_edited_targets_rerun_nothing(tmp_path):
    data = _targets({"a": {"range": [0, None]}})
    targets = load_targets(_write(tmp_path, data))
    out = tmp_path / "out"
    assert run_check(targets, out, 2, _threads, progress=False, say=lambda _: None).stats.done == 2
    assert run_check(targets, out, 3, _threads, progress=False, say=lambda _: None).stats.done == 1
    data["targets"][0]["observed"] = {"range": [1e9, None]}
    edited = load_targets(_write(tmp_path, data))
    report = run_check(edited, out, 3, _threads, progress=False, say=lambda _: None)
    assert report.stats.done == 0
    assert pd.read_csv(out / "scorecard.csv").set_index("id").loc["a", "verdict"] == "fail"


def test_plan_pairs_seeds_across_runs_and_a_changed_run_gets_new_ids(tmp_path):
    data = _targets({"a": {"range": [0, None]}})
    data["runs"]["other"] = {**RUN, "set": {"behaviour.threshold_sd": 0.2}}
    data["targets"][0]["measure"] = {**LOAD, "run": "other"}
    targets = load_targets(_write(tmp_path, data))
    tasks, ids = plan(targets, 2)
    assert len(tasks) == 4  # short (= same) and other, 2 seeds each
    assert ids[("short", 0)] == ids[("same", 0)] != ids[("other", 0)]
    seeds = {t.run_id: t.seed for t in tasks}
    assert seeds[ids[("short", 1)]] == seeds[ids[("other", 1)]] == 2


def test_failed_runs_give_no_value_and_the_target_fails(tmp_path, monkeypatch):
    import cogov_sim.calibration.check as check

    def broken(task):
        outcome = check.execute_probe(task)
        outcome.row.update(status="failed", error="RuntimeError: broken")
        return outcome

    monkeypatch.setattr(check, "execute_probe", broken)
    targets = load_targets(_write(tmp_path, _targets({"a": {"range": [0, None]}})))
    run_check(targets, tmp_path / "out", 2, _threads, progress=False, say=lambda _: None)
    card = pd.read_csv(tmp_path / "out" / "scorecard.csv").set_index("id")
    assert card.loc["a", "n"] == 0 and math.isnan(card.loc["a", "mean"])
    assert card.loc["a", "verdict"] == "fail"


def test_cogov_check_command_writes_the_scorecard_and_the_doc(tmp_path, capsys):
    file = _write(tmp_path, _targets({"a": {"range": [0, None]}}))
    doc = tmp_path / "docs" / "validation.md"
    code = main(["check", str(file), "--seeds", "2", "--workers", "1", "--out", str(tmp_path / "o"), "--quiet",
                 "--doc", str(doc)])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "scorecard: facts" in printed and "wrote" in printed
    text = doc.read_text()
    assert text.startswith("<!-- generated by `make validation`")
    assert "# Validation: does the model match the evidence?" in text and "commit" in text
    assert (tmp_path / "docs" / "validation_summary.png").is_file()


# ------------------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"targets": [{"id": "a", "mesure": {}}]}, "targets.0.mesure"),
        ({"runs": {"short": {**RUN, "days": 0}}}, "runs.short.days"),
        ({"runs": {"short": {**RUN, "set": {"behaviour.nope": 1}}}}, "runs.short.set.behaviour.nope"),
    ],
    ids=["key", "days", "set"],
)
def test_bad_targets_file_exits_2_with_one_line_before_any_run(tmp_path, capsys, change, path):
    file = _write(tmp_path, {**_targets({"a": {"range": [0, None]}}), **change})
    assert main(["check", str(file), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {file}: {path}: ") and len(err.splitlines()) == 1, err
    assert not (tmp_path / "out").exists()


def test_check_refuses_a_sweep_file_and_bad_seeds(tmp_path, capsys):
    root = Path(__file__).resolve().parents[1]
    assert main(["check", str(root / "experiments" / "smoke.yaml"), "--out", str(tmp_path / "o")]) == 2
    assert "this is a sweep file, not a targets file; run it with cogov sweep" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "none.yaml")]) == 2
    assert "file not found" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["check", str(tmp_path / "none.yaml"), "--seeds", "0"])
    assert exc.value.code == 2


def test_the_check_help_example_is_a_valid_targets_file(tmp_path):
    body = CHECK_EXAMPLE.split("\n\n", 1)[1]
    path = tmp_path / "example.yaml"
    path.write_text("\n".join(line[2:] for line in body.splitlines()))
    assert [t.id for t in load_targets(path).targets] == ["street_visits_per_resident_year"]
