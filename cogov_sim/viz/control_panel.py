"""The sidebar's cards: what runs, how it runs, and what comes out of it.

The scenario picker and seed, the run controls (step, play/pause, reset, render interval), the parameters generated
from the scenario schema (applied on Reset), the view settings (how the map is drawn) and the exports.
"""

# ruff: noqa: N802 - Solara components are named like classes (ScenarioCard, RunCard ...), as Solara expects

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara

from cogov_sim.viz.params import Control, describe
from cogov_sim.viz.state import State

MAX_RENDER_INTERVAL = 30
"""Largest render interval offered (days per frame)."""

SAMPLE_CHOICES = (500, 1000, 2000, 4000, 8000)
"""Residents drawn on the map, offered in the view settings."""


def _control_class(path: str) -> str:
    return "cogov-ctl-" + path.replace(".", "-").replace("_", "-")


@solara.component
def ControlInput(control: Control, value: Any, on_value: Callable[[Any], None]):
    """One scenario control: a slider, a switch or a choice of several, with the schema's description on hover."""
    label = control.label
    if control.widget == "int":
        label = f"{control.label}: {int(value)}"
    elif control.widget == "float":
        label = f"{control.label}: {float(value):g}"
    with solara.Div(classes=["cogov-control", _control_class(control.path)]):
        with solara.Tooltip(control.help or control.label):
            solara.Text(label, classes=["cogov-control-label"])
        if control.widget == "int":
            solara.SliderInt("", value=int(value), min=int(control.lower), max=int(control.upper),
                             step=max(int(control.step), 1), on_value=on_value)  # fmt: skip
        elif control.widget == "float":
            solara.SliderFloat("", value=float(value), min=control.lower, max=control.upper, step=control.step,
                               on_value=on_value)  # fmt: skip
        elif control.widget == "bool":
            solara.Switch(label="on" if value else "off", value=bool(value), on_value=on_value)
        elif len(control.options) <= 4:
            solara.ToggleButtonsMultiple(value=list(value), values=list(control.options), on_value=on_value, dense=True)
        else:
            solara.SelectMultiple("", values=list(value), all_values=list(control.options), on_value=on_value,
                                  dense=True)  # fmt: skip


@solara.component
def ScenarioCard(state: State):
    """Scenario picker (the shipped files and those named on the command line) and the run seed."""
    state.run.value  # noqa: B018 - re-render after a build (the description)
    base = state.session.base

    def pick(name: str) -> None:
        state.scenario.set(name)
        state.values.set({})
        state.rebuild(name, {}, state.seed.value)

    with solara.Card("Scenario", margin=0, classes=["cogov-panel"]):
        solara.Select("scenario", values=state.catalog.names, value=state.scenario.value, on_value=pick,
                      disabled=state.building.value, classes=["cogov-scenario"])  # fmt: skip
        if base is not None:
            solara.Text(base.description or base.name, classes=["cogov-help"])
        solara.InputInt("seed (applied on Reset)", value=state.seed.value, on_value=lambda s: state.seed.set(max(s, 0)),
                        classes=["cogov-seed"])  # fmt: skip


@solara.component
def RunCard(state: State):
    """Step, Play/Pause, Reset and the render interval; lists the changes that Reset will apply."""
    playing, building = state.playing.value, state.building.value
    session = state.session
    state.run.value  # noqa: B018 - re-render after a build (pending changes)

    def step() -> None:
        try:
            state.publish(session.advance(state.interval.value))
        except Exception as err:  # shown in the page, not lost in a log
            state.error.set(f"step failed: {err}")

    def reset() -> None:
        state.rebuild(state.scenario.value, state.pending(), state.seed.value)

    changes = state.pending() if session.model is not None else {}
    with solara.Card("Run", margin=0, classes=["cogov-panel"]):
        with solara.Row(gap="6px"):
            solara.Button("Step", on_click=step, disabled=playing or building or session.model is None,
                          color="primary", classes=["cogov-step"])  # fmt: skip
            solara.Button("Pause" if playing else "Play", on_click=lambda: state.playing.set(not playing),
                          disabled=building or session.model is None, color="primary",
                          classes=["cogov-play"])  # fmt: skip
            solara.Button("Reset", on_click=reset, disabled=building, classes=["cogov-reset"])
        solara.Text(f"render interval: {state.interval.value} day(s) per frame", classes=["cogov-control-label"])
        solara.SliderInt("", value=state.interval.value, min=1, max=MAX_RENDER_INTERVAL, on_value=state.interval.set)
        solara.Text("Step and Play advance this many days, then draw.", classes=["cogov-help"])
        if changes != session.changes or state.seed.value != session.seed:
            lines = list(describe(changes))
            if state.seed.value != session.seed:
                lines.append(f"seed = {state.seed.value}")
            solara.Text("Reset applies: " + ("; ".join(lines) or "the scenario file as shipped"),
                        classes=["cogov-help", "cogov-pending"])  # fmt: skip
        elif session.changes:
            solara.Text("running with: " + "; ".join(describe(session.changes)), classes=["cogov-help"])


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

    def setter(path: str) -> Callable[[Any], None]:
        def set_value(value: Any) -> None:
            state.values.set({**state.values.value, path: value})

        return set_value

    with solara.Card("Parameters (applied on Reset)", margin=0, classes=["cogov-panel"]):
        solara.Select("section", values=list(sections), value=current, on_value=section.set, classes=["cogov-section"])
        for control in sections[current]:
            ControlInput(control, values.get(control.path, control.value), setter(control.path))


@solara.component
def ViewCard(state: State):
    """How the map is drawn: residents drawn and catchment shading (no effect on the model)."""
    session = state.session
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

    with solara.Card("View", margin=0, classes=["cogov-panel"]):
        solara.Select("residents drawn on the map", values=list(SAMPLE_CHOICES), value=sample, on_value=on_sample)
        solara.Switch(label="shade the area each center draws from", value=shade, on_value=on_shade)


@solara.component
def ExportCard(state: State):
    """Downloads of the run so far: the time series (CSV) and the map (PNG)."""
    frame = state.frame.value
    session = state.session
    with solara.Card("Export", margin=0, classes=["cogov-panel"]):
        if frame is None:
            solara.Text("nothing to export yet", classes=["cogov-help"])
            return
        with solara.Column(gap="4px"):
            solara.FileDownload(session.timeseries_csv, filename=session.export_name("timeseries.csv"),
                                label="time series (CSV)", mime_type="text/csv")  # fmt: skip
            solara.FileDownload(session.map_png, filename=session.export_name("map.png"), label="map (PNG)",
                                mime_type="image/png")  # fmt: skip
