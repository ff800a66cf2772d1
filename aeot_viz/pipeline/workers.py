"""Training jobs in worker processes: one spawned child per job, supervised by a thread of the server.

:class:`ProcessJobPool` is a :class:`~aeot_viz.pipeline.jobs.JobPool` (the same queue, positions, ``max_running``
slots and memory budget, the same :class:`~aeot_viz.pipeline.jobs.Job` attributes) whose
:meth:`~ProcessJobPool.submit_process` runs a job in its own child process instead of a thread of the server. A
child that runs out of memory, crashes in native code or hangs in a long native call then takes only its own job
down: the server and every other job keep running, and a cancel ends the child even when it never reaches its next
progress event. :meth:`~ProcessJobPool.submit` still runs a job on a thread (for work on an in-memory object,
such as the views of a model the session already holds); both kinds share the pool's slots and budget.

The child is started with the ``spawn`` context (never ``fork``: the server is multi-threaded and holds torch).
Its job is a picklable top-level callable with its arguments, called as ``fn(*args, callback=callback,
**kwargs)``. ``callback(event)`` sends a :class:`~aeot_viz.utils.progress.ProgressEvent` to the parent through a
pipe (stored on ``job.events`` / ``job.times`` as for a thread job) and raises
:class:`~aeot_viz.utils.progress.Cancelled` once the parent asked the job to stop; ``callback.publish(value)``
sends an interim value (a trained model's bundle bytes before its views are computed) to the ``on_partial`` hook.
The return value comes back pickled through the same pipe (between the server and its own child only; a training
job returns bundle bytes, see :func:`train_in_worker`).

Faults and what the job says:

- cancel: the parent sets the child's stop flag (the callback raises ``Cancelled`` at its next event), sends
  SIGTERM after :data:`CANCEL_GRACE_S` seconds and SIGKILL :data:`TERM_GRACE_S` seconds later; status
  ``"cancelled"``.
- the child killed by a signal the parent did not send (SIGKILL from the kernel's out-of-memory killer), or a
  ``MemoryError`` in the child (e.g. over its ``memory_limit_bytes`` address-space limit): status ``"failed"``,
  ``job.error`` a ``MemoryError`` whose message says out of memory, names ``AEOT_TRAINING_MEMORY_MB``, fewer
  samples and a smaller batch, and says that a training resumes from its checkpoint.
- any other exception in the child: status ``"failed"`` with that exception.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any, Optional

from ..utils.progress import Cancelled, ProgressEvent
from .jobs import Job, JobPool

__all__ = ["ProcessJobPool", "WorkerJob", "WorkerError", "train_in_worker", "out_of_memory_message",
           "CANCEL_GRACE_S", "TERM_GRACE_S", "HEARTBEAT_S", "WORKER_BASE_BYTES"]

#: seconds a cancelled child has to stop at its next progress event before it gets SIGTERM
CANCEL_GRACE_S = 1.5
#: seconds after SIGTERM before SIGKILL
TERM_GRACE_S = 1.5
#: what a worker child takes before its job: Python, numpy, torch and the package loaded (measured: 222 MiB peak RSS
#: on the reference machine); :func:`~aeot_viz.pipeline.jobs.estimate_training_bytes` leaves the libraries out,
#: as the server has them already, so a training submitted to a worker adds this to its estimate
WORKER_BASE_BYTES = 256 * 2**20
#: the supervisor records a heartbeat and calls ``on_update`` at least this often while a child runs
HEARTBEAT_S = 1.0


_CHILD_PREFIX = "aeot-worker-"


def _install_no_main_preparation() -> None:
    """Start worker children without re-running the parent's ``__main__``.

    ``spawn`` re-imports the parent's main module in the child (as ``__mp_main__``) so that functions defined
    there can be found. Inside Streamlit, ``sys.modules["__main__"]`` is the page script being run, so every
    worker child would first run a page of the app. A worker's job is a function of an importable module, never of
    ``__main__``: for processes named ``aeot-worker-*`` the preparation data leaves the main module out (a wrapper
    of ``multiprocessing.spawn.get_preparation_data``; other processes are untouched).
    """
    from multiprocessing import spawn

    original = spawn.get_preparation_data
    if getattr(original, "_aeot_no_main", False):
        return

    def get_preparation_data(name):
        data = original(name)
        if str(name).startswith(_CHILD_PREFIX):
            data.pop("init_main_from_path", None)
            data.pop("init_main_from_name", None)
        return data

    get_preparation_data._aeot_no_main = True
    spawn.get_preparation_data = get_preparation_data


class WorkerError(RuntimeError):
    """An exception of a worker child that could not be sent back as it was (its text and traceback are kept)."""


def out_of_memory_message(detail: str) -> str:
    """What a job that ran out of memory says: what happened, the settings to change, and that it can resume."""
    return (f"The training worker ran out of memory ({detail}). Use fewer samples or a smaller batch size "
            "(autoencoder batch or OT batch), or ask the operator to lower AEOT_TRAINING_MEMORY_MB so fewer "
            "trainings share the machine's memory. Press Train again with the same settings to resume from its "
            "last checkpoint.")


class _ChildCallback:
    """The progress callback inside a worker child: sends events and interim values to the parent."""

    def __init__(self, conn, stop):
        self._conn, self._stop = conn, stop

    def __call__(self, ev: ProgressEvent) -> None:
        if self._stop.is_set():
            raise Cancelled("the job was cancelled")
        self._conn.send(("event", ev))

    def publish(self, value: Any) -> None:
        """Send an interim value to the parent (``on_partial``); raises ``Cancelled`` once the job is stopped."""
        if self._stop.is_set():
            raise Cancelled("the job was cancelled")
        self._conn.send(("partial", value))


def _send_error(conn, exc: BaseException) -> None:
    tb = traceback.format_exc()
    if isinstance(exc, MemoryError):
        conn.send(("memory", str(exc) or type(exc).__name__))
        return
    try:
        conn.send(("error", exc))
    except Exception:  # noqa: BLE001 - an exception that does not pickle travels as its text
        conn.send(("error", WorkerError(f"{type(exc).__name__}: {exc}\n{tb}")))


def _die_with_parent() -> None:
    """On Linux, ask the kernel to kill this child when its parent (the server) dies, even by SIGKILL: an orphan
    would go on training with nobody to hand its model to, while the store marks its job interrupted."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(4)


