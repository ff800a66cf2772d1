"""Latent Space page: projection, colourings, selection -> image grids, generation from the selection."""

import json

from app_helpers import TOY, run_page
from repo import repo_file
from streamlit.testing.v1 import AppTest

PAGE = repo_file("pages/2_Latent_Space.py")


def _select(at, ids):
    at.session_state["lat_chart"] = {"selection": {"points": [], "point_indices": list(ids), "box": [], "lasso": []}}
    return at.run()


def test_selection_shows_decoded_codes_and_originals():
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["dragmode"] == "select"
    assert at.info  # nothing selected yet
    _select(at, range(100, 120))
    assert not at.exception, [e.value for e in at.exception]
    assert at.subheader[0].value == "20 codes selected"
    images = at.get("image")
    assert len(images) == 2  # decoded codes and their original images
    assert at.session_state["aeot_selected_cells"][1].tolist() == list(range(100, 120))  # for the Generate page


def test_generate_from_selected_cells_overlays_points_on_toy_model():
    at = run_page(PAGE, TOY, timeout=120)
    _select(at, range(0, 40))
    at.button(key="lat_generate").click().run()
    assert not at.exception, [e.value for e in at.exception]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [t.get("name") for t in spec["data"]]
    assert "generated (placed among the codes they blend)" in names
    cells = at.session_state["lat_generated"][2]
    assert set(cells.tolist()) <= set(range(0, 40))


def test_colourings_run_without_error():
    at = run_page(PAGE, TOY, timeout=120)
    for c in ("cell mass error", "next to a singular facet"):
        at.radio(key="lat_colour").set_value(c).run()
        assert not at.exception, [e.value for e in at.exception]
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        assert spec["data"][0]["marker"]["showscale"] is True


def _notice(at) -> str:
    notes = [m.value for m in at.markdown if "**What to notice.**" in m.value]
    assert len(notes) == 1, notes
    return notes[0]


def test_what_to_notice_is_true_for_the_projection_shown():
    """Only UMAP is promised islands with empty space between them; PCA and t-SNE are told for what they are, and a
    2-D latent space is the codes themselves (issue 33)."""
    from aeot_viz.apps.ui.teaching import NOTICE

    texts = NOTICE["Latent Space"]
    at = AppTest.from_file(PAGE, default_timeout=120).run()  # MNIST-10k, latent 32: PCA first
    assert at.radio(key="lat_method").value == "pca"
    assert texts["pca"] in _notice(at) and "islands with empty space" not in _notice(at)
    assert "fall on top of each other" in _notice(at)
    at.radio(key="lat_method").set_value("umap").run()
    assert not at.exception, [e.value for e in at.exception]
    assert texts["umap"] in _notice(at) and "islands with empty space between them" in _notice(at)
    at.radio(key="lat_method").set_value("tsne").run()
    assert not at.exception, [e.value for e in at.exception]
    assert texts["tsne"] in _notice(at) and "islands" not in _notice(at)
    toy = run_page(PAGE, TOY, timeout=120)
    assert texts["as_is"] in _notice(toy) and "undistorted" in _notice(toy)
