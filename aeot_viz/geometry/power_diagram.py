r"""Power diagrams of the Brenier potential :math:`u_h(x) = \max_i \langle x, y_i\rangle + h_i`.

Cell :math:`W_i = \{x : \langle x, y_i\rangle + h_i \ge \langle x, y_j\rangle + h_j \;\forall j\}`.
Written as a power diagram, :math:`\arg\max_i \langle x, y_i\rangle + h_i = \arg\min_i |x - y_i|^2
- \omega_i` with weights :math:`\omega_i = |y_i|^2 + 2 h_i`, so its dual is the regular triangulation:
the lower convex hull of the lifted points :math:`(y_i, -2 h_i)`. Two cells share a facet exactly when
their lifted points share a lower-hull edge; a target whose lifted point is not on the lower hull has an
empty cell.

This module gives cell assignment, top-k cells and the best-to-second gap for any dimension (through the
chunked kernel of :mod:`aeot_viz.geometry.scoring`), and the exact cells for d = 2: polygons clipped to the
source square :math:`[-\tfrac12, \tfrac12]^2` with their areas, centroids and shared edges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .scoring import assign_cells, top_k_cells

__all__ = ["assign", "top_k", "PowerCells2D", "exact_cells_2d", "Adjacency", "adjacency_from_samples",
           "SlicePlane", "slice_points", "slice_labels"]


def _tensors(X, Y, h):
    X = torch.as_tensor(np.asarray(X, dtype=np.float32))
    Y = torch.as_tensor(np.asarray(Y, dtype=np.float32))
    h = torch.as_tensor(np.asarray(h, dtype=np.float32))
    return X, Y, h


def assign(X, Y, h) -> np.ndarray:
    """Cell index of each point, :math:`\\arg\\max_i \\langle x, y_i\\rangle + h_i`.

    Parameters
    ----------
    X : array-like, shape (M, d)
    Y : array-like, shape (N, d)
    h : array-like, shape (N,)

    Returns
    -------
    numpy.ndarray of int64, shape (M,)
    """
    return assign_cells(*_tensors(X, Y, h)).numpy()


def top_k(X, Y, h, k: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best cells of each point and their scores, best first.

    ``scores[:, 0] - scores[:, 1]`` is the gap to the nearest facet in score units; divided by
    :math:`|y_{i_1} - y_{i_2}|` it is the Euclidean distance from :math:`x` to the hyperplane of the facet.

    Returns
    -------
    indices : numpy.ndarray of int64, shape (M, k)
    scores : numpy.ndarray of float32, shape (M, k)
    """
    idx, val = top_k_cells(*_tensors(X, Y, h), k=k)
    return idx.numpy(), val.numpy()


@dataclass
class PowerCells2D:
    """Exact power cells of a 2-D problem, clipped to the square.

    Attributes
    ----------
    polygons : list of numpy.ndarray, each (n_vertices, 2)
        Counter-clockwise vertices of each cell (empty array for an empty cell).
    areas : numpy.ndarray, shape (N,)
    centroids : numpy.ndarray, shape (N, 2)
        NaN for empty cells.
    edges : numpy.ndarray of int64, shape (E, 2)
        Pairs (i, j), i < j, of cells sharing an edge of positive length inside the square.
    edge_lengths : numpy.ndarray, shape (E,)
    segments : numpy.ndarray, shape (E, 2, 2)
        End points of each shared edge.
    """

    polygons: list
    areas: np.ndarray
    centroids: np.ndarray
    edges: np.ndarray
    edge_lengths: np.ndarray
    segments: np.ndarray


_SQUARE = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])


def _clip(poly: np.ndarray, a: np.ndarray, b: float) -> np.ndarray:
    """Clip a convex polygon to the half-plane ``a . x <= b`` (Sutherland-Hodgman, one edge)."""
    if len(poly) == 0:
        return poly
    s = poly @ a - b
    inside = s <= 1e-15
    if inside.all():
        return poly
    if not inside.any():
        return poly[:0]
    out = []
    n = len(poly)
    for k in range(n):
        p, q = poly[k], poly[(k + 1) % n]
        sp, sq = s[k], s[(k + 1) % n]
        if sp <= 1e-15:
            out.append(p)
        if (sp <= 1e-15) != (sq <= 1e-15):
            t = sp / (sp - sq)
            out.append(p + t * (q - p))
    return np.asarray(out)


