r"""Generating new latent codes with the OT map and its piecewise-linear extension.

Notation of AE-OT: the source point :math:`x` lies in the power cell :math:`W_{i_1}` of target
:math:`y_{i_1}`; its scores :math:`s_j(x) = \langle x, y_j\rangle + h_j` rank the cells around it,
:math:`s_{i_1} \ge s_{i_2} \ge \dots \ge s_{i_k}`.

* **Plain OT map**: :math:`T(x) = \nabla u_h(x) = y_{i_1}`. It reproduces training codes exactly and
  every code equally often (each cell has mass :math:`1/N`).
* **Extended map** (the rule used here, in the spirit of AE-OT's piecewise-linear extension): the
  distance from :math:`x` to the facet between :math:`W_{i_1}` and :math:`W_{i_m}` is
  :math:`t_m = (s_{i_1}(x) - s_{i_m}(x)) / |y_{i_1} - y_{i_m}|`. With a bandwidth :math:`\tau` and
  weights :math:`w_1 = 1`, :math:`w_m = \max(0, 1 - t_m / \tau)` for the cells :math:`i_m` that share a
  **non-singular** facet with :math:`i_1` (:mod:`aeot_viz.analysis.singularity`), and :math:`w_m = 0` for all
  others,

  .. math:: \tilde T(x) = \frac{\sum_m w_m\, y_{i_m}}{\sum_m w_m} .

  Deep inside a cell (all :math:`t_m \ge \tau`) it equals the plain map; on a regular facet
  (:math:`t_m = 0`) both sides give the midpoint of the two codes, so the map is continuous across
  regular facets and interpolates between neighbouring codes of one mode. Singular facets get no
  weight, so a generated code is a convex combination of codes joined by regular facets and never a
  blend across a gap between modes. With ``groups`` (e.g. the codes' labels) a neighbour of another group gets no
  weight either: the map then blends only within one label ("blend only within this label"). Default
  :math:`\tau`: a quarter of the typical cell width, :math:`\tfrac14 N^{-1/d}` (:func:`default_bandwidth`);
  default :math:`k = d + 1` cells (a vertex of a generic power diagram is shared by :math:`d + 1` cells).

Region-restricted generation samples :math:`x` only from chosen cells (rejection from the source), a
box or a ball of the source cube.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..geometry.power_diagram import assign, top_k
from ..geometry.sources import sample_source
from .singularity import SingularSet, model_singular_set

__all__ = ["plain_map", "extended_map", "sample_region", "generate", "Generated", "default_bandwidth",
           "BANDWIDTH_FACTOR"]

#: the default bandwidth in units of the typical cell width :math:`N^{-1/d}`. It was 1/2 until issue 19: on MNIST-10k
#: in a 32-D latent space that blended 4.7 codes per sample on average and cut recall to 0.78 (plain map 0.87); at
#: 1/4 a sample blends 3.0 codes and recall is 0.84, precision unchanged (docs/BENCHMARKS.md)
BANDWIDTH_FACTOR = 0.25


def default_bandwidth(n_targets: int, dim: int) -> float:
    r"""The extended map's default :math:`\tau = c\, N^{-1/d}` with :math:`c` = :data:`BANDWIDTH_FACTOR`."""
    return BANDWIDTH_FACTOR * float(n_targets) ** (-1.0 / int(dim))


def plain_map(X, Y, h) -> tuple[np.ndarray, np.ndarray]:
    """The OT map :math:`x \\mapsto y_{i_1(x)}`: (targets (M, d), cell indices (M,))."""
    idx = assign(X, Y, h)
    return np.asarray(Y, dtype=np.float32)[idx], idx


def extended_map(X, Y, h, singular: SingularSet, *, k: Optional[int] = None,
                 bandwidth: Optional[float] = None, groups=None, return_weights: bool = False):
    """The extended OT map (module docstring).

    Parameters
    ----------
    X : array-like, shape (M, d)
        Source points.
    Y : array-like, shape (N, d)
        Targets in the source domain.
    h : array-like, shape (N,)
    singular : SingularSet
        Which adjacent pairs are regular (may be blended).
    k : int, optional
        Cells considered around each point (default d + 1).
    bandwidth : float, optional
        :math:`\\tau` (default :func:`default_bandwidth`, a quarter of the typical cell width).

    Returns
    -------
    codes : numpy.ndarray, float32, shape (M, d)
    cells : numpy.ndarray of int64, shape (M,)
        The cell :math:`i_1` of each point.
    neighbours, weights : numpy.ndarray, shape (M, k)
        Only with ``return_weights``: the cells :math:`i_m` and their weights :math:`w_m`.
    """
    Y = np.asarray(Y, dtype=np.float64)
    N, d = Y.shape
    k = min(d + 1 if k is None else int(k), N)
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}.")
    tau = default_bandwidth(N, d) if bandwidth is None else float(bandwidth)
    if not tau > 0:
        raise ValueError(f"bandwidth must be positive, got {bandwidth}.")
    if groups is not None:
        groups = np.asarray(groups).reshape(-1)
        if groups.shape != (N,):
            raise ValueError(f"groups must give one group per target, shape ({N},), got {groups.shape}.")
    idx, val = top_k(X, Y, h, k=k)
    i1 = idx[:, 0]
    w = np.zeros(idx.shape)
    w[:, 0] = 1.0
    for m in range(1, k):
        j = idx[:, m]
        t = (val[:, 0] - val[:, m]) / np.maximum(np.linalg.norm(Y[i1] - Y[j], axis=1), 1e-12)
        w[:, m] = np.clip(1.0 - t / tau, 0.0, 1.0) * singular.pair_is(i1, j, "regular")
        if groups is not None:
            w[:, m] *= groups[j] == groups[i1]
    codes = (w[:, :, None] * Y[idx]).sum(axis=1) / w.sum(axis=1, keepdims=True)
    if return_weights:
        return codes.astype(np.float32), i1, idx, w
    return codes.astype(np.float32), i1


