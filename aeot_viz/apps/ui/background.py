"""This session's background work: training and view computation run on the server's job pool, not in the page.

A job is submitted from a page and returns at once; every page shows its progress in the sidebar (a fragment
that refreshes itself each second while something runs), so a visitor can look around while a model trains
and come back. Finished jobs are collected by :func:`collect_finished`, which every page calls through
``init_state``: a trained model then joins this session's models and becomes the current one.

Session keys: ``aeot_jobs`` (list of entries, newest last) and ``aeot_job_messages`` (what finished, to say once).
"""

from __future__ import annotations

import shutil

import streamlit as st

from ...ot.error import ot_error_line
from ...pipeline.jobs import describe_progress, estimate_training_bytes
from ...pipeline.views import PROJECTIONS

__all__ = ["session_jobs", "submit_training", "submit_views", "collect_finished", "active_jobs", "sidebar_panel",
           "views_job_for", "resume_panel"]


def session_jobs() -> list:
    return st.session_state.setdefault("aeot_jobs", [])


def active_jobs() -> list:
    """Entries of this session whose job has not been collected yet."""
    return [e for e in session_jobs() if not e["collected"]]


def submit_training(dataset, config, checkpoint_dir, name: str) -> dict:
    """Queue ``fit_aeot`` and then the new model's views in a worker process; returns the session's entry for the job.

    The job is :func:`~aeot_viz.pipeline.workers.train_in_worker` in its own spawned child
    (:meth:`~aeot_viz.pipeline.workers.ProcessJobPool.submit_process`): an out-of-memory kill or a crash there
    fails this job only, and a cancel ends the child even inside a long native call. The model comes back as
    bundle bytes: the trained model is published (``entry["holder"]["model"]``) as soon as training ends, so it
    joins the model picker while its views are still being computed; :func:`collect_finished` then moves the views
    the child computed onto that same model.

    Raises
    ------
    ValueError, TypeError
        What :func:`~aeot_viz.pipeline.training.check_training_input` refuses (constant data, bad settings), and a
        memory estimate over the server's budget.
    """
    from ...data import TOY_DATASETS
    from ...pipeline.bundle import load_bundle
    from ...pipeline.cluster import StoreJob, dask_scheduler
    from ...pipeline.training import check_training_input
    from ...pipeline.workers import WORKER_BASE_BYTES, train_in_worker
    from .library import job_recorder, model_store, owner_token
    from .state import session_id, training_pool

    check_training_input(dataset, config)  # bad input is refused here and now, before a worker starts
    holder: dict = {}
    builtin = dataset.name in (*TOY_DATASETS, "digits", "mnist10k", "stacked_mnist")
    settings = {"config": config.to_dict(), "name": name,  # what a resume needs to run it again
                "dataset": {"name": dataset.name, "params": dict(dataset.params), "builtin": builtin}}
    address = dask_scheduler()
    if address:  # past one machine: the job runs on the Dask cluster, followed through its row in the store
        from .library import dask_jobs

        jobs = dask_jobs(address)
        job_id = jobs.submit_training(dataset, config, owner=owner_token(), label=name, checkpoint_dir=checkpoint_dir,
                                      settings=settings)
        entry = {"job": StoreJob(jobs, job_id), "kind": "training", "name": name, "holder": holder,
                 "checkpoint": str(checkpoint_dir), "collected": False, "published": False, "job_row": None,
                 "remote": True}
        session_jobs().append(entry)
        return entry
    row = model_store().put_job(owner=owner_token(), label=name, checkpoint=str(checkpoint_dir), settings=settings)

    def on_partial(data: bytes) -> None:  # the supervisor thread: the trained model, before its views
        holder["model"] = load_bundle(data)

    args = (dataset.data, dataset.labels, dataset.kind, dataset.name, dict(dataset.params), config.to_dict(),
            str(checkpoint_dir))
    job = training_pool().submit_process(train_in_worker, args, owner=session_id(), label=name,
                                         estimate_bytes=estimate_training_bytes(len(dataset), dataset.shape, config)
                                         + WORKER_BASE_BYTES, on_partial=on_partial, on_update=job_recorder(row.id))
    entry = {"job": job, "kind": "training", "name": name, "holder": holder, "checkpoint": str(checkpoint_dir),
             "collected": False, "published": False, "job_row": row.id}
    session_jobs().append(entry)
    return entry


