"""EMA Workbench reads the export, and its own PRIM on the exported archive gives the box of cogov discover."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from cogov_sim.cli import main
from cogov_sim.discovery.ema import ema_model
from tests.test_discover import write_exploration_results

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # EMA Workbench warns at import that ipyparallel is missing
    from ema_workbench import load_results
    from ema_workbench.analysis import prim as ema_prim


def test_ema_workbench_loads_the_export_and_its_prim_finds_the_same_box(tmp_path: Path) -> None:
    folder = write_exploration_results(tmp_path / "r", n_futures=100)
    archive = tmp_path / "ema.tar.gz"
    assert main(["ema-export", str(folder), "--out", str(archive)]) == 0
    experiments, outcomes = load_results(str(archive))
    runs = pd.read_parquet(folder / "runs.parquet")
    assert len(experiments) == len(runs) == 200
    assert list(experiments.columns) == [
        "behaviour.emergent_convening_threshold",
        "organizations.convening_per_week",
        "place",
        "scenario",
        "policy",
        "model",
    ]
    np.testing.assert_array_equal(
        experiments["organizations.convening_per_week"], runs["organizations.convening_per_week"]
    )
    assert experiments["policy"].astype(str).tolist() == runs["policy"].tolist()
    assert experiments["scenario"].tolist() == runs["point_index"].tolist()
    np.testing.assert_array_equal(outcomes["gci"], runs["gci"].to_numpy())

    out = tmp_path / "d"
    where = "non_party_convened_share > 0.25"
    assert main(["discover", str(folder), "--where", where, "--out", str(out)]) == 0
    ours = json.loads((out / "discover.json").read_text())["prim"]

    x = experiments.drop(columns=["scenario", "model"])
    y = outcomes["non_party_convened_share"] > 0.25
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = ema_prim.Prim(x, y, peel_alpha=0.05, mass_min=0.05).find_box()
    theirs = box.peeling_trajectory.iloc[ours["chosen"]]
    assert theirs["coverage"] == ours["coverage"] and theirs["density"] == ours["density"]
    lims = box.box_lims[ours["chosen"]]
    for lim in ours["limits"]:
        assert lims[lim["column"]].tolist() == [lim["low"], lim["high"]]
    restricted = [c for c in box.prim.box_init.columns if not (lims[c] == box.prim.box_init[c]).all()]
    assert sorted(restricted) == sorted(lim["column"] for lim in ours["limits"])


def test_the_ema_model_of_a_scenario_covers_the_plausible_ranges(tmp_path: Path) -> None:
    model = ema_model("baseline", paths=["behaviour.emergent_convening_threshold", "behaviour.agreement_successes"])
    names = {u.name: u for u in model.uncertainties}  # Python identifiers, as EMA Workbench 3 wants
    threshold = names["behaviour__emergent_convening_threshold"]
    assert (threshold.lower_bound, threshold.upper_bound) == (0.3, 0.9)
    assert type(names["behaviour__agreement_successes"]).__name__ == "IntegerParameter"
    fn = model.function
    assert fn.paths == {
        "behaviour__emergent_convening_threshold": "behaviour.emergent_convening_threshold",
        "behaviour__agreement_successes": "behaviour.agreement_successes",
    }
    values = {"behaviour__emergent_convening_threshold": 0.5, "behaviour__agreement_successes": 2}
    assert fn.seed(values) == fn.seed(dict(reversed(values.items())))  # paired: the seed is the scenario's
    assert fn.seed(values) != fn.seed({**values, "behaviour__agreement_successes": 3})
