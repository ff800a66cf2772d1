"""Generate page: regions (label, Latent selection, source box), the image grid, placement, downloads."""

import json

import numpy as np
from app_helpers import TOY, plotly_array, run_page
from repo import ASSETS, repo_file
from streamlit.testing.v1 import AppTest

from aeot_viz.apps.ui.cache import model_key
from aeot_viz.pipeline.bundle import load_bundle

PAGE = repo_file("pages/5_Generate.py")


def _overlay(at, i=0):
    spec = json.loads(at.get("plotly_chart")[i].proto.spec)
    return [t for t in spec["data"] if t.get("name") == "generated"]


def test_generating_digits_of_one_label_shows_a_grid_placement_and_downloads():
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception
    at.slider(key="gen_n").set_value(32)
    at.radio(key="gen_region").set_value("cells of codes with a label").run()
    at.selectbox(key="gen_label").set_value("3")
    at.button(key="gen_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("image")) == 1
    assert len(at.get("download_button")) == 2
    g = at.session_state["gen_result"][1]
    assert g.codes.shape == (32, 32)  # the shipped MNIST model's latent dimension (issue 19)
    m = load_bundle(ASSETS / "default_mnist10k.npz")
    assert (m.labels[g.cells] == 3).all()  # every source point came from a cell of a training "3"
    # where the new codes fall: PCA is linear, so the placed points are the PCA projection of the new codes
    from sklearn.decomposition import PCA

    pca = PCA(2, random_state=0).fit(m.codes)
    placed = np.column_stack([plotly_array(_overlay(at)[0]["x"]), plotly_array(_overlay(at)[0]["y"])])
    np.testing.assert_allclose(placed, pca.transform(g.codes), atol=2e-3)


def test_region_from_the_latent_selection_and_a_source_box():
    m = load_bundle(ASSETS / "toy_grid25.npz")
    at = run_page(PAGE, TOY, timeout=120)
    at.radio(key="gen_region").set_value("cells selected on the Latent Space page").run()
    assert at.info and "Latent Space page" in at.info[0].value  # nothing selected yet
    chosen = np.arange(100, 160)
    at.session_state["aeot_selected_cells"] = (model_key(TOY, m), chosen)
    at.run()
    at.button(key="gen_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    g = at.session_state["gen_result"][1]
    assert set(g.cells.tolist()) <= set(chosen.tolist())
    at.radio(key="gen_region").set_value("a box in the source cube").run()
    at.slider(key="gen_box_x").set_value((0.1, 0.3))
    at.slider(key="gen_box_y").set_value((-0.2, 0.0))
    at.button(key="gen_go").click().run()
    g = at.session_state["gen_result"][1]
    X = g.source_points
    assert (X[:, 0] >= 0.1).all() and (X[:, 0] <= 0.3).all() and (X[:, 1] >= -0.2).all() and (X[:, 1] <= 0).all()
    assert len(plotly_array(_overlay(at)[0]["x"])) == 64  # the default count, drawn over the 2-D codes
    # the noise box is drawn on the picture of the source square, with the noise points drawn in it
    source = json.loads(at.get("plotly_chart")[1].proto.spec)["data"]
    box = [t for t in source if t.get("name") == "chosen noise box"][0]
    assert (min(box["x"]), max(box["x"]), min(box["y"]), max(box["y"])) == (0.1, 0.3, -0.2, 0.0)
    drawn = [t for t in source if t.get("name") == "noise drawn in it"][0]
    np.testing.assert_allclose(plotly_array(drawn["x"]), X[:, 0], atol=1e-6)


def test_label_generation_blends_within_the_label_unless_untold():
    m = load_bundle(ASSETS / "default_mnist10k.npz")
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    at.radio(key="gen_region").set_value("cells of codes with a label").run()
    at.selectbox(key="gen_label").set_value("7").run()
    assert at.checkbox(key="gen_within").value  # on by default
    assert any("A **mode** is one separate cluster" in c.value for c in at.caption)
    at.slider(key="gen_n").set_value(256)
    at.button(key="gen_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    g = at.session_state["gen_result"][1]
    assert (m.labels[g.neighbours][g.weights > 0] == 7).all()
    at.checkbox(key="gen_within").uncheck()
    at.button(key="gen_go").click().run()
    g = at.session_state["gen_result"][1]
    assert (m.labels[g.cells] == 7).all()
    assert (m.labels[g.neighbours][g.weights > 0] != 7).any()  # free blending reaches other digits' codes


def test_mnist_box_around_a_code_and_a_single_selected_cell():
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    at.radio(key="gen_region").set_value("a box in the source cube").run()
    at.number_input(key="gen_box_code").set_value(7)
    at.slider(key="gen_box_half").set_value(0.05)
    at.button(key="gen_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    g = at.session_state["gen_result"][1]
    m = load_bundle(ASSETS / "default_mnist10k.npz")
    assert np.abs(g.source_points - m.targets[7]).max() <= 0.05 + 1e-6
    at.radio(key="gen_region").set_value("cells selected on the Latent Space page").run()
    at.session_state["aeot_selected_cells"] = (model_key("MNIST-10k (shipped default)", m), np.array([3]))
    at.run()
    at.button(key="gen_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    g = at.session_state["gen_result"][1]
    assert (g.cells == 3).all() and len(g.cells) == 64  # one cell of mass 1e-4, found by rejection
