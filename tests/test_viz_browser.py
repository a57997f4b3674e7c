"""The browser app in a real headless Chromium: ``cogov viz`` serves it, Playwright uses it like a person would.

Debian's ``/usr/bin/chromium`` is driven by Playwright (``.ci/run`` installs it). The server gets two small
scenario files on its command line (5% of the people of the shipped baseline and dense streets, 20 days), so the
test runs in about a minute; the shipped files are in the picker too. The page is the size of a 1366×768 laptop
screen: the numbers, the tabs and the what-if form must be on it without scrolling. A what-if applied starts the
twin run: the test finds it on the charts and in the difference tab, exports the session as a what-if file and
runs ``cogov whatif`` on it. At the end it opens the shipped baseline (every person simulated) and times five
Steps in the page (from the click to the new day's number; printed, not asserted: the machine is shared).
Screenshots go to ``test-artifacts/viz/``; one shows the page switched to Chinese. Chromium finds the CJK font
the project depends on (the ``noto-cjk-sans-otc`` package) through a fontconfig file that adds its folder, so no
system font is needed.
"""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from PIL import Image
from playwright.sync_api import Page, expect

from cogov_sim.plotting import bundled_font
from cogov_sim.scenario import LEVELS, Organizations, load_scenario
from cogov_sim.viz.render.diff import DIFF_COLOR

DIFF_RGB = tuple(int(DIFF_COLOR[k : k + 2], 16) for k in (1, 3, 5))
"""The colour of the difference lines."""

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "viz"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
# pytest-playwright's own base_url fixture triggers this deprecation warning of pytest 9
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning")


def fontconfig_file(folder: Path) -> Path:
    """A fontconfig file: the system's configuration plus the folder of the project's CJK font."""
    font = bundled_font()
    assert font is not None, "the CJK font package (noto-cjk-sans-otc) is not installed"
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{Path(font).parent}</dir>\n  <cachedir>{folder / 'cache'}</cachedir>\n</fontconfig>\n"
    )
    return conf


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Debian's Chromium with flags for a root user without network (see STACK.md), and the CJK font."""
    env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig_file(tmp_path_factory.mktemp("fonts")))}
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "env": env}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": SCREEN[0], "height": SCREEN[1]}, "accept_downloads": True}


SCREEN = (1366, 768)
"""A common laptop screen: the page must be usable at this size."""

SMALL_DAYS = 10
"""Days of the small scenario files (the exported what-if file reruns them)."""

STEP_JS = """(day) => new Promise(resolve => {
    const t0 = performance.now();
    const done = () => {
        const el = document.querySelector('.cogov-num-day .cogov-value');
        return el !== null && el.innerText.trim() === String(day);
    };
    const watch = new MutationObserver(() => { if (done()) { watch.disconnect(); resolve(performance.now() - t0); } });
    watch.observe(document.body, {subtree: true, childList: true, characterData: true});
    document.querySelector('.cogov-step').click();
})"""
"""Click Step in the page and resolve with the milliseconds until the day counter shows ``day``."""


def small_file(folder: Path, name: str, source: str, fraction: float = 0.05) -> Path:
    data = yaml.safe_load((ROOT / "scenarios" / f"{source}.yaml").read_text())
    data.update(name=name, description=f"{source} street at {fraction:.0%} of the people (browser test)")
    data["days"] = SMALL_DAYS
    data["population"]["sample_fraction"] = fraction
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as in /proc/net/tcp*) of the sockets listening on ``port``."""
    out = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                out.add(address)
    return out


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """``cogov viz`` on a free port with two small scenario files; stopped (with its Solara server) at the end."""
    folder = tmp_path_factory.mktemp("viz_browser")
    files = {"street_small": small_file(folder, "street_small", "baseline"),
             "dense_small": small_file(folder, "dense_small", "dense")}  # fmt: skip
    port = free_port()
    cogov = Path(sys.executable).with_name("cogov")
    cmd = [str(cogov), "viz", "--port", str(port)] + [a for f in files.values() for a in ("--scenario", str(f))]
    log_path = folder / "server.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=folder, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"cogov viz exited with {proc.returncode}:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"cogov viz did not answer in 90 s:\n{log_path.read_text()}")
            time.sleep(0.3)
        yield {"url": url, "port": port, "files": files, "log": log_path}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def marker_pixels(png: bytes) -> np.ndarray:
    """Mask of the pixels in the what-if marker colour."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return (r > 170) & (g < 90) & (b > 70) & (b < 190) & (r - g > 120)


