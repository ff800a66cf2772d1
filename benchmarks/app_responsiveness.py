"""How fast the app answers on the default model: page switches and widget changes, caches cold and warm.

    python benchmarks/app_responsiveness.py [--repeats 5] [--browser] [--first-visits-only] [--pages 8_Lesson ...]

First visits (issue 17) are timed per page in a fresh Python process, twice: "server warm" pre-loads the
shipped bundles the way a running server has them after its first visitor (``shipped_model``), so the
time is the page's own script; "process cold" loads everything (imports, bundle) for that page alone.

Each page is run with Streamlit's AppTest (the same script runner the server uses, without the browser):
the first run fills the caches (bundle, singular set, projections), the next ``--repeats`` runs are what a
visitor waits for when switching to that page again. Widget changes are timed the same way (one rerun
after setting a widget). The peer is an empty Streamlit page run the same way in the same process: the
fixed cost of a rerun. Browser rendering and the websocket round trip are not included (on 127.0.0.1 the
real-browser test shows them to be small next to the script time; see docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

PAGES = ["0_Home", "1_Train", "2_Latent_Space", "3_Power_Diagram", "4_Singular_Set", "5_Generate", "6_Mode_Collapse",
         "8_Lesson"]
TOY = "25 Gaussians, 2-D (shipped toy)"


def timed(at: AppTest) -> float:
    t0 = time.perf_counter()
    at.run()
    dt = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError([e.value for e in at.exception])
    return dt


def page(name: str, model: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=600)
    if model:
        at.session_state["aeot_current"] = model
    return at


_FIRST_VISIT = """
import sys, time
sys.path.insert(0, {root!r})
from streamlit.testing.v1 import AppTest
if {preload}:
    from aeot_viz.apps.ui.state import SHIPPED, shipped_model
    for name in SHIPPED:
        shipped_model(name)
at = AppTest.from_file({page!r}, default_timeout=600)
if {model!r}:
    at.session_state["aeot_current"] = {model!r}
t0 = time.perf_counter()
at.run()
first = time.perf_counter() - t0
assert not at.exception, [e.value for e in at.exception]
umap = float("nan")
if {umap}:
    at.radio(key="lat_method").set_value("umap")
    t0 = time.perf_counter()
    at.run()
    umap = time.perf_counter() - t0
print(first, umap)
"""


def first_visit(page: str, model: str | None, preload: bool, umap: bool = False) -> tuple[float, float]:
    """A page's first run in a fresh process (and the first switch to UMAP after it, on Latent Space)."""
    import subprocess

    code = _FIRST_VISIT.format(root=str(ROOT), preload=preload, page=str(ROOT / "pages" / f"{page}.py"),
                               model=model or "", umap=umap)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900, cwd=ROOT)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    first, switch = map(float, out.stdout.split()[-2:])
    return first, switch


_LESSON_STEPS = """
import sys, time
sys.path.insert(0, {root!r})
from streamlit.testing.v1 import AppTest
from aeot_viz.apps.ui.state import SHIPPED, shipped_model
for name in SHIPPED:
    shipped_model(name)
at = AppTest.from_file({page!r}, default_timeout=600)
times = []
for k in range({n}):
    t0 = time.perf_counter()
    at.run() if k == 0 else at.button(key="lesson_next").click().run()
    times.append(time.perf_counter() - t0)
    assert not at.exception, [e.value for e in at.exception]
print(*times)
"""


def lesson_steps(repeats: int, peer: float) -> None:
    """Each Lesson step's first draw in a fresh server-warm process (bundles loaded, the step's figure not yet
    cached): what the first visitor to walk the lesson waits for at each Next."""
    import subprocess

    from aeot_viz.apps.ui.lesson import STEPS

    code = _LESSON_STEPS.format(root=str(ROOT), page=str(ROOT / "pages" / "8_Lesson.py"), n=len(STEPS))
    runs = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900, cwd=ROOT)
        if out.returncode:
            raise RuntimeError(out.stderr[-2000:])
        runs.append([float(v) for v in out.stdout.split()[-len(STEPS):]])
    print()
    print("| Lesson step | first draw, server warm (s, median) | / empty page |")
    print("|---|---|---|")
    for k, step in enumerate(STEPS):
        m = statistics.median(r[k] for r in runs)
        print(f"| {k + 1}. {step.title} | {m:.2f} | {m / peer:.0f}x |")


def _start_streamlit():
    """``streamlit run app.py`` on a free port of 127.0.0.1: (process, port), once the port answers."""
    import os
    import socket
    import subprocess

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.address", "127.0.0.1", "--server.port", str(port),
                             "--browser.gatherUsageStats", "false"], cwd=ROOT, env=dict(os.environ),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.3)
    return proc, port