def _take_worker_result(e) -> None:
    """A finished worker training returned bundle bytes: load them once, and give the published model its views
    (or publish the loaded model when none was published yet). ``job.result`` becomes the model, as for a thread job,
    and the bytes are let go."""
    from ...pipeline.bundle import load_bundle

    job = e["job"]
    if not (job.status == "done" and isinstance(job.result, bytes)):
        return
    final = load_bundle(job.result)
    model = e["holder"].get("model")
    if model is None:
        e["holder"]["model"] = model = final
    else:
        model.views.update(final.views)
        model.views_meta.update(final.views_meta)
        model.singular_null = final.singular_null
    job.result = model
    if hasattr(job, "partial"):
        job.partial = None


def _store_final(e, model) -> None:
    """The stored copy of a trained model gets the views the worker computed, and its job row the model's id."""
    from .library import model_store

    stored = st.session_state.get("aeot_stored_ids", {}).get(e["name"])
    try:
        if stored is not None:
            model_store().update(stored, model)
        if e.get("job_row"):
            model_store().update_job(e["job_row"], status="done", model_id=stored)
    except (OSError, ValueError, KeyError):  # a full disk: the row keeps the bundle without views
        pass


def views_job_for(key: str):
    """This session's unfinished entry (views or training) that will store views for the model ``key``, or None."""
    for e in session_jobs():
        if e.get("key") == key and not e["job"].done:
            return e
    return None


def submit_views(name: str, key: str, model) -> dict | None:
    """Queue the views of a model that has none (an uploaded bundle from elsewhere), or the new convex null of a
    model whose null predates the midpoint test (with the views that depend on it); None when nothing is missing.

    This stays a thread job of the pool (:meth:`~aeot_viz.pipeline.jobs.JobPool.submit`): it fills in the
    session's own model object, which pages already show; it shares the pool's slots and memory budget with the
    worker-process trainings."""
    from ...pipeline.views import compute_views, stored_singular_set
    from .state import session_id, training_pool

    null = model.singular_null
    old_null = null is not None and not null.has_emptiness
    if model.views and not old_null and (stored_singular_set(model) is not None or null is None):
        return None
    if views_job_for(key) is not None:
        return None
    projections = () if model.views and old_null else PROJECTIONS  # keep the projections it already has
    job = training_pool().submit(lambda callback: compute_views(model, projections=projections, callback=callback),
                                 owner=session_id(), label=f"views of {name}")
    entry = {"job": job, "kind": "views", "name": name, "key": key, "holder": {"model": model}, "collected": False,
             "published": True}
    session_jobs().append(entry)
    return entry