def marker_columns(png: bytes, run: int = 40) -> int:
    """Image columns holding at least ``run`` marker-coloured pixels: the dashed vertical what-if lines."""
    return int((marker_pixels(png).sum(axis=0) >= run).sum())


def ring_pixels(png: bytes, cx: float, cy: float) -> int:
    """Marker-coloured pixels around (cx, cy) but off the vertical and horizontal arms of the chosen-place cross."""
    mask = marker_pixels(png)
    yy, xx = np.indices(mask.shape)
    dx, dy = np.abs(xx - cx), np.abs(yy - cy)
    return int((mask & (dx > 3.5) & (dy > 3.5) & (np.hypot(dx, dy) <= 16)).sum())


def colour_pixels(png: bytes, rgb: tuple[int, int, int], tolerance: int = 40) -> int:
    """Pixels within ``tolerance`` (each channel) of a colour."""
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return int((np.abs(image - np.array(rgb)).max(axis=-1) <= tolerance).sum())


def on_screen(page: Page, selector: str) -> bool:
    """Whether the element is wholly inside the window as it is (no scrolling)."""
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= SCREEN[0] \
        and box["y"] + box["height"] <= SCREEN[1]  # fmt: skip


def number(page: Page, key: str) -> str:
    return page.locator(f".cogov-num-{key} .cogov-value").inner_text()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_the_app_in_a_real_browser(page: Page, server: dict, tmp_path: Path) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.set_default_timeout(60_000)
    expect.set_options(timeout=60_000)

    # only this machine can connect
    assert listening_addresses(server["port"]) == {"0100007F"}  # 127.0.0.1

    # the page at 1366×768: the numbers, the tabs and the what-if form on screen without scrolling
    page.goto(server["url"])
    expect(page.locator("img.cogov-map")).to_be_visible()
    expect(page.locator(".cogov-building")).to_have_count(0)
    assert number(page, "day") == "0" and number(page, "visits") == "0"
    assert number(page, "centers-open") == "38"
    for selector in (".cogov-num-gci", ".cogov-tab-charts", ".cogov-tab-diff", ".cogov-kind", ".cogov-apply"):
        assert on_screen(page, selector), selector
    shot(page, "01-loaded-1366x768")

    # Step: the day counter and today's numbers change
    page.get_by_role("button", name="Step").click()
    expect(page.locator(".cogov-num-day .cogov-value")).to_have_text("1")
    assert number(page, "visits") != "0"
    shot(page, "02-stepped")

    # Play for a few seconds, then Pause: the days run, then stop
    page.get_by_role("button", name="Play").click()
    page.wait_for_timeout(2500)
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Play")).to_be_visible()
    page.wait_for_timeout(1200)  # a day under way when Pause was pressed is finished and shown
    played = int(number(page, "day"))
    assert played >= 3
    page.wait_for_timeout(1200)
    assert int(number(page, "day")) == played

    # a slider with its plain name, value and plausible range; change one (residential stations 18 -> 20), Reset
    reach = page.locator(".cogov-section")
    reach.click()
    page.get_by_role("option", name="organizations", exact=True).click()
    expect(page.locator(".cogov-ctl-organizations-mobilization-reach .cogov-control-label")).to_have_text(
        f"residents invited per activity: {Organizations.model_fields['mobilization_reach'].default:g} residents"
    )
    expect(page.locator(".cogov-ctl-organizations-mobilization-reach .cogov-range")).to_have_text(
        "plausible 30–300 residents"
    )
    reach.click()
    page.get_by_role("option", name="centers: residential", exact=True).click()
    slider = page.locator(".cogov-ctl-centers-residential-count [role=slider]")
    slider.focus()
    slider.press("ArrowRight")
    slider.press("ArrowRight")
    expect(page.locator(".cogov-ctl-centers-residential-count .cogov-control-label")).to_have_text(
        "residential centers: 20"
    )
    expect(page.locator(".cogov-pending")).to_contain_text("centers.residential.count = 20")
    page.get_by_role("button", name="Reset").click()
    expect(page.locator(".cogov-num-centers-open .cogov-value")).to_have_text("40")
    expect(page.locator(".cogov-map-caption")).to_contain_text("40 centers open")
    expect(page.locator(".cogov-building")).to_have_count(0)
    assert number(page, "day") == "0"
    expect(page.locator(".cogov-pending")).to_have_count(0)  # the change is now the running configuration
    shot(page, "03-reset-with-20-stations")

    # switch scenario
    dense = load_scenario(server["files"]["dense_small"])
    dense_centers = sum(dense.center_count(level) for level in LEVELS)
    page.locator(".cogov-scenario").click()
    page.get_by_role("option", name="dense_small", exact=True).click()
    expect(page.get_by_text("dense street at 5% of the people (browser test)")).to_be_visible()
    expect(page.locator(".cogov-num-centers-open .cogov-value")).to_have_text(str(dense_centers))
    expect(page.locator(".cogov-map-caption")).to_contain_text(f"{dense_centers} centers open")
    expect(page.locator(".cogov-building")).to_have_count(0)

    # what-if: choose a place on the map with a click, open a station there, see it, its marker and the twin run
    for day in ("1", "2"):
        page.get_by_role("button", name="Step").click()
        expect(page.locator(".cogov-num-day .cogov-value")).to_have_text(day)
    page.locator(".cogov-tab-charts").click()
    expect(page.locator("img.cogov-charts")).to_be_visible()
    page.wait_for_timeout(500)
    assert marker_columns(page.locator("img.cogov-charts").screenshot()) == 0
    page.locator(".cogov-tab-map").click()
    expect(page.locator("img.cogov-map")).to_be_visible()
    box = page.locator("img.cogov-map").bounding_box()
    cx, cy = round(box["width"] * 0.3), round(box["height"] * 0.35)
    page.locator("img.cogov-map").click(position={"x": cx, "y": cy})
    expect(page.locator(".cogov-site-x input")).not_to_have_value("1200.0")
    expect(page.locator(".cogov-site-y input")).not_to_have_value("1000.0")  # both inputs follow the click
    x, y = (float(page.locator(f".cogov-site-{a} input").input_value()) for a in "xy")
    assert 0 < x < 1200 and 1000 < y < 2000  # left of the middle, in the upper half
    page.wait_for_timeout(500)
    before = ring_pixels(page.locator("img.cogov-map").screenshot(), cx, cy)
    assert before <= 3  # only the cross so far
    expect(page.locator(".cogov-num-twin")).to_have_count(0)  # no twin run before a what-if
    page.get_by_role("button", name="Apply now").click()
    expect(page.locator(".cogov-map-caption")).to_contain_text("1 opened by what-ifs")
    message = page.locator(".cogov-whatif-message")
    expect(message).to_contain_text(f"day 2: open new centers: at ({round(x)}, {round(y)}) m · acts from day 3")
    expect(message).to_contain_text("twin run without it started on day 2")
    assert "(" not in message.inner_text().split("·")[0].split("open new centers")[0]  # no Python repr
    assert number(page, "centers-open") == str(dense_centers + 1)
    expect(page.locator(".cogov-num-twin")).to_have_count(7)  # the twin's value beside every number but the day
    expect(page.locator(".cogov-num-centers-open .cogov-num-twin")).to_have_text(f"without: {dense_centers}")
    page.wait_for_timeout(500)
    assert ring_pixels(page.locator("img.cogov-map").screenshot(), cx, cy) >= before + 10  # the new station's ring
    for day in ("3", "4", "5"):
        page.get_by_role("button", name="Step").click()
        expect(page.locator(".cogov-num-day .cogov-value")).to_have_text(day)
    shot(page, "04-what-if-applied")
    page.locator(".cogov-whatif").screenshot(path=str(ARTIFACTS / "05-what-if-panel.png"))

    # the charts: both runs (the twin dotted, said under them) and the what-if's day; the difference tab: its lines
    page.locator(".cogov-tab-charts").click()
    expect(page.locator(".cogov-markers")).to_have_text("what-if markers: day 2 (open new centers)")
    expect(page.locator(".cogov-arms")).to_contain_text("dotted: the twin run without them")
    page.wait_for_timeout(500)
    charts = page.locator("img.cogov-charts").screenshot(path=str(ARTIFACTS / "06-charts.png"))
    assert marker_columns(charts) >= 4  # the dashed line on each panel
    shot(page, "06-charts-both-runs")
    page.locator(".cogov-tab-diff").click()
    expect(page.locator("img.cogov-diff")).to_be_visible()
    page.wait_for_timeout(800)
    assert colour_pixels(page.locator("img.cogov-diff").screenshot(), DIFF_RGB) > 200  # the difference lines
    shot(page, "07-difference")
    # the network: ties counted by type pair beside the drawing, the organizations without a tie counted
    page.locator(".cogov-tab-network").click()
    expect(page.locator("img.cogov-network")).to_be_visible()
    expect(page.locator(".cogov-pairs")).to_contain_text("ties between organizations by type pair")
    expect(page.locator(".cogov-pairs")).to_contain_text("organizations without a tie to another organization")
    # the map coloured by the difference from the twin
    page.locator(".cogov-tab-map").click()
    page.locator(".cogov-map-mode").get_by_role("button", name="difference from the twin run").click()
    expect(page.locator(".cogov-map")).to_be_visible()
    page.wait_for_timeout(800)
    shot(page, "08-map-difference")

    # inspect the new station: a click on it in "inspect" mode opens the Inspect tab
    page.locator(".cogov-click-mode").get_by_role("button", name="a click inspects a center").click()
    page.locator("img.cogov-map").click(position={"x": cx, "y": cy})
    expect(page.locator(".cogov-inspect-title")).to_contain_text("residential center")
    expect(page.locator(".cogov-inspect")).to_contain_text("visits today, by segment")
    expect(page.locator(".cogov-inspect")).to_contain_text("organizations present today")
    shot(page, "09-inspect")

    # export: the time series of both runs with their metadata, the map, and the session as a what-if file
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="time series (CSV)").click()
    assert csv_download.value.suggested_filename == "dense_small_seed1_timeseries.csv"
    text_csv = Path(csv_download.value.path()).read_text()
    meta = dict(line[2:].split(": ", 1) for line in text_csv.splitlines() if line.startswith("# "))
    assert {"seed", "scenario", "scenario_hash", "model_fingerprint", "version", "overrides", "whatifs"} <= set(meta)
    assert json.loads(meta["whatifs"])[0]["applied_on_day"] == 2 and json.loads(meta["seed"]) == 1
    table = pd.read_csv(io.StringIO(text_csv), comment="#")
    assert table.groupby("arm")["day"].max().to_dict() == {"baseline": 5, "session": 5}
    with page.expect_download() as png_download:
        page.get_by_role("button", name="map (PNG)").click()
    png_download.value.save_as(ARTIFACTS / "10-exported-map.png")
    assert (ARTIFACTS / "10-exported-map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    replications = page.locator(".cogov-replications input")
    replications.fill("2")
    replications.press("Enter")
    expect(page.get_by_role("button", name="session as a what-if file (YAML, 2 replications)")).to_be_visible()
    with page.expect_download() as yaml_download:
        page.get_by_role("button", name="session as a what-if file (YAML, 2 replications)").click()
    exported = tmp_path / yaml_download.value.suggested_filename
    yaml_download.value.save_as(exported)
    assert exported.name == "dense_small_seed1_whatif.yaml"
    # `cogov whatif` reruns the exported file while the page goes on (it is waited for before the Steps are timed)
    out = tmp_path / "rerun"
    cogov = Path(sys.executable).with_name("cogov")
    rerun = subprocess.Popen([str(cogov), "whatif", str(exported), "--out", str(out), "--workers", "2", "--quiet"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip

    # the page in Chinese: labels, buttons, captions and the server-drawn charts switch
    page.locator(".cogov-tab-charts").click()
    page.wait_for_timeout(500)
    charts_en = np.asarray(Image.open(io.BytesIO(page.locator("img.cogov-charts").screenshot())).convert("L"))
    page.locator(".cogov-lang").get_by_role("button", name="中文").click()
    expect(page.get_by_role("button", name="单步")).to_be_visible()
    expect(page.get_by_role("button", name="重置")).to_be_visible()
    expect(page.locator(".cogov-num-day .cogov-num-label")).to_have_text("天数")
    expect(page.locator(".cogov-markers")).to_have_text("政策模拟标记：第 2 天（新增中心）")
    expect(page.get_by_text("政策模拟：立即应用")).to_be_visible()
    expect(page.locator(".cogov-whatif-message")).to_contain_text(
        f"第 2 天：新增中心：位于（{round(x)}, {round(y)}）米"
    )
    expect(page.locator(".cogov-section")).to_contain_text("中心：居民区站点")
    page.wait_for_timeout(800)
    charts_zh = np.asarray(Image.open(io.BytesIO(page.locator("img.cogov-charts").screenshot())).convert("L"))
    assert charts_zh.shape == charts_en.shape and (charts_zh != charts_en).mean() > 0.001  # drawn again, in Chinese
    shown = page.locator("body").inner_text()
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in shown) > 100, shown[:500]
    shot(page, "11-chinese")
    page.get_by_role("button", name="单步").click()
    expect(page.locator(".cogov-num-day .cogov-value")).to_have_text("6")
    page.locator(".cogov-lang").get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="Step")).to_be_visible()

    # a Step on the shipped baseline (every person simulated), timed in the page from the click to the new day
    page.locator(".cogov-tab-map").click()
    page.locator(".cogov-scenario").click()
    page.get_by_role("option", name="baseline", exact=True).click()
    expect(page.locator(".cogov-num-centers-open .cogov-value")).to_have_text("38", timeout=120_000)
    expect(page.locator(".cogov-building")).to_have_count(0)
    expect(page.get_by_role("button", name="Step")).to_be_enabled()

    # the exported session, rerun: it ran, with the session's policy against the baseline
    output = rerun.communicate(timeout=240)[0]
    assert rerun.returncode == 0, output
    effects = pd.read_csv(out / "effects.csv")
    assert set(effects["policy"]) == {"session"} and (out / "report.md").read_text().startswith("# What-if:")
    print(f"\ncogov whatif on the exported session: {output.strip().splitlines()[-1]}")
    times = []
    for day in range(1, 7):
        times.append(page.evaluate(STEP_JS, day) / 1000)
        page.wait_for_timeout(200)
    steps = times[1:]  # the first Step of a run also loads the caches of its first drawing
    print(f"\nStep on the baseline in the browser: median {np.median(steps):.3f} s, max {max(steps):.3f} s "
          f"(each: {', '.join(f'{t:.3f}' for t in steps)}; first {times[0]:.3f} s; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")  # fmt: skip
    assert number(page, "day") == "6"

    assert problems == [], "\n".join(problems)
