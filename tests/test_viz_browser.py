"""The browser app in a real headless Chromium: ``cogov viz`` serves it, Playwright uses it like a person would.

Debian's ``/usr/bin/chromium`` is driven by Playwright (``.ci/run`` installs it). The server gets two small
scenario files on its command line (5% of the people of the shipped baseline and dense streets), so the test runs
in well under a minute; the shipped files are in the picker too. Screenshots go to ``test-artifacts/viz/``; the
last one shows the page switched to Chinese. Chromium finds the CJK font the project depends on (the
``noto-cjk-sans-otc`` package) through a fontconfig file that adds its folder, so no system font is needed.
"""

from __future__ import annotations

import io
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
import pytest
import yaml
from PIL import Image
from playwright.sync_api import Page, expect

from cogov_sim.plotting import bundled_font
from cogov_sim.scenario import LEVELS, load_scenario

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
    return {**browser_context_args, "viewport": {"width": 1920, "height": 1200}}


def small_file(folder: Path, name: str, source: str, fraction: float = 0.05) -> Path:
    data = yaml.safe_load((ROOT / "scenarios" / f"{source}.yaml").read_text())
    data.update(name=name, description=f"{source} street at {fraction:.0%} of the people (browser test)")
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


def number(page: Page, key: str) -> str:
    return page.locator(f".cogov-num-{key} .cogov-value").inner_text()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_the_app_in_a_real_browser(page: Page, server: dict) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.set_default_timeout(60_000)
    expect.set_options(timeout=60_000)

    # only this machine can connect
    assert listening_addresses(server["port"]) == {"0100007F"}  # 127.0.0.1

    # the page, the map and the charts
    page.goto(server["url"])
    expect(page.locator("img.cogov-map")).to_be_visible()
    expect(page.locator("img.cogov-charts")).to_be_visible()
    expect(page.locator("img.cogov-network")).to_be_visible()
    expect(page.locator(".cogov-building")).to_have_count(0)
    assert number(page, "day") == "0" and number(page, "visits") == "0"
    assert number(page, "centers-open") == "38"
    shot(page, "01-loaded")

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
    shot(page, "03-played")

    # change a slider (residential stations 18 -> 20) and Reset: a new run with two more centers
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
    shot(page, "04-reset-with-20-stations")

    # switch scenario
    dense = load_scenario(server["files"]["dense_small"])
    dense_centers = sum(dense.center_count(level) for level in LEVELS)
    page.locator(".cogov-scenario").click()
    page.get_by_role("option", name="dense_small", exact=True).click()
    expect(page.get_by_text("dense street at 5% of the people (browser test)")).to_be_visible()
    expect(page.locator(".cogov-num-centers-open .cogov-value")).to_have_text(str(dense_centers))
    expect(page.locator(".cogov-map-caption")).to_contain_text(f"{dense_centers} centers open")
    expect(page.locator(".cogov-building")).to_have_count(0)
    shot(page, "05-other-scenario")

    # what-if: choose a place on the map with a click, open a station there, see it and its marker
    for day in ("1", "2"):
        page.get_by_role("button", name="Step").click()
        expect(page.locator(".cogov-num-day .cogov-value")).to_have_text(day)
    assert marker_columns(page.locator("img.cogov-charts").screenshot()) == 0
    box = page.locator("img.cogov-map").bounding_box()
    cx, cy = round(box["width"] * 0.3), round(box["height"] * 0.35)
    page.locator("img.cogov-map").click(position={"x": cx, "y": cy})
    expect(page.locator(".cogov-site-x input")).not_to_have_value("1200.0")
    x, y = (float(page.locator(f".cogov-site-{a} input").input_value()) for a in "xy")
    assert 0 < x < 1200 and 1000 < y < 2000  # left of the middle, in the upper half
    page.wait_for_timeout(500)
    before = ring_pixels(page.locator("img.cogov-map").screenshot(), cx, cy)
    assert before <= 3  # only the cross so far
    page.get_by_role("button", name="Apply now").click()
    expect(page.locator(".cogov-map-caption")).to_contain_text("1 opened by what-ifs")
    expect(page.locator(".cogov-markers")).to_have_text("what-if markers: day 2 (add_centers)")
    assert number(page, "centers-open") == str(dense_centers + 1)
    page.wait_for_timeout(500)
    assert ring_pixels(page.locator("img.cogov-map").screenshot(), cx, cy) >= before + 10  # the new station's ring
    assert marker_columns(page.locator("img.cogov-charts").screenshot()) >= 4  # the dashed line on each panel
    page.get_by_role("button", name="Step").click()
    expect(page.locator(".cogov-num-day .cogov-value")).to_have_text("3")
    shot(page, "06-what-if-applied")
    page.locator(".cogov-whatif").screenshot(path=str(ARTIFACTS / "07-what-if-panel.png"))

    # export: the run's time series (CSV) and the map (PNG) arrive as downloads
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="time series (CSV)").click()
    assert csv_download.value.suggested_filename == "dense_small_seed1_day3_timeseries.csv"
    rows = Path(csv_download.value.path()).read_text().splitlines()
    assert rows[0].startswith("day,visits,") and [r.split(",")[0] for r in rows[1:]] == ["1", "2", "3"]
    with page.expect_download() as png_download:
        page.get_by_role("button", name="map (PNG)").click()
    assert png_download.value.suggested_filename == "dense_small_seed1_day3_map.png"
    png_download.value.save_as(ARTIFACTS / "08-exported-map.png")
    assert (ARTIFACTS / "08-exported-map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # the page in Chinese: labels, buttons, captions and the server-drawn charts switch
    charts_en = np.asarray(Image.open(io.BytesIO(page.locator("img.cogov-charts").screenshot())).convert("L"))
    page.locator(".cogov-lang").get_by_role("button", name="中文").click()
    expect(page.get_by_role("button", name="单步")).to_be_visible()
    expect(page.get_by_role("button", name="重置")).to_be_visible()
    expect(page.locator(".cogov-num-day .cogov-num-label")).to_have_text("天数")
    expect(page.locator(".cogov-markers")).to_have_text("政策模拟标记：第 2 天（新增中心）")
    expect(page.locator(".cogov-map-caption")).to_contain_text(f"开放中心 {dense_centers + 1} 个")
    expect(page.get_by_text("政策模拟：立即应用")).to_be_visible()
    expect(page.locator(".cogov-section")).to_contain_text("中心：居民区站点")
    page.wait_for_timeout(800)
    charts_zh = np.asarray(Image.open(io.BytesIO(page.locator("img.cogov-charts").screenshot())).convert("L"))
    assert charts_zh.shape == charts_en.shape and (charts_zh != charts_en).mean() > 0.001  # drawn again, in Chinese
    shown = page.locator("body").inner_text()
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in shown) > 100, shown[:500]
    shot(page, "09-chinese")
    page.get_by_role("button", name="单步").click()
    expect(page.locator(".cogov-num-day .cogov-value")).to_have_text("4")

    assert problems == [], "\n".join(problems)
