"""The home page, driven by Streamlit's AppTest on the shipped default bundle."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not (ROOT / "assets" / "default_mnist10k.npz").is_file(), reason="default bundle not built")
def test_home_page_shows_the_default_model():
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Dataset"] == "mnist10k"
    assert metrics["Codes (N)"] == "10,000"
    assert metrics["Latent dim"] == "16"
    assert float(metrics["OT L1 error"]) < 0.2
    images = at.get("image")
    assert len(images) == 2  # originals, then their reconstructions
    assert [len(im.proto.imgs) for im in images] == [16, 16]


def test_home_page_upload_mode_waits_for_a_file():
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    at.radio(key="home_source").set_value("Upload a bundle (.npz)").run()
    assert not at.exception
    assert not at.metric  # nothing loaded yet, and no error either
    assert not at.error
