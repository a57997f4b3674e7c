"""The Solara page: explore a street live, change it, and apply a what-if while it runs.

Served by ``cogov viz`` (``solara run cogov_sim.viz.app``). This module is the page's layout; the pieces live by
idea:

- :mod:`~cogov_sim.viz.state`: the page's reactive state and the threads that build and play the model;
- :mod:`~cogov_sim.viz.control_panel`: the sidebar's cards (scenario and seed, run controls, parameters generated
  from the scenario schema, view settings, exports);
- :mod:`~cogov_sim.viz.panels`: the main area's status, numbers of the day, map (click it to choose a place for a
  new station), live charts with what-if markers and organization network;
- :mod:`~cogov_sim.viz.whatif_panel`: the what-if form, applied to the running model now.
"""

# ruff: noqa: N802 - Solara components are named like classes (Page, Sidebar, Main), as Solara expects

from __future__ import annotations

import solara

from cogov_sim.i18n import text
from cogov_sim.viz.catalog import Catalog
from cogov_sim.viz.control_panel import ExportCard, LanguageCard, ParametersCard, RunCard, ScenarioCard, ViewCard
from cogov_sim.viz.panels import ChartsPanel, DayPanel, MapPanel, NetworkPanel, StatusBar
from cogov_sim.viz.state import State, use_app_state
from cogov_sim.viz.whatif_panel import WhatIfPanel

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
    lang = state.lang.value
    solara.Title(text("app.title", lang))
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle(text("app.bar", lang))
    with solara.Sidebar():
        Sidebar(state)
    Main(state)
