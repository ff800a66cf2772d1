"""The model store: every model trained or uploaded here, kept on disk with a row in a real database.

Two parts, written in this order so that a crash or a full disk never leaves a row without its file:

* **Bundles** (:mod:`aeot_viz.pipeline.bundle`) are content-addressed files ``bundles/<dd>/<sha256>.npz`` under
  the data folder. A bundle is written to a temporary file in the same folder, flushed, ``fsync``-ed and renamed
  into place (``os.replace`` is atomic on POSIX), then the folder itself is synced. Two models with the same bytes
  share one file; a file is removed once no row refers to its digest.
* **Rows** live in a database reached through SQLAlchemy Core, so one code path serves both:

  - the embedded default, SQLite in WAL mode at ``<data folder>/aeot.db`` (readers never wait for the writer),
    with a busy timeout and every write in a ``BEGIN IMMEDIATE`` transaction (writers queue for the lock instead
    of failing with "database is locked" half-way through);
  - PostgreSQL (``AEOT_DATABASE_URL=postgresql+psycopg://user@host:port/db``), for several app replicas.

  Table ``models``: id, name, owner, dataset, settings (JSON), status, created, digest, size and the headline
  metrics (OT error, its noise floor, singular facets, recall). Table ``jobs``: the training jobs' status,
  heartbeat and progress, so a page on any replica can show them.

The data folder is ``AEOT_DATA_DIR``, by default the per-user data directory (``$XDG_DATA_HOME/aeot-viz``, else
``~/.local/share/aeot-viz``). Owners are opaque tokens (the app gives each browser one): only a row's owner may
rename or delete it; anyone who knows an id may open it.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..io.archive import BundleError, write_atomic
from .bundle import DEFAULT_MAX_BYTES, bundle_to_bytes, load_bundle

__all__ = ["ModelStore", "ModelRecord", "JobRecord", "DamagedModel", "StoreFull", "data_dir", "database_url",
           "DATA_DIR_ENV", "DATABASE_URL_ENV", "headline_metrics"]

DATA_DIR_ENV = "AEOT_DATA_DIR"
DATABASE_URL_ENV = "AEOT_DATABASE_URL"
#: seconds a SQLite writer waits for the lock before giving up
BUSY_TIMEOUT_S = 30.0
#: a model row's status
STATUSES = ("ready", "training")
#: a job row's status
JOB_STATUSES = ("queued", "running", "cancelling", "done", "failed", "cancelled", "interrupted", "resumed")


class DamagedModel(ValueError):
    """A stored model's bundle is missing, truncated or altered on disk (its bytes do not match the row's digest)."""


class StoreFull(OSError):
    """The data folder has no room left (or the process hit its file-size limit): nothing was stored."""


def data_dir() -> Path:
    """The data folder (module docstring): ``AEOT_DATA_DIR`` or the per-user data directory."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "aeot-viz"


def database_url(folder: Optional[Path] = None) -> str:
    """``AEOT_DATABASE_URL``, or the embedded SQLite file in ``folder`` (default :func:`data_dir`)."""
    env = os.environ.get(DATABASE_URL_ENV)
    if env:
        return env
    return f"sqlite:///{Path(folder or data_dir()) / 'aeot.db'}"


@dataclass(frozen=True)
class ModelRecord:
    """One stored model's row."""

    id: str
    name: str
    owner: str
    dataset: str
    settings: dict
    status: str
    created: float
    digest: str
    size: int
    ot_l1: Optional[float]
    ot_floor: Optional[float]
    singular: Optional[int]
    recall: Optional[float]


@dataclass(frozen=True)
class JobRecord:
    """One training job's row: what any replica of the app shows about it."""

    id: str
    owner: str
    label: str
    status: str
    created: float
    heartbeat: Optional[float]
    progress: dict
    error: Optional[str]
    model_id: Optional[str]
    checkpoint: Optional[str]
    settings: dict


def headline_metrics(model) -> dict:
    """The numbers the library lists for a model: OT error (exact for 2-D models) and its noise floor, singular
    facets (from the stored views) and recall (from the stored Mode Collapse scores), None where unknown."""
    from .views import stored_singular_set

    v = model.ot_validation or {}
    l1 = v.get("exact_l1", v.get("l1"))
    ss = stored_singular_set(model)
    lab = model.views_meta.get("lab") if isinstance(model.views_meta, dict) else None
    recall = None
    if isinstance(lab, dict) and isinstance(lab.get("scores"), dict):
        recall = (lab["scores"].get("AE-OT") or {}).get("recall")
    return {"ot_l1": None if l1 is None else float(l1),
            "ot_floor": None if v.get("noise_floor") is None else float(v["noise_floor"]),
            "singular": None if ss is None else int(ss.n_singular),
            "recall": None if recall is None else float(recall)}


