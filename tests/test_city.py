"""Places nested in places: the city schema, its errors, the world it builds and its street-by-street outputs."""

from __future__ import annotations

import copy
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from cogov_sim.city import build_layout
from cogov_sim.mechanisms.invitations import invitation_scopes
from cogov_sim.model import CoGovModel
from cogov_sim.scenario import LEVELS, ScenarioError, load_scenario, scenario_from_dict
from cogov_sim.scenario.streets import cached_plan
from cogov_sim.simulation import simulate
from cogov_sim.world.build import build_world
from cogov_sim.world.organizations import OrgTable
from tests.conftest import ROOT, SCENARIOS

SEED = 11


def small_city() -> dict:
    """Two districts of two and three streets, small enough to run a few weeks in seconds."""
    base = yaml.safe_load((SCENARIOS / "baseline.yaml").read_text(encoding="utf-8"))
    base["name"] = "two_districts"
    base["population"].update(residents=8000, commuters=600, residential_areas=4, sample_fraction=0.2)
    base["area"] = {"width_m": 1500, "height_m": 1200}
    base["centers"]["residential"]["count"] = 4
    base["centers"]["district"] = copy.deepcopy(base["centers"]["street"])
    base["city"] = {
        "name": {"en": "Two districts", "zh": "两区"},
        "residents": 50_000,
        "districts": [
            {"name": "North", "share": 0.4, "departments": 2,
             "streets": [{"name": "N1", "share": 0.5}, {"name": "N2", "share": 0.5, "office_buildings": 0}]},
            {"name": "South", "share": 0.6, "centers": 2,
             "streets": [{"name": "S", "count": 3, "commuters": 0, "centers": {"grid": 2}}]},
        ],
    }  # fmt: skip
    return base


@pytest.fixture(scope="module")
def city():
    return scenario_from_dict(small_city())


@pytest.fixture(scope="module")
def world(city):
    return build_world(city, SEED)


# ------------------------------------------------------------------------------------------------ the schema
def refused(data: dict) -> ScenarioError:
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(data, file="city.yaml")
    return err.value


def test_a_district_without_streets_is_refused_at_its_path():
    data = small_city()
    data["city"]["districts"][1]["streets"] = []
    err = refused(data)
    assert err.path == "city.districts.1.streets" and "at least one street" in err.message


def test_shares_that_do_not_sum_to_one_are_refused_at_their_level():
    data = small_city()
    data["city"]["districts"][1]["share"] = 0.5
    err = refused(data)
    assert err.path == "city.districts" and "sum to 0.9" in err.message
    data = small_city()
    data["city"]["districts"][0]["streets"][1]["share"] = 0.4
    err = refused(data)
    assert err.path == "city.districts.0.streets" and "sum to 0.9" in err.message
    data = small_city()
    del data["city"]["districts"][0]["streets"][1]["share"]
    assert refused(data).path == "city.districts.0.streets.1.share"


def test_a_street_outside_its_district_is_refused_at_its_position():
    data = small_city()
    north = data["city"]["districts"][0]
    north.update(origin_m=[0, 0], size_m=[3000, 1200])
    north["streets"][0]["origin_m"] = [0, 0]
    north["streets"][1]["origin_m"] = [1500, 0]
    south = data["city"]["districts"][1]
    south.update(origin_m=[0, 1200], size_m=[4500, 1200])
    err = refused(data)  # its three streets, laid out in rows of two, need 2,400 m
    assert err.path == "city.districts.1.streets.0" and "outside its district" in err.message
    south["size_m"] = [4500, 2400]
    scenario_from_dict(data)  # placed inside: fine
    north["streets"][1]["origin_m"] = [2000, 0]  # 2000-3500 m: past the district's east edge
    err = refused(data)
    assert err.path == "city.districts.0.streets.1.origin_m" and "outside its district" in err.message
    north["streets"][1]["origin_m"] = [3100, 0]  # its corner outside too: caught by the schema
    assert refused(data).path == "city.districts.0.streets.1.origin_m"


def test_a_bad_street_field_is_refused_with_the_streets_path():
    data = small_city()
    data["city"]["districts"][1]["streets"][0]["residential_areas"] = 0
    err = refused(data)
    assert err.path == "city.districts.1.streets.0.residential_areas" and err.file == "city.yaml"
    data = small_city()
    data["city"]["districts"][1]["streets"][0]["centers"] = {"hub": 3}
    assert refused(data).path.startswith("city.districts.1.streets.0.centers")


def test_the_command_line_exits_2_with_one_line_naming_the_file_and_path(tmp_path):
    data = small_city()
    data["city"]["districts"][0]["streets"] = []
    bad = tmp_path / "bad_city.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "cogov_sim.cli", "validate", str(bad)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "bad_city.yaml" in proc.stderr and "city.districts.0.streets" in proc.stderr


