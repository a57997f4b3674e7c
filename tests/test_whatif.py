"""The what-if layer: file validation, paired seeds, effects and intervals, outputs, resume on the shared store."""

from __future__ import annotations

import contextlib
import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from cogov_sim.cli import main
from cogov_sim.experiments.effects import (
    CONTRAST_COLUMNS,
    EFFECT_COLUMNS,
    MIN_IMPORTANT,
    effects_table,
    mid_for,
    paired_interval,
    parse_mid,
    verdict,
)
from cogov_sim.experiments.executors import ExecutorHandle
from cogov_sim.experiments.whatif import load_whatif
from cogov_sim.experiments.whatif_run import plan, run_whatif
from cogov_sim.scenario import ScenarioError
from tests.conftest import ROOT

SHIPPED = sorted((ROOT / "experiments").glob("whatif_*.yaml"))

TINY = {
    "name": "tiny",
    "question": "Does a campaign raise joint action?",
    "base_scenario": str(ROOT / "scenarios" / "baseline.yaml"),
    "overrides": {"population.sample_fraction": 0.02},
    "days": 24,
    "seed": 5,
    "replications": 3,
    "indicators": ["joint_actions", "visits_per_capita", "gci"],
    "contrasts": [["campaign", "nothing"]],
    "policies": {
        "campaign": {
            "description": "Convene four times as much from day 10.",
            "interventions": [{"kind": "mobilization_campaign", "start_day": 10, "multiplier": 4}],
        },
        "nothing": [{"kind": "add_centers", "count": 0, "start_day": 10}],
    },
}


