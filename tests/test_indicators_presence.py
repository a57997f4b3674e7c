"""Organization presence hours: the daily indicators and the cumulative column of the per-actor-type table."""

from __future__ import annotations

import pytest

from cogov_sim import indicators
from cogov_sim.model import CoGovModel
from cogov_sim.vocabulary import INDICATORS, PER_ACTOR_TYPE_COLUMNS
from cogov_sim.world.organizations import ORG_TYPES
from tests.conftest import small

SEED = 5


def test_the_daily_indicators_add_up_to_the_cumulative_column():
    model = CoGovModel(small("baseline", 0.05), seed=SEED)
    for _ in range(21):
        model.step()
    w = model.world
    table = indicators.per_actor_type(w).set_index("actor_type")
    assert list(table.reset_index().columns) == list(PER_ACTOR_TYPE_COLUMNS)
    for kind in ORG_TYPES:
        daily = [row[f"org_presence_hours_{kind}"] for row in w.records]
        assert len(daily) == 21
        assert sum(daily) == pytest.approx(table.loc[kind, "presence_hours_total"]), kind
        assert max(daily) < sum(daily)  # the indicator is the day's, not the running total
    assert table.loc["resident", "presence_hours_total"] == 0


def test_the_names_say_which_is_daily_and_which_cumulative():
    assert "presence_hours" not in PER_ACTOR_TYPE_COLUMNS
    assert "cumulative" in PER_ACTOR_TYPE_COLUMNS["presence_hours_total"]
    for kind in ORG_TYPES:
        assert "that day" in INDICATORS[f"org_presence_hours_{kind}"]
