"""What-if forms generated from the intervention registry, and the interventions they build.

Every class in :data:`cogov_sim.interventions.REGISTRY` gets a form whose inputs follow its pydantic fields: a
choice for a ``Literal``, several choices for a tuple of literals, numbers with the field's bounds, a switch, a text,
residential areas by their map label (``RA1`` is area 0), a place (x, y in metres; a click on the map sets it) for
``sites``, and "lasts (days)" for an ``end_day``. ``start_day`` is not asked: the app applies an intervention now
(:meth:`cogov_sim.model.CoGovModel.apply_now`). New interventions appear in the app without a change here.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from cogov_sim.i18n import TEXTS, label, text
from cogov_sim.interventions import REGISTRY, Intervention, make_intervention
from cogov_sim.scenario import ScenarioError, Site
from cogov_sim.viz.params import field_bounds, option_label

InputKind = Literal["choice", "choices", "int", "float", "optional_int", "optional_float", "bool", "text", "ints",
                    "areas", "pair", "site", "lasts"]  # fmt: skip

HIDDEN = frozenset({"kind", "start_day"})
"""Fields the app sets itself: the kind is the form, and the intervention starts now."""

REPLACED_BY_SITES = frozenset({"count", "placement", "areas"})
"""Inputs that do not apply while a place is chosen (explicit ``sites`` decide where centers open, one per site)."""


@dataclass(frozen=True)
class Input:
    """One input of a what-if form.

    Attributes:
        name: the intervention field it sets (``end_day`` for ``lasts``).
        label: short label.
        kind: how it is shown and parsed (see :data:`InputKind`).
        default: the field's default in the form's value format (None when the field is required).
        options: allowed values of a choice.
        lower: smallest number allowed (None: no bound).
        upper: largest number allowed (None: no bound).
        help: the field's description.
        required: the field has no default.
    """

    name: str
    label: str
    kind: InputKind
    default: Any
    options: tuple[str, ...] = ()
    lower: float | None = None
    upper: float | None = None
    help: str = ""
    required: bool = False


def input_label(item: Input, lang: str = "en") -> str:
    """The label of a form input in ``lang`` (``label`` holds the English one)."""
    if item.kind == "lasts":
        return text("app.lasts", lang)
    if item.kind == "site":
        return text("app.chosen_place", lang)
    if item.kind == "areas":
        return text("app.residential_areas", lang)
    return label(item.name, lang, "field")


def input_hint(item: Input, lang: str = "en") -> str:
    """What an input's tooltip says: the field's description, or for areas and centers how the map shows them.

    Residential areas are labelled RA1, RA2 … on the map and centers by the number the Inspect tab shows, so
    their tooltips do not speak of 0-based indices.
    """
    if item.kind == "areas":
        return text("app.areas.help", lang)
    if item.kind == "ints" and item.name == "centers":
        return text("app.centers.help", lang)
    return item.help


def describe_kind(cls: type[Intervention], lang: str = "en") -> str:
    """One-line description of an intervention class in ``lang``.

    The catalogue's, else the class's ``description`` or its docstring's first line.
    """
    key = f"app.iv_help.{cls.model_fields['kind'].default}"
    if key in TEXTS:
        return text(key, lang)
    shown = cls.description or (cls.__doc__ or "").strip().split("\n\n")[0]
    return " ".join(shown.replace("``", "").split())


def kind_name(kind: str, lang: str = "en") -> str:
    """An intervention's name in words (``open new centers``, ``新增中心``); the registry name if it has none."""
    key = f"app.iv.{kind}"
    return text(key, lang) if key in TEXTS else label(kind, lang, "intervention")


def in_words(kind: str, data: dict[str, Any], lang: str = "en") -> str:
    """An applied what-if in words: its name and the inputs that differ from the form's defaults.

    ``data`` is the intervention as plain data (:func:`to_data`, or a model dump); residential areas are named as
    on the map (``RA1``), a place in metres, a duration in days.
    """
    parts = []
    fields = REGISTRY[kind].model_fields
    placed = bool(data.get("sites"))
    for item in form(kind):
        if placed and item.name in REPLACED_BY_SITES:
            continue
        if item.kind == "lasts":
            end = data.get("end_day")
            if end is not None:
                parts.append(text("app.words.lasts", lang, days=int(end) - int(data.get("start_day", 1)) + 1))
            continue
        default = fields[item.name].default
        value = data.get(item.name, default)
        if item.kind == "site":
            value = [(s["x_m"], s["y_m"]) if isinstance(s, dict) else tuple(s) for s in value or ()]
            if not value:
                continue
            parts.append(", ".join(text("app.words.place", lang, x=round(x), y=round(y)) for x, y in value))
            continue
        elif _same(value, default) or value in (None, "", []):
            continue
        elif item.kind == "areas":
            shown = ", ".join(text("map.area", lang, k=int(k) + 1) for k in value)
        elif item.kind in ("choices", "choice"):
            values = value if isinstance(value, list | tuple) else [value]
            shown = ", ".join(option_label(str(v), lang) for v in values)
        elif item.kind == "bool":
            shown = text("app.on" if value else "app.off", lang)
        elif isinstance(value, list | tuple):
            shown = ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
        else:
            shown = f"{value:g}" if isinstance(value, float) else str(value)
        parts.append(f"{input_label(item, lang)} {shown}")
    name = kind_name(kind, lang)
    return text("app.words.whatif", lang, name=name, details="; ".join(parts)) if parts else name


