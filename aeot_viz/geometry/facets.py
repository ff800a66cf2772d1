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
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import torch

from .scoring import nearest_others, top_k_cells

__all__ = ["facet_angles", "facet_degree", "kth_neighbour_distance", "midpoint_emptiness", "relative_jumps",
           "segment_emptiness"]

#: where along the segment between two codes the segment emptiness looks for empty space
SEGMENT_POINTS = (0.5,)

#: nearest codes of each point ranked by the float32 kernel before the exact float64 pick (i and j among them)
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


def segment_emptiness(Y, pairs, k: int, radius: Optional[np.ndarray] = None,
                      points=SEGMENT_POINTS) -> np.ndarray:
    r""":math:`\mu_{ij}`, the emptiest of a few points of the segment between the pair's codes: the distance from
    :math:`(1 - t) y_i + t y_j` to the nearest code other than :math:`y_i, y_j`, in units of the mean local spacing,
    largest over :math:`t` in ``points`` (module docstring), shape (E,).

    The nearest codes of each point come from the chunked kernel (:data:`MIDPOINT_CANDIDATES` of them, in float32),
    and the distances among those candidates are computed exactly in float64.

    Parameters
    ----------
    Y : array-like, shape (N, d), N >= 3
    pairs : array-like of int, shape (E, 2)
    k : int
        Which neighbour defines the local spacing :math:`r_i`.
    radius : numpy.ndarray, shape (N,), optional
        Precomputed :func:`kth_neighbour_distance` ``(Y, k)``.
    points : sequence of float in (0, 1)
        Where along the segment to look (default :data:`SEGMENT_POINTS`).
    """
    shape = np.shape(Y)
    if len(shape) != 2 or shape[0] < 3:
        raise ValueError(f"segment_emptiness needs at least 3 codes of shape (N, d), got {shape}.")
    p = np.asarray(pairs, dtype=np.int64)
    if p.size and (p.min() < 0 or p.max() >= shape[0]):
        raise ValueError(f"pairs must index the {shape[0]} codes.")
    ts = np.asarray(points, dtype=np.float64).reshape(-1)
    if not len(ts) or not ((ts > 0) & (ts < 1)).all():
        raise ValueError(f"points must be positions strictly between 0 and 1 along the segment, got {points!r}.")
    Y, pairs, r = _pairs_and_spacing(Y, p, k, radius)
    if not len(pairs):
        return np.zeros(0)
    Yt = torch.as_tensor(Y, dtype=torch.float32)
    half_sq = -0.5 * (Yt * Yt).sum(dim=1)
    A, B = Y[pairs[:, 0]], Y[pairs[:, 1]]
    own = lambda cand: (cand == pairs[:, :1]) | (cand == pairs[:, 1:])  # noqa: E731
    best = np.zeros(len(pairs))
    for t in ts:
        M = (1.0 - t) * A + t * B
        cand, _ = top_k_cells(torch.as_tensor(M, dtype=torch.float32), Yt, half_sq,
                              k=min(MIDPOINT_CANDIDATES, len(Y)))
        cand = cand.numpy()
        dist = np.linalg.norm(M[:, None, :] - Y[cand], axis=2)
        dist[own(cand)] = np.inf
        best = np.maximum(best, dist.min(axis=1))
    return best / np.maximum(0.5 * (r[pairs[:, 0]] + r[pairs[:, 1]]), 1e-300)


def midpoint_emptiness(Y, pairs, k: int, radius: Optional[np.ndarray] = None) -> np.ndarray:
    r""":func:`segment_emptiness` at the midpoint alone, :math:`t = 1/2`, shape (E,)."""
    try:
        return segment_emptiness(Y, pairs, k, radius, points=(0.5,))
    except ValueError as exc:
        raise ValueError(str(exc).replace("segment_emptiness", "midpoint_emptiness")) from None
