"""Bounded training jobs: a queue with positions, a memory budget, cancel, and four visitors at once."""

import contextlib
import threading
import time
import traceback

import pytest
from app_helpers import finish_jobs
from memory_helpers import peak_rss_of
from repo import repo_file

from aeot_viz.pipeline.config import AEConfig, AEOTConfig, OTConfig, TrainConfig
from aeot_viz.pipeline.jobs import JobPool, default_max_running, estimate_training_bytes
from aeot_viz.utils.progress import Cancelled, ProgressEvent


def _blocking(gate, log, name):
    def fn(callback):
        log.append(("start", name))
        callback(ProgressEvent("ot", 0, 2))
        while not gate.wait(0.01):
            callback(ProgressEvent("ot", 1, 2))
        log.append(("end", name))
        return name
    return fn


def test_one_runs_the_others_queue_in_order_and_see_their_position():
    pool, gate, log = JobPool(max_running=1, memory_budget=10**9), threading.Event(), []
    jobs = [pool.submit(_blocking(gate, log, n), owner=f"visitor {n}", estimate_bytes=10) for n in "abc"]
    time.sleep(0.1)
    assert [j.status for j in jobs] == ["running", "queued", "queued"]
    assert [j.position for j in jobs] == [0, 1, 2]
    assert pool.running == 1 and pool.queued == 2
    gate.set()
    assert all(j.wait(10) for j in jobs)
    assert [j.result for j in jobs] == ["a", "b", "c"]
    assert log == [("start", "a"), ("end", "a"), ("start", "b"), ("end", "b"), ("start", "c"), ("end", "c")]
    assert all(j.events and j.events[0].stage == "ot" for j in jobs)
    assert [j.label for j in pool.jobs_of("visitor b")] == [""] and len(pool.jobs_of("visitor b")) == 1


def test_a_job_that_cannot_fit_is_refused_with_the_setting_to_change():
    pool = JobPool(max_running=1, memory_budget=100 * 2**20)
    with pytest.raises(ValueError, match="AEOT_TRAINING_MEMORY_MB"):
        pool.submit(lambda cb: None, owner="x", estimate_bytes=200 * 2**20)
    assert pool.queued == 0 and pool.running == 0


def test_a_queued_job_waits_for_memory_even_with_a_free_slot():
    pool, gate, log = JobPool(max_running=2, memory_budget=100), threading.Event(), []
    big = pool.submit(_blocking(gate, log, "big"), owner="a", estimate_bytes=70)
    other = pool.submit(_blocking(gate, log, "other"), owner="b", estimate_bytes=50)
    time.sleep(0.1)
    assert big.status == "running" and other.status == "queued" and other.position == 1
    gate.set()
    assert other.wait(10) and log.index(("end", "big")) < log.index(("start", "other"))


def test_cancel_a_queued_job_and_a_running_one():
    pool, gate, log = JobPool(max_running=1, memory_budget=10**9), threading.Event(), []
    running = pool.submit(_blocking(gate, log, "r"), owner="a")
    queued = pool.submit(_blocking(gate, log, "q"), owner="b")
    time.sleep(0.05)
    queued.cancel()
    assert queued.done and queued.status == "cancelled" and queued.position == 0
    running.cancel()
    assert running.wait(10) and running.status == "cancelled" and isinstance(running.error, Cancelled)
    assert ("start", "q") not in log


def test_a_failing_job_keeps_its_error_and_frees_its_slot():
    pool = JobPool(max_running=1, memory_budget=10**9)

    def boom(callback):
        raise MemoryError("out of memory while solving OT")

    bad = pool.submit(boom, owner="a")
    good = pool.submit(lambda cb: 42, owner="b")
    assert bad.wait(10) and good.wait(10)
    assert bad.status == "failed" and isinstance(bad.error, MemoryError) and good.result == 42


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("AEOT_MAX_TRAINING_JOBS", "3")
    monkeypatch.setenv("AEOT_TRAINING_MEMORY_MB", "512")
    pool = JobPool()
    assert pool.max_running == 3 and pool.memory_budget == 512 * 2**20
    monkeypatch.setenv("AEOT_MAX_TRAINING_JOBS", "many")
    with pytest.raises(ValueError, match="AEOT_MAX_TRAINING_JOBS"):
        default_max_running()


