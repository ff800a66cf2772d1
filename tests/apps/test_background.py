"""Background work seen from the pages: a view still being computed never blocks the page that needs it."""

import json
import threading

import numpy as np
from app_helpers import plotly_array
from repo import repo_file
from streamlit.testing.v1 import AppTest

from aeot_viz.analysis.projections import project


def test_latent_space_shows_pca_and_progress_while_umap_is_computed(tiny_model):
    from aeot_viz.apps.ui.cache import model_key
    from aeot_viz.apps.ui.state import training_pool

    gate = threading.Event()
    job = training_pool().submit(lambda callback: gate.wait(120), owner="test", label="views of m")
    try:
        at = AppTest.from_file(repo_file("pages/2_Latent_Space.py"), default_timeout=60)
        at.session_state["aeot_session_models"] = {"m": tiny_model}
        at.session_state["aeot_current"] = "m"
        at.session_state["aeot_jobs"] = [{"job": job, "kind": "views", "name": "m", "key": model_key("m", tiny_model),
                                          "holder": {"model": tiny_model}, "collected": False, "published": True}]
        at.session_state["lat_method"] = "umap"
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert job.status == "running"  # the page rendered while the views job still ran
        texts = [el.proto.text for el in at.get("progress")]
        assert any("UMAP of this model is being computed in the background" in t for t in texts), texts
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        np.testing.assert_allclose(plotly_array(spec["data"][0]["x"]), project(tiny_model.codes, "pca")[:, 0],
                                   rtol=1e-5, atol=1e-6)
        assert spec["layout"]["xaxis"]["title"]["text"].startswith("PC 1")
    finally:
        gate.set()
        job.wait(10)
