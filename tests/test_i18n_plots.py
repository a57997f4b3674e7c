"""Every shipped plot drawn in Chinese and in English: the words are in the language asked for, no glyph is missing.

Run plots (dashboard, map, network), sweep plots (by parameter, heat map, Morris and Sobol bars), what-if plots
(forest, trajectories; from a small what-if run with Chinese names) and the app's server-drawn views. Each figure
is drawn to PNG while matplotlib's warnings are recorded (``Glyph ... missing from font(s)`` is what a missing CJK
font gives); then the text of its titles, axis labels, legends and annotations is read from the artists.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from cogov_sim import plotting, report
from cogov_sim.experiments import analysis, designs, plots
from cogov_sim.experiments.spec import load_experiment
from cogov_sim.experiments.sweep import run_sweep
from cogov_sim.experiments.whatif import load_whatif
from cogov_sim.experiments.whatif_report import forest_figure, trajectory_figure
from cogov_sim.experiments.whatif_run import run_whatif
from cogov_sim.model import CoGovModel
from cogov_sim.scenario import Scenario, load_scenario
from cogov_sim.viz.render import Views
from tests.conftest import SCENARIOS
from tests.test_experiments_analysis import meta_of, params3, runs_table
from tests.test_whatif import TINY, _threads, _write

CJK = re.compile(r"[\u4e00-\u9fff]")
NAME = {"zh": "静安寺街道", "en": "jingan"}
"""The scenario's name in each test: the issue's example of a Chinese name."""


def named(name: str) -> Scenario:
    """The baseline street at 2% of its people, under another name."""
    return load_scenario(SCENARIOS / "baseline.yaml", {"name": name, "population.sample_fraction": 0.02})


def draw(fig: Figure) -> list[str]:
    """Draw ``fig`` to PNG; the missing-glyph warnings matplotlib gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def words_of(fig: Figure) -> Iterator[tuple[str, str]]:
    """``(where, text)`` of every title, axis label, legend entry and annotation of a figure (tick labels aside)."""
    if fig._suptitle is not None:
        yield "suptitle", fig._suptitle.get_text()
    for legend in fig.legends:
        yield from (("legend", t.get_text()) for t in [legend.get_title(), *legend.get_texts()])
    for ax in fig.axes:
        for loc in ("left", "center", "right"):
            yield "title", ax.get_title(loc=loc)
        yield "xlabel", ax.get_xlabel()
        yield "ylabel", ax.get_ylabel()
        if ax.get_legend() is not None:
            legend = ax.get_legend()
            yield from (("legend", t.get_text()) for t in [legend.get_title(), *legend.get_texts()])
        yield from (("text", t.get_text()) for t in ax.texts if isinstance(t, Text))


def check(fig: Figure, lang: str, data_names: set[str] = frozenset()) -> list[str]:
    """Draw ``fig`` and check its words: none missing a glyph; Chinese in ``zh``, none in ``en``; returns them.

    ``data_names`` are words that are data, not text (parameter columns, numbers of a heat map): left as they are.
    """
    missing = draw(fig)
    assert missing == [], missing[:3]
    shown = [(where, t) for where, t in words_of(fig) if t.strip() and t not in data_names]
    assert shown, "a figure without words"
    for where, t in shown:
        if lang == "zh":
            assert CJK.search(t), f"{where} {t!r} is not Chinese"
        else:
            assert not CJK.search(t), f"{where} {t!r} is not English"
    return [t for _, t in shown]


@pytest.fixture(scope="module")
def models() -> dict[str, CoGovModel]:
    out = {}
    for lang, name in NAME.items():
        model = CoGovModel(named(name), seed=2)
        for _ in range(12):
            model.step()
        out[lang] = model
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_run_plots(models: dict[str, CoGovModel], lang: str, tmp_path: Path) -> None:
    world = models[lang].world
    ts = pd.DataFrame(world.records)
    dash = check(report.dashboard(ts, NAME[lang], lang=lang), lang)
    if lang == "zh":
        assert {"物理空间：共同在场", "社会空间：共同行动", "精神空间：共同意识", "治理共同体指数"} <= set(dash)
        assert {"信任", "认同感", "天"} <= set(dash)
    else:
        assert "Physical space: shared presence" in dash and "trust" in dash
    shown = check(report.map_figure(world, sample=500, lang=lang), lang)
    assert any(NAME[lang] in t for t in shown)  # the scenario's own name in the title
    if lang == "zh":
        assert any(t.startswith("街道中心 street") for t in shown) and "居1" in shown
    shown = check(report.network_figure(world, lang=lang), lang)
    if lang == "zh":
        assert "党组织 Party" in shown and any(t.startswith("党组织–企业") for t in shown)


