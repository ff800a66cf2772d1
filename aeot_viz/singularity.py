r"""Singular sets of the semi-discrete OT map: where :math:`\nabla u_h` jumps between distant codes.

For adjacent cells :math:`i, j` the supporting planes of the Brenier potential have normals
:math:`n_i = (y_i, -1)` and :math:`n_j = (y_j, -1)`; AE-OT calls the facet between them singular when the
angle

.. math:: \theta_{ij} = \angle(n_i, n_j) = 2 \arctan \frac{|\hat n_i - \hat n_j|}{|\hat n_i + \hat n_j|}

(unit normals, a form that stays accurate for small angles) exceeds a threshold. The angle grows with
:math:`|y_i - y_j|`: neighbouring cells inside a mode send their mass to nearby codes (small angle), cells
on either side of a gap between modes to codes far apart (large angle), and there the OT map is
discontinuous.

Default threshold: ``factor`` (10) times the median angle over all facets. Inside one mode, neighbouring
codes sit at about the local spacing, so their angles are within a small multiple of the median (measured:
at most 3x in a uniform disc, up to 8.6x in the sparse tails of a Gaussian blob of 200 codes); facets
across a gap between modes are many times longer (24x and more between two Gaussian blobs 13 standard
deviations apart). Pass ``threshold`` (radians) to choose it yourself.

:class:`SingularSet` also reports each pair's distance relative to the local spacing of codes (the mean
of both codes' nearest-neighbour distances) and splits the targets into the connected components of the
non-singular facet graph, which recover well-separated modes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch

from .power_diagram import adjacency_from_samples, exact_cells_2d, top_k
from .scoring import nearest_other

__all__ = ["SingularSet", "singular_set", "facet_angles"]


def facet_angles(Y, pairs) -> np.ndarray:
    """Angles (radians) between the supporting planes of the pairs' cells, shape (E,)."""
    Y = np.asarray(Y, dtype=np.float64)
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    n = np.column_stack([Y, -np.ones(len(Y))])
    n /= np.linalg.norm(n, axis=1, keepdims=True)
    a, b = n[pairs[:, 0]], n[pairs[:, 1]]
    return 2 * np.arctan2(np.linalg.norm(a - b, axis=1), np.linalg.norm(a + b, axis=1))


def _nn_distance(Y: np.ndarray) -> np.ndarray:
    other = nearest_other(torch.as_tensor(Y, dtype=torch.float32)).numpy()
    return np.linalg.norm(Y - Y[other], axis=1)


@dataclass
class SingularSet:
    """Facets of a power diagram scored for singularity.

    Attributes
    ----------
    pairs : numpy.ndarray of int64, shape (E, 2)
        Adjacent cells (i < j).
    facet_measure : numpy.ndarray, shape (E,)
        Facet size (edge length in 2-D; sampled estimate in higher dimension).
    angles : numpy.ndarray, shape (E,)
        :math:`\\theta_{ij}` in radians.
    distance_ratio : numpy.ndarray, shape (E,)
        :math:`|y_i - y_j|` over the mean nearest-neighbour distance of :math:`y_i` and :math:`y_j`.
    threshold : float
        Angle above which a facet is singular.
    singular : numpy.ndarray of bool, shape (E,)
    n_targets : int
    """

    pairs: np.ndarray
    facet_measure: np.ndarray
    angles: np.ndarray
    distance_ratio: np.ndarray
    threshold: float
    singular: np.ndarray
    n_targets: int

    def with_threshold(self, threshold: float) -> SingularSet:
        """The same facets judged with another threshold (radians)."""
        if not threshold >= 0:
            raise ValueError(f"threshold must be a non-negative angle in radians, got {threshold}.")
        return SingularSet(self.pairs, self.facet_measure, self.angles, self.distance_ratio,
                           float(threshold), self.angles > threshold, self.n_targets)

    @property
    def singular_pairs(self) -> np.ndarray:
        """Singular pairs sorted by decreasing angle, shape (S, 2)."""
        order = np.argsort(-self.angles[self.singular], kind="stable")
        return self.pairs[self.singular][order]

    def components(self) -> tuple[int, np.ndarray]:
        """Connected components of the non-singular facet graph.

        Returns
        -------
        n_components : int
        labels : numpy.ndarray of int64, shape (N,)
            Component of each target; -1 for targets without any facet (empty cells), which belong
            to no component.
        """
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        keep = ~self.singular
        p = self.pairs[keep]
        g = coo_matrix((np.ones(len(p)), (p[:, 0], p[:, 1])), shape=(self.n_targets, self.n_targets))
        _, lab = connected_components(g, directed=False)
        has_facet = np.bincount(self.pairs.ravel(), minlength=self.n_targets) > 0
        out = np.full(self.n_targets, -1, dtype=np.int64)
        _, out[has_facet] = np.unique(lab[has_facet], return_inverse=True)
        return int(out.max() + 1), out

    def _keys(self, mask) -> np.ndarray:
        p = self.pairs[mask]
        return np.sort(p[:, 0] * self.n_targets + p[:, 1])

    def pair_is(self, i, j, which: str = "singular") -> np.ndarray:
        """Whether each pair (i[k], j[k]) is an adjacent pair that is ``"singular"`` / ``"regular"``."""
        i = np.asarray(i, dtype=np.int64)
        j = np.asarray(j, dtype=np.int64)
        keys = np.minimum(i, j) * self.n_targets + np.maximum(i, j)
        table = self._keys(self.singular if which == "singular" else ~self.singular)
        return np.isin(keys, table)

    def near_singular(self, X, Y, h, eps: float) -> np.ndarray:
        """Whether each point lies within distance ``eps`` of a singular facet (of its best cell).

        The distance to the facet between the best and second-best cells :math:`i, j` is
        :math:`(s_i(x) - s_j(x)) / |y_i - y_j|`.
        """
        idx, val = top_k(X, Y, h, k=2)
        Y = np.asarray(Y, dtype=np.float64)
        dist = (val[:, 0] - val[:, 1]) / np.maximum(np.linalg.norm(Y[idx[:, 0]] - Y[idx[:, 1]], axis=1), 1e-12)
        return (dist < eps) & self.pair_is(idx[:, 0], idx[:, 1], "singular")

    def segments_2d(self, cells) -> np.ndarray:
        """The singular edges of exact 2-D cells (:class:`~aeot_viz.power_diagram.PowerCells2D`) as
        line segments, shape (S, 2, 2), most singular first."""
        mask = self.pair_is(cells.edges[:, 0], cells.edges[:, 1], "singular")
        key = cells.edges[mask, 0] * self.n_targets + cells.edges[mask, 1]
        own = self.pairs[:, 0] * self.n_targets + self.pairs[:, 1]
        order = np.argsort(own)
        ang = self.angles[order][np.searchsorted(own[order], key)]
        return cells.segments[mask][np.argsort(-ang, kind="stable")]

    def boundaries(self, labels: np.ndarray) -> np.ndarray:
        """Pixels of a label raster (e.g. :func:`~aeot_viz.power_diagram.slice_labels`) on a singular boundary."""
        lab = np.asarray(labels)
        out = np.zeros(lab.shape, dtype=bool)
        pairs = [(lab[1:, :], lab[:-1, :], (slice(1, None), slice(None)), (slice(None, -1), slice(None))),
                 (lab[:, 1:], lab[:, :-1], (slice(None), slice(1, None)), (slice(None), slice(None, -1)))]
        for a, b, sa, sb in pairs:
            edge = (a != b) & (a >= 0) & (b >= 0)
            hit = np.zeros(a.shape, dtype=bool)
            hit[edge] = self.pair_is(a[edge], b[edge], "singular")
            out[sa] |= hit
            out[sb] |= hit
        return out


