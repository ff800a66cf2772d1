r"""Candidate lists: re-using a pool of source samples across many height vectors, exactly.

A semi-discrete OT solver asks, again and again for heights :math:`h` that change a little each time, in which
cell :math:`\arg\max_i s_i(x)`, :math:`s_i(x) = \langle x, y_i\rangle + h_i`, each source sample :math:`x` lies.
Scoring a sample against all :math:`N` targets costs :math:`N d` multiply-adds; this module pays it once per
sample and then answers for new heights from a short list.

Certificate
-----------
When a sample is scored at heights :math:`h^{(e)}` (its *epoch*), its :math:`k` best targets :math:`j_1..j_k` are
kept with their inner products :math:`p_c = \langle x, y_{j_c}\rangle`, and the :math:`(k+1)`-th best score
:math:`\tau`. For new heights :math:`h`, every target :math:`j` off the list scores

.. math:: s_j(x) = s^{(e)}_j(x) + (h_j - h^{(e)}_j) \le \tau + D_e, \qquad D_e = \max_j (h_j - h^{(e)}_j),

so the best listed candidate :math:`w` (score :math:`b_1 = p_w + h_w`, runner-up on the list :math:`b_2`) is the
true arg-max whenever :math:`b_1 > \tau + D_e + \varepsilon` and :math:`b_1 > b_2 + \varepsilon`. The margin
:math:`\varepsilon` covers float32 rounding, so that the answer is the arg-max a full rescoring would compute, not
only the arg-max of exact arithmetic. A sample that fails is scored against all targets again at :math:`h` (a new
epoch); nothing else is ever approximated.

Samples are never stored: sample :math:`a` of a pool is a counter-based function of (seed, :math:`a`)
(:func:`~aeot_viz.geometry.sources.sample_source_at`), so the failing ones are regenerated on demand. Memory per
sample is :math:`k` indices (2 bytes each below 32,768 targets, else 4), :math:`k` float32 inner products, the
float32 :math:`\tau` and a 2-byte epoch, and 9 bytes of working answer (cell, gap, flag): 39 bytes at the default
:math:`k = 4` and :math:`N < 32{,}768`, 47 above; and one float32 height vector per live epoch (at most
``MAX_EPOCHS``).

On the CPU the full scoring fuses the score blocks of :mod:`aeot_viz.geometry.scoring` with a numba top-k
insertion (:func:`merge_top_k`, about as fast as the arg-max kernel: 1.37e9 against 1.49e9 pairs/s for top-9 at
:math:`N = 10^4, d = 32` on 2 cores, where ``torch.topk`` gives 0.5e9). Elsewhere, and as an independent
reference in the tests, plain torch does the same (:func:`torch_top_k`, :func:`torch_evaluate`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Optional

import numpy as np
import torch

from .scoring import _blocks, _check
from .sources import sample_source_at

__all__ = ["CandidatePool", "fused_top_k", "torch_top_k", "torch_evaluate", "pool_bytes_per_sample"]

#: samples scored at once when a pool is (re)scored: the unit of progress and of peak scratch memory
SCORE_CHUNK = 2**16
#: epochs a pool keeps before it re-bases every sample on the current heights (its tau absorbs the drift)
MAX_EPOCHS = 64

_numba_kernels = None


def _kernels():
    """The numba kernels, compiled on first use (and cached on disk beside this module when it can)."""
    global _numba_kernels
    if _numba_kernels is not None:
        return _numba_kernels
    import numba as nb

    @nb.njit(parallel=True, cache=True)
    def merge_top_k(S, t0, vals, idxs):  # pragma: no cover - compiled
        M, T = S.shape
        K = vals.shape[1]
        for r in nb.prange(M):
            thr = vals[r, K - 1]
            for c in range(T):
                v = S[r, c]
                if v > thr:  # strictly: among equal scores the earlier (lower) index stays first
                    p = K - 1
                    while p > 0 and vals[r, p - 1] < v:
                        vals[r, p] = vals[r, p - 1]
                        idxs[r, p] = idxs[r, p - 1]
                        p -= 1
                    vals[r, p] = v
                    idxs[r, p] = t0 + c
                    thr = vals[r, K - 1]

    @nb.njit(cache=True, inline="always")
    def _certify(a, cand, ip, tau, ep, h, D, eps, best, gap, fail):  # pragma: no cover - compiled
        b1 = -np.inf
        b2 = -np.inf
        w = 0
        for c in range(cand.shape[1]):
            j = cand[a, c]
            s = ip[a, c] + h[j]
            if s > b1 or (s == b1 and j < w):
                b2 = b1
                b1 = s
                w = j
            elif s > b2:
                b2 = s
        best[a] = w
        gap[a] = b1 - b2
        fail[a] = not (b1 - (tau[a] + D[ep[a]]) > eps and b1 - b2 > eps)

    @nb.njit(parallel=True, cache=True)
    def evaluate(cand, ip, tau, ep, h, D, eps, best, gap, fail):  # pragma: no cover - compiled
        for a in nb.prange(cand.shape[0]):
            _certify(a, cand, ip, tau, ep, h, D, eps, best, gap, fail)

    @nb.njit(parallel=True, cache=True)
    def evaluate_rows(rows, cand, ip, tau, ep, h, D, eps, best, gap, fail):  # pragma: no cover - compiled
        for q in nb.prange(rows.shape[0]):
            _certify(rows[q], cand, ip, tau, ep, h, D, eps, best, gap, fail)

    _numba_kernels = (merge_top_k, evaluate, evaluate_rows)
    return _numba_kernels


def merge_top_k(S: np.ndarray, t0: int, vals: np.ndarray, idxs: np.ndarray) -> None:
    """Merge a score block ``S`` (M, T) of columns ``t0..t0+T`` into running top-k lists, in place.

    ``vals`` (M, K) float32 is sorted best first and ``idxs`` (M, K) int32 holds the columns; a new score enters
    only when strictly above the K-th, so ties keep the lowest index first (as ``max`` does).
    """
    _kernels()[0](S, int(t0), vals, idxs)


def fused_top_k(X: torch.Tensor, Y: torch.Tensor, h: torch.Tensor, k: int, *,
                memory_budget: Optional[int] = None) -> tuple[np.ndarray, np.ndarray]:
    r"""The ``k`` best targets of each sample and their scores on the CPU, best first (numba, module docstring).

    Parameters
    ----------
    X : torch.Tensor, shape (M, d), float32 on the CPU
    Y : torch.Tensor, shape (N, d)
    h : torch.Tensor, shape (N,)
    k : int, 1 <= k <= N

    Returns
    -------
    idx : numpy.ndarray, shape (M, k), int32
    scores : numpy.ndarray, shape (M, k), float32
        :math:`\langle x, y_j\rangle + h_j`, decreasing along each row.
    """
    _check(X, Y, h)
    M, N = X.shape[0], Y.shape[0]
    if not 1 <= k <= N:
        raise ValueError(f"k must be between 1 and the number of targets ({N}), got {k}.")
    merge = _kernels()[0]
    vals = np.full((M, k), -np.inf, dtype=np.float32)
    idxs = np.zeros((M, k), dtype=np.int32)
    s_block, t_block = _blocks(M, N, memory_budget, X.device)
    for s0 in range(0, M, s_block):
        xs = X[s0: s0 + s_block]
        v, ii = vals[s0: s0 + s_block], idxs[s0: s0 + s_block]
        for t0 in range(0, N, t_block):
            merge(torch.addmm(h[t0: t0 + t_block], xs, Y[t0: t0 + t_block].T).numpy(), t0, v, ii)
    return idxs, vals


def torch_top_k(X: torch.Tensor, Y: torch.Tensor, h: torch.Tensor, k: int, *,
                memory_budget: Optional[int] = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`fused_top_k` in plain torch (any device): ``torch.topk`` on the chunked scores."""
    from .scoring import top_k_cells

    idx, val = top_k_cells(X, Y, h, k=k, memory_budget=memory_budget)
    return idx.to(torch.int32).cpu().numpy(), val.float().cpu().numpy()