# ------------------------------------------------------------------------------------------------ the world
def test_streets_resolve_their_residents_and_layout(city):
    streets, districts = cached_plan(city)
    assert [len(d.streets) for d in districts] == [2, 3]
    residents = [p.scenario.population.residents for p in streets]
    assert residents == [10_000, 10_000, 10_000, 10_000, 10_000]  # 0.4 · 50,000 / 2 and 0.6 · 50,000 / 3
    assert [p.name for p in streets] == ["N1", "N2", "S 1", "S 2", "S 3"]
    # street 0 is the template street's place, the others have layouts of their own
    assert np.array_equal(build_layout(streets[0].scenario).homes, build_layout(city.model_copy(
        update={"city": None, "population": streets[0].scenario.population})).homes)  # fmt: skip
    assert not np.array_equal(
        build_layout(streets[2].scenario).homes[:50], build_layout(streets[3].scenario).homes[:50]
    )
    # rectangles do not overlap
    boxes = [(p.origin[0], p.origin[1], p.origin[0] + p.size[0], p.origin[1] + p.size[1]) for p in streets]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def test_every_street_has_its_own_centers_and_each_district_its_district_centers(world):
    c, p = world.centers, world.places
    level = np.array(LEVELS)[c.level]
    for k in range(p.n_streets):
        mine = c.street == k
        assert (level[mine] == "street").sum() == 1
        assert (level[mine] == "grid").sum() == (2 if k >= 2 else 5)
        x, y = c.x[mine & (level != "district")], c.y[mine & (level != "district")]
        (x0, y0), (w, h) = p.origin[k], p.size[k]
        assert ((x >= x0) & (x <= x0 + w) & (y >= y0) & (y <= y0 + h)).all()
    district_of_center = p.district[c.street[level == "district"]]
    assert sorted(district_of_center.tolist()) == [0, 1, 1]


def test_people_live_in_their_street_and_work_within_reach(world):
    pop, p, lay = world.pop, world.places, world.layout
    res = np.arange(world.n_residents)
    x0, y0 = p.origin[pop.street[res]].T
    w, h = p.size[pop.street[res]].T
    hx, hy = pop.home[res, 0], pop.home[res, 1]
    assert ((hx >= x0 - 1) & (hx <= x0 + w + 1) & (hy >= y0 - 1) & (hy <= y0 + h + 1)).all()
    assert np.bincount(pop.street[res], minlength=5).tolist() == [2000] * 5  # 10,000 residents at 0.2
    # commuters come only to the streets that have them: 600 at 0.2 to N1 and N2, none to the South
    commuters = pop.street[pop.commuter]
    assert np.bincount(commuters, minlength=5).tolist() == [120, 120, 0, 0, 0]
    # employees work in an enterprise of their own district (commuters: of the street they come to)
    org_street = world.centers.street[np.array([o.center for o in world.orgs])]
    works = np.flatnonzero(pop.workplace >= 0)
    employer = pop.workplace[works] - world.n
    assert (p.district[org_street[employer]] == p.district[pop.street[works]]).all()
    comm = works[pop.commuter[works]]
    assert (org_street[pop.workplace[comm] - world.n] == pop.street[comm]).all()
    assert len(lay.street_of_workplace) == len(lay.workplaces)


def test_each_street_has_its_organizations_and_districts_their_departments(world, city):
    streets, _ = cached_plan(city)
    labels = [o.label for o in world.orgs]
    for plan in streets:
        assert f"{plan.name}: street working committee" in labels
        assert sum(lbl.startswith(f"{plan.name}: residential branch") for lbl in labels) == 4
    assert len(world.places.wide_orgs) == 2 and (world.places.wide_district == 0).all()
    assert all("North district" in world.orgs[k].label for k in world.places.wide_orgs)


def test_invitations_stay_in_the_conveners_street_and_district():
    model = CoGovModel(scenario_from_dict(small_city()), seed=SEED)
    w = model.world
    scopes = invitation_scopes(w, OrgTable.of(w.orgs))
    assert scopes is not None and len(scopes.rows) == 5
    partnered = 0
    for _ in range(28):
        model.step()
        for a in w.today.activities:
            if a.convener.node < w.n:
                continue
            allowed = set(scopes.rows[scopes.of(w, a.convener.node)].tolist())
            for o in a.partners:
                partnered += 1
                assert o.node - w.n in allowed
    assert partnered > 20  # the rule was exercised


def test_a_one_street_scenario_lets_everyone_invite_everyone():
    w = build_world(load_scenario(SCENARIOS / "baseline.yaml", ["population.sample_fraction=0.02"]), SEED)
    assert invitation_scopes(w, OrgTable.of(w.orgs)) is None
    assert w.places.n_streets == 1 and (w.centers.street == 0).all() and (w.pop.street == 0).all()


# ----------------------------------------------------------------------------------------------- the outputs
@pytest.fixture(scope="module")
def run(city):
    return simulate(city, SEED, days=29)


