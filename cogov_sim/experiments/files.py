"""What every experiment file shares (a sweep's ``experiment`` file and a what-if file).

Each names a base scenario found relative to itself, the working folder or the project (or by the name of a
shipped scenario, :func:`scenario_file`); changes that base with
dotted scenario paths (``set`` / ``overrides``); may name its output folder and the indicators it reports. Once
loaded it is a :class:`LoadedFile`: the validated file content, the base scenario found, and that scenario
resolved (defaults filled, changes and ``days`` applied) with its content hash. Errors are
:class:`~cogov_sim.scenario.ScenarioError` naming the file and the field path, like a scenario's.

:func:`file_kind` tells the three kinds of input file apart by their keys, so a file given to the wrong command
is named as the kind it is (``this is a what-if file; run it with cogov whatif``) instead of failing on its first
unknown key; :func:`load_scenario_ref` loads a scenario given as a path, a shipped name or a
:class:`~cogov_sim.scenario.Scenario`, with dotted overrides.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cogov_sim.scenario import (
    Scenario,
    ScenarioError,
    apply_overrides,
    expect_mapping,
    name_problem,
    read_yaml,
    scenario_from_dict,
    shorten,
    show,
    unknown_message,
)
from cogov_sim.vocabulary import INDICATORS

REPO_ROOT = Path(__file__).resolve().parents[2]
"""The project folder holding ``scenarios/`` and ``experiments/`` (a third place to look for the base scenario)."""

SCENARIOS_DIR = REPO_ROOT / "scenarios"
"""The shipped scenario files; ``scenarios/<name>.yaml`` can be named by ``<name>`` alone."""

KINDS: dict[str, tuple[str, str]] = {
    "scenario": ("a scenario file", "cogov run"),
    "sweep": ("a sweep file", "cogov sweep"),
    "whatif": ("a what-if file", "cogov whatif"),
    "exploration": ("an exploration file", "cogov explore"),
    "targets": ("a targets file", "cogov check"),
    "calibration": ("a calibration file", "cogov calibrate"),
}
"""Kind of input file -> (what it is called, the command that runs it)."""

SCENARIO_SECTIONS = frozenset({"area", "population", "zones", "centers", "organizations", "behaviour"})
"""Top-level keys only a scenario file has."""


@dataclass(frozen=True)
class LoadedFile:
    """A loaded, validated experiment file.

    Attributes:
        spec: the file's content, validated (a pydantic model with ``name``).
        file: the file path as given.
        base_file: the base scenario file that was found.
        base_data: the resolved base scenario (defaults filled, changes and days applied) as plain data.
        base_hash: content hash of the resolved base scenario.
    """

    spec: Any
    file: str
    base_file: str
    base_data: dict[str, Any]
    base_hash: str

    @property
    def name(self) -> str:
        """The experiment name (default: the file name without extension)."""
        return self.spec.name or Path(self.file).stem

    @property
    def days(self) -> int:
        """Days per run."""
        return int(self.base_data["days"])

    def with_resolved(
        self, data: dict[str, Any], extra: Mapping[str, Any] | None = None, **more: Any
    ) -> dict[str, Any]:
        """The file as plain data (``data``) with its name and days, ``extra`` keys, and ``resolved``.

        ``resolved`` holds the base scenario file found, its resolved hash and the ``more`` entries.
        """
        data["name"] = self.name
        data["days"] = self.days
        data.update(extra or {})
        data["resolved"] = {"base_scenario_file": self.base_file, "base_scenario_hash": self.base_hash, **more}
        return data


def take_alias(data: Any, alias: str, name: str) -> Any:
    """A file's raw mapping with ``alias`` renamed to the field ``name``; ValueError if both are given."""
    if isinstance(data, dict) and alias in data:
        if name in data:
            raise ValueError(f"{name}: give {name} or its alias {alias}, not both")
        data = {k: v for k, v in data.items() if k != alias} | {name: data[alias]}
    return data


def check_name(file: str, name: Any, at: str = "name") -> None:
    """Raise unless ``name`` (an output folder, a policy) is ``None`` or a safe folder name (``name_problem``).

    Unicode letters and digits are welcome (``旭辉滨江``); separators, NUL, ``..`` and over 100 characters are not.
    """
    if name is None:
        return
    if not isinstance(name, str):
        raise ScenarioError(file, at, f"expected text, got {show(name)}")
    problem = name_problem(name)
    if problem:
        raise ScenarioError(file, at, f"{problem}; got {show(name)}")


def find_base(file: str, ref: str) -> Path:
    """The base scenario file: relative to the experiment file, the working folder or the project root."""
    try:
        p = Path(ref).expanduser()
    except RuntimeError:  # ~user that does not exist
        p = Path(ref)
    candidates = [p] if p.is_absolute() else list(dict.fromkeys([Path(file).parent / p, p, REPO_ROOT / p]))
    for c in candidates:
        if _is_file(c):
            return c
    looked = ", ".join(str(c) for c in candidates)
    raise ScenarioError(
        file, "base_scenario", f"scenario file {show(ref)} not found (looked at {shorten(looked, 240)})"
    )