def torch_evaluate(cand, ip, tau, ep, h, D, eps):
    """The certificate of the module docstring in plain numpy: ``(best, gap, fail)`` for every sample."""
    s = ip + h[cand]
    sv = -np.sort(-s, axis=1)
    b1 = sv[:, 0]
    b2 = sv[:, 1] if s.shape[1] > 1 else np.full_like(b1, -np.inf)
    w = np.where(s == b1[:, None], cand.astype(np.int64), np.int64(2**62)).min(axis=1)  # ties: the lowest index
    fail = ~((b1 - (tau + D[ep]) > eps) & (b1 - b2 > eps))
    return w.astype(np.int32), (b1 - b2).astype(np.float32), fail


def pool_bytes_per_sample(n_targets: int, k: int) -> int:
    """Bytes a pool keeps per sample: ``k`` indices, ``k`` float32 inner products, ``tau`` and the epoch (the lists),
    and the working answer of :meth:`CandidatePool.counts` (cell, gap, failed flag: 9 bytes)."""
    return k * (2 if n_targets < 2**15 else 4) + 4 * k + 4 + 2 + 9


class CandidatePool:
    r"""A fixed pool of source samples with exact candidate lists (module docstring).

    Parameters
    ----------
    Y : torch.Tensor, shape (N, d)
        Targets.
    n_samples : int
        Pool size :math:`P`.
    k : int
        Candidates kept per sample (at most ``N - 1``).
    seed : int
        Sample :math:`a` is ``sample_source_at(seed, a)``: two pools with different seeds are independent.
    source : {"uniform", "gaussian"}
    memory_budget : int, optional
        Bytes of one score block (:mod:`aeot_viz.geometry.scoring`).
    backend : {"auto", "numba", "torch"}
        ``"auto"``: numba on the CPU, torch elsewhere.

    Attributes
    ----------
    rescored_ : int
        Samples scored against all targets so far (the pool's first scoring included).
    fails_ : int
        Samples whose certificate failed in the last :meth:`counts`.
    """

    def __init__(self, Y: torch.Tensor, n_samples: int, *, k: int = 8, seed: int = 0, source: str = "uniform",
                 memory_budget: Optional[int] = None, backend: str = "auto"):
        if Y.ndim != 2 or Y.shape[0] < 2:
            raise ValueError(f"A candidate pool needs at least 2 targets of shape (N, d), got {tuple(Y.shape)}.")
        if not (isinstance(n_samples, (int, np.integer)) and n_samples >= 1):
            raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
        if backend not in ("auto", "numba", "torch"):
            raise ValueError(f"backend must be 'auto', 'numba' or 'torch', got {backend!r}.")
        N, d = Y.shape
        self.Y, self.n_samples, self.seed, self.source = Y, int(n_samples), int(seed), source
        self.k = int(min(k, N - 1))
        if self.k < 1:
            raise ValueError(f"k must be at least 1, got {k}.")
        self.memory_budget = memory_budget
        self.backend = ("numba" if Y.device.type == "cpu" else "torch") if backend == "auto" else backend
        P, K = self.n_samples, self.k
        self.cand = np.zeros((P, K), dtype=np.int16 if N < 2**15 else np.int32)
        self.ip = np.zeros((P, K), dtype=np.float32)
        self.tau = np.zeros(P, dtype=np.float32)
        self.ep = np.zeros(P, dtype=np.int16)
        self.best = np.zeros(P, dtype=np.int32)
        self.gap = np.zeros(P, dtype=np.float32)
        self.fail = np.zeros(P, dtype=bool)
        self._epochs: list[np.ndarray] = []
        # float32 rounding of a score: d products of |x_k y_k| plus the height, a few ulps each
        xmax = 0.5 if source == "uniform" else 6.0
        self._ymax1 = float(Y.abs().sum(dim=1).max())
        self._xmax = xmax
        self.rescored_ = 0
        self.fails_ = 0

    def _eps(self, h: np.ndarray) -> np.float32:
        d = self.Y.shape[1]
        return np.float32(4 * (d + 2) * 2.0**-24 * (self._xmax * self._ymax1 + float(np.abs(h).max()) + 1.0))

    @property
    def nbytes(self) -> int:
        """Bytes of the lists and the working answer (not counting the epochs' heights, N floats each)."""
        return sum(a.nbytes for a in (self.cand, self.ip, self.tau, self.ep, self.best, self.gap, self.fail))

    def samples(self, idx: np.ndarray) -> torch.Tensor:
        """The pool's samples ``idx`` (int64 array), regenerated from the seed: shape (len(idx), d)."""
        return sample_source_at(self.seed, idx, self.Y.shape[1], self.source).to(self.Y.device)

    def _top(self, X, h):
        fn = fused_top_k if self.backend == "numba" else torch_top_k
        return fn(X, self.Y, h, self.k + 1, memory_budget=self.memory_budget)

    def score(self, h: torch.Tensor, idx: Optional[np.ndarray] = None,
              progress: Optional[Callable[[int, int], None]] = None) -> None:
        """Score samples ``idx`` (all when omitted) against every target at heights ``h`` (N,): new lists, a new
        epoch. ``progress(done, total)`` is called after each chunk of :data:`SCORE_CHUNK` samples."""
        hn = h.detach().float().cpu().numpy()
        if len(self._epochs) >= MAX_EPOCHS:
            self._rebase(hn)
        e = len(self._epochs)
        self._epochs.append(hn.copy())
        idx = np.arange(self.n_samples, dtype=np.int64) if idx is None else np.asarray(idx, dtype=np.int64)
        hd = h.detach().float().to(self.Y.device)
        K = self.k
        for s in range(0, len(idx), SCORE_CHUNK):
            ii = idx[s: s + SCORE_CHUNK]
            ci, cv = self._top(self.samples(ii), hd)
            self.cand[ii] = ci[:, :K]
            self.ip[ii] = cv[:, :K] - hn[ci[:, :K]]
            self.tau[ii] = cv[:, K]
            self.ep[ii] = e
            self.rescored_ += len(ii)
            if progress is not None:
                progress(s + len(ii), len(idx))

    def _rebase(self, hn: np.ndarray) -> None:
        """Move every sample to one epoch at heights ``hn``: its tau absorbs the drift since its own epoch."""
        D = self._drifts(hn)
        self.tau += D[self.ep]
        self.ep[:] = 0
        self._epochs = [hn.copy()]

    def _drifts(self, hn: np.ndarray) -> np.ndarray:
        return np.array([float((hn - he).max()) for he in self._epochs], dtype=np.float32)

    def _evaluate(self, hn: np.ndarray, rows: Optional[np.ndarray] = None) -> None:
        """The certificate at heights ``hn`` for every sample, or only for ``rows``: fills best, gap and fail."""
        D, eps = self._drifts(hn), self._eps(hn)
        if self.backend == "numba":
            args = (self.cand, self.ip, self.tau, self.ep, hn, D, eps, self.best, self.gap, self.fail)
            if rows is None:
                _kernels()[1](*args)
            else:
                _kernels()[2](np.asarray(rows, dtype=np.int64), *args)
        elif rows is None:
            self.best[:], self.gap[:], self.fail[:] = torch_evaluate(self.cand, self.ip, self.tau, self.ep, hn, D,
                                                                     eps)
        else:
            self.best[rows], self.gap[rows], self.fail[rows] = torch_evaluate(
                self.cand[rows], self.ip[rows], self.tau[rows], self.ep[rows], hn, D, eps)

    def counts(self, h: torch.Tensor) -> np.ndarray:
        """Exact cell counts of the pool at heights ``h`` (N,): certified lists, failures rescored.

        Returns
        -------
        numpy.ndarray, shape (N,), int64
            ``bincount`` of every sample's arg-max; ``best`` then holds each sample's cell.
        """
        if not self._epochs:
            self.score(h)
        hn = h.detach().float().cpu().numpy()
        self._evaluate(hn)
        f = np.flatnonzero(self.fail)
        self.fails_ = int(len(f))
        if len(f):
            self.score(h, f)
            self._evaluate(hn, f)
            left = np.flatnonzero(self.fail[f])
            if len(left):  # a sample still uncertified after a fresh scoring sits on an exact tie within rounding
                X = self.samples(f[left])
                from .scoring import assign_cells

                self.best[f[left]] = assign_cells(X, self.Y, torch.as_tensor(hn, device=self.Y.device),
                                                  memory_budget=self.memory_budget).cpu().numpy()
        return np.bincount(self.best, minlength=self.Y.shape[0]).astype(np.int64)


def pool_noise_floor(w: np.ndarray, n_samples: int) -> float:
    r"""Expected L1 of the counts of ``n_samples`` exact samples: :math:`\sum_i \sqrt{2/\pi}\sqrt{\nu_i(1-\nu_i)/M}`."""
    return float(np.sum(np.sqrt(2 / math.pi) * np.sqrt(w * (1 - w) / n_samples)))