def _area_centroid(poly: np.ndarray) -> tuple[float, np.ndarray]:
    if len(poly) < 3:
        return 0.0, np.full(2, np.nan)
    x, y = poly[:, 0], poly[:, 1]
    xn, yn = np.roll(x, -1), np.roll(y, -1)
    cross = x * yn - xn * y
    a = cross.sum() / 2
    if abs(a) < 1e-18:
        return 0.0, np.full(2, np.nan)
    cx = ((x + xn) * cross).sum() / (6 * a)
    cy = ((y + yn) * cross).sum() / (6 * a)
    return float(abs(a)), np.array([cx, cy])


def _hull_neighbours(Y: np.ndarray, h: np.ndarray) -> list:
    """Neighbours in the regular triangulation (lower hull of the lifted points); ``None`` marks a
    target whose lifted point is not a lower-hull vertex, i.e. whose cell is empty."""
    from scipy.spatial import ConvexHull, QhullError

    N = len(Y)
    nbrs = [set() for _ in range(N)]
    if N <= 3:
        for i in range(N):
            nbrs[i] = set(range(N)) - {i}
        return nbrs
    lifted = np.column_stack([Y, -2.0 * h])
    try:
        hull = ConvexHull(lifted, qhull_options="Qt QbB")
    except QhullError:  # degenerate (collinear targets): fall back to all pairs
        return [set(range(N)) - {i} for i in range(N)]
    on_lower = np.zeros(N, dtype=bool)
    for simplex, eq in zip(hull.simplices, hull.equations):
        if eq[2] < 0:  # lower facet: outward normal points down
            on_lower[simplex] = True
            for a in simplex:
                nbrs[a].update(int(b) for b in simplex if b != a)
    return [nb if on_lower[i] else None for i, nb in enumerate(nbrs)]


def exact_cells_2d(Y, h) -> PowerCells2D:
    """Exact power cells of targets ``Y`` (N, 2) with heights ``h`` (N,), clipped to the square.

    Each cell is the square clipped by the half-planes
    :math:`\\langle x, y_j - y_i\\rangle \\le h_i - h_j` of its neighbours in the regular triangulation
    (no other constraint can be active), computed in float64.

    Raises
    ------
    ValueError
        If ``Y`` is not (N, 2) or ``h`` not (N,), or they hold NaN / Inf.
    """
    Y = np.asarray(Y, dtype=np.float64)
    h = np.asarray(h, dtype=np.float64)
    if Y.ndim != 2 or Y.shape[1] != 2 or h.shape != (Y.shape[0],):
        raise ValueError(f"exact_cells_2d needs Y of shape (N, 2) and h of shape (N,), got {Y.shape}, {h.shape}.")
    if not (np.isfinite(Y).all() and np.isfinite(h).all()):
        raise ValueError("Y and h must be finite.")
    N = len(Y)
    nbrs = _hull_neighbours(Y, h)
    polys, areas, cents = [], np.zeros(N), np.full((N, 2), np.nan)
    for i in range(N):
        if nbrs[i] is None:
            polys.append(_SQUARE[:0].copy())
            continue
        poly = _SQUARE.copy()
        for j in sorted(nbrs[i]):
            poly = _clip(poly, Y[j] - Y[i], h[i] - h[j])
            if len(poly) == 0:
                break
        polys.append(poly)
        areas[i], cents[i] = _area_centroid(poly)
    edges, lengths, segs = [], [], []
    for i in range(N):
        if areas[i] <= 0 or nbrs[i] is None:
            continue
        for j in nbrs[i]:
            if j <= i or areas[j] <= 0:
                continue
            a, b = Y[j] - Y[i], h[i] - h[j]
            na = np.linalg.norm(a)
            if na == 0:
                continue
            on = np.abs(polys[i] @ a - b) <= 1e-9 * max(1.0, na)
            if on.sum() >= 2:
                pts = polys[i][on]
                along = pts @ np.array([-a[1], a[0]]) / na
                length = float(np.ptp(along))
                if length > 1e-12:
                    edges.append((i, j))
                    lengths.append(length)
                    segs.append([pts[np.argmin(along)], pts[np.argmax(along)]])
    return PowerCells2D(polys, areas, cents, np.asarray(edges, dtype=np.int64).reshape(-1, 2),
                        np.asarray(lengths, dtype=np.float64), np.asarray(segs, dtype=np.float64).reshape(-1, 2, 2))


