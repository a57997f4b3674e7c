"""The input layer: reading YAML files, ``--set`` overrides, and bad input turned into one clean error.

Every file the package reads (scenario, experiment, what-if) goes through :func:`read_yaml`: at most
:data:`MAX_FILE_BYTES`, parsed by a ``yaml.SafeLoader`` (:class:`InputLoader`) that refuses duplicate keys, more
than :data:`MAX_ALIASES` aliases (or aliases that expand to more than :data:`MAX_ALIAS_NODES` nodes: a "billion
laughs" file) and nesting deeper than :data:`MAX_DEPTH`, each with its field path. Every pydantic model is
validated with :func:`validate_model`, which raises :class:`~cogov_sim.scenario.errors.ScenarioError` naming the
file and the field path (:func:`format_error`, which shows values bounded); unknown keys are refused with the
nearest allowed one (:func:`check_keys`). :func:`apply_overrides` applies ``path.to.key=value`` changes after
checking each path against the schema (:func:`allowed_at`). A valid scenario is also refused when it simulates
nobody or a run of it would need too much memory (:func:`~cogov_sim.scenario.size.check_size`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from cogov_sim.scenario.errors import ScenarioError, shorten, show, unknown_message
from cogov_sim.scenario.schema import CenterLevel, Population, Scenario
from cogov_sim.scenario.size import check_size
from cogov_sim.scenario.streets import PlaceError, StreetError, cached_plan
from cogov_sim.vocabulary import LEVELS, SEGMENTS

MAX_FILE_BYTES = 1_000_000
"""Largest input file read (scenario, experiment, what-if), bytes; the shipped ones are under 5 KB."""

MAX_ALIASES = 100
"""Most YAML aliases (``*name``) a file or ``--set`` value may use."""

MAX_ALIAS_NODES = 10_000
"""Most nodes all aliases of a file may stand for once expanded (bounds a "billion laughs" file)."""

MAX_DEPTH = 40
"""Deepest nesting of mappings and lists in an input; the shipped files nest at most 5 deep."""


class InputLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses duplicate keys, an alias budget overrun and deep nesting.

    Each refusal is a :class:`ScenarioError` naming ``file`` and the field path of the offending node. Aliases are
    counted while composing, before any value is built, so a file of nested aliases is refused in microseconds.
    """

    def __init__(self, stream: str, file: str = "") -> None:
        super().__init__(stream)
        self.file = file
        self.path: list[str] = []
        self.aliases = 0
        self.alias_nodes = 0

    def _where(self) -> str:
        return ".".join(self.path)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:  # type: ignore[override]
        """Compose one node, keeping its field path, counting aliases and the nesting depth."""
        if isinstance(parent, yaml.SequenceNode):
            self.path.append(str(index))
        elif isinstance(parent, yaml.MappingNode):
            self.path.append(str(index.value) if isinstance(index, yaml.ScalarNode) else "<key>")
        try:
            if len(self.path) > MAX_DEPTH:
                raise ScenarioError(self.file, self._where(), f"nested more than {MAX_DEPTH} levels deep")
            alias = self.check_event(yaml.AliasEvent)
            if alias:
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    raise ScenarioError(self.file, self._where(), f"more than {MAX_ALIASES} YAML aliases")
                target = self.anchors.get(self.peek_event().anchor)
                if target is not None and not hasattr(target, "expanded"):
                    raise ScenarioError(self.file, self._where(), "a YAML alias inside the node it names")
            node = super().compose_node(parent, index)
            if alias:
                self.alias_nodes += getattr(node, "expanded", 1)
                if self.alias_nodes > MAX_ALIAS_NODES:
                    raise ScenarioError(
                        self.file, self._where(), f"YAML aliases expand to more than {MAX_ALIAS_NODES:,} values"
                    )
            elif isinstance(node, yaml.SequenceNode):
                node.expanded = 1 + sum(c.expanded for c in node.value)  # type: ignore[attr-defined]
            elif isinstance(node, yaml.MappingNode):
                node.expanded = 1 + sum(k.expanded + v.expanded for k, v in node.value)  # type: ignore[attr-defined]
                self._check_duplicates(node)
            else:
                node.expanded = 1  # type: ignore[attr-defined]
            return node
        finally:
            if parent is not None:
                self.path.pop()

    def _check_duplicates(self, node: yaml.MappingNode) -> None:
        seen: dict[tuple[str, str], int] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
                continue
            ident = (key.tag, key.value)
            if ident in seen:
                where = ".".join([*self.path, key.value])
                raise ScenarioError(
                    self.file, where, f"duplicate key '{shorten(key.value)}' (lines {seen[ident]} and"
                    f" {key.start_mark.line + 1}); give each key once"
                )  # fmt: skip
            seen[ident] = key.start_mark.line + 1


