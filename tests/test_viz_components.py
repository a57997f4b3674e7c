"""Browser-free tests of the app: catalog, generated controls and what-if forms, views, session, and the Solara
components rendered with ``solara.render`` (real widgets, no browser)."""

from __future__ import annotations

import copy
import html
import io
import json
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

import ipyvuetify as v
import ipywidgets
import numpy as np
import pandas as pd
import pytest
import solara
import yaml
from PIL import Image
from solara.components.file_download import FileDownloadWidget

from cogov_sim.experiments.whatif import load_whatif
from cogov_sim.i18n import text
from cogov_sim.i18n.words import PARAMETERS
from cogov_sim.interventions import REGISTRY
from cogov_sim.model import CoGovModel
from cogov_sim.scenario import FUNCTIONS, LEVELS, SLOTS, Organizations, ScenarioError, load_scenario
from cogov_sim.scenario.base import plausible_range
from cogov_sim.scenario.size import size_terms
from cogov_sim.simulation import model_fingerprint
from cogov_sim.viz import app, inspect, whatif
from cogov_sim.viz.catalog import ENV_SCENARIOS, Catalog, shipped_dir
from cogov_sim.viz.params import control_label, overrides, range_text, scenario_controls, value_text
from cogov_sim.viz.render import ChartsView, MapView, nice_ceiling
from cogov_sim.viz.render.map import RESIDENT_COLOUR_STEP
from cogov_sim.viz.session import Session
from cogov_sim.viz.state import State, use_app_state
from cogov_sim.viz.twin import Twin, differences, same_records

ROOT = Path(__file__).resolve().parents[1]


def small_file(folder: Path, name: str, source: str = "baseline", fraction: float = 0.03) -> Path:
    """A shipped scenario at a small sample fraction, written under a new name."""
    data = yaml.safe_load((ROOT / "scenarios" / f"{source}.yaml").read_text())
    data["name"] = name
    data["description"] = f"{source} at {fraction:.0%} of the people (test)"
    data["population"]["sample_fraction"] = fraction
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("viz_scenarios")
    return {"small": small_file(folder, "small"), "small_dense": small_file(folder, "small_dense", "dense")}


