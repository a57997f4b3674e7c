"""The input layer: reading YAML files, ``--set`` overrides, and bad input turned into one clean error.

Every file the package reads (scenario, experiment, what-if) goes through :func:`read_yaml`; every pydantic model
is validated with :func:`validate_model`, which raises :class:`~cogov_sim.scenario.errors.ScenarioError` naming
the file and the field path (:func:`format_error`); unknown keys are refused with the nearest allowed one
(:func:`check_keys`). :func:`apply_overrides` applies ``path.to.key=value`` changes after checking each path
against the schema (:func:`allowed_at`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from cogov_sim.scenario.errors import ScenarioError, unknown_message
from cogov_sim.scenario.schema import CenterLevel, Population, Scenario
from cogov_sim.vocabulary import LEVELS, SEGMENTS


def allowed_at(parts: Sequence[str]) -> tuple[list[str], type[BaseModel] | None]:
    """Walk the scenario schema along ``parts``; return the keys allowed next and the model that owns them.

    The model is ``None`` inside a mapping (``centers``, ``population.segments``) and below a plain field.

    Raises:
        KeyError: with the index of the first part that is not allowed.
    """
    model: type[BaseModel] | None = Scenario
    allowed: list[str] = list(Scenario.model_fields)
    for i, part in enumerate(parts):
        if part not in allowed:
            raise KeyError(i)
        if model is None:  # a mapping entry: a center level or a segment share
            model = CenterLevel if parts[i - 1] == "centers" else None
        elif (part == "centers" and model is Scenario) or (part == "segments" and model is Population):
            model = None
        else:
            ann = model.model_fields[part].annotation
            model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
            if model is None:
                allowed = []
                continue
        if model is None:
            allowed = list(LEVELS if part == "centers" else SEGMENTS if part == "segments" else [])
        else:
            allowed = list(model.model_fields)
    return allowed, model


def format_error(err: ValidationError) -> tuple[str, str]:
    """Turn the first pydantic error into ``(field path, message)``."""
    first = err.errors(include_url=False)[0]
    loc = tuple(first["loc"])
    path = ".".join(str(p) for p in loc)
    kind = first["type"]
    msg = first["msg"]
    if kind == "extra_forbidden":
        try:
            allowed, _ = allowed_at([str(p) for p in loc[:-1]])
        except KeyError:
            allowed = []
        return path, unknown_message(str(loc[-1]), allowed)
    if kind in ("literal_error", "enum") and first.get("ctx", {}).get("expected"):
        return path, f"got {first.get('input')!r}; allowed: {first['ctx']['expected']}"
    if kind == "value_error":
        msg = msg.removeprefix("Value error, ")
        # validators report their own sub-path first ("segments: ...")
        head, sep, rest = msg.partition(": ")
        if sep and " " not in head:
            path = f"{path}.{head}" if path else head
            msg = rest
        return path, msg
    inp = first.get("input")
    shown = repr(inp) if not isinstance(inp, dict) else "a mapping"
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return path, f"{msg} (got {shown})"


def validate_model[M: BaseModel](model: type[M], data: Any, file: str = "", at: str = "") -> M:
    """``model.model_validate(data)``, a failure raised as :class:`ScenarioError` with its field path.

    Args:
        model: the pydantic model.
        data: plain data.
        file: the file named in the error.
        at: field path of ``data`` inside the file, put before the error's own path.
    """
    try:
        return model.model_validate(data)
    except ValidationError as err:
        where, message = format_error(err)
        raise ScenarioError(file, f"{at}.{where}" if at else where, message) from None


def check_keys(file: str, data: Iterable[Any], allowed: Sequence[str], prefix: str = "", what: str = "key") -> None:
    """Raise :class:`ScenarioError` at the first key of ``data`` not in ``allowed``, with the nearest allowed one.

    Args:
        file: the file named in the error.
        data: the keys (a mapping's keys).
        allowed: the allowed keys, in the order the message lists them.
        prefix: field path of the mapping, with its trailing dot (``parameters.0.``).
        what: the word for a key in the message (``key``, ``level``).
    """
    for key in data:
        if key not in allowed:
            raise ScenarioError(file, f"{prefix}{key}", unknown_message(str(key), allowed, what))


def expect_mapping(file: str, data: Any, what: str) -> dict[str, Any]:
    """``data`` if it is a mapping, else a :class:`ScenarioError`: ``expected a mapping of <what> fields``."""
    if not isinstance(data, dict):
        raise ScenarioError(file, "", f"expected a mapping of {what} fields, got {type(data).__name__}")
    return data


def scenario_from_dict(data: Any, file: str = "") -> Scenario:
    """Validate plain data as a scenario, raising :class:`ScenarioError` with a field path on failure."""
    data = expect_mapping(file, data, "scenario")
    if isinstance(data.get("centers"), dict):
        check_keys(file, data["centers"], LEVELS, "centers.", "level")
    return validate_model(Scenario, data, file)


def read_yaml(path: str | Path) -> Any:
    """Read a YAML file with ``safe_load``; raise :class:`ScenarioError` for missing, empty or malformed files."""
    p = Path(path)
    if not p.is_file():
        raise ScenarioError(str(path), "", "file not found" if not p.exists() else "not a regular file")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), "", f"cannot read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(str(path), "", f"malformed YAML{where}: {problem}") from None
    if data is None:
        raise ScenarioError(str(path), "", "the file is empty")
    return data


def load_scenario(path: str | Path, overrides: list[str] | Mapping[str, Any] | None = None) -> Scenario:
    """Load and validate a scenario file, optionally with ``path.to.key=value`` overrides."""
    data = expect_mapping(str(path), read_yaml(path), "scenario")
    if overrides:
        data = apply_overrides(data, overrides)
    return scenario_from_dict(data, file=str(path))


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``path.to.key=value``; the value is parsed as YAML (numbers, lists, booleans)."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ScenarioError("--set", text, "expected path.to.key=value")
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        value = raw
    return key.strip(), value


def _check_schema_path(key: str) -> None:
    """Raise :class:`ScenarioError` unless ``key`` names a field of the scenario schema."""
    parts = key.split(".")
    try:
        allowed_at(parts)
    except KeyError as exc:
        i = exc.args[0]
        try:
            allowed, _ = allowed_at(parts[:i])
        except KeyError:
            allowed = []
        if not allowed:
            raise ScenarioError("--set", key, f"'{'.'.join(parts[:i])}' has no sub-fields") from None
        raise ScenarioError("--set", key, unknown_message(parts[i], allowed, "field")) from None


def apply_overrides(data: Mapping[str, Any], overrides: list[str] | Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of scenario data with ``path.to.key`` overrides applied.

    Every path must name a field of the schema (``centers.<level>.<field>`` and
    ``population.segments.<segment>`` may name entries the file does not have yet); the values are checked when
    the result is validated.
    """
    items = [parse_override(o) for o in overrides] if isinstance(overrides, list) else list(overrides.items())
    out = json.loads(json.dumps(data))
    for key, value in items:
        _check_schema_path(key)
        *parents, leaf = key.split(".")
        node = out
        for part in parents:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[leaf] = value
    return out


def get_path(data: Mapping[str, Any], path: str) -> Any:
    """Value at a dotted path of plain scenario data."""
    node: Any = data
    for part in path.split("."):
        node = node[part]
    return node
