"""One browser session's run: the model, the overrides it was built with, the what-ifs applied, and its frames.

A :class:`Session` holds no Solara code; the page calls it from the browser's events and from its play thread, so
every method that touches the model holds the session's lock. A :class:`Frame` is what the page shows after a day:
the numbers of the day, the three images and how long the step and the drawing took.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cogov_sim.interventions import effect_day
from cogov_sim.model import CoGovModel
from cogov_sim.scenario import Scenario, ScenarioError
from cogov_sim.viz import export, inspect, whatif
from cogov_sim.viz.catalog import Catalog
from cogov_sim.viz.params import Control, all_controls, scenario_controls
from cogov_sim.viz.render import DEFAULT_SAMPLE, VIEWS, MapView, Views
from cogov_sim.viz.twin import Twin
from cogov_sim.world import World

DEFAULT_SEED = 1
"""Run seed the app starts with (the same as ``cogov run``)."""

NUMBERS: tuple[str, ...] = (
    "day",
    "visits",
    "joint_actions",
    "problems_open",
    "problems_resolved",
    "volunteers",
    "gci",
    "centers_open",
)
"""The numbers of the day panel, in order (their labels are the texts ``app.num.<key>`` of :mod:`cogov_sim.i18n`)."""


@dataclass(frozen=True)
class Applied:
    """A what-if applied to the running model.

    Attributes:
        day: the day counter when it was applied (its marker on the charts); it acts from the next day.
        kind: the intervention's registry name.
        summary: the intervention with the parameters that differ from their defaults (machine-read).
        opened: indices of the centers it opened.
        data: the intervention as plain data, every field (its ``start_day`` is the day after ``day``).
    """

    day: int
    kind: str
    summary: str
    opened: tuple[int, ...] = ()
    data: dict[str, Any] = field(default_factory=dict, compare=False)

    def words(self, lang: str = "en") -> str:
        """The what-if in words (name and the inputs that differ from the form's defaults)."""
        return whatif.in_words(self.kind, self.data, lang)


@dataclass(frozen=True)
class Frame:
    """What the page shows after a day (or after a change that needs a redraw).

    Attributes:
        run: which build of the model (a new one on every reset or scenario change).
        scenario: the catalog name of the scenario.
        day: the day counter (0 before the first step).
        numbers: the numbers of the day (see :data:`NUMBERS`).
        deltas: change of each number since the previous day shown (the day of the frame before, same run); a
            redraw on the same day (after a what-if) keeps the day's changes.
        images: PNG bytes of the ``map``, ``charts`` and ``network``.
        timings: seconds: ``step`` (model, per day), ``twin`` (the twin run's days, all of them), ``map``,
            ``charts``, ``diff``, ``network`` (0 when not drawn), ``draw`` (all views) and ``frame`` (the days
            stepped in both runs and the drawing).
        applied: the what-ifs applied so far.
        agents: simulated people.
        twin: the twin arm's numbers of the day (the run without the what-ifs), or None before the first one.
    """

    run: int
    scenario: str
    day: int
    numbers: dict[str, float]
    deltas: dict[str, float]
    images: dict[str, bytes]
    timings: dict[str, float]
    applied: tuple[Applied, ...]
    agents: int
    twin: dict[str, float] | None = None

    @property
    def opened(self) -> int:
        """Centers opened by what-ifs."""
        return sum(len(a.opened) for a in self.applied)


def day_numbers(world: World) -> dict[str, float]:
    """The numbers of the day panel from the World's last record and state (real-population units)."""
    rec = world.records[-1] if world.records else {}
    pop = world.pop
    resolved = int((world.problems.resolved >= 0).sum())
    return {
        "day": float(world.day),
        "visits": float(rec.get("visits", 0.0)),
        "joint_actions": float(rec.get("joint_actions", 0.0)),
        "problems_open": float(world.problems.open_mask.sum()),
        "problems_resolved": float(resolved),
        "problems_resolved_share": float(rec.get("problems_resolved_share", 0.0)),
        "volunteers": float(pop.volunteer.sum() * world.scale),
        "volunteer_share": float(rec.get("volunteer_share", pop.volunteer.mean() if pop.n else 0.0)),
        "gci": float(rec.get("gci", np.nan)),
        "centers_open": float(world.centers.active.sum()),
    }


@dataclass
class Session:
    """The run of one browser session.

    Attributes:
        catalog: the scenarios the session may open.
        name: catalog name of the scenario running.
        changes: the overrides the running model was built with (``path -> value``).
        seed: the running model's seed.
        model: the running model (None before the first build).
        base: the scenario file as shipped (without the overrides): the controls' starting values.
        sections: the controls of ``base`` by section.
        applied: what-ifs applied to the running model.
        place: a chosen place (m) marked on the map, or None.
        sample: residents drawn on the map.
        catchments: shade the area each center draws from.
        lang: the language the views are drawn in (``en`` or ``zh``).
        twin: the run without the what-ifs, started when the first one was applied (None before).
        replications: paired replications of the exported what-if file.
        shown: the views drawn for a frame (those on screen; the others are drawn when they are shown).
        map_mode: what the map's residents show: ``level`` (identification) or ``difference`` (identification
            with the what-ifs minus without, once there is a twin).
    """

    catalog: Catalog
    name: str = ""
    changes: dict[str, Any] = field(default_factory=dict)
    seed: int = DEFAULT_SEED
    model: CoGovModel | None = None
    base: Scenario | None = None
    sections: dict[str, list[Control]] = field(default_factory=dict)
    applied: list[Applied] = field(default_factory=list)
    place: tuple[float, float] | None = None
    sample: int = DEFAULT_SAMPLE
    catchments: bool = True
    lang: str = "en"
    twin: Twin | None = None
    replications: int = export.REPLICATIONS
    shown: frozenset[str] = VIEWS
    map_mode: str = "level"
    run: int = 0
    views: Views = field(default_factory=Views)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _previous: dict[str, float] = field(default_factory=dict, repr=False)
    _current: dict[str, float] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ building
    def build(self, name: str | None = None, changes: dict[str, Any] | None = None, seed: int | None = None) -> Frame:
        """Build a new model (the first one, a reset, or another scenario) and draw it.

        Args:
            name: catalog name; default the running one (or the catalog's default).
            changes: ``path -> value`` overrides of the scenario file; default none.
            seed: run seed; default the running one.

        Raises:
            ScenarioError: the scenario with these overrides is not valid (the running model is kept).
            KeyError: ``name`` is not in the catalog.
        """
        name = name or self.name or self.catalog.default
        changes = dict(changes or {})
        seed = self.seed if seed is None else int(seed)
        if seed < 0:
            raise ScenarioError("", "seed", f"must be >= 0, got {seed}")
        base = self.catalog.load(name)
        scenario = self.catalog.load(name, changes) if changes else base
        model = CoGovModel(scenario, seed=seed)
        with self.lock:
            self.name, self.changes, self.seed = name, changes, seed
            self.model, self.base = model, base
            self.sections = scenario_controls(base)
            self.applied, self._previous, self._current = [], {}, {}
            self.twin = None
            self.place = None
            self.run += 1
            return self.frame()

    @property
    def controls(self) -> dict[str, Control]:
        """The controls of the scenario file by path."""
        return all_controls(self.sections)

    @property
    def middle(self) -> tuple[int, int] | None:
        """The middle of the running model's map (m, rounded), or None before the first build."""
        if self.model is None:
            return None
        return (round(self.model.world.layout.width / 2), round(self.model.world.layout.height / 2))

    @property
    def areas(self) -> int:
        """Residential areas of the running model's place (0 before the first build)."""
        return len(self.model.world.layout.area_centers) if self.model is not None else 0

    @property
    def opened_centers(self) -> list[int]:
        """Indices of the centers the what-ifs applied so far opened (ringed on the map)."""
        return [i for a in self.applied for i in a.opened]

    # ------------------------------------------------------------------ running
    def advance(self, days: int = 1) -> Frame:
        """Run ``days`` days and draw the views once."""
        with self.lock:
            model = self._require()
            start = time.perf_counter()
            for _ in range(max(int(days), 1)):
                model.step()
            stepped = time.perf_counter() - start
            twin = 0.0
            if self.twin is not None:
                start = time.perf_counter()
                self.twin.catch_up(model.day)
                twin = time.perf_counter() - start
            return self.frame(step_s=stepped / max(int(days), 1), stepped_s=stepped, twin_s=twin)

    def frame(self, step_s: float = 0.0, stepped_s: float = 0.0, twin_s: float = 0.0) -> Frame:
        """Draw the views of the model as it is now (no step)."""
        with self.lock:
            model = self._require()
            twin = self.twin.model.world if self.twin is not None else None
            images, took = self.views.draw(
                model.world,
                run=self.run,
                markers=[a.day for a in self.applied],
                highlight=self.opened_centers,
                place=self.place,
                sample=self.sample,
                catchments=self.catchments,
                lang=self.lang,
                twin=twin,
                shown=self.shown,
                map_mode=self.map_mode if twin is not None else "level",
            )
            draw = sum(took.values())
            timings = {"step": step_s, "twin": twin_s, **took, "draw": draw, "frame": stepped_s + twin_s + draw}
            numbers = day_numbers(model.world)
            if numbers["day"] != self._current.get("day"):
                self._previous, self._current = self._current, numbers
            # change since the previous day shown (a redraw on the same day keeps the day's changes)
            deltas = {k: v - self._previous[k] for k, v in numbers.items() if k in self._previous}
            return Frame(self.run, self.name, model.day, numbers, deltas, images, timings, tuple(self.applied),
                         model.world.n, day_numbers(twin) if twin is not None else None)  # fmt: skip

    def apply(self, kind: str, values: dict[str, Any]) -> Applied:
        """Apply a what-if to the running model now; it acts from the next day.

        The first what-if of a run starts its twin (:class:`~cogov_sim.viz.twin.Twin`): a copy of the model as it
        is now, run on without any what-if.

        Args:
            kind: the intervention's registry name.
            values: the form's values (see :mod:`cogov_sim.viz.whatif`).

        Raises:
            ScenarioError: the form's values do not make a valid intervention for this place.
        """
        with self.lock:
            model = self._require()
            iv = whatif.build(kind, values, effect_day(model))
            try:
                iv.check(model.world.scenario, tuple(model.interventions))
            except ValueError as err:
                path, sep, msg = str(err).partition(": ")
                raise ScenarioError("what-if", path if sep else "", msg if sep else str(err)) from None
            if self.twin is None:
                self.twin = Twin.start(model)
            before = len(model.world.centers)
            model.apply_now(iv)
            iv.schedule_end(model)  # undone after its end_day, if it has one
            applied = Applied(model.day, kind, iv.summary(), tuple(range(before, len(model.world.centers))),
                              iv.model_dump(mode="json"))  # fmt: skip
            self.applied.append(applied)
            return applied

    # ------------------------------------------------------------------ exports
    def timeseries_csv(self) -> str:
        """The daily indicators of both arms so far with the session's metadata (:func:`export.timeseries_csv`)."""
        return export.timeseries_csv(self)

    def whatif_yaml(self) -> str:
        """The session as a what-if file for ``cogov whatif`` (:func:`export.whatif_yaml`), in the page's language."""
        return export.whatif_yaml(self, self.lang)

    def map_png(self, dpi: int = 150) -> bytes:
        """The map as shown, drawn afresh at ``dpi``."""
        with self.lock:
            model = self._require()
            view = MapView(dpi=dpi)
            twin = self.twin.model.world if self.twin is not None and self.map_mode == "difference" else None
            return view.render(model.world, self.sample, self.catchments, self.opened_centers, self.place, self.lang,
                               twin)  # fmt: skip

    def export_name(self, what: str) -> str:
        """File name of an export: scenario, seed and what it is (the day is in the file: the last row, metadata)."""
        return f"{self.name}_seed{self.seed}_{what}"

    def center_at(self, px: float, py: float) -> int | None:
        """The open center drawn nearest to a pixel of the map, within :data:`inspect.PICK_RADIUS_PX`, or None."""
        with self.lock:
            place = self.views.map.to_metres(px, py)
            if place is None or self.model is None:
                return None
            x1, _ = self.views.map.to_metres(px + inspect.PICK_RADIUS_PX, py) or (place[0], 0.0)
            return inspect.nearest_center(self.model.world, place[0], place[1], abs(x1 - place[0]))

    def to_metres(self, px: float, py: float) -> tuple[float, float] | None:
        """The place (m) under a pixel of the map image, or None outside the map."""
        with self.lock:
            return self.views.map.to_metres(px, py)

    def _require(self) -> CoGovModel:
        if self.model is None:
            raise RuntimeError("no model yet: build() first")
        return self.model
