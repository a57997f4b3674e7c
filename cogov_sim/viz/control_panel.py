"""The sidebar's cards: what runs, how it runs, and what comes out of it.

The language of the page, the scenario picker and seed, the run controls (step, play/pause, reset, render interval),
the parameters generated from the scenario schema (applied on Reset), the view settings (how the map is drawn) and
the exports (the time series with its provenance, the map, the session as a what-if file). Every text comes from
:mod:`cogov_sim.i18n` in the page's language (``state.lang``).
"""

# ruff: noqa: N802 - Solara components are named like classes (ScenarioCard, RunCard ...), as Solara expects

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import solara

from cogov_sim.i18n import LANG_NAMES, LANGS, text
from cogov_sim.scenario.base import in_lang
from cogov_sim.viz.params import Control, control_label, describe, option_label, range_text, section_label, value_text
from cogov_sim.viz.state import SPEEDS, State

MAX_RENDER_INTERVAL = 30
"""Largest render interval offered (days per frame)."""

MAX_REPLICATIONS = 10_000
"""Most replications a what-if file may ask for (the file's own bound)."""

SAMPLE_CHOICES = (500, 1000, 2000, 4000, 8000)
"""Residents drawn on the map, offered in the view settings."""


def _control_class(path: str) -> str:
    return "cogov-ctl-" + path.replace(".", "-").replace("_", "-")


def choice_input(label: str, value: list[str], options: Sequence[str], on_value: Callable[[Any], None], lang: str,
                 toggles: bool = False) -> None:  # fmt: skip
    """Several of ``options`` chosen, shown by their labels in ``lang`` (the values set are the options' names)."""
    names = {option_label(o, lang): o for o in options}
    shown = [option_label(v, lang) for v in value]

    def set_value(chosen: list[str]) -> None:
        on_value([names[c] for c in chosen])

    if toggles:
        solara.ToggleButtonsMultiple(value=shown, values=list(names), on_value=set_value, dense=True)
    else:
        solara.SelectMultiple(label, values=shown, all_values=list(names), on_value=set_value, dense=True)


@solara.component
def ControlInput(control: Control, value: Any, on_value: Callable[[Any], None], lang: str = "en"):
    """One scenario control: a slider, a switch or a choice of several, with the description on hover.

    A slider's label says its value and unit, the line under it the plausible range (or the allowed one).
    """
    name = control_label(control.path, lang)
    label = name
    if control.widget in ("int", "float"):
        label = value_text(control, value, lang)
    with solara.Div(classes=["cogov-control", _control_class(control.path)]):
        with solara.Tooltip(control.help or name):
            solara.Text(label, classes=["cogov-control-label"])
        if control.widget == "int":
            solara.SliderInt("", value=int(value), min=int(control.lower), max=int(control.upper),
                             step=max(int(control.step), 1), on_value=on_value)  # fmt: skip
        elif control.widget == "float":
            solara.SliderFloat("", value=float(value), min=control.lower, max=control.upper, step=control.step,
                               on_value=on_value)  # fmt: skip
        if control.widget in ("int", "float") and (shown := range_text(control, lang)):
            solara.Text(shown, classes=["cogov-help", "cogov-range"])
        elif control.widget == "bool":
            solara.Switch(label=text("app.on" if value else "app.off", lang), value=bool(value), on_value=on_value)
        else:
            choice_input("", list(value), control.options, on_value, lang, toggles=len(control.options) <= 4)


@solara.component
def LanguageCard(state: State):
    """The page's language: English or Chinese (the views are drawn again in it)."""
    lang = state.lang.value
    names = {LANG_NAMES[code]: code for code in LANGS}
    with solara.Row(gap="8px", style={"align-items": "center"}, classes=["cogov-panel", "cogov-lang"]):
        solara.Text(text("app.language", lang), classes=["cogov-control-label"])
        solara.ToggleButtonsSingle(value=LANG_NAMES[lang], values=list(names),
                                   on_value=lambda name: state.set_lang(names[name]), dense=True)  # fmt: skip


@solara.component
def ScenarioCard(state: State):
    """Scenario picker (the shipped files and those named on the command line) and the run seed."""
    state.run.value  # noqa: B018 - re-render after a build (the description)
    base = state.session.base
    lang = state.lang.value

    def pick(name: str) -> None:
        state.scenario.set(name)
        state.values.set({})
        state.rebuild(name, {}, state.seed.value)

    with solara.Card(text("app.scenario", lang), margin=0, classes=["cogov-panel"]):
        solara.Select(text("app.scenario.pick", lang), values=state.catalog.names, value=state.scenario.value,
                      on_value=pick, disabled=state.building.value, classes=["cogov-scenario"])  # fmt: skip
        if base is not None:
            solara.Text(in_lang(base.description, lang) or base.name, classes=["cogov-help"])
        solara.InputInt(text("app.seed", lang), value=state.seed.value, on_value=lambda s: state.seed.set(max(s, 0)),
                        classes=["cogov-seed"])  # fmt: skip


