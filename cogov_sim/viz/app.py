"""The Solara page: explore a street live, change it, and apply a what-if while it runs.

Served by ``cogov viz`` (``solara run cogov_sim.viz.app``). Layout: the sidebar holds the scenario picker and seed,
the run controls (step, play/pause, reset, render interval), the parameters generated from the scenario schema, the
view settings and the exports; the main area shows the numbers of the day, the map (click it to choose a place for
a new station), the live charts with what-if markers, the what-if panel and the organization network.

Threads: the model is built in a background thread (the page stays responsive and says what it is doing) and
played in another; both go through the session's lock (:class:`cogov_sim.viz.session.Session`), as do the Step
button and the what-if panel.
"""

# ruff: noqa: N802 - Solara components are named like classes (Page, MapPanel ...), as Solara expects

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import reacton.ipyvue as rv
import solara

from cogov_sim.interventions import REGISTRY
from cogov_sim.scenario import ScenarioError
from cogov_sim.viz import whatif
from cogov_sim.viz.catalog import Catalog
from cogov_sim.viz.params import Control, describe, overrides
from cogov_sim.viz.session import DEFAULT_SEED, NUMBERS, Frame, Session

MAX_RENDER_INTERVAL = 30
"""Largest render interval offered (days per frame)."""

PLAY_PAUSE_S = 0.03
"""Pause between frames while playing, so that clicks (Pause, a what-if) get through at once."""

SAMPLE_CHOICES = (500, 1000, 2000, 4000, 8000)
"""Residents drawn on the map, offered in the view settings."""

CSS = """
.cogov-num { padding: 4px 12px; margin: 0 6px 6px 0; border-radius: 6px; background: #f3f5f7; min-width: 118px; }
.cogov-num-label { font-size: 11px; color: #555; display: block; }
.cogov-num-value { font-size: 20px; font-weight: 600; display: block; }
.cogov-delta { font-size: 11px; margin-left: 4px; }
.cogov-up { color: #2e7d32; } .cogov-down { color: #c62828; }
.cogov-caption { font-size: 12px; color: #555; display: block; margin: 2px 0 8px 0; }
.cogov-help { font-size: 12px; color: #555; display: block; }
.cogov-control-label { font-size: 12px; display: block; margin-top: 6px; }
.cogov-map-box { cursor: crosshair; display: inline-block; line-height: 0; }
.cogov-panel { margin: 0 12px 12px 0; }
.cogov-whatif-input { margin-top: 16px; }
.cogov-timing { font-size: 11px; color: #777; display: block; }
"""


@dataclass
class State:
    """The reactive state of one page, shared by its components (the session itself is not reactive)."""

    session: Session
    catalog: Catalog
    frame: solara.Reactive[Frame | None]
    run: solara.Reactive[int]
    playing: solara.Reactive[bool]
    interval: solara.Reactive[int]
    building: solara.Reactive[bool]
    error: solara.Reactive[str | None]
    scenario: solara.Reactive[str]
    seed: solara.Reactive[int]
    values: solara.Reactive[dict[str, Any]]
    kind: solara.Reactive[str]
    forms: solara.Reactive[dict[str, dict[str, Any]]]
    message: solara.Reactive[str]
    build_seq: solara.Reactive[int]
    request: dict[str, Any]

    def publish(self, frame: Frame) -> None:
        """Show a frame unless it belongs to a model that was replaced meanwhile."""
        if frame.run == self.session.run:
            self.frame.set(frame)

    def redraw(self) -> None:
        """Redraw the views without stepping (after a what-if, a view setting or a chosen place)."""
        if self.session.model is not None:
            self.publish(self.session.frame())

    def rebuild(self, name: str, changes: dict[str, Any], seed: int) -> None:
        """Stop playing and build a new model in the background."""
        self.playing.set(False)
        self.request.update(name=name, changes=changes, seed=seed)
        self.build_seq.set(self.build_seq.value + 1)

    def pending(self) -> dict[str, Any]:
        """Overrides set in the controls (compared with the scenario file)."""
        return overrides(self.session.controls, self.values.value)