def collect_finished() -> None:
    """Publish trained models as soon as training ends, and close finished jobs (messages to say once).

    Each collection says one true thing per job: a training whose model is published while its views still run
    says so (views being computed); one that is found already finished says what finished, the model and its
    views (ready, cancelled or failed) in one message.
    """
    from .cache import model_key
    from .library import sweep_interrupted
    from .state import add_trained

    sweep_interrupted()  # jobs whose server stopped (no heartbeat) become interrupted, resumable on the Train page
    messages = st.session_state.setdefault("aeot_job_messages", [])
    for e in session_jobs():
        if e["collected"]:
            continue
        job = e["job"]
        if e["kind"] == "training" and job.done:
            _take_worker_result(e)
            if e.get("remote") and job.status == "done" and "model" not in e["holder"]:
                from .library import model_store  # the cluster stored the model itself: open that row

                st.session_state.setdefault("aeot_stored_ids", {})[e["name"]] = job.result
                e["holder"]["model"] = model_store().load(job.result)
        model = e["holder"].get("model")
        published_now = e["kind"] == "training" and model is not None and not e["published"]
        trained = ""
        if published_now:
            add_trained(e["name"], model)
            e["published"], e["key"] = True, model_key(e["name"], model)
            shutil.rmtree(e["checkpoint"], ignore_errors=True)
            line = ot_error_line(model.ot_validation, n_codes=model.n_codes)[:-1]
            trained = f"{e['name']} is trained and is now the current model ({line}). "
        if not job.done:
            if published_now:
                messages.append(("success", trained + "Its views (UMAP, t-SNE, singular set) are being computed in the "
                                                      "background."))
            continue
        e["collected"] = True
        if job.status == "done" and e["kind"] == "training" and model is not None:
            _store_final(e, model)
        if job.status == "done" and e["kind"] == "training":
            messages.append(("success", (trained + "Its views are ready: every page opens at once.") if trained
                             else f"{e['name']}: views ready; every page opens at once."))
        elif job.status == "done":
            messages.append(("success", f"Views of {e['name']} are ready."))
        elif job.status == "cancelled" and trained:
            messages.append(("warning", trained + "Computing its views was cancelled."))
        elif job.status == "cancelled":
            resumable = " Press Train again with the same settings to resume." if not e["published"] else ""
            messages.append(("warning", f"{e['name']}: cancelled.{resumable}"))
        elif trained:
            messages.append(("warning", trained + f"Computing its views failed: {job.error}"))
        else:
            messages.append(("error", f"{e['name']} failed: {job.error}"))


def _entry_line(e) -> None:
    job = e["job"]
    if job.position:
        st.progress(0.0, text=f"{e['name']}: waiting in the queue (position {job.position})")
    else:
        fraction, text = describe_progress(list(job.events), kind=e["kind"])
        st.progress(min(max(fraction, 0.0), 1.0), text=f"{e['name']}: {text}")
    if st.button("Cancel", key=f"aeot_cancel_{job.id}"):
        job.cancel()


@st.fragment(run_every=1.0)
def _live_panel() -> None:
    before = len(active_jobs())
    collect_finished()
    entries = active_jobs()
    if len(entries) != before:  # something finished: the whole page reruns, pickers included
        st.rerun()
    st.caption("Running in the background: you can use the other pages meanwhile.")
    for e in entries:
        _entry_line(e)


def sidebar_panel() -> None:
    """Background jobs and their messages, in the sidebar of every page."""
    with st.sidebar:
        for level, text in st.session_state.pop("aeot_job_messages", []):
            getattr(st, level)(text)
        if active_jobs():
            _live_panel()


def resume_panel() -> None:
    """The Train page's list of this browser's jobs that a server restart interrupted (or that failed), each with a
    Resume button: the same data and settings, from the job's checkpoints."""
    from pathlib import Path

    from ...data import load_dataset
    from ...pipeline.config import AEOTConfig
    from .library import model_store, owner_token, resumable_jobs, sweep_interrupted

    sweep_interrupted()
    for j in resumable_jobs(owner_token()):
        with st.container(border=True):
            st.warning(f"**{j.label}** stopped before its end: {j.error or j.status}")
            if st.button("Resume it", key=f"tr_resume_{j.id}", icon=":material/restart_alt:"):
                d = j.settings["dataset"]
                try:
                    ds = load_dataset(d["name"], **d.get("params", {}))
                    submit_training(ds, AEOTConfig.from_dict(j.settings["config"]),
                                    Path(j.checkpoint) if j.checkpoint else None, j.settings.get("name", j.label))
                except (ValueError, TypeError, MemoryError) as exc:
                    st.error(f"Could not resume {j.label}: {exc}")
                else:
                    model_store().update_job(j.id, status="resumed", beat=False)
                    st.rerun()
