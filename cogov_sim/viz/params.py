"""The app's scenario controls, generated from the scenario schema and the loaded scenario.

Nothing here repeats a default or a bound: numeric parameters of the organizations and behaviour come from
:func:`cogov_sim.scenario.tunable_fields` (bounds from the schema's ``ge``/``le``); the controls of each center
level from the :class:`~cogov_sim.scenario.CenterLevel` fields (density field, ``functions``, ``open_slots``,
``open_days``, ``mixed_zones``) with their options from ``FUNCTIONS``, ``SLOTS`` and the day kinds; the population
sample from :class:`~cogov_sim.scenario.Population`. A control's starting value is the loaded scenario's value.

Each control addresses one ``path.to.key`` of the scenario; :func:`overrides` turns the values a user changed into
the overrides that :func:`cogov_sim.scenario.load_scenario` applies when the model is rebuilt. Labels come from
:mod:`cogov_sim.i18n` (:func:`control_label`, :func:`section_label`, :func:`option_label`): a control's ``label``
is the English one, the page asks for its language's.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic.fields import FieldInfo

from cogov_sim.i18n import TEXTS, label, text
from cogov_sim.scenario import (
    FUNCTIONS,
    LEVELS,
    SLOTS,
    CenterLevel,
    DayKind,
    Population,
    Scenario,
    get_path,
    tunable_fields,
)

Widget = Literal["int", "float", "bool", "choices"]

DENSITY_FIELDS: tuple[str, ...] = ("count", "per_km2", "per_10k_residents")
"""The CenterLevel fields that say how many centers a level has (a level uses at most one of them)."""

DENSITY_HEADROOM = 3.0
"""Display range of a density slider (up to this many times the scenario's value, at least 10) and of a parameter
without a plausible range (up to this many times its value), within the schema's bound. A display choice, not a
parameter bound: the schema still validates the value."""


@dataclass(frozen=True)
class Control:
    """One control of the app: which scenario field it sets, how it is shown and its current value.

    Attributes:
        path: the field's ``path.to.key`` in the scenario (an override key).
        label: short label.
        widget: ``int``/``float`` (slider), ``bool`` (switch) or ``choices`` (several of ``options``).
        value: the loaded scenario's value (a list for ``choices``).
        lower: smallest value (sliders).
        upper: largest value shown (sliders).
        step: slider step.
        options: the allowed values (``choices``).
        help: the schema's description of the field.
        group: the section the control belongs to.
        plausible: the range the schema calls plausible (None: it declares none); sliders span it.
        allowed: the values the schema accepts (sliders without a plausible range span part of it).
    """

    path: str
    label: str
    widget: Widget
    value: Any
    lower: float = 0.0
    upper: float = 1.0
    step: float = 1.0
    options: tuple[str, ...] = ()
    help: str = ""
    group: str = ""
    plausible: tuple[float, float] | None = None
    allowed: tuple[float, float] | None = None

    def normalize(self, value: Any) -> Any:
        """The value in the form the scenario stores (int, float, bool, or a list in ``options`` order)."""
        if self.widget == "int":
            return round(float(value))
        if self.widget == "float":
            return float(value)
        if self.widget == "bool":
            return bool(value)
        chosen = set(value)
        return [o for o in self.options if o in chosen]


def field_bounds(field: FieldInfo) -> tuple[float | None, float | None, bool]:
    """(lower, upper, lower is exclusive) from a pydantic field's constraints (None: no bound)."""
    lo: float | None = None
    hi: float | None = None
    exclusive = False
    for meta in field.metadata:
        if getattr(meta, "ge", None) is not None:
            lo = meta.ge
        if getattr(meta, "gt", None) is not None:
            lo, exclusive = meta.gt, True
        if getattr(meta, "le", None) is not None:
            hi = meta.le
        if getattr(meta, "lt", None) is not None:
            hi = meta.lt
    return lo, hi, exclusive


def nice_step(lower: float, upper: float, value: float, integer: bool = False) -> float:
    """A slider step: a power of ten near 1/100 of the range, fine enough to hit ``value`` exactly."""
    if integer:
        return 1
    span = max(upper - lower, 1e-9)
    step = 10.0 ** math.floor(math.log10(span / 100))
    for _ in range(4):
        if math.isclose(round(value / step) * step, value, rel_tol=1e-9, abs_tol=1e-12):
            break
        step /= 10
    return step


def control_label(path: str, lang: str = "en") -> str:
    """The label of the control of scenario field ``path`` in ``lang`` (``residential centers``, ``居民区站点数量``)."""
    if f"app.param.{path}" in TEXTS:
        return text(f"app.param.{path}", lang)
    parts = path.split(".")
    if parts[0] == "centers" and len(parts) == 3:
        level, name = label(parts[1], lang, "level"), parts[2]
        if name == "count":
            return text("app.level_centers", lang, level=level)
        if name in DENSITY_FIELDS:
            return text("app.level_density", lang, level=level, field=text(f"app.{name}", lang))
        return text(f"app.{name}", lang)
    if path == "population.sample_fraction":
        return text("app.sample_fraction", lang)
    return label(path, lang, "parameter")


def control_unit(path: str, lang: str = "en") -> str:
    """The unit of the value of scenario field ``path`` in ``lang`` (empty when it has none to say)."""
    key = f"app.unit.{path}"
    return text(key, lang) if key in TEXTS else ""


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() and abs(value) >= 1 else f"{value:g}"


def range_text(control: Control, lang: str = "en") -> str:
    """The range a slider stands in, in words: the plausible one, else the allowed one (empty for a choice)."""
    unit = control_unit(control.path, lang)
    if control.plausible is not None:
        lo, hi = control.plausible
        return _tidy(text("app.range_plausible", lang, lo=_number(lo), hi=_number(hi), unit=unit))
    if control.allowed is not None:
        lo, hi = control.allowed
        return _tidy(text("app.range_allowed", lang, lo=_number(lo), hi=_number(hi), unit=unit))
    return ""


def _tidy(shown: str) -> str:
    """One space between words, none before a full-width bracket (a text whose unit was empty)."""
    return " ".join(shown.split()).replace(" （", "（").replace(" ：", "：")


def value_text(control: Control, value: Any, lang: str = "en") -> str:
    """A slider's label with its value and unit (``walking speed: 80 m/min``)."""
    shown = str(int(value)) if control.widget == "int" else f"{float(value):g}"
    name = control_label(control.path, lang)
    return _tidy(text("app.control_value", lang, name=name, value=shown, unit=control_unit(control.path, lang)))


def display_range(
    value: float, allowed: tuple[float, float], plausible: tuple[float, float] | None
) -> tuple[float, float]:
    """The span of a slider: the plausible range, else part of the allowed one; widened to hold ``value``.

    Without a plausible range the slider ends at :data:`DENSITY_HEADROOM` times the value (1 for a value of 0).
    """
    lo, hi = allowed
    if plausible is not None:
        lo, hi = plausible
    elif value != 0:
        hi = min(hi, DENSITY_HEADROOM * abs(value))
    else:
        hi = min(hi, 1.0)
    return min(lo, value), max(hi, value)


def section_label(section: str, lang: str = "en") -> str:
    """The name of a section of controls (:func:`scenario_controls`' keys) in ``lang``."""
    if section.startswith("centers: "):
        return text("app.section.centers", lang, level=label(section.removeprefix("centers: "), lang, "level"))
    return text(f"app.section.{section}", lang)


OPTION_KINDS = ("function", "level", "slot", "day", "actor", "segment")
"""The kinds of word an option of a choice may be, tried in this order for its label."""


def option_label(value: str, lang: str = "en") -> str:
    """The label of an option of a choice (a function zone, level, slot, kind of day …); English: the value."""
    if lang == "en":
        return str(value)
    for kind in OPTION_KINDS:
        shown = label(str(value), lang, kind)  # type: ignore[arg-type]
        if shown != value:
            return shown
    return str(value)


def _tunable_controls(section: str, group: str) -> list[Control]:
    out = []
    for t in tunable_fields():
        if not t.path.startswith(section + "."):
            continue
        integer = t.kind is int
        lo, hi = display_range(t.default, (t.lower, t.upper), t.plausible)
        out.append(
            Control(
                path=t.path,
                label=control_label(t.path),
                widget="int" if integer else "float",
                value=t.default,
                lower=lo,
                upper=hi,
                step=nice_step(lo, hi, t.default, integer),
                help=t.description,
                group=group,
                plausible=t.plausible,
                allowed=(t.lower, t.upper),
            )
        )
    return out


def _density_control(scenario: Scenario, level: str, group: str) -> Control | None:
    spec = scenario.centers.get(level)  # type: ignore[call-overload]
    if spec is not None and spec.placement == "explicit":
        return None  # explicit sites: the count is the number of sites
    name = "count"
    if spec is not None:
        name = next((f for f in DENSITY_FIELDS if getattr(spec, f) is not None), "count")
    field = CenterLevel.model_fields[name]
    lo, hi, _ = field_bounds(field)
    integer = name == "count"
    value = getattr(spec, name) if spec is not None and getattr(spec, name) is not None else 0
    lo = 0.0 if lo is None else lo
    shown = max(10.0, DENSITY_HEADROOM * float(value))
    upper = min(hi, shown) if hi is not None else shown
    return Control(
        path=f"centers.{level}.{name}",
        label=control_label(f"centers.{level}.{name}"),
        widget="int" if integer else "float",
        value=int(value) if integer else float(value),
        lower=lo,
        upper=float(math.ceil(upper)),
        step=nice_step(lo, upper, float(value), integer),
        help=field.description or "",
        group=group,
        allowed=(lo, hi if hi is not None else math.inf),
    )


def level_controls(scenario: Scenario, level: str) -> list[Control]:
    """Density, function zones, opening slots and days, and shared mixed zones of one center level.

    A level the scenario does not have starts at density 0 with the schema's defaults for the rest; a level
    placed at explicit sites has no density control (its count is the number of sites).
    """
    group = f"centers: {level}"
    spec = scenario.centers.get(level)  # type: ignore[call-overload]
    fields = CenterLevel.model_fields

    def current(name: str) -> Any:
        return getattr(spec, name) if spec is not None else fields[name].default

    out = []
    density = _density_control(scenario, level, group)
    if density is not None:
        out.append(density)
    choices = (
        ("functions", FUNCTIONS),
        ("open_slots", SLOTS),
        ("open_days", typing.get_args(DayKind)),
    )
    for name, options in choices:
        out.append(
            Control(
                path=f"centers.{level}.{name}",
                label=control_label(f"centers.{level}.{name}"),
                widget="choices",
                value=[o for o in options if o in current(name)],
                options=tuple(options),
                help=fields[name].description or "",
                group=group,
            )
        )
    out.append(
        Control(
            path=f"centers.{level}.mixed_zones",
            label=control_label(f"centers.{level}.mixed_zones"),
            widget="bool",
            value=bool(current("mixed_zones")),
            help=fields["mixed_zones"].description or "",
            group=group,
        )
    )
    return out


def population_controls(scenario: Scenario) -> list[Control]:
    """The population sample (share of people simulated): lower it to explore a large place quickly."""
    field = Population.model_fields["sample_fraction"]
    lo, hi, exclusive = field_bounds(field)
    step = nice_step(lo or 0.0, hi or 1.0, scenario.population.sample_fraction)
    lower = (lo or 0.0) + (step if exclusive else 0.0)
    return [
        Control(
            path="population.sample_fraction",
            label=control_label("population.sample_fraction"),
            widget="float",
            value=float(scenario.population.sample_fraction),
            lower=lower,
            upper=hi if hi is not None else 1.0,
            step=step,
            help=field.description or "",
            group="population",
            allowed=(lower, hi if hi is not None else 1.0),
        )
    ]


def scenario_controls(scenario: Scenario) -> dict[str, list[Control]]:
    """Every control, by section: one per center level, organizations, population, behaviour.

    Values are those of ``scenario``; organizations and behaviour values that the scenario sets differently from
    the schema default start at the scenario's value.
    """
    data = scenario.to_dict()
    sections: dict[str, list[Control]] = {}
    for level in LEVELS:
        sections[f"centers: {level}"] = level_controls(scenario, level)
    sections["organizations"] = _tunable_controls("organizations", "organizations")
    sections["population"] = population_controls(scenario)
    sections["behaviour"] = _tunable_controls("behaviour", "behaviour")
    for name in ("organizations", "behaviour"):
        sections[name] = [_with_value(c, get_path(data, c.path)) for c in sections[name]]
    return sections


def _with_value(control: Control, value: Any) -> Control:
    value = control.normalize(value)
    allowed = control.allowed or (control.lower, control.upper)
    lower, upper = display_range(float(value), allowed, control.plausible)
    step = nice_step(lower, upper, float(value), control.widget == "int")
    return Control(**{**control.__dict__, "value": value, "lower": lower, "upper": upper, "step": step})


def all_controls(sections: dict[str, list[Control]]) -> dict[str, Control]:
    """The controls of every section by path."""
    return {c.path: c for group in sections.values() for c in group}


def overrides(controls: dict[str, Control], values: dict[str, Any]) -> dict[str, Any]:
    """The ``path -> value`` overrides for the values that differ from the loaded scenario's.

    Args:
        controls: controls by path.
        values: the values the user set, by path (paths without a control are ignored).
    """
    out: dict[str, Any] = {}
    for path, value in values.items():
        control = controls.get(path)
        if control is None:
            continue
        value = control.normalize(value)
        if value != control.value:
            out[path] = value
    return out


def describe(changes: dict[str, Any]) -> Iterable[str]:
    """Readable lines for pending overrides (``path = value``)."""
    for path, value in changes.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        yield f"{path} = {shown}"
