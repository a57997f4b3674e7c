"""``cogov calibrate``: the calibration file, the emulators and implausibility on a known function, and waves of
small runs that reach a non-implausible region, validate their emulators on held-out runs and resume."""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from cogov_sim.calibration.calibrate import run_calibration
from cogov_sim.calibration.calibrate_file import load_calibration, observation
from cogov_sim.calibration.emulator import fit, implausibility, validate
from cogov_sim.calibration.targets_file import with_changes
from cogov_sim.cli import main
from cogov_sim.experiments.executors import ExecutorHandle
from cogov_sim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[1]

TARGETS = {
    "name": "mini",
    "runs": {"short": {"scenario": "baseline", "days": 30, "sample_fraction": 0.02}},
    "targets": [
        {"id": "visits", "title": "street visits per resident a year", "source": "§4.3",
         "measure": {"kind": "table", "run": "short", "table": "per_level", "row": "street",
                     "column": "visits_per_day", "per": "residents", "scale": 365},
         "observed": {"value": 3.5, "range": [3, 4]}},
        {"id": "presence", "title": "visited in the last 10 days", "source": "§4.3",
         "measure": {"kind": "indicator", "run": "short", "name": "gci_presence", "last": 10},
         "observed": {"range": [0.1, 0.3]}},
        {"id": "open", "title": "an open range", "source": "§4.2",
         "measure": {"kind": "table", "run": "short", "table": "probe", "row": "centers", "column": "skewness"},
         "observed": {"range": [0, None]}},
    ],
}  # fmt: skip

CALIBRATION = {
    "name": "mini",
    "targets": "targets.yaml",
    "use": ["visits", "presence"],
    "parameters": [
        {"path": "behaviour.visit_scale", "range": [0.005, 0.06]},
        {"path": "behaviour.propensity_shape", "range": [0.2, 1.0]},
    ],
    "waves": {"max": 2, "runs": 10, "candidates": 400},
    "check_seeds": 2,
}


@contextlib.contextmanager
def _threads(workers: int = 2):
    with ThreadPoolExecutor(workers) as ex:
        yield ExecutorHandle(ex, workers, f"{workers} threads")


def _write(folder: Path, calibration: dict, targets: dict = TARGETS) -> Path:
    (folder / "targets.yaml").write_text(yaml.safe_dump(targets, sort_keys=False))
    path = folder / "calibration.yaml"
    path.write_text(yaml.safe_dump(calibration, sort_keys=False))
    return path


# ------------------------------------------------------------------------------------------------ the file
def test_the_shipped_calibration_file_moves_at_least_six_parameters():
    cal = load_calibration(ROOT / "targets" / "calibration.yaml")
    assert len(cal.parameters) >= 6
    assert all(p.lower < p.upper for p in cal.parameters)
    assert {t.id for t in cal.used}.isdisjoint(t.id for t in cal.held_out)
    reach = next(p for p in cal.parameters if p.path == "organizations.mobilization_reach")
    assert (reach.lower, reach.upper) == (30, 300)  # the schema's plausible range by default


