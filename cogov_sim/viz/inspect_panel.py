"""The Inspect tab: one center (clicked on the map) or one organization (chosen from a list), as it is today.

The words come from :mod:`cogov_sim.viz.inspect`, read under the session's lock in the page's language.
"""

# ruff: noqa: N802 - Solara components are named like classes (InspectPanel), as Solara expects

from __future__ import annotations

import solara

from cogov_sim.i18n import text
from cogov_sim.viz import inspect
from cogov_sim.viz.state import State


@solara.component
def InspectPanel(state: State):
    """What is picked: a center's visits by segment, who is present, activities; an organization's ties."""
    frame = state.frame.value  # re-render with every new day
    session = state.session
    lang = state.lang.value
    picked = state.picked.value
    if frame is None or session.model is None:
        return
    with session.lock:
        world = session.model.world
        options = inspect.org_options(world, lang)
        sections: list[inspect.Section] = []
        title = text("app.inspect.help", lang)
        if picked is not None and picked[0] == "center" and picked[1] < len(world.centers):
            title = inspect.center_name(world, picked[1], lang)
            sections = inspect.center_sections(world, picked[1], lang)
        elif picked is not None and picked[0] == "org" and picked[1] in options.values():
            title = next(k for k, v in options.items() if v == picked[1])
            sections = inspect.org_sections(world, picked[1], lang)
    chosen = next((k for k, v in options.items() if picked == ("org", v)), None)
    with solara.Column(gap="4px", classes=["cogov-panel", "cogov-inspect"], style={"max-width": "640px"}):
        solara.Select(text("app.inspect.org", lang), values=list(options), value=chosen,
                      on_value=lambda name: state.picked.set(("org", options[name])),
                      classes=["cogov-inspect-org"])  # fmt: skip
        solara.Text(title, classes=["cogov-inspect-title"])
        for heading, rows in sections:
            solara.Text(heading, classes=["cogov-control-label"])
            for row in rows:
                solara.Text(row, classes=["cogov-help", "cogov-inspect-row"])