def _write(tmp_path: Path, data: dict, name: str = "w.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@contextlib.contextmanager
def _threads(workers: int = 2):
    with ThreadPoolExecutor(workers) as ex:
        yield ExecutorHandle(ex, workers, f"{workers} threads")


# -------------------------------------------------------------------------------------------------- the file
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_whatif_files_validate_and_name_their_policies(path):
    wf = load_whatif(path)
    assert wf.name == path.stem
    assert wf.policies and all(p.interventions for p in wf.policies)
    assert wf.base_data["population"]["sample_fraction"] <= 0.25


def test_the_five_required_experiments_are_shipped():
    names = {p.stem for p in SHIPPED}
    assert {
        "whatif_alliance",
        "whatif_rider_stations",
        "whatif_evening_hours",
        "whatif_stations_vs_functions",
        "whatif_party_withdrawal",
    } <= names


def test_overrides_and_days_reach_the_base_scenario(tmp_path):
    wf = load_whatif(_write(tmp_path, TINY))
    assert wf.base_data["population"]["sample_fraction"] == 0.02
    assert wf.days == 24
    alias = {**{k: v for k, v in TINY.items() if k != "overrides"}, "set": {"population.sample_fraction": 0.03}}
    assert load_whatif(_write(tmp_path, alias, "a.yaml")).base_data["population"]["sample_fraction"] == 0.03


@pytest.mark.parametrize(
    ("change", "path", "fragment"),
    [
        ({"replication": 3}, "replication", "Did you mean 'replications'"),
        ({"overrides": {"population.sample_fraktion": 0.1}}, "overrides.population.sample_fraktion", "sample_fraction"),
        ({"overrides": {"population.sample_fraction": 2}}, "overrides.population.sample_fraction", "less than"),
        ({"indicators": ["gci", "joint_action"]}, "indicators.1", "Did you mean 'joint_actions'"),
        ({"windows": ["final"]}, "windows.0", "final_day, after_start, last_<N>_days"),
        ({"base_scenario": "nowhere.yaml"}, "base_scenario", "not found"),
        ({"policies": {"baseline": []}}, "policies.baseline", "arm without interventions"),
        (
            {"policies": {"p": [{"kind": "launch_alliance", "radius": 5}]}},
            "policies.p.0.radius",
            "Did you mean 'radius_m'",
        ),
        (
            {"policies": {"p": {"interventions": [{"kind": "close_centers", "areas": [40]}]}}},
            "policies.p.interventions.0.areas.0",
            "area 40 does not exist",
        ),
        ({"policies": {"p": {"interventoins": []}}}, "policies.p.interventoins", "Did you mean 'interventions'"),
        ({"contrasts": [["campaign", "nothin"]]}, "contrasts.0.1", "Did you mean 'nothing'"),
        ({"min_important": {"joint_action": 0.5}}, "min_important.joint_action", "Did you mean 'joint_actions'"),
        ({"min_important": {"gci": "five"}}, "min_important.gci", "percentage such as '5%'"),
        ({"min_important": {"gci": -0.01}}, "min_important.gci", "non-negative"),
        (
            {"policies": {"p": [{"kind": "withdraw_party_convening", "start_day": 99}]}},
            "policies.p.0.start_day",
            "after",
        ),
    ],
)
def test_bad_whatif_files_name_the_file_and_field_path(tmp_path, change, path, fragment):
    file = _write(tmp_path, {**TINY, **change})
    with pytest.raises(ScenarioError) as err:
        load_whatif(file)
    assert err.value.file == str(file)
    assert err.value.path == path
    assert fragment in err.value.message


def test_cli_validate_checks_whatif_files(tmp_path, capsys):
    assert main(["validate", str(ROOT / "experiments" / "whatif_alliance.yaml")]) == 0
    assert capsys.readouterr().out.strip() == "ok"
    bad = _write(tmp_path, {**TINY, "policies": {"p": [{"kind": "change_hours", "levels": ["grid"], "mode": "add1"}]}})
    assert main(["validate", str(bad)]) == 2
    assert "policies.p.0.mode" in capsys.readouterr().err


def test_cli_bad_whatif_exits_2_without_traceback(tmp_path, capsys):
    file = _write(tmp_path, {**TINY, "replication": 3})
    assert main(["whatif", str(file), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert str(file) in err and "replication" in err and "Traceback" not in err


# --------------------------------------------------------------------------------------------------- pairing
def test_every_arm_of_a_replication_shares_its_seed_and_run_ids_follow_content(tmp_path):
    wf = load_whatif(_write(tmp_path, TINY))
    tasks = plan(wf)
    assert len(tasks) == 3 * 3
    seeds = {}
    for t in tasks:
        seeds.setdefault(t.replication, set()).add(t.seed)
    assert all(len(s) == 1 for s in seeds.values())
    assert len({next(iter(s)) for s in seeds.values()}) == 3
    assert len({t.run_id for t in tasks}) == len(tasks)
    changed = {**TINY, "policies": {**TINY["policies"], "nothing": [{"kind": "add_centers", "count": 1}]}}
    tasks2 = plan(load_whatif(_write(tmp_path, changed, "c.yaml")))
    same = {t.run_id for t in tasks} & {t.run_id for t in tasks2}
    assert same == {t.run_id for t in tasks if t.point["policy"] != "nothing"}


# ---------------------------------------------------------------------------------------------------- effects
def test_paired_t_interval_matches_scipy():
    rng = np.random.default_rng(1)
    base = rng.normal(10, 3, 12)
    pol = base + rng.normal(0.8, 0.5, 12)
    mean, lo, hi = paired_interval(pol - base)
    ci = stats.ttest_rel(pol, base).confidence_interval(0.95)
    assert mean == pytest.approx(float(np.mean(pol - base)))
    assert (lo, hi) == pytest.approx((ci.low, ci.high))


def test_paired_bootstrap_is_seeded_and_covers_the_mean():
    d = np.random.default_rng(2).normal(1.0, 1.0, 20)
    a = paired_interval(d, "bootstrap", np.random.default_rng(7), 4000)
    b = paired_interval(d, "bootstrap", np.random.default_rng(7), 4000)
    assert a == b
    mean, lo, hi = a
    _, t_lo, t_hi = paired_interval(d)
    assert lo < mean < hi
    assert (hi - lo) == pytest.approx(t_hi - t_lo, rel=0.25)  # near the t interval for normal data
    assert math.isnan(paired_interval(d[:1])[1])


def _synthetic(reps: int = 5, days: int = 20, start: int = 8, effect: float = 2.0):
    """Runs and series where the policy adds ``effect`` to x from ``start`` and replications differ a lot."""
    rows, series = [], []
    for r in range(reps):
        level = 100.0 * r
        for arm in ("baseline", "pol"):
            run_id = f"{arm}{r}"
            status = "failed" if (arm, r) == ("pol", reps - 1) else "ok"
            rows.append({"run_id": run_id, "policy": arm, "replication": r, "status": status})
            for day in range(1, days + 1):
                x = level + day + (effect if arm == "pol" and day >= start else 0.0)
                series.append({"run_id": run_id, "replication": r, "day": day, "x": x})
    return pd.DataFrame(rows), pd.DataFrame(series)


def test_effects_are_paired_per_window_and_skip_unpaired_runs():
    runs, series = _synthetic()
    eff = effects_table(runs, series, [("pol", 8)], ["x"], ["final_day", "after_start", "last_5_days"])
    assert list(eff.columns) == list(EFFECT_COLUMNS)
    assert list(eff["window"]) == ["final_day", "after_start", "last_5_days"]
    assert (eff["n"] == 4).all()  # the failed run's pair is left out
    assert eff["diff"].to_numpy() == pytest.approx([2.0, 2.0, 2.0])
    assert eff["ci_low"].to_numpy() == pytest.approx([2.0, 2.0, 2.0])  # paired: the huge spread cancels
    final = eff.iloc[0]
    assert final["baseline_mean"] == pytest.approx(np.mean([100.0 * r + 20 for r in range(4)]))
    assert final["rel_change"] == pytest.approx(2.0 / final["baseline_mean"])
    after = eff.iloc[1]
    assert after["baseline_mean"] == pytest.approx(np.mean([100.0 * r + 14 for r in range(4)]))  # days 8-20


def test_every_indicator_has_a_default_mid_and_a_file_may_replace_it(tmp_path):
    from cogov_sim.vocabulary import INDICATORS

    assert set(MIN_IMPORTANT) == set(INDICATORS)
    for value in MIN_IMPORTANT.values():
        parse_mid(value)
    assert parse_mid("5%") == ("relative", 0.05) and parse_mid(0.01) == ("absolute", 0.01)
    assert mid_for("joint_actions", -40.0) == pytest.approx(2.0)  # 5% of |baseline mean|
    assert mid_for("gci", 0.4) == 0.01
    assert mid_for("gci", 0.4, {"gci": "10%"}) == pytest.approx(0.04)
    wf = load_whatif(_write(tmp_path, {**TINY, "min_important": {"gci": 0.002, "joint_actions": "10%"}}))
    assert wf.spec.min_important == {"gci": 0.002, "joint_actions": "10%"}


@pytest.mark.parametrize(
    ("diff", "low", "high", "mid", "expected"),
    [
        (2.0, 1.0, 3.0, 0.5, "up"),
        (-2.0, -3.0, -1.0, 0.5, "down"),
        (0.3, 0.1, 0.5, 0.5, "no_material_change"),  # clear but small
        (0.3, -0.1, 0.7, 0.5, "no_material_change"),
        (0.8, -0.1, 1.7, 0.5, "unclear"),  # large but not clear
        (0.0, 0.0, 0.0, 0.0, "identical"),
        (1.0, math.nan, math.nan, 0.5, "small_n"),
    ],
)
def test_verdict_rule(diff, low, high, mid, expected):
    assert verdict(diff, low, high, mid) == expected


def test_effects_carry_the_mid_and_its_verdict():
    runs, series = _synthetic()
    eff = effects_table(runs, series, [("pol", 8)], ["x"], ["final_day"])
    assert eff.loc[0, "mid"] == pytest.approx(0.05 * eff.loc[0, "baseline_mean"])  # x: not listed, relative 5%
    assert eff.loc[0, "verdict"] == "no_material_change"  # +2 on a mean of 170: clear, but below 5%
    eff = effects_table(runs, series, [("pol", 8)], ["x"], ["final_day"], min_important={"x": 1.5})
    assert eff.loc[0, "mid"] == 1.5 and eff.loc[0, "verdict"] == "up"


# ---------------------------------------------------------------------------------------------- end to end
def test_whatif_writes_effects_plots_report_and_resumes(tmp_path):
    file = _write(tmp_path, TINY)
    wf = load_whatif(file)
    out = tmp_path / "out"
    first = run_whatif(wf, out, _threads, progress=False, say=lambda _m: None)
    # a contrast against the null policy is the effect against the baseline (the null arm is the baseline)
    con = pd.read_csv(out / "contrasts.csv")
    assert list(con.columns) == list(CONTRAST_COLUMNS)
    camp_eff = pd.read_csv(out / "effects.csv").query("policy == 'campaign'").reset_index(drop=True)
    assert con["reference"].eq("nothing").all()
    for col in ("diff", "ci_low", "ci_high", "n"):
        assert con[col].to_numpy() == pytest.approx(camp_eff[col].to_numpy())
    assert first.stats.ok == 9 and first.skipped == 0
    eff = pd.read_csv(out / "effects.csv")
    assert list(eff.columns) == list(EFFECT_COLUMNS)
    assert set(eff["window"]) == {"final_day", "after_start"}
    assert (eff["n"] == 3).all()
    null = eff[eff["policy"] == "nothing"]
    assert (null["diff"] == 0).all() and (null["ci_low"] == 0).all() and (null["ci_high"] == 0).all()
    camp = eff[(eff["policy"] == "campaign") & (eff["indicator"] == "joint_actions")].set_index("window")
    assert camp.loc["after_start", "ci_low"] > 0  # four times the convening: clearly more joint action
    for name in ("forest.png", "trajectory_joint_actions.png", "trajectory_gci.png"):
        assert (out / "plots" / name).stat().st_size > 10_000
    report = (out / "report.md").read_text()
    assert "Does a campaign raise joint action?" in report
    assert "mobilization_campaign(start_day=10, multiplier=4.0)" in report
    assert "![forest](plots/forest.png)" in report
    traj = pd.read_csv(out / "trajectories.csv")
    base = traj[(traj["policy"] == "baseline") & (traj["indicator"] == "gci")]
    assert len(base) == 24 and (base["n"] == 3).all()
    before = traj[(traj["policy"] == "campaign") & (traj["day"] < 10)]
    assert (before["diff"] == 0).all()  # identical before the start day, in every replication
    # days before the start are identical in the stored series too
    series = pd.read_parquet(out / "timeseries.parquet")
    runs = pd.read_parquet(out / "runs.parquet")
    key = series.merge(runs[["run_id", "policy"]], on="run_id")
    early = key[key["day"] < 10].drop(columns=["run_id", "point_index"]).set_index(["policy", "replication", "day"])
    assert early.loc["baseline"].equals(early.loc["campaign"])

    # resume: nothing runs again; after losing one run file (an interrupted run), only that run is redone
    again = run_whatif(wf, out, _threads, progress=False, say=lambda _m: None)
    assert again.skipped == 9 and again.stats.done == 0
    victim = sorted((out / "runs").glob("*.parquet"))[0]
    victim.unlink()
    third = run_whatif(wf, out, _threads, progress=False, say=lambda _m: None)
    assert third.skipped == 8 and third.stats.ok == 1
    assert pd.read_csv(out / "effects.csv").equals(eff)


def test_cli_whatif_runs_on_a_process_pool(tmp_path, capsys):
    data = {
        **TINY,
        "replications": 2,
        "days": 12,
        "contrasts": [],
        "policies": {"nothing": TINY["policies"]["nothing"]},
    }
    file = _write(tmp_path, data)
    out = tmp_path / "cli"
    assert main(["whatif", str(file), "--workers", "2", "--out", str(out), "--quiet"]) == 0
    assert "4 runs: 4 ok, 0 failed, 0 lost" in capsys.readouterr().out
    assert (out / "report.md").is_file() and (out / "effects.csv").is_file()


def _first_section(report: str) -> list[str]:
    """The lines of the report's first ``##`` section."""
    sections = report.split("\n## ")
    return sections[1].splitlines()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_report_opens_with_an_answer_consistent_with_the_effects(tmp_path, lang):
    from cogov_sim.experiments.whatif_report import report_markdown
    from cogov_sim.i18n import label, text

    data = {**TINY, "days": 20, "windows": ["after_start", "last_5_days"]}
    wf = load_whatif(_write(tmp_path, data))
    out = tmp_path / "out"
    run_whatif(wf, out, _threads, progress=False, say=lambda _m: None)
    runs = pd.read_parquet(out / "runs.parquet")
    eff, con = pd.read_csv(out / "effects.csv"), pd.read_csv(out / "contrasts.csv")
    report = report_markdown(wf, runs, eff, [], con, lang) if lang == "zh" else (out / "report.md").read_text()
    section = _first_section(report)
    assert section[0] == text("wi.answer", lang)
    camp = eff.set_index(["policy", "indicator", "window"])
    assert camp.loc[("campaign", "joint_actions", "after_start"), "verdict"] == "up"  # four times the convening
    none_word = text("wi.answer.none", lang, items="")
    for frame, reference in ((eff, None), (con, "nothing")):
        for policy, part in frame.groupby("policy", sort=False):
            ref = (
                text("wi.answer.baseline", lang)
                if reference is None
                else text("wi.answer.reference", lang, name=reference)
            )
            head = text("wi.answer.sentence", lang, policy=policy, reference=ref, window="", n=3, parts="")
            lines = [ln for ln in section if ln.startswith("- " + head[: head.index(ref) + len(ref)])]
            assert len(lines) == 2, (policy, reference, section)  # one sentence per window, in the file's order
            for line, window in zip(lines, ["after_start", "last_5_days"], strict=True):
                assert ("3 paired replications" if lang == "en" else "3 次配对重复") in line
                assert (f"days {10}-20" if window == "after_start" else "days 16-20") in line or lang == "zh"
                for _, r in part[part["window"] == window].iterrows():
                    shown = label(r["indicator"], lang)
                    pieces = [p for p in line.split(text("wi.answer.sep", lang)) if shown in p]
                    assert len(pieces) == 1, (line, shown)
                    piece = pieces[0]
                    if r["verdict"] in ("up", "down"):
                        assert shown + ("" if lang == "zh" else " ") + text(f"wi.answer.{r['verdict']}", lang) in piece
                        assert f"[{r['ci_low']:.3g}" in piece  # the interval is given
                    elif r["verdict"] == "no_material_change":
                        assert none_word.strip() in piece
                    else:
                        assert r["verdict"] in ("identical", "unclear")
                        assert text(f"wi.answer.{r['verdict']}", lang, items="").rstrip(": ：") in piece
    nothing = next(ln for ln in section if ln.startswith("- **nothing**"))
    assert text("wi.answer.identical", lang, items="").rstrip(": ：") in nothing  # the null policy


def test_the_forest_plot_shows_relative_changes_with_the_mid_band():
    from matplotlib.collections import PolyCollection

    from cogov_sim.experiments.whatif_report import forest_figure

    runs, series = _synthetic()
    series["y"] = series["x"] / 1000  # a raw scale a thousand times smaller: the same relative change
    eff = effects_table(runs, series, [("pol", 8)], ["x", "y"], ["final_day"], min_important={"y": 0.0001})
    fig = forest_figure(eff)
    ax = fig.axes[0]
    xs = np.asarray(ax.containers[0].lines[0].get_xdata(), dtype=float)  # the errorbar's markers
    rel = 100 * eff["diff"] / eff["baseline_mean"].abs()
    assert xs == pytest.approx(rel.to_numpy())  # both rows at +1.18%, not at 2 and 0.002
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    widths = sorted(float(np.ptp(b.get_paths()[0].vertices[:, 0])) for b in bands)
    mid_pct = 100 * eff["mid"] / eff["baseline_mean"].abs()
    assert widths == pytest.approx(sorted(2 * mid_pct.to_numpy()))  # ± 5% of x; ± 0.0001 / 0.17 of y
