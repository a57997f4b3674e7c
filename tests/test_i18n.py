"""The catalogue of the two languages: complete for the model's words, consistent, and chosen from the locale.

Also the ``--lang`` option (a bad value exits 2 naming both languages) and Chinese names of scenarios,
experiments and policies.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

from cogov_sim import i18n, vocabulary
from cogov_sim.cli import main
from cogov_sim.experiments.spec import load_experiment
from cogov_sim.experiments.whatif import load_whatif
from cogov_sim.i18n import words
from cogov_sim.interventions import REGISTRY
from cogov_sim.scenario import ScenarioError, load_scenario, tunable_fields
from cogov_sim.viz import whatif
from cogov_sim.viz.catalog import ENV_LANG, page_lang
from cogov_sim.viz.params import control_label, option_label, scenario_controls, section_label
from cogov_sim.viz.serve import server_env
from cogov_sim.world.organizations import ORG_TYPES

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")
WIDE = re.compile(r"[\u3000-\u303f\uff00-\uffef]")


@pytest.mark.parametrize(
    ("table", "names"),
    [
        (words.ACTORS, (*ORG_TYPES, "resident")),
        (words.LEVELS, vocabulary.LEVELS),
        (words.FUNCTIONS, vocabulary.FUNCTIONS),
        (words.SEGMENTS, vocabulary.SEGMENTS),
        (words.SLOTS, vocabulary.SLOTS),
        (words.DAYS, vocabulary.DAY_KINDS),
        (words.INDICATORS, tuple(vocabulary.INDICATORS)),
        (words.MEANINGS_ZH, tuple(vocabulary.INDICATORS)),
        (words.INTERVENTIONS, tuple(REGISTRY)),
    ],
)
def test_every_word_of_the_model_has_a_chinese_name_and_no_entry_names_nothing(table: dict, names: tuple) -> None:
    assert set(table) == set(names)
    for name in names:
        zh = table[name][1] if isinstance(table[name], tuple) else table[name]
        assert CJK.search(zh), f"{name}: {zh!r} has no Chinese"


def test_every_app_control_and_what_if_input_has_a_chinese_label() -> None:
    assert set(words.PARAMETERS) == {t.path for t in tunable_fields()}
    sections = scenario_controls(load_scenario(ROOT / "scenarios" / "baseline.yaml"))
    for section, controls in sections.items():
        assert CJK.search(section_label(section, "zh")), section
        for c in controls:
            assert CJK.search(control_label(c.path, "zh")), c.path
            assert control_label(c.path, "en") == c.label
            assert all(CJK.search(option_label(o, "zh")) for o in c.options), c.options
    for kind in whatif.kinds():
        assert CJK.search(i18n.label(kind, "zh", "intervention")), kind
        for item in whatif.form(kind):
            assert CJK.search(whatif.input_label(item, "zh")), (kind, item.name)
            assert whatif.input_label(item, "en") == item.label


def test_the_article_terms_are_there() -> None:
    zh = {i18n.label(n, "zh", k) for k, n in [("actor", "party"), ("actor", "department"), ("actor", "enterprise"),
                                               ("actor", "social_org"), ("actor", "resident"),
                                               ("function", "deliberation"), ("level", "street"),
                                               ("indicator", "gci_presence"), ("indicator", "gci_action")]}  # fmt: skip
    assert zh == {"党组织", "政府部门", "企业", "社会组织", "居民", "议事厅", "街道中心", "共同在场", "共同行动"}
    assert i18n.label("party", "zh", "actor", both=True) == "党组织 Party"
    assert i18n.label("rider", "zh", "level") != i18n.label("rider", "zh", "segment")  # a station, a person


def test_each_text_has_the_same_fields_in_both_languages_and_chinese_in_chinese() -> None:
    def fields(template: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(template) if f}

    for key, (en, zh) in i18n.TEXTS.items():
        assert fields(en) == fields(zh), key
        assert not CJK.search(en), key
        assert CJK.search(zh) or WIDE.search(zh), key  # Chinese words or at least Chinese punctuation


def test_english_is_unchanged_where_the_browser_test_reads_it() -> None:
    assert i18n.text("app.markers", "en", marks="day 2 (add_centers)") == "what-if markers: day 2 (add_centers)"
    assert i18n.text("app.level_centers", "en", level=i18n.label("residential", "en", "level")) == "residential centers"
    assert i18n.label("visits", "en") == "visits"


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
        ({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL wins
        ({"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, "zh"),  # an empty variable is not set
    ],
)
def test_the_language_comes_from_the_locale(env: dict, lang: str) -> None:
    assert i18n.lang_from_env(env) == lang


def test_cogov_viz_passes_its_language_to_the_server() -> None:
    assert server_env("127.0.0.1", 1, [], 1.0, 1, "zh")[ENV_LANG] == "zh"
    assert page_lang(server_env("127.0.0.1", 1, [], 1.0, 1, "en")) == "en"


def test_the_app_opens_in_the_servers_language_else_the_locales() -> None:
    assert page_lang({ENV_LANG: "zh", "LANG": "en_US.UTF-8"}) == "zh"
    assert page_lang({ENV_LANG: "en", "LANG": "zh_CN.UTF-8"}) == "en"
    assert page_lang({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert page_lang({ENV_LANG: "fr", "LANG": "zh_CN.UTF-8"}) == "zh"


@pytest.mark.parametrize("command", ["run baseline", "sweep experiments/smoke.yaml", "whatif x.yaml", "viz"])
def test_a_bad_lang_exits_2_with_one_line_naming_both(command: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*command.split(), "--lang", "fr"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'fr'" in err and "zh" in err and "en" in err


def test_lang_defaults_to_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    from cogov_sim.cli import build_parser

    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert build_parser().parse_args(["run", "baseline"]).lang == "zh"
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert build_parser().parse_args(["run", "baseline"]).lang == "en"
    assert build_parser().parse_args(["run", "baseline", "--lang", "zh"]).lang == "zh"


def test_chinese_names_for_scenarios_experiments_and_policies(tmp_path: Path) -> None:
    base = str(ROOT / "scenarios" / "baseline.yaml")
    assert load_scenario(base, {"name": "静安寺街道"}).name == "静安寺街道"
    sweep = {"name": "密度扫描", "base_scenario": base, "days": 5, "replications": 1, "design": "full_factorial",
             "parameters": [{"path": "centers.residential.count", "type": "int", "levels": [0, 12]}]}  # fmt: skip
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(sweep, allow_unicode=True), encoding="utf-8")
    assert load_experiment(tmp_path / "s.yaml").name == "密度扫描"
    wf = {"name": "商圈联盟实验", "base_scenario": base, "days": 5, "replications": 1,
          "policies": {"商圈党建联盟": [{"kind": "launch_alliance", "start_day": 2}]}}  # fmt: skip
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(wf, allow_unicode=True), encoding="utf-8")
    loaded = load_whatif(tmp_path / "w.yaml")
    assert loaded.name == "商圈联盟实验" and [p.name for p in loaded.policies] == ["商圈党建联盟"]
    for bad in ("静安/寺", "..", "静安\x00寺", "静安寺\n街道", "a" * 101):
        with pytest.raises(ScenarioError):
            load_scenario(base, {"name": bad})
        wf["policies"] = {bad: []}
        (tmp_path / "w.yaml").write_text(yaml.safe_dump(wf, allow_unicode=True), encoding="utf-8")
        with pytest.raises(ScenarioError):
            load_whatif(tmp_path / "w.yaml")
