"""CoGovModel: the Mesa model that builds a World and runs the daily phases on it in one documented order.

One step is one day (``model.time`` = day number, starting at 1). Interventions are Mesa events scheduled at
half a day before the day they start, so they take effect before that day's phases run. The phases, in order
(MODEL.md §3; each is a small unit in ``cogov_sim.mechanisms`` acting on the World with its own random stream):

1. calendar      - the day's kind (weekday/weekend); interventions already applied by the event list
2. supply        - Party organizations (and, once committed, others) schedule activities and invite partners
3. presence      - residents choose per slot whether and where to go (Huff/logit with an outside option)
4. encounters    - co-present people meet, a bounded number each; shared hours build ties
5. joint_action  - residents join convened activities by a threshold rule; success is drawn
6. feedback      - outcomes change trust, engagement, supply, agreements, incubation
7. consciousness - experience, bounded-confidence influence over ties, drift; volunteers join and leave
8. observation   - indicators are computed and recorded

The state of the place is ``model.world`` (:class:`cogov_sim.world.World`); the model adds the clock, the
event list of interventions and Mesa agent views of the World's actors.

Mesa's conventions hold: the model is built from keyword parameters (a scenario by name, path or object, a seed,
dotted overrides), so ``mesa.batch_run(CoGovModel, parameters={"scenario": "baseline",
"population.sample_fraction": [0.05, 0.1]}, rng=[1, 2], max_steps=30)`` works; ``model.datacollector`` (a
``mesa.DataCollector``) holds every indicator of ``cogov_sim.vocabulary.INDICATORS`` as a model reporter, collected
at the end of each day, so ``mesa.visualization.make_plot_component("gci")`` draws it.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import mesa

from cogov_sim import __version__
from cogov_sim.agents import OrganizationAgent, Resident
from cogov_sim.experiments.files import load_scenario_ref
from cogov_sim.mechanisms import PHASES, Phase
from cogov_sim.rng import stream
from cogov_sim.scenario import Scenario, parse_override
from cogov_sim.vocabulary import INDICATORS
from cogov_sim.world import World, build_world

SEED_BITS = 32
"""A seed drawn for ``seed=None`` (what ``mesa.batch_run`` passes with ``iterations``) has this many bits."""


def indicator(name: str, model: CoGovModel) -> float:
    """Today's value of indicator ``name`` (as the observation phase recorded it): a datacollector reporter."""
    return model.world.records[-1][name]


def _changes(overrides: Mapping[str, Any] | Sequence[str] | None, settings: Mapping[str, Any]) -> dict[str, Any]:
    """``overrides`` (a mapping or ``path=value`` texts) and keyword ``settings`` (``a.b`` or ``a__b``) as one dict."""
    if isinstance(overrides, str):
        overrides = [overrides]
    out = dict(overrides or {}) if isinstance(overrides, Mapping) else dict(map(parse_override, overrides or ()))
    out.update({key.replace("__", "."): value for key, value in settings.items()})
    return out


class CoGovModel(mesa.Model):
    """The co-governance model of one place.

    Args:
        scenario: a validated scenario, a scenario file, or the name of a shipped one (``"dense"``).
        seed: run seed (>= 0); with the scenario it fixes every output. ``None`` draws one (``model.world.seed``
            and ``model.meta()`` record it).
        interventions: what-if policy objects (``cogov_sim.interventions``) scheduled on this model.
        overrides: changes to the scenario: dotted path -> value, or ``path=value`` texts (like ``--set``).
        rng: Mesa 4's name for the seed; give it or ``seed``, not two different ones.
        agent_reporters: passed to the datacollector; every attribute of ``agents.ActorView.REPORTABLE`` works on
            residents and organizations alike.
        **settings: more overrides as keywords, dotted (``**{"population.sample_fraction": 0.1}``, as
            ``mesa.batch_run`` passes its parameters) or with ``__`` (``population__sample_fraction=0.1``).

    Raises:
        ScenarioError: an unknown scenario name, a missing file or an override the schema refuses.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path = "baseline",
        seed: int | None = 0,
        interventions: Sequence[Any] = (),
        overrides: Mapping[str, Any] | Sequence[str] | None = None,
        *,
        rng: int | None = None,
        agent_reporters: Mapping[str, Any] | None = None,
        **settings: Any,
    ) -> None:
        if rng is not None:
            if seed not in (0, None, rng):
                raise ValueError("give seed or rng, not both")
            seed = rng
        if seed is None:
            seed = secrets.randbits(SEED_BITS)
        if seed < 0:
            raise ValueError("seed must be >= 0")
        scenario = load_scenario_ref(scenario, _changes(overrides, settings))
        super().__init__(rng=seed)
        self.world: World = build_world(scenario, seed)
        self.version = __version__
        self.phases: list[Phase] = [cls() for cls in PHASES]
        self.interventions = list(interventions)
        self.org_agents: list[OrganizationAgent] = []
        self._add_views()
        Resident.create_agents(self, self.world.n, self.world, list(range(self.world.n)))
        for iv in self.interventions:
            iv.bind(self).schedule(self)
        reporters = {name: functools.partial(indicator, name) for name in INDICATORS}
        self.datacollector = mesa.DataCollector(model_reporters=reporters, agent_reporters=agent_reporters)

    @property
    def day(self) -> int:
        """The current day (0 before the first step)."""
        return round(self.time)

    def step(self) -> None:
        """Advance one day: run every phase in order on the World, each with its own random stream."""
        world, day = self.world, self.day
        self._add_views()  # organizations founded by interventions that fired before today
        world.begin_day(day)
        for phase in self.phases:
            phase.run(world, stream(world.seed, phase.name, day))
        self._add_views()
        self.datacollector.collect(self)

    def apply_now(self, intervention: Any) -> None:
        """Apply an intervention to the running model at once (the browser app's what-if panel)."""
        self.interventions.append(intervention.bind(self))
        intervention.apply(self)
        self.world.intervention_log.append((self.day, f"applied now: {intervention.kind}"))
        self._add_views()

    def meta(self) -> dict[str, Any]:
        """What every output records: seed, scenario hash and package version."""
        sc = self.world.scenario
        return {
            "scenario": sc.name,
            "scenario_hash": sc.hash(),
            "seed": self.world.seed,
            "version": self.version,
            "mesa_version": mesa.__version__,
        }

    def _add_views(self) -> None:
        """Mesa agent views for the organizations that have none yet (new ones are appended to world.orgs)."""
        for org in self.world.orgs[len(self.org_agents) :]:
            self.org_agents.append(OrganizationAgent(self, org))