#: draws after which :func:`sample_region` judges from its acceptance rate whether the region can be filled
EARLY_STOP_DRAWS = 2**20


def sample_region(n: int, dim: int, *, Y=None, h=None, cells=None, box=None, ball=None,
                  source: str = "uniform", random_state: int = 0, max_draws: int = 2**24) -> np.ndarray:
    """Draw ``n`` source points, restricted to chosen cells, a box or a ball (any combination).

    Parameters
    ----------
    cells : array-like of int, optional
        Allowed cells (needs ``Y`` and ``h``).
    box : (lo, hi), optional
        Corners of an axis-aligned box in source coordinates, each shape (dim,).
    ball : (center, radius), optional
    max_draws : int
        Give up (``ValueError``) when this many candidates gave fewer than ``n`` points: the region
        is too small. The sampler gives up sooner when the acceptance rate seen so far (after at least
        ``min(max_draws, 2^20)`` draws, or none accepted in them) says that ``n`` points would need
        more than ``max_draws`` draws, so an unfillable region fails in seconds, not minutes.

    Returns
    -------
    numpy.ndarray, float32, shape (n, dim)
    """
    if n < 1:
        raise ValueError(f"n must be positive, got {n}.")
    lo, hi = -0.5 * np.ones(dim), 0.5 * np.ones(dim)
    if box is not None:
        blo, bhi = (np.asarray(b, dtype=np.float64).reshape(-1) for b in box)
        if blo.shape != (dim,) or bhi.shape != (dim,) or (blo > bhi).any():
            raise ValueError(f"box must be (lo, hi) with lo <= hi, each of length {dim}.")
        lo, hi = np.maximum(lo, blo), np.minimum(hi, bhi)
        if (lo > hi).any():
            raise ValueError("The box does not meet the source cube [-1/2, 1/2]^d.")
    if ball is not None:
        centre, radius = np.asarray(ball[0], dtype=np.float64), float(ball[1])
        if centre.shape != (dim,) or not radius > 0:
            raise ValueError(f"ball must be (centre of length {dim}, positive radius).")
        lo, hi = np.maximum(lo, centre - radius), np.minimum(hi, centre + radius)
        if (lo > hi).any():
            raise ValueError("The ball does not meet the source cube.")
    allowed = None
    if cells is not None:
        if Y is None or h is None:
            raise ValueError("Restricting to cells needs the targets Y and heights h.")
        allowed = np.zeros(len(Y), dtype=bool)
        c = np.asarray(cells, dtype=np.int64).reshape(-1)
        if len(c) == 0 or c.min() < 0 or c.max() >= len(Y):
            raise ValueError(f"cells must be a non-empty list of ids in [0, {len(Y)}).")
        allowed[c] = True
    out, drawn, k = [], 0, 0
    got = 0
    while got < n:
        if drawn >= max_draws:
            raise ValueError(f"Only {got} of {n} points found in the region after {drawn} draws; "
                             "choose a larger region (more cells, a bigger box or ball).")
        m = int(min(max(4 * (n - got), 4096), 2**18))
        if source == "uniform":
            u = sample_source(m, dim, "uniform", seed=random_state * 7_777 + k).numpy().astype(np.float64) + 0.5
            X = lo + (hi - lo) * u
        else:
            X = sample_source(m, dim, "gaussian", seed=random_state * 7_777 + k).numpy().astype(np.float64)
            X = X[((X >= lo) & (X <= hi)).all(axis=1)] if (box is not None or ball is not None) else X
        drawn += m
        k += 1
        keep = np.ones(len(X), dtype=bool)
        if ball is not None:
            keep &= np.linalg.norm(X - centre, axis=1) <= radius
        if allowed is not None and keep.any():
            keep[keep] = allowed[assign(X[keep], Y, h)]
        out.append(X[keep])
        got += int(keep.sum())
        if got < n and drawn >= min(max_draws, EARLY_STOP_DRAWS):
            need = n * drawn / got if got else float("inf")
            if need > max_draws:
                share = f"{got / drawn:.2e}" if got else f"below {1 / drawn:.0e}"
                raise ValueError(f"The region holds a share {share} of the source: {n} points would need about "
                                 f"{need:.2g} draws, over the limit of {max_draws:.2g} ({got} found in {drawn}). "
                                 "Choose a larger region (more cells, a bigger box or ball) or fewer points.")
    return np.concatenate(out)[:n].astype(np.float32)


