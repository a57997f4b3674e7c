"""The reactive state of one page and the threads that build and play its model.

The model is built in a background thread (the page stays responsive and says what it is doing) and played in
another; both go through the session's lock (:class:`cogov_sim.viz.session.Session`), as do the Step button and the
what-if panel. The session itself is not reactive: a :class:`State` holds it with the reactive values the page's
components read and set.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import reacton.core
import solara

from cogov_sim.i18n import text
from cogov_sim.interventions import REGISTRY
from cogov_sim.viz.catalog import Catalog, page_lang
from cogov_sim.viz.day import day_html
from cogov_sim.viz.live import Live
from cogov_sim.viz.params import overrides
from cogov_sim.viz.session import DEFAULT_SEED, Frame, Session

PLAY_PAUSE_S = 0.03
"""Pause between frames while playing, so that clicks (Pause, a what-if) get through at once."""

SPEEDS: dict[str, float] = {"slow": 1.0, "normal": PLAY_PAUSE_S, "fast": 0.0}
"""The speed control's choices: seconds of pause between frames while playing."""

DAILY_TABS = frozenset({"inspect", "network"})
"""Tabs whose text follows the day (what is present today, the ties by type pair): Step and Play render them."""

TAB_VIEWS: dict[str, frozenset[str]] = {
    "map": frozenset({"map"}),
    "charts": frozenset({"charts"}),
    "diff": frozenset({"diff"}),
    "network": frozenset({"network"}),
    "inspect": frozenset(),
}
"""The tabs of the main area in order, with the views each shows (only those are drawn for a frame)."""


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
    lang: solara.Reactive[str]
    request: dict[str, Any]
    tab: solara.Reactive[str]
    speed: solara.Reactive[str]
    picked: solara.Reactive[tuple[str, int] | None]
    click_mode: solara.Reactive[str]
    render: Any = None
    images: dict[str, bytes] = field(default_factory=dict)
    live: Live = field(default_factory=Live)

    def publish(self, frame: Frame, day_only: bool = False) -> None:
        """Show a frame unless it belongs to a model that was replaced meanwhile.

        The new images and numbers go straight to the page's live widgets (:mod:`cogov_sim.viz.live`). With
        ``day_only`` (Step and Play) that is all, unless the tab on screen reads the day (Inspect, Network);
        otherwise the page's frame changes too, rendered in one pass (every component reading it at once). Views
        not drawn for this frame (off screen) keep their last image.
        """
        if frame.run != self.session.run:
            return
        for name, png in self.images.items():
            frame.images.setdefault(name, png)
        self.images.update(frame.images)
        self.live.show(frame, day_html(frame, self.lang.value))
        if day_only and self.frame.value is not None and self.tab.value not in DAILY_TABS:
            return
        with self.render if self.render is not None else contextlib.nullcontext():
            self.frame.set(frame)

    def show_tab(self, tab: str) -> None:
        """Show another tab of the main area and draw its views."""
        with self.session.lock:
            self.session.shown = TAB_VIEWS[tab]
        self.tab.set(tab)
        self.redraw()

    def redraw(self) -> None:
        """Redraw the views without stepping (after a what-if, a view setting or a chosen place)."""
        if self.session.model is not None:
            self.publish(self.session.frame())

    def set_lang(self, lang: str) -> None:
        """Show the page and draw the views in another language (``en`` or ``zh``)."""
        with self.session.lock:
            self.session.lang = lang
        self.lang.set(lang)
        self.redraw()

    def rebuild(self, name: str, changes: dict[str, Any], seed: int) -> None:
        """Stop playing and build a new model in the background."""
        self.playing.set(False)
        self.request.update(name=name, changes=changes, seed=seed)
        self.build_seq.set(self.build_seq.value + 1)

    def pending(self) -> dict[str, Any]:
        """Overrides set in the controls (compared with the scenario file)."""
        return overrides(self.session.controls, self.values.value)


def use_app_state(catalog: Catalog) -> State:
    """The page's state, with the threads that build the model and play it (a hook: call it from a component).

    The model of the catalog's default scenario is built in the background at once. The page opens in the server's
    language (:func:`~cogov_sim.viz.catalog.page_lang`).
    """
    session = solara.use_memo(lambda: Session(catalog, lang=page_lang(), shown=TAB_VIEWS["map"]), [])
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
        lang=solara.use_reactive(session.lang),
        request=request,
        tab=solara.use_reactive("map"),
        speed=solara.use_reactive("normal"),
        picked=solara.use_reactive(None),
        click_mode=solara.use_reactive("place"),
        render=reacton.core.get_render_context(required=False),
        images=solara.use_memo(dict, []),
        live=solara.use_memo(Live, []),
    )

    def build(cancel: threading.Event) -> None:
        req = dict(request)
        state.building.set(True)
        try:
            frame = session.build(req["name"], req["changes"], req["seed"])
        except Exception as err:  # a bad scenario (ScenarioError) or anything else: shown in the page
            state.error.set(text("app.build_failed", session.lang, error=err))
        else:
            state.error.set(None)
            state.forms.set({})
            state.message.set("")
            state.picked.set(None)
            state.run.set(session.run)
            state.images.clear()
            state.publish(frame)
        finally:
            state.building.set(False)

    def play(cancel: threading.Event) -> None:
        while state.playing.value and not cancel.is_set():
            try:
                frame = session.advance(state.interval.value)
            except Exception as err:  # shown in the page, and playing stops
                state.error.set(text("app.step_failed", session.lang, error=err))
                state.playing.set(False)
                return
            state.publish(frame, day_only=True)
            time.sleep(SPEEDS.get(state.speed.value, PLAY_PAUSE_S))

    solara.use_thread(build, dependencies=[state.build_seq.value], intrusive_cancel=False)
    solara.use_thread(play, dependencies=[state.playing.value], intrusive_cancel=False)
    return state
