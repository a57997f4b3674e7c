"""The what-if panel: a form generated from the intervention registry, applied to the running model now.

The form's values are kept per intervention in the page state; a place chosen on the map (or typed in) is the
form's ``sites`` input and is marked on the map. Labels are in the page's language (``state.lang``).
"""

# ruff: noqa: N802 - Solara components are named like classes (WhatIfPanel, FormInput), as Solara expects

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara

from cogov_sim.i18n import text
from cogov_sim.interventions import REGISTRY
from cogov_sim.scenario import ScenarioError
from cogov_sim.viz import whatif
from cogov_sim.viz.control_panel import choice_input
from cogov_sim.viz.params import option_label
from cogov_sim.viz.state import State

APPLIED = "applied"
"""The what-if panel's message after a what-if was applied: its confirmation, said in the page's language."""


def message_text(state: State, lang: str) -> str:
    """The panel's message: the last what-if applied in words (day, from when it acts, the twin run), or an error."""
    session = state.session
    if state.message.value != APPLIED or not session.applied:
        return state.message.value
    last = session.applied[-1]
    twin = session.twin.start_day if session.twin is not None else last.day
    return text("app.applied_words", lang, day=last.day, whatif=last.words(lang), next=last.day + 1, twin=twin)


def form_values(state: State, kind: str) -> dict[str, Any]:
    """The what-if form's values: those set so far, else the defaults (a new station at the middle of the map)."""
    values = state.forms.value.get(kind)
    if values is not None:
        return values
    values = whatif.defaults(kind)
    middle = state.session.middle
    for item in whatif.form(kind):
        if item.kind == "site" and middle is not None:
            values[item.name] = middle
    return values


def sync_place(state: State, kind: str, values: dict[str, Any]) -> None:
    """Mark the form's chosen place on the map (or clear the mark)."""
    place = whatif.place_of(kind, values)
    if place != state.session.place:
        state.session.place = place
        state.redraw()


def set_form_value(state: State, kind: str, name: str, value: Any) -> None:
    """Set one input of the form of ``kind`` (and mark its place on the map)."""
    form = {**form_values(state, kind), name: value}
    state.forms.set({**state.forms.value, kind: form})
    sync_place(state, kind, form)


def choose_place(state: State, place: tuple[int, int]) -> None:
    """A place clicked on the map: the form's place (the form switches to adding centers if it has none)."""
    kind = state.kind.value
    if not any(i.kind == "site" for i in whatif.form(kind)):
        kind = "add_centers"
        state.kind.set(kind)
    set_form_value(state, kind, "sites", place)


@solara.component
def FormInput(
    item: whatif.Input,
    value: Any,
    on_value: Callable[[Any], None],
    areas: int,
    middle: tuple[float, float] = (0.0, 0.0),
    lang: str = "en",
):
    """One input of a what-if form (``areas``: residential areas of the place; ``middle``: its centre, m)."""
    label = whatif.input_label(item, lang)
    with (
        solara.Tooltip(whatif.input_hint(item, lang) or label),
        solara.Div(classes=["cogov-whatif-input", f"cogov-wi-{item.name.replace('_', '-')}"]),
    ):
        if item.kind == "choice":
            names = {option_label(o, lang): o for o in item.options}
            solara.Select(label, values=list(names), value=None if value is None else option_label(value, lang),
                          on_value=lambda v: on_value(names[v]), dense=True)  # fmt: skip
        elif item.kind == "choices":
            choice_input(label, list(value or []), item.options, on_value, lang)
        elif item.kind == "areas":
            names = {text("map.area", lang, k=k + 1): k for k in range(areas)}
            shown = [text("map.area", lang, k=k + 1) for k in value or []]
            solara.SelectMultiple(label + text("app.areas_all", lang), values=shown, all_values=list(names),
                                  dense=True, on_value=lambda v: on_value(sorted(names[s] for s in v)))  # fmt: skip
        elif item.kind == "int":
            solara.InputInt(label, value=int(value), on_value=on_value, dense=True, continuous_update=True)
        elif item.kind == "float":
            solara.InputFloat(label, value=float(value), on_value=on_value, dense=True, continuous_update=True)
        elif item.kind in ("optional_int", "lasts"):
            solara.InputInt(label, value=value, on_value=on_value, optional=True, dense=True, continuous_update=True)
        elif item.kind == "optional_float":
            solara.InputFloat(label, value=value, on_value=on_value, optional=True, dense=True,
                              continuous_update=True)  # fmt: skip
        elif item.kind == "bool":
            solara.Switch(label=label, value=bool(value), on_value=on_value)
        elif item.kind == "site":
            _site_input(value, on_value, middle, lang)
        else:
            solara.InputText(label, value=str(value or ""), on_value=on_value, dense=True, continuous_update=True)