def _fmt(value: float, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


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


@solara.component
def StatusBar(state: State):
    """What the app is doing (building) and what went wrong."""
    if state.building.value:
        name = state.request.get("name", "")
        solara.ProgressLinear(True)
        solara.Text(f"building the model of '{name}' …", classes=["cogov-help", "cogov-building"])
    if state.error.value:
        solara.Error(state.error.value, classes=["cogov-error"])


@solara.component
def DayPanel(state: State):
    """The numbers of the day with their change since the last frame, and how long the frame took."""
    frame = state.frame.value
    if frame is None:
        return
    n = frame.numbers
    shown = {
        "day": _fmt(n["day"]),
        "visits": _fmt(n["visits"]),
        "joint_actions": _fmt(n["joint_actions"]),
        "problems_open": _fmt(n["problems_open"]),
        "problems_resolved": f"{_fmt(n['problems_resolved'])} ({n['problems_resolved_share']:.0%})",
        "volunteers": f"{_fmt(n['volunteers'])} ({n['volunteer_share']:.1%})",
        "gci": _fmt(n["gci"], 3),
        "centers_open": _fmt(n["centers_open"]),
    }
    with solara.Row(gap="0px", style={"flex-wrap": "wrap"}, classes=["cogov-day"]):
        for key, label in NUMBERS:
            delta = frame.deltas.get(key)
            with solara.Div(classes=["cogov-num", f"cogov-num-{key.replace('_', '-')}"]):
                solara.Text(label, classes=["cogov-num-label"])
                with solara.Div(classes=["cogov-num-value"]):
                    solara.Text(shown[key], classes=["cogov-value"])
                    if key != "day" and delta and not math.isnan(delta):
                        up = delta > 0
                        digits = 3 if key == "gci" else 0
                        solara.Text(f"{'+' if up else '−'}{_fmt(abs(delta), digits)}",
                                    classes=["cogov-delta", "cogov-up" if up else "cogov-down"])  # fmt: skip
    t = frame.timings
    solara.Text(f"last frame {t['frame']:.2f} s: model {t['step']:.2f} s/day, drawing {t['draw']:.2f} s "
                f"(map {t['map']:.2f}, charts {t['charts']:.2f}, network {t['network']:.2f}) · "
                f"{frame.agents:,} people simulated", classes=["cogov-timing"])  # fmt: skip


@solara.component
def MapPanel(state: State):
    """The map; a click chooses the place of a new station (the what-if panel's place)."""
    frame = state.frame.value

    def on_click(*args: Any) -> None:
        data = args[-1] if args else None
        if not isinstance(data, dict) or "offsetX" not in data:
            return
        place = state.session.to_metres(float(data["offsetX"]), float(data["offsetY"]))
        if place is None:
            return
        place = (round(place[0]), round(place[1]))
        kind = state.kind.value
        if not any(i.kind == "site" for i in whatif.form(kind)):
            kind = "add_centers"
            state.kind.set(kind)
        form = {**_form_values(state, kind), "sites": place}
        state.forms.set({**state.forms.value, kind: form})
        _sync_place(state, kind, form)

    with solara.Div(classes=["cogov-panel"]):
        with solara.v.Html(tag="div", class_="cogov-map-box") as box:
            if frame is not None:
                solara.Image(frame.images["map"], classes=["cogov-map"])
            else:
                solara.Text("building the model …", classes=["cogov-help"])
        rv.use_event(box, "click", on_click)
        if frame is not None:
            solara.Text(f"{_fmt(frame.numbers['centers_open'])} centers open, {frame.opened} opened by what-ifs · "
                        "click the map to choose where a new station opens",
                        classes=["cogov-caption", "cogov-map-caption"])  # fmt: skip


@solara.component
def ChartsPanel(state: State):
    """Live charts of the three spaces and the gci, with a dashed line where a what-if was applied."""
    frame = state.frame.value
    if frame is None:
        return
    with solara.Div(classes=["cogov-panel"]):
        solara.Image(frame.images["charts"], classes=["cogov-charts"])
        marks = ", ".join(f"day {a.day} ({a.kind})" for a in frame.applied) or "none yet"
        solara.Text(f"what-if markers: {marks}", classes=["cogov-caption", "cogov-markers"])


@solara.component
def NetworkPanel(state: State):
    """The organization network."""
    frame = state.frame.value
    if frame is None:
        return
    with solara.Div(classes=["cogov-panel"]):
        solara.Image(frame.images["network"], classes=["cogov-network"])
        solara.Text("edge width: tie strength · red edge: co-building agreement · black ring: alliance member · "
                    "redrawn when it changes and weekly", classes=["cogov-caption"])  # fmt: skip


def _form_values(state: State, kind: str) -> dict[str, Any]:
    """The what-if form's values: those set so far, else the defaults (a new station at the middle of the map)."""
    values = state.forms.value.get(kind)
    if values is not None:
        return values
    values = whatif.defaults(kind)
    model = state.session.model
    for item in whatif.form(kind):
        if item.kind == "site" and model is not None:
            values[item.name] = (round(model.layout.width / 2), round(model.layout.height / 2))
    return values


def _sync_place(state: State, kind: str, values: dict[str, Any]) -> None:
    """Mark the form's chosen place on the map (or clear the mark)."""
    place = next((values.get(i.name) for i in whatif.form(kind) if i.kind == "site"), None)
    if place != state.session.place:
        state.session.place = place
        state.redraw()


@solara.component
def FormInput(
    item: whatif.Input,
    value: Any,
    on_value: Callable[[Any], None],
    areas: int,
    middle: tuple[float, float] = (0.0, 0.0),
):
    """One input of a what-if form (``areas``: residential areas of the place; ``middle``: its centre, m)."""
    label = item.label
    with (
        solara.Tooltip(item.help or label),
        solara.Div(classes=["cogov-whatif-input", f"cogov-wi-{item.name.replace('_', '-')}"]),
    ):
        if item.kind == "choice":
            solara.Select(label, values=list(item.options), value=value, on_value=on_value, dense=True)
        elif item.kind == "choices":
            solara.SelectMultiple(label, values=list(value or []), all_values=list(item.options),
                                  on_value=on_value, dense=True)  # fmt: skip
        elif item.kind == "areas":
            names = [f"RA{k + 1}" for k in range(areas)]
            solara.SelectMultiple(label + " (none: all)", values=[f"RA{k + 1}" for k in value or []],
                                  all_values=names, dense=True,
                                  on_value=lambda v: on_value(sorted(int(s[2:]) - 1 for s in v)))  # fmt: skip
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
            _site_input(value, on_value, middle)
        else:
            solara.InputText(label, value=str(value or ""), on_value=on_value, dense=True, continuous_update=True)


def _site_input(
    value: tuple[float, float] | None, on_value: Callable[[Any], None], middle: tuple[float, float]
) -> None:
    def toggle(on: bool) -> None:
        on_value((value or middle) if on else None)

    solara.Switch(label="at a chosen place (+ on the map; click the map to move it)", value=value is not None,
                  on_value=toggle)  # fmt: skip
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
    values = _form_values(state, kind)
    model = session.model
    areas = len(model.layout.area_centers) if model is not None else 0
    middle = (round(model.layout.width / 2), round(model.layout.height / 2)) if model is not None else (0, 0)

    site = next((values.get(i.name) for i in whatif.form(kind) if i.kind == "site"), None)
    solara.use_effect(lambda: _sync_place(state, kind, values), [kind, site, state.run.value])

    def choose(new_kind: str) -> None:
        state.kind.set(new_kind)
        _sync_place(state, new_kind, _form_values(state, new_kind))

    def setter(name: str) -> Callable[[Any], None]:
        def set_value(value: Any) -> None:
            form = {**_form_values(state, kind), name: value}
            state.forms.set({**state.forms.value, kind: form})
            _sync_place(state, kind, form)

        return set_value

    def apply() -> None:
        try:
            applied = session.apply(kind, values)
        except ScenarioError as err:
            state.message.set(f"not applied: {err}")
            return
        state.message.set(f"day {applied.day}: {applied.summary} (acts from day {applied.day + 1})")
        state.redraw()

    with solara.Card("What-if: apply now", margin=0, classes=["cogov-panel", "cogov-whatif"],
                     style={"width": "520px"}):  # fmt: skip
        solara.Select("intervention", values=whatif.kinds(), value=kind, on_value=choose, classes=["cogov-kind"])
        solara.Text(whatif.describe_kind(REGISTRY[kind]), classes=["cogov-help"])
        for item in whatif.form(kind):
            if site is not None and item.name in whatif.REPLACED_BY_SITES:
                continue  # the chosen place decides where (and how many: one)
            FormInput(item, values.get(item.name), setter(item.name), areas, middle)
        solara.Button("Apply now", on_click=apply, color="primary", classes=["cogov-apply"],
                      disabled=session.model is None or state.building.value)  # fmt: skip
        if state.message.value:
            solara.Text(state.message.value, classes=["cogov-help", "cogov-whatif-message"])


def use_app_state(catalog: Catalog) -> State:
    """The page's state, with the threads that build the model and play it (a hook: call it from a component).

    The model of the catalog's default scenario is built in the background at once.
    """
    session = solara.use_memo(lambda: Session(catalog), [])
    request = solara.use_memo(lambda: {"name": catalog.default, "changes": {}, "seed": DEFAULT_SEED}, [])
    first_kind = "add_centers" if "add_centers" in REGISTRY else next(iter(REGISTRY))
    state = State(
        session=session,
        catalog=catalog,
        frame=solara.use_reactive(None),
        run=solara.use_reactive(0),
        playing=solara.use_reactive(False),
        interval=solara.use_reactive(1),
        building=solara.use_reactive(False),
        error=solara.use_reactive(None),
        scenario=solara.use_reactive(catalog.default),
        seed=solara.use_reactive(DEFAULT_SEED),
        values=solara.use_reactive({}),
        kind=solara.use_reactive(first_kind),
        forms=solara.use_reactive({}),
        message=solara.use_reactive(""),
        build_seq=solara.use_reactive(0),
        request=request,
    )

    def build(cancel: threading.Event) -> None:
        req = dict(request)
        state.building.set(True)
        try:
            frame = session.build(req["name"], req["changes"], req["seed"])
        except Exception as err:  # a bad scenario (ScenarioError) or anything else: shown in the page
            state.error.set(f"could not build the model: {err}")
        else:
            state.error.set(None)
            state.forms.set({})
            state.message.set("")
            state.run.set(session.run)
            state.frame.set(frame)
        finally:
            state.building.set(False)

    def play(cancel: threading.Event) -> None:
        while state.playing.value and not cancel.is_set():
            try:
                frame = session.advance(state.interval.value)
            except Exception as err:  # shown in the page, and playing stops
                state.error.set(f"step failed: {err}")
                state.playing.set(False)
                return
            state.publish(frame)
            time.sleep(PLAY_PAUSE_S)

    solara.use_thread(build, dependencies=[state.build_seq.value], intrusive_cancel=False)
    solara.use_thread(play, dependencies=[state.playing.value], intrusive_cancel=False)
    return state


@solara.component
def Sidebar(state: State):
    """The sidebar's cards: scenario, run, parameters, view, export."""
    with solara.Column(gap="10px"):
        ScenarioCard(state)
        RunCard(state)
        ParametersCard(state)
        ViewCard(state)
        ExportCard(state)


@solara.component
def Main(state: State):
    """The main area: status, numbers of the day, map and charts, what-if panel and network."""
    with solara.Column(gap="0px", style={"padding": "8px 8px 8px 20px"}):
        StatusBar(state)
        DayPanel(state)
        with solara.Row(gap="0px", style={"flex-wrap": "wrap", "align-items": "flex-start"}):
            MapPanel(state)
            ChartsPanel(state)
        with solara.Row(gap="0px", style={"flex-wrap": "wrap", "align-items": "flex-start"}):
            WhatIfPanel(state)
            NetworkPanel(state)


@solara.component
def Page():
    """The app's page (Solara's entry point): the scenarios of the running server, sidebar and main area."""
    catalog = solara.use_memo(Catalog.from_env, [])
    state = use_app_state(catalog)
    solara.Title("cogov_sim · co-governance explorer")
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle("cogov_sim: Party-mass service centers and grassroots co-governance")
    with solara.Sidebar():
        Sidebar(state)
    Main(state)