def lesson_landing(repeats: int) -> None:
    """A visitor whose first request to a just-started server is the Lesson (``/Lesson``), with Home's landing as
    the peer: timed from ``goto`` until the first step's sentence and figure show. Everything is cold: the
    server's imports, the bundles, the browser's download of the app's JavaScript and of Plotly."""
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"]
    times = {"Lesson": [], "Home": []}
    for _ in range(repeats):
        for page_path, ready in (("Lesson", "What to notice."), ("Home", "What to notice.")):
            proc, port = _start_streamlit()
            try:
                with sync_playwright() as p:
                    browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=args)
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    t0 = time.perf_counter()
                    page.goto(f"http://127.0.0.1:{port}/{'' if page_path == 'Home' else page_path}")
                    page.get_by_text(ready).wait_for(timeout=120_000)
                    page.locator(".js-plotly-plot" if page_path == "Lesson" else "[data-testid='stMetric']"
                                 ).first.wait_for(timeout=120_000)
                    times[page_path].append(time.perf_counter() - t0)
                    browser.close()
            finally:
                proc.terminate()
                proc.wait(10)
    print()
    print("| landing on a just-started server | median (s) | runs (s) |")
    print("|---|---|---|")
    for name, ts in times.items():
        print(f"| {name} | {statistics.median(ts):.2f} | {', '.join(f'{t:.2f}' for t in ts)} |")


def first_visits(repeats: int, peer: float, pages=PAGES) -> None:
    print()
    print("| model | first visit of | server warm: script (s) | process cold: script (s) | server warm / empty page |")
    print("|---|---|---|---|---|")
    for model, label in ((None, "MNIST-10k"), (TOY, "toy 2-D")):
        for name in pages:
            warm_runs = [first_visit(name, model, True)[0] for _ in range(repeats)]
            cold_runs = [first_visit(name, model, False)[0] for _ in range(repeats)]
            w, c = statistics.median(warm_runs), statistics.median(cold_runs)
            print(f"| {label} | {name[2:].replace('_', ' ')} | {w:.2f} | {c:.2f} | {w / peer:.0f}x |")
    runs = [first_visit("2_Latent_Space", None, True, umap=True)[1] for _ in range(repeats)]
    print(f"| MNIST-10k | first switch to UMAP (Latent Space) | {statistics.median(runs):.2f} | - | "
          f"{statistics.median(runs) / peer:.0f}x |")


def _own_threshold(at: AppTest, value: float) -> None:
    """Swap the midpoint test for a hand-set angle (the slider shows once the radio picks it)."""
    if at.radio(key="sg_rule").value != "threshold":
        at.radio(key="sg_rule").set_value("threshold")
        at.run()
    at.slider(key="sg_threshold").set_value(value)


def warm(at: AppTest, repeats: int) -> float:
    return statistics.median(timed(at) for _ in range(repeats))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--browser", action="store_true", help="also time page switches in headless Chromium")
    ap.add_argument("--browser-only", action="store_true", help="only the browser's timings")
    ap.add_argument("--first-visits-only", action="store_true", help="only the fresh-process first visits")
    ap.add_argument("--lesson-landing", action="store_true",
                    help="only a browser's first request to a just-started server, /Lesson against /")
    ap.add_argument("--pages", nargs="+", default=PAGES, help="pages for the first visits (file stems)")
    args = ap.parse_args()
    if args.lesson_landing:
        lesson_landing(args.repeats)
        return
    if args.browser or args.browser_only:
        browser(args.repeats)
    if args.browser_only:
        return
    empty = AppTest.from_string("import streamlit as st\nst.title('empty')", default_timeout=60)
    timed(empty)
    peer = warm(empty, args.repeats)
    print(f"peer: empty page rerun {peer * 1000:.0f} ms")
    first_visits(max(1, min(args.repeats, 3)), peer, args.pages)
    if "8_Lesson" in args.pages:
        lesson_steps(max(1, min(args.repeats, 3)), peer)
    if args.first_visits_only:
        return
    print()
    print("| model | page / action | first run, caches cold (s) | warm (s, median) | warm / empty page |")
    print("|---|---|---|---|---|")
    for model, label in ((None, "MNIST-10k"), (TOY, "toy 2-D")):
        for name in PAGES:
            at = page(name, model)
            cold = timed(at)
            w = warm(at, args.repeats)
            print(f"| {label} | switch to {name[2:].replace('_', ' ')} | {cold:.2f} | {w:.2f} | {w / peer:.0f}x |")
    actions = [
        ("2_Latent_Space", None, "colour by cell mass error",
         lambda at: at.radio(key="lat_colour").set_value("cell mass error")),
        ("2_Latent_Space", None, "projection PCA -> UMAP", lambda at: at.radio(key="lat_method").set_value("umap")),
        ("2_Latent_Space", None, "box selection of 200 codes", lambda at: at.session_state.__setitem__(
            "lat_chart", {"selection": {"points": [], "point_indices": list(range(200)), "box": [], "lasso": []}})),
        ("4_Singular_Set", None, "threshold slider", lambda at: _own_threshold(at, 0.3)),
        ("4_Singular_Set", None, "probe end code", lambda at: at.number_input(key="sg_b").set_value(123)),
        ("3_Power_Diagram", None, "slice direction code", lambda at: at.number_input(key="pd_code_b").set_value(77)),
        ("5_Generate", None, "generate 64 (extended)", lambda at: at.button(key="gen_go").click()),
        ("3_Power_Diagram", TOY, "solver replay slider", lambda at: at.slider(key="pd_snapshot").set_value(3)),
        ("4_Singular_Set", TOY, "threshold slider", lambda at: _own_threshold(at, 0.05)),
    ]
    print()
    print("| model | widget change | first time (s) | again, warm (s, median) | warm / empty page |")
    print("|---|---|---|---|---|")
    for name, model, what, act in actions:
        at = page(name, model)
        timed(at)
        timed(at)
        act(at)
        first = timed(at)
        again = []
        for _ in range(args.repeats):
            act(at)
            again.append(timed(at))
        w = statistics.median(again)
        label = "toy 2-D" if model else "MNIST-10k"
        print(f"| {label} | {what} | {first:.2f} | {w:.2f} | {w / peer:.0f}x |")




