"""The shipped files' own words in the reader's language.

Scenario descriptions reach the run report, and what-if questions and policy descriptions reach the what-if
report, in ``--lang``'s language: the files give them per language (``{en: ..., zh: ...}``). Two tiny seeded runs
at 1% of the people check real reports: ``cogov run --lang zh`` of the baseline street (its ``report.md``) and a
shortened shipped what-if (its report built from the runs, without the plots); the other checks build the reports
of every shipped file (the what-ifs' from seeded synthetic series).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from cogov_sim.cli import main
from cogov_sim.experiments.effects import effects_table
from cogov_sim.experiments.whatif import WhatIf, load_whatif
from cogov_sim.experiments.whatif_report import report_markdown
from cogov_sim.experiments.whatif_run import execute_whatif, plan
from cogov_sim.i18n import LANGS
from cogov_sim.run_report import run_markdown
from cogov_sim.scenario import ScenarioError, load_scenario, scenario_from_dict
from cogov_sim.scenario.base import Localized, in_lang
from tests.conftest import ROOT, SCENARIOS
from tests.test_whatif import _write

SHIPPED_SCENARIOS = sorted(SCENARIOS.glob("*.yaml"))
SHIPPED_WHATIFS = sorted((ROOT / "experiments").glob("whatif_*.yaml"))

TINY_FRACTION = 0.01
"""Share of the people simulated in the tiny runs."""

SENTENCE_END = re.compile(r"(?<=[.?!;])\s+")
CJK = re.compile(r"[\u4e00-\u9fff]")
WIDE = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
"""Chinese characters and full-width punctuation."""
SPACE_IN_CHINESE = re.compile(f"[{WIDE}]\\s+[{WIDE}]")
"""A space between two Chinese characters: what a folded YAML line break leaves in Chinese text."""


def sentences(english: str) -> list[str]:
    """The sentences (and ``;``-separated clauses) of an English text."""
    return [s for s in SENTENCE_END.split(english.strip()) if s]


def assert_in_language(report: str, texts: list[Localized], lang: str) -> None:
    """Every text is in ``report`` in ``lang``, and nothing of it in the other language."""
    for value in texts:
        assert isinstance(value, dict), value
        assert value[lang].strip() in report
        if lang == "zh":
            for sentence in sentences(value["en"]):
                assert sentence not in report, sentence
        else:
            assert value["zh"].strip() not in report


def whatif_texts(wf: WhatIf) -> list[Localized]:
    """The texts a person reads in a what-if file: question, description, the policies' descriptions."""
    return [t for t in (wf.spec.question, wf.spec.description, *(p.description for p in wf.policies)) if t]


# ------------------------------------------------------------------------------------------- the shipped files
@pytest.mark.parametrize("path", SHIPPED_SCENARIOS, ids=lambda p: p.stem)
def test_every_shipped_scenario_describes_itself_in_both_languages(path: Path):
    description = load_scenario(path).description
    assert isinstance(description, dict) and set(description) == set(LANGS)
    assert CJK.search(description["zh"]) and not CJK.search(description["en"])
    assert not SPACE_IN_CHINESE.search(description["zh"])


@pytest.mark.parametrize("path", SHIPPED_WHATIFS, ids=lambda p: p.stem)
def test_every_shipped_whatif_asks_and_describes_its_policies_in_both_languages(path: Path):
    wf = load_whatif(path)
    texts = whatif_texts(wf)
    assert len(texts) >= 1 + len(wf.policies)  # the question and every policy's description
    for value in texts:
        assert isinstance(value, dict) and set(value) == set(LANGS)
        assert CJK.search(value["zh"]) and not CJK.search(value["en"])
        assert not SPACE_IN_CHINESE.search(value["zh"]), value["zh"]


# ---------------------------------------------------------------------------------------- scenario descriptions
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", SHIPPED_SCENARIOS, ids=lambda p: p.stem)
def test_the_run_report_describes_the_scenario_in_its_language(path: Path, lang: str):
    scenario = load_scenario(path)
    report = run_markdown(scenario, {"seed": 1, "days": 1, "wall_time_s": 0.1}, {}, [], lang)
    assert_in_language(report, [scenario.description], lang)


