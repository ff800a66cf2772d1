"""Training on a Dask cluster (issue 34): a scheduler and two workers as separate processes on loopback, started
by the tests and stopped after, with the store (SQLite here; the same code runs on PostgreSQL) as the source of
truth. A toy training there ends with the model a local run gives; a worker killed mid-job fails the job, which is
not run again and is resumable from its checkpoint; a cancel stops a running job."""

import os
import signal
import time

import numpy as np
import pytest
from dask_cluster import DaskCluster

from aeot_viz.data import load_dataset
from aeot_viz.pipeline.cluster import DaskJobs
from aeot_viz.pipeline.config import AEConfig, AEOTConfig, OTConfig, TrainConfig
from aeot_viz.pipeline.store import ModelStore
from aeot_viz.pipeline.training import fit_aeot


@pytest.fixture(scope="module")
def cluster():
    c = DaskCluster(n_workers=2).start()
    yield c
    c.stop()


@pytest.fixture
def jobs(cluster, tmp_path):
    store = ModelStore(tmp_path / "store")
    j = DaskJobs(cluster.address, store, cancel_grace_s=3.0)
    yield j
    j.close()
    store.dispose()


def _long_config() -> AEOTConfig:
    """An image training long enough to be caught mid-run (hundreds of epochs on 600 digits)."""
    return AEOTConfig(ae=AEConfig(latent_dim=4), train=TrainConfig(epochs=400, batch_size=32),
                      ot=OTConfig(max_iter=40, round_iter=20, batch_size=4096, validation_samples=2**16))


def _wait_running(jobs, job_id, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        row = jobs.store.get_job(job_id)
        if row.status == "running" and row.progress.get("stage") == "autoencoder":
            return row
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} never reported progress: {jobs.store.get_job(job_id)}")


def test_a_toy_trained_on_the_cluster_equals_a_local_run(jobs):
    ds = load_dataset("ring8", n_samples=300, random_state=0)
    cfg = AEOTConfig()
    job_id = jobs.submit_training(ds, cfg, owner="alice", label="ring8 on dask", threads=1)
    row = jobs.wait(job_id, timeout=300)
    assert row.status == "done", row.error
    remote = jobs.store.load(row.model_id)
    local = fit_aeot(ds, cfg)
    np.testing.assert_allclose(remote.h, local.h, atol=1e-6, rtol=0)
    assert jobs.store.get(row.model_id).owner == "alice" and row.heartbeat is not None


def test_a_worker_killed_mid_job_fails_it_once_resumably_and_the_cluster_keeps_working(jobs, tmp_path):
    ds = load_dataset("digits", n_samples=600, random_state=0)
    ckpt = tmp_path / "ckpt"
    job_id = jobs.submit_training(ds, _long_config(), owner="alice", label="digits, long", checkpoint_dir=ckpt,
                                  threads=1)
    _wait_running(jobs, job_id)
    time.sleep(1.0)  # an epoch or more: a checkpoint to resume from
    key = f"aeot-train-{job_id}"
    where = [w for w, keys in jobs.client.processing().items() if key in keys]
    assert len(where) == 1
    pid = jobs.client.run(os.getpid, workers=where)[where[0]]  # the worker process (its nanny restarts it)
    os.kill(pid, signal.SIGKILL)  # what the kernel's out-of-memory killer does
    row = jobs.wait(job_id, timeout=120)
    assert row.status == "failed" and "died" in row.error and "resume" in row.error
    assert (ckpt / "autoencoder.npz").is_file()  # resumable: the checkpoint is there
    time.sleep(2.0)
    assert jobs.store.get_job(job_id).status == "failed"  # not silently run again (allowed-failures = 0)
    assert key not in {k for keys in jobs.client.processing().values() for k in keys}
    # the cluster still runs jobs
    toy = jobs.submit_training(load_dataset("ring8", n_samples=200, random_state=1), AEOTConfig(), owner="bob",
                               label="after the crash", threads=1)
    assert jobs.wait(toy, timeout=300).status == "done"


def test_a_cancel_stops_a_running_job(jobs):
    ds = load_dataset("digits", n_samples=600, random_state=0)
    job_id = jobs.submit_training(ds, _long_config(), owner="alice", label="to cancel", threads=1)
    _wait_running(jobs, job_id)
    t0 = time.time()
    jobs.cancel(job_id)
    row = jobs.wait(job_id, timeout=60)
    assert row.status == "cancelled" and time.time() - t0 < 30
    assert row.model_id is None and jobs.store.list() == []


def test_the_train_page_runs_its_job_on_the_cluster_when_told_to(cluster, monkeypatch):
    """With AEOT_DASK_SCHEDULER set, the Train page's job runs on the cluster, not in a local worker; the model the
    cluster stored becomes current and equals a local run's."""
    from app_helpers import finish_jobs
    from repo import repo_file
    from streamlit.testing.v1 import AppTest

    from aeot_viz.pipeline.cluster import StoreJob

    monkeypatch.setenv("AEOT_DASK_SCHEDULER", cluster.address)
    at = AppTest.from_file(repo_file("pages/1_Train.py"), default_timeout=300)
    at.session_state["aeot_owner"] = "d" * 32
    at.run()
    at.selectbox(key="tr_dataset").set_value("ring8").run()
    at.number_input(key="tr_n").set_value(300)
    at.button(key="tr_go").click().run()
    entry = at.session_state["aeot_jobs"][-1]
    assert isinstance(entry["job"], StoreJob)  # not a local worker process
    finish_jobs(at)
    assert not at.exception, [e.value for e in at.exception]
    name = at.session_state["aeot_current"]
    model = at.session_state["aeot_session_models"][name]
    store = ModelStore()
    try:
        rec = store.get(at.session_state["aeot_stored_ids"][name])
        assert rec.owner == "d" * 32 and len(store.list(owner="d" * 32)) == 1  # stored once, by the cluster
        job = store.get_job(entry["job"].id)
        assert job.status == "done" and job.model_id == rec.id
    finally:
        store.dispose()
    assert job.settings["dataset"]["builtin"]  # a failed or interrupted cluster job is resumable from the Train page
    local = fit_aeot(load_dataset("ring8", n_samples=300, random_state=0), AEOTConfig.from_dict(job.settings["config"]))
    np.testing.assert_allclose(model.h, local.h, atol=1e-6, rtol=0)
