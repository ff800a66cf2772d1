"""The home page, driven by Streamlit's AppTest on the shipped bundles."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def _home():
    return AppTest.from_file("../app.py", default_timeout=120).run()


def test_home_page_shows_the_default_model():
    at = _home()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Dataset"] == "mnist10k"
    assert metrics["Codes (N)"] == "10,000"
    assert metrics["Latent dim"] == "16"
    assert float(metrics["OT L1 error"]) < 0.2
    images = at.get("image")
    assert len(images) == 2  # originals, then their reconstructions
    assert [len(im.proto.imgs) for im in images] == [16, 16]


def test_picking_the_toy_model_switches_the_summary():
    at = _home()
    at.selectbox(key="home_model").set_value("25 Gaussians, 2-D (shipped toy)").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Dataset"] == "grid25" and metrics["Latent dim"] == "2"
    assert not at.get("image")  # points, no images
    assert at.session_state["aeot_current"] == "25 Gaussians, 2-D (shipped toy)"
