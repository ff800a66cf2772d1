"""End to end in a real browser: Debian's Chromium driven by Playwright against `streamlit run` on 127.0.0.1.

Visits every page, performs one box selection on the latent plot and one generation, saves screenshots
(under pytest's tmp dir) and fails on any Streamlit exception element.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PAGES = ["Train", "Latent_Space", "Power_Diagram", "Singular_Set", "Generate"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason="Debian chromium is not installed (scripts/test.sh installs it)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.address", "127.0.0.1", "--server.port", str(port),
                             "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start within 60 s")
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _no_exception(page, where):
    boxes = page.locator("[data-testid='stException']")
    assert boxes.count() == 0, f"Streamlit exception(s) on {where}: {boxes.all_inner_texts()}"


def test_every_page_selection_and_generation(server, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 1100})
        page.goto(server, wait_until="networkidle")
        page.wait_for_selector("[data-testid='stMetric']", timeout=90_000)
        _no_exception(page, "home")
        page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
        for name in PAGES:
            page.get_by_role("link", name=name.replace("_", " ")).click()
            page.wait_for_selector("h1", timeout=60_000)
            page.wait_for_timeout(4000)
            _no_exception(page, name)
            if name == "Latent_Space":
                page.wait_for_selector(".js-plotly-plot", timeout=60_000)
                box = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
                x0, y0 = box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.4
                page.mouse.move(x0, y0)
                page.mouse.down()
                page.mouse.move(x0 + 80, y0 + 80, steps=8)
                page.mouse.up()
                page.wait_for_selector("text=codes selected", timeout=60_000)
                _no_exception(page, "latent selection")
            if name == "Generate":
                page.get_by_role("button", name="Generate").click()
                page.wait_for_selector("text=generated samples", timeout=60_000)
                _no_exception(page, "generation")
            page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
        browser.close()
    assert len(list(tmp_path.glob("*.png"))) == 1 + len(PAGES)
