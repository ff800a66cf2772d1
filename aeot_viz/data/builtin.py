"""Digits shipped with the product: scikit-learn's 8x8 digits, 10,000 MNIST digits in ``assets/``, and
Stacked MNIST built from them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import numpy as np

from ..utils.paths import assets_dir
from .dataset import Dataset, _subset, _to_images
from .files import _read_npz_arrays

__all__ = ["ASSETS_DIR", "load_digits", "load_mnist10k", "load_stacked_mnist", "STACKED_MNIST_SIZE"]


ASSETS_DIR = assets_dir()


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


#: Stacked MNIST's default training-set size (the literature uses 25,600-128,000 images built from 60,000 digits;
#: ours are built from the 10,000 shipped digits)
STACKED_MNIST_SIZE = 25_600


def load_stacked_mnist(n_samples: Optional[int] = None, random_state: int = 0,
                       path: Optional[os.PathLike] = None) -> Dataset:
    r"""Stacked MNIST: three MNIST digits as the colour channels of one image, 1,000 modes.

    A stratified draw from the 10,000 digits of ``assets/mnist10k.npz`` with
    ``numpy.random.default_rng(random_state)``: the modes :math:`m_i = i \bmod 1000` of the ``n`` images are
    shuffled, so every mode appears :math:`\lfloor n/1000 \rfloor` or :math:`\lceil n/1000 \rceil` times, and
    the digit of each channel is drawn uniformly (with replacement) among the shipped digits of its class.
    Image ``i``'s label is its mode :math:`100 a + 10 b + c` (channel 0 carries the hundreds ``a``).

    Why stratified: drawing the three digits independently from MNIST, as VEEGAN and PacGAN do, gives a
    training set whose own mode histogram is not uniform (KL 0.027 to uniform at 25,600 images, from sampling
    and MNIST's unequal classes). A generator that reproduces its training set exactly would then score a KL of
    about 0.045 over 26,000 samples before any error of its own: most of the 0.06 the published best reach.

    Parameters
    ----------
    n_samples : int, optional
        Images to build (default :data:`STACKED_MNIST_SIZE`, at most 200,000).
    random_state : int
    path : path-like, optional
        Another copy of the MNIST-10k file.

    Returns
    -------
    Dataset
        float32 images (n, 3, 28, 28) in [0, 1] and int64 labels (n,).
    """
    n = STACKED_MNIST_SIZE if n_samples is None else n_samples
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or not 1 <= n <= 200_000:
        raise ValueError(f"n_samples must be an integer between 1 and 200000, got {n_samples!r}.")
    digits = load_mnist10k(path=path)
    rng = np.random.default_rng(random_state)
    modes = rng.permutation(np.arange(int(n)) % 1000)
    wanted = np.stack([modes // 100, modes // 10 % 10, modes % 10], axis=1)  # (n, 3) digit classes
    by_class = [np.flatnonzero(digits.labels == k) for k in range(10)]
    if any(len(rows) == 0 for rows in by_class):
        raise ValueError("The MNIST-10k file must hold every digit 0-9 to stack them.")
    idx = np.empty((int(n), 3), dtype=np.int64)
    for k, rows in enumerate(by_class):
        hit = wanted == k
        idx[hit] = rows[rng.integers(0, len(rows), size=int(hit.sum()))]
    X = np.concatenate([digits.data[idx[:, c]] for c in range(3)], axis=1)  # (n, 3, 28, 28)
    y = 100 * digits.labels[idx[:, 0]] + 10 * digits.labels[idx[:, 1]] + digits.labels[idx[:, 2]]
    return Dataset(X, y.astype(np.int64), "images", "stacked_mnist",
                   {"n_samples": int(n), "random_state": random_state})
