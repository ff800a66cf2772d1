r"""The convex null: what facet jumps a gap-free support of the same shape produces.

Every facet of a semi-discrete power diagram is a jump of the OT map :math:`\nabla u_h`, from
:math:`y_i` to :math:`y_j`. Inside a gap-free support these jumps shrink with the spacing of the codes
(as :math:`N \to \infty` the map becomes continuous: Caffarelli's regularity for a convex target with a
density bounded above and below); across a gap in a non-convex support they stay as wide as the gap
(Figalli). Whether a jump is "large" therefore only means something against what a convex support of
the same shape, size and number of codes produces under the same solver. That reference is the
**convex null**.

Null support
------------
The uniform distribution on the ellipsoid with the codes' mean :math:`m` and covariance :math:`C`:

.. math:: z = m + C^{1/2} \sqrt{d + 2}\; U^{1/d}\, \frac{g}{|g|}, \qquad U \sim \mathcal U(0, 1),\;
   g \sim \mathcal N(0, I_d),

a convex body with a density bounded above and below, the regular case of the theory. The same number
of codes is drawn, the same solver finds their heights, and the same adjacency estimate finds their
facets.

The midpoint test (the default rule, issue 32)
---------------------------------------------
Convexity means that the segment between two points of the support stays in the support. Each facet
:math:`(i, j)` is therefore asked whether there is **empty space between its two codes**: the midpoint emptiness

.. math:: \mu_{ij} = \frac{\min_{l \ne i, j} |m_{ij} - y_l|}{(r_i + r_j) / 2}, \qquad m_{ij} = \tfrac12 (y_i + y_j),

with :math:`r` the distance to the :math:`\mathrm{round}(k/2)`-th nearest other code
(:func:`aeot_viz.geometry.facets.midpoint_emptiness`). Inside a convex support the midpoint lies among other codes
and :math:`\mu` is of order one whatever the dimension; across a gap it sits in empty space. A facet is **singular**
when :math:`\mu_{ij} > \max_{\text{null}} \mu`, and its calibrated score is :math:`F_\mu(\mu_{ij})`, the share of
null facets with a smaller value (singular facets score 1).

Why not the size of the jump: in 32-D with 10,000 codes, codes are spaced about as widely as the gaps between
digits, so a jump across a gap is no longer than an ordinary one (the jump rule below flags 86 of 136,467 facets of
the shipped MNIST model; the midpoint test flags about 17%, 98% of them between different digits; figures in
``docs/SINGULAR.md``).

The jump rule (issue 13, kept for comparison)
---------------------------------------------
Two statistics per facet:

* the **angle** :math:`\theta_{ij}` between the supporting planes
  (:func:`aeot_viz.analysis.singularity.facet_angles`), which grows with :math:`|y_i - y_j|`: the absolute size of
  the jump;
* the **relative jump** :math:`\rho_{ij} = |y_i - y_j| / \max(r_i, r_j)`, with :math:`r_i` the distance
  from :math:`y_i` to its :math:`k`-th nearest other code and :math:`k` the mean number of facets of a
  cell (the diagram's own degree, :math:`2E/N`): the jump in units of the local spacing on *both*
  sides.

Either alone fails in a way the other does not (absolute angles are fooled by sparse tails, relative jumps by codes
on lower-dimensional sheets), so the jump rule flags a facet beyond every null facet on both scales:

.. math:: \theta_{ij} > \max_{\text{null}} \theta \quad\text{and}\quad
   \rho_{ij} > \max_{\text{null}} \rho ,

with the score :math:`\min(F_\theta(\theta_{ij}), F_\rho(\rho_{ij}))`.

The non-convexity test
----------------------
If the data's support were convex (its facets exchangeable with the null's), each data facet would
exceed the null's maximum with probability :math:`1/(E_0 + 1)`, and :math:`K` or more of the :math:`E`
data facets would do so with probability

.. math:: p(K) = \prod_{t=0}^{K-1} \frac{E - t}{E + E_0 - t} \approx \Big(\frac{E}{E + E_0}\Big)^K ,

(the chance that the :math:`K` largest of the pooled facets all come from the data; for the jump rule, requiring
both statistics only makes a false positive rarer, so this bound is conservative). The support is called
non-convex when :math:`p < 10^{-3}`: with :math:`E \approx E_0`, ten or more singular facets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np

__all__ = ["ConvexNull", "ellipsoid_codes", "exceedance_p_value", "SIGNIFICANCE"]

SIGNIFICANCE = 1e-3
"""Level below which :func:`exceedance_p_value` counts as evidence of non-convexity."""


def ellipsoid_codes(Y, n: Optional[int] = None, random_state: int = 0) -> np.ndarray:
    """``n`` codes uniform on the ellipsoid with the mean and covariance of ``Y`` (module docstring).

    Parameters
    ----------
    Y : array-like, shape (N, d)
    n : int, optional
        How many (default N).

    Returns
    -------
    numpy.ndarray, float64, shape (n, d)
    """
    Y = np.asarray(Y, dtype=np.float64)
    N, d = Y.shape
    n = N if n is None else int(n)
    rng = np.random.default_rng(random_state)
    lam, V = np.linalg.eigh(np.cov(Y.T).reshape(d, d))
    root = V * np.sqrt(np.clip(lam, 0.0, None))  # C^{1/2} up to a rotation: same distribution
    g = rng.standard_normal((n, d))
    g /= np.maximum(np.linalg.norm(g, axis=1, keepdims=True), 1e-300)
    radius = np.sqrt(d + 2.0) * rng.random(n) ** (1.0 / d)
    return Y.mean(axis=0) + (g * radius[:, None]) @ root.T


def exceedance_p_value(k: int, n_data: int, n_null: int) -> float:
    r""":math:`p(K) = \prod_{t<K} (E - t) / (E + E_0 - t)`: the chance that the ``k`` largest of the
    pooled facets all come from the data if data and null facets were exchangeable."""
    k, n_data, n_null = int(k), int(n_data), int(n_null)
    if k <= 0:
        return 1.0
    if k > n_data:
        return 0.0
    t = np.arange(k)
    return float(np.exp(np.sum(np.log(n_data - t) - np.log(n_data + n_null - t))))


def _share_below(sorted_null: np.ndarray, values: np.ndarray) -> np.ndarray:
    if len(sorted_null) == 0:
        return np.ones(np.shape(values))
    return np.searchsorted(sorted_null, np.asarray(values, dtype=np.float64), side="left") / len(sorted_null)


@dataclass(frozen=True)
class ConvexNull:
    """Facet statistics of the convex null of one set of codes (module docstring).

    Attributes
    ----------
    angles : numpy.ndarray, shape (E0,)
        The null's facet angles, sorted ascending.
    relative_jumps : numpy.ndarray, shape (E0,)
        The null's relative jumps, sorted ascending.
    k : int
        Neighbour rank of the local spacing (the data diagram's mean facet count).
    n_codes, dim : int
        Size of the codes it was built for.
    n_samples : int
        Samples of the adjacency estimate (0: exact 2-D cells).
    random_state : int
    emptiness : numpy.ndarray, shape (E0,), or None
        The null's midpoint emptiness (:func:`aeot_viz.geometry.facets.midpoint_emptiness`), sorted ascending; None
        for nulls built before the midpoint test existed (rebuild them: :func:`~aeot_viz.analysis.singularity.
        build_convex_null`).
    heights : numpy.ndarray, shape (n_codes,), or None
        The OT heights of the null's codes (:func:`ellipsoid_codes` with seed ``random_state + 7919``): with
        them any other facet statistic of the null is computed without solving it again.
    """

    angles: np.ndarray
    relative_jumps: np.ndarray
    k: int
    n_codes: int
    dim: int
    n_samples: int
    random_state: int
    emptiness: Optional[np.ndarray] = None
    heights: Optional[np.ndarray] = None

    @property
    def n_facets(self) -> int:
        return int(len(self.angles))

    @property
    def has_emptiness(self) -> bool:
        """Whether this null calibrates the midpoint test."""
        return self.emptiness is not None

    @property
    def angle_threshold(self) -> float:
        """The null's largest angle (radians)."""
        return float(self.angles[-1]) if len(self.angles) else math.inf

    @property
    def jump_threshold(self) -> float:
        """The null's largest relative jump."""
        return float(self.relative_jumps[-1]) if len(self.relative_jumps) else math.inf

    @property
    def emptiness_threshold(self) -> float:
        """The null's largest midpoint emptiness (``inf`` without one)."""
        return float(self.emptiness[-1]) if self.emptiness is not None and len(self.emptiness) else math.inf

    def jump_score(self, angles, rel_jumps) -> np.ndarray:
        r"""The jump rule's calibrated score :math:`\min(F_\theta, F_\rho)` in [0, 1]."""
        return np.minimum(_share_below(self.angles, angles), _share_below(self.relative_jumps, rel_jumps))

    def beyond_jump(self, angles, rel_jumps) -> np.ndarray:
        """Whether each facet lies beyond every null facet on both jump statistics (the jump rule)."""
        return ((np.asarray(angles, dtype=np.float64) > self.angle_threshold)
                & (np.asarray(rel_jumps, dtype=np.float64) > self.jump_threshold))

    def score(self, emptiness) -> np.ndarray:
        r"""The midpoint test's calibrated score :math:`F_\mu(\mu)` in [0, 1]: the share of the null's facets whose
        midpoint emptiness is smaller."""
        self._need_emptiness()
        return _share_below(self.emptiness, emptiness)

    def beyond(self, emptiness) -> np.ndarray:
        """Whether each facet's midpoint emptiness exceeds every null facet's (the midpoint test's singular facets)."""
        self._need_emptiness()
        return np.asarray(emptiness, dtype=np.float64) > self.emptiness_threshold

    def _need_emptiness(self) -> None:
        if self.emptiness is None:
            raise ValueError("This convex null was built before the midpoint test and has no midpoint emptiness; "
                             "rebuild it (scripts/build_singular_nulls.py, or model_singular_set(model)).")

    def to_arrays(self, prefix: str = "null_") -> dict:
        """Plain arrays for a pickle-free archive (see :meth:`from_arrays`)."""
        meta = np.array([self.k, self.n_codes, self.dim, self.n_samples, self.random_state], dtype=np.int64)
        out = {f"{prefix}angles": self.angles.astype(np.float32),
               f"{prefix}relative_jumps": self.relative_jumps.astype(np.float32),
               f"{prefix}meta": meta}
        if self.emptiness is not None:  # float64: the threshold is compared with the data's float64 values
            out[f"{prefix}emptiness"] = np.asarray(self.emptiness, dtype=np.float64)
        if self.heights is not None:
            out[f"{prefix}heights"] = np.asarray(self.heights, dtype=np.float64)
        return out

    @classmethod
    def from_arrays(cls, arrs: dict, prefix: str = "null_") -> Optional[ConvexNull]:
        """Rebuild from :meth:`to_arrays`; None when the archive holds no null. Malformed arrays raise
        ``ValueError``. A null without ``emptiness`` (older bundles) loads with ``emptiness=None``."""
        if f"{prefix}meta" not in arrs:
            return None
        try:
            a = np.asarray(arrs[f"{prefix}angles"], dtype=np.float64)
            r = np.asarray(arrs[f"{prefix}relative_jumps"], dtype=np.float64)
            meta = np.asarray(arrs[f"{prefix}meta"])
        except KeyError as exc:
            raise ValueError(f"The convex null is incomplete: {exc.args[0]} is missing.") from None
        e = arrs.get(f"{prefix}emptiness")
        hts = arrs.get(f"{prefix}heights")
        e = None if e is None else np.asarray(e, dtype=np.float64)
        hts = None if hts is None else np.asarray(hts, dtype=np.float64)
        bad = (a.ndim != 1 or r.shape != a.shape or meta.shape != (5,) or meta.dtype.kind not in "iu"
               or not np.isfinite(a).all() or not np.isfinite(r).all() or (meta[:4] < 0).any())
        if not bad and e is not None:
            bad = e.shape != a.shape or not np.isfinite(e).all() or (e < 0).any()
        if not bad and hts is not None:
            bad = hts.shape != (int(meta[1]),) or not np.isfinite(hts).all()
        if bad:
            raise ValueError("The convex null's arrays are malformed; rebuild the model's null "
                             "(aeot_viz.analysis.convex_null) or delete the null_* arrays.")
        k, n, d, ns, rs = (int(v) for v in meta)
        return cls(np.sort(a), np.sort(r), k, n, d, ns, rs, None if e is None else np.sort(e), hts)
