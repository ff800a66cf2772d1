"""Digits shipped with the product: scikit-learn's 8x8 digits and 10,000 MNIST digits in ``assets/``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import numpy as np

from .dataset import Dataset, _subset, _to_images
from .files import _read_npz_arrays

__all__ = ["ASSETS_DIR", "load_digits", "load_mnist10k"]


ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets"


def load_digits(n_samples: Optional[int] = None, random_state: int = 0) -> Dataset:
    """scikit-learn's 8x8 digits (1,797 images, values 0..16 scaled to [0, 1]), shipped with it."""
    from sklearn.datasets import load_digits as _ld

    d = _ld()
    X = (d.images / 16.0).astype(np.float32)[:, None]
    X, y = _subset(X, d.target.astype(np.int64), n_samples, random_state)
    return Dataset(X, y, "images", "digits", {"n_samples": n_samples, "random_state": random_state})


def load_mnist10k(n_samples: Optional[int] = None, random_state: int = 0,
                  path: Optional[os.PathLike] = None) -> Dataset:
    """10,000 MNIST digits shipped in ``assets/mnist10k.npz`` (28x28, see ``assets/README.md``).

    Parameters
    ----------
    n_samples : int, optional
        Take a random subset of this size (all 10,000 by default).
    path : path-like, optional
        Another copy of the file (``X`` uint8 (n, 784), ``y``).
    """
    p = Path(path) if path is not None else ASSETS_DIR / "mnist10k.npz"
    if not p.is_file():
        raise ValueError(f"MNIST-10k file not found at {p}; rebuild it with `python scripts/build_mnist10k.py`.")
    X, y = _read_npz_arrays(p)
    X = _to_images(X, f"{p}")
    X, y = _subset(X, y, n_samples, random_state)
    return Dataset(X, y, "images", "mnist10k", {"n_samples": n_samples, "random_state": random_state})