def _is_file(path: Path) -> bool:
    """``path.is_file()``, ``False`` for a name the system refuses (too long, NUL) too."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def changed_base(file: str, base_file: Path, changes: Mapping[str, Any], field: str) -> dict[str, Any]:
    """The base scenario validated alone, as plain data, with the file's ``changes`` applied and validated too.

    Args:
        file: the experiment file.
        base_file: the base scenario file.
        changes: dotted scenario path -> value.
        field: the file's key of the changes (``set``, ``overrides``); a bad path is reported under it.
    """
    data = scenario_from_dict(read_yaml(base_file), file=str(base_file)).to_dict()
    if not changes:
        return data
    try:
        changed = apply_overrides(data, changes)
        scenario_from_dict(changed)
    except ScenarioError as err:
        raise ScenarioError(file, f"{field}.{err.path}", err.message) from None
    return changed


def check_indicators(file: str, names: Sequence[str]) -> None:
    """Raise ScenarioError unless every name is a known, distinct indicator."""
    for j, name in enumerate(names):
        if name not in INDICATORS:
            raise ScenarioError(file, f"indicators.{j}", unknown_message(str(name), list(INDICATORS), "indicator"))
    if len(set(names)) != len(names):
        raise ScenarioError(file, "indicators", f"indicators must be distinct, got {list(names)}")


def resolve_base(file: str, data: dict[str, Any], days: int | None) -> Scenario:
    """The resolved base scenario: the changed base ``data`` with the file's ``days``, validated as ``file``."""
    if days is not None:
        data["days"] = days
    return scenario_from_dict(data, file=file)


def shipped_scenarios() -> list[str]:
    """The names of the shipped scenarios (``scenarios/*.yaml``), sorted."""
    return sorted(p.stem for p in SCENARIOS_DIR.glob("*.yaml")) if SCENARIOS_DIR.is_dir() else []


def scenario_file(ref: str | Path) -> Path:
    """A scenario file given by its path, or by the name of a shipped scenario (``dense``: scenarios/dense.yaml).

    A file of that path wins over a shipped name.

    Raises:
        ScenarioError: the file does not exist; the message lists the shipped scenarios (and the nearest name).
    """
    path, text = Path(ref), str(ref)
    bare = bool(text) and "/" not in text and "\\" not in text and path.suffix not in (".yaml", ".yml")
    names = shipped_scenarios()
    try:
        found = path.is_file() or (not (bare and text in names) and path.exists())
    except (OSError, ValueError):  # too long a name, a NUL in it: reading it says so
        return path
    if found:
        return path  # a file, or something that is not one (reading it says so)
    if bare and text in names:
        return SCENARIOS_DIR / f"{text}.yaml"
    shipped = f"shipped scenarios (scenarios/<name>.yaml): {', '.join(names)}" if names else "no shipped scenarios"
    if bare:
        close = difflib.get_close_matches(text, names, n=1, cutoff=0.5) if len(text) <= 100 else []
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ScenarioError(
            text, "", f"no such file, and no shipped scenario of that name.{hint} {shipped[0].upper()}{shipped[1:]}"
        )
    raise ScenarioError(text, "", f"file not found; {shipped}")


def file_kind(data: Any) -> str | None:
    """The kind of input file ``data`` (a parsed YAML file) is, from its keys.

    One of ``scenario``, ``sweep``, ``whatif``, ``exploration``, ``targets`` and ``calibration``; ``None`` when
    the keys do not tell (then the file is validated as the kind the command expects).
    """
    if not isinstance(data, dict):
        return None
    keys = set(data)
    if "uncertainties" in keys:
        return "exploration"
    if isinstance(data.get("targets"), list) and "runs" in keys:
        return "targets"
    if "targets" in keys and keys & {"use", "waves"}:
        return "calibration"
    sweep, whatif = bool(keys & {"design", "parameters"}), "policies" in keys
    if whatif and not sweep:
        return "whatif"
    if sweep and not whatif:
        return "sweep"
    if not (sweep or whatif) and "base_scenario" not in keys and keys & SCENARIO_SECTIONS:
        return "scenario"
    return None


def check_kind(file: str, data: Any, expected: str) -> None:
    """Refuse a file of another kind than ``expected`` in one line naming its kind and the command that runs it.

    Raises:
        ScenarioError: ``this is a what-if file; run it with cogov whatif`` (and the like).
    """
    kind = file_kind(data)
    if kind is not None and kind != expected:
        what, command = KINDS[kind]
        raise ScenarioError(file, "", f"this is {what}, not {KINDS[expected][0]}; run it with {command}")


def load_scenario_ref(
    ref: Scenario | str | Path, overrides: Sequence[str] | Mapping[str, Any] | None = None
) -> Scenario:
    """A validated scenario from a :class:`Scenario`, a file path or a shipped name, with dotted ``overrides``.

    Args:
        ref: the scenario, its file, or the name of a shipped scenario (``baseline``, ``dense``, ...).
        overrides: ``path.to.key=value`` texts or a mapping of dotted path -> value.

    Raises:
        ScenarioError: a missing file or unknown name, a file of another kind, or bad content or overrides.
    """
    changes = overrides if isinstance(overrides, Mapping) else list(overrides or ())
    if isinstance(ref, Scenario):
        return scenario_from_dict(apply_overrides(ref.to_dict(), changes)) if changes else ref
    path = scenario_file(ref)
    data = read_yaml(path)
    check_kind(str(ref), data, "scenario")
    data = expect_mapping(str(path), data, "scenario")
    if changes:
        data = apply_overrides(data, changes)
    return scenario_from_dict(data, file=str(path))
