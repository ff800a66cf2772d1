"""The one dataset type, and the checks and conversions every loader shares.

Points are float32 arrays of shape (n, d); images are float32 arrays of shape (n, C, H, W) with
values in [0, 1]. Labels, when known, are int64 of shape (n,).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

__all__ = ["Dataset"]


@dataclass
class Dataset:
    """A dataset ready for the autoencoder.

    Attributes
    ----------
    data : numpy.ndarray, float32, shape (n, d) or (n, C, H, W)
        Points, or images with values in [0, 1].
    labels : numpy.ndarray of int64, shape (n,), or None
        Mode or class id of each sample, when known.
    kind : {"points", "images"}
    name : str
        Short name, e.g. ``"mnist10k"`` or ``"ring8"``.
    params : dict
        The parameters that produced it (seed, size, noise, path, ...), JSON-serialisable.
    """

    data: np.ndarray
    labels: Optional[np.ndarray]
    kind: str
    name: str
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        data = np.asarray(self.data)
        if self.kind not in ("points", "images"):
            raise ValueError(f"Dataset kind must be 'points' or 'images', got {self.kind!r}.")
        want = 2 if self.kind == "points" else 4
        if data.ndim != want:
            raise ValueError(f"{self.kind} data must have {want} dimensions, got shape {data.shape}.")
        if data.shape[0] < 1 or min(data.shape[1:]) < 1:
            raise ValueError(f"Dataset {self.name!r} is empty (shape {data.shape}).")
        if not np.issubdtype(data.dtype, np.number):
            raise TypeError(f"Dataset values must be numeric, got dtype {data.dtype}.")
        data = data.astype(np.float32, copy=False)
        if not np.isfinite(data).all():
            raise ValueError(f"Dataset {self.name!r} contains NaN or Inf values; clean it first.")
        self.data = data
        if self.labels is not None:
            labels = np.asarray(self.labels)
            if labels.shape != (data.shape[0],):
                raise ValueError(f"labels must have shape ({data.shape[0]},), got {labels.shape}.")
            if not np.issubdtype(labels.dtype, np.integer):
                if np.issubdtype(labels.dtype, np.floating) and np.all(np.isfinite(labels)) \
                        and np.all(labels == np.round(labels)):
                    labels = labels.astype(np.int64)
                else:
                    raise ValueError("labels must be integers (class or mode ids); map names to ids first.")
            self.labels = labels.astype(np.int64)

    @property
    def shape(self) -> tuple:
        """Shape of one sample: (d,) for points, (C, H, W) for images."""
        return tuple(self.data.shape[1:])

    def __len__(self) -> int:
        return int(self.data.shape[0])

    def describe(self) -> dict:
        """JSON-serialisable description stored in a bundle."""
        return {"name": self.name, "kind": self.kind, "shape": list(self.shape), "n": len(self),
                "has_labels": self.labels is not None, "params": _jsonable(self.params)}


def _jsonable(obj):
    """Numpy scalars (e.g. an ``np.int64`` n_samples) -> Python numbers, recursively."""
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    return obj.item() if isinstance(obj, np.generic) else obj


# ----------------------------------------------------------------------------------------------- toys


def _rng(random_state):
    return np.random.default_rng(random_state)


def _check_n(n_samples):
    if not isinstance(n_samples, (int, np.integer)) or isinstance(n_samples, bool) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")


def _subset(X, y, n_samples, random_state):
    if n_samples is None or n_samples >= len(X):
        return X, y
    _check_n(n_samples)
    idx = np.sort(_rng(random_state).choice(len(X), size=n_samples, replace=False))
    return X[idx], (None if y is None else y[idx])


def _to_images(X: np.ndarray, where: str) -> np.ndarray:
    """uint8 or float images, (n, H, W), (n, H, W, C), (n, C, H, W) or flat squares -> (n, C, H, W) in [0, 1]."""
    if not np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.complexfloating):
        raise ValueError(f"Images in {where} must be numeric, got dtype {X.dtype}.")
    if X.ndim == 2:
        side = int(round(np.sqrt(X.shape[1])))
        if side * side != X.shape[1]:
            raise ValueError(f"Flat images in {where} have {X.shape[1]} pixels, not a square; "
                             "reshape them to (n, H, W).")
        X = X.reshape(-1, 1, side, side)
    elif X.ndim == 3:
        X = X[:, None]
    elif X.ndim == 4:
        if X.shape[-1] in (1, 3, 4) and X.shape[1] not in (1, 3, 4):
            X = np.moveaxis(X, -1, 1)
        if X.shape[1] not in (1, 3, 4):
            raise ValueError(f"Images in {where} have {X.shape[1]} channels; use 1 (gray) or 3 (RGB).")
        if X.shape[1] == 4:
            X = X[:, :3]
    else:
        raise ValueError(f"Images in {where} must have 3 or 4 dimensions, got shape {X.shape}.")
    Xf = X.astype(np.float32)
    if not np.isfinite(Xf).all():
        raise ValueError(f"Images in {where} contain NaN or Inf values.")
    if np.issubdtype(X.dtype, np.integer) and X.min(initial=0) >= 0 and X.max(initial=0) <= 255:
        Xf /= 255.0 if X.max(initial=0) > 1 else 1.0
    elif Xf.size and (Xf.min() < 0 or Xf.max() > 1):
        lo, hi = float(Xf.min()), float(Xf.max())
        Xf = (Xf - lo) / (hi - lo) if hi > lo else np.zeros_like(Xf)
    return np.ascontiguousarray(Xf)
