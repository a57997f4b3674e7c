"""The main area's panels: what the app is doing, the numbers of the day, and the tabs' views.

The tabs show the map, the charts, the difference and the network.
Once a what-if was applied, the numbers of the day show the twin run's value beside each (the run without the
what-ifs), the charts draw both runs, the difference tab their difference and the map can colour residents by it.
Every text comes from :mod:`cogov_sim.i18n` in the page's language (``state.lang``).
"""

# ruff: noqa: N802 - Solara components are named like classes (DayPanel, MapPanel ...), as Solara expects

from __future__ import annotations

from typing import Any

import reacton.ipyvue as rv
import solara

from cogov_sim.i18n import text
from cogov_sim.viz.day import fmt
from cogov_sim.viz.session import Frame
from cogov_sim.viz.state import State
from cogov_sim.viz.whatif import kind_name
from cogov_sim.viz.whatif_panel import choose_place


@solara.component
def StatusBar(state: State):
    """What the app is doing (building) and what went wrong."""
    if state.building.value:
        name = state.request.get("name", "")
        solara.ProgressLinear(True)
        solara.Text(text("app.building", state.lang.value, name=name), classes=["cogov-help", "cogov-building"])
    if state.error.value:
        solara.Error(state.error.value, classes=["cogov-error"])


@solara.component
def DayPanel(state: State):
    """The numbers of the day with their change since the last frame, and how long the frame took."""
    state.frame.value  # noqa: B018 - the first frame shows the panel; each day updates its widget in place
    if state.frame.value is not None:
        solara.Column(children=[state.live.day], gap="0px")


@solara.component
def MapPanel(state: State):
    """The map; a click chooses the place of a new station (the what-if panel's place) or inspects a center."""
    frame = state.frame.value
    lang = state.lang.value
    session = state.session

    def on_click(*args: Any) -> None:
        data = args[-1] if args else None
        if not isinstance(data, dict) or "offsetX" not in data:
            return
        px, py = float(data["offsetX"]), float(data["offsetY"])
        if state.click_mode.value == "inspect":
            center = session.center_at(px, py)
            if center is not None:
                state.picked.set(("center", center))
                state.show_tab("inspect")
            return
        place = session.to_metres(px, py)
        if place is None:
            return
        choose_place(state, (round(place[0]), round(place[1])))

    def set_map_mode(mode: str) -> None:
        with session.lock:
            session.map_mode = mode
        state.redraw()

    modes = {text(f"app.click.{m}", lang): m for m in ("place", "inspect")}
    with solara.Row(gap="8px", style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.ToggleButtonsSingle(value=text(f"app.click.{state.click_mode.value}", lang), values=list(modes),
                                   on_value=lambda v: state.click_mode.set(modes[v]), dense=True,
                                   classes=["cogov-click-mode"])  # fmt: skip
        if frame is not None and frame.twin is not None:
            shades = {text(f"app.map_mode.{m}", lang): m for m in ("level", "difference")}
            solara.ToggleButtonsSingle(value=text(f"app.map_mode.{session.map_mode}", lang), values=list(shades),
                                       on_value=lambda v: set_map_mode(shades[v]), dense=True,
                                       classes=["cogov-map-mode"])  # fmt: skip
    with solara.Div(classes=["cogov-panel"]):
        with solara.v.Html(tag="div", class_="cogov-map-box") as box:
            if frame is not None:
                solara.Column(children=[state.live.images["map"]], gap="0px")
            else:
                solara.Text(text("app.building_short", lang), classes=["cogov-help"])
        rv.use_event(box, "click", on_click)
        if frame is not None:
            caption = text("app.map_caption", lang, open=fmt(frame.numbers["centers_open"]), opened=frame.opened)
            solara.Text(caption, classes=["cogov-caption", "cogov-map-caption"])


def _figure(state: State, view: str, caption: str, *caption_classes: str) -> None:
    """One view's image (its live widget, updated every frame) with its caption."""
    with solara.Div(classes=["cogov-panel"]):
        solara.Column(children=[state.live.images[view]], gap="0px")
        solara.Text(caption, classes=["cogov-caption", *caption_classes])


@solara.component
def ChartsPanel(state: State):
    """Live charts of the three spaces and the gci, with a dashed line where a what-if was applied."""
    frame = state.frame.value
    if frame is None:
        return
    lang = state.lang.value
    _figure(state, "charts", markers_text(frame, lang), "cogov-markers")
    if frame.twin is not None:
        solara.Text(text("app.arms_legend", lang), classes=["cogov-caption", "cogov-arms"])


def markers_text(frame: Frame, lang: str) -> str:
    """The what-ifs applied so far by day and name (the charts' caption)."""
    marks = ", ".join(text("app.marker", lang, day=a.day, kind=kind_name(a.kind, lang)) for a in frame.applied)
    return text("app.markers", lang, marks=marks or text("app.none_yet", lang))


@solara.component
def DiffPanel(state: State):
    """The difference between the run with the what-ifs and its twin without them."""
    frame = state.frame.value
    if frame is None:
        return
    _figure(state, "diff", markers_text(frame, state.lang.value), "cogov-diff-markers")


@solara.component
def NetworkPanel(state: State):
    """The organization network, with its ties counted by type pair and the organizations left out."""
    frame = state.frame.value
    if frame is None:
        return
    lang = state.lang.value
    net = state.session.views.network
    _figure(state, "network", text("app.network_caption", lang))
    with solara.Column(gap="0px", classes=["cogov-pairs"]):
        solara.Text(text("app.net.pairs", lang), classes=["cogov-control-label"])
        pairs = [text("app.net.pair", lang, pair=pair, ties=ties, agreements=agreed)
                 for pair, (ties, agreed) in net.pairs.items()]  # fmt: skip
        solara.Text(" · ".join(pairs) or text("app.inspect.none", lang), classes=["cogov-help"])
        solara.Text(text("app.net.isolates", lang, n=net.isolates), classes=["cogov-help"])
