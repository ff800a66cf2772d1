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

__all__ = ["assign", "top_k", "PowerCells2D", "exact_cells_2d", "cell_masses_2d", "Adjacency", "adjacency_from_samples",
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

#: a vertex with ``a . x - b`` at most this is inside a clipping half-plane (float64 cells of the unit square)
_INSIDE = 1e-15


def _pairs_to_table(pairs: np.ndarray, N: int) -> np.ndarray:
    """Symmetric neighbour table, shape (N, D), padded with -1, from unordered pairs (E, 2)."""
    if len(pairs) == 0:
        return np.full((N, 0), -1, dtype=np.int64)
    both = np.concatenate([pairs, pairs[:, ::-1]])
    both = np.unique(both[both[:, 0] != both[:, 1]], axis=0)  # sorted by row, then neighbour
    deg = np.bincount(both[:, 0], minlength=N)
    col = np.arange(len(both)) - np.repeat(np.cumsum(deg) - deg, deg)
    table = np.full((N, int(deg.max(initial=0))), -1, dtype=np.int64)
    table[both[:, 0], col] = both[:, 1]
    return table


def _line_neighbours(Y: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Neighbours of collinear targets: consecutive vertices of the 1-D lower hull of ``(t_i, -2 h_i)``,
    ``t_i`` the position along the line (the cells are strips across it)."""
    c = Y - Y.mean(axis=0)
    t = c @ np.linalg.svd(c, full_matrices=False)[2][0]
    lift = -2.0 * h + (Y * Y).sum(axis=1) - t * t  # the power weight left once the line's own term is taken out
    order = np.lexsort((lift, t))
    hull: list[int] = []
    for i in order:  # Andrew's monotone chain, lower part
        if hull and t[hull[-1]] == t[i]:
            continue  # same position, higher lift: never on the lower hull
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            if (t[b] - t[a]) * (lift[i] - lift[a]) - (lift[b] - lift[a]) * (t[i] - t[a]) <= 0:
                hull.pop()
            else:
                break
        hull.append(int(i))
    alive = np.zeros(len(Y), dtype=bool)
    alive[hull] = True
    return np.column_stack([hull[:-1], hull[1:]]).astype(np.int64).reshape(-1, 2), alive


def _hull_neighbours(Y: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Neighbours in the regular triangulation (lower hull of the lifted points ``(y_i, -2 h_i)``).

    Returns
    -------
    table : numpy.ndarray of int64, shape (N, D)
        Each target's neighbours, padded with -1.
    alive : numpy.ndarray of bool, shape (N,)
        False for a target whose lifted point is not a lower-hull vertex: its cell is empty.
    """
    from scipy.spatial import ConvexHull, QhullError

    N = len(Y)
    if N <= 3:
        i, j = np.triu_indices(N, 1)
        return _pairs_to_table(np.column_stack([i, j]), N), np.ones(N, dtype=bool)
    centred = Y - Y.mean(axis=0)
    sv = np.linalg.svd(centred, compute_uv=False)
    if sv[1] <= 1e-12 * max(sv[0], 1e-300):  # collinear targets: a 1-D problem
        pairs, alive = _line_neighbours(Y, h)
        return _pairs_to_table(pairs, N), alive
    lifted = np.column_stack([Y, -2.0 * h])
    try:
        hull = ConvexHull(lifted, qhull_options="Qt QbB")
    except QhullError:  # flat lifted points in another way: every pair (clipping drops the idle ones)
        i, j = np.triu_indices(N, 1)
        return _pairs_to_table(np.column_stack([i, j]), N), np.ones(N, dtype=bool)
    lower = hull.simplices[hull.equations[:, 2] < 0]  # lower facets: outward normal points down
    alive = np.zeros(N, dtype=bool)
    alive[lower.ravel()] = True
    pairs = np.concatenate([lower[:, [0, 1]], lower[:, [1, 2]], lower[:, [0, 2]]])
    return _pairs_to_table(pairs, N), alive


def _clip_all(Y: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Clip the square by every cell's neighbour half-planes at once (Sutherland-Hodgman, vectorised).

    Cell :math:`i` is the square cut by :math:`\langle x, y_j - y_i\rangle \le h_i - h_j` for its
    neighbours :math:`j`; all cells take their :math:`k`-th neighbour's cut together. Each vertex carries the
    label of the polygon edge that starts at it: the neighbour whose facet the edge lies on, or -1 for the
    square's border, so facet lengths are read off the polygons.

    Returns
    -------
    P : numpy.ndarray, shape (N, V, 2)
        Counter-clockwise vertices, padded.
    n : numpy.ndarray of int64, shape (N,)
        Vertices of each cell (0 for an empty cell).
    label : numpy.ndarray of int64, shape (N, V)
        Edge labels, padded with -2.
    """
    N = len(Y)
    table, alive = _hull_neighbours(Y, h)
    P = np.broadcast_to(_SQUARE, (N, 4, 2)).copy()
    n = np.where(alive, 4, 0).astype(np.int64)
    label = np.full((N, 4), -1, dtype=np.int64)
    for k in range(table.shape[1]):
        j = table[:, k]
        act = np.nonzero((j >= 0) & (n > 0))[0]
        if len(act) == 0:
            continue
        jj, V = j[act], P.shape[1]
        a = Y[jj] - Y[act]
        b = h[act] - h[jj]
        Pa, na, La = P[act], n[act], label[act]
        pos = np.arange(V)
        valid = pos[None, :] < na[:, None]
        s = np.einsum("nvk,nk->nv", Pa, a) - b[:, None]
        inside = (s <= _INSIDE) | ~valid
        cut = ~(inside.all(axis=1))
        if not cut.any():
            continue
        act, Pa, na, La, s, valid, jj = act[cut], Pa[cut], na[cut], La[cut], s[cut], valid[cut], jj[cut]
        inside = s <= _INSIDE
        r = np.arange(len(act))[:, None]
        nxt = np.where(pos[None, :] + 1 < na[:, None], pos[None, :] + 1, 0)
        sq, q, in_q = s[r, nxt], Pa[r, nxt], inside[r, nxt]
        keep = inside & valid
        cross = (inside != in_q) & valid
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(cross, s / (s - sq), 0.0)
        X = Pa + t[..., None] * (q - Pa)
        # slot 2v: vertex v if inside; slot 2v + 1: where edge v crosses the cut
        outP = np.stack([Pa, X], axis=2).reshape(len(act), 2 * V, 2)
        outL = np.stack([La, np.where(inside, jj[:, None], La)], axis=2).reshape(len(act), 2 * V)
        mask = np.stack([keep, cross], axis=2).reshape(len(act), 2 * V)
        order = np.argsort(~mask, axis=1, kind="stable")
        m = mask.sum(axis=1)
        W = max(int(m.max(initial=0)), V)
        outP = np.take_along_axis(outP, order[..., None], axis=1)[:, :W]
        outL = np.where(np.arange(W)[None, :] < m[:, None], np.take_along_axis(outL, order, axis=1)[:, :W], -2)
        if W > V:
            P = np.concatenate([P, np.zeros((N, W - V, 2))], axis=1)
            label = np.concatenate([label, np.full((N, W - V), -2, dtype=np.int64)], axis=1)
        P[act], label[act], n[act] = outP, outL, np.where(m >= 3, m, 0)
    return P, n, label


def _shoelace(P: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Areas (N,), centroids (N, 2) (NaN when empty) and the index of each vertex's successor (N, V)."""
    N, V = P.shape[:2]
    pos = np.arange(V)[None, :]
    valid = pos < n[:, None]
    nxt = np.where(pos + 1 < n[:, None], pos + 1, 0)
    Q = np.take_along_axis(P, nxt[..., None], axis=1)
    cross = np.where(valid, P[..., 0] * Q[..., 1] - Q[..., 0] * P[..., 1], 0.0)
    a = cross.sum(axis=1) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        cx = ((P[..., 0] + Q[..., 0]) * cross).sum(axis=1) / (6 * a)
        cy = ((P[..., 1] + Q[..., 1]) * cross).sum(axis=1) / (6 * a)
    empty = np.abs(a) < 1e-18
    areas = np.where(empty, 0.0, np.abs(a))
    cents = np.where(empty[:, None], np.nan, np.column_stack([cx, cy]))
    return areas, cents, nxt


def _check_2d(Y, h) -> tuple[np.ndarray, np.ndarray]:
    Y = np.asarray(Y, dtype=np.float64)
    h = np.asarray(h, dtype=np.float64)
    if Y.ndim != 2 or Y.shape[1] != 2 or h.shape != (Y.shape[0],):
        raise ValueError(f"exact_cells_2d needs Y of shape (N, 2) and h of shape (N,), got {Y.shape}, {h.shape}.")
    if not (np.isfinite(Y).all() and np.isfinite(h).all()):
        raise ValueError("Y and h must be finite.")
    return Y, h


def _facets(P, n, label, nxt, areas) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shared edges (i < j, both cells non-empty) with their lengths and end points, read off cell i's polygon."""
    N = len(P)
    i, v = np.nonzero((label >= 0) & (np.arange(P.shape[1])[None, :] < n[:, None]))
    j = label[i, v]
    p, q = P[i, v], P[i, nxt[i, v]]
    length = np.linalg.norm(q - p, axis=1)
    ok = (i < j) & (length > 1e-12) & (areas[i] > 0) & (areas[j] > 0)
    i, j, p, q, length = i[ok], j[ok], p[ok], q[ok], length[ok]
    codes, first, inv = np.unique(i * N + j, return_index=True, return_inverse=True)
    total = np.zeros(len(codes))
    np.add.at(total, inv, length)
    if len(codes) < len(i):  # a facet split by a repeated vertex: keep its longest piece as the segment
        best = np.lexsort((-length, inv))
        first = best[np.r_[0, np.nonzero(np.diff(inv[best]))[0] + 1]]
    edges = np.column_stack([codes // N, codes % N]).astype(np.int64)
    segs = np.stack([p[first], q[first]], axis=1)
    return edges.reshape(-1, 2), total, segs.reshape(-1, 2, 2)


def cell_masses_2d(Y, h) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact areas of the power cells inside the square, and their shared facets: what a Newton step needs.

    Parameters
    ----------
    Y : array-like, shape (N, 2)
    h : array-like, shape (N,)

    Returns
    -------
    areas : numpy.ndarray, shape (N,)
    edges : numpy.ndarray of int64, shape (E, 2)
        Pairs (i, j), i < j, sharing a facet of positive length inside the square.
    lengths : numpy.ndarray, shape (E,)
    """
    Y, h = _check_2d(Y, h)
    P, n, label = _clip_all(Y, h)
    areas, _, nxt = _shoelace(P, n)
    edges, lengths, _ = _facets(P, n, label, nxt, areas)
    return areas, edges, lengths


def exact_cells_2d(Y, h) -> PowerCells2D:
    r"""Exact power cells of targets ``Y`` (N, 2) with heights ``h`` (N,), clipped to the square.

    Each cell is the square clipped by the half-planes
    :math:`\langle x, y_j - y_i\rangle \le h_i - h_j` of its neighbours in the regular triangulation
    (no other constraint can be active), computed in float64, all cells at once (``_clip_all``).

    Raises
    ------
    ValueError
        If ``Y`` is not (N, 2) or ``h`` not (N,), or they hold NaN / Inf.
    """
    Y, h = _check_2d(Y, h)
    P, n, label = _clip_all(Y, h)
    areas, cents, nxt = _shoelace(P, n)
    edges, lengths, segs = _facets(P, n, label, nxt, areas)
    polys = [P[i, :n[i]].copy() if areas[i] > 0 else _SQUARE[:0].copy() for i in range(len(Y))]
    return PowerCells2D(polys, areas, cents, edges, lengths, segs)


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
