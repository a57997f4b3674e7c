"""The exploration file: uncertainties (what the analyst cannot control) apart from policies (what a policy sets).

An exploration asks which policy holds up across futures nobody controls, and under which conditions an outcome
holds. Its file (YAML, validated like the sweep and what-if files: unknown keys are refused with the nearest valid
one, and errors name the file and the field path)::

    name: when_circle_of_friends
    question: Under which conditions do actors other than the Party convene, and which policy is robust?
    base_scenario: ../scenarios/baseline.yaml     # not needed when a place uncertainty names the scenarios
    set: {population.sample_fraction: 0.1}        # fixed changes to every place
    days: 365
    seed: 7
    futures: 200                                  # points of the design over the uncertainties
    design: latin_hypercube                       # or random (independent uniform draws)
    replications: 1                               # runs per future and policy, each with its own paired seed
    uncertainties:
      - path: behaviour.emergent_convening_threshold   # range: the schema's plausible range (docs/MODEL.md)
      - {path: behaviour.actor_diversity_effect, range: [0, 0.8]}   # narrowed by the analyst
      - {path: organizations.convening_per_week, range: [0.1, 1.5]} # narrower than its plausible range
      - {name: place, scenarios: [baseline, dense, sparse]}         # the place itself is uncertain
    policies:                                     # alias: levers; entries as in a what-if file
      campaign: [{kind: mobilization_campaign, start_day: 30, end_day: 120, multiplier: 2}]
    robustness:                                   # outcomes judged across futures (optional)
      - {outcome: non_party_convened_share, direction: maximize, threshold: 0.25}

Every future runs the no-policy arm (``baseline``) and every policy with one seed (common random numbers), so a
policy's effect in a future is a paired difference. Running it is :mod:`~cogov_sim.discovery.explore_run`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from cogov_sim.experiments.designs import run_seed
from cogov_sim.experiments.effects import BASELINE
from cogov_sim.experiments.files import (
    LoadedFile,
    changed_base,
    check_indicators,
    check_kind,
    check_name,
    find_base,
    resolve_base,
    scenario_file,
    take_alias,
)
from cogov_sim.experiments.parameters import ParameterSpec, resolve_parameter
from cogov_sim.experiments.spec import KeepSpec
from cogov_sim.experiments.whatif import Policy, _policy
from cogov_sim.scenario import (
    Frozen,
    ScenarioError,
    apply_overrides,
    check_keys,
    expect_mapping,
    read_yaml,
    shorten,
    show,
    tunable_fields,
    unknown_message,
    validate_model,
)
from cogov_sim.vocabulary import INDICATORS

DESIGNS: tuple[str, ...] = ("latin_hypercube", "random")
"""Designs over the uncertainties: a Latin hypercube (default) or independent uniform draws."""

PLACE = "place"
"""The default column of the place uncertainty."""

DEFAULT_INDICATORS: tuple[str, ...] = ("gci", "joint_actions", "non_party_convened_share", "trust_mean")
"""Indicators reported when the file names none."""

EXAMPLES = 3
"""Parameters with a plausible range named in the message about one without."""

MAX_FUTURES = 100_000
"""Largest number of futures an exploration may ask for."""


class UncertaintySpec(Frozen):
    """One uncertainty as written: a scenario number over a range, or the place (a choice of scenarios)."""

    path: str | None = Field(None, description="Dotted scenario path of a number (not for the place).")
    name: str | None = Field(None, description="Column name in the tables (default: the path, or 'place').")
    type: Literal["int", "real"] | None = Field(None, description="int or real (default: the schema field's).")
    range: tuple[float, float] | None = Field(None, description="[lower, upper]; default the plausible range.")
    scenarios: list[str] | None = Field(None, description="The place: scenario files or shipped names.")


class RobustnessSpec(Frozen):
    """An outcome judged across the futures (``robustness:`` entry)."""

    outcome: str = Field(description="An indicator (final value of each run).")
    direction: Literal["maximize", "minimize"] = Field("maximize", description="Which way is better.")
    threshold: float | None = Field(None, description="Satisficing: met when the outcome is at least (maximize)"
                                    " or at most (minimize) this value.")  # fmt: skip


class ExplorationSpec(Frozen):
    """The exploration file as written."""

    name: str | None = Field(None, description="Short name; the default output folder results/<name>/.")
    question: str = Field("", description="The question (top of the reports).")
    description: str = Field("", description="More about the setting.")
    base_scenario: str | None = Field(None, description="Scenario file (unless a place uncertainty names them).")
    set_: dict[str, Any] = Field(default_factory=dict, alias="set", description="Fixed changes to every place.")
    days: int | None = Field(None, ge=1, le=36_500, description="Days per run (default: the scenario's).")
    seed: int = Field(0, ge=0, description="Experiment seed; future i, replication r runs with run_seed(seed, i, r).")
    futures: int = Field(ge=1, le=MAX_FUTURES, description="Points of the design over the uncertainties.")
    design: str = Field("latin_hypercube", description="latin_hypercube or random.")
    replications: int = Field(1, ge=1, le=1000, description="Paired runs per future and policy.")
    uncertainties: list[Any] = Field(min_length=1, description="What the analyst cannot control.")
    policies: dict[str, Any] = Field(min_length=1, description="Policy name -> interventions (alias: levers).")
    robustness: list[RobustnessSpec] = Field(default_factory=list, description="Outcomes judged across futures.")
    keep: KeepSpec = Field(default_factory=KeepSpec)
    indicators: list[str] = Field(default_factory=lambda: list(DEFAULT_INDICATORS), min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _levers_alias(cls, data: Any) -> Any:
        return take_alias(data, "levers", "policies")


@dataclass(frozen=True)
class Uncertainty:
    """A validated uncertainty.

    Attributes:
        column: its column in the tables.
        kind: ``int``, ``real`` or ``place``.
        path: the scenario path it sets (``None`` for the place).
        bounds: ``(lower, upper)`` of a number (``None`` for the place).
        places: the place's labels (scenario names), in file order.
        plausible: whether the range is the schema's plausible range (not narrowed or given).
    """

    column: str
    kind: str
    path: str | None
    bounds: tuple[float, float] | None
    places: tuple[str, ...] = ()
    plausible: bool = False

    def from_unit(self, u: float) -> Any:
        """The value of a unit-interval draw ``u``: a place label, a whole number, or a real number."""
        if self.kind == "place":
            return self.places[min(int(u * len(self.places)), len(self.places) - 1)]
        assert self.bounds is not None
        lo, hi = self.bounds
        if self.kind == "int":  # each whole number gets an equal share of the unit interval
            return int(min(lo + int(u * (hi - lo + 1)), hi))
        return float(lo + u * (hi - lo))


@dataclass(frozen=True)
class Exploration(LoadedFile):
    """A loaded, validated exploration.

    Attributes:
        spec: the file's content, validated.
        uncertainties: the uncertainties, in file order.
        policies: the policies (without the no-policy arm), in file order.
        places: place label -> the resolved scenario of that place (plain data) and its hash; one entry, the
            base scenario's stem, without a place uncertainty.
    """

    spec: ExplorationSpec
    uncertainties: tuple[Uncertainty, ...]
    policies: tuple[Policy, ...]
    places: dict[str, tuple[dict[str, Any], str]]

    @property
    def arms(self) -> tuple[Policy, ...]:
        """The no-policy arm (``baseline``) followed by the policies."""
        return (Policy(BASELINE, "No intervention.", ()), *self.policies)

    @property
    def columns(self) -> tuple[str, ...]:
        """The uncertainty columns, in file order."""
        return tuple(u.column for u in self.uncertainties)

    @property
    def n_runs(self) -> int:
        """Runs: futures × replications × arms."""
        return self.spec.futures * self.spec.replications * len(self.arms)

    def seed(self, future: int, replication: int) -> int:
        """The seed every arm of ``future``, ``replication`` runs with (common random numbers)."""
        return run_seed(self.spec.seed, future, replication)

    def scenario_data(self, values: dict[str, Any]) -> dict[str, Any]:
        """Plain scenario data of a future (uncertainty column -> value); not yet validated."""
        place = next((values[u.column] for u in self.uncertainties if u.kind == "place"), None)
        data = self.places[place][0] if place is not None else next(iter(self.places.values()))[0]
        changes = {u.path: values[u.column] for u in self.uncertainties if u.path is not None}
        return apply_overrides(data, changes)

    def to_dict(self) -> dict[str, Any]:
        """The exploration as plain data: uncertainties with their ranges, policies with every parameter."""
        uncertainties = [
            {"column": u.column, "kind": u.kind, "path": u.path, "range": list(u.bounds) if u.bounds else None,
             "places": list(u.places) or None, "plausible": u.plausible}
            for u in self.uncertainties
        ]  # fmt: skip
        policies = {p.name: {"description": p.description, "interventions": p.to_data()} for p in self.policies}
        data = self.spec.model_dump(mode="json", by_alias=True, exclude={"uncertainties", "policies"})
        return self.with_resolved(
            data,
            {"uncertainties": uncertainties, "policies": policies, "kind": "exploration"},
            inputs=list(self.columns),
            places={k: h for k, (_, h) in self.places.items()},
        )

    @property
    def fingerprint(self) -> str:
        """Hash of what every run depends on besides its future (places, days): part of the run ids."""
        text = json.dumps(sorted((k, h) for k, (_, h) in self.places.items()), separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_exploration(path: str | Path) -> Exploration:
    """Read and validate an exploration file.

    Args:
        path: the exploration YAML file.

    Returns:
        The validated exploration with its places resolved, its uncertainties and its policies.

    Raises:
        ScenarioError: for any bad input, naming the file and the field path (``uncertainties.1.range``).
    """
    file = str(path)
    data = read_yaml(path)
    check_kind(file, data, "exploration")  # a sweep or what-if file is named as such, not as unknown keys
    data = expect_mapping(file, data, "exploration")
    check_keys(file, data, [*(f.alias or n for n, f in ExplorationSpec.model_fields.items()), "levers"])
    if isinstance(data.get("keep"), dict):
        check_keys(file, data["keep"], list(KeepSpec.model_fields), "keep.")
    for key in ("uncertainties", "robustness"):
        model = UncertaintySpec if key == "uncertainties" else RobustnessSpec
        for i, entry in enumerate(data.get(key) if isinstance(data.get(key), list) else []):
            if isinstance(entry, dict):
                check_keys(file, entry, list(model.model_fields), f"{key}.{i}.")
    spec = validate_model(ExplorationSpec, data, file)
    check_name(file, spec.name)
    if spec.design not in DESIGNS:
        raise ScenarioError(file, "design", unknown_message(spec.design, DESIGNS, "design"))
    check_indicators(file, spec.indicators)
    for i, r in enumerate(spec.robustness):
        if r.outcome not in INDICATORS:
            raise ScenarioError(
                file, f"robustness.{i}.outcome", unknown_message(r.outcome, list(INDICATORS), "indicator")
            )
    places, base_file = _places(file, spec)
    uncertainties = tuple(_uncertainty(file, i, entry, places) for i, entry in enumerate(spec.uncertainties))
    _check_columns(file, uncertainties)
    policies: tuple[Policy, ...] = ()
    for place_data, _ in places.values():  # every intervention must fit every place (areas, centers)
        scenario = resolve_base(file, dict(place_data), None)
        policies = tuple(_policy(file, name, entry, scenario) for name, entry in spec.policies.items())
    first = next(iter(places))
    return Exploration(spec, file, base_file, places[first][0], places[first][1], uncertainties, policies, places)


def _places(file: str, spec: ExplorationSpec) -> tuple[dict[str, tuple[dict[str, Any], str]], str]:
    """Place label -> (resolved scenario data, hash), and the first scenario file found."""
    place_entries = [
        (i, u) for i, u in enumerate(spec.uncertainties) if isinstance(u, dict) and u.get("scenarios") is not None
    ]
    if len(place_entries) > 1:
        raise ScenarioError(file, f"uncertainties.{place_entries[1][0]}", "only one uncertainty can be the place")
    if place_entries:
        i, entry = place_entries[0]
        refs = entry["scenarios"]
        at = f"uncertainties.{i}.scenarios"
        if not isinstance(refs, list) or len(refs) < 2:
            raise ScenarioError(file, at, f"expected a list of at least two scenarios, got {show(refs)}")
        if spec.base_scenario is not None:
            raise ScenarioError(file, "base_scenario", "the place uncertainty names the scenarios; drop base_scenario")
    elif spec.base_scenario is None:
        raise ScenarioError(file, "base_scenario", "give base_scenario, or an uncertainty with scenarios (the place)")
    else:
        refs, at = [spec.base_scenario], "base_scenario"
    places: dict[str, tuple[dict[str, Any], str]] = {}
    found: list[str] = []
    for j, ref in enumerate(refs):
        where = at if at == "base_scenario" else f"{at}.{j}"
        if not isinstance(ref, str) or not ref:
            raise ScenarioError(file, where, f"expected a scenario file or a shipped name, got {show(ref)}")
        try:
            path = find_base(file, ref)
        except ScenarioError:
            try:
                path = scenario_file(ref)
            except ScenarioError as err:
                raise ScenarioError(file, where, err.message) from None
        label = Path(ref).stem
        if label in places:
            raise ScenarioError(file, where, f"place '{shorten(label)}' is named twice")
        check_name(file, label, where)
        base = resolve_base(str(path), changed_base(file, path, spec.set_, "set"), spec.days)
        places[label] = (base.to_dict(), base.hash())
        found.append(str(path))
    return places, found[0]


def _uncertainty(file: str, i: int, entry: Any, places: dict[str, tuple[dict[str, Any], str]]) -> Uncertainty:
    at = f"uncertainties.{i}"
    if isinstance(entry, str):
        entry = {"path": entry}
    if not isinstance(entry, dict):
        raise ScenarioError(
            file, at, f"expected a scenario path or a mapping with path (or scenarios), got {show(entry)}"
        )
    u = validate_model(UncertaintySpec, entry, file, at)
    if u.scenarios is not None:
        for key in ("path", "type", "range"):
            if getattr(u, key) is not None:
                raise ScenarioError(file, f"{at}.{key}", "the place is a choice of scenarios: it takes no " + key)
        column = u.name or PLACE
        check_name(file, column, f"{at}.name")
        return Uncertainty(column, "place", None, None, tuple(places))
    if u.path is None:
        raise ScenarioError(file, f"{at}.path", "an uncertainty needs a scenario path (or scenarios, for the place)")
    tunable = {t.path: t for t in tunable_fields()}.get(u.path)
    rng, plausible = u.range, False
    if rng is None:
        if tunable is None or tunable.plausible is None:
            with_range = sorted(t.path for t in tunable_fields() if t.plausible is not None)
            raise ScenarioError(
                file, f"{at}.range", f"'{shorten(u.path)}' has no plausible range in the schema: give range:"
                f" [lower, upper] ({len(with_range)} parameters have one, e.g. {', '.join(with_range[:EXAMPLES])};"
                " cogov schema --markdown lists them)"
            )  # fmt: skip
        rng, plausible = tunable.plausible, True
    kind = u.type or ("int" if tunable is not None and tunable.kind is int else "real")
    spec = ParameterSpec(path=u.path, name=u.name, type=kind, range=rng)
    for data, _ in places.values():
        try:
            p = resolve_parameter(file, i, spec, data)
        except ScenarioError as err:
            raise ScenarioError(err.file, err.path.replace(f"parameters.{i}", at, 1), err.message) from None
    assert p.bounds is not None
    return Uncertainty(p.column, kind, u.path, p.bounds, (), plausible)


def _check_columns(file: str, uncertainties: tuple[Uncertainty, ...]) -> None:
    seen: dict[str, int] = {}
    for i, u in enumerate(uncertainties):
        if u.column in seen or u.column in RESERVED_COLUMNS:
            other = f"uncertainties.{seen[u.column]}" if u.column in seen else "the result tables"
            raise ScenarioError(
                file, f"uncertainties.{i}", f"column '{u.column}' is already used by {other}; give a name"
            )
        seen[u.column] = i


RESERVED_COLUMNS = frozenset({"future", "policy", "policy_hash", "run_id", "point_index", "replication", "seed",
                              "status", "error", "scenario_hash", "days", "version", *INDICATORS})  # fmt: skip
"""Columns of runs.parquet an uncertainty may not be named after."""