@dataclass
class Generated:
    """Codes generated from a model.

    Attributes
    ----------
    codes : numpy.ndarray, float32, shape (n, d)
        Latent codes (the autoencoder's space; decode with ``model.decode``).
    targets : numpy.ndarray, shape (n, d)
        The same codes in the OT source domain.
    source_points : numpy.ndarray, shape (n, d)
    cells : numpy.ndarray of int64, shape (n,)
        Cell of each source point.
    rule : str
    neighbours, weights : numpy.ndarray, shape (n, k), optional
        Each code is ``sum_m weights[:, m] * code[neighbours[:, m]] / sum_m weights[:, m]`` (an affine
        combination of training codes; k = 1 for the plain map). Place new codes on a 2-D picture of the
        training codes with :func:`aeot_viz.analysis.projections.place_combinations`.
    near_singular : numpy.ndarray of bool, shape (n,), optional
        Extended map only: the source point lay within the bandwidth of a singular facet of its cell, so the
        extension refused to blend across it there.
    """

    codes: np.ndarray
    targets: np.ndarray
    source_points: np.ndarray
    cells: np.ndarray
    rule: str
    neighbours: Optional[np.ndarray] = None
    weights: Optional[np.ndarray] = None
    near_singular: Optional[np.ndarray] = None

    def save_npz(self, file) -> None:
        """Write ``codes``, ``source_points`` and ``cells`` to an ``.npz`` (a path or a binary file object)."""
        np.savez_compressed(file, codes=self.codes, source_points=self.source_points, cells=self.cells)


def generate(model, n: int, *, rule: str = "extended", cells=None, label: Optional[int] = None,
             box=None, ball=None, singular: Optional[SingularSet] = None, k: Optional[int] = None,
             bandwidth: Optional[float] = None, within_label: bool = False, random_state: int = 0) -> Generated:
    """Generate ``n`` new latent codes from an :class:`~aeot_viz.pipeline.model.AEOTModel`.

    Parameters
    ----------
    rule : {"extended", "plain"}
    cells, box, ball :
        Region of the source to sample from (see :func:`sample_region`).
    label : int, optional
        Sample only from the cells of training codes with this label. The extended map may still blend such a cell's
        code with a neighbouring code of another label across a regular facet (a label is not a mode: in the latent
        space digits touch), unless ``within_label``.
    within_label : bool
        Extended map only: blend only codes of one label (neighbours with another label get no weight), so every
        generated code is a combination of training codes of a single label.
    singular : SingularSet, optional
        Precomputed singular set of the model (computed when needed and not given).
    """
    if rule not in ("extended", "plain"):
        raise ValueError(f"rule must be 'extended' or 'plain', got {rule!r}.")
    if within_label and model.labels is None:
        raise ValueError("This model has no labels to blend within; untick 'blend only within this label'.")
    Y, h = model.targets, model.h
    if label is not None:
        if model.labels is None:
            raise ValueError("This model has no labels; choose cells or a region instead.")
        sel = np.flatnonzero(model.labels == label)
        if len(sel) == 0:
            raise ValueError(f"No training code has label {label}; labels are {sorted(set(model.labels.tolist()))}.")
        cells = sel if cells is None else np.intersect1d(np.asarray(cells), sel)
    source = model.config.ot.source
    X = sample_region(n, Y.shape[1], Y=Y, h=h, cells=cells, box=box, ball=ball, source=source,
                      random_state=random_state)
    if rule == "plain":
        T, idx = plain_map(X, Y, h)
        # exactly the training codes
        return Generated(model.codes[idx].copy(), T, X, idx, rule, idx[:, None], np.ones((len(idx), 1)))
    if singular is None:
        singular = model_singular_set(model, random_state=random_state)
    T, idx, nb, w = extended_map(X, Y, h, singular, k=k, bandwidth=bandwidth, return_weights=True,
                                 groups=model.labels if within_label else None)
    N, d = Y.shape
    tau = default_bandwidth(N, d) if bandwidth is None else float(bandwidth)
    near = singular.near_singular(X, Y, h, eps=tau, cells=nb)
    return Generated(model.normalizer.inverse_transform(T), T, X, idx, rule, nb, w, near)
