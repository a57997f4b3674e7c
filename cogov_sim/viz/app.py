"""The Solara page: explore a street live, change it, and apply a what-if while it runs.

Served by ``cogov viz`` (``solara run cogov_sim.viz.app``). This module is the page's layout; the pieces live by
idea:

- :mod:`~cogov_sim.viz.state`: the page's reactive state and the threads that build and play the model;
- :mod:`~cogov_sim.viz.control_panel`: the sidebar's cards (scenario and seed, run controls, parameters generated
  from the scenario schema, view settings, exports);
- :mod:`~cogov_sim.viz.panels`: the main area's status, numbers of the day, and the tabs' map (click it to choose
  a place for a new station or to inspect a center), live charts of both runs once a what-if was applied (the run
  and its twin without the what-ifs), their difference, and the organization network;
- :mod:`~cogov_sim.viz.inspect_panel`: the Inspect tab (a center or an organization today);
- :mod:`~cogov_sim.viz.whatif_panel`: the what-if form, applied to the running model now, beside the tabs.

At 1366×768 the numbers, the tabs and the what-if form are on screen together; only the visible tab is drawn.
"""

# ruff: noqa: N802 - Solara components are named like classes (Page, Sidebar, Main), as Solara expects

from __future__ import annotations

import solara

from cogov_sim.i18n import text
from cogov_sim.viz.catalog import Catalog
from cogov_sim.viz.control_panel import ExportCard, LanguageCard, ParametersCard, RunCard, ScenarioCard, ViewCard
from cogov_sim.viz.inspect_panel import InspectPanel
from cogov_sim.viz.panels import ChartsPanel, DayPanel, DiffPanel, MapPanel, NetworkPanel, StatusBar
from cogov_sim.viz.state import TAB_VIEWS, State, use_app_state
from cogov_sim.viz.whatif_panel import WhatIfPanel

CSS = """
.cogov-day { display: flex; flex-wrap: wrap; }
.cogov-sidebar { width: 300px; min-width: 300px; height: calc(100vh - 76px); overflow-y: auto; padding: 0 6px 12px 0; }
.cogov-num { padding: 1px 6px; margin: 0 4px 4px 0; border-radius: 6px; background: #f3f5f7; }
.cogov-num-label { font-size: 11px; color: #555; display: block; white-space: nowrap; }
.cogov-num-value { font-size: 16px; font-weight: 600; display: block; white-space: nowrap; }
.cogov-num-twin { font-size: 11px; color: #2b6cb0; display: block; }
.cogov-inspect-title { font-size: 15px; font-weight: 600; display: block; margin-top: 6px; }
.cogov-tabs .v-window { overflow: visible; }
.cogov-tabs img { max-width: none; }  /* one image pixel per CSS pixel: a click on the map maps back to metres */
.cogov-delta { font-size: 11px; margin-left: 4px; }
.cogov-up { color: #2e7d32; } .cogov-down { color: #c62828; }
.cogov-caption { font-size: 12px; color: #555; display: block; margin: 2px 0 8px 0; }
.cogov-help { font-size: 12px; color: #555; display: block; }
.cogov-control-label { font-size: 12px; display: block; margin-top: 6px; }
.cogov-map-box { cursor: crosshair; display: inline-block; line-height: 0; }
.cogov-panel { margin: 0 12px 12px 0; }
.cogov-whatif-input { margin-top: 12px; }
.cogov-whatif-form { max-height: calc(100vh - 330px); overflow-y: auto; padding-right: 6px; }
.cogov-timing { font-size: 11px; color: #777; display: block; }
"""


@solara.component
def Sidebar(state: State):
    """The sidebar's cards: language, scenario, run, parameters, view, export."""
    with solara.Column(gap="10px"):
        LanguageCard(state)
        ScenarioCard(state)
        RunCard(state)
        ParametersCard(state)
        ViewCard(state)
        ExportCard(state)


TABS = {"map": MapPanel, "charts": ChartsPanel, "diff": DiffPanel, "network": NetworkPanel, "inspect": InspectPanel}
"""The main area's tabs in order (keys of :data:`cogov_sim.viz.state.TAB_VIEWS`) and their panels."""


@solara.component
def Main(state: State):
    """The main area: status, numbers of the day, then the tabs beside the what-if panel."""
    lang = state.lang.value
    keys = list(TAB_VIEWS)
    with solara.Column(gap="0px", style={"padding": "0px 4px 4px 10px", "min-width": "0"}):
        StatusBar(state)
        DayPanel(state)
        with solara.Row(gap="8px", style={"flex-wrap": "wrap", "align-items": "flex-start"}):
            with (
                solara.Div(style={"width": "628px"}, classes=["cogov-tabs"]),
                solara.lab.Tabs(
                    value=keys.index(state.tab.value), on_value=lambda k: state.show_tab(keys[k]), lazy=True
                ),
            ):
                for key in keys:
                    with solara.lab.Tab(text(f"app.tab.{key}", lang), classes=[f"cogov-tab-{key}"]):
                        TABS[key](state)
            WhatIfPanel(state)


@solara.component
def Page():
    """The app's page (Solara's entry point): the scenarios of the running server, sidebar and main area."""
    catalog = solara.use_memo(Catalog.from_env, [])
    state = use_app_state(catalog)
    lang = state.lang.value
    solara.Title(text("app.title", lang))
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle(text("app.bar", lang))
    # the sidebar is a column of the page, not Solara's drawer (at least 400 px wide): at 1366 px the tabs and the
    # what-if form fit beside it
    with solara.Row(gap="0px", style={"align-items": "flex-start", "flex-wrap": "nowrap"}):
        with solara.Div(classes=["cogov-sidebar"]):
            Sidebar(state)
        Main(state)
