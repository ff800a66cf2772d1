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
from repo import REPO as ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PAGES = ["Train", "Latent_Space", "Power_Diagram", "Singular_Set", "Generate", "Mode_Collapse"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason="Debian chromium is not installed (scripts/test.sh installs it)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server():
    """A fresh `streamlit run app.py` on a free port: (process, url)."""
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
    return proc, url


@pytest.fixture(scope="module")
def server():
    proc, url = _start_server()
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


#: watches the app root's script state (Streamlit sets ``data-test-script-state`` on ``stApp``: ``running`` while
#: the page's script runs, ``notRunning`` once it is done) and remembers having seen a run start
_WATCH_RUN = """() => {
  window.__aeotRan = false; window.__aeotT0 = Date.now();
  if (window.__aeotObs) window.__aeotObs.disconnect();
  window.__aeotObs = new MutationObserver(() => {
    const app = document.querySelector("[data-testid='stApp']");
    if (app && app.getAttribute('data-test-script-state') === 'running') window.__aeotRan = true;
  });
  window.__aeotObs.observe(document.body, {attributes: true, subtree: true,
                                           attributeFilter: ['data-test-script-state']});
}"""
_IDLE = "document.querySelector(\"[data-testid='stApp']\")?.getAttribute('data-test-script-state') === 'notRunning'"


def _settle(page, timeout: int = 120_000):
    """Wait until the page's script run is over (not a fixed sleep), then a few frames for Plotly to draw."""
    page.wait_for_function(f"() => {_IDLE}", timeout=timeout)
    page.wait_for_timeout(300)


def _rerun(page, action, timeout: int = 120_000):
    """Do ``action`` (a click that makes Streamlit rerun) and wait until the run it started has finished. A run
    too quick to show in the DOM counts as seen after 5 s."""
    page.evaluate(_WATCH_RUN)
    action()
    page.wait_for_function("() => window.__aeotRan || Date.now() - window.__aeotT0 > 5000", timeout=timeout)
    _settle(page, timeout)


def _no_exception(page, where):
    boxes = page.locator("[data-testid='stException']")
    assert boxes.count() == 0, f"Streamlit exception(s) on {where}: {boxes.all_inner_texts()}"


def _open_home(p, server, height: int = 1100):
    """Headless Chromium on the app's Home page, once its summary card shows: (browser, page)."""
    browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
    page = browser.new_page(viewport={"width": 1300, "height": height})
    page.goto(server, wait_until="networkidle")
    page.wait_for_selector("[data-testid='stMetric']", timeout=90_000)
    return browser, page


def test_every_page_selection_and_generation(server, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser, page = _open_home(p, server)
        _no_exception(page, "home")
        page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
        for name in PAGES:
            _rerun(page, page.get_by_role("link", name=name.replace("_", " ")).click)
            page.wait_for_selector("h1", timeout=60_000)
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


def test_two_browser_visitors_see_their_own_model(server, tmp_path):
    """Two browser contexts (two visitors): one uploads a bad file (an error, nothing lost) and then the toy
    bundle, which becomes its model; the other still sees MNIST and has no such upload."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        alice = browser.new_context(viewport={"width": 1300, "height": 1000}).new_page()
        bob = browser.new_context(viewport={"width": 1300, "height": 1000}).new_page()
        for page in (alice, bob):
            page.goto(server, wait_until="networkidle")
            page.wait_for_selector("[data-testid='stMetric']", timeout=90_000)
        bad = tmp_path / "not_a_bundle.npz"
        bad.write_bytes(b"this is not a zip archive")
        alice.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(bad))
        alice.wait_for_selector("text=Could not open not_a_bundle.npz", timeout=60_000)
        assert "mnist10k" in alice.get_by_test_id("stMetricValue").first.inner_text()  # nothing lost
        alice.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(ROOT / "assets" / "toy_grid25.npz"))
        alice.wait_for_selector("[data-testid='stMetricValue'] >> text=grid25", timeout=60_000)
        alice.get_by_test_id("stSelectbox").first.click()
        assert alice.get_by_role("option", name="upload: toy_grid25.npz").count() == 1
        alice.keyboard.press("Escape")
        alice.get_by_role("link", name="Power Diagram").click()
        alice.wait_for_selector("text=Exact L1 mass error", timeout=60_000)  # the 2-D model's exact cells
        bob.reload(wait_until="networkidle")
        bob.wait_for_selector("[data-testid='stMetric']", timeout=90_000)
        assert "mnist10k" in bob.get_by_test_id("stMetricValue").first.inner_text()
        bob.get_by_role("link", name="Power Diagram").click()
        bob.wait_for_selector("text=A slice through the source cube", timeout=60_000)  # still the 16-D model
        bob.get_by_role("link", name="Home").click()
        bob.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
        bob.get_by_test_id("stSelectbox").first.click()
        from aeot_viz.apps.ui.state import SHIPPED

        assert bob.get_by_role("option").count() == len(SHIPPED)  # the shipped models, not alice's upload
        assert bob.get_by_role("option", name="upload: toy_grid25.npz").count() == 0
        _no_exception(alice, "alice")
        _no_exception(bob, "bob")
        alice.screenshot(path=str(tmp_path / "alice.png"), full_page=True)
        bob.screenshot(path=str(tmp_path / "bob.png"), full_page=True)
        browser.close()


def _overlap(a, b) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def test_singular_set_page_shows_verdict_histogram_and_crossings(server, tmp_path):
    """The shipped MNIST model's Singular Set page: the non-convexity verdict, the histogram against the convex
    null, the probe's crossing list; the slice's legend stays clear of its colour bar."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser, page = _open_home(p, server)
        page.get_by_role("link", name="Singular Set").click()
        page.wait_for_selector("text=Latent support non-convex", timeout=120_000)
        page.wait_for_selector("text=crossings along the probe", timeout=60_000)
        _settle(page)
        _no_exception(page, "Singular Set")
        plots = page.locator(".js-plotly-plot")
        assert plots.count() >= 2  # the null histogram and the slice with the probe
        assert page.locator("text=convex null").count() >= 1
        slice_plot = plots.nth(1)
        legend, colorbar = slice_plot.locator("g.legend").first, slice_plot.locator("g.colorbar").first
        assert legend.count() and colorbar.count()
        assert not _overlap(legend.bounding_box(), colorbar.bounding_box())
        shots = Path(os.environ.get("AEOT_SCREENSHOT_DIR", str(tmp_path)))
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "singular_set_mnist.png"), full_page=True)
        browser.close()


