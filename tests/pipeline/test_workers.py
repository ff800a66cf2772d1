"""Training in worker processes (issue 34): real spawned children, killed, limited, cancelled and queued."""

import os
import signal
import time

import numpy as np
import pytest
import worker_jobs

from aeot_viz.data import load_dataset
from aeot_viz.pipeline.bundle import load_bundle
from aeot_viz.pipeline.config import AEOTConfig, OTConfig
from aeot_viz.pipeline.training import fit_aeot
from aeot_viz.pipeline.workers import ProcessJobPool, train_in_worker
from aeot_viz.utils.progress import Cancelled


def _wait_for(predicate, timeout=60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def _gone(pid) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture(scope="module")
def pool():
    return ProcessJobPool(max_running=1, memory_budget=10**12)


def test_a_toy_trained_in_a_worker_has_the_heights_of_the_same_run_in_process(pool, tmp_path):
    ds = load_dataset("ring8", n_samples=200)
    config = AEOTConfig(ot=OTConfig(validation_samples=2**14))
    here = fit_aeot(ds, config)
    updates, partial = [], []
    job = pool.submit_process(train_in_worker, (ds.data, ds.labels, ds.kind, ds.name, ds.params, config.to_dict(),
                                                str(tmp_path / "ckpt")),
                              owner="a", label="ring8", on_update=updates.append, on_partial=partial.append)
    assert job.wait(120), job.status
    assert job.status == "done", job.error
    model = load_bundle(job.result)
    np.testing.assert_allclose(model.h, here.h, rtol=0, atol=1e-6)
    np.testing.assert_allclose(model.codes, here.codes, rtol=0, atol=1e-6)
    assert model.views  # the views were computed in the child and came back in the bundle
    assert len(partial) == 1 and load_bundle(partial[0]).views == {}  # the trained model, published before its views
    stages = {ev.stage for ev in job.events}
    assert "views" in stages and ("ot" in stages or "ot-validation" in stages), stages
    assert len(job.times) == len(job.events)
    assert updates and updates[-1] is job and job.heartbeat is not None and job.pid is not None
    assert _gone(job.pid)


def test_a_worker_killed_by_sigkill_fails_as_out_of_memory_and_the_pool_keeps_working(pool, tmp_path):
    job = pool.submit_process(worker_jobs.report_then_sleep, (60,), owner="a", label="killed")
    assert _wait_for(lambda: job.events), job.status
    os.kill(job.pid, signal.SIGKILL)  # what the kernel's OOM killer does
    assert job.wait(30)
    assert job.status == "failed"
    assert isinstance(job.error, MemoryError)
    text = str(job.error)
    assert "out of memory" in text and "SIGKILL" in text and "AEOT_TRAINING_MEMORY_MB" in text
    assert "fewer samples" in text and "smaller batch" in text and "resume from its last checkpoint" in text
    flag = tmp_path / "go"
    flag.write_text("")
    after = pool.submit_process(worker_jobs.wait_for_file, (str(flag), "after"), owner="a")
    assert after.wait(60) and after.status == "done" and after.result == "after"


def test_a_worker_over_its_address_space_limit_reports_out_of_memory(pool):
    job = pool.submit_process(worker_jobs.allocate, (2 * 2**30,), owner="a", memory_limit_bytes=1536 * 2**20)
    assert job.wait(60)
    assert job.status == "failed", job.result
    assert isinstance(job.error, MemoryError)
    assert "out of memory" in str(job.error) and "AEOT_TRAINING_MEMORY_MB" in str(job.error)


def test_cancel_during_a_long_native_call_ends_the_child_within_5_s(pool):
    updates = []
    job = pool.submit_process(worker_jobs.report_then_sleep, (60,), owner="a", on_update=updates.append)
    assert _wait_for(lambda: job.events)
    first = job.heartbeat
    assert _wait_for(lambda: job.heartbeat > first, 10)  # heartbeats come while the child sleeps, with no event
    n_updates = len(updates)
    job.cancel()
    t0 = time.monotonic()
    assert job.wait(5) and _gone(job.pid), "the child was still there 5 s after cancel()"
    assert time.monotonic() - t0 < 5  # the acceptance: gone within 5 s of cancel()
    assert job.status == "cancelled" and isinstance(job.error, Cancelled)
    assert len(updates) > n_updates


def test_queue_positions_fifo_errors_and_the_memory_estimate_refusal(tmp_path):
    pool = ProcessJobPool(max_running=1, memory_budget=1000)
    with pytest.raises(ValueError, match="AEOT_TRAINING_MEMORY_MB"):
        pool.submit_process(worker_jobs.fail, ("never",), owner="a", estimate_bytes=1001)
    assert pool.jobs_of_all() == []  # refused before anything was queued or started
    with pytest.raises(ValueError, match="memory_limit_bytes"):
        pool.submit_process(worker_jobs.fail, ("never",), owner="a", memory_limit_bytes=0)
    flag = tmp_path / "go"
    jobs = [pool.submit_process(worker_jobs.wait_for_file, (str(flag), n), owner=f"visitor {n}", estimate_bytes=600)
            for n in "ab"]
    bad = pool.submit_process(worker_jobs.fail, ("a bad setting",), owner="visitor c")
    pub = pool.submit_process(worker_jobs.publish_then_return, (21,), owner="visitor d")
    assert _wait_for(lambda: jobs[0].events)
    assert [j.status for j in jobs + [bad, pub]] == ["running", "queued", "queued", "queued"]
    assert [j.position for j in jobs + [bad, pub]] == [0, 1, 2, 3]
    assert [j.label for j in pool.jobs_of("visitor b")] == [""] and pool.jobs_of("visitor b") == [jobs[1]]
    flag.write_text("")
    assert all(j.wait(60) for j in jobs + [bad, pub])
    assert [j.result for j in jobs] == ["a", "b"]
    assert jobs[0].finished <= jobs[1].started  # first in, first out, one at a time
    assert bad.status == "failed" and isinstance(bad.error, ValueError) and str(bad.error) == "a bad setting"
    assert pub.status == "done" and pub.partial == 21 and pub.result == 42
    assert pool.running == 0 and pool.queued == 0


def test_a_worker_child_does_not_rerun_the_parent_s_main_script(pool, tmp_path, monkeypatch):
    """Inside Streamlit ``__main__`` is the page being run; spawn would re-run it in every child (found by hand
    on a real server: each worker first ran the page)."""
    import sys
    import types

    marker, script = tmp_path / "ran", tmp_path / "page.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\n")
    page = types.ModuleType("__main__")
    page.__file__, page.__spec__ = str(script), None
    monkeypatch.setitem(sys.modules, "__main__", page)
    job = pool.submit_process(worker_jobs.publish_then_return, (1,), owner="a")
    assert job.wait(60) and job.status == "done" and job.result == 2, job.error
    assert not marker.exists()
