"""Pattern-oriented checks (MODEL.md §5): the baseline lands in the evidence ranges, and the mechanisms respond
to center density and function the way the theory says, across seeds."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from cogov_sim.model import CoGovModel
from cogov_sim.population import AGE_BANDS
from cogov_sim.scenario import LEVELS
from cogov_sim.simulation import simulate
from tests.conftest import small
from tests.test_mechanisms import fitted_efolding_km

FRACTION = 0.25


@pytest.fixture(scope="module")
def baseline_year():
    """The baseline at 25% sampling for one year, with each person's visits to the street center counted."""
    model = CoGovModel(small("baseline", FRACTION), seed=1)
    street = int(np.flatnonzero(model.world.centers.level == LEVELS.index("street"))[0])
    to_street = np.zeros(model.world.n)
    for _ in range(365):
        model.step()
        t = model.world.today
        np.add.at(to_street, t.visitor[t.center == street], 1)
    return model, street, to_street


def test_street_center_load_and_tier_ratio_in_evidence_range(baseline_year):
    model, street, _ = baseline_year
    per_day = model.world.visits_by_center.sum(axis=1) * model.world.scale / model.day
    people = model.world.n * model.world.scale
    per_100k = per_day[street] / people * 1e5
    assert 300 <= per_100k <= 3000  # Evidence §4.2: ~1,000 a day per 100,000 residents
    residential = per_day[model.world.centers.level == LEVELS.index("residential")].mean()
    assert 5 <= per_day[street] / residential <= 15  # Evidence §4.2: street 5-15× a residential station


def test_visits_fall_with_distance_with_evidence_efolding(baseline_year):
    model, street, to_street = baseline_year
    home_anchored = ~model.world.pop.commuter & (model.world.pop.work == model.world.pop.home).all(axis=1)
    length = fitted_efolding_km(model.world, to_street, street, people=home_anchored)
    assert 0.4 <= length <= 1.0  # Evidence §4.1: 0.5-0.8 km; the issue accepts 0.4-1.0


def test_volunteers_rise_and_stay_well_below_a_third(baseline_year):
    model, _, _ = baseline_year
    v = pd.DataFrame(model.world.records)["volunteer_share"].to_numpy()
    assert v[-1] < 0.3
    assert v[-1] > v[180] > v[30] > 0  # rising


def test_registered_volunteers_keep_those_who_left(baseline_year):
    model, _, _ = baseline_year
    rec = pd.DataFrame(model.world.records)
    active, registered = rec["volunteer_share"].to_numpy(), rec["registered_volunteer_share"].to_numpy()
    assert (registered >= active).all()
    assert (np.diff(registered) >= 0).all()  # registration is not withdrawn when a volunteer stops
    left = model.world.pop.volunteer_since >= 0
    assert registered[-1] == pytest.approx(left.mean())
    assert registered[-1] > active[-1]  # a third of volunteers leave within a year, and they stay registered


def _party_ratio(weight: float) -> float:
    model = CoGovModel(small("baseline", 0.05, **{"behaviour.party_invitation_weight": weight}), seed=3)
    for _ in range(180):
        model.step()
    took_part = model.world.pop.actions_joined > 0
    party = model.world.pop.party
    return float(took_part[party].mean() / took_part[~party].mean())


def test_party_members_take_part_more_the_more_they_are_asked_first():
    without, strong = _party_ratio(0.0), _party_ratio(3.0)
    print(f"Party / non-Party participation: {without:.2f} unweighted, {strong:.2f} at weight 3")
    assert strong > without + 0.2
    assert without > 1.0  # with no priority they still take part more: they know more centers, lower thresholds


def test_most_ties_above_acquaintance_stay_below_friend(baseline_year):
    model, _, _ = baseline_year
    b = model.world.scenario.behaviour
    _, _, hours = model.world.ties.above(model.day, b.acquaintance_hours)
    assert len(hours) > 1000
    assert (hours < b.friend_hours).mean() > 0.9


def test_participation_rises_with_age_and_is_higher_among_party_members(baseline_year):
    model, _, _ = baseline_year
    pop = model.world.pop
    took_part = pop.actions_joined > 0
    band = pop.age_band()
    by_band = [took_part[band == k].mean() for k in range(len(AGE_BANDS) - 1)]  # 18-29 … 70-79
    assert by_band[0] < by_band[3] < by_band[5]  # 18-29 < 50-59 < 70-79
    assert np.corrcoef(np.arange(len(by_band)), by_band)[0, 1] > 0.8
    assert took_part[pop.party].mean() > took_part[~pop.party].mean() + 0.05


def _final(args):
    name, seed = args
    r = simulate(small(name, 0.1), seed=seed, days=150)
    ts = r.timeseries
    return {"scenario": name, "seed": seed, "visits": ts["visits"].sum(), "joint_actions": ts["joint_actions"].sum(),
            "gci": r.final["gci"], "bridging": r.final["bridging_tie_share"],
            "coverage": r.final["coverage_15min"], "visits_per_capita": ts["visits_per_capita"].mean()}  # fmt: skip


@pytest.fixture(scope="module")
def across_seeds():
    names = ("baseline", "no_centers", "mixed_function", "single_function", "dense", "sparse")
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        rows = list(pool.map(_final, [(n, s) for n in names for s in range(1, 6)]))
    return pd.DataFrame(rows).set_index(["scenario", "seed"])


def test_no_centers_counterfactual(across_seeds):
    base, none = across_seeds.loc["baseline"], across_seeds.loc["no_centers"]
    assert (none["visits"] == 0).all()
    assert (none["joint_actions"] <= 0.1 * base["joint_actions"]).all()
    assert (none["gci"] < base["gci"]).all()


def test_mixed_function_bridges_more_than_single_function(across_seeds):
    mixed, single = across_seeds.loc["mixed_function"], across_seeds.loc["single_function"]
    assert (mixed["bridging"] > single["bridging"]).all()


def test_dense_covers_more_and_draws_more_visits_than_sparse(across_seeds):
    dense, sparse = across_seeds.loc["dense"], across_seeds.loc["sparse"]
    assert (dense["coverage"] > sparse["coverage"]).all()
    assert (dense["visits_per_capita"] > sparse["visits_per_capita"]).all()
