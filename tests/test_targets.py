"""The targets file: the shipped evidence file covers the 13 facts and the Shanghai figures; bad files exit 2 with
the file and the field path; the verdict rule; the statistics of the registry on data whose answer is known."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from cogov_sim.calibration import measures
from cogov_sim.calibration.measures import RunData, evaluate
from cogov_sim.calibration.record import DECAY_BIN_KM, DECAY_BINS, key
from cogov_sim.calibration.scorecard import verdict, worst
from cogov_sim.calibration.targets import (
    MEASURE_KINDS,
    AgeGradientMeasure,
    DecayMeasure,
    GrowthMeasure,
    LogisticMeasure,
    RatioMeasure,
    TableMeasure,
    Target,
)
from cogov_sim.calibration.targets_file import load_targets
from cogov_sim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
EVIDENCE = ROOT / "targets" / "evidence.yaml"

MINI = {
    "name": "mini",
    "runs": {"year": {"scenario": "baseline", "days": 30, "sample_fraction": 0.02}},
    "targets": [
        {
            "id": "load",
            "title": "Street visits per resident per year",
            "fact": 3,
            "measure": {
                "kind": "table",
                "run": "year",
                "table": "per_level",
                "row": "street",
                "column": "visits_per_day",
                "per": "residents",
                "scale": 365,
            },
            "observed": {"value": 3.5, "range": [3, 4]},
            "uncertainty": {"factor": 3},
            "source": "§4.3",
        }
    ],
}


def _write(tmp_path: Path, data: object, name: str = "t.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def _changed(path: str, value: object) -> dict:
    """MINI with one value replaced at a dotted path (list items by index)."""
    data = yaml.safe_load(yaml.safe_dump(MINI))
    *parents, leaf = path.split(".")
    node = data
    for p in parents:
        node = node[int(p)] if isinstance(node, list) else node[p]
    if isinstance(node, list):
        node[int(leaf)] = value
    else:
        node[leaf] = value
    return data


# ---------------------------------------------------------------------------------------------- the shipped file
def test_evidence_file_has_every_stylized_fact_and_the_shanghai_figures():
    t = load_targets(EVIDENCE)
    assert set(t.spec.facts) == set(range(1, 14))
    assert {x.fact for x in t.targets if x.fact} == set(range(1, 14))
    figures = {x.shanghai for x in t.targets if x.shanghai}
    assert {
        "street-center load",
        "visits per resident per year",
        "volunteer S-curve",
        "age gradient",
        "Party gradient",
        "thin neighbourliness",
        "volunteer retention",
        "social organization growth",
    } <= figures
    assert all("§" in x.source for x in t.targets)
    assert all(r.spec.sample_fraction == 0.1 for r in t.runs.values())


def test_evidence_runs_resolve_with_their_changes():
    t = load_targets(EVIDENCE)
    assert t.runs["threshold_sd_012"].data["behaviour"]["threshold_sd"] == 0.12
    assert t.runs["six_years"].data["days"] == 2190
    # the default spread: the same scenario as the year's runs, so the same runs
    assert t.runs["threshold_sd_010"].scenario_hash == t.runs["year"].scenario_hash
    assert t.runs["mixed"].data["name"] == "mixed_function"


# ---------------------------------------------------------------------------------------------- bad files
BAD = [
    (_changed("targets.0.mesure", {}), "targets.0.mesure", "Did you mean 'measure'"),
    (_changed("targets.0.measure.kind", "tabel"), "targets.0.measure.kind", "Did you mean 'table'"),
    (_changed("targets.0.measure.run", "yaer"), "targets.0.measure.run", "unknown run 'yaer'"),
    (_changed("targets.0.measure.row", "streets"), "targets.0.measure.row", "Did you mean 'street'"),
    (_changed("targets.0.measure.column", "visits"), "targets.0.measure.column", "per_level column"),
    (_changed("targets.0.measure.table", "per_centre"), "targets.0.measure.table", "unknown table"),
    (_changed("targets.0.observed.range", [4, 3]), "targets.0.observed.range", "low <= high"),
    (_changed("targets.0.observed", {"unit": "km"}), "targets.0.observed", "give a value, a range or both"),
    (_changed("targets.0.uncertainty", {"absolute": 1, "factor": 2}), "targets.0.uncertainty", "one of absolute"),
    (_changed("targets.0.uncertainty.factor", 0.5), "targets.0.uncertainty.factor", "greater than or equal to 1"),
    (_changed("targets.0.fact", 14), "targets.0.fact", "less than or equal to 13"),
    (_changed("targets.0.id", "a/b"), "targets.0.id", "not allowed in a name"),
    (_changed("runs.year.days", 0), "runs.year.days", "greater than or equal to 1"),
    (_changed("runs.year.sample_fraction", 2), "runs.year.sample_fraction", "less than or equal to 1"),
    (_changed("runs.year.scenario", "basline"), "runs.year.scenario", "shipped scenarios"),
    (_changed("runs.year.set", {"behaviour.nope": 1}), "runs.year.set.behaviour.nope", "unknown field 'nope'"),
    (_changed("runs.year.set", {"behaviour.threshold_sd": 5}), "runs.year.set.behaviour.threshold_sd", "1"),
    (
        _changed("targets.0.measure", {"kind": "indicator", "run": "year", "name": "gcii"}),
        "targets.0.measure.name",
        "Did you mean 'gci'",
    ),
    (
        _changed("targets.0.measure", {"kind": "indicator", "run": "year", "name": "gci", "day": 31}),
        "targets.0.measure.day",
        "beyond the run's 30 days",
    ),
    (
        _changed(
            "targets.0.measure", {"kind": "age_gradient", "run": "year", "form": "ratio", "bands": ["70-79", "18-29"]}
        ),
        "targets.0.measure.bands",
        "young to old",
    ),
    (
        _changed(
            "targets.0.measure",
            {
                "kind": "ratio",
                "numerator": {"kind": "decay", "run": "year"},
                "denominator": {"kind": "decay", "run": "year"},
            },
        ),
        "targets.0.measure.numerator.kind",
        "distance_decay",
    ),
    ({**MINI, "targets": [*MINI["targets"], MINI["targets"][0]]}, "targets.1.id", "already used by targets.0"),
    ({**MINI, "runs": {}}, "runs", "at least 1"),
]


@pytest.mark.parametrize(("data", "path", "words"), BAD, ids=[b[1] for b in BAD])
def test_bad_targets_file_names_the_file_and_field(tmp_path, data, path, words):
    file = _write(tmp_path, data)
    with pytest.raises(ScenarioError) as exc:
        load_targets(file)
    assert (exc.value.file, exc.value.path) == (str(file), path), str(exc.value)
    assert words in exc.value.message
    assert len(str(exc.value).splitlines()) == 1


def test_a_file_of_another_kind_is_named_as_such():
    for ref, kind, command in (
        (ROOT / "experiments" / "smoke.yaml", "a sweep file", "cogov sweep"),
        (ROOT / "experiments" / "whatif_alliance.yaml", "a what-if file", "cogov whatif"),
        (ROOT / "scenarios" / "dense.yaml", "a scenario file", "cogov run"),
    ):
        with pytest.raises(ScenarioError) as exc:
            load_targets(ref)
        assert f"this is {kind}, not a targets file; run it with {command}" in str(exc.value)


@pytest.mark.parametrize(
    "text",
    ["targets: [1, 2\n", "runs: {}\nruns: {}\n", "- a list\n", "a: &x [1]\nb: *y\n"],
    ids=["malformed", "duplicate", "list", "alias"],
)
def test_unreadable_yaml_is_refused_naming_the_file(tmp_path, text):
    file = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as exc:
        load_targets(file)
    assert exc.value.file == str(file)


# ---------------------------------------------------------------------------------------------- the verdict rule
def _target(observed: dict, uncertainty: dict | None = None) -> Target:
    return Target.model_validate({"id": "x", "title": "x", "source": "§4", "observed": observed,
                                  "uncertainty": uncertainty, "measure": MINI["targets"][0]["measure"]})  # fmt: skip


@pytest.mark.parametrize(
    ("interval", "observed", "uncertainty", "expected"),
    [
        ((0.55, 0.7), {"range": [0.5, 0.8]}, None, "pass"),
        ((0.81, 0.9), {"range": [0.5, 0.8]}, None, "fail"),
        ((0.81, 0.9), {"range": [0.5, 0.8]}, {"absolute": 0.05}, "near"),
        ((0.95, 1.2), {"range": [0.5, 0.8]}, {"absolute": 0.1}, "fail"),
        ((0.4, 0.45), {"value": 1.0}, {"factor": 2}, "fail"),
        ((0.4, 0.55), {"value": 1.0}, {"factor": 2}, "near"),
        ((0.9, 1.1), {"value": 1.0}, None, "pass"),  # the interval covers the value
        ((2.0, 2.1), {"range": [1, None]}, None, "pass"),  # an open end
        ((0.2, 0.3), {"range": [None, 0.1]}, {"absolute": 0.15}, "near"),
        ((math.nan, math.nan), {"range": [0, 1]}, {"absolute": 10}, "fail"),  # not measured
    ],
)
def test_verdict_rule(interval, observed, uncertainty, expected):
    t = _target(observed, uncertainty)
    assert verdict(*interval, t.observed.band, t.near_band()) == expected


def test_a_fact_takes_its_worst_verdict():
    assert worst(["pass", "near", "pass"]) == "near"
    assert worst(["pass", "fail", "near"]) == "fail"
    assert worst(["pass"]) == "pass"


# ---------------------------------------------------------------------------------------------- the statistics
def _run(cells: dict[str, float] | None = None, series: dict[str, np.ndarray] | None = None) -> RunData:
    series = series or {"gci": np.zeros(10)}
    n = len(next(iter(series.values())))
    return RunData(cells or {}, pd.DataFrame({"day": np.arange(1, n + 1), **series}))


def _decay_cells(rate_at: callable) -> dict[str, float]:
    cells = {}
    for i in range(DECAY_BINS):
        km = (i + 0.5) * DECAY_BIN_KM
        cells |= {key("decay", "street", "km_" + str(i)): km, key("decay", "street", "people_" + str(i)): 1000,
                  key("decay", "street", "visits_" + str(i)): 1000 * rate_at(km)}  # fmt: skip
    return cells


def test_distance_decay_recovers_the_e_folding_length_and_the_power_exponent():
    exp_run = {"year": _run(_decay_cells(lambda km: 20 * np.exp(-km / 0.6)))}
    assert evaluate(DecayMeasure(kind="distance_decay", run="year"), exp_run) == pytest.approx(0.6, rel=1e-3)
    pow_run = {"year": _run(_decay_cells(lambda km: 5 * km**-1.8))}
    assert evaluate(DecayMeasure(kind="distance_decay", run="year", form="power"), pow_run) == pytest.approx(1.8)
    flat = {"year": _run(_decay_cells(lambda km: 5.0))}
    assert math.isnan(evaluate(DecayMeasure(kind="distance_decay", run="year"), flat))  # no decay: undefined


def test_logistic_fit_recovers_k_r_and_the_inflection():
    days = np.arange(1, 6 * 365 + 1)
    y = 0.25 / (1 + np.exp(-0.9 * (days / 365 - 3.0)))
    runs = {"six": _run(series={"volunteer_share": y})}
    fit = {p: evaluate(LogisticMeasure(kind="logistic", run="six", parameter=p), runs)
           for p in ("K", "r", "inflection_day", "inflection_share")}  # fmt: skip
    assert fit["K"] == pytest.approx(0.25, rel=1e-3)
    assert fit["r"] == pytest.approx(0.9, rel=1e-3)
    assert fit["inflection_day"] == pytest.approx(3 * 365, rel=1e-3)
    assert fit["inflection_share"] == pytest.approx(0.5, rel=1e-3)
    concave = {"six": _run(series={"volunteer_share": 0.04 * (1 - np.exp(-days / 200))})}
    share = evaluate(LogisticMeasure(kind="logistic", run="six", parameter="inflection_share"), concave)
    assert share < 0.1  # rises fastest at the start: no inflection in the first tenth of the run


def test_growth_rate_age_gradient_table_and_ratio():
    series = {"social_organizations": 6 * 1.06 ** (np.arange(1, 2 * 365 + 2) / 365)}
    runs = {"r": _run(series=series)}
    growth = evaluate(GrowthMeasure(kind="growth_rate", run="r", indicator="social_organizations"), runs)
    assert growth == pytest.approx(0.06, rel=1e-6)
    p = dict(zip(("18-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80+"),
                 (0.14, 0.3, 0.45, 0.56, 0.7, 0.78, 0.6), strict=True))  # fmt: skip
    cells = {key("per_segment", f"age_band={b}", "participation"): v for b, v in p.items()}
    cells |= {key("probe", "place", "residents"): 1000.0, key("per_level", "street", "visits_per_day"): 10.0}
    runs = {"r": _run(cells)}
    age = lambda form, bands=("18-29", "50-59", "70-79"): evaluate(  # noqa: E731
        AgeGradientMeasure(kind="age_gradient", run="r", form=form, bands=list(bands)), runs
    )
    assert age("ratio") == pytest.approx(0.78 / 0.14)
    assert age("difference") == pytest.approx(0.64)
    assert age("mid_position") == pytest.approx((0.56 - 0.14) / 0.64)
    assert age("monotonicity", ("18-29", "70-79")) == pytest.approx(1.0)
    assert age("monotonicity", ("18-29", "80+")) < 1.0
    load = TableMeasure(kind="table", run="r", table="per_level", row="street", column="visits_per_day",
                        per="residents", scale=365)  # fmt: skip
    assert evaluate(load, runs) == pytest.approx(3.65)
    missing = TableMeasure(kind="table", run="r", table="per_level", row="grid", column="visits_per_day")
    assert math.isnan(evaluate(missing, runs))
    both = {"a": _run(cells), "b": _run({**cells, key("per_level", "street", "visits_per_day"): 4.0})}
    ratio = lambda form: RatioMeasure(kind="ratio", form=form,  # noqa: E731
        numerator=load.model_copy(update={"run": "a", "per": None, "scale": 1.0}),
        denominator=load.model_copy(update={"run": "b", "per": None, "scale": 1.0}))  # fmt: skip
    assert evaluate(ratio("ratio"), both) == pytest.approx(2.5)
    assert evaluate(ratio("difference"), both) == pytest.approx(6.0)
    assert math.isnan(evaluate(ratio("ratio"), {"a": both["a"]}))  # a run missing (it failed): undefined


def test_every_kind_has_a_function_and_a_description():
    assert set(measures.REGISTRY) == set(MEASURE_KINDS)
    for target in load_targets(EVIDENCE).targets:
        assert measures.describe(target.measure)
