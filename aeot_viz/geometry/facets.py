r"""Statistics of the facets of a power diagram: how far the OT map jumps across each one.

For adjacent cells :math:`i, j` the supporting planes of the Brenier potential have normals
:math:`n_i = (y_i, -1)` and :math:`n_j = (y_j, -1)`; the **facet angle**

.. math:: \theta_{ij} = \angle(n_i, n_j) = 2 \arctan \frac{|\hat n_i - \hat n_j|}{|\hat n_i + \hat n_j|}

(unit normals, a form that stays accurate for small angles) grows with the jump :math:`|y_i - y_j|`.
The **relative jump** :math:`\rho_{ij} = |y_i - y_j| / \max(r_i, r_j)` measures it in units of the local
spacing of codes, :math:`r_i` being the distance from :math:`y_i` to its :math:`k`-th nearest other code.

The **midpoint emptiness** asks whether the segment between the two codes stays in the support, which is what
convexity means: with :math:`m_{ij} = (y_i + y_j) / 2`,

.. math:: \mu_{ij} = \frac{\min_{l \ne i, j} |m_{ij} - y_l|}{(r_i + r_j) / 2}.

If the support is convex the midpoint lies inside it, among other codes, and :math:`\mu_{ij}` is of order one;
across a gap the midpoint sits in empty space and :math:`\mu_{ij}` is large, however short or long the jump.
Its spacing :math:`r` is the distance to the :math:`k_m`-th nearest other code with :math:`k_m =
\mathrm{round}(k / 2)` (:func:`midpoint_rank`), half the diagram's mean number of facets per cell :math:`k`: the
midpoint lies on the side of :math:`y_i` that faces :math:`y_j`, where about half of its neighbours are.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import torch

from .scoring import nearest_others, top_k_cells

__all__ = ["facet_angles", "facet_degree", "kth_neighbour_distance", "midpoint_emptiness", "midpoint_rank",
           "relative_jumps"]

#: nearest codes of each midpoint ranked by the float32 kernel before the exact float64 pick (i and j among them)
MIDPOINT_CANDIDATES = 6


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


def midpoint_rank(k: int) -> int:
    r"""The neighbour rank :math:`k_m = \max(1, \mathrm{round}(k / 2))` of the midpoint emptiness's spacing, from the
    diagram's mean facet count ``k`` (:func:`facet_degree`)."""
    return max(1, int(round(int(k) / 2)))


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


def _pairs_and_spacing(Y, pairs, k: int, radius):
    """Codes (float64), pairs (int64, (E, 2)) and the local spacings :math:`r` (given, or computed)."""
    Y = np.asarray(Y, dtype=np.float64)
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    r = kth_neighbour_distance(Y, k) if radius is None else np.asarray(radius, dtype=np.float64)
    return Y, pairs, r


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
    Y, pairs, r = _pairs_and_spacing(Y, pairs, k, radius)
    jump = np.linalg.norm(Y[pairs[:, 0]] - Y[pairs[:, 1]], axis=1)
    return jump / np.maximum(np.maximum(r[pairs[:, 0]], r[pairs[:, 1]]), 1e-300)


def midpoint_emptiness(Y, pairs, k: int, radius: Optional[np.ndarray] = None) -> np.ndarray:
    r""":math:`\mu_{ij}`, the distance from the pair's midpoint to the nearest other code in units of the mean local
    spacing (module docstring), shape (E,).

    The nearest codes of each midpoint come from the chunked kernel (:data:`MIDPOINT_CANDIDATES` of them, in
    float32), and the distances among those candidates are computed exactly in float64.

    Parameters
    ----------
    Y : array-like, shape (N, d), N >= 3
    pairs : array-like of int, shape (E, 2)
    k : int
        Which neighbour defines the local spacing :math:`r_i` (:func:`midpoint_rank` of the diagram's facet count).
    radius : numpy.ndarray, shape (N,), optional
        Precomputed :func:`kth_neighbour_distance` ``(Y, k)``.
    """
    shape = np.shape(Y)
    if len(shape) != 2 or shape[0] < 3:
        raise ValueError(f"midpoint_emptiness needs at least 3 codes of shape (N, d), got {shape}.")
    p = np.asarray(pairs, dtype=np.int64)
    if p.size and (p.min() < 0 or p.max() >= shape[0]):
        raise ValueError(f"pairs must index the {shape[0]} codes.")
    Y, pairs, r = _pairs_and_spacing(Y, p, k, radius)
    if not len(pairs):
        return np.zeros(0)
    M = 0.5 * (Y[pairs[:, 0]] + Y[pairs[:, 1]])
    Yt = torch.as_tensor(Y, dtype=torch.float32)
    cand, _ = top_k_cells(torch.as_tensor(M, dtype=torch.float32), Yt, -0.5 * (Yt * Yt).sum(dim=1),
                          k=min(MIDPOINT_CANDIDATES, len(Y)))
    cand = cand.numpy()
    dist = np.linalg.norm(M[:, None, :] - Y[cand], axis=2)
    dist[(cand == pairs[:, :1]) | (cand == pairs[:, 1:])] = np.inf
    return dist.min(axis=1) / np.maximum(0.5 * (r[pairs[:, 0]] + r[pairs[:, 1]]), 1e-300)