def load_yaml_text(text: str, file: str = "") -> Any:
    """Parse YAML text with :class:`InputLoader`; malformed YAML is a :class:`ScenarioError` naming ``file``."""
    loader: InputLoader | None = None
    try:
        loader = InputLoader(text, file)  # the reader refuses NUL and other special characters here
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        if isinstance(exc, yaml.reader.ReaderError):  # a NUL or another special character
            where = f" at character {exc.position + 1} ({exc.character:#x})"
        problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or (str(exc).splitlines() or [""])[0]
        raise ScenarioError(file, _where(loader), f"malformed YAML{where}: {shorten(str(problem))}") from None
    except (ValueError, OverflowError, RecursionError) as exc:  # e.g. an integer of 5,000 digits, a bad date
        raise ScenarioError(file, _where(loader), f"cannot read a value: {show(str(exc))}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _where(loader: InputLoader | None) -> str:
    return loader._where() if loader is not None else ""


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
        return path, f"got {show(first.get('input'))}; allowed: {first['ctx']['expected']}"
    if kind == "value_error":
        msg = msg.removeprefix("Value error, ")
        # validators report their own sub-path first ("segments: ...")
        head, sep, rest = msg.partition(": ")
        if sep and " " not in head:
            path = f"{path}.{head}" if path else head
            msg = rest
        return path, msg
    return path, f"{msg} (got {show(first.get('input'))})"


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
    """Validate plain data as a scenario, raising :class:`ScenarioError` with a field path on failure.

    A city's streets are resolved (:func:`~cogov_sim.scenario.streets.plan_streets`): a street that does not
    validate is refused at its entry's field path, one outside its district's rectangle too. Beyond the schema, a
    scenario that simulates nobody, or whose run would need more memory than
    :data:`~cogov_sim.scenario.size.MAX_RUN_BYTES` (:func:`~cogov_sim.scenario.size.estimated_bytes`), is refused.
    """
    data = expect_mapping(file, data, "scenario")
    if isinstance(data.get("centers"), dict):
        check_keys(file, data["centers"], LEVELS, "centers.", "level")
    scenario = validate_model(Scenario, data, file)
    if scenario.city is not None:
        try:
            cached_plan(scenario)
        except StreetError as err:
            where, message = format_error(err.error)
            raise ScenarioError(file, f"{err.path}.{where}" if where else err.path, message) from None
        except PlaceError as err:
            raise ScenarioError(file, err.path, err.message) from None
    check_size(scenario, file)
    return scenario


def read_yaml(path: str | Path) -> Any:
    """Read a YAML file of at most :data:`MAX_FILE_BYTES` with :class:`InputLoader`.

    Raises:
        ScenarioError: for a missing, unreadable, too large, empty or malformed file, naming it.
    """
    file = str(path)
    try:
        st = os.stat(path)
        if not Path(path).is_file():
            raise ScenarioError(file, "", "not a regular file")
        if st.st_size > MAX_FILE_BYTES:
            raise ScenarioError(file, "", f"the file has {st.st_size:,} bytes; at most {MAX_FILE_BYTES:,} are read")
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError(file, "", "file not found") from None
    except (OSError, ValueError) as exc:  # too long a name, a NUL in it, no permission
        raise ScenarioError(file, "", f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(file, "", f"the file has more than {MAX_FILE_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(file, "", f"cannot read: not UTF-8 text (byte {exc.start})") from None
    data = load_yaml_text(text, file)
    if data is None:
        raise ScenarioError(file, "", "the file is empty")
    return data


def load_scenario(path: str | Path, overrides: list[str] | Mapping[str, Any] | None = None) -> Scenario:
    """Load and validate a scenario file, optionally with ``path.to.key=value`` overrides."""
    data = expect_mapping(str(path), read_yaml(path), "scenario")
    if overrides:
        data = apply_overrides(data, overrides)
    return scenario_from_dict(data, file=str(path))


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``path.to.key=value``; the value is parsed as YAML (numbers, lists, booleans) by :class:`InputLoader`.

    A value that is not valid YAML is kept as text; an alias budget overrun or a duplicate key is refused.
    """
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ScenarioError("--set", shorten(text), "expected path.to.key=value")
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError("--set", key.strip(), f"a value has at most {MAX_FILE_BYTES:,} characters")
    try:
        value = load_yaml_text(raw, "--set")
    except ScenarioError as err:
        if not err.message.startswith("malformed YAML"):
            raise ScenarioError("--set", f"{key.strip()}.{err.path}".rstrip("."), err.message) from None
        value = raw
    return key.strip(), value


def plain_copy(data: Any) -> Any:
    """A copy of plain data: mappings and lists copied all the way down (tuples become lists), other values shared.

    What ``json.loads(json.dumps(data))`` gave for JSON data, without turning keys into strings, failing on dates or
    rendering the whole input.
    """
    if isinstance(data, Mapping):
        return {k: plain_copy(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [plain_copy(v) for v in data]
    return data


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
    out = plain_copy(data)
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
