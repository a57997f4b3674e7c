"""A center rations by its usual crowd, so the share turned away does not depend on the sample fraction.

At 1:100 an agent stands for 100 people: comparing the day's count of agents with a station that holds 40 turned
away a third of the visitors (docs/city.md, "Sampling at 1:100"). The usual crowd is a running mean of real people,
the same at every fraction.
"""

from __future__ import annotations

import numpy as np
import pytest

from cogov_sim.mechanisms.presence import admitted_share, remember_crowd
from cogov_sim.model import CoGovModel
from tests.conftest import small

CAPACITY = 40.0


def admitted_per_day(demand: float, fraction: float, days: int = 3000, seed: int = 7) -> float:
    """Mean real people let in a day at one center and slot whose real demand is Poisson(``demand``)."""
    rng = np.random.default_rng(seed)
    usual = np.full(1, np.nan)
    total = 0.0
    for _ in range(days):
        agents = rng.poisson(demand * fraction, 1)
        came = agents / fraction
        share = admitted_share(usual, came, np.array([CAPACITY]))
        total += rng.binomial(agents, share)[0] / fraction
        remember_crowd(usual, came, np.ones(1, dtype=bool))
    return total / days


@pytest.mark.parametrize("demand", [10.0, 25.0, 80.0])
def test_the_people_let_in_are_the_same_at_every_fraction(demand):
    full = admitted_per_day(demand, 1.0)
    expected = min(demand, CAPACITY)
    assert full == pytest.approx(expected, rel=0.05)
    for fraction in (0.1, 0.01):
        # the old rule (min of the day's agents and the capacity) let in 40 · P(any agent) = 9.5 people a day at
        # 1:100 for a demand of 25; the usual crowd lets in the demand
        assert admitted_per_day(demand, fraction) == pytest.approx(expected, rel=0.1)


def test_a_full_center_lets_in_its_capacity_share():
    usual = np.array([80.0, 20.0, np.nan, 0.0])
    came = np.array([100.0, 100.0, 50.0, 100.0])
    share = admitted_share(usual, came, np.array([40.0, 40.0, 40.0, 40.0]))
    # a usual crowd of 80 in a room for 40: half; 20: everyone (a lump today does not matter); none known yet:
    # today's crowd; a slot that was always empty: everyone
    assert share.tolist() == [0.5, 1.0, 0.8, 1.0]


def test_only_open_slots_remember():
    usual = np.array([np.nan, 10.0, 10.0])
    remember_crowd(usual, np.array([5.0, 38.0, 38.0]), np.array([True, True, False]))
    assert usual[0] == 5.0
    assert usual[1] == pytest.approx(11.0)  # 10 + (38 - 10) / 28
    assert usual[2] == 10.0


def visits_and_turned_away(fraction: float, seed: int, days: int = 200) -> tuple[float, float]:
    """Real visits per resident a day over the last 60 days, and the share of would-be visitors turned away."""
    model = CoGovModel(small("baseline", fraction), seed=seed)
    came = away = 0
    for day in range(days):
        model.step()
        if day >= days - 60:
            came += len(model.world.today.visitor)
            away += len(model.world.today.turned_away)
    return came / model.world.n / 60, away / max(came + away, 1)


def test_one_agent_per_hundred_people_visits_as_one_per_ten():
    fine = [visits_and_turned_away(0.1, s) for s in (1, 2)]
    coarse = [visits_and_turned_away(0.01, s) for s in (1, 2)]
    assert max(a for _, a in coarse) < 0.1  # it was 0.21-0.27 before centers rationed by the usual crowd
    visits_fine, visits_coarse = np.mean([v for v, _ in fine]), np.mean([v for v, _ in coarse])
    assert visits_coarse == pytest.approx(visits_fine, rel=0.2)  # 34% fewer before
