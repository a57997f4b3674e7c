"""Loading a targets file: read safely, keys checked, validated, its runs' scenarios resolved, measures checked.

:func:`load_targets` reads the file with the project's safe YAML loader (size, alias and depth limits), refuses a
file of another kind in one line naming its kind and command (``this is a sweep file, not a targets file; run it
with cogov sweep``), refuses unknown keys anywhere with the nearest allowed one, validates the content
(:mod:`~cogov_sim.calibration.targets`), resolves each named run's scenario (a shipped name or a file, with its
changes, days and sample fraction, validated as a scenario) and checks what the schema alone cannot: each measure's
run exists, its indicator, table cell, age bands and days fit. Every error is a
:class:`~cogov_sim.scenario.ScenarioError` naming the file and the field path (``targets.3.measure.run``), so the
command exits with code 2 and one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cogov_sim.calibration.record import BAND_NAMES as BANDS
from cogov_sim.calibration.record import TABLE_ROWS, cell_problem
from cogov_sim.calibration.targets import (
    MEASURE_KINDS,
    AgeGradientMeasure,
    IndicatorMeasure,
    Observed,
    RatioMeasure,
    RunSpec,
    TableMeasure,
    Target,
    TargetsSpec,
    Uncertainty,
)
from cogov_sim.experiments.files import (
    KINDS,
    SCENARIOS_DIR,
    changed_base,
    check_name,
    file_kind,
    find_base,
    resolve_base,
    shipped_scenarios,
)
from cogov_sim.scenario import (
    Frozen,
    ScenarioError,
    check_keys,
    expect_mapping,
    read_yaml,
    show,
    unknown_message,
    validate_model,
)
from cogov_sim.vocabulary import INDICATORS


@dataclass(frozen=True)
class ResolvedRun:
    """A named run resolved: its scenario file, the scenario data with the changes, its hash and days."""

    name: str
    spec: RunSpec
    scenario_file: str
    data: dict[str, Any]
    scenario_hash: str

    @property
    def days(self) -> int:
        """Days per run."""
        return self.spec.days


@dataclass(frozen=True)
class Targets:
    """A loaded, validated targets file and its resolved runs."""

    spec: TargetsSpec
    file: str
    runs: dict[str, ResolvedRun]

    @property
    def name(self) -> str:
        """The name (default: the file name without extension)."""
        return self.spec.name or Path(self.file).stem

    @property
    def targets(self) -> list[Target]:
        """The targets, in file order."""
        return list(self.spec.targets)


def runs_of(measure: Any) -> list[str]:
    """The names of the runs a measure reads (both sides of a ratio)."""
    if isinstance(measure, RatioMeasure):
        return runs_of(measure.numerator) + runs_of(measure.denominator)
    return [measure.run]


def load_targets(path: str | Path) -> Targets:
    """Read and validate a targets file and resolve its runs' scenarios.

    Raises:
        ScenarioError: for any bad input, naming the file (the targets file or a scenario) and the field path.
    """
    file = str(path)
    data = read_yaml(path)
    kind = file_kind(data)
    if kind not in (None, "targets"):
        what, command = KINDS[kind]
        raise ScenarioError(file, "", f"this is {what}, not a targets file; run it with {command}")
    data = expect_mapping(file, data, "targets")
    _check_all_keys(file, data)
    spec = validate_model(TargetsSpec, data, file)
    check_name(file, spec.name)
    for name in spec.runs:
        check_name(file, name, f"runs.{name}")
    runs = {name: _resolve_run(file, name, run) for name, run in spec.runs.items()}
    seen: dict[str, int] = {}
    for i, t in enumerate(spec.targets):
        check_name(file, t.id, f"targets.{i}.id")
        if t.id in seen:
            raise ScenarioError(file, f"targets.{i}.id", f"id '{t.id}' is already used by targets.{seen[t.id]}")
        seen[t.id] = i
        _check_measure(file, f"targets.{i}.measure", t.measure, runs)
        if t.uncertainty is not None and t.uncertainty.factor is not None and t.observed.band[0] < 0:
            raise ScenarioError(file, f"targets.{i}.uncertainty.factor", "a factor needs a range above 0")
        if t.fact is not None and spec.facts and t.fact not in spec.facts:
            raise ScenarioError(file, f"targets.{i}.fact", f"fact {t.fact} is not named in facts")
    return Targets(spec, file, runs)


def _fields(model: type[Frozen]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _check_all_keys(file: str, data: dict[str, Any]) -> None:
    """Refuse unknown keys anywhere in the file (with the nearest allowed one), before pydantic sees them."""
    check_keys(file, data, _fields(TargetsSpec))
    if isinstance(data.get("runs"), dict):
        for name, run in data["runs"].items():
            if isinstance(run, dict):
                check_keys(file, run, [*_fields(RunSpec), "set_"], f"runs.{name}.")
    if not isinstance(data.get("targets"), list):
        return
    for i, t in enumerate(data["targets"]):
        if not isinstance(t, dict):
            continue
        check_keys(file, t, _fields(Target), f"targets.{i}.")
        for key, model in (("observed", Observed), ("uncertainty", Uncertainty)):
            if isinstance(t.get(key), dict):
                check_keys(file, t[key], _fields(model), f"targets.{i}.{key}.")
        _check_measure_keys(file, t.get("measure"), f"targets.{i}.measure")


def _check_measure_keys(file: str, data: Any, at: str) -> None:
    if not isinstance(data, dict):
        return
    if "kind" not in data:
        raise ScenarioError(file, f"{at}.kind", f"a measure needs a kind; allowed: {', '.join(MEASURE_KINDS)}")
    kind = data["kind"]
    if not isinstance(kind, str) or kind not in MEASURE_KINDS:
        raise ScenarioError(file, f"{at}.kind", unknown_message(str(kind), list(MEASURE_KINDS), "measure kind"))
    check_keys(file, data, _fields(MEASURE_KINDS[kind]), f"{at}.")
    if kind == "ratio":
        _check_measure_keys(file, data.get("numerator"), f"{at}.numerator")
        _check_measure_keys(file, data.get("denominator"), f"{at}.denominator")


def _scenario_path(file: str, name: str, ref: str) -> Path:
    """A run's scenario: a shipped name (``baseline``), or a file relative to the targets file, cwd or project."""
    if ref in shipped_scenarios() and "/" not in ref and not Path(ref).suffix:
        local = Path(file).parent / ref
        return local if local.is_file() else SCENARIOS_DIR / f"{ref}.yaml"
    try:
        return find_base(file, ref)
    except ScenarioError as err:
        names = ", ".join(shipped_scenarios())
        raise ScenarioError(file, f"runs.{name}.scenario", f"{err.message}; shipped scenarios: {names}") from None


