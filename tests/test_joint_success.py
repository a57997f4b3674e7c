"""The success equation of joint action (``JointAction.success_probability``) and its actor-diversity parameter."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from cogov_sim.experiments.spec import load_experiment
from cogov_sim.mechanisms import joint_action as ja
from cogov_sim.mechanisms.joint_action import JointAction
from cogov_sim.model import CoGovModel
from cogov_sim.scenario import ScenarioError
from cogov_sim.world import Activity, World, build_world
from cogov_sim.world.organizations import Department, PartyOrganization
from tests.conftest import ROOT, small

SEED = 5


def _world(effect: float) -> World:
    return build_world(small("baseline", 0.05, **{"behaviour.actor_diversity_effect": effect}), SEED)


def _activity(world: World, with_department: bool, people: float = 12.0) -> Activity:
    party = next(o for o in world.orgs if isinstance(o, PartyOrganization))
    partners = [next(o for o in world.orgs if isinstance(o, Department))] if with_department else []
    a = Activity(party, 0, 0, 0, partners=partners)
    a.participants = np.arange(10)
    a.people = people
    return a


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


@pytest.mark.parametrize("effect", [0.0, 0.5, 1.0, -0.5])
def test_each_extra_actor_type_adds_actor_diversity_effect_to_the_log_odds(effect):
    world = _world(effect)
    phase = JointAction()
    two = phase.success_probability(world, _activity(world, False))  # Party and residents
    three = phase.success_probability(world, _activity(world, True))  # and a department
    assert _logit(three) - _logit(two) == pytest.approx(effect, abs=1e-9)


def test_the_default_equation_is_the_documented_one():
    world = _world(0.5)
    a = _activity(world, True, people=12.0)
    trust = float(world.pop.trust[a.participants].mean())
    x = -1.0 + 0.6 * math.log1p(12.0 / 5.0) + 0.5 * (3 - 1) + 2.0 * (trust - 0.45)  # module docstring, defaults
    assert JointAction().success_probability(world, a) == pytest.approx(1.0 / (1.0 + math.exp(-x)), rel=1e-12)
    assert (ja.SUCCESS_INTERCEPT, ja.SIZE_EFFECT, ja.SIZE_SCALE, ja.TRUST_EFFECT, ja.TRUST_REFERENCE) == (
        -1.0,
        0.6,
        5.0,
        2.0,
        0.45,
    )


def test_more_success_from_diversity_raises_the_success_rate_of_a_run():
    def rate(effect: float) -> float:
        model = CoGovModel(small("baseline", 0.05, **{"behaviour.actor_diversity_effect": effect}), seed=SEED)
        outcomes = []
        for _ in range(40):
            model.step()
            outcomes += [a.success for a in model.world.today.activities]
        assert len(outcomes) > 50
        return float(np.mean(outcomes))

    assert rate(1.0) > rate(0.0) + 0.05


def test_the_circle_of_friends_sweep_varies_actor_diversity_within_its_bounds(tmp_path: Path):
    exp = load_experiment(ROOT / "experiments" / "circle_of_friends.yaml")
    assert "actor_diversity_effect" in exp.columns
    assert len(exp.spec.parameters) <= 3
    text = (ROOT / "experiments" / "circle_of_friends.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        text.replace("levels: [0.0, 0.5, 1.0]", "levels: [0.0, 0.5, 9.0]").replace(
            "../scenarios/baseline.yaml", str(ROOT / "scenarios" / "baseline.yaml")
        ),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match="actor_diversity_effect"):
        load_experiment(bad)
