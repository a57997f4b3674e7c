"""Robustness across futures: regret, satisficing, rankings whose disagreements are shown, where each arm fails."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from cogov_sim.cli import main
from cogov_sim.discovery.results import read_results
from cogov_sim.discovery.robust import robustness
from cogov_sim.vocabulary import INDICATORS


def write_arms(folder: Path, values: dict[str, list[float]], x: list[float]) -> Path:
    """A synthetic exploration: one uncertainty ``x`` and the given gci of each arm in each future."""
    rows = []
    for arm, vs in values.items():
        for i, v in enumerate(vs):
            row = {"run_id": f"{arm}{i}", "point_index": i, "future": i, "behaviour.habit_gain": x[i], "policy": arm}
            row.update(replication=0, seed=i, status="ok", error=None, **{k: 0.0 for k in INDICATORS})
            rows.append({**row, "gci": v})
    folder.mkdir(parents=True)
    pd.DataFrame(rows).to_parquet(folder / "runs.parquet")
    unc = [{"column": "behaviour.habit_gain", "kind": "real", "path": "behaviour.habit_gain"}]
    (folder / "exploration.resolved.yaml").write_text(yaml.safe_dump({"name": "arms", "uncertainties": unc}))
    return folder


# steady is never bad; bold is best on average but fails badly in one future
VALUES = {"baseline": [0.30, 0.30, 0.30, 0.30], "steady": [0.40, 0.40, 0.40, 0.40], "bold": [0.60, 0.60, 0.60, 0.10]}


def test_regret_satisficing_and_ranks_follow_their_definitions(tmp_path: Path) -> None:
    results = read_results(write_arms(tmp_path / "r", VALUES, [0.1, 0.2, 0.3, 0.9]))
    rb = robustness(results, "gci", "maximize", threshold=0.35)
    t = rb.table.set_index("arm")
    assert t.loc["bold", "mean"] == pytest.approx(0.475)
    # best per future: bold, bold, bold, steady -> regret of steady 0.2, 0.2, 0.2, 0; of bold 0, 0, 0, 0.3
    assert rb.regret["steady"].tolist() == pytest.approx([0.2, 0.2, 0.2, 0.0])
    assert t.loc["bold", "max_regret"] == pytest.approx(0.3) and t.loc["steady", "max_regret"] == pytest.approx(0.2)
    assert t.loc["steady", "satisficing"] == 1.0 and t.loc["bold", "satisficing"] == 0.75
    assert t.loc["baseline", "satisficing"] == 0.0
    assert rb.first_by["mean"] == ["bold"] and rb.first_by["max_regret"] == ["steady"]
    assert rb.first_by["satisficing"] == ["steady"] and rb.first_by["bad_case"] == ["steady"]
    # baseline: last by mean, regret on average and satisficing; second by the bad case (its 0.3 beats bold's 10th
    # percentile, 0.25) and tied second with bold by max regret (0.3 each)
    assert rb.ranks.loc["baseline"].tolist() == [3, 2, 3, 2, 3]


def test_an_arm_tied_first_by_one_metric_and_first_by_the_others_is_agreed_on(tmp_path: Path, capsys) -> None:
    values = {"baseline": [0.30, 0.50], "steady": [0.40, 0.60], "other": [0.20, 0.60]}  # steady and other: 50%
    folder = write_arms(tmp_path / "r", values, [0.1, 0.9])
    assert main(["robust", str(folder), "--outcome", "gci", "--threshold", "0.55", "--out", str(tmp_path / "o")]) == 0
    assert "All metrics rank **steady** first." in (tmp_path / "o" / "report.md").read_text()


def test_minimizing_turns_regret_around(tmp_path: Path) -> None:
    results = read_results(write_arms(tmp_path / "r", VALUES, [0.1, 0.2, 0.3, 0.9]))
    rb = robustness(results, "gci", "minimize", threshold=0.35)
    assert rb.first_by["mean"] == ["baseline"] and rb.regret["baseline"].max() == pytest.approx(0.2)
    assert rb.table.set_index("arm").loc["baseline", "satisficing"] == 1.0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_cogov_robust_shows_the_disagreement_and_where_an_arm_fails(tmp_path: Path, lang: str) -> None:
    rng = np.random.default_rng(2)
    x = rng.random(60).tolist()
    bold = [0.6 if v < 0.7 else 0.1 for v in x]  # bold fails where habit_gain is high
    folder = write_arms(tmp_path / "r", {"baseline": [0.3] * 60, "steady": [0.4] * 60, "bold": bold}, x)
    out = tmp_path / "rb"
    args = ["robust", str(folder), "--outcome", "gci", "--threshold", "0.35", "--out", str(out), "--lang", lang]
    assert main(args) == 0
    report = (out / "report.md").read_text()
    if lang == "en":
        assert "The metrics disagree: mean ranks **bold** first" in report
        assert "max regret ranks **steady** first" in report
        assert "**steady** meets the threshold in every future." in report
        assert "**baseline** misses the threshold in every future." in report
        assert "habit gain is at least" in report
    else:
        assert "各指标的排名不一致" in report and "**steady** 在每个未来都达到标准" in report
    box = pd.read_csv(out / "gci_fails_bold" / "box.csv")
    assert box["column"].tolist() == ["behaviour.habit_gain"] and abs(box["low"].iloc[0] - 0.7) < 0.05
    ranks = pd.read_csv(out / "gci_ranks.csv")
    assert set(ranks.columns) == {"arm", "mean", "bad_case", "mean_regret", "max_regret", "satisficing"}
    assert (out / "plots" / "gci_regret.png").stat().st_size > 1000


def test_cogov_robust_refuses_a_sweep_and_an_unknown_outcome(tmp_path: Path, capsys) -> None:
    folder = write_arms(tmp_path / "r", VALUES, [0.1, 0.2, 0.3, 0.9])
    assert main(["robust", str(folder), "--outcome", "gcii"]) == 2
    assert "unknown indicator 'gcii'. Did you mean 'gci'?" in capsys.readouterr().err
    sweep = tmp_path / "sweep"  # the same runs as a sweep's: no arms to compare
    sweep.mkdir()
    pd.read_parquet(folder / "runs.parquet").drop(columns=["policy"]).to_parquet(sweep / "runs.parquet")
    (sweep / "experiment.resolved.yaml").write_text(yaml.safe_dump({"parameters": [{"path": "behaviour.habit_gain"}]}))
    assert main(["robust", str(sweep), "--outcome", "gci"]) == 2
    err = capsys.readouterr().err
    assert "robustness compares policies: run a what-if or an exploration" in err and len(err.splitlines()) == 1
