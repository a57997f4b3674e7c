"""Analysis and plots from result tables only: intervals, SALib indices on known functions, figures."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread
from scipy import stats

from cogov_sim.experiments import analysis, designs, plots
from cogov_sim.experiments.parameters import Parameter


def runs_table(points: list[dict], ys: dict[str, list[float]], reps: int = 1, failed: set[int] | None = None):
    """A runs.parquet-shaped table: ``ys[indicator][k]`` is the value of run k (point-major order)."""
    rows = []
    k = 0
    for i, p in enumerate(points):
        for r in range(reps):
            bad = failed is not None and k in failed
            row = {"run_id": f"r{k}", "point_index": i, **p, "replication": r, "seed": k}
            row.update(status="failed" if bad else "ok", error="boom" if bad else None)
            row.update({name: (math.nan if bad else vals[k]) for name, vals in ys.items()})
            row.update(scenario_hash="h", days=1, version="0", wall_time_s=0.1, attempts=1)
            rows.append(row)
            k += 1
    return pd.DataFrame(rows)


def test_summary_means_and_t_intervals() -> None:
    points = [{"a": 1}, {"a": 2}]
    runs = runs_table(points, {"gci": [1.0, 2.0, 3.0, 10.0, 10.0, 99.0]}, reps=3, failed={5})
    summary = analysis.summarize(runs, ["a"])
    assert analysis.indicator_columns(runs) == ["gci"]
    p0 = summary[summary["point_index"] == 0].iloc[0]
    half = stats.t.ppf(0.975, 2) * 1.0 / math.sqrt(3)
    assert (p0["a"], p0["indicator"], p0["n_runs"], p0["n"]) == (1, "gci", 3, 3)
    assert p0["mean"] == pytest.approx(2.0)
    assert p0["sd"] == pytest.approx(1.0)
    assert (p0["ci_low"], p0["ci_high"]) == pytest.approx((2.0 - half, 2.0 + half))
    p1 = summary[summary["point_index"] == 1].iloc[0]
    assert (p1["n_runs"], p1["n"], p1["mean"], p1["sd"]) == (3, 2, 10.0, 0.0)
    assert (p1["ci_low"], p1["ci_high"]) == (10.0, 10.0)


def test_summary_single_run_has_no_interval() -> None:
    runs = runs_table([{"a": 1}], {"gci": [0.5]})
    row = analysis.summarize(runs, ["a"]).iloc[0]
    assert row["mean"] == 0.5
    assert math.isnan(row["ci_low"]) and math.isnan(row["ci_high"])


def params3() -> tuple[Parameter, ...]:
    return (
        Parameter("a", "real", "x.a", (), (0.0, 2.0)),
        Parameter("b", "real", "x.b", (), (0.0, 1.0)),
        Parameter("c", "int", "x.c", (), (1.0, 5.0)),
    )


def meta_of(d: designs.Design) -> dict:
    return {"method": d.method, "problem": d.problem, "levels": d.levels, "parameters": []}


def test_morris_ranks_a_linear_function() -> None:
    ps = params3()
    d = designs.morris(ps, 20, 4, seed=5)
    x = d.raw
    y = 3.0 * x[:, 0] + 0.0 * x[:, 1] + 0.2 * x[:, 2]  # effect per full range: a 6, b 0, c 0.2 * 5 = 1
    runs = runs_table(list(d.points), {"gci": list(y)})
    sens = analysis.sensitivity(runs, d.frame(), meta_of(d), ["gci"], seed=1)
    by = sens.set_index("parameter")
    assert by.loc["a", "rank"] == 1
    assert by.loc["c", "rank"] == 2
    assert by.loc["b", "rank"] == 3
    assert by.loc["a", "mu_star"] == pytest.approx(6.0, rel=1e-6)
    assert by.loc["c", "mu_star"] == pytest.approx(1.0, rel=1e-6)
    assert by.loc["b", "mu_star"] == pytest.approx(0.0, abs=1e-9)
    assert by.loc["a", "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert (sens["groups_used"] == 20).all()


def test_morris_leaves_out_trajectories_with_a_failed_point() -> None:
    ps = params3()
    d = designs.morris(ps, 6, 4, seed=5)
    y = d.raw[:, 0]
    runs = runs_table(list(d.points), {"gci": list(y)}, failed={5})  # trajectory 1 (points 4-7)
    sens = analysis.sensitivity(runs, d.frame(), meta_of(d), ["gci"])
    assert (sens["groups_used"] == 5).all()
    assert sens.set_index("parameter").loc["a", "mu_star"] == pytest.approx(2.0)


def test_sobol_indices_of_an_additive_function() -> None:
    ps = params3()
    d = designs.sobol(ps, 256, seed=9)
    x = d.raw
    y = x[:, 0] + 0.1 * x[:, 1]  # Var: a 4/12, b 0.01/12, c 0
    runs = runs_table(list(d.points), {"gci": list(y)})
    sens = analysis.sensitivity(runs, d.frame(), meta_of(d), ["gci"], seed=2).set_index("parameter")
    assert list(sens.columns) == ["indicator", "rank", "S1", "S1_conf", "ST", "ST_conf", "groups_used"]
    assert sens.loc["a", "S1"] == pytest.approx(4 / 4.01, abs=0.05)
    assert sens.loc["a", "ST"] == pytest.approx(4 / 4.01, abs=0.05)
    assert sens.loc["c", "ST"] == pytest.approx(0.0, abs=0.02)
    assert sens.loc["a", "rank"] == 1
    assert 0 < sens.loc["a", "S1_conf"] < 0.2


def test_no_sensitivity_for_grids() -> None:
    runs = runs_table([{"a": 1}], {"gci": [0.5]})
    assert analysis.sensitivity(runs, pd.DataFrame(), {"method": "full_factorial"}, ["gci"]).empty


def image_has_content(path: Path) -> bool:
    img = imread(path)
    return img.shape[0] > 100 and float(img[..., :3].std()) > 0.02


def test_plots_for_a_two_parameter_grid_include_heat_maps(tmp_path: Path) -> None:
    points = [{"n": n, "mix": m} for n in (0, 6, 12) for m in ("one", "all")]
    rng = np.random.default_rng(0)
    ys = list(rng.normal(size=18))
    runs = runs_table(points, {"gci": ys, "visits": ys}, reps=3, failed={4})
    meta = {
        "method": "full_factorial",
        "parameters": [{"column": "n", "kind": "int"}, {"column": "mix", "kind": "choice"}],
    }
    files = plots.write_plots(tmp_path, runs, meta, ["gci", "visits"])
    names = sorted(p.name for p in files)
    assert names == ["gci_by_parameter.png", "heatmap_gci.png", "heatmap_visits.png", "visits_by_parameter.png"]
    assert all(image_has_content(p) for p in files)


def test_plots_for_one_parameter_have_no_heat_map_and_sampled_designs_get_sensitivity(tmp_path: Path) -> None:
    runs = runs_table([{"n": n} for n in (0, 3, 6)], {"gci": [0.1, 0.2, 0.3, 0.2, 0.3, 0.5]}, reps=2)
    meta = {"method": "full_factorial", "parameters": [{"column": "n", "kind": "int"}]}
    files = plots.write_plots(tmp_path / "grid", runs, meta, ["gci"])
    assert [p.name for p in files] == ["gci_by_parameter.png"]

    d = designs.morris(params3(), 4, 4, seed=1)
    runs = runs_table([{k: v for k, v in p.items()} for p in d.points], {"gci": list(d.raw[:, 0])})
    sens = analysis.sensitivity(runs, d.frame(), meta_of(d), ["gci"])
    meta = {**meta_of(d), "parameters": [{"column": c, "kind": "real"} for c in "abc"]}
    files = plots.write_plots(tmp_path / "morris", runs, meta, ["gci"], sens)
    assert sorted(p.name for p in files) == ["gci_by_parameter.png", "sensitivity_gci.png"]
    assert all(image_has_content(p) for p in files)


def test_choice_levels_are_drawn_in_design_order() -> None:
    points = [{"mix": m} for m in ("single", "party", "all")]
    runs = runs_table(points, {"gci": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]}, reps=2)
    fig = plots.indicator_by_parameters(runs, [{"column": "mix", "kind": "choice"}], "gci", "full_factorial")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["single", "party", "all"]
    means = ax.lines[0].get_ydata() if ax.lines else ax.containers[0].lines[0].get_ydata()
    assert list(means) == pytest.approx([0.15, 0.35, 0.55])
