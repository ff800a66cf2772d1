"""Two visitors at once: one trains and selects, the other's view does not change; cached models stay intact."""


import numpy as np
from app_helpers import TOY, finish_jobs, run_page
from repo import ASSETS, repo_file
from streamlit.testing.v1 import AppTest

from aeot_viz.pipeline.bundle import load_bundle


def test_training_and_selection_in_one_session_leave_another_untouched():
    alice = AppTest.from_file(repo_file("pages/1_Train.py"), default_timeout=180).run()
    bob = AppTest.from_file(repo_file("app.py"), default_timeout=120).run()
    alice.selectbox(key="tr_dataset").set_value("two_moons").run()
    alice.number_input(key="tr_n").set_value(200)
    alice.button(key="tr_go").click().run()
    finish_jobs(alice)
    assert alice.session_state["aeot_current"].startswith("trained: two_moons")
    bob.run()
    assert {m.label: m.value for m in bob.metric}["Dataset"] == "mnist10k"
    assert bob.session_state["aeot_session_models"] == {}
    assert "trained: two_moons" not in " ".join(bob.selectbox(key="home_model").options)


def test_pages_never_modify_the_shared_cached_model():
    fresh = load_bundle(ASSETS / "toy_grid25.npz")
    for page in (repo_file("pages/2_Latent_Space.py"), repo_file("pages/4_Singular_Set.py"),
                 repo_file("pages/5_Generate.py")):
        at = run_page(page, TOY, timeout=120)
        assert not at.exception
    from aeot_viz.apps.ui.state import SHIPPED, _load_path

    path = SHIPPED["25 Gaussians, 2-D (shipped toy)"]
    cached = _load_path(str(path), path.stat().st_mtime)
    assert np.array_equal(cached.h, fresh.h) and np.array_equal(cached.codes, fresh.codes)
