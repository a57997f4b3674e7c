"""What the app shows about one center or one organization when a person picks it (the Inspect tab).

A click on the map picks the nearest center within :data:`PICK_RADIUS_PX` pixels; an organization is picked from
a list (or from the center it is based at). Each inspection is a list of ``(heading, rows)`` sections of words in
the page's language, read from the World as it is on the day shown: today's visits by segment, the organizations
present today, today's activities, and for an organization its ties and agreements with other organizations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cogov_sim.i18n import label, text
from cogov_sim.scenario import FUNCTIONS, LEVELS, SLOTS
from cogov_sim.vocabulary import SEGMENTS

if TYPE_CHECKING:
    from cogov_sim.world import World
    from cogov_sim.world.organizations import Organization

PICK_RADIUS_PX = 14.0
"""A click on the map picks the nearest center within this many pixels of it."""

TOP_TIES = 8
"""Ties of an organization with other organizations listed, strongest first."""

Section = tuple[str, list[str]]


def nearest_center(world: World, x: float, y: float, radius_m: float) -> int | None:
    """The open center nearest to (x, y) m within ``radius_m``, or None."""
    c = world.centers
    d = np.hypot(c.x - x, c.y - y)
    d[~c.active] = np.inf
    if not len(d) or d.min() > radius_m:
        return None
    return int(np.argmin(d))


def center_name(world: World, i: int, lang: str = "en") -> str:
    """A center by level and number, with its residential area (``residential center 12 · RA3``)."""
    c = world.centers
    level = label(LEVELS[int(c.level[i])], lang, "level")
    area = text("map.area", lang, k=int(c.area_index[i]) + 1)
    return text("app.inspect.center_name", lang, level=level, number=i, area=area)


def center_sections(world: World, i: int, lang: str = "en") -> list[Section]:
    """Today's visitors by segment, organizations present, activities, and what the center offers."""
    c, today, scale = world.centers, world.today, world.scale
    at = np.asarray(today.center) == i
    segments = world.pop.segment[np.asarray(today.visitor)[at]]
    counts = np.bincount(segments, minlength=len(SEGMENTS)) * scale
    visits = [text("app.inspect.count", lang, what=label(s, lang, "segment"), n=f"{counts[k]:,.0f}")
              for k, s in enumerate(SEGMENTS) if counts[k] > 0]  # fmt: skip
    so_far = float(world.visits_by_center[i].sum() * scale)
    visits.append(text("app.inspect.so_far", lang, n=f"{so_far:,.0f}", days=world.day))
    present = today.org_present
    nodes = sorted(set(np.asarray(present.node)[np.asarray(present.center) == i].tolist()))
    orgs = [org_line(world.orgs[n - world.n], lang) for n in nodes] or [text("app.inspect.none", lang)]
    acts = [activity_line(world, a, lang) for a in today.activities if a.center == i]
    offers = [
        text("app.inspect.functions", lang,
             names=", ".join(label(f, lang, "function") for k, f in enumerate(FUNCTIONS) if c.functions[i, k])),
        text("app.inspect.slots", lang,
             names=", ".join(label(s, lang, "slot") for k, s in enumerate(SLOTS) if c.open[i, :, k].any())),
    ]  # fmt: skip
    based = [o.label for o in world.orgs if o.active and o.center == i]
    if based:
        offers.append(text("app.inspect.based", lang, names=", ".join(based)))
    return [
        (text("app.inspect.visits_today", lang), visits),
        (text("app.inspect.present", lang), orgs),
        (text("app.inspect.activities", lang), acts or [text("app.inspect.none", lang)]),
        (text("app.inspect.offers", lang), offers),
    ]


def org_line(org: Organization, lang: str = "en") -> str:
    """An organization by type and name (``party · residential branch 1``)."""
    return f"{label(org.kind, lang, 'actor')} · {org.label}"


def activity_line(world: World, act: object, lang: str = "en") -> str:
    """One of today's activities: what, when, who convened it with whom, how many took part, whether it worked."""
    partners = ", ".join(p.label for p in act.partners) or text("app.inspect.none", lang)  # type: ignore[attr-defined]
    return text(
        "app.inspect.activity",
        lang,
        function=label(FUNCTIONS[act.function], lang, "function"),  # type: ignore[attr-defined]
        slot=label(SLOTS[act.slot], lang, "slot"),  # type: ignore[attr-defined]
        convener=act.convener.label,  # type: ignore[attr-defined]
        partners=partners,
        people=f"{act.people:,.0f}",  # type: ignore[attr-defined]
        outcome=text("app.inspect.success" if act.success else "app.inspect.failure", lang),  # type: ignore[attr-defined]
    )


def org_options(world: World, lang: str = "en") -> dict[str, int]:
    """The active organizations by their shown name -> node, in node order."""
    return {org_line(o, lang): o.node for o in world.orgs if o.active}


def org_sections(world: World, node: int, lang: str = "en") -> list[Section]:
    """One organization: where it is, what it has done, its strongest ties with organizations, its agreements."""
    org = world.orgs[node - world.n]
    where = [text("app.inspect.center", lang, name=center_name(world, org.center, lang))] if org.center >= 0 else []
    record = [
        text("app.inspect.record", lang, convened=org.convened, joined=org.joined, successes=org.successes),
        text("app.inspect.commitment", lang, value=f"{org.commitment:.2f}"),
    ]
    i, j, h = world.ties.above(world.day, world.scenario.behaviour.acquaintance_hours)
    mine = ((i == node) & (j >= world.n)) | ((j == node) & (i >= world.n))
    other, hours = np.where(i[mine] == node, j[mine], i[mine]), h[mine]
    order = np.argsort(-hours)[:TOP_TIES]
    ties = [text("app.inspect.tie", lang, name=org_line(world.orgs[int(other[k]) - world.n], lang),
                 hours=f"{hours[k]:.0f}") for k in order]  # fmt: skip
    residents = int((((i == node) & (j < world.n)) | ((j == node) & (i < world.n))).sum())
    ties.append(text("app.inspect.resident_ties", lang, n=f"{residents * world.scale:,.0f}"))
    agreed = [world.orgs[(b if a == node else a) - world.n] for a, b in world.agreements if node in (a, b)]
    allied = [name for name, members in world.alliances.items() if node in members]
    links = [org_line(o, lang) for o in agreed] or [text("app.inspect.none", lang)]
    links += [text("app.inspect.alliance", lang, name=name) for name in allied]
    return [
        (org_line(org, lang), where + record),
        (text("app.inspect.ties", lang), ties),
        (text("app.inspect.agreements", lang), links),
    ]