def _resolve_run(file: str, name: str, run: RunSpec) -> ResolvedRun:
    path = _scenario_path(file, name, run.scenario)
    changes = {**run.set_, "population.sample_fraction": run.sample_fraction}
    data = changed_base(file, path, changes, f"runs.{name}.set")
    scenario = resolve_base(file, data, run.days)
    return ResolvedRun(name, run, str(path), scenario.to_dict(), scenario.hash())


def _check_measure(file: str, at: str, m: Any, runs: dict[str, ResolvedRun]) -> None:
    """Check what pydantic cannot: the run named exists, the indicator, table, row, bands and days fit."""
    if isinstance(m, RatioMeasure):
        _check_measure(file, f"{at}.numerator", m.numerator, runs)
        _check_measure(file, f"{at}.denominator", m.denominator, runs)
        return
    if m.run not in runs:
        raise ScenarioError(file, f"{at}.run", unknown_message(m.run, list(runs), "run"))
    days = runs[m.run].days
    name = getattr(m, "name", None) or getattr(m, "indicator", None)
    if name is not None and name not in INDICATORS:
        field = "name" if isinstance(m, IndicatorMeasure) else "indicator"
        raise ScenarioError(file, f"{at}.{field}", unknown_message(name, list(INDICATORS), "indicator"))
    for field in ("day", "last"):
        value = getattr(m, field, None)
        if value is not None and value > days:
            raise ScenarioError(file, f"{at}.{field}", f"{value} is beyond the run's {days} days")
    window = getattr(m, "window", None)
    if window is not None:
        first, last = window[0], window[1] if window[1] is not None else days
        ordered = first <= last if isinstance(m, IndicatorMeasure) else first < last
        if first < 1 or last > days or not ordered:
            raise ScenarioError(file, f"{at}.window", f"expected days within 1-{days}, first before last; got"
                                f" {show(list(window))}")  # fmt: skip
    if isinstance(m, TableMeasure):
        if m.table not in TABLE_ROWS:
            raise ScenarioError(file, f"{at}.table", unknown_message(m.table, list(TABLE_ROWS), "table"))
        problem = cell_problem(m.table, m.row, m.column)
        if problem:
            raise ScenarioError(file, f"{at}.{problem[0]}", problem[1])
    if isinstance(m, AgeGradientMeasure):
        for j, band in enumerate(m.bands):
            if band not in BANDS:
                raise ScenarioError(file, f"{at}.bands.{j}", unknown_message(band, list(BANDS), "age band"))
        order = [BANDS.index(b) for b in m.bands]
        if order != sorted(set(order)):
            raise ScenarioError(file, f"{at}.bands", f"bands go from young to old, each once; got {m.bands}")
        if m.form == "mid_position" and len(m.bands) != 3:
            raise ScenarioError(file, f"{at}.bands", "mid_position needs three bands: first, middle, last")


def with_changes(targets: Targets, changes: dict[str, Any]) -> Targets:
    """The targets with ``changes`` (dotted path -> value) added to every named run's ``set``, resolved again.

    A run's own change of a path wins (a run that sets the threshold spread to compare spreads keeps its spread).

    Raises:
        ScenarioError: a change the scenario schema refuses, naming the run.
    """
    runs = {}
    for name, run in targets.runs.items():
        spec = run.spec.model_copy(update={"set_": {**changes, **run.spec.set_}})
        runs[name] = _resolve_run(targets.file, name, spec)
    return Targets(targets.spec, targets.file, runs)