def browser(repeats: int) -> None:
    """Page switches as a visitor sees them: `streamlit run` on 127.0.0.1 and headless Debian Chromium.

    Timed from the click on a sidebar link until the new page's title is shown, the script has finished
    (the app root's ``data-test-script-state`` is no longer "running") and nothing is stale or spinning,
    for 200 ms in a row (not counted); every page is visited once first to warm the caches. Plotly's own
    drawing after the last message is not included.
    """
    import shutil

    from playwright.sync_api import sync_playwright

    proc, port = _start_streamlit()
    args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"]
    links = {"Home": "AE-OT Explorer", "Lesson": "Lesson: why GANs collapse, and AE-OT does not",
             "Train": "Train an AE-OT model", "Latent Space": "Latent space",
             "Power Diagram": "Power diagram", "Singular Set": "Singular set", "Generate": "Generate",
             "Mode Collapse": "Mode collapse", "Playground": "Playground"}
    idle_js = """([h1, quiet]) => {
        const head = document.querySelector('h1');
        const app = document.querySelector("[data-testid='stApp']");
        const busy = !head || !head.innerText.startsWith(h1) || !app ||
            app.getAttribute("data-test-script-state") === "running" ||
            document.querySelector("[data-stale='true']") || document.querySelector("[data-testid='stSpinner']");
        const now = performance.now();
        if (busy) { window.__idleSince = null; return false; }
        if (!window.__idleSince) { window.__idleSince = now; window.__idleAt = now; }
        return now - window.__idleSince >= quiet ? window.__idleAt : false;
    }"""
    quiet = 200  # ms of continuous idleness that ends a measurement (not counted)
    try:
        time.sleep(2)  # the port answers; let the server finish starting
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", headless=True,
                                  args=args)
            page = b.new_page(viewport={"width": 1300, "height": 1000})
            t0 = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}", timeout=120_000)
            page.wait_for_function(idle_js, arg=[links["Home"], quiet], timeout=300_000, polling=20)
            home_first = time.perf_counter() - t0 - quiet / 1000.0

            def visit(link: str) -> float:
                page.evaluate("window.__idleSince = null")
                t0 = page.evaluate("performance.now()")
                page.locator("[data-testid='stSidebarNav'] a", has_text=link).first.click()
                done = page.wait_for_function(idle_js, arg=[links[link], quiet], timeout=300_000, polling=20)
                return (done.json_value() - t0) / 1000.0

            first = {"Home (server just started, bundle loaded on this visit)": home_first}
            for link in list(links)[1:]:  # first visit of every page: its caches are cold
                first[link] = visit(link)
            visit("Latent Space")
            page.evaluate("window.__idleSince = null")
            t0 = page.evaluate("performance.now()")
            page.get_by_text("UMAP", exact=True).first.click()
            done = page.wait_for_function(idle_js, arg=[links["Latent Space"], quiet], timeout=300_000, polling=20)
            first["Latent Space: first switch to UMAP"] = (done.json_value() - t0) / 1000.0
            print()
            print("| first visit in the browser (MNIST-10k, fresh server) | time to settle (s) |")
            print("|---|---|")
            for what, t in first.items():
                print(f"| {what} | {t:.2f} |")
            visit("Home")
            print()
            print("| page switch in the browser (MNIST-10k, caches warm) | median (s) | max (s) |")
            print("|---|---|---|")
            for link in list(links)[1:]:
                runs = []
                for _ in range(repeats):
                    visit("Home")
                    runs.append(visit(link))
                print(f"| Home -> {link} | {statistics.median(runs):.2f} | {max(runs):.2f} |")
            runs = []
            for _ in range(repeats):
                visit("Generate")
                runs.append(visit("Home"))
            print(f"| Generate -> Home | {statistics.median(runs):.2f} | {max(runs):.2f} |")
            b.close()
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