def _tables(metadata):
    import sqlalchemy as sa

    models = sa.Table(
        "models", metadata,
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("dataset", sa.String(200), nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False, index=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("ot_l1", sa.Float), sa.Column("ot_floor", sa.Float),
        sa.Column("singular", sa.Integer), sa.Column("recall", sa.Float))
    jobs = sa.Table(
        "jobs", metadata,
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False, index=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("heartbeat", sa.Float),
        sa.Column("progress", sa.Text, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("model_id", sa.String(32)),
        sa.Column("checkpoint", sa.Text),
        sa.Column("settings", sa.Text, nullable=False))
    return models, jobs


def _engine(url: str):
    import sqlalchemy as sa

    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # SQLAlchemy, not the driver, opens transactions (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _on_begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # take the write lock now: no upgrade deadlock later

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class ModelStore:
    """Bundles on disk and their rows in a database (module docstring).

    Parameters
    ----------
    folder : path, optional
        The data folder (default :func:`data_dir`); bundles go to ``folder/bundles``.
    url : str, optional
        SQLAlchemy database URL (default :func:`database_url` of ``folder``).
    max_bytes : int
        The largest bundle accepted (as :func:`~aeot_viz.pipeline.bundle.load_bundle`'s cap).
    """

    def __init__(self, folder=None, url: Optional[str] = None, max_bytes: int = DEFAULT_MAX_BYTES):
        import sqlalchemy as sa

        self.folder = Path(folder) if folder is not None else data_dir()
        self.bundles = self.folder / "bundles"
        self.bundles.mkdir(parents=True, exist_ok=True)
        self.url = url or database_url(self.folder)
        self.max_bytes = int(max_bytes)
        self._engine = _engine(self.url)
        self._meta = sa.MetaData()
        self._models, self._jobs = _tables(self._meta)
        self._meta.create_all(self._engine)
        self._file_lock = threading.Lock()

    # ------------------------------------------------------------------ bundles on disk
    def path_of(self, digest: str) -> Path:
        """Where the bundle of ``digest`` lives."""
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(f"Not a bundle digest: {digest!r}.")
        return self.bundles / digest[:2] / f"{digest}.npz"

    def _write_file(self, data: bytes) -> tuple[str, int]:
        digest = hashlib.sha256(data).hexdigest()
        path = self.path_of(digest)
        with self._file_lock:
            if path.is_file() and path.stat().st_size == len(data):
                return digest, len(data)  # the same bytes are already stored
            try:
                write_atomic(path, data)  # a temporary file beside it, fsync, rename; removed on failure
            except OSError as exc:
                if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
                    raise StoreFull(exc.errno, f"No room to store the model in {self.folder} ({os.strerror(exc.errno)}"
                                               "): nothing was stored. Free disk space, or point AEOT_DATA_DIR at a "
                                               "folder with room, and try again.") from None
                raise
            _fsync_dir(path.parent)
        return digest, len(data)

    def _drop_file_if_unused(self, conn, digest: str) -> None:
        import sqlalchemy as sa

        left = conn.execute(sa.select(sa.func.count()).select_from(self._models)
                            .where(self._models.c.digest == digest)).scalar_one()
        if left == 0:
            try:
                self.path_of(digest).unlink()
            except FileNotFoundError:
                pass

    # ------------------------------------------------------------------ models
    def put(self, model, *, name: str, owner: str, status: str = "ready") -> ModelRecord:
        """Store a model: its bundle first (atomically), then its row.

        Raises
        ------
        StoreFull
            No room on disk: no file and no row were left behind.
        """
        return self._put(bundle_to_bytes(model), model, name=name, owner=owner, status=status)

    def put_bytes(self, data: bytes, *, name: str, owner: str) -> ModelRecord:
        """Store an uploaded bundle after validating it exactly as loading it would (size cap, format, arrays).

        Raises
        ------
        BundleError
            Not a valid bundle: nothing is stored.
        """
        if len(data) > self.max_bytes:
            raise BundleError(f"The bundle is {len(data) / 2**20:,.0f} MiB, more than the {self.max_bytes / 2**20:,.0f}"
                              " MiB accepted.")
        model = load_bundle(bytes(data), max_bytes=self.max_bytes)
        return self._put(bytes(data), model, name=name, owner=owner, status="ready")

    def _put(self, data: bytes, model, *, name: str, owner: str, status: str) -> ModelRecord:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {status!r}.")
        name, owner = _check_text(name, "name"), _check_text(owner, "owner", 64)
        digest, size = self._write_file(data)
        row = {"id": secrets.token_hex(8), "name": name, "owner": owner,
               "dataset": str(model.dataset.get("name", "")), "settings": json.dumps(model.config.to_dict()),
               "status": status, "created": time.time(), "digest": digest, "size": size,
               **headline_metrics(model)}
        try:
            with self._engine.begin() as conn:
                conn.execute(self._models.insert().values(**row))
        except BaseException:
            with self._engine.begin() as conn:
                self._drop_file_if_unused(conn, digest)  # the row never landed: no orphan file either
            raise
        return self._record(row)

    def update(self, model_id: str, model) -> ModelRecord:
        """Replace a stored model's bundle by ``model``'s (e.g. once its views are computed): the new file first,
        then the row's digest, size and metrics; the old file goes once no row refers to it."""
        digest, size = self._write_file(bundle_to_bytes(model))
        with self._engine.begin() as conn:
            import sqlalchemy as sa

            old = conn.execute(sa.select(self._models.c.digest).where(self._models.c.id == str(model_id))).first()
            if old is None:
                raise KeyError(f"No stored model {model_id!r}.")
            conn.execute(self._models.update().where(self._models.c.id == str(model_id)).values(
                digest=digest, size=size, **headline_metrics(model)))
            if old.digest != digest:
                self._drop_file_if_unused(conn, old.digest)
        return self.get(model_id)

    def _record(self, row) -> ModelRecord:
        d = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
        d["settings"] = json.loads(d["settings"]) if isinstance(d["settings"], str) else d["settings"]
        return ModelRecord(**d)

    def get(self, model_id: str) -> Optional[ModelRecord]:
        """The row of ``model_id``, or None."""
        import sqlalchemy as sa

        with self._engine.connect() as conn:
            row = conn.execute(sa.select(self._models).where(self._models.c.id == str(model_id))).first()
        return None if row is None else self._record(row)

    def list(self, owner: Optional[str] = None) -> list:
        """Every stored model's row (or one owner's), newest first."""
        import sqlalchemy as sa

        q = sa.select(self._models).order_by(self._models.c.created.desc())
        if owner is not None:
            q = q.where(self._models.c.owner == str(owner))
        with self._engine.connect() as conn:
            return [self._record(r) for r in conn.execute(q)]

    def health(self, record: ModelRecord) -> str:
        """``"ok"``, ``"missing"`` (no file) or ``"damaged"`` (its size or bytes differ from the row's)."""
        path = self.path_of(record.digest)
        if not path.is_file():
            return "missing"
        if path.stat().st_size != record.size:
            return "damaged"
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        return "ok" if h.hexdigest() == record.digest else "damaged"

    def read_bytes(self, model_id: str) -> bytes:
        """The stored bundle's bytes, checked against the row's digest.

        Raises
        ------
        KeyError
            No such model.
        DamagedModel
            The file is missing or its bytes differ from what was stored.
        """
        rec = self.get(model_id)
        if rec is None:
            raise KeyError(f"No stored model {model_id!r}.")
        path = self.path_of(rec.digest)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise DamagedModel(f"The file of {rec.name!r} is missing from {self.bundles}.") from None
        if len(data) != rec.size or hashlib.sha256(data).hexdigest() != rec.digest:
            raise DamagedModel(f"The file of {rec.name!r} is damaged ({len(data):,} of {rec.size:,} bytes, or its "
                               "bytes changed on disk): it cannot be opened. Delete it, or restore the file.")
        return data

    def load(self, model_id: str):
        """The stored model, rebuilt from its checked bundle (:meth:`read_bytes`, then ``load_bundle``)."""
        return load_bundle(self.read_bytes(model_id), max_bytes=max(self.max_bytes, 1))

    def _owned(self, conn, model_id: str, owner: str):
        import sqlalchemy as sa

        row = conn.execute(sa.select(self._models).where(self._models.c.id == str(model_id))).first()
        if row is None:
            raise KeyError(f"No stored model {model_id!r}.")
        if row.owner != str(owner):
            raise PermissionError(f"{row.name!r} belongs to another visitor: only the browser that made it can rename "
                                  "or delete it. Open it and download it to keep your own copy.")
        return row

    def rename(self, model_id: str, name: str, *, owner: str) -> ModelRecord:
        """Rename a model its ``owner`` made (PermissionError for anyone else)."""
        name = _check_text(name, "name")
        with self._engine.begin() as conn:
            self._owned(conn, model_id, owner)
            conn.execute(self._models.update().where(self._models.c.id == str(model_id)).values(name=name))
        return self.get(model_id)

    def delete(self, model_id: str, *, owner: str) -> None:
        """Delete a model its ``owner`` made, and its file once no row refers to it."""
        with self._engine.begin() as conn:
            row = self._owned(conn, model_id, owner)
            conn.execute(self._models.delete().where(self._models.c.id == str(model_id)))
            self._drop_file_if_unused(conn, row.digest)

    # ------------------------------------------------------------------ jobs
    def put_job(self, *, owner: str, label: str, settings: Optional[dict] = None, checkpoint: Optional[str] = None,
                status: str = "queued") -> JobRecord:
        """A new job row (queued)."""
        row = {"id": secrets.token_hex(8), "owner": _check_text(owner, "owner", 64),
               "label": _check_text(label, "label"), "status": _check_status(status), "created": time.time(),
               "heartbeat": None, "progress": "{}", "error": None, "model_id": None, "checkpoint": checkpoint,
               "settings": json.dumps(settings or {})}
        with self._engine.begin() as conn:
            conn.execute(self._jobs.insert().values(**row))
        return self._job(row)

    def update_job(self, job_id: str, *, status: Optional[str] = None, progress: Optional[dict] = None,
                   error: Optional[str] = None, model_id: Optional[str] = None, beat: bool = True) -> None:
        """Record a sign of life (``beat``), progress, a new status, an error or the model it made."""
        values: dict = {}
        if beat:
            values["heartbeat"] = time.time()
        if status is not None:
            values["status"] = _check_status(status)
        if progress is not None:
            values["progress"] = json.dumps(progress)
        if error is not None:
            values["error"] = str(error)
        if model_id is not None:
            values["model_id"] = str(model_id)
        if values:
            with self._engine.begin() as conn:
                conn.execute(self._jobs.update().where(self._jobs.c.id == str(job_id)).values(**values))

    def _job(self, row) -> JobRecord:
        d = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
        d["progress"], d["settings"] = json.loads(d["progress"]), json.loads(d["settings"])
        return JobRecord(**d)

    def get_job(self, job_id: str) -> Optional[JobRecord]:
        import sqlalchemy as sa

        with self._engine.connect() as conn:
            row = conn.execute(sa.select(self._jobs).where(self._jobs.c.id == str(job_id))).first()
        return None if row is None else self._job(row)

    def jobs(self, owner: Optional[str] = None) -> list:
        """Job rows (of one owner, or all), oldest first."""
        import sqlalchemy as sa

        q = sa.select(self._jobs).order_by(self._jobs.c.created)
        if owner is not None:
            q = q.where(self._jobs.c.owner == str(owner))
        with self._engine.connect() as conn:
            return [self._job(r) for r in conn.execute(q)]

    def mark_interrupted(self, max_age_s: float, now: Optional[float] = None) -> list:
        """Jobs still "running" or "queued" whose last heartbeat (or creation) is older than ``max_age_s``: their
        worker is gone (the server stopped). They are marked "interrupted" and returned, so the app can offer to
        resume them from their checkpoints."""
        import sqlalchemy as sa

        now = time.time() if now is None else float(now)
        j = self._jobs
        last = sa.func.coalesce(j.c.heartbeat, j.c.created)
        stale = sa.and_(j.c.status.in_(("running", "queued")), last < now - float(max_age_s))
        with self._engine.begin() as conn:
            rows = conn.execute(sa.select(j).where(stale)).all()
            if rows:
                conn.execute(j.update().where(j.c.id.in_([r.id for r in rows])).values(
                    status="interrupted", error="The server stopped while this job ran: resume it to continue from "
                                                "its last checkpoint."))
        return [self._job(r) for r in rows]

    def dispose(self) -> None:
        """Close the database connections."""
        self._engine.dispose()


def _check_text(value, what: str, limit: int = 200) -> str:
    if not isinstance(value, str):
        raise TypeError(f"The {what} must be text, got {type(value).__name__}.")
    value = value.strip()
    if not value or len(value) > limit:
        raise ValueError(f"The {what} must be 1 to {limit} characters, got {len(value)}.")
    return value


def _check_status(status: str) -> str:
    if status not in JOB_STATUSES:
        raise ValueError(f"A job's status is one of {JOB_STATUSES}, got {status!r}.")
    return status
