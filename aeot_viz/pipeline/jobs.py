"""Bounded training jobs: at most K run at once, the rest wait in a queue, each with a memory estimate.

The app serves every visitor from one process. A training run there is a :class:`Job` in a shared
:class:`JobPool`: it runs on a worker thread (or, in the app, in a worker process:
:class:`~aeot_viz.pipeline.workers.ProcessJobPool`), so the visitor's page only polls it and other visitors' pages
are never blocked by it; at most ``max_running`` jobs run at once (default 1 per 2 CPU cores; the
environment variable ``AEOT_MAX_TRAINING_JOBS`` sets it), later ones wait in a first-in first-out queue
whose position each visitor sees; and a job whose memory estimate (:func:`estimate_training_bytes`)
exceeds the pool's budget (default 60% of the machine's memory; ``AEOT_TRAINING_MEMORY_MB``) is refused
before it starts, with the setting to lower. Queued jobs also wait until the running ones leave room in
that budget.

A job's function receives a progress callback: events are stored on the job (the page reads them on its
own thread, never the worker), and the callback raises :class:`~aeot_viz.utils.progress.Cancelled` once the
job is cancelled, which stops the run cleanly at its next progress event.
"""

from __future__ import annotations

import itertools
import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Optional

from ..utils.env import positive_number
from ..utils.eta import TimeLeft
from ..utils.progress import Cancelled, ProgressEvent

__all__ = [
    "describe_progress",
    "eta_segment",
    "time_left",
    "TRAINING_STAGES",
    "Job",
    "JobPool",
    "estimate_training_bytes",
    "default_max_running",
    "default_memory_budget",
]

MiB = 2**20


