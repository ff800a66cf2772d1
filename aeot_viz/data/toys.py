"""Toy 2-D datasets: Gaussian mixtures on a ring and a grid, a swiss roll, two moons, concentric rings."""

from __future__ import annotations

import numpy as np

from .dataset import Dataset, _check_n, _rng

__all__ = ["ring_modes", "grid_modes", "ring8", "grid25", "swiss_roll", "two_moons", "concentric_rings",
           "TOY_DATASETS"]


def _check_noise(noise):
    if not (isinstance(noise, (int, float)) and noise >= 0 and np.isfinite(noise)):
        raise ValueError(f"noise (standard deviation) must be a non-negative number, got {noise!r}.")


def ring_modes(n_modes: int = 8, radius: float = 1.0) -> np.ndarray:
    """Centres of the ring mixture: angles 2*pi*k/n_modes on a circle, shape (n_modes, 2)."""
    ang = 2 * np.pi * np.arange(n_modes) / n_modes
    return np.stack([radius * np.cos(ang), radius * np.sin(ang)], axis=1)


def grid_modes() -> np.ndarray:
    """Centres of the 25-mode grid, (i, j) for i, j in {-4, -2, 0, 2, 4}; shape (25, 2)."""
    v = np.arange(-4, 5, 2, dtype=np.float64)
    return np.stack(np.meshgrid(v, v, indexing="ij"), axis=-1).reshape(-1, 2)


def _mixture(centres, n_samples, std, random_state):
    rng = _rng(random_state)
    labels = rng.integers(0, len(centres), size=n_samples)
    pts = centres[labels] + std * rng.standard_normal((n_samples, 2))
    return pts.astype(np.float32), labels.astype(np.int64)


def ring8(n_samples: int = 2000, std: float = 0.01, radius: float = 1.0, random_state: int = 0) -> Dataset:
    """8 Gaussians on a ring (VEEGAN / PacGAN protocol): modes at angles 2*pi*k/8, std 0.01.

    Each sample picks a mode uniformly at random; ``labels`` are the mode ids 0..7.
    """
    _check_n(n_samples)
    _check_noise(std)
    X, y = _mixture(ring_modes(8, radius), n_samples, std, random_state)
    return Dataset(X, y, "points", "ring8", {"n_samples": n_samples, "std": std, "radius": radius,
                                             "random_state": random_state})


def grid25(n_samples: int = 2000, std: float = 0.05, random_state: int = 0) -> Dataset:
    """25 Gaussians on a 5x5 grid (VEEGAN / PacGAN protocol): modes at (i, j), i, j in {-4,-2,0,2,4},
    std 0.05; ``labels`` are the mode ids 0..24 (row-major over i, then j)."""
    _check_n(n_samples)
    _check_noise(std)
    X, y = _mixture(grid_modes(), n_samples, std, random_state)
    return Dataset(X, y, "points", "grid25", {"n_samples": n_samples, "std": std, "random_state": random_state})


def swiss_roll(n_samples: int = 2000, noise: float = 0.05, random_state: int = 0) -> Dataset:
    r"""2-D swiss roll: :math:`t \sim U[1.5\pi, 4.5\pi]`, :math:`x = (t\cos t, t\sin t)/10` plus
    Gaussian noise; ``labels`` split the roll into 4 segments along :math:`t`."""
    _check_n(n_samples)
    _check_noise(noise)
    rng = _rng(random_state)
    t = 1.5 * np.pi * (1 + 2 * rng.random(n_samples))
    X = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / 10 + noise * rng.standard_normal((n_samples, 2))
    labels = np.minimum(((t - 1.5 * np.pi) / (3 * np.pi) * 4).astype(np.int64), 3)
    return Dataset(X.astype(np.float32), labels, "points", "swiss_roll",
                   {"n_samples": n_samples, "noise": noise, "random_state": random_state})


def two_moons(n_samples: int = 2000, noise: float = 0.05, random_state: int = 0) -> Dataset:
    """Two interleaving half circles (scikit-learn's ``make_moons``); labels are the moon ids."""
    from sklearn.datasets import make_moons

    _check_n(n_samples)
    _check_noise(noise)
    X, y = make_moons(n_samples=n_samples, noise=noise, random_state=random_state)
    return Dataset(X.astype(np.float32), y, "points", "two_moons",
                   {"n_samples": n_samples, "noise": noise, "random_state": random_state})


def concentric_rings(n_samples: int = 2000, noise: float = 0.03, factor: float = 0.5,
                     random_state: int = 0) -> Dataset:
    """Two concentric circles (scikit-learn's ``make_circles``, inner radius ``factor``)."""
    from sklearn.datasets import make_circles

    _check_n(n_samples)
    _check_noise(noise)
    if not 0 < factor < 1:
        raise ValueError(f"factor (inner radius / outer radius) must be in (0, 1), got {factor}.")
    X, y = make_circles(n_samples=n_samples, noise=noise, factor=factor, random_state=random_state)
    return Dataset(X.astype(np.float32), y, "points", "concentric_rings",
                   {"n_samples": n_samples, "noise": noise, "factor": factor, "random_state": random_state})


TOY_DATASETS = {
    "ring8": ring8,
    "grid25": grid25,
    "swiss_roll": swiss_roll,
    "two_moons": two_moons,
    "concentric_rings": concentric_rings,
}


# --------------------------------------------------------------------------------------------- images
