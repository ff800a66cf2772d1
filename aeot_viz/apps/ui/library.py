"""The model library in the app: the server's :class:`~aeot_viz.pipeline.store.ModelStore`, the visitor's owner
token, and the names under which stored models join the model picker.

* The store is opened once per server process (``st.cache_resource``) from ``AEOT_DATA_DIR`` and
  ``AEOT_DATABASE_URL``.
* A visitor is a browser: its owner token lives in the ``aeot_owner`` cookie (a year), set by a small script the
  first time and read back from the request's cookies on every later visit, so a reload or a new tab is the same
  owner. Only the owner may rename or delete a model; anyone with its link (``?model=<id>``) may open it.
* A stored model appears in the picker as ``"<name> [<id>]"``; the current one is kept in the URL, so a reload
  opens it again.
"""

from __future__ import annotations

import re
import secrets

import streamlit as st

from ...pipeline.store import DamagedModel, ModelRecord, ModelStore

COOKIE = "aeot_owner"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_STORED = re.compile(r"\[([0-9a-f]{16})\]$")


@st.cache_resource(show_spinner=False)
def model_store() -> ModelStore:
    """This server's model store (``AEOT_DATA_DIR``, ``AEOT_DATABASE_URL``)."""
    return ModelStore()


@st.cache_resource(show_spinner="Connecting to the Dask cluster...")
def dask_jobs(address: str):
    """This server's connection to the Dask scheduler at ``address`` (``AEOT_DASK_SCHEDULER``)."""
    from ...pipeline.cluster import DaskJobs

    return DaskJobs(address, model_store())


def owner_token() -> str:
    """This browser's owner token: from its cookie, else a new one, which a script stores in the cookie."""
    if "aeot_owner" not in st.session_state:
        try:
            cookie = st.context.cookies.get(COOKIE, "")
        except Exception:  # noqa: BLE001 - no request behind this run (a test harness): no cookie
            cookie = ""
        cookie = cookie if isinstance(cookie, str) else ""
        st.session_state["aeot_owner"] = cookie if _TOKEN.match(cookie) else secrets.token_hex(16)
        st.session_state["aeot_owner_unsaved"] = cookie != st.session_state["aeot_owner"]
    if st.session_state.pop("aeot_owner_unsaved", False):
        st.html(f"<script>document.cookie = '{COOKIE}={st.session_state['aeot_owner']}; max-age=31536000; path=/; "
                "SameSite=Lax';</script>", unsafe_allow_javascript=True)
    return st.session_state["aeot_owner"]


def current_store_id() -> str | None:
    """The store id of the session's current model (a session model that was stored, or a stored model), or None."""
    name = st.session_state.get("aeot_current", "")
    return st.session_state.get("aeot_stored_ids", {}).get(name) or stored_id(name)


def stored_name(rec: ModelRecord) -> str:
    """The picker's name of a stored model."""
    return f"{rec.name} [{rec.id}]"


def stored_id(name: str) -> str | None:
    """The store id in a picker name made by :func:`stored_name`, or None."""
    found = _STORED.search(name or "")
    return found.group(1) if found else None


@st.cache_resource(show_spinner="Opening the stored model...", max_entries=16)
def _load_stored(model_id: str, digest: str):
    return model_store().load(model_id)


def load_stored(rec: ModelRecord):
    """A stored model, loaded once per process (its digest is part of the cache key). Raises DamagedModel."""
    return _load_stored(rec.id, rec.digest)


def library_rows() -> list:
    """Every stored model's row, newest first; an empty list when the store cannot be read (said once)."""
    try:
        return model_store().list()
    except Exception as exc:  # noqa: BLE001 - the app keeps working without its library
        st.session_state["aeot_store_error"] = f"The model library cannot be read ({type(exc).__name__}: {exc})."
        return []


@st.cache_data(show_spinner=False, max_entries=256)
def _health(model_id: str, digest: str, size: int, mtime: float) -> str:
    rec = model_store().get(model_id)
    return "deleted" if rec is None else model_store().health(rec)


def health_of(rec: ModelRecord) -> str:
    """"ok", "missing" or "damaged" (the file's bytes checked against the row's digest once per file version)."""
    path = model_store().path_of(rec.digest)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return "missing"
    return _health(rec.id, rec.digest, stat.st_size, stat.st_mtime)


def _number(v, fmt: str) -> str:
    return "-" if v is None else format(v, fmt)