def test_training_runs_in_the_background_while_the_visitor_looks_around(server, tmp_path):
    """Start training, switch to another page (the sidebar shows its progress there), come back, see the
    result; the trained model becomes current and is in the picker. No Deploy button anywhere."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser, page = _open_home(p, server)
        assert page.get_by_text("Deploy", exact=True).count() == 0
        page.get_by_role("link", name="Train").click()
        page.wait_for_selector("text=Train an AE-OT model", timeout=60_000)
        page.get_by_role("button", name="Train", exact=True).click()
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text("Running in the background").wait_for(timeout=60_000)
        page.get_by_role("link", name="Latent Space").click()
        page.wait_for_selector("h1:has-text('Latent space')", timeout=60_000)
        # on another page, the training goes on and its progress shows in the sidebar
        sidebar.get_by_text("Running in the background").wait_for(timeout=10_000)
        assert sidebar.get_by_test_id("stProgress").count() >= 1
        page.screenshot(path=str(tmp_path / "training_elsewhere.png"), full_page=True)
        _no_exception(page, "Latent Space during training")
        page.get_by_role("link", name="Train").click()
        page.wait_for_selector("text=Training runs in the background", timeout=60_000)
        # wait on Home: when the job ends, the sidebar reruns the page and the picker follows the new model
        page.get_by_role("link", name="Home").click()
        page.wait_for_selector("[data-testid='stMetricValue'] >> text=ring8", timeout=600_000)
        _no_exception(page, "Home after training")
        page.get_by_test_id("stSelectbox").first.click()
        assert page.get_by_role("option", name="trained: ring8 (1000, seed 0)").count() == 1
        page.keyboard.press("Escape")
        page.get_by_role("link", name="Train").click()
        page.wait_for_selector("text=is now the current model", timeout=60_000)
        _no_exception(page, "Train after training")
        page.screenshot(path=str(tmp_path / "training_done.png"), full_page=True)
        assert page.get_by_text("Deploy", exact=True).count() == 0
        browser.close()


def test_a_trained_model_survives_a_reload_and_opens_by_its_link_elsewhere(server, tmp_path):
    """Issue 34: train a toy model, reload the page: it is still there and current (the URL names it); its
    ``?model=`` link in a second browser context (another visitor: other cookies) opens it, and that visitor
    cannot delete it."""
    import re

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        alice = browser.new_context(viewport={"width": 1300, "height": 1100}).new_page()
        alice.goto(server + "/Train", wait_until="networkidle")
        alice.wait_for_selector("text=Train an AE-OT model", timeout=90_000)
        alice.get_by_role("button", name="Train", exact=True).click()
        alice.wait_for_selector("text=is now the current model", timeout=600_000)
        alice.wait_for_function("() => location.search.includes('model=')", timeout=60_000)
        model_id = re.search(r"model=([0-9a-f]{16})", alice.url).group(1)
        alice.reload(wait_until="networkidle")  # a reload is a new session: only the cookie and the URL remain
        alice.get_by_role("link", name="Home").click()
        alice.wait_for_selector("[data-testid='stMetricValue'] >> text=ring8", timeout=120_000)
        assert f"model={model_id}" in alice.url
        _no_exception(alice, "Home after a reload")
        alice.screenshot(path=str(tmp_path / "after_reload.png"), full_page=True)

        bob = browser.new_context(viewport={"width": 1300, "height": 1100}).new_page()
        bob.goto(f"{server}/?model={model_id}", wait_until="networkidle")
        bob.wait_for_selector("[data-testid='stMetricValue'] >> text=ring8", timeout=120_000)
        _no_exception(bob, "Home opened by the link")
        delete = bob.get_by_role("button", name="Delete")
        delete.wait_for(timeout=60_000)
        assert delete.is_disabled()
        bob.get_by_text("Made by another visitor").wait_for(timeout=30_000)
        bob.screenshot(path=str(tmp_path / "by_link.png"), full_page=True)
        # and its owner can: the button is live in alice's library
        assert not alice.get_by_role("button", name="Delete").is_disabled()
        browser.close()


def test_playground_draws_points_and_strokes_solves_and_steps_the_gan(server, tmp_path):
    """On the Playground: clicks add points and a drag adds a stroke on the canvas, the OT cells are drawn for the
    new drawing, and the GAN takes its steps."""
    import re

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser, page = _open_home(p, server, height=1400)
        page.get_by_role("link", name="Playground").click()
        page.wait_for_selector("text=AE-OT: the OT map and where it jumps", timeout=120_000)
        page.wait_for_selector("text=500 points", timeout=60_000)
        canvas = page.frame_locator("iframe[title*='image_coordinates']").locator("img")
        canvas.wait_for(timeout=60_000)

        def count() -> int:
            return int(re.search(r"(\d+) points\. Click", page.locator("text=points. Click").inner_text()).group(1))

        box = canvas.bounding_box()
        n0 = count()
        page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.1)  # a dot, top right
        page.wait_for_function(f"() => document.body.innerText.includes('{n0 + 1} points. Click')", timeout=60_000)
        box = canvas.bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.9)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.9, steps=6)
        page.mouse.up()  # a stroke 0.6 units long along the bottom: 90 points at the default density
        page.wait_for_function(f"() => document.body.innerText.includes('{n0 + 1 + 90} points. Click')",
                               timeout=60_000)
        page.wait_for_selector(f"text={n0 + 91} cells, one per point", timeout=120_000)  # solved again
        assert page.locator(".js-plotly-plot").count() >= 1
        lab = page.frame_locator("iframe[title*='gan_lab']")
        lab.get_by_role("button", name="100 steps").click()  # the browser's GAN steps; the server scores them
        page.wait_for_selector("text=GAN, 100 steps", timeout=120_000)
        _no_exception(page, "Playground")
        page.screenshot(path=str(tmp_path / "playground.png"), full_page=True)
        browser.close()


def test_stacked_mnist_mode_collapse_draws_its_1000_mode_pictures(server, tmp_path):
    """The Stacked-MNIST model picked on Home: the Mode Collapse page shows the table and the 10 x 100 pictures."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser, page = _open_home(p, server, height=2600)
        page.get_by_test_id("stSelectbox").first.click()
        page.get_by_role("option", name="Stacked MNIST, 1,000 modes (shipped)").click()
        page.wait_for_selector("[data-testid='stMetricValue'] >> text=stacked_mnist", timeout=120_000)
        page.get_by_role("link", name="Mode Collapse").click()
        # the page streams its elements in as its script runs: wait for each, not for a fixed time (on a busy
        # machine the table arrived more than 2 s after the first picture)
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot .heatmaplayer').length >= 5",
                               timeout=120_000)  # one 10 x 100 panel per generator
        page.wait_for_selector("[data-testid='stDataFrame']", timeout=120_000)  # the 26,000-sample table
        _no_exception(page, "Mode Collapse on Stacked MNIST")
        page.screenshot(path=str(tmp_path / "stacked_mode_collapse.png"), full_page=True)
        browser.close()