@solara.component
def RunCard(state: State):
    """Step, Play/Pause, Reset and the render interval; lists the changes that Reset will apply."""
    playing, building = state.playing.value, state.building.value
    session = state.session
    lang = state.lang.value
    state.run.value  # noqa: B018 - re-render after a build (pending changes)

    def step() -> None:
        try:
            state.publish(session.advance(state.interval.value), day_only=True)
        except Exception as err:  # shown in the page, not lost in a log
            state.error.set(text("app.step_failed", lang, error=err))

    def reset() -> None:
        state.rebuild(state.scenario.value, state.pending(), state.seed.value)

    changes = state.pending() if session.model is not None else {}
    with solara.Card(text("app.run", lang), margin=0, classes=["cogov-panel"]):
        with solara.Row(gap="6px"):
            solara.Button(text("app.step", lang), on_click=step, disabled=playing or building or session.model is None,
                          color="primary", classes=["cogov-step"])  # fmt: skip
            solara.Button(text("app.pause" if playing else "app.play", lang),
                          on_click=lambda: state.playing.set(not playing),
                          disabled=building or session.model is None, color="primary",
                          classes=["cogov-play"])  # fmt: skip
            solara.Button(text("app.reset", lang), on_click=reset, disabled=building, classes=["cogov-reset"])
        speeds = {text(f"app.speed.{k}", lang): k for k in SPEEDS}
        solara.Text(text("app.speed", lang), classes=["cogov-control-label"])
        solara.ToggleButtonsSingle(value=text(f"app.speed.{state.speed.value}", lang), values=list(speeds),
                                   on_value=lambda name: state.speed.set(speeds[name]), dense=True,
                                   classes=["cogov-speed"])  # fmt: skip
        solara.Text(text("app.interval", lang, days=state.interval.value), classes=["cogov-control-label"])
        solara.SliderInt("", value=state.interval.value, min=1, max=MAX_RENDER_INTERVAL, on_value=state.interval.set)
        solara.Text(text("app.interval.help", lang), classes=["cogov-help"])
        if changes != session.changes or state.seed.value != session.seed:
            lines = list(describe(changes))
            if state.seed.value != session.seed:
                lines.append(f"seed = {state.seed.value}")
            solara.Text(text("app.reset_applies", lang) + ("; ".join(lines) or text("app.as_shipped", lang)),
                        classes=["cogov-help", "cogov-pending"])  # fmt: skip
        elif session.changes:
            solara.Text(text("app.running_with", lang) + "; ".join(describe(session.changes)), classes=["cogov-help"])


@solara.component
def ParametersCard(state: State):
    """The scenario's parameters, one section at a time, generated from the schema."""
    state.run.value  # noqa: B018 - re-render after a build (controls of the new scenario)
    sections = state.session.sections
    section = solara.use_reactive("centers: residential")
    if not sections:
        return
    current = section.value if section.value in sections else next(iter(sections))
    values = state.values.value
    lang = state.lang.value
    names = {section_label(key, lang): key for key in sections}

    def setter(path: str) -> Callable[[Any], None]:
        def set_value(value: Any) -> None:
            state.values.set({**state.values.value, path: value})

        return set_value

    with solara.Card(text("app.parameters", lang), margin=0, classes=["cogov-panel"]):
        solara.Select(text("app.section", lang), values=list(names), value=section_label(current, lang),
                      on_value=lambda name: section.set(names[name]), classes=["cogov-section"])  # fmt: skip
        for control in sections[current]:
            ControlInput(control, values.get(control.path, control.value), setter(control.path), lang)


@solara.component
def ViewCard(state: State):
    """How the map is drawn: residents drawn and catchment shading (no effect on the model)."""
    session = state.session
    lang = state.lang.value
    sample, set_sample = solara.use_state(session.sample)
    shade, set_shade = solara.use_state(session.catchments)

    def on_sample(value: int) -> None:
        set_sample(value)
        session.sample = int(value)
        state.redraw()

    def on_shade(value: bool) -> None:
        set_shade(value)
        session.catchments = bool(value)
        state.redraw()

    with solara.Card(text("app.view", lang), margin=0, classes=["cogov-panel"]):
        solara.Select(text("app.sample", lang), values=list(SAMPLE_CHOICES), value=sample, on_value=on_sample)
        solara.Switch(label=text("app.shade", lang), value=shade, on_value=on_shade)


@solara.component
def ExportCard(state: State):
    """Downloads of the run so far: time series (CSV), map (PNG) and the session as a what-if file (YAML).

    The time series holds both runs once a what-if was applied, after its metadata; the what-if file reruns the
    session with replications (``cogov whatif``).
    """
    frame = state.frame.value
    session = state.session
    lang = state.lang.value
    replications, set_replications = solara.use_state(session.replications)

    def on_replications(n: int | None) -> None:
        session.replications = min(max(int(n or 1), 1), MAX_REPLICATIONS)
        set_replications(session.replications)

    with solara.Card(text("app.export", lang), margin=0, classes=["cogov-panel"]):
        if frame is None:
            solara.Text(text("app.nothing_yet", lang), classes=["cogov-help"])
            return
        with solara.Column(gap="4px"):
            solara.FileDownload(session.timeseries_csv, filename=session.export_name("timeseries.csv"),
                                label=text("app.csv", lang), mime_type="text/csv")  # fmt: skip
            solara.FileDownload(session.map_png, filename=session.export_name("map.png"), label=text("app.png", lang),
                                mime_type="image/png")  # fmt: skip
            if frame.applied:
                solara.InputInt(text("app.replications", lang), value=replications, dense=True,
                                on_value=on_replications, continuous_update=True,
                                classes=["cogov-replications"])  # fmt: skip
                solara.FileDownload(session.whatif_yaml, filename=session.export_name("whatif.yaml"),
                                    label=text("app.whatif_file", lang, replications=replications),
                                    mime_type="application/yaml")  # fmt: skip
            else:
                solara.Text(text("app.whatif_file.help", lang), classes=["cogov-help"])