def singular_set(Y, h, *, pairs=None, facet_measure=None, threshold: Optional[float] = None,
                 factor: float = 10.0, n_samples: int = 2**18, random_state: int = 0) -> SingularSet:
    """Score the facets of the power diagram of ``(Y, h)`` for singularity.

    Parameters
    ----------
    Y : array-like, shape (N, d)
        Targets in the source domain.
    h : array-like, shape (N,)
    pairs : array-like, shape (E, 2), optional
        Adjacent pairs; by default the exact edges for d = 2, else estimated from ``n_samples`` samples
        (:func:`~aeot_viz.power_diagram.adjacency_from_samples`).
    facet_measure : array-like, shape (E,), optional
        Facet sizes of ``pairs`` (ones when ``pairs`` is given without them).
    threshold : float, optional
        Angle (radians) above which a facet is singular; default ``factor`` x the median angle.
    factor : float
        See ``threshold``.
    """
    Y = np.asarray(Y, dtype=np.float64)
    h = np.asarray(h, dtype=np.float64)
    if Y.ndim != 2 or h.shape != (Y.shape[0],) or len(Y) < 2:
        raise ValueError(f"Need targets Y (N, d) with N >= 2 and heights h (N,), got {Y.shape}, {h.shape}.")
    if pairs is None:
        if Y.shape[1] == 2:
            cells = exact_cells_2d(Y, h)
            pairs, facet_measure = cells.edges, cells.edge_lengths
        else:
            adj = adjacency_from_samples(Y, h, n_samples=n_samples, random_state=random_state)
            pairs, facet_measure = adj.pairs, adj.facet_measure
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if len(pairs) and (pairs.min() < 0 or pairs.max() >= len(Y)):
        raise ValueError("pairs refer to targets that do not exist.")
    pairs = np.sort(pairs, axis=1)
    fm = np.ones(len(pairs)) if facet_measure is None else np.asarray(facet_measure, dtype=np.float64)
    angles = facet_angles(Y, pairs)
    nn = _nn_distance(Y)
    spacing = 0.5 * (nn[pairs[:, 0]] + nn[pairs[:, 1]])
    ratio = np.linalg.norm(Y[pairs[:, 0]] - Y[pairs[:, 1]], axis=1) / np.maximum(spacing, 1e-12)
    if threshold is None:
        if not factor > 0:
            raise ValueError(f"factor must be positive, got {factor}.")
        threshold = float(factor * np.median(angles)) if len(angles) else np.inf
    elif not threshold >= 0:
        raise ValueError(f"threshold must be a non-negative angle in radians, got {threshold}.")
    return SingularSet(pairs, fm, angles, ratio, float(threshold), angles > threshold, len(Y))