def test_street_tables_add_up_to_the_city(run, city):
    streets, districts, final = run.tables["per_street"], run.tables["per_district"], run.final
    assert len(streets) == 5 and len(districts) == 2
    people = streets["people"].sum()
    for name in ("trust_mean", "cogov_consciousness_mean", "identification_mean", "volunteer_share", "gci_presence"):
        assert np.average(streets[name], weights=streets["people"]) == pytest.approx(final[name], rel=1e-6)
    assert run.timeseries["joint_actions"].sum() == pytest.approx(streets["joint_actions"].sum())
    assert districts["people"].sum() == pytest.approx(people)
    north = streets[streets["district"] == 0]
    assert districts.loc[0, "people"] == pytest.approx(north["people"].sum())
    assert districts.loc[0, "trust_mean"] == pytest.approx(np.average(north["trust_mean"], weights=north["people"]))


def test_the_street_series_is_weekly_with_every_street(run):
    series = run.tables["streets_timeseries"]
    assert sorted(series["day"].unique().tolist()) == [7, 14, 21, 28, 29]
    assert (series.groupby("day").size() == 5).all()
    last = series[series["day"] == 29].reset_index(drop=True)
    assert np.allclose(last["trust_mean"], run.tables["per_street"]["trust_mean"])


def test_a_city_run_writes_street_tables_and_maps(tmp_path, capsys):
    from cogov_sim.cli import main

    out = tmp_path / "run"
    data = small_city()
    path = tmp_path / "city.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["run", str(path), "--days", "8", "--quiet", "--out", str(out), "--lang", "zh"]) == 0
    for name in ("per_street", "per_district", "streets_timeseries"):
        assert (out / "tables" / f"{name}.csv").stat().st_size > 100
    assert (out / "plots" / "city_map_gci_consciousness.png").stat().st_size > 10_000
    assert main(["city-map", str(out), "--indicator", "volunteer_share", "--lang", "en"]) == 0
    assert (out / "plots" / "city_map_volunteer_share.png").stat().st_size > 10_000
    capsys.readouterr()
    assert main(["city-map", str(out), "--indicator", "trust_men"]) == 2
    err = capsys.readouterr().err
    assert "per_street.csv" in err and "Did you mean 'trust_mean'" in err and err.count("\n") == 1


# ---------------------------------------------------------------------------------------- the shipped places
def test_shanghai_has_its_districts_streets_positions_and_people():
    sc = load_scenario(SCENARIOS / "shanghai.yaml")
    streets, districts = cached_plan(sc)
    assert len(districts) == 16 and len(streets) == 215
    residents = sum(p.scenario.population.residents for p in streets)
    assert residents == pytest.approx(24_802_600, rel=2e-4)
    positions = sum(p.scenario.center_count(level) for p in streets for level in LEVELS) + len(districts)
    assert 11_500 <= positions <= 12_500
    assert sc.population.sample_fraction == 0.01


def test_minhang_has_the_2_14_68_610_network():
    sc = load_scenario(SCENARIOS / "minhang.yaml")
    streets, districts = cached_plan(sc)
    counts = {level: sum(p.scenario.center_count(level) for p in streets) for level in ("street", "grid",
                                                                                            "residential")}  # fmt: skip
    assert (districts[0].centers, counts["street"], counts["grid"], counts["residential"]) == (2, 14, 68, 610)
    assert sum(p.scenario.population.residents for p in streets) == pytest.approx(2_653_000, rel=1e-4)


# ------------------------------------------------------------------------------------------ a city's what-if
def test_a_city_what_if_gives_effects_street_by_street(tmp_path):
    from cogov_sim.experiments.whatif import load_whatif
    from cogov_sim.experiments.whatif_run import run_whatif
    from tests.test_whatif import _threads, _write

    base = tmp_path / "city.yaml"
    base.write_text(yaml.safe_dump(small_city(), allow_unicode=True), encoding="utf-8")
    spec = {"name": "city_campaign", "question": "Which streets gain from a campaign in the South?",
            "base_scenario": str(base), "days": 24, "seed": 3, "replications": 3,
            "indicators": ["visits", "joint_actions"], "windows": ["after_start"], "map_indicator": "joint_actions",
            "policies": {"campaign": [{"kind": "mobilization_campaign", "tiers": ["branch"], "start_day": 8,
                                       "multiplier": 6}]}}  # fmt: skip
    wf = load_whatif(_write(tmp_path, spec))
    out = tmp_path / "out"
    run_whatif(wf, out, _threads, progress=False, say=lambda _m: None)
    series = pd.read_parquet(out / "timeseries.parquet")
    streets = [str(s) for s in range(5)]
    for indicator in ("visits", "joint_actions"):
        by_street = series[[f"street|{s}|{indicator}" for s in streets]].sum(axis=1).to_numpy()
        assert by_street == pytest.approx(series[indicator].to_numpy())
    assert not any(c.startswith("area|") for c in series.columns)
    effects = pd.read_csv(out / "effects_by_street.csv")
    assert sorted(effects["street"].unique().tolist()) == [0, 1, 2, 3, 4]
    gain = effects[effects["indicator"] == "joint_actions"]
    assert (gain["diff"] > 0).sum() >= 4  # six times the branches' convening: more actions in (almost) every street
    assert (out / "plots" / "map_campaign.png").stat().st_size > 10_000
