"""What-if effects by residential area, group of residents and actor type; the map of differences.

One small what-if (the baseline street at 3% of its people, 30 days, 3 paired replications) is run once for the
module: a campaign of the Party branch of one residential area only, and new centers in another area.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Circle

from cogov_sim.experiments.effects import effects_table, paired_interval
from cogov_sim.experiments.whatif import load_whatif
from cogov_sim.experiments.whatif_areas import ACTOR_COLUMNS, AREA_COLUMNS, SEGMENT_COLUMNS, unit_effects
from cogov_sim.experiments.whatif_map import difference_map, map_world
from cogov_sim.experiments.whatif_report import report_markdown
from cogov_sim.experiments.whatif_run import run_whatif
from cogov_sim.experiments.whatif_units import (
    ACTOR_INDICATORS,
    AGE_LABELS,
    AREA_INDICATORS,
    GROUPS,
    PLACE_INDICATORS,
    RESIDENT_INDICATORS,
)
from cogov_sim.i18n import TEXTS, label, text
from cogov_sim.indicators import ACTOR_TYPES
from cogov_sim.interventions import REGISTRY
from cogov_sim.scenario import SEGMENTS, ScenarioError
from tests.conftest import ROOT
from tests.test_i18n_plots import draw, words_of
from tests.test_whatif import _synthetic, _threads, _write

AREA = 3
"""The residential area (0-based, as interventions name it) the campaign acts in: RA4 on the map."""

AREAS = 12
"""Residential areas of the baseline street."""

SMALL = {
    "name": "areas",
    "question": "Where does a local campaign change anything?",
    "base_scenario": str(ROOT / "scenarios" / "baseline.yaml"),
    "overrides": {"population.sample_fraction": 0.03},
    "days": 30,
    "seed": 3,
    "replications": 3,
    "indicators": ["visits", "joint_actions", "problems_open"],
    "windows": ["after_start", "final_day"],
    "map_indicator": "joint_actions",
    "policies": {
        "local": [
            {"kind": "mobilization_campaign", "tiers": ["branch"], "areas": [AREA], "start_day": 10, "multiplier": 6}
        ],
        "centers": [{"kind": "add_centers", "count": 2, "areas": [0], "start_day": 10}],
    },
}


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """The what-if run once: its experiment, folder, runs and series."""
    tmp = tmp_path_factory.mktemp("areas")
    wf = load_whatif(_write(tmp, SMALL))
    out = tmp / "out"
    run_whatif(wf, out, _threads, progress=False, say=lambda _m: None)
    return wf, out, pd.read_parquet(out / "runs.parquet"), pd.read_parquet(out / "timeseries.parquet")


def test_unit_values_add_up_to_the_totals_every_day(small_run):
    _, _, _, series = small_run

    def total(prefix: str, units: list[str], indicator: str) -> np.ndarray:
        return series[[f"{prefix}|{u}|{indicator}" for u in units]].sum(axis=1).to_numpy()

    areas = [*(str(a) for a in range(AREAS)), "commuters"]
    assert total("area", areas, "visits") == pytest.approx(series["visits"].to_numpy())
    assert total("segment", list(SEGMENTS), "visits") == pytest.approx(series["visits"].to_numpy())
    assert total("age_band", list(AGE_LABELS), "visits") == pytest.approx(series["visits"].to_numpy())
    assert total("party_member", ["False", "True"], "visits") == pytest.approx(series["visits"].to_numpy())
    places = [str(a) for a in range(AREAS)]
    assert total("area", places, "joint_actions") == pytest.approx(series["joint_actions"].to_numpy())
    assert total("area", places, "problems_open") == pytest.approx(series["problems_open"].to_numpy())
    assert total("actor", list(ACTOR_TYPES), "convened") == pytest.approx(series["joint_actions"].to_numpy())
    for kind in ACTOR_TYPES[1:]:
        assert series[f"actor|{kind}|presence_hours"].to_numpy() == pytest.approx(
            series[f"org_presence_hours_{kind}"].to_numpy()
        )
    # the people taking part are the same people by area, by segment and by actor type
    people = total("area", areas, "participants")
    assert total("segment", list(SEGMENTS), "participants") == pytest.approx(people)
    assert series["actor|resident|joined"].to_numpy() == pytest.approx(people)
    assert people.sum() > 0


def test_the_csvs_have_the_promised_columns_and_one_row_per_unit(small_run):
    wf, out, _, _ = small_run
    pairs = len(wf.policies) * len(wf.spec.windows)
    area = pd.read_csv(out / "effects_by_area.csv")
    assert list(area.columns) == list(AREA_COLUMNS)
    assert len(area) == pairs * ((AREAS + 1) * len(RESIDENT_INDICATORS) + AREAS * len(PLACE_INDICATORS))
    assert not area.duplicated(["policy", "window", "area", "indicator"]).any()
    assert set(area.loc[area["area"] == AREA, "area_label"]) == {"RA4"}
    segment = pd.read_csv(out / "effects_by_segment.csv", keep_default_na=False)
    assert list(segment.columns) == list(SEGMENT_COLUMNS)
    assert set(segment["group"]) == set(GROUPS)
    units = len(SEGMENTS) + len(AGE_LABELS) + 2
    assert len(segment) == pairs * units * len(RESIDENT_INDICATORS)
    actor = pd.read_csv(out / "effects_by_actor.csv")
    assert list(actor.columns) == list(ACTOR_COLUMNS)
    assert len(actor) == pairs * len(ACTOR_TYPES) * len(ACTOR_INDICATORS)
    assert set(area["verdict"]) <= {"up", "down", "unclear", "no_material_change", "identical", "small_n"}


def test_per_area_effects_sum_to_the_total_effect(small_run):
    _, out, _, _ = small_run
    eff = pd.read_csv(out / "effects.csv").set_index(["policy", "window", "indicator"])
    area = pd.read_csv(out / "effects_by_area.csv")
    sums = area.groupby(["policy", "window", "indicator"])[["baseline_mean", "policy_mean", "diff"]].sum()
    for key in [k for k in eff.index if k[2] in ("visits", "joint_actions", "problems_open")]:
        for col in ("baseline_mean", "policy_mean", "diff"):
            assert sums.loc[key, col] == pytest.approx(eff.loc[key, col], rel=1e-5, abs=1e-6), (key, col)  # CSV digits


def test_a_policy_in_one_area_moves_that_area_only(small_run):
    _, out, _, _ = small_run
    area = pd.read_csv(out / "effects_by_area.csv")
    acts = area[(area["policy"] == "local") & (area["indicator"] == "joint_actions") & (area["window"] ==
                "after_start")].set_index("area")  # fmt: skip
    assert acts.loc[AREA, "verdict"] == "up"
    assert acts.loc[AREA, "ci_low"] > acts.loc[AREA, "mid"]
    others = acts.drop(index=AREA)
    assert len(others) == AREAS - 1
    assert not others["verdict"].isin(["up", "down"]).any(), others
    assert ((others["ci_low"] <= 0) & (others["ci_high"] >= 0)).all()  # within noise of 0
    # the same rule picks the area out of the recorded columns; the Party convenes the extra actions
    actor = pd.read_csv(out / "effects_by_actor.csv")
    convened = actor[(actor["policy"] == "local") & (actor["indicator"] == "convened") & (actor["window"] ==
                     "after_start")].set_index("actor_type")  # fmt: skip
    assert convened.loc["party", "verdict"] == "up"
    assert (convened.drop(index="party")["verdict"] == "identical").all()


def test_unit_effects_follow_the_files_mid(small_run, tmp_path):
    _, _, runs, series = small_run
    strict = load_whatif(_write(tmp_path, {**SMALL, "min_important": {"joint_actions": "2000%"}}))
    area = unit_effects(runs, series, strict, ["local"])["area"]
    acts = area[(area["indicator"] == "joint_actions") & (area["window"] == "after_start")].set_index("area")
    assert acts.loc[AREA, "mid"] == pytest.approx(20 * acts.loc[AREA, "baseline_mean"])
    assert acts.loc[AREA, "verdict"] == "no_material_change"  # 2000% of the baseline is more than it gained


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_report_names_the_area_that_gains(small_run, lang):
    wf, out, runs, series = small_run
    units = unit_effects(runs, series, wf)
    eff = pd.read_csv(out / "effects.csv")
    report = report_markdown(wf, runs, eff, [], None, lang, units)
    section = report.split(f"## {text('wi.units', lang)}\n")[1].split("\n## ")[0]
    head = text("wi.units.sentence", lang, policy="local", window=text("wi.answer.after_start", lang, start=10,
                end=30))  # fmt: skip
    block = section.split("- " + head)[1].split("\n- ")[0]
    by_area = next(ln for ln in block.splitlines() if text("wi.units.by_area", lang, items="") in ln)
    item = text("wi.units.item", lang, indicator=label("joint_actions", lang), direction=text("wi.answer.up", lang),
                units="")  # fmt: skip
    listed = by_area.split(item)[1].split(text("wi.answer.sep", lang))[0]
    assert re.findall(r"RA\d+" if lang == "en" else r"居\d+", listed) == [text("map.area", lang, k=AREA + 1)]
    if lang == "zh":
        policies = report.split(f"## {text('wi.policies', lang)}")[1].split("\n## ")[0]
        assert text("wi.iv.mobilization_campaign", "zh") in policies and "新增中心" in policies
        assert text("wi.iv.mobilization_campaign", "en") not in policies


def test_every_intervention_has_a_description_in_both_languages():
    assert {k[len("wi.iv.") :] for k in TEXTS if k.startswith("wi.iv.") and k != "wi.iv.line"} == set(REGISTRY)


def test_a_bad_map_indicator_is_refused_naming_the_field(tmp_path):
    with pytest.raises(ScenarioError) as err:
        load_whatif(_write(tmp_path, {**SMALL, "map_indicator": "visit_per_capita"}))
    assert err.value.path == "map_indicator" and "Did you mean 'visits_per_capita'" in err.value.message
    assert set(PLACE_INDICATORS) < set(AREA_INDICATORS)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_map_colours_areas_by_their_change_without_missing_glyphs(small_run, lang):
    wf, out, _, _ = small_run
    area = pd.read_csv(out / "effects_by_area.csv")
    world, added = map_world(wf, wf.policies[1])
    assert len(added) == 2 and set(world.centers.area_index[added]) == {0}  # the centers the policy opens
    fig = difference_map(world, area, "local", "joint_actions", "after_start", "days 10-30", added, lang)
    assert draw(fig) == []
    words = [t for _, t in words_of(fig) if t.strip()]
    assert any(re.search(r"[\u4e00-\u9fff]", t) for t in words) == (lang == "zh")
    ax = fig.axes[0]
    filled = [p for p in ax.patches if isinstance(p, Circle) and p.get_zorder() == 0.5]
    assert len(filled) == AREAS
    colours = {k: p.get_facecolor()[:3] for k, p in enumerate(filled)}
    neutral = colours[0]  # identical: within the MID band
    assert all(np.allclose(colours[k], neutral) for k in range(AREAS) if k != AREA)
    red, _, blue = colours[AREA]
    assert blue > red and not np.allclose(colours[AREA], neutral)  # a rise is purple
    assert filled[AREA].get_linewidth() > filled[0].get_linewidth()  # material: outlined


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_texts_given_per_language_reach_the_report_in_its_language(small_run, tmp_path, lang):
    _, out, runs, _ = small_run
    question = {"en": "Where does it change?", "zh": "哪里有变化？"}
    about = {"en": "Branch of RA4 only.", "zh": "只有居4的支部。"}
    data = {**SMALL, "question": question, "policies": {**SMALL["policies"], "local": {
        "description": about, "interventions": SMALL["policies"]["local"]}}}  # fmt: skip
    wf = load_whatif(_write(tmp_path, data))
    report = report_markdown(wf, runs, pd.read_csv(out / "effects.csv"), [], None, lang)
    other = "zh" if lang == "en" else "en"
    assert question[lang] in report and about[lang] in report
    assert question[other] not in report and about[other] not in report
    with pytest.raises(ScenarioError) as err:
        load_whatif(_write(tmp_path, {**SMALL, "question": {"en": "x", "fr": "y"}}, "bad.yaml"))
    assert err.value.path == "question" and "unknown language 'fr'" in err.value.message


@pytest.mark.parametrize("interval", ["t", "bootstrap"])
def test_many_columns_at_once_give_each_columns_own_effect(interval):
    rng = np.random.default_rng(7)
    runs, series = _synthetic(reps=6)
    series["y"] = series["x"] * 0.5 + rng.normal(0, 1, len(series))  # noisy, not paired away
    gone = (series["run_id"] == "pol2") & (series["day"] == 20)
    series.loc[gone, "y"] = np.nan  # one replication's final value missing for y only
    both = effects_table(runs, series, [("pol", 8)], ["x", "y"], ["final_day", "after_start"], interval, seed=3)
    for ind in ("x", "y"):
        alone = effects_table(runs, series, [("pol", 8)], [ind], ["final_day", "after_start"], interval, seed=3)
        mine = both[both["indicator"] == ind].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone)
    final = both.set_index(["indicator", "window"])
    assert final.loc[("x", "final_day"), "n"] == 5 and final.loc[("y", "final_day"), "n"] == 4
    d = series.pivot_table(index=["replication", "day"], columns="run_id", values="y")
    ys = [d.loc[(r, 20), f"pol{r}"] - d.loc[(r, 20), f"baseline{r}"] for r in (0, 1, 3, 4)]
    if interval == "t":
        assert final.loc[("y", "final_day"), ["diff", "ci_low", "ci_high"]].tolist() == pytest.approx(
            list(paired_interval(np.array(ys)))
        )