def library_panel(n_shipped: int, default: str) -> None:
    """Home's library: every stored model (name, dataset, date, headline metrics, state, whose), and for the one
    picked: open, download, rename and delete (the last two for its owner only). ``n_shipped`` shipped models are
    said to be beside them; deleting the current model makes ``default`` current."""
    import datetime

    import pandas as pd

    st.subheader("Model library")
    rows = library_rows()
    if st.session_state.get("aeot_store_error"):
        st.warning(st.session_state.pop("aeot_store_error"))
    me = owner_token()
    st.caption(f"Models trained or uploaded here are kept in {model_store().url.split('://')[0]} at the server "
               f"({len(rows)} now), beside the {n_shipped} shipped ones. "
               "Anyone with a model's link can open it; only the browser that made it can rename or delete it.")
    if not rows:
        st.info("No stored model yet: train one on the Train page, or upload a bundle above.")
        return
    health = {r.id: health_of(r) for r in rows}
    table = pd.DataFrame([{
        "name": r.name, "dataset": r.dataset,
        "created": datetime.datetime.fromtimestamp(r.created).strftime("%Y-%m-%d %H:%M"),
        "OT error (L1)": _number(r.ot_l1, ".3g"), "noise floor": _number(r.ot_floor, ".3g"),
        "singular facets": _number(r.singular, ","), "recall": _number(r.recall, ".3f"),
        "file": health[r.id], "yours": "yes" if r.owner == me else "no", "link": f"?model={r.id}"} for r in rows])
    st.dataframe(table, key="lib_table", hide_index=True)
    by_id = {r.id: r for r in rows}
    ids, current = list(by_id), current_store_id()
    pick = st.selectbox("Stored model", ids, index=ids.index(current) if current in ids else 0, key="lib_pick",
                        format_func=lambda i: stored_name(by_id[i]))
    rec = by_id[pick]
    mine, ok = rec.owner == me, health[rec.id] == "ok"
    b1, b2, b3, b4 = st.columns(4)
    if b1.button("Open", key="lib_open", disabled=not ok, type="primary",
                 help=None if ok else "Its file is damaged or missing: it cannot be opened."):
        st.session_state["aeot_current"] = stored_name(rec)
        st.session_state.pop("home_model", None)
        st.rerun()
    if ok:  # the bytes are read (and checked) when the button is pressed, not on every rerun of Home
        store, rec_id = model_store(), rec.id
        b2.download_button("Download (.npz)", lambda: store.read_bytes(rec_id), file_name=f"aeot_{rec_id}.npz",
                           key="lib_download")
    new = b3.text_input("New name", rec.name, key=f"lib_name_{rec.id}", disabled=not mine, label_visibility="collapsed")
    if b3.button("Rename", key="lib_rename", disabled=not mine or new.strip() == rec.name):
        try:
            model_store().rename(rec.id, new, owner=me)
            st.rerun()
        except (ValueError, TypeError, PermissionError) as exc:
            st.error(str(exc))
    if b4.button("Delete", key="lib_delete", disabled=not mine,
                 help=None if mine else "Only the browser that made this model can delete it."):
        try:
            model_store().delete(rec.id, owner=me)
        except PermissionError as exc:
            st.error(str(exc))
        else:
            if current_store_id() == rec.id:
                st.session_state["aeot_current"] = default
            for name, i in list(st.session_state.get("aeot_stored_ids", {}).items()):
                if i == rec.id:
                    st.session_state["aeot_stored_ids"].pop(name)
                    st.session_state["aeot_session_models"].pop(name, None)
            st.session_state.pop("home_model", None)
            st.rerun()
    if not mine:
        st.caption("Made by another visitor: you can open and download it, not rename or delete it.")


#: a job whose last heartbeat is older than this (seconds; ``AEOT_JOB_STALE_S``) has lost its server: it is marked
#: interrupted. Running jobs beat every second.
STALE_S = 30.0
_swept = [0.0]


def sweep_interrupted() -> list:
    """Mark jobs whose server stopped (no heartbeat for :data:`STALE_S`) as interrupted; at most every 10 s per
    server process. Returns the jobs marked now."""
    import time

    now = time.time()
    if now - _swept[0] < 10.0:
        return []
    _swept[0] = now
    try:
        from ...utils.env import positive_number

        return model_store().mark_interrupted(positive_number("AEOT_JOB_STALE_S", STALE_S))
    except Exception:  # noqa: BLE001 - an unreadable store must not break the page
        return []


def job_recorder(job_id: str):
    """An ``on_update(job)`` hook for :meth:`~aeot_viz.pipeline.workers.ProcessJobPool.submit_process` that writes
    the job's status, heartbeat and last progress to its row (at most once a second, and at every status change),
    so any replica of the app, and the server after a restart, knows where it stood."""
    import time

    store, last = model_store(), {"t": 0.0, "status": None}

    def on_update(job) -> None:
        status = job.status if job.status in ("queued", "running", "done", "failed", "cancelled") else "running"
        now = time.time()
        if status == last["status"] and now - last["t"] < 1.0:
            return
        last.update(t=now, status=status)
        ev = job.events[-1] if job.events else None
        progress = None if ev is None else {"stage": ev.stage, "step": int(ev.step), "total": int(ev.total),
                                            "fraction": float(ev.fraction)}
        error = None if job.error is None or status == "done" else str(job.error)
        store.update_job(job_id, status=status, progress=progress, error=error)

    return on_update


def resumable_jobs(owner: str) -> list:
    """This owner's jobs that stopped before their end (interrupted by a restart, or failed) and can be run again
    from their checkpoints: those of a built-in dataset, whose data can be rebuilt from the row's settings."""
    try:
        rows = model_store().jobs(owner=owner)
    except Exception:  # noqa: BLE001
        return []
    return [j for j in rows if j.status in ("interrupted", "failed") and j.model_id is None
            and (j.settings.get("dataset") or {}).get("builtin")]


__all__ = ["model_store", "owner_token", "stored_name", "stored_id", "load_stored", "library_rows", "DamagedModel",
           "COOKIE", "library_panel", "health_of",
           "sweep_interrupted", "job_recorder", "resumable_jobs", "STALE_S", "current_store_id"]
