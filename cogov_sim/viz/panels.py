"""The main area's panels: what the app is doing, the numbers of the day, the map, the charts and the network.

Every text comes from :mod:`cogov_sim.i18n` in the page's language (``state.lang``).
"""

# ruff: noqa: N802 - Solara components are named like classes (DayPanel, MapPanel ...), as Solara expects

from __future__ import annotations

import math
from typing import Any

import reacton.ipyvue as rv
import solara

from cogov_sim.i18n import label, text
from cogov_sim.viz.session import NUMBERS, Frame
from cogov_sim.viz.state import State
from cogov_sim.viz.whatif_panel import choose_place


def _fmt(value: float, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


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
    frame = state.frame.value
    if frame is None:
        return
    lang = state.lang.value
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
        for key in NUMBERS:
            delta = frame.deltas.get(key)
            with solara.Div(classes=["cogov-num", f"cogov-num-{key.replace('_', '-')}"]):
                solara.Text(text(f"app.num.{key}", lang), classes=["cogov-num-label"])
                with solara.Div(classes=["cogov-num-value"]):
                    solara.Text(shown[key], classes=["cogov-value"])
                    if key != "day" and delta and not math.isnan(delta):
                        up = delta > 0
                        digits = 3 if key == "gci" else 0
                        solara.Text(f"{'+' if up else '−'}{_fmt(abs(delta), digits)}",
                                    classes=["cogov-delta", "cogov-up" if up else "cogov-down"])  # fmt: skip
    t = frame.timings
    solara.Text(text("app.timing", lang, frame=t["frame"], step=t["step"], draw=t["draw"], map=t["map"],
                     charts=t["charts"], network=t["network"], agents=frame.agents),
                classes=["cogov-timing"])  # fmt: skip


@solara.component
def MapPanel(state: State):
    """The map; a click chooses the place of a new station (the what-if panel's place)."""
    frame = state.frame.value
    lang = state.lang.value

    def on_click(*args: Any) -> None:
        data = args[-1] if args else None
        if not isinstance(data, dict) or "offsetX" not in data:
            return
        place = state.session.to_metres(float(data["offsetX"]), float(data["offsetY"]))
        if place is None:
            return
        choose_place(state, (round(place[0]), round(place[1])))

    with solara.Div(classes=["cogov-panel"]):
        with solara.v.Html(tag="div", class_="cogov-map-box") as box:
            if frame is not None:
                solara.Image(frame.images["map"], classes=["cogov-map"])
            else:
                solara.Text(text("app.building_short", lang), classes=["cogov-help"])
        rv.use_event(box, "click", on_click)
        if frame is not None:
            caption = text("app.map_caption", lang, open=_fmt(frame.numbers["centers_open"]), opened=frame.opened)
            solara.Text(caption, classes=["cogov-caption", "cogov-map-caption"])


def _figure(frame: Frame, view: str, caption: str, *caption_classes: str) -> None:
    """One view's image with its caption."""
    with solara.Div(classes=["cogov-panel"]):
        solara.Image(frame.images[view], classes=[f"cogov-{view}"])
        solara.Text(caption, classes=["cogov-caption", *caption_classes])


@solara.component
def ChartsPanel(state: State):
    """Live charts of the three spaces and the gci, with a dashed line where a what-if was applied."""
    frame = state.frame.value
    if frame is None:
        return
    lang = state.lang.value
    marks = ", ".join(text("app.marker", lang, day=a.day, kind=label(a.kind, lang, "intervention"))
                      for a in frame.applied)  # fmt: skip
    _figure(frame, "charts", text("app.markers", lang, marks=marks or text("app.none_yet", lang)), "cogov-markers")


@solara.component
def NetworkPanel(state: State):
    """The organization network."""
    frame = state.frame.value
    if frame is None:
        return
    _figure(frame, "network", text("app.network_caption", state.lang.value))
