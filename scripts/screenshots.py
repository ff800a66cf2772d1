"""Screenshots of every page and every Lesson step, at 1400 px wide, normally and in presentation mode.

    python scripts/screenshots.py [--out screenshots] [--width 1400] [--modes normal present]

Starts ``streamlit run app.py`` on a free local port, drives Debian's Chromium (headless, never a downloaded
browser) through every page and every step of the Lesson, and writes full-page PNGs named
``<mode>_<page>.png`` (the shipped MNIST model), ``<mode>_toy_<page>.png`` (the shipped 2-D toy, with a generation
from a noise box) and ``<mode>_lesson_<k>.png``. Presentation mode is opened with ``?present=1``. The script
prints the pages that showed a Streamlit exception and a list of the plots each page drew without axis titles,
and exits with 1 if there was any exception; the pictures are for a person to look at (overflow, overlap).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PAGES = ["", "Lesson", "Train", "Latent_Space", "Power_Diagram", "Singular_Set", "Generate", "Mode_Collapse",
         "Playground"]
TOY = "25 Gaussians, 2-D (shipped toy)"
TOY_PAGES = ["Latent_Space", "Power_Diagram", "Singular_Set", "Generate", "Mode_Collapse"]
SETTLE_MS = 3000  # after the page's title shows: let Plotly draw
MAX_HEIGHT = 9000  # pixels: the longest page, whole


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.address", "127.0.0.1", "--server.port", str(port),
                             "--browser.gatherUsageStats", "false"], cwd=ROOT,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("streamlit did not start within 60 s")


UNTITLED_AXES_JS = """() => {
  const out = [];
  document.querySelectorAll('.js-plotly-plot').forEach((gd, i) => {
    const layout = gd.layout || {};
    (gd.data || []).forEach(tr => {
      if (['image', 'pie', 'table'].includes(tr.type)) return;
      for (const letter of ['x', 'y']) {
        const ref = tr[letter + 'axis'] || letter;
        const name = letter + 'axis' + ref.slice(1);
        const ax = layout[name] || {};
        const title = ax.title && (ax.title.text !== undefined ? ax.title.text : ax.title);
        if (ax.visible !== false && !title) out.push('plot ' + i + ': ' + name);
      }
    });
  });
  return [...new Set(out)];
}"""


def shoot(page, url: str, path: Path, problems: list, where: str) -> None:
    page.goto(url, wait_until="networkidle")
    page.wait_for_selector("h1, h2", timeout=120_000)
    page.wait_for_timeout(SETTLE_MS)
    _check(page, path, problems, where)


def _check(page, path: Path, problems: list, where: str) -> None:
    page.wait_for_load_state("networkidle")
    errors = page.locator("[data-testid='stException']")
    if errors.count():
        problems.append(f"{where}: exception {errors.all_inner_texts()}")
    missing = page.evaluate(UNTITLED_AXES_JS)
    if missing:
        problems.append(f"{where}: axes without a title: {missing}")
    # Streamlit scrolls inside its main block, not the document: grow the window to the block's height to get it all
    width = page.viewport_size["width"]
    tall = page.evaluate("() => { const m = document.querySelector('[data-testid=\"stMain\"]'); "
                         "return m ? m.scrollHeight : document.body.scrollHeight; }")
    page.set_viewport_size({"width": width, "height": int(min(max(tall, 1000), MAX_HEIGHT))})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": 1000})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="screenshots")
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--modes", nargs="+", default=["normal", "present"], choices=["normal", "present"])
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    proc = start_server(port)
    problems: list = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for mode in args.modes:
                query = "?present=1" if mode == "present" else ""
                page = browser.new_page(viewport={"width": args.width, "height": 1000})
                for name in PAGES:
                    shoot(page, f"http://127.0.0.1:{port}/{name}{query}", out / f"{mode}_{name or 'Home'}.png",
                          problems, f"{mode} {name or 'Home'}")
                    print(f"{mode} {name or 'Home'}", flush=True)
                # the Generate page after generating, and the pages again with the shipped 2-D toy as the model
                shoot(page, f"http://127.0.0.1:{port}/Generate{query}", out / f"{mode}_Generate_generated.png",
                      problems, f"{mode} Generate (before)")
                page.get_by_role("button", name="Generate").click()
                page.get_by_text("generated samples").first.wait_for(timeout=120_000)
                page.wait_for_timeout(SETTLE_MS)
                _check(page, out / f"{mode}_Generate_generated.png", problems, f"{mode} Generate (generated)")
                shoot(page, f"http://127.0.0.1:{port}/{query}", out / f"{mode}_toy_Home.png", problems,
                      f"{mode} Home")
                page.get_by_test_id("stSelectbox").first.click()
                page.get_by_role("option", name=TOY).click()
                page.get_by_test_id("stMetricValue").get_by_text("grid25").wait_for(timeout=60_000)
                for name in TOY_PAGES:
                    page.get_by_test_id("stSidebar").get_by_role("link", name=name.replace("_", " ")).click()
                    page.wait_for_timeout(SETTLE_MS)
                    page.wait_for_selector("h1, h2", timeout=120_000)
                    if name == "Generate":
                        page.get_by_text("a box in the source cube").click()
                        page.wait_for_timeout(1000)
                        page.get_by_role("button", name="Generate").click()
                        page.get_by_text("where the noise was drawn").wait_for(timeout=120_000)
                        page.wait_for_timeout(SETTLE_MS)
                    _check(page, out / f"{mode}_toy_{name}.png", problems, f"{mode} toy {name}")
                print(f"{mode} toy pages", flush=True)
                # every Lesson step, walked with its Next button
                shoot(page, f"http://127.0.0.1:{port}/Lesson{query}", out / f"{mode}_lesson_1.png", problems,
                      f"{mode} lesson 1")
                k = 1
                while page.get_by_role("button", name="Next").is_enabled():
                    k += 1
                    page.get_by_role("button", name="Next").click()
                    page.get_by_text(f"Step {k} of").wait_for(timeout=120_000)
                    page.wait_for_timeout(SETTLE_MS)
                    _check(page, out / f"{mode}_lesson_{k}.png", problems, f"{mode} lesson {k}")
                print(f"{mode} lesson: {k} steps", flush=True)
                page.close()
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    for line in problems:
        print("PROBLEM", line)
    print(f"{len(list(out.glob('*.png')))} screenshots in {out}")
    return 1 if any("exception" in line for line in problems) else 0


if __name__ == "__main__":
    sys.exit(main())
