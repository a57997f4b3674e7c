"""The experiment file: a base scenario, the swept parameters, a design, replications, and what to keep.

An experiment file is YAML, validated like a scenario file: unknown keys are rejected with the nearest valid key,
every parameter path must name a field of the scenario schema, and every level or range end must give a valid
scenario. Errors are raised as :class:`~cogov_sim.scenario.ScenarioError` naming the experiment file and the
field path inside it (``parameters.0.range``), so ``cogov validate`` and ``cogov sweep`` exit with code 2 and one
clear message. See ``docs/experiments.md`` for the reference and examples.
"""

from __future__ import annotations

import math
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cogov_sim.scenario import (
    ScenarioError,
    allowed_at,
    apply_overrides,
    format_error,
    read_yaml,
    scenario_from_dict,
    unknown_message,
)

DESIGNS: tuple[str, ...] = ("full_factorial", "latin_hypercube", "sobol", "morris")
"""Design methods an experiment may name."""

PARAMETER_TYPES: tuple[str, ...] = ("int", "real", "choice")
"""Kinds of swept parameter: whole numbers, real numbers, or named alternatives (full factorial only)."""

DEFAULT_INDICATORS: tuple[str, ...] = ("gci", "gci_presence", "gci_linkage", "gci_action", "gci_consciousness")
"""Indicators plotted and analysed for sensitivity when an experiment does not name its own."""

MAX_RUNS = 1_000_000
"""Largest number of runs (design points × replications) an experiment may ask for."""

REPO_ROOT = Path(__file__).resolve().parents[2]
"""The project folder holding ``scenarios/`` and ``experiments/`` (a third place to look for the base scenario)."""

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ParameterSpec(_Frozen):
    """One swept parameter as written in the file (``parameters:`` entry)."""

    path: str | None = Field(
        None, description="Dotted scenario path, e.g. centers.residential.count. Optional for type choice."
    )
    name: str | None = Field(None, description="Column name in the result tables (default: the path).")
    type: str = Field("real", description="int, real or choice.")
    levels: list[Any] | dict[str, Any] | None = Field(
        None,
        description="The values to use (full factorial). For choice: a list of values of `path`, a mapping"
        " label -> value of `path`, or (without `path`) a mapping label -> {scenario path: value}.",
    )
    range: tuple[float, float] | None = Field(None, description="[lower, upper], both included.")
    steps: int | None = Field(
        None, ge=2, le=10_000, description="Evenly spaced values over `range` for a full factorial design."
    )

    @field_validator("range", mode="before")
    @classmethod
    def _range_mapping(cls, value: Any) -> Any:
        if isinstance(value, Mapping) and set(value) <= {"lower", "upper"}:
            return (value.get("lower"), value.get("upper"))
        return value


class DesignSpec(_Frozen):
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


class KeepSpec(_Frozen):
    """What each run keeps besides its final indicators (``keep:``)."""

    daily_every: int = Field(
        1, ge=0, le=36_500, description="Keep the daily indicators every k-th day and the last day; 0: none."
    )


class ExperimentSpec(_Frozen):
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
class Parameter:
    """A validated swept parameter.

    Attributes:
        column: column name in the result tables.
        kind: ``int``, ``real`` or ``choice``.
        path: scenario path it sets (``None`` for a choice of bundles).
        values: the full-factorial values (numbers, or labels for a choice); empty for a range without steps.
        bounds: ``(lower, upper)`` of a range, or ``None``.
        bundles: for a choice, the scenario overrides of each label, in the order of ``values``.
    """

    column: str
    kind: str
    path: str | None
    values: tuple[Any, ...]
    bounds: tuple[float, float] | None
    bundles: tuple[dict[str, Any], ...] = ()

    def overrides(self, value: Any) -> dict[str, Any]:
        """Scenario overrides (dotted path -> value) for this parameter at ``value`` (a label for a choice)."""
        if self.kind == "choice":
            return dict(self.bundles[self.values.index(value)])
        assert self.path is not None
        return {self.path: value}

    @property
    def raw_bounds(self) -> tuple[float, float]:
        """Bounds of the sampling space: the range, widened by half a unit on each side for whole numbers.

        A whole-number parameter is sampled over ``[lower - 0.5, upper + 0.5]`` and rounded, so each whole number
        in the range gets an equal share of the space.
        """
        if self.bounds is None:
            raise ValueError(f"{self.column}: no range")
        lo, hi = self.bounds
        return (lo - 0.5, hi + 0.5) if self.kind == "int" else (lo, hi)

    def from_raw(self, x: float) -> Any:
        """The value applied to the scenario for a sampled value ``x`` of the sampling space."""
        assert self.bounds is not None
        lo, hi = self.bounds
        if self.kind == "int":
            return int(min(max(round(x), lo), hi))
        return float(min(max(x, lo), hi))


