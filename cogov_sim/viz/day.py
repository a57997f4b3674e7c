"""The numbers of the day as one piece of HTML (the page shows it in one widget, updated in place every day)."""

from __future__ import annotations

import math
from html import escape

from cogov_sim.i18n import text
from cogov_sim.viz.session import NUMBERS, Frame


def shown_numbers(n: dict[str, float]) -> dict[str, str]:
    """The numbers of the day as shown (see :data:`cogov_sim.viz.session.NUMBERS`)."""
    return {
        "day": fmt(n["day"]),
        "visits": fmt(n["visits"]),
        "joint_actions": fmt(n["joint_actions"]),
        "problems_open": fmt(n["problems_open"]),
        "problems_resolved": f"{fmt(n['problems_resolved'])} ({n['problems_resolved_share']:.0%})",
        "volunteers": f"{fmt(n['volunteers'])} ({n['volunteer_share']:.1%})",
        "gci": fmt(n["gci"], 3),
        "centers_open": fmt(n["centers_open"]),
    }


def fmt(value: float, digits: int = 0) -> str:
    """A number with thousands separators and ``digits`` decimals; a dash for a missing one."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def day_html(frame: Frame, lang: str) -> str:
    """The numbers of the day as one piece of HTML, then how long the frame took.

    A cell per number with its label, value, change since the previous day shown and, once there is a twin run,
    the twin's value.
    """
    shown = shown_numbers(frame.numbers)
    twin = shown_numbers(frame.twin) if frame.twin is not None else None
    cells = []
    for key in NUMBERS:
        value = f'<span class="cogov-value">{escape(shown[key])}</span>'
        delta = frame.deltas.get(key)
        if key != "day" and delta and not math.isnan(delta):
            sign, kind = ("+", "cogov-up") if delta > 0 else ("−", "cogov-down")
            value += f'<span class="cogov-delta {kind}">{sign}{fmt(abs(delta), 3 if key == "gci" else 0)}</span>'
        extra = ""
        if twin is not None and key != "day":
            extra = f'<span class="cogov-num-twin">{escape(text("app.twin_value", lang, value=twin[key]))}</span>'
        cells.append(
            f'<div class="cogov-num cogov-num-{key.replace("_", "-")}">'
            f'<span class="cogov-num-label">{escape(text(f"app.num.{key}", lang))}</span>'
            f'<span class="cogov-num-value">{value}</span>{extra}</div>'
        )
    t = frame.timings
    timing = text("app.timing", lang, frame=t["frame"], step=t["step"], twin=t.get("twin", 0.0), draw=t["draw"],
                  map=t["map"], charts=t["charts"], network=t["network"], agents=frame.agents)  # fmt: skip
    return f'<div class="cogov-day">{"".join(cells)}</div><span class="cogov-timing">{escape(timing)}</span>'
