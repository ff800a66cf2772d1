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
    assert len(charts) == 1  # the cells; the samples are drawn by the browser's component
    cells = json.loads(charts[0].proto.spec)
    assert sum(1 for t in cells["data"] if t.get("fill") == "toself" or t.get("type") == "scatter") >= 1
    singular = int(_caption(at, "300 cells, one per point;").split(";")[1].split()[0])
    if name == "convex blob":
        assert singular == 0  # the control case: a convex support has no jump
    if name in ("ring", "grid"):
        assert singular > 0
        scores = at.table[0].value
        assert "modes found" in scores.index and scores.loc["modes found", "AE-OT"].endswith(
            f"of {8 if name == 'ring' else 16}")
    replay = at.select_slider(key="pg_replay")  # the replay names Newton steps, not snapshot indices
    assert replay.label == "Replay the solve: Newton step"
    assert list(replay.options) == [str(i) for i in range(len(replay.options))]  # step 0 (the start) ... the last
    args = _component_args(at)
    X = preset(name, 300, random_state=0)[0]
    # the drawing itself, drawn to 4 decimals (0.02 pixel on the canvas); the GAN trains on LiveGAN's own
    # normalised points, sent in full
    np.testing.assert_allclose(np.asarray(args["points"]), X, atol=5.001e-5)
    Xn = (X - np.asarray(args["center"])) / args["scale"]
    np.testing.assert_allclose(np.asarray(args["normalised"]), Xn, atol=1e-6)
    mesh = args["aeot"]
    assert len(mesh["image"]) == mesh["res"] ** 2 and mesh["n_edges"] == 2 * mesh["res"] * (mesh["res"] - 1)
    assert len(mesh["torn"]) == mesh["n_torn"] and all(0 <= k < mesh["n_edges"] for k in mesh["torn"])
    if name in ("ring", "grid"):
        assert mesh["n_torn"] > 0  # the mesh tears where the drawing has gaps
    if name == "convex blob":
        assert mesh["n_torn"] <= 0.01 * mesh["n_edges"]
    assert args["kind"] == "gan" and len(args["aeotSamples"]) == 300


def _component_args(at):
    comps = [c for c in at.get("component_instance") if c.key == "pg_gan_lab"]
    assert len(comps) == 1, "the GAN Lab component is on the page"
    return json.loads(comps[0].proto.json_args)


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
    assert not at.exception and not at.error and len(at.get("plotly_chart")) == 1


def test_the_gan_runs_in_the_browser_and_restarts_with_the_drawing_or_the_kind():
    at = _page(pg_start="ring", pg_n=200)
    first = _component_args(at)
    assert not at.exception and first["kind"] == "gan"
    scores = at.table[0].value
    assert list(scores.columns) == ["AE-OT", "GAN"] and (scores["GAN"] == "-").all()  # nothing reported yet
    at.radio(key="pg_kind").set_value("wgan-gp").run()
    second = _component_args(at)
    assert second["kind"] == "wgan-gp" and second["token"] != first["token"]
    at.slider(key="pg_n").set_value(300).run()
    third = _component_args(at)
    assert third["token"] != second["token"] and len(third["points"]) == 300
    at.selectbox(key="pg_start").set_value("a blank canvas").run()  # nothing drawn any more: no GAN to show
    assert at.error and "at least 10 points" in at.error[0].value
    assert not [c for c in at.get("component_instance") if c.key == "pg_gan_lab"]


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


# --- issue 33: the replay, its caption, typed points -----------------------------------------------------------------

def _cells_spec(at):
    return json.loads(next(c for c in at.get("plotly_chart") if "pg_cells" in c.proto.id).proto.spec)


def _shown_heights(spec):
    """The heights the cells figure shows, cell by cell (its hover text), and the cells they belong to."""
    info = next(t for t in spec["data"] if t.get("name") == "cell info")
    cells = plotly_array(info["customdata"]).astype(int)
    return cells, np.array([float(t.split("<br>h ")[1].split("<br>")[0]) for t in info["text"]])


def _red_segments(spec):
    red = [t for t in spec["data"] if t.get("name") == "singular edges"]
    return 0 if not red else int(np.isnan(plotly_array(red[0]["x"])).sum())  # one NaN after each segment


@pytest.mark.parametrize("change", ["preset", "typed"])
def test_a_new_drawing_opens_at_its_finished_solve_wherever_the_replay_stood(change):
    from aeot_viz.pipeline.playground import solve_drawing

    at = _page(pg_start="ring", pg_n=300)
    replay = at.select_slider(key="pg_replay")
    replay.set_value(len(replay.options) // 2).run()  # an unfinished solve
    assert at.select_slider(key="pg_replay").value < len(replay.options) - 1
    if change == "preset":
        at.selectbox(key="pg_start").set_value("grid").run()
        X = preset("grid", 300, random_state=0)[0]
    else:
        X = preset("two moons", 120, random_state=3)[0]
        at.text_area(key="pg_typed").set_value("\n".join(f"{x:.4f}, {y:.4f}" for x, y in X)).run()
        X = np.round(X.astype(np.float64), 4).astype(np.float32)
    assert not at.exception and not at.error, [e.value for e in at.exception]
    replay = at.select_slider(key="pg_replay")
    assert replay.value == len(replay.options) - 1  # the last step: the finished solve
    model = solve_drawing(X, random_state=0)
    cells, h = _shown_heights(_cells_spec(at))
    np.testing.assert_allclose(h, model.h[cells], rtol=1e-3, atol=1e-4)  # the figure shows the final heights
    assert len(cells) == len(X)


def test_the_caption_counts_the_red_facets_the_figure_draws():
    at = _page(pg_start="ring", pg_n=300)
    caption = _caption(at, "300 cells, one per point;")
    drawn = _red_segments(_cells_spec(at))
    assert drawn > 0 and caption.split("; ")[1].startswith(f"{drawn} singular facets by the convex null, drawn in red")
    at.select_slider(key="pg_replay").set_value(1).run()  # an early Newton step: no facet is drawn red
    assert not at.exception, [e.value for e in at.exception]
    assert _red_segments(_cells_spec(at)) == 0
    caption = _caption(at, "300 cells, one per point, at Newton step 1 of")
    assert "no facet is drawn red" in caption and "drawn in red" not in caption
    assert f"the finished solve has {drawn} singular facets" in caption
    blob = _page(pg_start="convex blob", pg_n=300)  # nothing singular: the caption says none is red
    assert _red_segments(_cells_spec(blob)) == 0
    assert "0 singular facets by the convex null, so none is drawn red" in _caption(blob, "300 cells, one per point;")


@pytest.mark.parametrize("bad, line", [("2, 3", 4), ("0.5, -1.5", 4), ("nan, 0.1", 4), ("0.1, inf", 4),
                                       ("0.1, 0.2, 0.3", 4)])
def test_typed_points_outside_the_square_or_not_finite_are_refused_naming_the_line(bad, line):
    good = [f"{0.08 * i - 0.5:.2f}, {0.01 * i * i - 0.5:.2f}" for i in range(1, 13)]  # a parabola in the square
    typed = "\n".join(good[:3] + [bad] + good[3:])
    at = _page(pg_typed=typed)
    assert not at.exception, [e.value for e in at.exception]
    assert at.error and f"line {line} ({bad!r})" in at.error[0].value
    assert not at.get("plotly_chart")  # nothing solved from a drawing the field refused
    at.text_area(key="pg_typed").set_value("\n".join(good)).run()  # the same points without the bad one: accepted
    assert not at.exception and not at.error and len(at.get("plotly_chart")) == 1
