"""A swept parameter: as written in an experiment file (``parameters:`` entry) and as validated against the base.

A parameter sets one scenario path to numbers (``int``, ``real``: levels, or a range sampled or stepped) or to
named alternatives (``choice``: values of one path, or bundles of scenario changes). Every path must name a field
of the scenario schema, a number parameter must name a number field, and every level or range end must give a
valid scenario; errors name the experiment file and the field path (``parameters.0.range``).
"""

from __future__ import annotations

import math
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import Field, field_validator

from cogov_sim.experiments.files import check_name
from cogov_sim.scenario import (
    Frozen,
    ScenarioError,
    allowed_at,
    apply_overrides,
    scenario_from_dict,
    shorten,
    show,
    unknown_message,
)

PARAMETER_TYPES: tuple[str, ...] = ("int", "real", "choice")
"""Kinds of swept parameter: whole numbers, real numbers, or named alternatives (full factorial only)."""


class ParameterSpec(Frozen):
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
        shown = shorten(", ".join(f"{shorten(str(k))}={show(v)}" for k, v in overrides.items()), 160)
        raise ScenarioError(
            file, where, f"{shown} is not allowed: {err.path + ': ' if err.path else ''}{err.message}"
        ) from None


def _check_path(file: str, where: str, path: Any, base: dict[str, Any]) -> str:
    if not isinstance(path, str) or not path:
        raise ScenarioError(file, where, f"expected a dotted scenario path, got {show(path)}")
    try:
        apply_overrides(base, {path: None})
    except ScenarioError as err:
        raise ScenarioError(file, where, f"{err.message} (in '{shorten(path)}')") from None
    return path


def resolve_parameter(file: str, i: int, p: ParameterSpec, base: dict[str, Any]) -> Parameter:
    """The ``i``-th parameter of ``file`` checked against the resolved base scenario ``base`` (plain data)."""
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
    check_name(file, column, f"{at}.name" if p.name else f"{at}.path")
    cast = int if p.type == "int" else float
    if p.levels is not None:
        if not isinstance(p.levels, list) or not p.levels:
            raise ScenarioError(file, f"{at}.levels", "expected a non-empty list of numbers")
        for j, v in enumerate(p.levels):
            if not _is_number(v) or (p.type == "int" and float(v) != int(v)):
                what = "a whole number" if p.type == "int" else "a number"
                raise ScenarioError(file, f"{at}.levels.{j}", f"expected {what}, got {show(v)}")
        values = tuple(cast(v) for v in p.levels)
        if len(set(values)) != len(values):
            raise ScenarioError(file, f"{at}.levels", f"levels must be distinct, got {show(list(p.levels))}")
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
        check_name(file, column, f"{at}.name" if p.name else f"{at}.path")
    else:
        if p.name is None:
            raise ScenarioError(file, f"{at}.name", "a choice without a path needs a name (its column)")
        check_name(file, p.name, f"{at}.name")
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
        raise ScenarioError(file, f"{at}.levels", f"labels must be distinct, got {show(labels)}")
    for label, bundle in zip(labels, bundles, strict=True):
        _try_value(file, f"{at}.levels.{label}", base, bundle)
    return Parameter(column, "choice", p.path, tuple(labels), None, tuple(bundles))
