"""Generate page: a click generates, shows the samples and offers downloads."""

import base64
import json

import numpy as np
from app_helpers import TOY, run_page
from streamlit.testing.v1 import AppTest

PAGE = "../pages/5_Generate.py"


def test_generating_digits_of_one_label_shows_a_grid_and_downloads():
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception
    at.slider(key="gen_n").set_value(32)
    at.selectbox(key="gen_label").set_value("3")
    at.button(key="gen_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("image")) == 1
    assert len(at.get("download_button")) == 2
    model_key, g = at.session_state["gen_result"]
    assert g.codes.shape == (32, 16)
    # every source point came from a cell of a training "3"
    from pathlib import Path

    from aeot_viz.bundle import load_bundle

    m = load_bundle(Path(__file__).resolve().parent.parent / "assets" / "default_mnist10k.npz")
    assert (m.labels[g.cells] == 3).all()


def test_toy_model_overlays_generated_points():
    at = run_page(PAGE, TOY, timeout=120)
    at.radio(key="gen_rule").set_value("plain")
    at.button(key="gen_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    overlay = [t for t in spec["data"] if t.get("name") == "generated"]
    assert len(overlay) == 1
    x = overlay[0]["x"]
    n = len(base64.b64decode(x["bdata"])) // np.dtype(x["dtype"]).itemsize if isinstance(x, dict) else len(x)
    assert n == 64  # the default count
