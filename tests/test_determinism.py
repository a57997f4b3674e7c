"""Same scenario and seed give identical outputs; a different seed gives different ones."""

from __future__ import annotations

import numpy as np

from cogov_sim.model import CoGovModel
from cogov_sim.simulation import simulate
from tests.conftest import small


def test_same_seed_same_timeseries_different_seed_different(small_baseline, tmp_path):
    a = simulate(small_baseline, seed=3, days=40)
    b = simulate(small_baseline, seed=3, days=40)
    c = simulate(small_baseline, seed=4, days=40)
    a.timeseries.to_csv(tmp_path / "a.csv", index=False)
    b.timeseries.to_csv(tmp_path / "b.csv", index=False)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert not a.timeseries.equals(c.timeseries)
    for name in ("per_center", "per_segment", "per_actor_type"):
        assert a.tables[name].equals(b.tables[name])


def test_layout_is_shared_by_replications_and_people_differ_only_in_behaviour():
    sc = small("baseline", 0.05)
    m1, m2 = CoGovModel(sc, seed=1), CoGovModel(sc, seed=2)
    assert np.array_equal(m1.world.centers.xy, m2.world.centers.xy)
    residents = slice(0, m1.world.n_residents)
    assert np.array_equal(m1.world.pop.home[residents], m2.world.pop.home[residents])
    assert not np.array_equal(m1.world.pop.segment, m2.world.pop.segment)


def test_adding_stations_of_one_level_does_not_move_the_others():
    a = CoGovModel(small("baseline", 0.05), seed=1)
    b = CoGovModel(small("baseline", 0.05, **{"centers.residential.count": 30}), seed=1)
    street_grid = lambda m: m.world.centers.xy[np.isin(m.world.centers.level, [1, 2])]  # noqa: E731
    assert np.array_equal(street_grid(a), street_grid(b))
    assert np.array_equal(a.world.pop.home, b.world.pop.home)
