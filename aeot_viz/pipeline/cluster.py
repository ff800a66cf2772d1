"""Training jobs on a Dask distributed cluster, past one machine (``AEOT_DASK_SCHEDULER=tcp://host:port``).

The model store (:mod:`aeot_viz.pipeline.store`, on PostgreSQL for several machines) is the source of truth: a job
is a row; the task that runs on a Dask worker (:func:`train_on_worker`) writes its heartbeat and progress to that row
at each progress event, stores the trained model there itself, and reads the row's status to learn that it was
asked to stop. Any replica of the app therefore shows any job by reading the store.

* **No silent retries.** A task whose worker died is re-run by Dask up to ``distributed.scheduler.allowed-failures``
  times (default 3): a job that killed its worker (out of memory) would run again. Run the scheduler with that
  setting at 0 (``DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=0``); the job then ends at once as failed, with a
  message that it is resumable from its checkpoint, and :class:`DaskJobs` checks the setting when it connects.
* **Cancel.** A running task cannot be stopped from outside, so :meth:`DaskJobs.cancel` sets the row to
  ``"cancelling"``; the task raises :class:`~aeot_viz.utils.progress.Cancelled` at its next progress event. After
  a grace period the worker running it is restarted (a hard stop).
* **Threads.** Dask sets ``OMP_NUM_THREADS=1`` in its workers; the task sets torch's thread count itself.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Optional

from ..utils.progress import Cancelled
from .store import ModelStore

__all__ = ["DASK_ENV", "DaskJobs", "StoreJob", "train_on_worker", "dask_scheduler"]

DASK_ENV = "AEOT_DASK_SCHEDULER"
#: seconds between two progress writes of a running task (every event also checks for a cancel)
WRITE_EVERY_S = 0.5


def dask_scheduler() -> Optional[str]:
    """``AEOT_DASK_SCHEDULER`` (``tcp://host:port``), or None: jobs then run in local worker processes."""
    return os.environ.get(DASK_ENV) or None


def train_on_worker(job_id: str, store_folder: str, store_url: str, dataset, config: dict,
                    checkpoint_dir: Optional[str], name: str, owner: str, threads: int = 0) -> str:
    """The task a Dask worker runs: train, store the model, return its store id.

    Parameters
    ----------
    job_id : str
        The job's row in the store.
    store_folder, store_url : str
        The store to write to (bundles on shared storage, the database every replica reads).
    dataset : Dataset
    config : dict
        :meth:`AEOTConfig.to_dict` of the run.
    checkpoint_dir : str or None
        Checkpoints of the run (shared storage): a failed or interrupted job resumes from them.
    name, owner : str
        The stored model's name and owner.
    threads : int
        torch threads (0: the worker's cores).
    """
    import torch

    from .config import AEOTConfig
    from .training import fit_aeot

    torch.set_num_threads(int(threads) or os.cpu_count() or 1)
    store = ModelStore(store_folder, url=store_url)
    try:
        store.update_job(job_id, status="running")
        last = [0.0]

        def callback(ev):
            row = store.get_job(job_id)
            if row is not None and row.status == "cancelling":
                raise Cancelled(f"job {job_id} was cancelled")
            now = time.time()
            if now - last[0] >= WRITE_EVERY_S or ev.step >= ev.total:
                last[0] = now
                store.update_job(job_id, progress={"stage": ev.stage, "step": int(ev.step), "total": int(ev.total),
                                                   "fraction": float(ev.fraction)})

        try:
            model = fit_aeot(dataset, AEOTConfig.from_dict(config), callback=callback, checkpoint_dir=checkpoint_dir)
        except Cancelled:
            store.update_job(job_id, status="cancelled", error="Cancelled.")
            raise
        from .views import compute_views

        compute_views(model, callback=callback)  # as a local worker does: every page opens at once
        rec = store.put(model, name=name, owner=owner)
        store.update_job(job_id, status="done", model_id=rec.id)
        return rec.id
    finally:
        store.dispose()


class DaskJobs:
    """Submit training jobs to a Dask cluster and follow them through the store.

    Parameters
    ----------
    address : str
        The scheduler, ``tcp://host:port``.
    store : ModelStore
        The shared store (PostgreSQL and shared storage when the workers are on other machines).
    cancel_grace_s : float
        Seconds a cancelled task has to stop at its next progress event before its worker is restarted.
    """

    def __init__(self, address: str, store: ModelStore, *, cancel_grace_s: float = 5.0, timeout: float = 30.0):
        from distributed import Client

        self.store, self.cancel_grace_s = store, float(cancel_grace_s)
        self.client = Client(address, timeout=timeout, set_as_default=False)
        def allowed_failures(dask_scheduler=None) -> int:  # runs in the scheduler (pickled by value)
            import dask

            return int(dask.config.get("distributed.scheduler.allowed-failures"))

        allowed = self.client.run_on_scheduler(allowed_failures)
        if int(allowed) != 0:
            self.client.close()
            raise ValueError(f"The Dask scheduler at {address} re-runs a task whose worker died up to {allowed} times: "
                             "a job that ran out of memory would silently run again. Start it with "
                             "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=0.")
        self._futures: dict = {}
        self._lock = threading.Lock()

    def submit_training(self, dataset, config, *, owner: str, label: str, checkpoint_dir=None,
                        threads: int = 0, settings: Optional[dict] = None) -> str:
        """Queue a training on the cluster; returns the job's id in the store. ``settings`` (default: the config's
        dict) is what the row keeps, e.g. how to rebuild the data for a resume."""
        config.validate()
        job = self.store.put_job(owner=owner, label=label, settings=settings or config.to_dict(),
                                 checkpoint=None if checkpoint_dir is None else str(checkpoint_dir))
        fut = self.client.submit(train_on_worker, job.id, str(self.store.folder), self.store.url, dataset,
                                 config.to_dict(), None if checkpoint_dir is None else str(checkpoint_dir), label,
                                 owner, int(threads), key=f"aeot-train-{job.id}", pure=False, retries=0)
        with self._lock:
            self._futures[job.id] = fut
        fut.add_done_callback(lambda f, job_id=job.id: self._finished(job_id, f))
        return job.id

    def _finished(self, job_id: str, fut) -> None:
        if fut.status != "error":
            return
        exc = fut.exception()
        row = self.store.get_job(job_id)
        if row is not None and row.status in ("cancelled", "cancelling"):
            self.store.update_job(job_id, status="cancelled", error="Cancelled.", beat=False)
            return
        from distributed.scheduler import KilledWorker

        if isinstance(exc, KilledWorker):
            msg = ("The Dask worker running this job died (most often out of memory: use fewer samples, a smaller "
                   "batch, or workers with more memory). It was not run again; resume it to continue from its "
                   "last checkpoint.")
        else:
            msg = f"{type(exc).__name__}: {exc}"
        self.store.update_job(job_id, status="failed", error=msg, beat=False)

    def wait(self, job_id: str, timeout: Optional[float] = None):
        """Block until the job's task ends (any outcome); returns its row."""
        with self._lock:
            fut = self._futures.get(job_id)
        if fut is not None:
            end = None if timeout is None else time.time() + float(timeout)
            while not fut.done() and (end is None or time.time() < end):
                time.sleep(0.1)
            deadline = time.time() + 10
            while time.time() < deadline:  # the done-callback writes the outcome from another thread
                row = self.store.get_job(job_id)
                if row.status not in ("queued", "running", "cancelling"):
                    return row
                time.sleep(0.1)
        return self.store.get_job(job_id)

    def cancel(self, job_id: str) -> None:
        """Ask the task to stop at its next progress event; restart its worker if it has not after the grace."""
        self.store.update_job(job_id, status="cancelling", beat=False)
        with self._lock:
            fut = self._futures.get(job_id)
        if fut is None:
            return
        deadline = time.time() + self.cancel_grace_s
        while time.time() < deadline and not fut.done():
            time.sleep(0.1)
        if not fut.done():
            where = [w for w, keys in self.client.processing().items() if fut.key in keys]
            fut.cancel()
            if where:
                self.client.restart_workers(where)
            self.store.update_job(job_id, status="cancelled", error="Cancelled (its worker was restarted).",
                                  beat=False)

    def close(self) -> None:
        self.client.close()


class StoreJob:
    """A job on the cluster seen as the app sees a local job (:class:`~aeot_viz.pipeline.jobs.Job`): status,
    events, times, error, result (the stored model's id), done, position, cancel and wait, all read from the
    job's row in the store, so any replica can follow it."""

    _STATUS = {"queued": "queued", "running": "running", "cancelling": "running", "done": "done", "failed": "failed",
               "cancelled": "cancelled", "interrupted": "failed", "resumed": "failed"}

    def __init__(self, jobs: DaskJobs, job_id: str):
        self._jobs, self.id = jobs, job_id
        self.owner, self.label, self.estimate_bytes = "", "", 0
        self.events: list = []
        self.times: list = []
        self.started: Optional[float] = None
        self._seen = None

    def _row(self):
        from ..utils.progress import ProgressEvent

        row = self._jobs.store.get_job(self.id)
        if row is None:
            return None
        self.owner, self.label, self.started = row.owner, row.label, self.started or row.created
        p = row.progress or {}
        key = (p.get("stage"), p.get("step"))
        if p.get("stage") and key != self._seen:
            self._seen = key
            self.times.append(row.heartbeat or time.time())
            self.events.append(ProgressEvent(p["stage"], int(p.get("step", 0)), max(int(p.get("total", 1)), 1)))
        return row

    @property
    def status(self) -> str:
        row = self._row()
        return "failed" if row is None else self._STATUS.get(row.status, "running")

    @property
    def done(self) -> bool:
        return self.status in ("done", "failed", "cancelled")

    @property
    def position(self) -> int:
        return 0

    @property
    def error(self):
        row = self._row()
        if row is None:
            return RuntimeError("The job's row is gone from the store.")
        return None if row.status == "done" or not row.error else RuntimeError(row.error)

    @property
    def result(self):
        row = self._row()
        return None if row is None else row.model_id

    def cancel(self) -> None:
        threading.Thread(target=self._jobs.cancel, args=(self.id,), daemon=True).start()

    def wait(self, timeout: Optional[float] = None) -> bool:
        end = None if timeout is None else time.time() + float(timeout)
        while not self.done:
            if end is not None and time.time() > end:
                return False
            time.sleep(0.2)
        return True
