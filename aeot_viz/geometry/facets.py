r"""Statistics of the facets of a power diagram: how far the OT map jumps across each one.

For adjacent cells :math:`i, j` the supporting planes of the Brenier potential have normals
:math:`n_i = (y_i, -1)` and :math:`n_j = (y_j, -1)`; the **facet angle**

.. math:: \theta_{ij} = \angle(n_i, n_j) = 2 \arctan \frac{|\hat n_i - \hat n_j|}{|\hat n_i + \hat n_j|}

(unit normals, a form that stays accurate for small angles) grows with the jump :math:`|y_i - y_j|`.
The **relative jump** :math:`\rho_{ij} = |y_i - y_j| / \max(r_i, r_j)` measures it in units of the local
spacing of codes, :math:`r_i` being the distance from :math:`y_i` to its :math:`k`-th nearest other code.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import torch

from .scoring import nearest_others

__all__ = ["facet_angles", "facet_degree", "kth_neighbour_distance", "relative_jumps"]


def facet_angles(Y, pairs) -> np.ndarray:
    """Angles (radians) between the supporting planes of the pairs' cells, shape (E,).

    Parameters
    ----------
    Y : array-like, shape (N, d)
    pairs : array-like of int, shape (E, 2)
    """
    Y = np.asarray(Y, dtype=np.float64)
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    n = np.column_stack([Y, -np.ones(len(Y))])
    n /= np.linalg.norm(n, axis=1, keepdims=True)
    a, b = n[pairs[:, 0]], n[pairs[:, 1]]
    return 2 * np.arctan2(np.linalg.norm(a - b, axis=1), np.linalg.norm(a + b, axis=1))


def facet_degree(n_pairs: int, n_targets: int) -> int:
    """The mean number of facets of a cell, :math:`\\mathrm{round}(2E/N)`, at least 1 and below N."""
    return int(min(max(1, round(2 * n_pairs / max(n_targets, 1))), max(n_targets - 1, 1)))


def kth_neighbour_distance(Y, k: int) -> np.ndarray:
    """Distance from each code to its ``k``-th nearest other code, shape (N,).

    Parameters
    ----------
    Y : array-like, shape (N, d), N >= 2
    k : int, 1 <= k < N
    """
    Y = np.asarray(Y, dtype=np.float64)
    k = int(min(k, len(Y) - 1))
    nbr = nearest_others(torch.as_tensor(Y, dtype=torch.float32), k).numpy()
    # rank the k candidates exactly in float64 (the float32 kernel can swap near ties)
    dist = np.linalg.norm(Y[:, None, :] - Y[nbr], axis=2)
    return np.sort(dist, axis=1)[:, k - 1]


def relative_jumps(Y, pairs, k: int, radius: Optional[np.ndarray] = None) -> np.ndarray:
    r""":math:`\rho_{ij} = |y_i - y_j| / \max(r_i, r_j)` for each pair, shape (E,).

    Parameters
    ----------
    Y : array-like, shape (N, d)
    pairs : array-like of int, shape (E, 2)
    k : int
        Which neighbour defines the local spacing :math:`r_i`.
    radius : numpy.ndarray, shape (N,), optional
        Precomputed :func:`kth_neighbour_distance` ``(Y, k)``.
    """
    Y = np.asarray(Y, dtype=np.float64)
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    r = kth_neighbour_distance(Y, k) if radius is None else np.asarray(radius, dtype=np.float64)
    jump = np.linalg.norm(Y[pairs[:, 0]] - Y[pairs[:, 1]], axis=1)
    return jump / np.maximum(np.maximum(r[pairs[:, 0]], r[pairs[:, 1]]), 1e-300)