def test_a_tiny_zh_run_writes_the_chinese_description(tmp_path: Path):
    out = tmp_path / "run"
    tiny = ["--days", "3", "--seed", "5", "--set", f"population.sample_fraction={TINY_FRACTION}", "--no-plots"]
    code = main(["run", str(SCENARIOS / "baseline.yaml"), *tiny, "--out", str(out), "--quiet", "--lang", "zh"])
    assert code == 0
    shipped = load_scenario(SCENARIOS / "baseline.yaml")
    assert_in_language((out / "report.md").read_text(encoding="utf-8"), [shipped.description], "zh")
    resolved = load_scenario(out / "scenario.resolved.yaml")  # both languages kept for a rerun
    assert resolved.description == shipped.description


def test_a_description_is_one_text_or_one_per_known_language():
    plain = scenario_from_dict({"description": "A street."})
    assert plain.to_dict()["description"] == "A street."  # stays plain data: the hash reads what it always read
    both = scenario_from_dict({"description": {"en": "A street.", "zh": "一个街道。"}})
    assert (in_lang(both.description, "zh"), in_lang(both.description, "en")) == ("一个街道。", "A street.")
    assert in_lang(scenario_from_dict({"description": {"en": "Only English."}}).description, "zh") == "Only English."
    assert both.hash() != scenario_from_dict({"description": {"en": "A street.", "zh": "另一个。"}}).hash()
    for bad, says in (({"en": "x", "fr": "y"}, "unknown language 'fr'"), ({"zh": 3}, "must be text"), (4, "got int")):
        with pytest.raises(ScenarioError) as err:
            scenario_from_dict({"description": bad}, "s.yaml")
        assert err.value.path == "description" and says in err.value.message and err.value.file == "s.yaml"


# ----------------------------------------------------------------------------------------------- what-if texts
def synthetic(wf: WhatIf, reps: int = 3, seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Runs and daily series of every arm of ``wf``: seeded noise per replication, each policy one step up."""
    rng = np.random.default_rng(seed)
    indicators = list(wf.spec.indicators)
    days = np.arange(1, wf.days + 1)
    rows, parts = [], []
    for r in range(reps):
        level = rng.normal(1.0, 0.2, len(indicators))
        for k, arm in enumerate(wf.arms):
            run_id = f"{arm.name}-{r}"
            rows.append({"run_id": run_id, "policy": arm.name, "replication": r, "status": "ok", "wall_time_s": 1.0})
            step = 0.1 * k * (days >= arm.start_day)  # the baseline (k = 0) stays level
            values = level[None, :] + step[:, None] + rng.normal(0, 0.01, (len(days), len(indicators)))
            part = pd.DataFrame(values, columns=indicators)
            part.insert(0, "day", days)
            part.insert(0, "replication", r)
            part.insert(0, "run_id", run_id)
            parts.append(part)
    return pd.DataFrame(rows), pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", SHIPPED_WHATIFS, ids=lambda p: p.stem)
def test_the_whatif_report_asks_and_describes_in_its_language(path: Path, lang: str):
    wf = load_whatif(path)
    runs, series = synthetic(wf)
    spec = wf.spec
    effects = effects_table(runs, series, [(p.name, p.start_day) for p in wf.policies], spec.indicators,
                            spec.windows, spec.interval, spec.seed)  # fmt: skip
    assert len(effects) == len(wf.policies) * len(spec.indicators) * len(spec.windows)
    assert_in_language(report_markdown(wf, runs, effects, [], None, lang), whatif_texts(wf), lang)


def test_a_zh_whatif_report_of_tiny_runs_asks_and_describes_in_chinese(tmp_path: Path):
    source = ROOT / "experiments" / "whatif_rider_stations.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["base_scenario"] = str((source.parent / data["base_scenario"]).resolve())
    start = min(item["start_day"] for pol in data["policies"].values() for item in pol["interventions"])
    data.update(days=start + 1, replications=2, overrides={"population.sample_fraction": TINY_FRACTION})
    wf = load_whatif(_write(tmp_path, data))
    outcomes = [execute_whatif(task) for task in plan(wf)]  # in this process: no pool, no plots
    assert [o.status for o in outcomes] == ["ok"] * len(outcomes)
    runs = pd.DataFrame([o.row for o in outcomes])
    series = pd.concat(
        pd.DataFrame(o.series, columns=o.series_columns).assign(run_id=o.run_id, replication=o.row["replication"])
        for o in outcomes
    )
    spec = wf.spec
    effects = effects_table(runs, series, [(p.name, p.start_day) for p in wf.policies], spec.indicators,
                            spec.windows, spec.interval, spec.seed)  # fmt: skip
    assert (effects["n"] == spec.replications).all()
    report = report_markdown(wf, runs, effects, [], None, "zh")
    assert_in_language(report, whatif_texts(load_whatif(source)), "zh")