@dataclass(frozen=True)
class Experiment:
    """A loaded, validated experiment: its file, the resolved base scenario and the swept parameters.

    Attributes:
        spec: the file's content, validated.
        file: the experiment file path as given.
        base_file: the base scenario file that was found.
        base_data: the resolved base scenario (defaults filled, ``set`` and ``days`` applied) as plain data.
        base_hash: content hash of the resolved base scenario.
        parameters: the swept parameters.
    """

    spec: ExperimentSpec
    file: str
    base_file: str
    base_data: dict[str, Any]
    base_hash: str
    parameters: tuple[Parameter, ...]

    @property
    def name(self) -> str:
        """The experiment name (default: the file name without extension)."""
        return self.spec.name or Path(self.file).stem

    @property
    def days(self) -> int:
        """Days per run."""
        return int(self.base_data["days"])

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
        data = self.spec.model_dump(by_alias=True, exclude_none=True, mode="json")
        data["name"] = self.name
        data["days"] = self.days
        data["resolved"] = {"base_scenario_file": self.base_file, "base_scenario_hash": self.base_hash}
        return data


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
    if not isinstance(data, dict):
        raise ScenarioError(file, "", f"expected a mapping of experiment fields, got {type(data).__name__}")
    _check_keys(file, data)
    _check_design_method(file, data.get("design"))
    try:
        spec = ExperimentSpec.model_validate(data)
    except ValidationError as err:
        where, message = format_error(err)
        raise ScenarioError(file, where, message) from None
    if spec.name is not None and not _NAME_RE.match(spec.name):
        raise ScenarioError(
            file, "name", f"use letters, digits, '_', '-' and '.' only (a folder name), got {spec.name!r}"
        )
    base_file = find_base(file, spec.base_scenario)
    base_data = _resolve_base(file, base_file, spec)
    base = scenario_from_dict(base_data, file=file)
    base_data = base.to_dict()
    params = tuple(_resolve_parameter(file, i, p, spec, base_data) for i, p in enumerate(spec.parameters))
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
        allowed = _fields_of(model)
        for key in mapping:
            if key not in allowed:
                raise ScenarioError(file, f"{prefix}{key}", unknown_message(str(key), allowed))


def _check_design_method(file: str, design: Any) -> None:
    method = design.get("method") if isinstance(design, dict) else design
    if method is not None and not isinstance(method, dict) and method not in DESIGNS:
        where = "design.method" if isinstance(design, dict) else "design"
        raise ScenarioError(file, where, unknown_message(str(method), DESIGNS, "design"))


def find_base(file: str, ref: str) -> Path:
    """The base scenario file: relative to the experiment file, the working folder or the project root."""
    p = Path(ref).expanduser()
    candidates = [p] if p.is_absolute() else list(dict.fromkeys([Path(file).parent / p, p, REPO_ROOT / p]))
    for c in candidates:
        if c.is_file():
            return c
    looked = ", ".join(str(c) for c in candidates)
    raise ScenarioError(file, "base_scenario", f"scenario file {ref!r} not found (looked at {looked})")


