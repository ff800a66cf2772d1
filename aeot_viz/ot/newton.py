r"""Exact semi-discrete OT in two dimensions: a damped Newton method on the exact power cells.

Problem
-------
The same as :mod:`aeot_viz.ot.solver`'s, with the source uniform on the square :math:`[-\tfrac12, \tfrac12]^2`:
find heights :math:`h` whose power cells :math:`W_i(h)` carry the target weights,
:math:`G_i(h) = |W_i(h)| = \nu_i`. In 2-D the cells are polygons computed exactly
(:func:`aeot_viz.geometry.power_diagram.cell_masses_2d`), so :math:`G` and its Jacobian are exact too.

Jacobian
--------
Raising :math:`h_j` moves the facet :math:`W_i \cap W_j` (on the line
:math:`\langle x, y_i - y_j\rangle = h_j - h_i`) into cell :math:`i` by :math:`\mathrm{d}h_j / |y_i - y_j|`, so

.. math:: \frac{\partial G_i}{\partial h_j} = -\frac{\ell_{ij}}{|y_i - y_j|} \;(j \ne i), \qquad
   \frac{\partial G_i}{\partial h_i} = \sum_{j \ne i} \frac{\ell_{ij}}{|y_i - y_j|},

with :math:`\ell_{ij}` the facet's length inside the square: :math:`DG` is the graph Laplacian of the facet
graph with weights :math:`\ell_{ij} / |y_i - y_j|`, the Hessian of the convex energy :math:`E(h)`. It is
singular only along constants (the heights are defined up to one), so the Newton system
:math:`DG(h)\, d = \nu - G(h)` is solved with :math:`d_0 = 0` (a sparse, symmetric positive definite solve).

Damping (Kitagawa, Mérigot, Thibert 2019)
-----------------------------------------
Let :math:`\varepsilon_0 = \tfrac12 \min(\min_i G_i(h^0), \min_i \nu_i)`. Each step takes the largest
:math:`\tau \in \{1, \tfrac12, \tfrac14, \dots\}` with :math:`\min_i G_i(h + \tau d) \ge \varepsilon_0` (every
cell keeps a positive mass) and :math:`\|G(h + \tau d) - \nu\| \le (1 - \tau/2)\,\|G(h) - \nu\|`. The iteration
converges globally, and quadratically near the solution: a few steps reach the precision of float64.

Start
-----
The heights :math:`h_i = -|z_i|^2 / (2a)` with :math:`z_i = a\,y_i + c` make the power cells the Voronoi cells
of the points :math:`z_i` (the term :math:`\langle x, c\rangle` is the same for every cell). With
:math:`a, c` mapping the targets' bounding box into :math:`[-0.45, 0.45]^2`, every :math:`z_i` lies inside the
square, so every cell starts with a positive area, even for targets outside the square; targets already
inside start from their own Voronoi cells (:math:`a = 1, c = 0`).

References
----------
.. [1] J. Kitagawa, Q. Mérigot, B. Thibert. "Convergence of a Newton algorithm for semi-discrete optimal
   transport." J. Eur. Math. Soc. 21 (2019).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from ..geometry.power_diagram import cell_masses_2d
from ..utils.progress import Callback, emit

__all__ = ["NewtonRun", "newton_ot_2d", "voronoi_start", "exact_l1", "NEWTON_TOL", "NEWTON_MAX_ITER", "default_tol"]

#: exact L1 mass error at which the Newton solve stops, plus ``NEWTON_TOL_PER_CELL`` per target: the float64
#: areas of N cells add up to an L1 of about 1e-16 N to 1e-16 N^1.5 (measured: 4e-14 for 500 cells, 1.5e-12 for 10^4)
NEWTON_TOL = 1e-12
NEWTON_TOL_PER_CELL = 1e-15
#: Newton steps at most (a solve needs a handful; the cap only stops a pathological one)
NEWTON_MAX_ITER = 60
#: halvings of the step before a step counts as stalled; once the error is below ``PRECISION_ZONE`` a full step
#: that fails to decrease it has met float64 rounding, and ``PRECISION_HALVINGS`` halvings are enough to say so
MAX_HALVINGS = 40
PRECISION_ZONE = 1e-9
PRECISION_HALVINGS = 3


@dataclass
class NewtonRun:
    """The outcome of :func:`newton_ot_2d`.

    Attributes
    ----------
    h : numpy.ndarray, shape (N,)
        Heights, mean zero.
    l1 : float
        Exact L1 mass error :math:`\\sum_i |G_i(h) - \\nu_i|` of ``h``.
    min_mass : float
        The smallest cell area.
    converged : bool
        Whether ``l1 <= tol`` with every cell non-empty.
    log : dict of lists
        One entry per iterate (the start is iteration 0): ``iteration``, ``l1``, ``empty_share``, ``step``
        (the damping :math:`\\tau` that led to it, 0 for the start), ``time``.
    snapshots : list of numpy.ndarray
        The heights of every iterate.
    stalled : bool
        Whether the last step found no :math:`\\tau` that decreased the error (float64 precision reached).
    """

    h: np.ndarray
    l1: float
    min_mass: float
    converged: bool
    log: dict = field(default_factory=dict)
    snapshots: list = field(default_factory=list)
    stalled: bool = False


def _check(Y, w) -> tuple[np.ndarray, np.ndarray]:
    Y = np.asarray(Y, dtype=np.float64)
    if Y.ndim != 2 or Y.shape[1] != 2:
        raise ValueError(f"The exact 2-D solver needs targets of shape (N, 2), got {Y.shape}; use "
                         "method='stochastic' for other dimensions.")
    if not np.isfinite(Y).all():
        raise ValueError("The targets hold NaN or infinite values; drop or fix those rows first.")
    N = len(Y)
    distinct = len(np.unique(Y, axis=0)) if N else 0
    if distinct < 3:
        raise ValueError(f"Exact OT needs at least 3 distinct targets, got {distinct} (of {N}): with one or two "
                         "there is nothing to solve for (all mass goes to one point, or a straight cut). Use more "
                         "distinct points.")
    if distinct < N:
        raise ValueError("The exact 2-D solver needs distinct targets; SemiDiscreteOT.fit merges identical ones "
                         "first.")
    w = np.full(N, 1.0 / N) if w is None else np.asarray(w, dtype=np.float64).reshape(-1)
    if w.shape != (N,) or not np.isfinite(w).all() or (w <= 0).any():
        raise ValueError(f"Target weights must be {N} positive finite numbers.")
    return Y, w / w.sum()


def voronoi_start(Y) -> np.ndarray:
    """Heights whose power cells are the Voronoi cells of the targets mapped into the square (module docstring).

    Parameters
    ----------
    Y : array-like, shape (N, 2)

    Returns
    -------
    numpy.ndarray, shape (N,)
    """
    Y = np.asarray(Y, dtype=np.float64)
    if np.abs(Y).max() < 0.5:
        return -0.5 * (Y * Y).sum(axis=1)
    lo, hi = Y.min(axis=0), Y.max(axis=0)
    a = 0.9 / max(float((hi - lo).max()), 1e-300)
    Z = a * (Y - (lo + hi) / 2)
    return -(Z * Z).sum(axis=1) / (2 * a)


def _newton_direction(Y, err, edges, lengths) -> np.ndarray:
    """Solve :math:`DG\\, d = -\\mathrm{err}` with :math:`d_0 = 0` (sparse LU of the grounded Laplacian)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.linalg import spsolve

    N = len(Y)
    i, j = edges[:, 0], edges[:, 1]
    c = lengths / np.linalg.norm(Y[i] - Y[j], axis=1)
    rows = np.concatenate([i, j, i, j])
    cols = np.concatenate([j, i, i, j])
    vals = np.concatenate([-c, -c, c, c])
    L = coo_matrix((vals, (rows, cols)), shape=(N, N)).tocsc()
    diag = np.asarray(L.diagonal())
    if (diag[1:] <= 0).any():  # a cell with no facet: a tiny pull keeps the system solvable
        L = L + coo_matrix((np.where(diag <= 0, 1e-12 * max(float(diag.max()), 1e-300), 0.0),
                            (np.arange(N), np.arange(N))), shape=(N, N)).tocsc()
    d = np.zeros(N)
    d[1:] = spsolve(L[1:, 1:], -err[1:])
    return d