def _site_input(
    value: tuple[float, float] | None, on_value: Callable[[Any], None], middle: tuple[float, float], lang: str
) -> None:
    def toggle(on: bool) -> None:
        on_value((value or middle) if on else None)

    solara.Switch(label=text("app.at_place", lang), value=value is not None, on_value=toggle)
    if value is not None:
        with solara.Row(gap="6px"):
            solara.InputFloat("x (m)", value=float(value[0]), on_value=lambda x: on_value((x, value[1])), dense=True,
                              continuous_update=True, classes=["cogov-site-x"])  # fmt: skip
            solara.InputFloat("y (m)", value=float(value[1]), on_value=lambda y: on_value((value[0], y)), dense=True,
                              continuous_update=True, classes=["cogov-site-y"])  # fmt: skip


@solara.component
def WhatIfPanel(state: State):
    """Apply an intervention to the running model now; its effect starts the next day."""
    session = state.session
    state.run.value  # noqa: B018 - re-render after a build (areas of the new place)
    kind = state.kind.value
    lang = state.lang.value
    values = form_values(state, kind)
    areas = session.areas
    middle = session.middle or (0, 0)

    site = whatif.place_of(kind, values)
    solara.use_effect(lambda: sync_place(state, kind, values), [kind, site, state.run.value])

    def choose(new_kind: str) -> None:
        state.kind.set(new_kind)
        sync_place(state, new_kind, form_values(state, new_kind))

    def setter(name: str) -> Callable[[Any], None]:
        def set_value(value: Any) -> None:
            set_form_value(state, kind, name, value)

        return set_value

    def apply() -> None:
        try:
            session.apply(kind, values)
        except ScenarioError as err:
            state.message.set(text("app.not_applied", lang, error=err))
            return
        state.message.set(APPLIED)
        state.redraw()

    kinds = {whatif.kind_name(k, lang): k for k in whatif.kinds()}
    with solara.Card(text("app.whatif", lang), margin=0, classes=["cogov-panel", "cogov-whatif"],
                     style={"width": "380px"}):  # fmt: skip
        # the choice, the button and its confirmation first: on screen above the form, which scrolls in its box
        solara.Select(text("app.intervention", lang), values=list(kinds), value=whatif.kind_name(kind, lang),
                      on_value=lambda v: choose(kinds[v]), classes=["cogov-kind"])  # fmt: skip
        solara.Text(whatif.describe_kind(REGISTRY[kind], lang), classes=["cogov-help"])
        solara.Button(text("app.apply", lang), on_click=apply, color="primary", classes=["cogov-apply"],
                      disabled=session.model is None or state.building.value)  # fmt: skip
        if state.message.value:
            solara.Text(message_text(state, lang), classes=["cogov-help", "cogov-whatif-message"])
        with solara.Div(classes=["cogov-whatif-form"]):
            for item in whatif.form(kind):
                if site is not None and item.name in whatif.REPLACED_BY_SITES:
                    continue  # the chosen place decides where (and how many: one)
                FormInput(item, values.get(item.name), setter(item.name), areas, middle, lang)