def default_max_running() -> int:
    """``AEOT_MAX_TRAINING_JOBS``, else one job per 2 CPU cores (1 on the 2-core reference machine)."""
    return int(positive_number("AEOT_MAX_TRAINING_JOBS", max(1, (os.cpu_count() or 2) // 2)))


def default_memory_budget() -> int:
    """Bytes all running jobs may use: ``AEOT_TRAINING_MEMORY_MB``, else 60% of the machine's memory."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 8 * 2**30
    return int(positive_number("AEOT_TRAINING_MEMORY_MB", 0.6 * total / MiB) * MiB)


def estimate_training_bytes(n_samples: int, sample_shape, config) -> int:
    r"""A conservative estimate of the peak memory of :func:`~aeot_viz.pipeline.training.fit_aeot` (bytes).

    Sums the float32 data and the copies training makes of it (about 3x), the kept display images, the
    autoencoder (weights, gradients and Adam's two moments: 4x its parameters, counted on the ``meta``
    device so nothing is allocated), one batch's activations (64 float32 per input value, generous for
    the shipped conv and MLP networks), the codes and targets, the OT solver's batch (its largest batch
    of ``d``-dimensional samples with scores and indices; for the pooled solver its largest pool's candidate lists,
    :func:`~aeot_viz.geometry.candidates.pool_bytes_per_sample` bytes a sample, whichever is more) and per-target
    state (neighbour lists, logs,
    snapshots: about 64 bytes plus ``n_snapshots`` heights per target), and 256 MiB of fixed costs of a
    run (torch's kernels and thread buffers; measured: about 160 MiB for a small run). The libraries
    themselves are not counted: the server process has them loaded already.

    Parameters
    ----------
    n_samples : int
    sample_shape : tuple of int
        One sample's shape: (C, H, W) for images, (D,) for points.
    config : AEOTConfig
    """
    import torch

    from ..models.autoencoder import build_autoencoder

    per = math.prod(int(s) for s in sample_shape)
    kind = "images" if len(sample_shape) == 3 else "points"
    with torch.device("meta"):
        params = sum(p.numel() for p in build_autoencoder(config.ae, kind, tuple(sample_shape)).parameters())
    d = per if kind == "points" and per == 2 else config.ae.latent_dim  # 2-D points use the identity
    data = 3 * n_samples * per * 4 + min(n_samples, 4096) * per
    ae = 4 * params * 4 + config.train.batch_size * per * 4 * 64
    ot = config.ot.max_batch_size * (d + 4) * 4 * 3 + n_samples * (64 + 8 * config.ot.n_snapshots + 8 * d)
    if d > 2 and config.ot.method in ("auto", "pooled"):  # the pooled solver's candidate lists, and its epochs
        from ..geometry.candidates import pool_bytes_per_sample
        from ..ot.pooled import pool_sizes
        from ..ot.validation import validation_size

        V = validation_size(n_samples, config.ot.validation_samples)
        cap = pool_sizes(n_samples, V, int(config.ot.candidates), config.ot.pool_size)[-1]
        ot = max(ot, cap * pool_bytes_per_sample(n_samples, int(config.ot.candidates))
                 + 2**16 * (d + 9) * 8 + 64 * MiB + n_samples * (64 + 8 * config.ot.n_snapshots + 8 * d + 4 * 64))
    return int(data + ae + ot + 256 * MiB)


class Job:
    """One training run in a :class:`JobPool`.

    Attributes
    ----------
    id : int
    owner : str
        Who submitted it (a session id): :meth:`JobPool.jobs_of` lists only one owner's jobs.
    label : str
    estimate_bytes : int
    status : {"queued", "running", "done", "failed", "cancelled"}
    events : list of ProgressEvent
        Every progress event so far (read them on any thread; only the worker appends).
    times : list of float
        The ``time.time()`` at which each event arrived (appended just before its event, so
        ``zip(times, events)`` pairs them on any thread).
    result : Any
        The function's return value once ``status == "done"``.
    error : BaseException or None
        What it raised once ``status`` is ``"failed"`` (or ``"cancelled"``: a ``Cancelled``).
    submitted, started, finished : float or None
        ``time.time()`` stamps.
    """

    def __init__(self, pool: JobPool, job_id: int, fn, owner: str, label: str, estimate_bytes: int):
        self._pool, self._fn = pool, fn
        self.id, self.owner, self.label, self.estimate_bytes = job_id, owner, label, int(estimate_bytes)
        self.status = "queued"
        self.events: list = []
        self.times: list = []
        self.result: Any = None
        self.error: Optional[BaseException] = None
        self.submitted, self.started, self.finished = time.time(), None, None
        self._cancel = threading.Event()
        self._done = threading.Event()

    @property
    def done(self) -> bool:
        """Whether it has ended (done, failed or cancelled)."""
        return self._done.is_set()

    @property
    def position(self) -> int:
        """1-based place in the queue; 0 once it runs or has ended."""
        return self._pool.position(self)

    def cancel(self) -> None:
        """Stop it: a queued job leaves the queue at once, a running one at its next progress event."""
        self._cancel.set()
        self._pool._drop_if_queued(self)

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Block until it ends (or ``timeout`` seconds); returns whether it ended."""
        return self._done.wait(timeout)

    def _callback(self, ev: ProgressEvent) -> None:
        if self._cancel.is_set():
            raise Cancelled(f"job {self.id} was cancelled")
        self.times.append(time.time())
        self.events.append(ev)

    def _run(self) -> None:
        try:
            if self._cancel.is_set():
                raise Cancelled(f"job {self.id} was cancelled")
            self.result = self._fn(self._callback)
            self.status = "done"
        except Cancelled as exc:
            self.error, self.status = exc, "cancelled"
        except BaseException as exc:  # noqa: BLE001 - handed to the page, which shows it
            self.error, self.status = exc, "failed"
        finally:
            self.finished = time.time()
            self._done.set()
            self._pool._finished(self)


class JobPool:
    """Run jobs on worker threads, at most ``max_running`` at once and within a memory budget.

    Parameters
    ----------
    max_running : int, optional
        Jobs running at once (default :func:`default_max_running`).
    memory_budget : int, optional
        Bytes the running jobs' estimates may add up to (default :func:`default_memory_budget`).
    """

    def __init__(self, max_running: Optional[int] = None, memory_budget: Optional[int] = None):
        self.max_running = default_max_running() if max_running is None else int(max_running)
        self.memory_budget = default_memory_budget() if memory_budget is None else int(memory_budget)
        if self.max_running < 1:
            raise ValueError(f"max_running must be at least 1, got {max_running}.")
        if self.memory_budget < 1:
            raise ValueError(f"memory_budget must be positive, got {memory_budget}.")
        self._lock = threading.Lock()
        self._queue: deque = deque()
        self._running: list = []
        self._all: list = []
        self._ids = itertools.count(1)

    def submit(self, fn: Callable[[Callable[[ProgressEvent], None]], Any], *, owner: str, label: str = "",
               estimate_bytes: int = 0) -> Job:
        """Queue ``fn(callback)``; it starts as soon as a slot and the memory budget allow.

        Raises
        ------
        ValueError
            When ``estimate_bytes`` alone exceeds the budget: it could never run.
        """
        self._check_estimate(estimate_bytes)
        with self._lock:
            job = Job(self, next(self._ids), fn, str(owner), label, estimate_bytes)
            self._queue.append(job)
            self._all.append(job)
        self._schedule()
        return job

    def _check_estimate(self, estimate_bytes: int) -> None:
        """Refuse a job whose estimate alone exceeds the budget (``ValueError`` naming the setting)."""
        if estimate_bytes > self.memory_budget:
            raise ValueError(f"This training needs about {estimate_bytes / MiB:,.0f} MiB, more than the "
                             f"{self.memory_budget / MiB:,.0f} MiB the server allows for training "
                             "(AEOT_TRAINING_MEMORY_MB). Use fewer samples, a smaller batch size, latent dimension "
                             "or OT batch, or ask the operator to raise the setting.")

    def position(self, job: Job) -> int:
        with self._lock:
            try:
                return self._queue.index(job) + 1
            except ValueError:
                return 0

    def jobs_of(self, owner: str) -> list:
        """The jobs ``owner`` submitted, oldest first."""
        with self._lock:
            return [j for j in self._all if j.owner == str(owner)]

    def jobs_of_all(self) -> list:
        """Every job submitted to this pool, oldest first (for operators and tests)."""
        with self._lock:
            return list(self._all)

    @property
    def queued(self) -> int:
        with self._lock:
            return len(self._queue)

    @property
    def running(self) -> int:
        with self._lock:
            return len(self._running)

    def _drop_if_queued(self, job: Job) -> None:
        with self._lock:
            if job in self._queue:
                self._queue.remove(job)
                job.status, job.error, job.finished = "cancelled", Cancelled(f"job {job.id} was cancelled"), time.time()
                job._done.set()

    def _finished(self, job: Job) -> None:
        with self._lock:
            if job in self._running:
                self._running.remove(job)
        self._schedule()

    def _schedule(self) -> None:
        start = []
        with self._lock:
            while self._queue and len(self._running) < self.max_running:
                used = sum(j.estimate_bytes for j in self._running)
                nxt = self._queue[0]
                if self._running and used + nxt.estimate_bytes > self.memory_budget:
                    break  # first in, first out: wait for memory rather than let later jobs overtake
                self._queue.popleft()
                nxt.status, nxt.started = "running", time.time()
                self._running.append(nxt)
                start.append(nxt)
        for job in start:
            threading.Thread(target=job._run, name=f"aeot-job-{job.id}", daemon=True).start()


#: where each stage of a training job sits on its progress bar: (start, share of the bar)
TRAINING_STAGES = {"autoencoder": (0.0, 0.4), "encode": (0.4, 0.05), "ot": (0.45, 0.3), "ot-validation": (0.45, 0.3),
                   "convex-null": (0.75, 0.15), "convex-null-validation": (0.75, 0.15), "views": (0.9, 0.1)}
_STAGE_NAMES = {"autoencoder": "autoencoder", "encode": "encoding the data", "ot": "OT solver",
                "ot-validation": "OT solver", "convex-null": "convex null (calibrates the singular set)",
                "convex-null-validation": "convex null (calibrates the singular set)", "views": "views"}


def describe_progress(events: list, kind: str = "training") -> tuple[float, str]:
    """How far a job is, and one line saying where: ``(fraction in [0, 1], text)`` from its progress events.

    A training job's bar runs through its stages in order (:data:`TRAINING_STAGES`); a views job's bar is
    its one stage. The text names the stage, its step and its latest figure (loss, batch L1, validated L1 or
    the view being computed).
    """
    if not events:
        return 0.0, "starting..."
    ev = events[-1]
    frac = min(max(ev.fraction, 0.0), 1.0)
    if kind != "training":
        start, span = 0.0, 1.0
    else:
        start, span = TRAINING_STAGES.get(ev.stage, (0.0, 1.0))
    m = ev.metrics
    if ev.stage.endswith("validation") and m.get("exact_l1") is not None:
        detail = f"exact L1 {m['exact_l1']:.1e}"
    elif ev.stage.endswith("validation"):
        detail = f"validated L1 {m['l1']:.4f} (noise floor {m['noise_floor']:.4f})"
    elif m.get("solver") == "newton":
        detail = f"Newton step, exact L1 {m['l1']:.1e}"
    elif "scoring" in m:
        detail = f"scoring a fresh pool of {int(m.get('pool', 0)):,} samples ({float(m['scoring']):.0%})"
    elif "loss" in m:
        detail = f"loss {m['loss']:.4f}"
    elif "l1" in m:
        detail = f"batch L1 {m['l1']:.4f}"
    elif "view" in m:
        detail = "done" if m["view"] == "done" else f"computing {m['view'].split('_')[0]}"
    else:
        detail = ""
    text = f"{_STAGE_NAMES.get(ev.stage, ev.stage)} {ev.step}/{ev.total}" + (f", {detail}" if detail else "")
    return start + span * frac, text


def eta_segment(ev: ProgressEvent) -> Optional[tuple[tuple, float, str]]:
    """Where an event sits for the time-left estimate (:class:`~aeot_viz.utils.eta.TimeLeft`): its segment,
    the fraction of that segment done, and what the time is left of; None for events that give no estimate.

    A segment runs at one steady speed: the autoencoder's batches, the encoding, or one round of a stochastic OT
    solve (its own or the convex null's; a round has one batch size, and the next round doubles it). What is
    left after a round is not known in advance: its check decides whether another round runs, so the estimate
    runs to that check. Exact Newton steps (a handful, stopping on precision), the checks themselves and the
    views (jobs of unequal cost: one UMAP can take longer than all the others together) give no estimate.
    """
    m = ev.metrics
    if ev.stage == "autoencoder":
        return ("autoencoder",), ev.fraction, "left in the autoencoder"
    if ev.stage == "encode":
        return ("encode",), ev.fraction, "left encoding the data"
    if ev.stage in ("ot", "convex-null") and "scoring" in m:  # the pooled solver scoring a new pool: steady
        what = "new pool" if ev.stage == "ot" else "convex null's new pool"
        return ((ev.stage, "pool", int(m.get("round", 0))), float(m["scoring"]), f"to score the {what}")
    if ev.stage in ("ot", "convex-null") and m.get("solver") != "newton" and m.get("round_iters"):
        n, first = int(m["round_iters"]), int(m.get("round_first", 0))
        what = "OT solver" if ev.stage == "ot" else "convex null's OT solve"
        return ((ev.stage, int(m.get("round", 0))), min(max((ev.step - first) / n, 0.0), 1.0),
                f"to the {what}'s check after this round")
    return None


def time_left(events: list, times: list, now: Optional[float] = None) -> tuple[float, str]:
    """Seconds left in a job's running segment (:func:`eta_segment`) at wall time ``now``, and what of.

    Parameters
    ----------
    events : list of ProgressEvent
    times : list of float
        Each event's wall time (``Job.times``); pairs with ``events`` up to the shorter of the two.
    now : float, optional
        The time to estimate at (default: the last event's).

    Returns
    -------
    (float, str)
        NaN and ``""`` while the running segment gives no estimate (too few steps measured, or a stage
        without one).
    """
    eta, what = TimeLeft(), ""
    for t, ev in zip(times, events):
        seg = eta_segment(ev)
        if seg is None:
            eta, what = TimeLeft(), ""  # a check, a Newton step or a view: the next segment starts afresh
            continue
        key, frac, what = seg
        eta.update(t, key, frac)
    left = eta.left(now)
    return (left, what) if not math.isnan(left) else (math.nan, "")
