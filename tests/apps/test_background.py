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
        notes = [m.value for m in at.markdown if "**What to notice.**" in m.value]
        assert len(notes) == 1 and "PCA is a flat, linear shadow" in notes[0]  # what is shown meanwhile: PCA's
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        np.testing.assert_allclose(plotly_array(spec["data"][0]["x"]), project(tiny_model.codes, "pca")[:, 0],
                                   rtol=1e-5, atol=1e-6)
        assert spec["layout"]["xaxis"]["title"]["text"].startswith("PC 1")
    finally:
        gate.set()
        job.wait(10)


def test_a_finished_training_is_collected_and_home_follows_it(toy_model, tmp_path):
    """A job that ended in the background is collected (the model joins the session and becomes current) and
    the Home picker follows the new current model instead of pulling the old one back."""
    from aeot_viz.apps.ui.state import training_pool

    home = AppTest.from_file(repo_file("pages/0_Home.py"), default_timeout=120).run()
    assert home.selectbox(key="home_model").value == "MNIST-10k (shipped default)"
    job = training_pool().submit(lambda callback: toy_model, owner="test", label="trained: ring8 (300, seed 0)")
    assert job.wait(30)
    entry = {"job": job, "kind": "training", "name": "trained: ring8 (300, seed 0)", "holder": {"model": toy_model},
             "checkpoint": str(tmp_path / "ckpt"), "collected": False, "published": False}
    train = AppTest.from_file(repo_file("pages/1_Train.py"), default_timeout=120)
    train.session_state["aeot_jobs"] = [entry]
    train.run()
    assert not train.exception, [e.value for e in train.exception]
    assert entry["collected"] and entry["published"]
    assert train.session_state["aeot_current"] == "trained: ring8 (300, seed 0)"
    assert train.success and "is now the current model" in train.success[0].value
    # what collect_finished did in that session, done in the Home visitor's session: Home follows it
    home.session_state["aeot_session_models"] = {"trained: ring8 (300, seed 0)": toy_model}
    home.session_state["aeot_current"] = "trained: ring8 (300, seed 0)"
    home.run()
    assert not home.exception, [e.value for e in home.exception]
    assert home.selectbox(key="home_model").value == "trained: ring8 (300, seed 0)"
    assert {m.label: m.value for m in home.metric}["Dataset"] == "ring8"
    home.selectbox(key="home_model").set_value("MNIST-10k (shipped default)").run()  # the visitor's own pick wins
    assert home.session_state["aeot_current"] == "MNIST-10k (shipped default)"


def _sidebar_messages(at) -> list:
    return [m.value for kind in ("success", "warning", "error", "info") for m in getattr(at.sidebar, kind)]


def test_the_sidebar_says_one_true_thing_when_training_and_views_end_together(toy_model, tmp_path):
    """A training job found finished (model and views) in one collection gets one message: trained, current,
    views ready; never "being computed" beside "views ready" (issue 33)."""
    from aeot_viz.apps.ui.state import training_pool

    name = "trained: ring8 (300, seed 0)"
    job = training_pool().submit(lambda callback: toy_model, owner="test", label=name)
    assert job.wait(30)
    at = AppTest.from_file(repo_file("app.py"), default_timeout=120)
    at.session_state["aeot_jobs"] = [{"job": job, "kind": "training", "name": name, "holder": {"model": toy_model},
                                      "checkpoint": str(tmp_path / "ckpt"), "collected": False, "published": False}]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    said = [m for m in _sidebar_messages(at) if name in m]
    assert len(said) == 1, said
    assert "is now the current model" in said[0] and "views are ready" in said[0]
    assert "being computed" not in said[0]
    assert at.session_state["aeot_current"] == name


def test_the_sidebar_says_views_are_being_computed_only_while_they_are(toy_model, tmp_path):
    """Published while its views still run: "being computed"; once they end: "views ready", one message each."""
    from aeot_viz.apps.ui.state import training_pool

    name = "trained: ring8 (300, seed 1)"
    gate, holder = threading.Event(), {}

    def run(callback):
        holder["model"] = toy_model  # what submit_training's job does once fit_aeot returns
        gate.wait(60)
        return toy_model

    job = training_pool().submit(run, owner="test", label=name)
    entry = {"job": job, "kind": "training", "name": name, "holder": holder, "checkpoint": str(tmp_path / "ckpt"),
             "collected": False, "published": False}
    try:
        for _ in range(1200):  # the job starts once the pool has a free slot
            if "model" in holder:
                break
            threading.Event().wait(0.05)
        assert "model" in holder, "the job did not start"
        at = AppTest.from_file(repo_file("app.py"), default_timeout=120)
        at.session_state["aeot_jobs"] = [entry]
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        said = [m for m in _sidebar_messages(at) if name in m]
        assert len(said) == 1 and "being computed" in said[0] and "ready" not in said[0], said
    finally:
        gate.set()
        assert job.wait(30)
    at.run()
    said = [m for m in _sidebar_messages(at) if name in m]
    assert said == [f"{name}: views ready; every page opens at once."], said