@dataclass
class Adjacency:
    """Cell adjacency estimated from samples.

    Attributes
    ----------
    pairs : numpy.ndarray of int64, shape (E, 2)
        Pairs (i, j), i < j, seen as best and second-best cells of samples near their common facet.
    facet_measure : numpy.ndarray, shape (E,)
        Estimated (d-1)-dimensional measure of each facet (edge length in 2-D) inside the cube.
    counts : numpy.ndarray of int64, shape (E,)
        Samples that fell in the band around each facet.
    band : float
        Half-width :math:`\\varepsilon` of the band, in distance units of the source space.
    """

    pairs: np.ndarray
    facet_measure: np.ndarray
    counts: np.ndarray
    band: float


def adjacency_from_samples(Y, h, n_samples: int = 2**18, band: float | None = None,
                           random_state: int = 0, batch: int = 2**16) -> Adjacency:
    r"""Estimate the facet graph of the power diagram in any dimension.

    A uniform sample :math:`x` of the cube with best and second-best cells :math:`i, j` lies at distance
    :math:`t = (s_i(x) - s_j(x)) / |y_i - y_j|` from the hyperplane of their common facet. Samples with
    :math:`t < \varepsilon` fill, on both sides, a slab of volume about :math:`2 \varepsilon |F_{ij}|`,
    so :math:`|F_{ij}| \approx \#\{t < \varepsilon\} / (2 \varepsilon M)` for :math:`M` samples (exact
    as :math:`\varepsilon \to 0`, biased near the facet's own boundary).

    Parameters
    ----------
    Y : array-like, shape (N, d)
    h : array-like, shape (N,)
    n_samples : int
        Uniform samples :math:`M` of :math:`[-\tfrac12, \tfrac12]^d`.
    band : float, optional
        :math:`\varepsilon`; by default 5% of the typical cell width :math:`N^{-1/d}`.
    random_state : int

    Returns
    -------
    Adjacency
    """
    from .sources import random_batches

    Yt = torch.as_tensor(np.asarray(Y, dtype=np.float32))
    ht = torch.as_tensor(np.asarray(h, dtype=np.float32))
    if Yt.ndim != 2 or ht.shape != (Yt.shape[0],) or Yt.shape[0] < 2:
        raise ValueError(f"Need Y (N, d) with N >= 2 and h (N,), got {tuple(Yt.shape)}, {tuple(ht.shape)}.")
    N, d = Yt.shape
    eps = float(band) if band is not None else 0.05 * N ** (-1.0 / d)
    if not eps > 0:
        raise ValueError(f"band must be positive, got {band}.")
    keys = []
    for X in random_batches(n_samples, d, "uniform", random_state=random_state, batch=batch):
        idx, val = top_k_cells(X, Yt, ht, k=2)
        dist = (val[:, 0] - val[:, 1]) / (Yt[idx[:, 0]] - Yt[idx[:, 1]]).norm(dim=1).clamp_min(1e-12)
        near = dist < eps
        lo = torch.minimum(idx[near, 0], idx[near, 1])
        hi = torch.maximum(idx[near, 0], idx[near, 1])
        keys.append((lo * N + hi).numpy())
    allk = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
    uniq, counts = np.unique(allk, return_counts=True)
    pairs = np.stack([uniq // N, uniq % N], axis=1).astype(np.int64)
    return Adjacency(pairs, counts / (2 * eps * n_samples), counts.astype(np.int64), eps)


@dataclass(frozen=True)
class SlicePlane:
    """A plane through the source cube, :math:`x(a, b) = c + a u + b v` with orthonormal ``u, v``.

    Build it with :meth:`through` (from any two independent directions). Slice coordinates ``(a, b)``
    range over ``[-extent, extent]``; points outside the cube ``[-1/2, 1/2]^d`` are not
    part of the source.

    Attributes
    ----------
    center, u, v : numpy.ndarray, shape (d,)
    extent : float
    """

    center: np.ndarray
    u: np.ndarray
    v: np.ndarray
    extent: float = 0.5

    @classmethod
    def through(cls, center, u, v, extent: float = 0.5) -> SlicePlane:
        """The plane through ``center`` spanned by ``u`` and ``v`` (orthonormalised by Gram-Schmidt)."""
        c = np.asarray(center, dtype=np.float64)
        u = np.asarray(u, dtype=np.float64)
        v = np.asarray(v, dtype=np.float64)
        if c.ndim != 1 or u.shape != c.shape or v.shape != c.shape:
            raise ValueError("center, u and v must be vectors of the same dimension d.")
        if not extent > 0:
            raise ValueError(f"extent must be positive, got {extent}.")
        nu = np.linalg.norm(u)
        if nu == 0:
            raise ValueError("Direction u is zero; choose two different directions.")
        u = u / nu
        v = v - (v @ u) * u
        nv = np.linalg.norm(v)
        if nv < 1e-12:
            raise ValueError("Directions u and v are parallel; choose two independent directions.")
        return cls(c, u, v / nv, float(extent))

    def to_source(self, a, b) -> np.ndarray:
        """Source points of slice coordinates ``a, b`` (arrays of one shape (M,)), shape (M, d)."""
        a = np.atleast_1d(np.asarray(a, dtype=np.float64))
        b = np.atleast_1d(np.asarray(b, dtype=np.float64))
        return self.center + a[:, None] * self.u + b[:, None] * self.v

    def coordinates(self, X) -> np.ndarray:
        """Slice coordinates of the orthogonal projections of points ``X`` (M, d) onto the plane, (M, 2)."""
        D = np.atleast_2d(np.asarray(X, dtype=np.float64)) - self.center
        return np.column_stack([D @ self.u, D @ self.v])

    def clip_segment(self, p, q) -> np.ndarray:
        """The part of the segment ``p -> q`` (slice coordinates, shape (2,) each) inside the picture's
        square :math:`[-e, e]^2`, as its two ends, shape (2, 2) (Liang-Barsky clipping).

        Raises ``ValueError`` when the segment misses the square.
        """
        p = np.asarray(p, dtype=np.float64).reshape(2)
        q = np.asarray(q, dtype=np.float64).reshape(2)
        d = q - p
        t0, t1 = 0.0, 1.0
        for k in range(2):
            for num, den in ((p[k] + self.extent, -d[k]), (self.extent - p[k], d[k])):
                if den == 0:
                    if num < 0:
                        raise ValueError("The segment lies outside the picture; widen the picture or move the ends.")
                    continue
                t = num / den
                if den < 0:
                    t0 = max(t0, t)
                else:
                    t1 = min(t1, t)
        if t0 > t1:
            raise ValueError("The segment lies outside the picture; widen the picture or move the ends.")
        return np.stack([p + t0 * d, p + t1 * d])

    def grid(self, resolution: int = 200):
        """Points of the square grid (resolution**2, d), the mask of those in the cube, the axis (resolution,)."""
        ax = np.linspace(-self.extent, self.extent, int(resolution))
        A, B = np.meshgrid(ax, ax, indexing="xy")
        P = self.to_source(A.reshape(-1), B.reshape(-1))
        inside = (np.abs(P) <= 0.5).all(axis=1)
        return P, inside, ax

    def labels(self, Y, h, resolution: int = 200) -> np.ndarray:
        """Which cell owns each pixel (-1 outside the cube), shape (resolution, resolution); row r,
        column c is the point ``to_source(ax[c], ax[r])``."""
        P, inside, _ = self.grid(resolution)
        lab = np.full(len(P), -1, dtype=np.int64)
        if inside.any():
            lab[inside] = assign(P[inside], Y, h)
        return lab.reshape(int(resolution), int(resolution))


def slice_points(center, u, v, extent: float = 0.5, resolution: int = 200):
    """Points of a square grid on the plane ``center + a u + b v``, a, b in [-extent, extent].

    ``u`` and ``v`` are orthonormalised (Gram-Schmidt). Returns the points (resolution**2, d), a mask
    of those inside the source cube, and the 1-D coordinate axis (resolution,).
    """
    return SlicePlane.through(center, u, v, extent).grid(resolution)


def slice_labels(Y, h, center, u, v, extent: float = 0.5, resolution: int = 200) -> np.ndarray:
    """Label raster of a 2-D slice: which cell owns each pixel (-1 outside the cube).

    Returns
    -------
    numpy.ndarray of int64, shape (resolution, resolution)
        Row r, column c is the point ``center + ax[c] u + ax[r] v`` (see :func:`slice_points`).
    """
    return SlicePlane.through(center, u, v, extent).labels(Y, h, resolution)
