"""The model library in the app (issue 34): a trained model is stored with its owner and kept in the URL; a
``?model=`` link opens it in another session, which cannot rename or delete it; its owner can; a damaged file is
shown as damaged and the app keeps working. The store is the test session's own (tests/conftest.py)."""

from dataclasses import replace

import numpy as np
import pytest
from app_helpers import finish_jobs, shown_table
from repo import ASSETS, repo_file
from streamlit.testing.v1 import AppTest

from aeot_viz.pipeline.bundle import load_bundle
from aeot_viz.pipeline.store import ModelStore

HOME = "pages/0_Home.py"
ALICE, BOB = "a" * 32, "b" * 32


@pytest.fixture
def store():
    s = ModelStore()  # the app's store: AEOT_DATA_DIR of this test session
    yield s
    s.dispose()


def _home(owner: str, model: str | None = None) -> AppTest:
    at = AppTest.from_file(repo_file(HOME), default_timeout=180)
    at.session_state["aeot_owner"] = owner
    if model is not None:
        at.query_params["model"] = model
    return at.run()


def _stored_toy(store, owner: str, name: str, k: int):
    toy = load_bundle(ASSETS / "toy_ring8.npz")
    return store.put(replace(toy, h=toy.h + 1e-9 * k), name=name, owner=owner)


def _row(at, name: str) -> dict:
    table = next(t for t in (shown_table(d) for d in at.dataframe) if "yours" in t.columns)  # the library's
    return next(r for r in table.to_dict("records") if r["name"] == name)


def test_a_model_trained_here_is_stored_with_its_owner_and_its_link(store):
    at = AppTest.from_file(repo_file("pages/1_Train.py"), default_timeout=180)
    at.session_state["aeot_owner"] = ALICE
    at.run()
    at.selectbox(key="tr_dataset").set_value("ring8").run()
    at.number_input(key="tr_n").set_value(200)
    at.button(key="tr_go").click().run()
    finish_jobs(at)
    name = at.session_state["aeot_current"]
    rec = next(r for r in store.list() if r.name == name)
    assert rec.owner == ALICE and rec.dataset == "ring8" and rec.ot_l1 is not None
    assert at.query_params["model"] == [rec.id] or at.query_params["model"] == rec.id
    np.testing.assert_array_equal(store.load(rec.id).h, at.session_state["aeot_session_models"][name].h)
    job = next(j for j in store.jobs(owner=ALICE) if j.label == name)
    assert job.status == "done" and job.model_id == rec.id and job.heartbeat is not None  # the job's row followed it
    assert job.settings["dataset"]["name"] == "ring8" and job.settings["dataset"]["builtin"]
    assert store.load(rec.id).views  # the stored copy got the views the worker computed after training
    # a reload is a new session with the same cookie and URL: the model is current again
    again = _home(ALICE, rec.id)
    assert not again.exception, [e.value for e in again.exception]
    assert again.session_state["aeot_current"].endswith(f"[{rec.id}]")
    assert {m.label: m.value for m in again.metric}["Dataset"] == "ring8"


def test_a_link_opens_the_model_for_anyone_but_only_its_owner_renames_or_deletes_it(store):
    rec = _stored_toy(store, ALICE, "alice's ring", 1)
    bob = _home(BOB, rec.id)
    assert not bob.exception, [e.value for e in bob.exception]
    assert bob.session_state["aeot_current"] == f"alice's ring [{rec.id}]"
    assert {m.label: m.value for m in bob.metric}["Dataset"] == "ring8"
    assert _row(bob, "alice's ring")["yours"] == "no"
    bob.selectbox(key="lib_pick").set_value(rec.id).run()
    assert bob.button(key="lib_delete").disabled and bob.button(key="lib_rename").disabled
    alice = _home(ALICE)
    assert _row(alice, "alice's ring")["yours"] == "yes"
    alice.selectbox(key="lib_pick").set_value(rec.id).run()
    alice.text_input(key=f"lib_name_{rec.id}").set_value("ring, renamed").run()
    alice.button(key="lib_rename").click().run()
    assert store.get(rec.id).name == "ring, renamed"
    alice.selectbox(key="lib_pick").set_value(rec.id).run()
    alice.button(key="lib_delete").click().run()
    assert not alice.exception, [e.value for e in alice.exception]
    assert store.get(rec.id) is None and not store.path_of(rec.digest).exists()
    gone = _home(BOB, rec.id)  # the old link now says what happened and shows the default
    assert not gone.exception and any("No stored model has the id" in w.value for w in gone.warning)


def test_a_damaged_file_is_shown_as_damaged_and_the_app_keeps_working(store):
    rec = _stored_toy(store, ALICE, "to be damaged", 2)
    path = store.path_of(rec.digest)
    path.write_bytes(path.read_bytes()[: rec.size // 3])
    at = _home(ALICE)
    assert not at.exception, [e.value for e in at.exception]
    assert _row(at, "to be damaged")["file"] == "damaged"
    at.selectbox(key="lib_pick").set_value(rec.id).run()
    assert at.button(key="lib_open").disabled
    linked = _home(BOB, rec.id)  # its link: a message, and the shipped default instead of a traceback
    assert not linked.exception, [e.value for e in linked.exception]
    assert {m.label: m.value for m in linked.metric}["Dataset"] == "mnist10k"
    assert any("damaged" in w.value for w in linked.warning)
    store.delete(rec.id, owner=ALICE)