def _same(value: Any, default: Any) -> bool:
    norm = [list(v) if isinstance(v, list | tuple) else v for v in (value, default)]
    return norm[0] == norm[1]


def _literal_options(tp: Any) -> tuple[str, ...] | None:
    if typing.get_origin(tp) is Literal:
        return tuple(str(a) for a in typing.get_args(tp))
    return None


def _input(name: str, field: FieldInfo) -> Input | None:
    """The input for one field, or None for a field type the app does not offer (its default is used)."""
    tp = field.annotation
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    required = field.is_required()
    default = None if field.default is PydanticUndefined else field.default
    lo, hi, _ = field_bounds(field)
    common = {"name": name, "label": label(name, kind="field"), "help": field.description or "", "required": required}
    if name == "end_day":
        return Input(**{**common, "label": text("app.lasts")}, kind="lasts", default=None, lower=1)
    if (opts := _literal_options(tp)) is not None:
        return Input(**common, kind="choice", default=default, options=opts)
    if origin in (types.UnionType, typing.Union) and type(None) in args:
        inner = next(a for a in args if a is not type(None))
        if inner in (int, float):
            kind = "optional_int" if inner is int else "optional_float"
            return Input(**common, kind=kind, default=default, lower=lo, upper=hi)
        return None
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = args[0]
            if (opts := _literal_options(item)) is not None:
                return Input(**common, kind="choices", default=list(default or ()), options=opts)
            if item is Site:
                return Input(**{**common, "label": text("app.chosen_place")}, kind="site", default=None)
            if item is int and name == "areas":
                return Input(**{**common, "label": text("app.residential_areas")}, kind="areas",
                             default=list(default or ()))  # fmt: skip
            if item is int:
                return Input(**common, kind="ints", default=", ".join(str(v) for v in default or ()))
            return None
        if len(args) == 2 and all(a in (int, float) for a in args):
            return Input(**common, kind="pair", default=", ".join(f"{v:g}" for v in default or ()))
        return None
    if tp is bool:
        return Input(**common, kind="bool", default=bool(default))
    if tp is int:
        return Input(**common, kind="int", default=default, lower=lo, upper=hi)
    if tp is float:
        return Input(**common, kind="float", default=default, lower=lo, upper=hi)
    if tp is str:
        return Input(**common, kind="text", default=default or "")
    return None


def form(kind: str) -> list[Input]:
    """The inputs of the form of intervention ``kind`` (KeyError for a kind not in the registry)."""
    cls: type[BaseModel] = REGISTRY[kind]
    out = []
    for name, field in cls.model_fields.items():
        if name in HIDDEN:
            continue
        item = _input(name, field)
        if item is not None:
            out.append(item)
    return sorted(out, key=lambda i: i.kind == "lasts")  # how long it lasts comes last


def defaults(kind: str) -> dict[str, Any]:
    """The starting values of a form."""
    return {i.name: i.default for i in form(kind)}


def place_of(kind: str, values: dict[str, Any]) -> tuple[float, float] | None:
    """The place chosen in a form's values (its ``site`` input), or None: none chosen, or the form has no place."""
    return next((values.get(i.name) for i in form(kind) if i.kind == "site"), None)


def kinds() -> list[str]:
    """The interventions the registry offers, in registry order."""
    return list(REGISTRY)


def _parse_numbers(text: str, field: str, cast: type) -> list[Any]:
    parts = [p.strip() for p in str(text).replace(";", ",").split(",") if p.strip()]
    try:
        return [cast(p) for p in parts]
    except ValueError:
        raise ScenarioError("what-if", field, f"expected numbers separated by commas, got {text!r}") from None


def to_data(kind: str, values: dict[str, Any], start_day: int) -> dict[str, Any]:
    """Plain intervention data (as in an experiment file) from form values.

    Args:
        kind: the intervention's registry name.
        values: form values by input name (missing ones take the form's defaults).
        start_day: the first day the intervention is in effect (the day after the current one).

    Raises:
        ScenarioError: a value cannot be read (the field path names the input).
    """
    data: dict[str, Any] = {"kind": kind, "start_day": int(start_day)}
    for item in form(kind):
        value = values.get(item.name, item.default)
        if item.kind == "lasts":
            if value not in (None, ""):
                days = int(value)
                if days < 1:
                    raise ScenarioError("what-if", "lasts", "must be at least 1 day")
                data["end_day"] = int(start_day) + days - 1
        elif item.kind == "site":
            if value is not None:
                x, y = value
                data[item.name] = [{"x_m": float(x), "y_m": float(y)}]
        elif item.kind == "ints":
            data[item.name] = _parse_numbers(value, item.name, int)
        elif item.kind == "pair":
            data[item.name] = _parse_numbers(value, item.name, float)
        elif item.kind in ("optional_int", "optional_float"):
            if value not in (None, ""):
                data[item.name] = value
        elif item.kind in ("choices", "areas"):
            data[item.name] = list(value or [])
        elif value is not None:
            data[item.name] = value
    return data


def build(kind: str, values: dict[str, Any], start_day: int) -> Intervention:
    """The intervention of a filled form (ScenarioError naming the field on bad input)."""
    return make_intervention(to_data(kind, values, start_day), file="what-if")