@pytest.fixture(scope="module")
def catalog(files: dict[str, Path]) -> Catalog:
    return Catalog.build([files["small"], files["small_dense"]])


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    """Poll until ``condition()`` is true (the app builds and plays in threads)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def png_array(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)


# ---------------------------------------------------------------------------------------------------- catalog
def test_catalog_lists_the_shipped_scenarios_and_only_named_files(files: dict[str, Path]) -> None:
    shipped = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
    assert shipped_dir() == (ROOT / "scenarios").resolve()
    plain = Catalog.build()
    assert sorted(plain.names) == shipped
    assert plain.default == "baseline"
    env = {ENV_SCENARIOS: f"{files['small']}:{files['small_dense']}"}
    cat = Catalog.from_env(env)
    assert cat.names[-2:] == ["small", "small_dense"] and cat.default == "small"
    assert cat.extra == ("small", "small_dense")
    # the browser sends names; anything else, a path included, is refused
    for bad in ("/etc/passwd", str(files["small"]), "../scenarios/baseline", "nope"):
        with pytest.raises(KeyError):
            cat.path(bad)


def test_catalog_renames_a_command_line_file_whose_name_is_taken(tmp_path: Path) -> None:
    clash = small_file(tmp_path, "baseline")
    cat = Catalog.build([clash])
    assert cat.default == "baseline (2)"
    assert cat.path("baseline (2)") == clash.resolve()
    assert cat.path("baseline") == (ROOT / "scenarios" / "baseline.yaml").resolve()


# ---------------------------------------------------------------------------------------------------- controls
def test_controls_come_from_the_schema_and_the_loaded_scenario() -> None:
    sc = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    sections = scenario_controls(sc)
    assert [s for s in sections if s.startswith("centers: ")] == [f"centers: {lv}" for lv in LEVELS]
    conv = next(c for c in sections["organizations"] if c.path == "organizations.departments")
    field = Organizations.model_fields["departments"]
    ge = next(m.ge for m in field.metadata if getattr(m, "ge", None) is not None)
    le = next(m.le for m in field.metadata if getattr(m, "le", None) is not None)
    # no plausible range declared: the slider spans part of the allowed range around the value, and says so
    assert conv.plausible is None and conv.allowed == (ge, le) and conv.value == field.default
    assert conv.lower == ge and conv.value < conv.upper < le
    assert range_text(conv) == f"allowed {ge:g}–{le:g} departments (no plausible range given)"
    # a declared plausible range is the slider's span, in words under it
    reach = next(c for c in sections["organizations"] if c.path == "organizations.mobilization_reach")
    assert reach.plausible == plausible_range(Organizations.model_fields["mobilization_reach"]) is not None
    assert (reach.lower, reach.upper) == reach.plausible
    assert range_text(reach) == "plausible 30–300 residents" and range_text(reach, "zh") == "合理范围 30–300 人"
    assert value_text(reach, 100.0) == "residents invited per activity: 100 residents"
    # every slider has a plain name in both languages (not the field name) and none is pinned at an end
    for control in (c for group in sections.values() for c in group if c.widget in ("int", "float")):
        assert control_label(control.path) != control.path.rsplit(".", 1)[-1].replace("_", " "), control.path
        if control.path in PARAMETERS:
            assert control_label(control.path, "zh") != control_label(control.path), control.path
        assert control.lower <= control.value <= control.upper, control.path
        if control.value > 0 and control.plausible is None and control.allowed is not None:
            assert control.value < control.upper or control.value == control.allowed[1], control.path
    res = {c.path.rsplit(".", 1)[1]: c for c in sections["centers: residential"]}
    assert res["count"].value == 18 and res["count"].widget == "int"
    assert res["functions"].options == FUNCTIONS and res["open_slots"].options == SLOTS
    assert res["functions"].value == ["party_building", "deliberation", "group_work", "livelihood", "culture_sports"]
    assert res["mixed_zones"].value is False
    # a level the scenario lacks starts at zero
    district = {c.path.rsplit(".", 1)[1]: c for c in sections["centers: district"]}
    assert district["count"].value == 0
    # dense.yaml gives residential stations per km²: the control edits that field
    dense = scenario_controls(load_scenario(ROOT / "scenarios" / "dense.yaml"))
    paths = [c.path for c in dense["centers: residential"]]
    assert "centers.residential.per_km2" in paths and "centers.residential.count" not in paths


def test_overrides_keep_only_changed_values_and_rebuild_the_scenario() -> None:
    path = ROOT / "scenarios" / "baseline.yaml"
    sc = load_scenario(path)
    controls = {c.path: c for group in scenario_controls(sc).values() for c in group}
    values = {
        "centers.residential.count": 25.0,
        "centers.grid.functions": ["training", "party_building"],
        "organizations.convening_per_week": 1.0,  # unchanged
        "not.a.control": 3,
    }
    changes = overrides(controls, values)
    assert changes == {"centers.residential.count": 25, "centers.grid.functions": ["party_building", "training"]}
    rebuilt = load_scenario(path, changes)
    assert rebuilt.center_count("residential") == 25
    assert rebuilt.centers["grid"].functions == ("party_building", "training")


# ---------------------------------------------------------------------------------------------------- what-if forms
def test_every_registered_intervention_has_a_form_that_builds_it() -> None:
    assert whatif.kinds() == list(REGISTRY)
    for kind in whatif.kinds():
        items = whatif.form(kind)
        assert all(i.name not in ("kind", "start_day") for i in items)
        values = whatif.defaults(kind)
        for i in items:
            if i.required and i.kind == "choices":
                values[i.name] = [i.options[0]]
            if i.name == "levels" and not values[i.name]:  # interventions on centers need a target
                values[i.name] = ["residential"]
        iv = whatif.build(kind, values, start_day=5)
        assert iv.kind == kind and iv.start_day == 5


def test_form_values_are_converted_and_checked() -> None:
    iv = whatif.build("add_centers", {"sites": (900.0, 700.0), "area_m2": "50, 80"}, start_day=3)
    assert [(s.x_m, s.y_m) for s in iv.sites] == [(900.0, 700.0)]
    assert iv.area_m2 == (50.0, 80.0)
    camp = whatif.build("mobilization_campaign", {"end_day": 10, "areas": [0, 2]}, start_day=4)
    assert camp.end_day == 13 and camp.areas == (0, 2)
    with pytest.raises(ScenarioError, match="functions"):
        whatif.build("add_functions", {}, start_day=2)
    with pytest.raises(ScenarioError, match="area_m2"):
        whatif.build("add_centers", {"area_m2": "big"}, start_day=2)


# ---------------------------------------------------------------------------------------------------- views
@pytest.fixture(scope="module")
def model(files: dict[str, Path]) -> CoGovModel:
    m = CoGovModel(load_scenario(files["small"]), seed=1)
    for _ in range(3):
        m.step()
    return m


def test_map_frames_from_the_cache_match_a_full_redraw(model: CoGovModel) -> None:
    m = copy.deepcopy(model)  # the module's model stays as it was
    ident = m.world.pop.identification
    cached = MapView()
    first = cached.render(m.world, sample=800)
    ident += RESIDENT_COLOUR_STEP / 4  # residents' colours hardly moved: their last drawing is put back
    assert np.array_equal(png_array(cached.render(m.world, sample=800)), png_array(first))
    ident[:] = np.clip(ident + 0.1, 0, 1)  # they moved: drawn again, like a full redraw
    again = cached.render(m.world, sample=800, place=(600.0, 500.0))
    assert cached.full_draws == 1  # every frame reused the static layers
    fresh = MapView().render(m.world, sample=800, place=(600.0, 500.0))
    assert np.array_equal(png_array(again), png_array(fresh)) and not np.array_equal(png_array(again), first)


def test_chart_frames_from_the_cache_match_a_full_redraw(files: dict[str, Path]) -> None:
    m = CoGovModel(load_scenario(files["small"]), seed=2)
    for _ in range(33):
        m.step()
    cached = ChartsView()
    for k in range(1, 34):  # day by day: lines and bars on the cached background, new ranges past day 30
        image = cached.render(m.world.records[:k], markers=[5] if k >= 5 else [], run=1)
    assert 2 <= cached.full_draws < 10
    fresh = ChartsView().render(m.world.records, markers=[5], run=1)
    assert np.array_equal(png_array(image), png_array(fresh))


def test_map_clicks_map_to_metres_and_back(model: CoGovModel) -> None:
    view = MapView()
    view.render(model.world)
    px, py = view.to_pixels(700.0, 1300.0)
    x, y = view.to_metres(px, py)
    assert abs(x - 700.0) < 1e-6 and abs(y - 1300.0) < 1e-6
    assert view.to_metres(2, 2) is None  # the figure's corner is outside the map


def test_charts_redraw_only_when_a_range_is_outgrown(model: CoGovModel) -> None:
    view = ChartsView()
    last = dict(model.world.records[-1])
    steady = [dict(last, day=d) for d in range(1, 12)]
    view.render(steady[:5], run=1)
    assert view.full_draws == 1
    for k in range(6, 12):  # same values, days within the first 30: lines and bars only
        view.render(steady[:k], run=1)
    assert view.full_draws == 1
    view.render(steady, markers=[4], run=1)  # a what-if marker
    assert view.full_draws == 2
    view.render([*steady, dict(last, day=12, gci=3.0)], markers=[4], run=1)  # a value above the panel's range
    assert view.full_draws == 3
    longer = [dict(last, day=d, gci=3.0) for d in range(1, 45)]
    view.render(longer, markers=[4], run=1)  # beyond the first 30 days
    assert view.full_draws == 4
    view.render(longer, markers=[4], run=2)  # a new run
    assert view.full_draws == 5
    assert nice_ceiling(0.42) == 0.5 and nice_ceiling(1.0) == 1.1 and nice_ceiling(0) == 1.0


# ---------------------------------------------------------------------------------------------------- twin
def test_a_twin_without_a_what_if_stays_identical_day_by_day(files: dict[str, Path]) -> None:
    model = CoGovModel(load_scenario(files["small"]), seed=7)
    for _ in range(3):
        model.step()
    twin = Twin.start(model)
    assert twin.model.world is not model.world and twin.start_day == 3
    for _ in range(8):
        model.step()
        twin.catch_up(model.day)
        assert twin.model.day == model.day
        assert same_records(model.world.records[-1], twin.records[-1]), model.day
    assert np.array_equal(model.world.pop.identification, twin.model.world.pop.identification)
    assert (differences(model.world.records, twin.records).drop(columns="day").abs().to_numpy() == 0).all()


def test_a_what_if_makes_the_arms_differ_and_exports_a_file_that_validates(catalog: Catalog, tmp_path: Path) -> None:
    session = Session(catalog)
    session.build(changes={"days": 20})
    session.advance(3)
    session.apply("close_centers", {"levels": ["residential"], "select": "most_visited", "count": 6})
    assert session.twin is not None and session.twin.start_day == 3 and not session.twin.model.interventions
    open_main = session.model.world.centers.active.sum()
    assert session.twin.model.world.centers.active.sum() == open_main + 6  # the twin is the run without it
    frame = session.advance(4)
    assert frame.twin is not None and frame.twin["centers_open"] == frame.numbers["centers_open"] + 6
    same_until = [same_records(a, b) for a, b in zip(session.model.world.records, session.twin.records, strict=True)]
    assert same_until[:3] == [True] * 3 and not any(same_until[3:])  # identical up to the what-if, then not
    diff = differences(session.model.world.records, session.twin.records)
    assert (diff.loc[diff["day"] > 3, "visits"] != 0).any() and (diff.loc[diff["day"] <= 3, "visits"] == 0).all()
    # the session as a what-if file: the same scenario, seed and what-if, from the day after it was applied
    path = tmp_path / "session.yaml"
    path.write_text(session.whatif_yaml())
    loaded = load_whatif(path)
    assert loaded.days == 20 and loaded.spec.seed == 1 and loaded.spec.overrides == {"days": 20}
    assert loaded.base_hash == session.model.world.scenario.hash()
    (policy,) = loaded.policies
    assert policy.to_data() == [session.applied[0].data] and policy.start_day == 4
    assert policy.description == "close centers: levels residential; select most_visited; count 6"


# ---------------------------------------------------------------------------------------------------- session
def test_session_steps_applies_a_station_and_exports(catalog: Catalog) -> None:
    session = Session(catalog)
    frame = session.build()
    assert frame.scenario == "small" and frame.day == 0 and frame.numbers["visits"] == 0
    frame = session.advance(2)
    assert frame.day == 2 and frame.numbers["visits"] > 0 and "visits" in frame.deltas
    before = len(session.model.world.centers)
    applied = session.apply("add_centers", {"sites": (1000.0, 600.0), "level": "residential"})
    assert applied.day == 2 and applied.opened == (before,)
    redrawn = session.frame()  # same day: the day's changes stay, the new station counts
    assert redrawn.deltas["visits"] == frame.deltas["visits"] and redrawn.deltas["centers_open"] == 1
    c = session.model.world.centers
    assert (c.x[before], c.y[before]) == (1000.0, 600.0) and c.active[before]
    frame = session.advance(1)
    assert frame.opened == 1 and frame.numbers["centers_open"] == before + 1
    text_csv = session.timeseries_csv()
    meta = dict(line[2:].split(": ", 1) for line in text_csv.splitlines() if line.startswith("# "))
    assert json.loads(meta["seed"]) == 1 and json.loads(meta["scenario"]) == "small"
    assert json.loads(meta["scenario_hash"]) == session.model.world.scenario.hash()
    assert json.loads(meta["model_fingerprint"]) == model_fingerprint() and json.loads(meta["twin_from_day"]) == 2
    assert json.loads(meta["whatifs"]) == [{"applied_on_day": 2, **applied.data}]
    table = pd.read_csv(io.StringIO(text_csv), comment="#")
    assert list(table.columns[:2]) == ["day", "visits"] and table.columns[-1] == "arm"
    assert table.groupby("arm")["day"].apply(list).to_dict() == {"baseline": [1, 2, 3], "session": [1, 2, 3]}
    png = session.map_png(dpi=60)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert session.export_name("map.png") == "small_seed1_map.png"


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml")))
def test_every_shipped_scenario_runs_and_draws(name: str) -> None:
    session = Session(Catalog.build())
    session.build(name, {"population.sample_fraction": 0.02})
    frame = session.advance(2)
    assert frame.scenario == name and frame.day == 2
    assert frame.numbers["centers_open"] == size_terms(session.model.world.scenario)["centers"][1]
    for view in ("map", "charts", "network"):
        assert png_array(frame.images[view]).std() > 10  # a drawing, not a blank image


def test_session_rejects_bad_input_and_keeps_the_running_model(catalog: Catalog) -> None:
    session = Session(catalog)
    session.build()
    model = session.model
    with pytest.raises(ScenarioError, match="functions"):
        session.build(changes={"centers.grid.functions": []})
    with pytest.raises(ScenarioError):
        session.apply("close_centers", {"levels": ["district"]})  # this place has no district center
    assert session.model is model and session.applied == []


def test_a_timed_what_if_is_undone_after_its_last_day(catalog: Catalog) -> None:
    session = Session(catalog)
    session.build()
    session.advance(1)
    party = [o for o in session.model.world.orgs if o.kind == "party"]
    assert all(o.convening for o in party)
    session.apply("withdraw_party_convening", {"end_day": 2})  # days 2 and 3
    assert not any(o.convening for o in party)
    session.advance(2)
    assert session.model.day == 3 and not any(o.convening for o in party)
    session.advance(1)
    assert all(o.convening for o in party)
    assert (4, "withdraw_party_convening: Party organizations convene again") in session.model.world.intervention_log


# ---------------------------------------------------------------------------------------------------- components
@solara.component
def Harness(catalog: Catalog, holder: dict):  # noqa: N802 - a Solara component
    """The page's sidebar and main area (the page itself puts the sidebar in Solara's app layout)."""
    state = use_app_state(catalog)
    holder["state"] = state
    app.Sidebar(state)
    app.Main(state)


@pytest.fixture
def rendered(catalog: Catalog):
    """The sidebar and main area of the page with their state, rendered with real widgets."""
    holder: dict[str, State] = {}
    _, rc = solara.render(Harness(catalog, holder), handle_error=False)
    state = holder["state"]
    wait_for(lambda: state.frame.value is not None and not state.building.value)
    wait_for(lambda: not rc.find(v.Btn, children=["Apply now"]).widget.disabled)  # the page shows the built model
    yield rc, holder
    holder["state"].playing.set(False)
    rc.close()


def click(rc, name: str) -> None:
    """Click a button as the browser does; a button being re-rendered that moment is clicked once it is back."""
    end = time.monotonic() + 10
    while True:
        try:
            rc.find(v.Btn, children=[name]).widget.click()
            return
        except (ValueError, AssertionError):  # its click listener is re-attached, or the button is replaced
            if time.monotonic() > end:
                raise
            time.sleep(0.05)


def number(rc, key: str) -> str:
    """A number of the day as the page shows it (the panel is one HTML widget, updated in place)."""
    (panel,) = [w for w in rc.find(ipywidgets.HTML).widgets if "cogov-day-panel" in w._dom_classes]
    found = re.search(f'cogov-num-{key}">.*?<span class="cogov-value">(.*?)</span>', panel.value)
    assert found is not None, panel.value
    return html.unescape(found.group(1))


def test_step_play_and_pause_advance_the_day_counter(rendered) -> None:
    rc, holder = rendered
    assert number(rc, "day") == "0" and number(rc, "visits") == "0"
    assert {w._dom_classes[-1] for w in rc.find(ipywidgets.Image).widgets} == {"cogov-map"}  # the map tab
    assert holder["state"].session.shown == frozenset({"map"})  # only the view on screen is drawn
    click(rc, "Step")
    wait_for(lambda: number(rc, "day") == "1")
    assert number(rc, "visits") != "0"
    # the day went to the live widgets only: no render pass of the page (the map tab does not read the day)
    assert (
        holder["state"].frame.value.day == 0
        and holder["state"].images["map"] == holder["state"].live.images["map"].value
    )
    click(rc, "Play")
    wait_for(lambda: int(number(rc, "day")) >= 4)
    click(rc, "Pause")
    state = holder["state"]
    wait_for(lambda: not state.playing.value)
    with state.session.lock:  # a day under way when Pause was pressed is finished and shown
        final = state.session.model.day
    wait_for(lambda: number(rc, "day") == str(final))
    time.sleep(0.6)
    assert state.session.model.day == final and number(rc, "day") == str(final)  # paused
    rc.find(v.Btn, children=["Play"]).assert_single()
    assert threading.active_count() < 50


def test_a_changed_control_applies_on_reset(rendered) -> None:
    rc, holder = rendered
    state = holder["state"]
    assert number(rc, "centers-open") == "38"
    slider = rc.find(v.Html, class_="cogov-control cogov-ctl-centers-residential-count").find(v.Slider)
    slider.widget.v_model = 21
    wait_for(lambda: rc.find(v.Html, class_="cogov-help cogov-pending").widgets != [])
    pending = rc.find(v.Html, class_="cogov-help cogov-pending").widget.children[0]
    assert "centers.residential.count = 21" in pending
    assert number(rc, "centers-open") == "38"  # not before Reset
    click(rc, "Reset")
    wait_for(lambda: state.session.run == 2 and not state.building.value)
    wait_for(lambda: number(rc, "centers-open") == "41")
    assert state.session.changes == {"centers.residential.count": 21}


def test_an_invalid_change_is_reported_and_the_run_kept(rendered) -> None:
    rc, holder = rendered
    state = holder["state"]
    click(rc, "Step")
    wait_for(lambda: number(rc, "day") == "1")
    state.values.set({"centers.grid.functions": []})  # a center level needs at least one function zone
    click(rc, "Reset")
    wait_for(lambda: state.error.value is not None and not state.building.value)
    alert = rc.find(v.Alert).widget
    assert "could not build the model" in str(alert.children) and "centers.grid.functions" in str(alert.children)
    assert number(rc, "day") == "1" and state.session.run == 1  # the running model is kept


def test_switching_scenario_builds_the_other_file(rendered, catalog: Catalog) -> None:
    rc, holder = rendered
    state = holder["state"]
    picker = rc.find(v.Select, label="scenario").widget
    assert picker.items == catalog.names
    picker.v_model = "small_dense"
    wait_for(lambda: state.session.name == "small_dense" and not state.building.value)
    expected = sum(load_scenario(catalog.path("small_dense")).center_count(lv) for lv in LEVELS)
    wait_for(lambda: number(rc, "centers-open") == str(expected))
    assert expected != 38
    description = rc.find(v.Html, class_="cogov-help", children=["dense at 3% of the people (test)"])
    description.assert_single()


def test_what_if_panel_opens_a_station_and_marks_the_charts(rendered) -> None:
    rc, holder = rendered
    state = holder["state"]
    click(rc, "Step")
    wait_for(lambda: number(rc, "day") == "1")
    assert rc.find(v.Select, label="intervention").widget.v_model == "open new centers"
    x = rc.find(v.TextField, label="x (m)").widget
    x.v_model = "650"
    click(rc, "Apply now")
    caption = rc.find(v.Html, class_="cogov-caption cogov-map-caption")
    wait_for(lambda: "1 opened by what-ifs" in caption.widget.children[0])
    c = state.session.model.world.centers
    assert (c.x[-1], c.y[-1]) == (650.0, 1000.0)
    message = rc.find(v.Html, class_="cogov-help cogov-whatif-message").widget.children[0]
    assert message == ("day 1: open new centers: at (650, 1000) m · acts from day 2 · twin run without it started"
                       " on day 1")  # fmt: skip
    state.show_tab("charts")  # the charts: both runs, the markers in words
    wait_for(lambda: rc.find(v.Html, class_="cogov-caption cogov-markers").widgets != [])
    markers = rc.find(v.Html, class_="cogov-caption cogov-markers").widget.children[0]
    assert markers == "what-if markers: day 1 (open new centers)"
    assert {w._dom_classes[-1] for w in rc.find(ipywidgets.Image).widgets} == {"cogov-charts"}
    state.show_tab("diff")
    wait_for(lambda: rc.find(v.Html, class_="cogov-caption cogov-diff-markers").widgets != [])
    assert "diff" in state.frame.value.images and state.frame.value.twin is not None


def test_what_if_panel_reports_an_invalid_intervention(rendered) -> None:
    rc, holder = rendered
    rc.find(v.Select, label="intervention").widget.v_model = "add function zones"
    wait_for(lambda: holder["state"].kind.value == "add_functions")
    help_text = whatif.describe_kind(REGISTRY["add_functions"])
    wait_for(lambda: len(rc.find(v.Html, class_="cogov-help", children=[help_text]).widgets) == 1)
    assert whatif.describe_kind(REGISTRY["add_functions"], "zh") == "为选定的中心增加功能区。"
    click(rc, "Apply now")

    def message() -> str:
        found = rc.find(v.Html, class_="cogov-help cogov-whatif-message").widgets
        return found[0].children[0] if found else ""

    wait_for(lambda: message().startswith("not applied:"))
    assert "functions" in message()
    assert holder["state"].session.applied == []


def test_exports_download_the_time_series_and_the_map(rendered) -> None:
    rc, _ = rendered
    click(rc, "Step")
    wait_for(lambda: number(rc, "day") == "1")
    downloads = {w.filename: w for w in rc.find(FileDownloadWidget).widgets}
    assert set(downloads) == {"small_seed1_timeseries.csv", "small_seed1_map.png"}
    csv, png = downloads["small_seed1_timeseries.csv"], downloads["small_seed1_map.png"]
    csv.request_download = True  # what the browser does on a click
    png.request_download = True
    wait_for(lambda: bool(csv.bytes) and bool(png.bytes))
    table = pd.read_csv(io.BytesIO(csv.bytes), comment="#")
    assert list(table["day"]) == [1] and list(table["arm"]) == ["baseline"]
    assert png.bytes[:8] == b"\x89PNG\r\n\x1a\n"
    help_line = rc.find(v.Html, class_="cogov-help", children=[text("app.whatif_file.help")])
    help_line.assert_single()  # no what-if file before a what-if is applied


def test_a_center_and_an_organization_are_inspected_in_words(catalog: Catalog) -> None:
    session = Session(catalog)
    session.build(seed=4)
    session.advance(3)
    world = session.model.world
    today = np.asarray(world.today.center)
    busiest = int(np.bincount(today).argmax())
    assert inspect.nearest_center(world, world.centers.x[busiest] + 5, world.centers.y[busiest], 20) == busiest
    sections = dict(inspect.center_sections(world, busiest))
    shown = sum(float(row.split(": ")[1].replace(",", "")) for row in sections["visits today, by segment"][:-1])
    # every visit of the day, by segment (each count shown rounded to a whole person)
    assert shown == pytest.approx((today == busiest).sum() * world.scale, abs=len(sections["visits today, by segment"]))
    px, py = session.views.map.to_pixels(world.centers.x[busiest], world.centers.y[busiest])
    assert session.center_at(px + 3, py) == busiest
    party = world.orgs[0]
    org = dict(inspect.org_sections(world, party.node, "zh"))
    assert inspect.org_line(party, "zh") in org and "共建协议与联盟" in org
    assert any(row.startswith("发起 ") for row in org[inspect.org_line(party, "zh")])


def test_what_ifs_are_named_and_confirmed_in_words() -> None:
    assert whatif.kind_name("add_centers") == "open new centers" and whatif.kind_name("add_centers", "zh") == "新增中心"
    data = whatif.to_data("close_centers", {"levels": ["residential"], "areas": [0, 2], "end_day": 5}, 4)
    assert (
        whatif.in_words("close_centers", data)
        == "close centers: levels residential; residential areas RA1, RA3; for 5 days"
    )
    zh = whatif.in_words("close_centers", data, "zh")
    assert zh.startswith("关闭中心：") and text("map.area", "zh", k=1) in zh and "(" not in zh
    for kind in whatif.kinds():  # areas and centers are asked for as the map shows them, never as 0-based indices
        for item in whatif.form(kind):
            assert "0-based" not in whatif.input_label(item) + whatif.input_hint(item), (kind, item.name)