def _resolve_base(file: str, base_file: Path, spec: ExperimentSpec) -> dict[str, Any]:
    """Base scenario data with ``set`` and ``days`` applied; validated first alone, then with the changes."""
    data = read_yaml(base_file)
    base = scenario_from_dict(data, file=str(base_file))
    out = base.to_dict()
    if spec.set_:
        try:
            out = apply_overrides(out, spec.set_)
        except ScenarioError as err:
            raise ScenarioError(file, f"set.{err.path}", err.message) from None
        try:
            scenario_from_dict(out)
        except ScenarioError as err:
            raise ScenarioError(file, "set", f"the base scenario with these changes is invalid: {err}") from None
    if spec.days is not None:
        out["days"] = spec.days
    return out


def _number_kind(path: str) -> str | None:
    """``int`` or ``float`` for a numeric schema field, ``None`` for any other field."""
    parts = path.split(".")
    try:
        _, owner = allowed_at(parts[:-1])
    except KeyError:
        return None
    if owner is None:
        return "float" if len(parts) >= 2 and parts[-2] == "segments" else None
    field = owner.model_fields.get(parts[-1])
    if field is None:
        return None
    args = set(typing.get_args(field.annotation) or (field.annotation,))
    if float in args:
        return "float"
    if int in args:
        return "int"
    return None


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _try_value(file: str, where: str, base: dict[str, Any], overrides: dict[str, Any]) -> None:
    """Raise unless the base scenario with ``overrides`` is valid."""
    try:
        scenario_from_dict(apply_overrides(base, overrides))
    except ScenarioError as err:
        shown = ", ".join(f"{k}={v!r}" for k, v in overrides.items())
        raise ScenarioError(
            file, where, f"{shown} is not allowed: {err.path + ': ' if err.path else ''}{err.message}"
        ) from None


def _check_path(file: str, where: str, path: Any, base: dict[str, Any]) -> str:
    if not isinstance(path, str) or not path:
        raise ScenarioError(file, where, f"expected a dotted scenario path, got {path!r}")
    try:
        apply_overrides(base, {path: None})
    except ScenarioError as err:
        raise ScenarioError(file, where, f"{err.message} (in '{path}')") from None
    return path


def _resolve_parameter(file: str, i: int, p: ParameterSpec, spec: ExperimentSpec, base: dict[str, Any]) -> Parameter:
    at = f"parameters.{i}"
    if p.type not in PARAMETER_TYPES:
        raise ScenarioError(file, f"{at}.type", unknown_message(p.type, PARAMETER_TYPES, "type"))
    if p.type == "choice":
        return _resolve_choice(file, at, p, base)
    if p.path is None:
        raise ScenarioError(file, f"{at}.path", "a scenario path is needed for an int or real parameter")
    path = _check_path(file, f"{at}.path", p.path, base)
    if path == "days":
        raise ScenarioError(file, f"{at}.path", "the days of a run are the experiment's `days`, not a parameter")
    kind = _number_kind(path)
    if kind is None:
        raise ScenarioError(file, f"{at}.path", f"'{path}' is not a number; use type: choice with levels")
    if kind == "int" and p.type == "real":
        raise ScenarioError(file, f"{at}.type", f"'{path}' is a whole number; use type: int")
    if (p.levels is None) == (p.range is None):
        raise ScenarioError(file, at, "give either levels or range (not both, not neither)")
    column = p.name or path
    cast = int if p.type == "int" else float
    if p.levels is not None:
        if not isinstance(p.levels, list) or not p.levels:
            raise ScenarioError(file, f"{at}.levels", "expected a non-empty list of numbers")
        for j, v in enumerate(p.levels):
            if not _is_number(v) or (p.type == "int" and float(v) != int(v)):
                what = "a whole number" if p.type == "int" else "a number"
                raise ScenarioError(file, f"{at}.levels.{j}", f"expected {what}, got {v!r}")
        values = tuple(cast(v) for v in p.levels)
        if len(set(values)) != len(values):
            raise ScenarioError(file, f"{at}.levels", f"levels must be distinct, got {list(p.levels)}")
        if p.steps is not None:
            raise ScenarioError(file, f"{at}.steps", "steps goes with a range, not with levels")
        for j, v in enumerate(values):
            _try_value(file, f"{at}.levels.{j}", base, {path: v})
        return Parameter(column, p.type, path, values, None)
    assert p.range is not None
    lo, hi = p.range
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ScenarioError(file, f"{at}.range", f"both ends must be finite numbers, got [{lo}, {hi}]")
    if lo > hi:
        raise ScenarioError(file, f"{at}.range", f"lower {lo:g} is above upper {hi:g}")
    if lo == hi:
        raise ScenarioError(file, f"{at}.range", f"lower equals upper ({lo:g}); fix the value in `set` instead")
    if p.type == "int" and (lo != int(lo) or hi != int(hi)):
        raise ScenarioError(file, f"{at}.range", f"expected whole numbers for type int, got [{lo:g}, {hi:g}]")
    bounds = (cast(lo), cast(hi))
    for v in bounds:
        _try_value(file, f"{at}.range", base, {path: v})
    values: tuple[Any, ...] = ()
    if p.steps is not None:
        grid = np.linspace(lo, hi, p.steps)
        values = tuple(round(float(v)) for v in grid) if p.type == "int" else tuple(float(f"{v:.12g}") for v in grid)
        if len(set(values)) != len(values):
            raise ScenarioError(
                file, f"{at}.steps", f"{p.steps} steps over [{lo:g}, {hi:g}] repeat whole numbers; use fewer"
            )
    return Parameter(column, p.type, path, values, bounds)


