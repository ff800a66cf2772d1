"""What a visitor's running GAN costs the server now that it trains in the browser (issue 36).

    python benchmarks/playground_server_cost.py [--visitors 1 4 8] [--seconds 60]

For each number of visitors, a fresh ``streamlit run app.py`` on 127.0.0.1 and that many Chromium pages
(Debian's chromium, Playwright, one browser context each) open the Playground on its ring preset and press Run in
the GAN Lab component. Once every page's GAN is running, the server process's own CPU counters (user + system
time of the Streamlit process and its children, ``psutil``) are read over ``--seconds`` seconds. The peer, in the
same run and the same pages: the same window with every GAN paused (the pages open and idle). Reported: the
server's CPU time as a share of one core, per running visitor, against the issue's bound of 5%, and the steps each
browser GAN made in the window (the browsers share this machine's cores with the server, so their speed is not a
figure for a visitor's own machine).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "apps"))

from test_browser import ARGS, CHROMIUM, _start_server  # noqa: E402


def cpu_seconds(proc: psutil.Process) -> float:
    total = 0.0
    for p in [proc] + proc.children(recursive=True):
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def gan_frame(page):
    for f in page.frames:
        if "gan_lab" in (f.url or ""):
            return f
    return None


def measure(n: int, seconds: float) -> dict:
    from playwright.sync_api import sync_playwright

    proc, url = _start_server()
    server = psutil.Process(proc.pid)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            pages = []
            for _ in range(n):
                page = browser.new_context(viewport={"width": 1300, "height": 1800}).new_page()
                page.goto(url + "/Playground")
                page.frame_locator("iframe[title*='gan_lab']").locator("#run").wait_for(timeout=180_000)
                pages.append(page)
            time.sleep(3)
            frames = [gan_frame(pg) for pg in pages]

            def window(running: bool) -> tuple[float, list]:
                for f in frames:
                    if bool(f.evaluate("window.ganLab.running")) != running:
                        f.locator("#run").click()
                time.sleep(3)  # the clicks' reports and reruns settle
                s0 = [f.evaluate("window.ganLab.trainer.steps") for f in frames]
                c0, t0 = cpu_seconds(server), time.perf_counter()
                time.sleep(seconds)
                c1, t1 = cpu_seconds(server), time.perf_counter()
                s1 = [f.evaluate("window.ganLab.trainer.steps") for f in frames]
                return (c1 - c0) / (t1 - t0), [b - a for a, b in zip(s0, s1)]

            idle, idle_steps = window(False)
            busy, steps = window(True)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(20)
    return {"visitors": n, "idle": idle, "busy": busy, "steps": steps, "idle_steps": idle_steps}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--visitors", type=int, nargs="+", default=[1, 4, 8])
    ap.add_argument("--seconds", type=float, default=60.0)
    args = ap.parse_args()
    print("| visitors | server CPU, GANs paused (share of one core) | server CPU, GANs running | extra per running "
          "visitor | bound | GAN steps per visitor in the window (min-max) |")
    print("|---:|---:|---:|---:|---:|---|")
    for n in args.visitors:
        r = measure(n, args.seconds)
        per = (r["busy"] - r["idle"]) / n
        print(f"| {n} | {r['idle']:.1%} | {r['busy']:.1%} | {per:.2%} | 5% | "
              f"{min(r['steps'])}-{max(r['steps'])} (paused: {max(r['idle_steps'])}) |", flush=True)


if __name__ == "__main__":
    main()
