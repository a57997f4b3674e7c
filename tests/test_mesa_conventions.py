"""Mesa's own tools on the model: keyword construction, ``mesa.batch_run``, the datacollector, agent reporters
over residents and organizations, ``mesa.visualization``'s plot component, and the example notebook."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import mesa
import nbformat
import numpy as np
import pandas as pd
import pytest
import solara
from mesa.visualization import make_plot_component
from nbclient import NotebookClient

from cogov_sim.agents import ActorView, OrganizationAgent, Resident
from cogov_sim.model import CoGovModel
from cogov_sim.scenario import ScenarioError, load_scenario
from cogov_sim.vocabulary import INDICATORS
from tests.conftest import ROOT, SCENARIOS, small

FRACTION = "population.sample_fraction"


def stepped(model: CoGovModel, days: int) -> CoGovModel:
    for _ in range(days):
        model.step()
    return model


# ------------------------------------------------------------------------------------------- construction
def test_a_scenario_by_name_path_or_object_with_overrides_is_the_same_scenario() -> None:
    expected = load_scenario(SCENARIOS / "dense.yaml", {FRACTION: 0.01}).hash()
    forms = [
        CoGovModel("dense", seed=1, overrides={FRACTION: 0.01}),
        CoGovModel(str(SCENARIOS / "dense.yaml"), seed=1, overrides=[f"{FRACTION}=0.01"]),
        CoGovModel(SCENARIOS / "dense.yaml", seed=1, **{FRACTION: 0.01}),
        CoGovModel("dense", seed=1, population__sample_fraction=0.01),
        CoGovModel(load_scenario(SCENARIOS / "dense.yaml"), 1, (), {FRACTION: 0.01}),
        CoGovModel(scenario=load_scenario(SCENARIOS / "dense.yaml", {FRACTION: 0.01}), rng=1),
    ]
    assert [m.world.scenario.hash() for m in forms] == [expected] * len(forms)
    assert {m.world.seed for m in forms} == {1}
    assert CoGovModel(**{FRACTION: 0.01}).world.scenario.name == load_scenario(SCENARIOS / "baseline.yaml").name


def test_same_scenario_and_seed_give_the_same_run_in_every_form() -> None:
    a = stepped(CoGovModel("baseline", seed=4, overrides={FRACTION: 0.01}), 3)
    b = stepped(CoGovModel(small("baseline", 0.01), seed=4), 3)
    assert a.world.records == b.world.records


def test_bad_construction_is_refused_with_a_clear_error() -> None:
    with pytest.raises(ScenarioError) as unknown:
        CoGovModel("dens")
    assert "Did you mean 'dense'" in str(unknown.value)
    assert all(name in str(unknown.value) for name in ("baseline", "sparse", "no_centers"))
    with pytest.raises(ScenarioError) as bad:
        CoGovModel("baseline", **{FRACTION: 7})
    assert bad.value.path == FRACTION
    with pytest.raises(ScenarioError) as unknown_key:
        CoGovModel("baseline", population__sample_fractoin=0.1)
    assert "sample_fractoin" in str(unknown_key.value)
    with pytest.raises(ValueError, match="seed or rng"):
        CoGovModel("baseline", seed=1, rng=2, **{FRACTION: 0.01})
    with pytest.raises(ValueError, match=">= 0"):
        CoGovModel("baseline", seed=-1, **{FRACTION: 0.01})


def test_seed_none_draws_a_seed_that_is_recorded_and_reproduces_the_run() -> None:
    drawn = [CoGovModel("baseline", seed=None, **{FRACTION: 0.01}) for _ in range(3)]
    seeds = [m.world.seed for m in drawn]
    assert len(set(seeds)) == 3 and all(isinstance(s, int) and s >= 0 for s in seeds)
    assert [m.meta()["seed"] for m in drawn] == seeds
    again = CoGovModel("baseline", seed=seeds[0], **{FRACTION: 0.01})
    assert stepped(drawn[0], 3).world.records == stepped(again, 3).world.records


# ---------------------------------------------------------------------------------------------- batch_run
def test_batch_run_over_two_values_and_two_seeds_returns_the_indicators() -> None:
    params = {"scenario": "baseline", FRACTION: [0.01, 0.02]}
    rows = mesa.batch_run(CoGovModel, parameters=params, rng=[1, 2], max_steps=4, number_processes=1,
                          display_progress=False)  # fmt: skip
    df = pd.DataFrame(rows)
    assert len(df) == 4
    assert set(INDICATORS) <= set(df.columns)
    assert sorted(zip(df["seed"], df[FRACTION], strict=True)) == [(1, 0.01), (1, 0.02), (2, 0.01), (2, 0.02)]
    assert (df["Step"] == 4).all()
    assert np.isfinite(df[list(INDICATORS)].to_numpy(dtype=float)).all()
    for _, row in df.iterrows():
        direct = stepped(CoGovModel(small("baseline", row[FRACTION]), seed=int(row["seed"])), 4).world.records[-1]
        assert {k: row[k] for k in INDICATORS} == {k: direct[k] for k in INDICATORS}
    by_seed = df.set_index(["seed", FRACTION])["visits"]
    assert by_seed[(1, 0.01)] != by_seed[(2, 0.01)] or by_seed[(1, 0.02)] != by_seed[(2, 0.02)]


def test_batch_run_with_iterations_and_the_default_seed_runs_every_day() -> None:
    with pytest.warns(DeprecationWarning, match="iterations"):
        rows = mesa.batch_run(
            CoGovModel,
            parameters={"scenario": "sparse", FRACTION: 0.01},
            iterations=2,
            max_steps=3,
            number_processes=1,
            data_collection_period=1,
            display_progress=False,
        )
    df = pd.DataFrame(rows)
    assert df.groupby("RunId")["Step"].apply(list).tolist() == [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]
    assert set(INDICATORS) <= set(df.columns)


# ------------------------------------------------------------------------------------------ datacollector
def test_the_datacollector_holds_every_indicator_of_every_day() -> None:
    model = stepped(CoGovModel("baseline", seed=2, **{FRACTION: 0.01}), 5)
    dc = model.datacollector
    assert list(dc.model_reporters) == list(INDICATORS)
    assert dc._collection_steps == [1.0, 2.0, 3.0, 4.0, 5.0]
    frame = dc.get_model_vars_dataframe()
    expected = pd.DataFrame(model.world.records).drop(columns="day")
    pd.testing.assert_frame_equal(frame.reset_index(drop=True), expected, check_dtype=False)


def test_agent_reporters_work_on_residents_and_organizations_alike() -> None:
    reporters = {name: name for name in ActorView.REPORTABLE}
    model = CoGovModel("baseline", seed=3, agent_reporters=reporters, **{FRACTION: 0.01})
    stepped(model, 2)
    agents = model.datacollector.get_agent_vars_dataframe()
    last = agents.xs(2.0, level="Step")
    residents, orgs = last[last["kind"] == "resident"], last[last["kind"] != "resident"]
    assert len(residents) == model.world.n and len(orgs) == len(model.world.orgs) > 0
    assert set(orgs["kind"]) == {"party", "department", "enterprise", "social_org"}
    pop = model.world.pop
    assert residents["trust"].to_numpy(dtype=float) == pytest.approx(pop.trust.astype(float))
    assert residents["commitment"].isna().all() and orgs["trust"].isna().all()
    assert orgs["commitment"].tolist() == pytest.approx([o.commitment for o in model.world.orgs])
    assert set(residents["actor_type"]) <= {"elderly", "working_adult", "parent", "office_worker", "rider"}
    assert (orgs["actor_type"] == orgs["kind"]).all()
    # a reporter a user writes for residents alone runs over organizations too
    dc = mesa.DataCollector(agent_reporters={"segment": "segment", "trust": lambda a: a.state().get("trust")})
    dc.collect(model)
    assert len(dc.get_agent_vars_dataframe()) == model.world.n + len(model.world.orgs)


def test_every_view_answers_every_reportable_attribute() -> None:
    model = CoGovModel("baseline", seed=1, **{FRACTION: 0.01})
    views = [next(iter(model.agents_by_type[Resident])), model.org_agents[0]]
    assert isinstance(views[1], OrganizationAgent)
    for view in views:
        report = view.report()
        assert list(report) == list(ActorView.REPORTABLE)
        assert all(v is None or isinstance(v, str | bool | int | float) for v in report.values())


# --------------------------------------------------------------------------------------- mesa.visualization
def test_mesa_visualization_imports_and_its_plot_component_draws_the_indicators() -> None:
    model = stepped(CoGovModel("baseline", seed=1, **{FRACTION: 0.01}), 6)
    axes: list = []
    component, page = make_plot_component(["gci", "trust_mean"], post_process=axes.append)
    solara.render(component(model), handle_error=False)
    assert page == 0 and len(axes) == 1
    lines = axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["gci", "trust_mean"]
    for line, name in zip(lines, ("gci", "trust_mean"), strict=True):
        assert line.get_ydata().tolist() == pytest.approx([r[name] for r in model.world.records])
    chart, _ = make_plot_component("visits", backend="altair")
    box, _ = solara.render(chart(model), handle_error=False)
    spec = box.children[0].spec
    (values,) = spec["datasets"].values()
    assert [v["Value"] for v in values] == pytest.approx([r["visits"] for r in model.world.records])


def test_mesa_visualization_imports_in_a_fresh_interpreter() -> None:
    code = "import mesa.visualization, altair; print(mesa.visualization.SolaraViz.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "SolaraViz"


# ----------------------------------------------------------------------------------------- the notebook
def test_the_example_notebook_runs_and_reads_every_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COGOV_TOUR_OUT", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(ROOT / "examples" / "tour.ipynb", as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit the notebook unexecuted"
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "examples")}}
    ).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    for produced in ("dense/timeseries.csv", "smoke/runs.parquet", "smoke/summary.csv", "evening_tour/effects.csv"):
        assert (tmp_path / produced).is_file(), produced
    shown = "\n".join(
        str(o.get("data", {}).get("text/plain", o.get("text", ""))) for c in nb.cells if c.cell_type == "code"
        for o in c.outputs
    )  # fmt: skip
    assert "gci" in shown and "visits_per_capita" in shown and "policy_mean" in shown
    effects = pd.read_csv(tmp_path / "evening_tour" / "effects.csv")
    assert set(effects["policy"]) == {"evening"} and all(math.isfinite(x) for x in effects["diff"])