#: the app's pages as app.py lists them: sidebar title and URL path
APP_PAGES = [("Home", ""), ("Lesson", "Lesson"), ("Train", "Train"), ("Latent Space", "Latent_Space"),
             ("Power Diagram", "Power_Diagram"), ("Singular Set", "Singular_Set"), ("Generate", "Generate"),
             ("Mode Collapse", "Mode_Collapse"), ("Playground", "Playground")]


def test_every_page_opened_by_its_url_shows_the_apps_sidebar_with_icons():
    """A bookmark, even as the first request a fresh server gets, shows app.py's navigation: exactly its pages,
    in order, each with its icon, and the page asked for (not Streamlit's pages/-folder list with an "app" entry)."""
    from playwright.sync_api import sync_playwright

    proc, url = _start_server()  # fresh: its very first request is a page's URL
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            for _title, path in [APP_PAGES[4]] + APP_PAGES:
                page.goto(f"{url}/{path}", wait_until="networkidle")
                page.wait_for_selector("[data-testid='stSidebarNavLink']", timeout=90_000)
                page.wait_for_selector("h1", timeout=90_000)
                links = page.locator("[data-testid='stSidebarNavLink']")
                names = [t.strip() for t in links.all_inner_texts()]
                icons = page.locator("[data-testid='stSidebarNavLink'] [data-testid='stIconMaterial']")
                assert [n.split("\n")[-1] for n in names] == [t for t, _ in APP_PAGES], (path, names)
                assert icons.count() == len(APP_PAGES), (path, icons.count())
                assert page.locator("h1").first.inner_text().strip() != "", path
                assert page.url.rstrip("/").endswith(path) or path == "", (path, page.url)
                _no_exception(page, f"/{path}")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)