def _resolve_choice(file: str, at: str, p: ParameterSpec, base: dict[str, Any]) -> Parameter:
    if p.range is not None or p.steps is not None:
        raise ScenarioError(file, f"{at}.range" if p.range is not None else f"{at}.steps", "a choice has levels only")
    if not p.levels:
        raise ScenarioError(file, f"{at}.levels", "a choice needs levels: a list, or a mapping label -> value")
    labels: list[str] = []
    bundles: list[dict[str, Any]] = []
    if p.path is not None:
        path = _check_path(file, f"{at}.path", p.path, base)
        if isinstance(p.levels, list):
            for j, v in enumerate(p.levels):
                if isinstance(v, list | dict):
                    raise ScenarioError(
                        file, f"{at}.levels.{j}", "list or mapping values need labels: write levels as label: value"
                    )
                labels.append(str(v))
                bundles.append({path: v})
        else:
            labels = [str(k) for k in p.levels]
            bundles = [{path: v} for v in p.levels.values()]
        column = p.name or path
    else:
        if p.name is None:
            raise ScenarioError(file, f"{at}.name", "a choice without a path needs a name (its column)")
        if not isinstance(p.levels, dict):
            raise ScenarioError(
                file, f"{at}.levels", "without a path, levels must be a mapping label -> {scenario path: value}"
            )
        for label, bundle in p.levels.items():
            if not isinstance(bundle, dict) or not bundle:
                raise ScenarioError(file, f"{at}.levels.{label}", "expected a mapping of scenario path -> value")
            for key in bundle:
                _check_path(file, f"{at}.levels.{label}.{key}", key, base)
            labels.append(str(label))
            bundles.append(dict(bundle))
        column = p.name
    if len(set(labels)) != len(labels):
        raise ScenarioError(file, f"{at}.levels", f"labels must be distinct, got {labels}")
    for label, bundle in zip(labels, bundles, strict=True):
        _try_value(file, f"{at}.levels.{label}", base, bundle)
    return Parameter(column, "choice", p.path, tuple(labels), None, tuple(bundles))


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


def check_indicators(file: str, names: list[str]) -> None:
    """Raise ScenarioError unless every name is a known, distinct indicator."""
    from cogov_sim.vocabulary import INDICATORS

    for j, name in enumerate(names):
        if name not in INDICATORS:
            raise ScenarioError(file, f"indicators.{j}", unknown_message(str(name), list(INDICATORS), "indicator"))
    if len(set(names)) != len(names):
        raise ScenarioError(file, "indicators", f"indicators must be distinct, got {names}")
