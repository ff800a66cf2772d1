"""Checkpoints of long runs, so that the autoencoder trainer and the OT solver resume where they stopped.

A checkpoint is a pickle-free ``.npz`` archive (format ``aeot-viz-checkpoint``) written atomically
(temporary file, then rename: a crash never leaves a half-written checkpoint) after every epoch of the
autoencoder and every round of the OT solver. It stores the run's state (weights and Adam moments,
random generator states, heights, iteration counters, logs) and a *fingerprint*: a SHA-256 digest of
the data and of every setting that changes the result. Resuming with other data or settings would
silently mix two runs, so :func:`load_checkpoint` refuses a checkpoint whose fingerprint differs, with a
message that says to delete it or choose another path. Settings that only say how far to go (epochs,
the OT iteration budget and tolerance) or where to run (device) are left out of the fingerprint, so a
finished run can be extended.

Because the state is saved at epoch / round boundaries and the runs draw their random numbers from
seeded generators whose states are saved too, a resumed run computes exactly what the uninterrupted
run would have (tested bit for bit on the CPU).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Optional, Union

import numpy as np

from .archive import BundleError, arrays_to_bytes, meta_array, read_archive, read_meta, write_atomic

__all__ = ["FORMAT", "FORMAT_VERSION", "fingerprint", "save_checkpoint", "load_checkpoint", "describe"]

FORMAT = "aeot-viz-checkpoint"
FORMAT_VERSION = 1
STAGES = ("autoencoder", "ot")

PathLike = Union[str, os.PathLike]


def fingerprint(settings: dict, *arrays) -> str:
    """SHA-256 of JSON ``settings`` and of each array's dtype, shape and bytes (hex digest)."""
    dig = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
    for a in arrays:
        if a is None:
            dig.update(b"none")
            continue
        a = np.ascontiguousarray(np.asarray(a))
        dig.update(f"{a.dtype.str}{a.shape}".encode())
        dig.update(a.tobytes())
    return dig.hexdigest()


def save_checkpoint(path: PathLike, stage: str, key: str, meta: dict, arrays: dict) -> Path:
    """Write a checkpoint atomically.

    Parameters
    ----------
    path : path-like
        File to (over)write.
    stage : {"autoencoder", "ot"}
    key : str
        The run's :func:`fingerprint`.
    meta : dict
        JSON-serialisable state (counters, logs).
    arrays : dict of str -> numpy.ndarray
        Numeric state (weights, heights, generator states).
    """
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, got {stage!r}.")
    head = {"format": FORMAT, "format_version": FORMAT_VERSION, "stage": stage, "fingerprint": key, **meta}
    return write_atomic(path, arrays_to_bytes({**arrays, "meta.json": meta_array(head)}))


def load_checkpoint(path: Optional[PathLike], stage: str, key: str) -> Optional[tuple[dict, dict]]:
    """The ``(meta, arrays)`` of the checkpoint at ``path``, or ``None`` when there is none.

    Raises
    ------
    ValueError
        The file is not a checkpoint of this stage (damaged, another format) or was written for other
        data or settings (another fingerprint).
    """
    if path is None or not Path(path).exists():
        return None
    name = str(path)
    try:
        arrs = read_archive(path)
        meta = read_meta(arrs, name, FORMAT, FORMAT_VERSION, what="an AE-OT checkpoint")
    except BundleError as exc:
        raise ValueError(f"{exc} Delete the file to start afresh.") from None
    if meta.get("stage") != stage:
        raise ValueError(f"{name} is a checkpoint of the {meta.get('stage')!r} stage, not of {stage!r}; "
                         "give each stage its own file.")
    if meta.get("fingerprint") != key:
        raise ValueError(f"{name} was written by a run with other data or settings; delete it to start "
                         "afresh, or choose another checkpoint location.")
    return meta, arrs


def describe(path: PathLike) -> Optional[str]:
    """One line on how far the checkpoint at ``path`` got, or ``None`` when there is no readable one."""
    try:
        arrs = read_archive(path)
        meta = read_meta(arrs, str(path), FORMAT, FORMAT_VERSION, what="an AE-OT checkpoint")
    except (BundleError, OSError):
        return None
    if meta.get("stage") == "autoencoder":
        return f"autoencoder after epoch {meta.get('epoch')}"
    if meta.get("stage") == "ot":
        state = "converged" if meta.get("converged") else "stopped"
        return f"OT solver after iteration {meta.get('iteration')} ({state})"
    return None
