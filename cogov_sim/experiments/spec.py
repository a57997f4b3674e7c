"""The experiment file: a base scenario, the swept parameters, a design, replications, and what to keep.

An experiment file is YAML, validated like a scenario file: unknown keys are rejected with the nearest valid key;
the swept parameters are checked against the base scenario (:mod:`~cogov_sim.experiments.parameters`), and what
every experiment file shares is :mod:`~cogov_sim.experiments.files`. Errors are raised as
:class:`~cogov_sim.scenario.ScenarioError` naming the experiment file and the field path inside it
(``parameters.0.range``), so ``cogov validate`` and ``cogov sweep`` exit with code 2 and one clear message. See
``docs/experiments.md`` for the reference and examples.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, model_validator

from cogov_sim.experiments.files import (
    LoadedFile,
    changed_base,
    check_indicators,
    check_kind,
    check_name,
    find_base,
    resolve_base,
)
from cogov_sim.experiments.parameters import Parameter, ParameterSpec, resolve_parameter
from cogov_sim.scenario import (
    Frozen,
    ScenarioError,
    apply_overrides,
    check_keys,
    expect_mapping,
    read_yaml,
    unknown_message,
    validate_model,
)

DESIGNS: tuple[str, ...] = ("full_factorial", "latin_hypercube", "sobol", "morris")
"""Design methods an experiment may name."""

DEFAULT_INDICATORS: tuple[str, ...] = ("gci", "gci_presence", "gci_linkage", "gci_action", "gci_consciousness")
"""Indicators plotted and analysed for sensitivity when an experiment does not name its own."""

MAX_RUNS = 1_000_000
"""Largest number of runs (design points × replications) an experiment may ask for."""


class DesignSpec(Frozen):
    """The design (``design:``): a method and its sample size."""

    method: str = Field(description="full_factorial, latin_hypercube, sobol or morris.")
    samples: int | None = Field(
        None,
        ge=1,
        le=MAX_RUNS,
        description="latin_hypercube: design points; sobol: base sample N (a power of 2; N·(D+2) points);"
        " morris: trajectories (N·(D+1) points). Not used by full_factorial.",
    )
    levels: int | None = Field(None, ge=2, le=1000, description="morris: grid levels (default 4).")


class KeepSpec(Frozen):
    """What each run keeps besides its final indicators (``keep:``)."""

    daily_every: int = Field(
        1, ge=0, le=36_500, description="Keep the daily indicators every k-th day and the last day; 0: none."
    )


class ExperimentSpec(Frozen):
    """The experiment file as written."""

    name: str | None = Field(None, description="Short name; the default output folder results/<name>/.")
    description: str = Field("", description="What the experiment asks.")
    base_scenario: str = Field(description="Scenario file, relative to the experiment file or the project root.")
    set_: dict[str, Any] = Field(
        default_factory=dict, alias="set", description="Fixed changes to the base scenario: dotted path -> value."
    )
    days: int | None = Field(None, ge=1, le=36_500, description="Days per run (default: the scenario's).")
    seed: int = Field(0, ge=0, description="Experiment seed; every run's seed is spawned from it.")
    replications: int = Field(1, ge=1, le=100_000, description="Runs per design point, each with its own seed.")
    design: DesignSpec
    parameters: list[ParameterSpec] = Field(min_length=1, description="The swept parameters.")
    keep: KeepSpec = Field(default_factory=KeepSpec)
    indicators: list[str] = Field(
        default_factory=lambda: list(DEFAULT_INDICATORS),
        min_length=1,
        description="Indicators to plot and analyse (all final indicators are always kept).",
    )

    @model_validator(mode="before")
    @classmethod
    def _design_shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("design"), str):
            return {**data, "design": {"method": data["design"]}}
        return data


@dataclass(frozen=True)
class Experiment(LoadedFile):
    """A loaded, validated experiment: its file, the resolved base scenario and the swept parameters.

    Attributes:
        spec: the file's content, validated.
        parameters: the swept parameters.
    """

    spec: ExperimentSpec
    parameters: tuple[Parameter, ...]

    @property
    def method(self) -> str:
        """The design method."""
        return self.spec.design.method

    @property
    def morris_levels(self) -> int:
        """Grid levels of a Morris design."""
        return self.spec.design.levels or 4

    @property
    def columns(self) -> tuple[str, ...]:
        """Design-point column names, in parameter order."""
        return tuple(p.column for p in self.parameters)

    @property
    def n_points(self) -> int:
        """Number of design points."""
        d = len(self.parameters)
        n = self.spec.design.samples or 0
        if self.method == "full_factorial":
            return math.prod(len(p.values) for p in self.parameters)
        if self.method == "latin_hypercube":
            return n
        if self.method == "sobol":
            return n * (d + 2)
        return n * (d + 1)

    @property
    def n_runs(self) -> int:
        """Number of runs: design points × replications."""
        return self.n_points * self.spec.replications

    def scenario_data(self, point: Mapping[str, Any]) -> dict[str, Any]:
        """Plain scenario data at a design point (column -> applied value); not yet validated."""
        overrides: dict[str, Any] = {}
        for p in self.parameters:
            overrides.update(p.overrides(point[p.column]))
        return apply_overrides(self.base_data, overrides)

    def to_dict(self) -> dict[str, Any]:
        """The experiment as plain data, with the base scenario file found and its resolved hash."""
        return self.with_resolved(self.spec.model_dump(by_alias=True, exclude_none=True, mode="json"))


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file.

    Args:
        path: the experiment YAML file.

    Returns:
        The validated experiment with its resolved base scenario.

    Raises:
        ScenarioError: for any bad input, naming the file (the experiment or its base scenario) and the field
            path.
    """
    file = str(path)
    data = read_yaml(path)
    check_kind(file, data, "sweep")  # a what-if or scenario file is named as such, not as unknown keys
    data = expect_mapping(file, data, "experiment")
    _check_keys(file, data)
    _check_design_method(file, data.get("design"))
    spec = validate_model(ExperimentSpec, data, file)
    check_name(file, spec.name)
    base_file = find_base(file, spec.base_scenario)
    base_data = changed_base(file, base_file, spec.set_, "set")
    base = resolve_base(file, base_data, spec.days)
    base_data = base.to_dict()
    params = tuple(resolve_parameter(file, i, p, base_data) for i, p in enumerate(spec.parameters))
    _check_design(file, spec, params)
    check_indicators(file, spec.indicators)
    exp = Experiment(spec, file, str(base_file), base_data, base.hash(), params)
    if exp.n_runs > MAX_RUNS:
        raise ScenarioError(
            file, "replications", f"{exp.n_points:,} design points × {spec.replications} replications is more than"
            f" {MAX_RUNS:,} runs"
        )  # fmt: skip
    return exp