def _peak_rss(code: str) -> int:
    status, err, peak = peak_rss_of(code)
    assert status == 0, err
    return peak


def test_the_estimate_is_above_a_real_run_s_peak_memory():
    """Measured, not assumed: what a real training adds to a process that has the libraries and the data
    loaded (as the server has) stays under the estimate, and the estimate is not wildly above it."""
    setup = ("from aeot_viz.pipeline.config import *; from aeot_viz.data import load_dataset; "
             "from aeot_viz.pipeline.training import fit_aeot; ds = load_dataset('digits', n_samples=600); "
             "cfg = AEOTConfig(ae=AEConfig(latent_dim=4), train=TrainConfig(epochs=1), "
             "ot=OTConfig(max_iter=40, round_iter=20, validation_samples=2**16))")
    added = _peak_rss(setup + "; fit_aeot(ds, cfg)") - _peak_rss(setup)
    cfg = AEOTConfig(ae=AEConfig(latent_dim=4), train=TrainConfig(epochs=1),
                     ot=OTConfig(max_iter=40, round_iter=20, validation_samples=2**16))
    estimate = estimate_training_bytes(600, (1, 8, 8), cfg)
    assert 0 < added < estimate < 4 * added
    # it grows with the data: MNIST-sized images
    assert estimate_training_bytes(60_000, (1, 28, 28), cfg) > estimate_training_bytes(6_000, (1, 28, 28), cfg) \
        + 54_000 * 784 * 4 * 3


@contextlib.contextmanager
def _one_server_for_concurrent_apptests(monkeypatch):
    """Let several AppTests run at once in threads, as sessions of one server do.

    AppTest was written for one run at a time: every run installs its own mock ``Runtime`` singleton and
    sets it back to None when it ends, sets the ``global.appTest`` option and restores it, and compiles the
    page afresh. Concurrent runs then pull the runtime from under each other ("Runtime hasn't been created",
    widget-state KeyErrors), and concurrent compiles trip CPython 3.11's AST validator, which keeps one global
    recursion counter. A real server has one runtime for all sessions and compiles a page once, under a lock.
    So: one shared mock runtime installed for the whole test, each run's own install and reset sent to a
    stand-in, the option set once, and compiles serialised. The pages themselves still run at once.
    """
    from unittest.mock import MagicMock

    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test

    shared = MagicMock(spec=Runtime)
    shared.media_file_mgr = app_test.MediaFileManager(app_test.MemoryMediaFileStorage("/mock/media"))
    shared.dataframe_source_mgr = app_test.DataframeSourceManager()
    shared.cache_storage_manager = app_test.MemoryCacheStorageManager()
    shared.bidi_component_registry = app_test.BidiComponentManager()
    monkeypatch.setattr(Runtime, "_instance", shared)

    class StandIn:  # receives each run's own install and reset of the singleton
        _instance = None

    monkeypatch.setattr(app_test, "Runtime", StandIn)
    monkeypatch.setattr(app_test, "patch_config_options", lambda options: contextlib.nullcontext())
    compiling = threading.Lock()
    compile_page = ScriptCache.get_bytecode

    def get_bytecode(self, script_path):
        with compiling:
            return compile_page(self, script_path)

    monkeypatch.setattr(ScriptCache, "get_bytecode", get_bytecode)
    from streamlit.testing.v1.util import patch_config_options

    with patch_config_options({"global.appTest": True}):
        yield


