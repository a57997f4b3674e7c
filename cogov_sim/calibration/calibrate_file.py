"""The calibration file: which targets to match, which parameters to move over which ranges, and the waves.

A calibration file (YAML, validated like the other input files; errors name the file and the field path)::

    name: behaviour                     # output folder results/<name>/ (default: the file name)
    targets: evidence.yaml              # a targets file, relative to this file, the working folder or the project
    use: [decay_efolding_km, ...]       # the targets matched (two-sided: a value or a closed range)
    hold_out: [volunteer_retention]     # predicted, not matched (default: every other target of the file)
    parameters:                         # organizations.* or behaviour.* numbers; range default: the plausible one
      - {path: behaviour.visit_scale, range: [0.01, 0.04]}
      - {path: behaviour.volunteer_join}
    seed: 1                             # seeds the designs, the emulators and the runs (seed, seed + 1, ...)
    seeds_per_point: 1                  # runs per design point and named run (their mean is emulated)
    waves: {max: 4, min: 1, runs: 40, candidates: 4000, min_shrink: 0.1}
    cutoff: 3                           # implausibility above which a point is ruled out
    discrepancy: 0.05                   # model discrepancy: standard deviation as a share of the observed value
    check_seeds: 5                      # seeds of the best set's scorecard

Each design point sets the parameters on every named run the used and held-out targets read. A target's
observation is its value (else the middle of its range) with a standard deviation of a quarter of its range (the
range read as ± 2 sd; a value alone: half its absolute uncertainty, or value × (factor - 1) / 2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field

from cogov_sim.calibration.targets import Target
from cogov_sim.calibration.targets_file import Targets, load_targets
from cogov_sim.experiments.files import KINDS, check_name, file_kind, find_base
from cogov_sim.scenario import (
    Frozen,
    ScenarioError,
    check_keys,
    expect_mapping,
    read_yaml,
    tunable_fields,
    unknown_message,
    validate_model,
)


class CalibratedParameter(Frozen):
    """A parameter the calibration moves: a dotted scenario path and its range (default: the plausible range)."""

    path: str
    range: tuple[float, float] | None = None


class WavesSpec(Frozen):
    """How the waves go: at most ``max`` waves of ``runs`` design points screened from ``candidates``."""

    max: int = Field(4, ge=1, le=20)
    min: int = Field(1, ge=1, le=20, description="Waves run before a stopping rule may end the waves (at most max).")
    runs: int = Field(40, ge=5, le=200)
    candidates: int = Field(4000, ge=200, le=200_000)
    min_shrink: float = Field(0.1, ge=0, le=1, description="Stop when a wave rules out less than this share of"
                              " what was left.")  # fmt: skip


class CalibrationSpec(Frozen):
    """The calibration file as written."""

    name: str | None = None
    description: str = ""
    targets: str
    use: list[str] = Field(min_length=1)
    hold_out: list[str] | None = None
    parameters: list[CalibratedParameter] = Field(min_length=1, max_length=30)
    seed: int = Field(1, ge=0, le=2**32 - 1024)
    seeds_per_point: int = Field(1, ge=1, le=10)
    waves: WavesSpec = Field(default_factory=WavesSpec)
    cutoff: float = Field(3.0, gt=0)
    discrepancy: float = Field(0.05, ge=0, le=10)
    check_seeds: int = Field(5, ge=1, le=100)


@dataclass(frozen=True)
class Parameter:
    """A calibrated parameter resolved: its path, range and whether it is a whole number."""

    path: str
    lower: float
    upper: float
    integer: bool

    def value(self, unit: float) -> float | int:
        """The value at ``unit`` in [0, 1] of the range (rounded for a whole number)."""
        x = self.lower + unit * (self.upper - self.lower)
        return round(x) if self.integer else float(x)


@dataclass(frozen=True)
class Calibration:
    """A loaded calibration: its file, the targets file, the targets used and held out, the parameters."""

    spec: CalibrationSpec
    file: str
    targets: Targets
    used: tuple[Target, ...]
    held_out: tuple[Target, ...]
    parameters: tuple[Parameter, ...]

    @property
    def name(self) -> str:
        """The name (default: the file name without extension)."""
        return self.spec.name or Path(self.file).stem


def observation(t: Target) -> tuple[float, float]:
    """A target's observed value and its standard deviation (the range as ± 2 sd, or half the uncertainty)."""
    o = t.observed
    lo, hi = o.band
    if math.isfinite(lo) and math.isfinite(hi) and hi > lo:
        return (o.value if o.value is not None else (lo + hi) / 2, (hi - lo) / 4)
    z = o.value if o.value is not None else lo
    u = t.uncertainty
    if u is None:
        return (z, 0.0)
    return (z, u.absolute / 2 if u.absolute is not None else abs(z) * (u.factor - 1) / 2)  # type: ignore[operator]