def _fields_of(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _check_keys(file: str, data: dict[str, Any]) -> None:
    """Reject unknown keys with the nearest valid one, before pydantic sees them."""
    sections: list[tuple[str, Any, type[BaseModel]]] = [("", data, ExperimentSpec)]
    if isinstance(data.get("design"), dict):
        sections.append(("design.", data["design"], DesignSpec))
    if isinstance(data.get("keep"), dict):
        sections.append(("keep.", data["keep"], KeepSpec))
    if isinstance(data.get("parameters"), list):
        for i, entry in enumerate(data["parameters"]):
            if isinstance(entry, dict):
                sections.append((f"parameters.{i}.", entry, ParameterSpec))
    for prefix, mapping, model in sections:
        check_keys(file, mapping, _fields_of(model), prefix)


def _check_design_method(file: str, design: Any) -> None:
    method = design.get("method") if isinstance(design, dict) else design
    if method is not None and not isinstance(method, dict) and method not in DESIGNS:
        where = "design.method" if isinstance(design, dict) else "design"
        raise ScenarioError(file, where, unknown_message(str(method), DESIGNS, "design"))


def _check_design(file: str, spec: ExperimentSpec, params: tuple[Parameter, ...]) -> None:
    d = spec.design
    seen: dict[str, int] = {}
    for i, p in enumerate(params):
        if p.column in seen:
            raise ScenarioError(
                file, f"parameters.{i}", f"column '{p.column}' is already used by parameters.{seen[p.column]}"
                "; give one of them a different name"
            )  # fmt: skip
        seen[p.column] = i
    if d.method == "full_factorial":
        if d.samples is not None:
            raise ScenarioError(file, "design.samples", "full_factorial takes no samples: it runs every combination")
        if d.levels is not None:
            raise ScenarioError(file, "design.levels", "levels is for morris designs")
        for i, p in enumerate(params):
            if not p.values:
                raise ScenarioError(file, f"parameters.{i}", "full_factorial needs levels, or a range with steps")
        return
    for i, (p, ps) in enumerate(zip(params, spec.parameters, strict=True)):
        if p.bounds is None:
            raise ScenarioError(file, f"parameters.{i}", f"{d.method} samples a range: give range, not levels")
        if ps.steps is not None:
            raise ScenarioError(file, f"parameters.{i}.steps", f"steps is for full_factorial, not {d.method}")
    if d.samples is None:
        raise ScenarioError(file, "design.samples", f"{d.method} needs samples (its sample size)")
    if d.method != "morris" and d.levels is not None:
        raise ScenarioError(file, "design.levels", "levels is for morris designs")
    if d.method == "sobol" and d.samples & (d.samples - 1):
        raise ScenarioError(
            file, "design.samples", f"sobol needs a power of 2 (Saltelli's scheme), got {d.samples}"
        )  # fmt: skip
    if d.method == "morris" and d.samples < 2:
        raise ScenarioError(file, "design.samples", "morris needs at least 2 trajectories")