#: bounding boxes (left, top, right, bottom) of the Lesson step on screen: its heading, figures, captions and the
#: "what to notice" box (the bordered container around that sentence)
_LESSON_BOXES = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const box = (el) => { const b = el.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  let note = [...main.querySelectorAll('[data-testid="stMarkdown"]')]
    .filter(e => e.innerText.includes('What to notice')).pop();
  while (note && note !== main && parseFloat(getComputedStyle(note).borderTopWidth) === 0) note = note.parentElement;
  return {
    heading: box([...main.querySelectorAll('h2')].pop()),
    figures: [...main.querySelectorAll('.js-plotly-plot, [data-testid="stImage"]')].map(box),
    captions: [...main.querySelectorAll('[data-testid="stCaptionContainer"]')].map(box),
    notice: note && note !== main ? box(note) : null,
    width: window.innerWidth, height: window.innerHeight,
  };
}"""


def _inside(b, width, height) -> bool:
    return b[0] >= -1 and b[1] >= -1 and b[2] <= width + 1 and b[3] <= height + 1


def test_the_lesson_fits_a_1400_by_900_projector_in_presentation_mode(server, tmp_path):
    """Presentation mode at 1400 x 900, every step walked with Next: the step's heading, every figure, every
    caption and the "what to notice" box lie inside the viewport (a projector shows no scroll bar to the room),
    with no exception, and the Plotly toolbar never covers a legend."""
    from playwright.sync_api import sync_playwright

    from aeot_viz.apps.ui.lesson import STEPS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(server + "/Lesson?present=1", wait_until="networkidle")
        for k, step in enumerate(STEPS, start=1):
            page.get_by_text(f"Step {k} of {len(STEPS)}").wait_for(timeout=120_000)
            page.get_by_role("heading", name=step.title).wait_for(timeout=60_000)
            page.get_by_text("What to notice.").wait_for(timeout=60_000)
            _settle(page)
            page.locator("[data-testid='stMain'] .js-plotly-plot, [data-testid='stMain'] [data-testid='stImage']"
                         ).first.wait_for(timeout=60_000)  # Plotly's script loads once, after the first run
            page.wait_for_timeout(500)  # Plotly's first layout
            _no_exception(page, f"lesson step {k}")
            boxes = page.evaluate(_LESSON_BOXES)
            page.screenshot(path=str(tmp_path / f"present_{k}.png"))
            w, h = boxes["width"], boxes["height"]
            assert boxes["figures"], step.title
            assert boxes["notice"] is not None, step.title
            for what in ["heading", "notice"]:
                assert _inside(boxes[what], w, h), (step.title, what, boxes[what])
            for what in ["figures", "captions"]:
                for b in boxes[what]:
                    assert _inside(b, w, h), (step.title, what, b)
            plots = page.get_by_test_id("stMain").locator(".js-plotly-plot")
            for i in range(plots.count()):
                plots.nth(i).hover()
                bar, legend = plots.nth(i).locator(".modebar").first, plots.nth(i).locator("g.legend").first
                if bar.count() and legend.count() and bar.is_visible():
                    assert not _overlap(bar.bounding_box(), legend.bounding_box()), (step.title, "toolbar on legend")
            if k < len(STEPS):
                _rerun(page, page.get_by_role("button", name="Next").click)
        assert page.get_by_role("button", name="Next").is_disabled()
        browser.close()


def test_next_and_previous_open_the_lesson_step_at_its_top(server, tmp_path):
    """Without presentation mode a step is taller than the window: scrolled to its foot, Next and Previous open the
    new step with its heading in view (Streamlit alone keeps the old scroll position)."""
    from playwright.sync_api import sync_playwright

    from aeot_viz.apps.ui.lesson import STEPS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(server + "/Lesson", wait_until="networkidle")
        page.get_by_text(f"Step 1 of {len(STEPS)}").wait_for(timeout=120_000)
        _settle(page)
        for k, button in [(2, "Next"), (3, "Next"), (2, "Previous")]:
            page.evaluate("() => { const m = document.querySelector('[data-testid=\"stMain\"]'); "
                          "m.scrollTo(0, m.scrollHeight); }")
            page.wait_for_timeout(300)
            scrolled = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTop")
            assert scrolled > 100  # the step is taller than the window: there was somewhere to scroll to
            _rerun(page, page.get_by_role("button", name=button).click)
            page.get_by_role("heading", name=STEPS[k - 1].title).wait_for(timeout=60_000)
            page.wait_for_timeout(500)
            boxes = page.evaluate(_LESSON_BOXES)
            assert _inside(boxes["heading"], boxes["width"], boxes["height"]), (k, boxes["heading"])
            page.screenshot(path=str(tmp_path / f"after_{button}_{k}.png"))
        # switching presentation mode on mid-lesson keeps the step and lays it out for the projector
        _rerun(page, page.get_by_text("Presentation mode").click)
        _no_exception(page, "presentation mode")
        page.get_by_role("heading", name=STEPS[1].title).wait_for(timeout=60_000)
        boxes = page.evaluate(_LESSON_BOXES)
        assert _inside(boxes["notice"], boxes["width"], boxes["height"]), boxes["notice"]
        browser.close()


def _gan_frame(page):
    for f in page.frames:
        if "gan_lab" in (f.url or ""):
            return f
    raise AssertionError("the GAN Lab component's frame is not on the page")


def _train_in_browser(page, steps: int, timeout_s: float = 420) -> int:
    """Press Run in the component, wait for ``steps`` browser steps, press Pause: the steps the page then reports."""
    import re

    lab = page.frame_locator("iframe[title*='gan_lab']")
    lab.locator("#run").click()
    frame = _gan_frame(page)
    t0 = time.time()
    seen = frame.evaluate("window.ganLab.trainer.steps")
    time.sleep(3)
    assert frame.evaluate("window.ganLab.trainer.steps") > seen  # it trains in the tab, between server reruns
    while frame.evaluate("window.ganLab.trainer.steps") < steps:
        assert time.time() - t0 < timeout_s, "the browser GAN is too slow"
        time.sleep(1)
    lab.locator("#run").click()  # Pause: the page scores the samples it is sent
    done = frame.evaluate("window.ganLab.trainer.steps")
    page.wait_for_selector(f"text=GAN, {done} steps", timeout=120_000)
    fps = frame.evaluate("window.ganLab.fps")
    print(f"{done} steps in the browser; views redrawn {fps:.0f} times a second; "
          f"{frame.evaluate('window.ganLab.renders')} frames drawn")
    return int(re.sub(r"\D", "", str(done)))


def test_the_playground_gan_learns_in_the_browser(server, tmp_path):
    """The ring preset: the browser GAN reaches at least 6 of the 8 modes within 2,000 steps; the convex blob:
    precision and recall at least 0.8. Both scored by the server from the samples the component sends."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser, page = _open_home(p, server, height=2200)
        page.get_by_role("link", name="Playground").click()
        page.wait_for_selector("text=AE-OT: the OT map and where it jumps", timeout=120_000)
        page.frame_locator("iframe[title*='gan_lab']").locator("#run").wait_for(timeout=120_000)
        _train_in_browser(page, 2000)
        page.screenshot(path=str(tmp_path / "playground_gan_ring.png"), full_page=True)
        row = _score_row(page, "modes found")
        print("ring, modes found (AE-OT, GAN):", row)
        assert row[0] == "8 of 8" and int(row[1].split()[0]) >= 6
        _no_exception(page, "Playground ring")
        # the convex blob: a new drawing restarts the GAN
        page.get_by_test_id("stSelectbox").first.click()
        page.get_by_role("option", name="convex blob", exact=False).first.click()
        page.wait_for_selector("text=precision (on the data)", timeout=120_000)
        page.wait_for_timeout(2000)
        # a GAN on one blob oscillates (its recall came and went between 0.1 and 0.9 every few hundred steps in
        # node): it passes when one of the server's scorings, every six seconds, reads both at least 80%
        lab = page.frame_locator("iframe[title*='gan_lab']")
        lab.locator("#run").click()
        frame = _gan_frame(page)
        best, t0 = None, time.time()
        while frame.evaluate("window.ganLab.trainer.steps") < 3000 and time.time() - t0 < 420:
            time.sleep(1)
            precision, recall = _score_row(page, "precision (on the data)"), _score_row(page, "recall (data covered)")
            if precision[1] == "-":
                continue
            p_gan, r_gan = float(precision[1].rstrip("%")), float(recall[1].rstrip("%"))
            if best is None or min(p_gan, r_gan) > min(best):
                best = (p_gan, r_gan)
            if p_gan >= 80 and r_gan >= 80:
                break
        steps = frame.evaluate("window.ganLab.trainer.steps")
        lab.locator("#run").click()
        page.screenshot(path=str(tmp_path / "playground_gan_blob.png"), full_page=True)
        print(f"blob: best GAN precision and recall {best} by {steps} browser steps; AE-OT {precision[0]}, "
              f"{recall[0]}")
        assert best is not None and min(best) >= 80
        _no_exception(page, "Playground blob")
        browser.close()


def _score_row(page, name: str) -> list:
    """The cells of the scores table's row ``name`` (AE-OT's, then the GAN's)."""
    row = page.get_by_test_id("stTable").last.locator("tr", has_text=name).first
    return [c.strip() for c in row.locator("td").all_inner_texts()]
