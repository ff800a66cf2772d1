r"""Tolerances for comparing a stored floating-point result with the same computation redone here.

A stored view (a shipped bundle's PCA, say) was computed on another machine. Float32 results differ between CPUs
and BLAS builds: the kernels block and order their sums differently (AVX2 against AVX-512, MKL against OpenBLAS,
one thread against two). So "stored equals fresh" is checked to a tolerance derived from the computation itself,
never to bits and never to a number tuned until it passes; and each such check has a twin test proving that the
tolerance still catches a real mismatch (two rows swapped, a view of another model).

PCA projection
--------------
The projection of row :math:`x_i` on the :math:`k`-th principal direction is
:math:`p_{ik} = \langle x_i - \mu, v_k\rangle`. Three roundings move it:

- :math:`v_k`: a backward-stable SVD in float32 is the exact SVD of a matrix within about
  :math:`\sqrt{d}\,\varepsilon\,\sigma_1` of the centred data (:math:`\varepsilon` float32's epsilon, :math:`d` the
  columns). By Wedin's theorem the computed direction then turns by at most that over the gap
  :math:`g_k = \min_{j \ne k} |\sigma_k - \sigma_j|`: :math:`\sin\theta_k \le \sqrt{d}\,\varepsilon\,\sigma_1 / g_k`.
  Close singular values (an ill-conditioned direction) widen the tolerance, as they should.
- the dot product of length :math:`d`: about :math:`\sqrt{d}\,\varepsilon\,|x_i - \mu|`;
- the mean, a pairwise sum of :math:`N` rows: about :math:`\log_2(N)\,\varepsilon\,|\mu|`.

So :math:`|\Delta p_{ik}| \le \sqrt{d}\,\varepsilon\,(1 + \sigma_1 / g_k)\,|x_i - \mu| + \log_2(N)\,\varepsilon\,|\mu|`.
A sign flip of a whole component (SVD's sign is a convention) is not a rounding error and is not tolerated.

Counts of discrete decisions
----------------------------
A histogram of arg-max decisions (a cell, a digit) moves only where a decision is a near tie: a sample whose
best and second-best values lie closer than two machines' roundings can differ. A length-:math:`L` dot product is
within :math:`\gamma_L\,\sum_k |a_k b_k|` of exact, :math:`\gamma_L = L\varepsilon / (1 - L\varepsilon)`
in the worst case; with independent roundings the error grows like :math:`\sqrt{L}\,\varepsilon` instead, with
a bound :math:`\lambda \sqrt{L}\,\varepsilon` that holds with probability at least
:math:`1 - 2 e^{-\lambda^2 (1 - \varepsilon)^2 / 2}` (Higham and Mary 2019, the same growth the PCA tolerance
uses). With :math:`\lambda = 6` (a failure chance below 1e-7 per value) two machines' values differ by at most
twice that, and their gap by four times. The worst case is too wide to test with: on Stacked MNIST it calls 0.6%
of the samples near ties, a tolerance that two swapped modes hide in.
Each sample that is not a near tie lands in the same bin on both; each near tie moves one count out of a bin and
into another, so :math:`\|H_{stored} - H_{fresh}\|_1 \le 2\,\#\{\text{near ties}\}`.
"""

from __future__ import annotations

import numpy as np

EPS32 = float(np.finfo(np.float32).eps)


def pca_recompute_atol(X, n_components: int = 2) -> np.ndarray:
    """Per-entry absolute tolerance, shape (N, n_components), for a float32 PCA projection of ``X`` (N, d)
    recomputed on another CPU or BLAS build (derivation in the module docstring)."""
    X = np.asarray(X, dtype=np.float64)
    N, d = X.shape
    mu = X.mean(axis=0)
    Xc = X - mu
    s = np.linalg.svd(Xc, compute_uv=False)
    gaps = np.array([np.min(np.abs(np.delete(s, k) - s[k])) for k in range(n_components)])
    turn = s[0] / np.maximum(gaps, s[0] * EPS32)  # an exact tie: the direction is arbitrary, the bound O(1 / eps)
    rows = np.linalg.norm(Xc, axis=1)
    return (np.sqrt(d) * EPS32 * (1.0 + turn)[None, :] * rows[:, None]
            + np.log2(max(N, 2)) * EPS32 * np.linalg.norm(mu))


def assert_recomputed_close(stored, fresh, atol, what: str = "stored view") -> None:
    """Raise ``AssertionError`` unless ``stored`` and ``fresh`` have one shape and agree entry by entry within
    ``atol`` (a scalar or an array broadcasting to their shape)."""
    stored, fresh = np.asarray(stored, dtype=np.float64), np.asarray(fresh, dtype=np.float64)
    assert stored.shape == fresh.shape, f"{what}: shape {stored.shape} against the recomputed {fresh.shape}"
    excess = np.abs(stored - fresh) - np.broadcast_to(atol, stored.shape)
    bad = np.argwhere(excess > 0)
    assert not len(bad), (f"{what}: {len(bad)} of {stored.size} entries differ beyond the rounding tolerance, "
                          f"first at {tuple(bad[0])}: {stored[tuple(bad[0])]} against {fresh[tuple(bad[0])]} "
                          f"(tolerance {np.broadcast_to(atol, stored.shape)[tuple(bad[0])]:.3g})")


#: :math:`\lambda` of the probabilistic rounding bound (module docstring)
ROUNDING_LAMBDA = 6.0


def dot_rounding(length: int, eps: float = EPS32) -> float:
    """:math:`\\lambda \\sqrt{L}\\,\\varepsilon`, the relative error of a dot product of ``length`` terms that
    independent roundings stay within with probability above 1 - 1e-7 (module docstring)."""
    return ROUNDING_LAMBDA * np.sqrt(length) * eps