def test_a_run_writes_chinese_plots_and_report(models: dict[str, CoGovModel], tmp_path: Path) -> None:
    from cogov_sim.simulation import simulate

    scenario = named(NAME["zh"])
    result = simulate(scenario, 1, 8, keep_model=True)
    report.write_run(result, scenario, tmp_path, lang="zh")
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == ["dashboard.png", "map.png", "network.png"]
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert text.startswith("# 模拟运行：静安寺街道") and "| 治理共同体指数 | `gci` |" in text
    assert list(pd.read_csv(tmp_path / "timeseries.csv").columns[:2]) == ["day", "visits"]  # data keep their names


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sweep_plots(lang: str) -> None:
    points = [{"n": n, "mix": m} for n in (0, 6, 12) for m in ("one", "all")]
    ys = list(np.random.default_rng(0).normal(size=12))
    runs = runs_table(points, {"gci": ys}, reps=2)
    grid = [{"column": "n", "kind": "int"}, {"column": "mix", "kind": "choice"}]
    cells = {f"{v:.3g}" for v in runs.groupby(["mix", "n"])["gci"].mean()}
    shown = check(plots.indicator_by_parameters(runs, grid, "gci", "full_factorial", lang=lang), lang, {"n", "mix"})
    assert ("治理共同体指数" if lang == "zh" else "gci") in shown
    check(plots.heatmap(runs, "n", "mix", "gci", lang=lang), lang, {"n", "mix", *cells})
    for method in ("morris", "sobol"):
        d = designs.morris(params3(), 4, 4, seed=1) if method == "morris" else designs.sobol(params3(), 16, seed=1)
        runs = runs_table(list(d.points), {"gci": list(d.raw[:, 0] + 0.1 * d.raw[:, 1])})
        sens = analysis.sensitivity(runs, d.frame(), meta_of(d), ["gci"], seed=1)
        check(plots.sensitivity_bars(sens, "gci", lang=lang), lang)


def test_a_sweep_with_a_chinese_name_writes_chinese_plots_and_report(tmp_path: Path) -> None:
    data = {"name": "密度扫描", "base_scenario": str(SCENARIOS / "baseline.yaml"), "days": 4, "replications": 1,
            "set": {"population.sample_fraction": 0.02}, "design": "full_factorial", "indicators": ["gci"],
            "parameters": [{"path": "centers.residential.count", "type": "int", "levels": [6, 18]}]}  # fmt: skip
    exp = load_experiment(_write(tmp_path, data))
    out = tmp_path / exp.name
    run_sweep(exp, out, _threads, progress=False, say=lambda _m: None, lang="zh")
    text = (out / "report.md").read_text(encoding="utf-8")
    assert text.startswith("# 参数扫描：密度扫描") and "![gci_by_parameter](plots/gci_by_parameter.png)" in text
    assert (out / "plots" / "gci_by_parameter.png").stat().st_size > 10_000


def test_whatif_plots_and_report_with_chinese_names(tmp_path: Path) -> None:
    data = {**TINY, "name": "动员实验", "days": 14, "replications": 2, "contrasts": [],
            "indicators": ["joint_actions", "gci"],
            "policies": {"动员活动": TINY["policies"]["campaign"]}}  # fmt: skip
    wf = load_whatif(_write(tmp_path, data))
    out = tmp_path / wf.name
    run_whatif(wf, out, _threads, progress=False, say=lambda _m: None, lang="zh")
    text = (out / "report.md").read_text(encoding="utf-8")
    assert text.startswith("# 政策模拟：动员实验") and "## 效应" in text and "**动员活动**" in text
    eff, traj = pd.read_csv(out / "effects.csv"), pd.read_csv(out / "trajectories.csv")
    policies = {"动员活动"}
    check(forest_figure(eff, "zh"), "zh", policies)
    for ind in ("joint_actions", "gci"):
        shown = check(trajectory_figure(traj, ind, {"动员活动": [(10, "start")]}, "zh"), "zh", policies)
        assert "基线 baseline" in shown
    assert check(forest_figure(eff, "en"), "en", policies)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_apps_views(models: dict[str, CoGovModel], lang: str) -> None:
    views = Views()
    world = models[lang].world
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        views.draw(world, run=1, markers=[4], highlight=[0], place=(500.0, 500.0), sample=500, catchments=True,
                   lang=lang)  # fmt: skip
    assert [w for w in caught if "missing from font" in str(w.message)] == []
    for view in (views.map, views.charts, views.network):
        check(view.fig, lang)
    if lang == "zh":
        assert "政策模拟已应用" in [t for _, t in words_of(views.charts.fig)]  # the what-if marker's legend


def test_a_missing_cjk_font_would_be_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    # the check above fails when the fallback is not there: DejaVu Sans alone has no 汉字
    monkeypatch.setitem(plotting.matplotlib.rcParams, "font.family", ["DejaVu Sans"])
    fig = Figure()
    fig.subplots().set_title("党群服务中心")
    assert draw(fig)
    assert len(plotting.FAMILIES) > 1, "no CJK font found: the dependency noto-cjk-sans-otc is missing"