def _child_main(conn, stop, fn, args, kwargs, memory_limit_bytes) -> None:
    """Entry point of a worker child: apply the memory limit, run the job, send its result or error."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the server's terminal is the server's to handle
    _die_with_parent()
    try:
        if memory_limit_bytes is not None:
            import resource

            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            limit = int(memory_limit_bytes) if hard == resource.RLIM_INFINITY else min(int(memory_limit_bytes), hard)
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        result = fn(*args, callback=_ChildCallback(conn, stop), **kwargs)
        conn.send(("result", result))
    except BaseException as exc:  # noqa: BLE001 - every failure goes to the parent
        try:
            _send_error(conn, exc)
        except BaseException:  # noqa: BLE001 - the pipe is gone or memory is: the exit code says it
            os._exit(3)
    finally:
        conn.close()


class WorkerJob(Job):
    """A :class:`~aeot_viz.pipeline.jobs.Job` run in a child process (see :class:`ProcessJobPool`).

    Attributes
    ----------
    pid : int or None
        The child's process id while it runs (and after; None before it starts or when run in the server).
    heartbeat : float or None
        ``time.time()`` of the last sign of life: an event, a message, or the supervisor's check (each
        :data:`HEARTBEAT_S`) that the child is still alive.
    partial : Any
        The last interim value the job published (``callback.publish``), else None.
    memory_limit_bytes : int or None
        The child's address-space limit (``RLIMIT_AS``), if any.

    Every attribute of :class:`~aeot_viz.pipeline.jobs.Job` is here too (status, events, times, result, error,
    position, done, cancel, wait).
    """

    def __init__(self, pool, job_id, fn, args, kwargs, owner, label, estimate_bytes, memory_limit_bytes, on_update,
                 on_partial, isolate):
        super().__init__(pool, job_id, fn, owner, label, estimate_bytes)
        self._args, self._kwargs = tuple(args), dict(kwargs)
        self.memory_limit_bytes = None if memory_limit_bytes is None else int(memory_limit_bytes)
        self._on_update, self._on_partial, self._isolate = on_update, on_partial, bool(isolate)
        self.pid: Optional[int] = None
        self.heartbeat: Optional[float] = None
        self.partial: Any = None

    def _update(self) -> None:
        if self._on_update is not None:
            try:
                self._on_update(self)
            except Exception:  # noqa: BLE001 - a failing hook must not take the job down
                traceback.print_exc()

    def _got_partial(self, value) -> None:
        self.partial = value
        if self._on_partial is not None:
            self._on_partial(value)

    def _run(self) -> None:
        try:
            self.heartbeat = time.time()
            self._update()
            if self._cancel.is_set():
                raise Cancelled(f"job {self.id} was cancelled")
            if self._isolate:
                self._supervise()
            else:
                self._run_here()
        except Cancelled as exc:
            self.error, self.status = exc, "cancelled"
        except MemoryError as exc:
            self.error, self.status = MemoryError(out_of_memory_message(str(exc) or "MemoryError")), "failed"
        except BaseException as exc:  # noqa: BLE001 - handed to the page, which shows it
            self.error, self.status = exc, "failed"
        finally:
            self.finished = time.time()
            self._done.set()
            self._update()
            self._pool._finished(self)

    def _run_here(self) -> None:
        """The same job on this thread of the server (``isolate=False``: for debugging and in-process tests)."""
        job = self

        class _Here:
            def __call__(self, ev):
                job._callback(ev)
                job.heartbeat = time.time()

            def publish(self, value):
                if job._cancel.is_set():
                    raise Cancelled(f"job {job.id} was cancelled")
                job._got_partial(value)

        self.result = self._fn(*self._args, callback=_Here(), **self._kwargs)
        self.status = "done"

    def _supervise(self) -> None:
        """Start the child and relay its messages until it ends; sets the result and status, or raises what the
        job's end means (``Cancelled``, ``MemoryError``, the child's exception)."""
        _install_no_main_preparation()
        ctx = multiprocessing.get_context("spawn")
        recv_conn, send_conn = ctx.Pipe(duplex=False)
        stop = ctx.Event()
        proc = ctx.Process(target=_child_main, name=f"{_CHILD_PREFIX}{self.id}", daemon=True,
                           args=(send_conn, stop, self._fn, self._args, self._kwargs, self.memory_limit_bytes))
        proc.start()
        send_conn.close()
        self.pid = proc.pid
        final, cancel_at, signalled = None, None, None
        last_beat = time.time()
        try:
            while final is None:
                if self._cancel.is_set():
                    now = time.time()
                    if cancel_at is None:
                        cancel_at = now
                        stop.set()
                    elif signalled is None and now - cancel_at > CANCEL_GRACE_S:
                        signalled = "SIGTERM"
                        proc.terminate()
                    elif signalled == "SIGTERM" and now - cancel_at > CANCEL_GRACE_S + TERM_GRACE_S:
                        signalled = "SIGKILL"
                        proc.kill()
                try:
                    ready = recv_conn.poll(0.1)
                    msg = recv_conn.recv() if ready else None
                except (EOFError, OSError):
                    break  # the child is gone without a last word
                if msg is not None:
                    self.heartbeat = time.time()
                    kind = msg[0]
                    if kind == "event":
                        if not self._cancel.is_set():
                            self.times.append(self.heartbeat)
                            self.events.append(msg[1])
                        self._update()
                    elif kind == "partial":
                        self._got_partial(msg[1])
                        self._update()
                    else:
                        final = msg
                elif time.time() - last_beat >= HEARTBEAT_S:
                    last_beat = time.time()
                    if proc.is_alive():
                        self.heartbeat = last_beat
                    self._update()
            proc.join(TERM_GRACE_S + CANCEL_GRACE_S)
        finally:
            hung = proc.is_alive()
            if hung:  # a child that does not exit after its last word or its pipe closed, or a supervisor interrupted
                proc.kill()
                proc.join(5)
            recv_conn.close()
        if final is not None:
            kind, value = final
            if kind == "result":
                self.result, self.status = value, "done"
                return
            if kind == "memory":
                raise MemoryError(value)
            if isinstance(value, Cancelled):
                raise Cancelled(f"job {self.id} was cancelled") from value
            raise value
        code = proc.exitcode
        if self._cancel.is_set():
            raise Cancelled(f"job {self.id} was cancelled")
        if hung:
            raise WorkerError(f"The training worker closed its pipe without a result and did not exit (killed after "
                              f"{TERM_GRACE_S + CANCEL_GRACE_S:.0f} s); see the server's log.")
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            raise MemoryError(f"the worker process was killed by {name}, most likely by the kernel's out-of-memory "
                              "killer")
        raise WorkerError(f"The training worker exited with code {code} without a result; see the server's log.")


class ProcessJobPool(JobPool):
    """A :class:`~aeot_viz.pipeline.jobs.JobPool` whose :meth:`submit_process` runs each job in its own child process.

    Parameters
    ----------
    max_running : int, optional
        Jobs running at once, thread and process jobs together (default
        :func:`~aeot_viz.pipeline.jobs.default_max_running`).
    memory_budget : int, optional
        Bytes the running jobs' estimates may add up to (default
        :func:`~aeot_viz.pipeline.jobs.default_memory_budget`).
    isolate : bool
        False runs :meth:`submit_process`'s jobs on a thread of this process instead of a child (same function,
        same callback and hooks; for debugging and for tests that patch the library in this process).
    """

    def __init__(self, max_running: Optional[int] = None, memory_budget: Optional[int] = None, isolate: bool = True):
        super().__init__(max_running, memory_budget)
        self.isolate = bool(isolate)

    def submit_process(self, fn: Callable, args: tuple = (), kwargs: Optional[dict] = None, *, owner: str,
                       label: str = "", estimate_bytes: int = 0, memory_limit_bytes: Optional[int] = None,
                       on_update: Optional[Callable[[WorkerJob], None]] = None,
                       on_partial: Optional[Callable[[Any], None]] = None) -> WorkerJob:
        """Queue ``fn(*args, callback=callback, **kwargs)`` to run in a spawned child once a slot and the budget allow.

        Parameters
        ----------
        fn : callable
            A top-level function (picklable by reference); ``args`` and ``kwargs`` must pickle too.
        args : tuple, optional
        kwargs : dict, optional
        owner : str
            Who submitted it (a session id).
        label : str, optional
        estimate_bytes : int, optional
            The job's memory estimate (:func:`~aeot_viz.pipeline.jobs.estimate_training_bytes`).
        memory_limit_bytes : int, optional
            An address-space limit (``RLIMIT_AS``) the child sets before running ``fn``: past it, allocations
            raise ``MemoryError`` in the child (reported as out of memory) instead of growing the machine's use.
        on_update : callable, optional
            ``on_update(job)``, called by the supervisor thread when the job starts, on each event and interim
            value, at least every :data:`HEARTBEAT_S` seconds while it runs (``job.heartbeat`` updated), and once
            it has ended. It must be quick; what it raises is printed and ignored.
        on_partial : callable, optional
            ``on_partial(value)``, called on the supervisor thread with each value the job publishes.

        Returns
        -------
        WorkerJob

        Raises
        ------
        ValueError
            When ``estimate_bytes`` alone exceeds the budget (it could never run), or ``memory_limit_bytes`` is
            not positive.
        TypeError
            When ``fn`` is not callable.
        """
        if not callable(fn):
            raise TypeError(f"submit_process needs a top-level function, got {type(fn).__name__}.")
        if memory_limit_bytes is not None and not int(memory_limit_bytes) > 0:
            raise ValueError(f"memory_limit_bytes must be a positive number of bytes, got {memory_limit_bytes}; "
                             "pass None for no limit.")
        self._check_estimate(estimate_bytes)
        with self._lock:
            job = WorkerJob(self, next(self._ids), fn, args, kwargs or {}, str(owner), label, estimate_bytes,
                            memory_limit_bytes, on_update, on_partial, self.isolate)
            self._queue.append(job)
            self._all.append(job)
        self._schedule()
        return job


def train_in_worker(data, labels, kind: str, name: str, params: dict, config: dict, checkpoint_dir=None, *,
                    callback) -> bytes:
    """A training job for a worker child: ``fit_aeot`` then ``compute_views``; returns the model's bundle bytes.

    Rebuilds the :class:`~aeot_viz.data.Dataset` and the :class:`~aeot_viz.pipeline.config.AEOTConfig` from plain
    values, so nothing but arrays, dicts and strings crosses to the child. Once ``fit_aeot`` returns, the trained
    model (without views) is published as bundle bytes (``callback.publish``, when the callback has it), so the
    visitor can use it while its views are computed.

    Parameters
    ----------
    data, labels : numpy.ndarray
        The dataset's arrays (``labels`` may be None).
    kind, name : str
        The dataset's kind (``"images"`` or ``"points"``) and name.
    params : dict
        The dataset's parameters (``Dataset.params``).
    config : dict
        ``AEOTConfig.to_dict()``.
    checkpoint_dir : path-like, optional
        Where ``fit_aeot`` keeps its checkpoints (a rerun with the same settings resumes from them).
    callback : callable
        The worker's progress callback.

    Returns
    -------
    bytes
        :func:`~aeot_viz.pipeline.bundle.bundle_to_bytes` of the model with its views; read it with
        :func:`~aeot_viz.pipeline.bundle.load_bundle`.
    """
    from ..data import Dataset
    from .bundle import bundle_to_bytes
    from .config import AEOTConfig
    from .training import fit_aeot
    from .views import compute_views

    dataset = Dataset(data, labels, kind, name, dict(params or {}))
    model = fit_aeot(dataset, AEOTConfig.from_dict(config), callback=callback, checkpoint_dir=checkpoint_dir)
    publish = getattr(callback, "publish", None)
    if publish is not None:
        publish(bundle_to_bytes(model))
    compute_views(model, callback=callback)
    return bundle_to_bytes(model)