def default_tol(n_targets: int) -> float:
    """The exact-error tolerance of a Newton solve of ``n_targets`` cells: ``NEWTON_TOL + NEWTON_TOL_PER_CELL * N``."""
    return NEWTON_TOL + NEWTON_TOL_PER_CELL * int(n_targets)


def newton_ot_2d(Y, nu=None, *, h_init=None, tol: Optional[float] = None, max_iter: int = NEWTON_MAX_ITER,
                 callback: Optional[Callback] = None, stage: str = "ot") -> NewtonRun:
    r"""Solve 2-D semi-discrete OT from the uniform square exactly, by damped Newton (module docstring).

    Parameters
    ----------
    Y : array-like, shape (N, 2)
        Distinct targets, N >= 3 (anywhere in the plane).
    nu : array-like, shape (N,), optional
        Positive target weights, normalised to sum 1; uniform when omitted.
    h_init : array-like, shape (N,), optional
        Starting heights; used when every one of their cells has a positive area, else
        :func:`voronoi_start`.
    tol : float, optional
        Stop once the exact L1 mass error is at most this; default :func:`default_tol` (about 1e-12, float64's
        reach).
    max_iter : int
        Newton steps at most.
    callback : callable, optional
        Receives a progress event (stage ``stage``) for the start and after every step, with the exact
        ``l1``, ``empty_share``, the damping ``step`` and ``time``.

    Returns
    -------
    NewtonRun

    Raises
    ------
    ValueError
        For targets that are not (N, 2), hold NaN, have fewer than 3 distinct points or repeat a point, or
        weights that are not positive.
    """
    Y, w = _check(Y, nu)
    if not (isinstance(max_iter, (int, np.integer)) and max_iter >= 0):
        raise ValueError(f"max_iter must be a non-negative integer, got {max_iter!r}.")
    N = len(Y)
    tol = default_tol(N) if tol is None else float(tol)
    t0 = time.perf_counter()
    h = None
    if h_init is not None:
        h = np.asarray(h_init, dtype=np.float64).reshape(-1)
        if h.shape != (N,) or not np.isfinite(h).all():
            raise ValueError(f"h_init must be a finite array of shape ({N},).")
        G, edges, lengths = cell_masses_2d(Y, h)
        if G.min() <= 0:
            h = None  # a warm start with an empty cell: Newton needs every cell alive
    if h is None:
        h = voronoi_start(Y)
        G, edges, lengths = cell_masses_2d(Y, h)
    eps0 = 0.5 * min(float(G.min()), float(w.min()))
    log = {k: [] for k in ("iteration", "l1", "empty_share", "step", "time")}
    snaps: list[np.ndarray] = []
    stalled = False

    def record(it: int, G: np.ndarray, h: np.ndarray, step: float) -> float:
        l1 = float(np.abs(G - w).sum())
        empty = float((G <= 0).mean())
        for k, v in zip(log, (it, l1, empty, step, time.perf_counter() - t0)):
            log[k].append(v)
        snaps.append(h - h.mean())
        emit(callback, stage, it, max_iter, l1=l1, noise_floor=0.0, empty_share=empty, lr=step, time=log["time"][-1],
             solver="newton")
        return l1

    l1 = record(0, G, h, 0.0)
    it = 0
    while it < max_iter and l1 > tol:
        err = G - w
        d = _newton_direction(Y, err, edges, lengths)
        norm0 = float(np.linalg.norm(err))
        tau = 1.0
        for _ in range(MAX_HALVINGS if l1 > PRECISION_ZONE else PRECISION_HALVINGS):
            h_t = h + tau * d
            G_t, e_t, l_t = cell_masses_2d(Y, h_t)
            if G_t.min() >= eps0 and np.linalg.norm(G_t - w) <= (1 - tau / 2) * norm0:
                break
            tau *= 0.5
        else:
            stalled = True
            break
        it += 1
        h, G, edges, lengths = h_t, G_t, e_t, l_t
        l1 = record(it, G, h, tau)
    h = h - h.mean()
    return NewtonRun(h=h, l1=l1, min_mass=float(G.min()), converged=bool(l1 <= tol and G.min() > 0),
                     log=log, snapshots=snaps, stalled=stalled)


def exact_l1(Y, h, nu=None) -> tuple[float, float]:
    """The exact L1 mass error of heights ``h`` for 2-D targets ``Y`` and the share of empty cells.

    Parameters
    ----------
    Y : array-like, shape (N, 2)
    h : array-like, shape (N,)
    nu : array-like, shape (N,), optional

    Returns
    -------
    (float, float)
    """
    Y = np.asarray(Y, dtype=np.float64)
    N = len(Y)
    w = np.full(N, 1.0 / N) if nu is None else np.asarray(nu, dtype=np.float64) / np.sum(nu)
    G = cell_masses_2d(Y, h)[0]
    return float(np.abs(G - w).sum()), float((G <= 0).mean()) if N else math.nan