def load_calibration(path: str | Path) -> Calibration:
    """Read and validate a calibration file and the targets file it names.

    Raises:
        ScenarioError: naming the file (the calibration or the targets file) and the field path.
    """
    file = str(path)
    data = read_yaml(path)
    kind = file_kind(data)
    if kind not in (None, "calibration"):
        what, command = KINDS[kind]
        raise ScenarioError(file, "", f"this is {what}, not a calibration file; run it with {command}")
    data = expect_mapping(file, data, "calibration")
    if "runs" in data and "targets" in data and isinstance(data["targets"], list):
        raise ScenarioError(file, "", "this is a targets file, not a calibration file; run it with cogov check")
    check_keys(file, data, list(CalibrationSpec.model_fields))
    for key, model in (("waves", WavesSpec),):
        if isinstance(data.get(key), dict):
            check_keys(file, data[key], list(model.model_fields), f"{key}.")
    for i, p in enumerate(data.get("parameters") or []):
        if isinstance(p, dict):
            check_keys(file, p, list(CalibratedParameter.model_fields), f"parameters.{i}.")
    spec = validate_model(CalibrationSpec, data, file)
    check_name(file, spec.name)
    try:
        targets_path = find_base(file, spec.targets)
    except ScenarioError as err:
        raise ScenarioError(file, "targets", err.message) from None
    targets = load_targets(targets_path)
    by_id = {t.id: t for t in targets.targets}
    used = tuple(_target(file, f"use.{i}", tid, by_id) for i, tid in enumerate(spec.use))
    for i, t in enumerate(used):
        if not all(math.isfinite(v) for v in observation(t)) or observation(t)[1] <= 0:
            raise ScenarioError(file, f"use.{i}", f"target '{t.id}' needs a closed range or a value with an"
                                " uncertainty to be matched")  # fmt: skip
    if len(set(spec.use)) != len(spec.use):
        raise ScenarioError(file, "use", "targets must be distinct")
    names = spec.hold_out if spec.hold_out is not None else [t for t in by_id if t not in spec.use]
    held = tuple(_target(file, f"hold_out.{i}", tid, by_id) for i, tid in enumerate(names))
    for i, t in enumerate(held):
        if t.id in spec.use:
            raise ScenarioError(file, f"hold_out.{i}", f"target '{t.id}' is used in the fit, so it is not held out")
    params = tuple(_parameter(file, i, p) for i, p in enumerate(spec.parameters))
    if len({p.path for p in params}) != len(params):
        raise ScenarioError(file, "parameters", "each parameter path once")
    return Calibration(spec, file, targets, used, held, params)


def _target(file: str, at: str, tid: str, by_id: dict[str, Target]) -> Target:
    if tid not in by_id:
        raise ScenarioError(file, at, unknown_message(tid, list(by_id), "target"))
    return by_id[tid]


def _parameter(file: str, i: int, p: CalibratedParameter) -> Parameter:
    tunables = {t.path: t for t in tunable_fields()}
    at = f"parameters.{i}"
    if p.path not in tunables:
        raise ScenarioError(file, f"{at}.path", unknown_message(p.path, list(tunables), "parameter"))
    t = tunables[p.path]
    lo, hi = p.range if p.range is not None else (t.plausible or (math.nan, math.nan))
    if p.range is None and t.plausible is None:
        raise ScenarioError(file, f"{at}.range", f"'{p.path}' declares no plausible range: give range")
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ScenarioError(file, f"{at}.range", f"expected [low, high] with low < high, got {[lo, hi]}")
    if lo < t.lower or hi > t.upper:
        raise ScenarioError(file, f"{at}.range", f"[{lo:g}, {hi:g}] leaves the allowed {t.lower:g} to {t.upper:g}")
    return Parameter(p.path, float(lo), float(hi), t.kind is int)