def test_observation_reads_the_range_as_two_standard_deviations(tmp_path):
    cal = load_calibration(_write(tmp_path, CALIBRATION))
    assert observation(cal.used[0]) == (3.5, 0.25)
    assert observation(cal.used[1]) == pytest.approx((0.2, 0.05))


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        ({"use": ["visits", "nope"]}, "use.1", "unknown target 'nope'"),
        ({"use": ["open"]}, "use.0", "needs a closed range"),
        ({"parameters": [{"path": "behaviour.visit_scal"}]}, "parameters.0.path", "Did you mean"),
        ({"parameters": [{"path": "organizations.enterprises"}]}, "parameters.0.range", "no plausible range"),
        ({"parameters": [{"path": "behaviour.visit_scale", "range": [0.5, 20]}]}, "parameters.0.range", "allowed"),
        ({"waves": {"runs": 500}}, "waves.runs", "less than or equal to 200"),
        ({"wave": {}}, "wave", "Did you mean 'waves'"),
        ({"targets": "none.yaml"}, "targets", "not found"),
        ({"hold_out": ["visits"]}, "hold_out.0", "used in the fit"),
    ],
)
def test_bad_calibration_file_exits_2_naming_the_file_and_field(tmp_path, capsys, change, path, words):
    file = _write(tmp_path, {**CALIBRATION, **change})
    with pytest.raises(ScenarioError) as exc:
        load_calibration(file)
    assert (exc.value.file, exc.value.path) == (str(file), path) and words in exc.value.message, str(exc.value)
    assert main(["calibrate", str(file), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {file}: {path}: ") and len(err.splitlines()) == 1


def test_a_targets_or_sweep_file_given_to_calibrate_is_named(tmp_path, capsys):
    _write(tmp_path, CALIBRATION)
    assert main(["calibrate", str(tmp_path / "targets.yaml")]) == 2
    assert "this is a targets file, not a calibration file; run it with cogov check" in capsys.readouterr().err
    assert main(["calibrate", str(ROOT / "experiments" / "smoke.yaml")]) == 2
    assert "this is a sweep file, not a calibration file" in capsys.readouterr().err


def test_waves_min_runs_a_refinement_wave_a_stopping_rule_would_skip(tmp_path):
    one = {**CALIBRATION, "name": "one", "waves": {"max": 3, "runs": 8, "candidates": 400, "min_shrink": 1.0}}
    two = {**one, "name": "two", "waves": {**one["waves"], "min": 2}}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder, spec in (("a", one), ("b", two)):
        run_calibration(load_calibration(_write(tmp_path / folder, spec)), tmp_path / folder / "out", _threads,
                        progress=False, say=lambda _: None)  # fmt: skip
    waves_one = pd.read_csv(tmp_path / "a" / "out" / "waves.csv")
    waves_two = pd.read_csv(tmp_path / "b" / "out" / "waves.csv")
    assert len(waves_one) == 1 and waves_one["stop"].iloc[0].startswith("the emulators' variance")
    assert len(waves_two) == 2 and pd.isna(waves_two["stop"].iloc[0])  # min_shrink 1 then stops it at wave 2
    assert (waves_two.iloc[0].drop("stop") == waves_one.iloc[0].drop("stop")).all()  # the same first wave


def test_an_overlay_does_not_undo_a_runs_own_change(tmp_path):
    targets = {**TARGETS, "runs": {**TARGETS["runs"], "sd": {**TARGETS["runs"]["short"],
               "set": {"behaviour.threshold_sd": 0.2}}}}  # fmt: skip
    cal = load_calibration(_write(tmp_path, CALIBRATION, targets))
    changed = with_changes(cal.targets, {"behaviour.threshold_sd": 0.1, "behaviour.visit_scale": 0.03})
    assert changed.runs["sd"].data["behaviour"]["threshold_sd"] == 0.2
    assert changed.runs["sd"].data["behaviour"]["visit_scale"] == 0.03
    assert changed.runs["short"].data["behaviour"]["threshold_sd"] == 0.1


# ------------------------------------------------------------------------------------------------ emulators
def test_emulator_and_implausibility_find_the_matching_region_of_a_known_function():
    rng = np.random.default_rng(3)
    x = rng.random((40, 2))
    y = 3 * x[:, 0] + 0.02 * rng.standard_normal(40)  # depends on the first parameter only
    em = fit("f", x, y, seed=1)
    check = validate("f", x, y, seed=1)
    assert check["r2"] > 0.95 and check["coverage_95"] >= 0.8
    grid = np.column_stack([np.linspace(0, 1, 101), np.full(101, 0.5)])
    imp, share = implausibility([em], [(1.5, 0.03)], 0.0, grid)
    left = grid[imp[:, 0] < 3, 0]
    assert 0.4 < left.min() < 0.5 < left.max() < 0.6  # x0 = 0.5 gives 1.5
    assert np.nanmax(share) < 0.5  # a good emulator: its variance is below the observation's
    assert fit("f", x[:3], y[:3], seed=1) is None  # too few runs
    empty, _ = implausibility([em], [(1.5, 0.03)], 0.0, np.zeros((0, 2)))
    assert empty.shape == (0, 1)  # an empty region has nothing to rule out


# ------------------------------------------------------------------------------------------------ the waves
def test_waves_reach_a_region_validate_emulators_write_the_best_set_and_resume(tmp_path):
    cal = load_calibration(_write(tmp_path, CALIBRATION))
    out = tmp_path / "out"
    report = run_calibration(cal, out, _threads, progress=False, say=lambda _: None)
    waves = pd.read_csv(out / "waves.csv")
    assert list(waves["wave"]) == list(range(1, len(waves) + 1))
    assert waves["stop"].iloc[-1].startswith(("the emulators' variance", "the region shrank", "nothing left"))
    assert report.stats.ok == waves["runs"].sum()
    assert 0 < waves["share_left"].iloc[-1] < 1  # a non-implausible region, smaller than the box
    checks = pd.read_csv(out / "emulators.csv")
    assert set(checks["target"]) == {"visits", "presence"} and (checks["test"] > 0).all()
    region = pd.read_csv(out / "region.csv")
    assert len(region) and (region["max_implausibility"] < 3).all()
    best = yaml.safe_load((out / "best.yaml").read_text())["set"]
    assert set(best) == {"behaviour.visit_scale", "behaviour.propensity_shape"}
    assert 0.005 <= best["behaviour.visit_scale"] <= 0.06
    card = pd.read_csv(out / "scorecard" / "scorecard.csv").set_index("id")
    assert set(card.index) == {"visits", "presence", "open"}  # held-out "open" predicted too
    assert (out / "plots" / "pairs.png").is_file() and (out / "calibration.md").is_file()

    again = run_calibration(cal, out, _threads, progress=False, say=lambda _: None)
    assert again.stats.done == 0 and again.skipped == again.total  # nothing is run again
    assert pd.read_csv(out / "waves.csv").equals(waves)
    assert yaml.safe_load((out / "best.yaml").read_text())["set"] == best
