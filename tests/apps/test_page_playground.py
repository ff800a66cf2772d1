"""Playground page: presets solve and draw, bad drawings get their messages, the GAN steps, the drawing exports."""

import json

import numpy as np
import pytest
from app_helpers import plotly_array
from repo import repo_file
from streamlit.testing.v1 import AppTest

from aeot_viz.data.drawing import PRESETS, preset

PAGE = repo_file("pages/7_Playground.py")


def _page(**state):
    at = AppTest.from_file(PAGE, default_timeout=180)
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


def _caption(at, start):
    return next(c.value for c in at.caption if c.value.startswith(start))


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_solves_and_draws_cells_and_samples(name):
    at = _page(pg_start=name, pg_n=300)
    assert not at.exception, [e.value for e in at.exception]
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # the cells, and the samples side by side
    cells = json.loads(charts[0].proto.spec)
    assert sum(1 for t in cells["data"] if t.get("fill") == "toself" or t.get("type") == "scatter") >= 1
    singular = int(_caption(at, "300 cells, one per point;").split(";")[1].split()[0])
    if name == "convex blob":
        assert singular == 0  # the control case: a convex support has no jump
    if name in ("ring", "grid"):
        assert singular > 0
        scores = at.dataframe[0].value
        assert "modes found" in scores.index and scores.loc["modes found", "AE-OT"].endswith(
            f"of {8 if name == 'ring' else 16}")
    replay = at.select_slider(key="pg_replay")  # the replay names Newton steps, not snapshot indices
    assert replay.label == "Replay the solve: Newton step"
    assert list(replay.options) == [str(i) for i in range(len(replay.options))]  # step 0 (the start) ... the last
    samples = json.loads(charts[1].proto.spec)
    X = preset(name, 300, random_state=0)[0]
    np.testing.assert_allclose(plotly_array(samples["data"][0]["x"]), X[:, 0], rtol=1e-6)  # the drawing itself


@pytest.mark.parametrize("typed, message", [
    ("0.1, 0.2\n0.3, 0.4\n0.5, 0.1", "at least 10 points"),
    ("\n".join(["0.2, 0.2"] * 30), "same place"),
    ("\n".join(f"{t:.3f}, {2 * t - 0.5:.3f}" for t in np.linspace(0, 0.5, 30)), "one line"),
    ("1, 2, 3\nfoo", "Could not read the typed points"),
])
def test_bad_drawings_get_their_own_message_and_the_page_keeps_working(typed, message):
    at = _page(pg_typed=typed)
    assert not at.exception, [e.value for e in at.exception]
    assert at.error and message in at.error[0].value
    at.text_area(key="pg_typed").set_value("").run()  # back to the preset: everything works again
    assert not at.exception and not at.error and len(at.get("plotly_chart")) == 2


def test_clearing_the_drawing_while_the_gan_runs_pauses_it():
    at = _page(pg_start="ring", pg_n=200)
    at.button(key="pg_run").click().run()
    assert at.session_state["pg_running"]
    at.selectbox(key="pg_start").set_value("a blank canvas").run()  # nothing drawn any more
    assert not at.exception and at.error and "at least 10 points" in at.error[0].value
    assert not at.session_state["pg_running"]


def test_the_gan_steps_and_its_samples_move():
    at = _page(pg_start="ring", pg_n=200)
    before = json.loads(at.get("plotly_chart")[1].proto.spec)
    at.button(key="pg_step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["pg_gan"].steps_ == 250
    after = json.loads(at.get("plotly_chart")[1].proto.spec)
    gan_before = plotly_array(before["data"][-1]["x"])
    gan_after = plotly_array(after["data"][-1]["x"])
    assert not np.allclose(gan_before, gan_after)
    assert "GAN, 250 steps" in json.dumps(after["layout"]["annotations"])


def test_export_gives_the_drawing_and_train_gets_it(tmp_path):
    from aeot_viz.data import load_dataset
    from aeot_viz.data.drawing import drawing_npz

    at = _page(pg_start="two moons", pg_n=150)
    assert at.get("download_button")[0].proto.label.startswith("Export the drawing")
    X = preset("two moons", 150, random_state=0)[0]
    path = tmp_path / "drawing.npz"
    path.write_bytes(drawing_npz(X))  # the bytes the button serves
    np.testing.assert_array_equal(load_dataset(path).data, X)  # a file the Train page's upload reads back
    train = AppTest.from_file(repo_file("pages/1_Train.py"), default_timeout=60)
    train.session_state["tr_drawing"] = X
    train.run()
    assert not train.exception, [e.value for e in train.exception]
    assert train.radio(key="tr_source").value == "the Playground drawing"
    assert any("150 drawn points" in c.value for c in train.caption)