def test_four_visitors_train_at_once_one_runs_the_rest_queue(monkeypatch):
    """The load test: four sessions press Train together on the Train page. Nothing dies, every job finishes,
    at most one runs at a time, and every visitor ends with their own model."""
    from streamlit.testing.v1 import AppTest

    from aeot_viz.apps.ui.state import training_pool

    monkeypatch.setenv("AEOT_MAX_TRAINING_JOBS", "1")
    training_pool.clear()
    results, errors = {}, []
    ready = threading.Barrier(4)

    def visitor(seed):
        try:
            at = AppTest.from_file(repo_file("pages/1_Train.py"), default_timeout=600).run()
            at.number_input(key="tr_n").set_value(300)
            at.number_input(key="tr_seed").set_value(seed)
            ready.wait(120)  # all four pages are open: press Train together
            at.button(key="tr_go").click().run()
            finish_jobs(at, 900)
            results[seed] = at
        except Exception:  # noqa: BLE001 - reported below, with where it came from
            errors.append(traceback.format_exc())

    t0 = time.time()
    threads = [threading.Thread(target=visitor, args=(s,)) for s in range(4)]
    with _one_server_for_concurrent_apptests(monkeypatch):
        for t in threads:
            t.start()
        for t in threads:
            t.join(900)
    wall = time.time() - t0
    assert not errors, errors
    jobs = sorted((j for j in training_pool().jobs_of_all()), key=lambda j: j.started)
    assert len(jobs) == 4 and all(j.status == "done" for j in jobs)
    for a, b in zip(jobs, jobs[1:]):
        assert a.finished <= b.started + 1e-3  # never two at once
    # pressed together, so every later job was submitted while an earlier one still ran: it queued
    assert all(b.submitted < a.finished for a, b in zip(jobs, jobs[1:]))
    waits = [j.started - j.submitted for j in jobs]
    for seed, at in results.items():
        assert not at.exception, [e.value for e in at.exception]
        assert at.success, f"visitor {seed} saw no result"
        model = at.session_state["aeot_session_models"][at.session_state["aeot_current"]]
        assert at.session_state["aeot_current"] == f"trained: ring8 (300, seed {seed})"
        assert model.dataset["params"]["random_state"] == seed  # their own model, not another visitor's
    print(f"\nload test: 4 visitors, wall {wall:.1f} s; queue waits {', '.join(f'{w:.1f}' for w in waits)} s; "
          f"run times {', '.join(f'{j.finished - j.started:.1f}' for j in jobs)} s")
    training_pool.clear()


def test_a_running_training_does_not_hold_another_visitor_s_pages():
    from streamlit.testing.v1 import AppTest

    from aeot_viz.apps.ui.state import training_pool

    training_pool.clear()
    gate, log = threading.Event(), []
    job = training_pool().submit(_blocking(gate, log, "someone else's"), owner="another session")
    try:
        for page in (repo_file("pages/1_Train.py"), repo_file("pages/0_Home.py")):
            at = AppTest.from_file(page, default_timeout=120).run()
            assert not at.exception, [e.value for e in at.exception]
            assert job.status == "running"  # the page rendered while the other visitor's job ran
        assert "aeot_jobs" not in at.session_state  # this visitor has no job of their own
    finally:
        gate.set()
        job.wait(10)
        training_pool.clear()


def test_progress_runs_through_the_stages_in_order_and_names_them():
    from aeot_viz.pipeline.jobs import TRAINING_STAGES, describe_progress
    from aeot_viz.utils.progress import ProgressEvent

    assert describe_progress([]) == (0.0, "starting...")
    order = ["autoencoder", "encode", "ot", "convex-null", "views"]
    fractions = []
    for stage in order:
        for step in (0, 5, 10):
            metrics = {"autoencoder": {"loss": 0.5}, "ot": {"l1": 0.1}, "convex-null": {"l1": 0.2},
                       "views": {"view": "projection_umap"}}.get(stage, {})
            f, text = describe_progress([ProgressEvent(stage, step, 10, metrics)])
            fractions.append(f)
        assert text.split(" ")[0] in {"autoencoder", "encoding", "OT", "convex", "views"}
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert set(TRAINING_STAGES) >= set(order)
    f, text = describe_progress([ProgressEvent("ot-validation", 40, 100, {"l1": 0.0123, "noise_floor": 0.01})])
    assert "validated L1 0.0123 (noise floor 0.0100)" in text
    f, text = describe_progress([ProgressEvent("views", 2, 4, {"view": "projection_tsne"})], kind="views")
    assert f == 0.5 and "computing projection" in text
