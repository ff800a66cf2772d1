r"""The pooled solver: semi-discrete OT on growing pools of re-used samples, certified on fresh ones.

Why
---
The stochastic solver (:mod:`aeot_viz.ot.solver`) scores a fresh batch against all :math:`N` targets at every
iteration: about :math:`10^8` samples for MNIST-10k, although the accuracy it certifies needs far fewer. Here a
*pool* of :math:`P` samples is scored once, and the many iterations on it read their cell counts from exact
candidate lists (:class:`~aeot_viz.geometry.candidates.CandidatePool`): only the samples whose certificate fails
are scored again.

Method
------
Round :math:`r` draws a new pool of :math:`P_r` samples (independent of every other draw: a counter-based stream
with its own seed), :math:`P_r` growing fourfold from about :math:`16 N` up to the cap :math:`P`
(``pool_size``). Scored at the current heights :math:`\bar h`, the fresh pool is first an honest *check* of
:math:`\bar h` (nothing has been fitted to it yet). Then the iterations of the stochastic solver (heavy-ball steps
on the relative mass errors at each target's scale, and the multiscale cluster steps) run on the pool's exact
counts, until the pool's own L1 error is within ``POOL_TOL`` of its noise floor: the heights :math:`h_r` then
solve the pool's empirical problem. Solved pools are averaged with weights :math:`P_r`,

.. math:: \bar h = \frac{\sum_r P_r h_r}{\sum_r P_r},

since :math:`h_r \approx h^* + H^{-1}\varepsilon_r` with independent noise :math:`\varepsilon_r` of variance
:math:`\propto 1/P_r` (:math:`H` the Hessian of the dual, the facet-graph Laplacian): the average carries the
noise of one pool of :math:`\sum_r P_r` samples, in the memory of one pool of :math:`P`. A pool that is not solved
within ``round_iter`` iterations restarts the average.

Stop rule
---------
The stochastic solver stops when a fresh check of :math:`V` samples (``validation_samples``) reads
:math:`L \le F f_V` (``floor_factor`` :math:`F`, noise floor :math:`f_V`) with no empty cell. As
:math:`L^2 \approx e^2 + f_V^2` for a true error :math:`e`, that certifies :math:`e \le \sqrt{F^2 - 1}\, f_V`. The
pooled solver certifies the same bound with its fresh pools: it stops when a cap-sized pool, before any fitting,
reads

.. math:: L \le F_P f_P, \qquad F_P = \sqrt{1 + (F^2 - 1)\, P / V},

with no empty cell (or :math:`L \le` ``tol``). So each check costs nothing extra: a pool that fails it is the next
round's pool. What it reports is exact: counts of fresh samples, every arg-max certified or recomputed.

How large the checking pool must be: the check estimates :math:`e^2` by :math:`L^2 - f_P^2`, whose standard deviation
is about :math:`2 L s_P` with :math:`s_P = \sqrt{\sum_i \nu_i (1 - \nu_i) / P}`, against a bound
:math:`e_{max}^2 = (F^2 - 1) f_V^2`. Relative to the bound that is about :math:`3.6\, V / (P \sqrt{N})` near
:math:`F_P \approx 1`, and the stochastic solver's own check of :math:`V` samples has about :math:`4.7 / \sqrt{N}`.
A cap of :math:`P = 24 V / \sqrt{N}` (``PRECISION``; 2.5 million samples for MNIST-10k's 10,000 codes) keeps it near
0.15, and a smaller one lets noise pass heights that an independent check reads worse: with :math:`P = V / 8` the
1,797 scikit-learn digits passed at 1.04 times the pool's floor and read 1.21 times the floor of an independent
:math:`2^{22}`-sample check.

Memory: the pool's lists, :func:`~aeot_viz.geometry.candidates.pool_bytes_per_sample` bytes per sample (39 at
the default ``candidates = 4`` below 32,768 targets, 47 above), so about 93 MiB for the 2.5 million samples of
MNIST-10k's cap. Four candidates score faster than eight (a shorter insertion list: 1.49e9 against 1.43e9 pairs/s on
MNIST-10k's codes, 1.26e9 against 1.06e9 on 16-D digits) and failed hardly more certificates; the
cap is at most ``POOL_MEMORY`` bytes of lists.
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch

from ..geometry.candidates import SCORE_CHUNK, CandidatePool, pool_bytes_per_sample
from ..io.checkpoint import load_checkpoint, save_checkpoint
from ..utils.progress import emit
from .result import OTValidation
from .steps import heavy_ball_step
from .validation import _summarise

__all__ = ["POOL_TOL", "POOL_MEMORY", "pool_sizes", "pool_floor_factor", "fit_pooled"]

#: a pool counts as solved once its own L1 error is within this share of its noise floor (it then adds about
#: sqrt(1 + 0.15^2) - 1 = 1% to the error of the average)
POOL_TOL = 0.15
#: the growing pools (below the cap) are solved to this share of their floor only: their residual enters the
#: average with weight P_r / sum(P), so with 0.5 it adds well under 1% to the final error (in quadrature) and saves
#: most of the cold start's iterations
GROWING_TOL = 0.5
#: most bytes of candidate lists one pool may hold (``pool_size="auto"``)
POOL_MEMORY = 512 * 2**20
#: rounds of growing pools: each pool is this many times the last, up to the cap
POOL_GROWTH = 4
#: the first pool has about this many samples per target (at least one score chunk)
FIRST_POOL_PER_TARGET = 16
#: the cap, as a share of the validation size V, is PRECISION / sqrt(N), within [1/8, 1/2] of V: the
#: certificate's estimate of the squared true error then has the relative precision of today's check of V samples
#: (module docstring, "Stop rule")
PRECISION = 24.0
SHARE_RANGE = (1 / 8, 1 / 2)
#: the step size halves each round, down to lr / 2**LR_HALVINGS
LR_HALVINGS = 3


def _round_chunk(n: int) -> int:
    return max(SCORE_CHUNK, (int(n) // SCORE_CHUNK) * SCORE_CHUNK)


def pool_sizes(n_targets: int, n_validation: int, k: int, pool_size="auto") -> list[int]:
    r"""The pool size of each round until the cap (later rounds repeat the cap), for ``n_targets`` targets.

    The cap is ``pool_size``, or with ``"auto"`` the smaller of what :data:`POOL_MEMORY` bytes of lists hold
    (:func:`pool_bytes_per_sample`) and the share :math:`24 / \sqrt{N}` of the validation size ``n_validation``
    (kept within 1/8 and 1/2, see :data:`PRECISION`); the first pool has
    :data:`FIRST_POOL_PER_TARGET` samples per target; each next one :data:`POOL_GROWTH` times more. All are
    multiples of the score chunk.
    """
    if pool_size == "auto":
        share = min(max(PRECISION / math.sqrt(n_targets), SHARE_RANGE[0]), SHARE_RANGE[1])
        cap = min(int(share * n_validation), POOL_MEMORY // pool_bytes_per_sample(n_targets, k))
    else:
        cap = int(pool_size)
    cap = _round_chunk(cap)
    sizes = [min(cap, _round_chunk(FIRST_POOL_PER_TARGET * n_targets))]
    while sizes[-1] < cap:
        sizes.append(min(cap, _round_chunk(sizes[-1] * POOL_GROWTH)))
    return sizes


def pool_floor_factor(floor_factor: float, n_pool: int, n_validation: int) -> float:
    r""":math:`F_P = \sqrt{1 + (F^2 - 1) P / V}`: the reading, in noise floors of a fresh check of ``n_pool``
    samples, that certifies the same true error as ``floor_factor`` floors of ``n_validation`` (module docstring)."""
    return math.sqrt(1.0 + max(floor_factor**2 - 1.0, 0.0) * n_pool / n_validation)


def fit_pooled(ot, Y: torch.Tensor, w: torch.Tensor, h: torch.Tensor, *, n_full: int, key, checkpoint, callback,
               scale_and_levels, writer: bool = True) -> None:
    """Run the pooled solver for the fitted :class:`~aeot_viz.ot.SemiDiscreteOT` ``ot`` and set its attributes.

    ``Y`` (N, d) and ``w`` (N,) are the distinct targets and their weights, ``h`` (N,) the starting heights,
    ``n_full`` the validation size :math:`V` of the stop rule, ``key`` the checkpoint fingerprint (None without a
    checkpoint), ``scale_and_levels()`` returns the step scales and multiscale levels (computed only when a round
    runs).
    """
    dev = Y.device
    N, d = Y.shape
    k = int(ot.candidates)
    sizes = pool_sizes(N, n_full, k, ot.pool_size)
    cap = sizes[-1]
    w32 = w.float()
    log = {k_: [] for k_ in ("iteration", "round", "l1", "noise_floor", "empty_share", "lr", "batch_size",
                             "samples", "time")}
    vlog: list[dict] = []
    snap_every = max(1, ot.max_iter // max(ot.n_snapshots, 1))
    snaps, snap_iters = [h.cpu().numpy().copy()], [0]
    it, samples, rnd, converged, elapsed0 = 0, 0, 0, False, 0.0
    a_sum = torch.zeros(N, dtype=torch.float64, device=dev)
    a_w = 0.0
    val = None
    found = load_checkpoint(checkpoint, "ot", key)
    if found is not None:
        meta, arrs = found
        h = torch.as_tensor(arrs["h"], dtype=torch.float32).to(dev)
        a_sum = torch.as_tensor(arrs["a_sum"], dtype=torch.float64).to(dev)
        it, samples, rnd = (int(meta[k_]) for k_ in ("iteration", "samples", "round"))
        a_w, converged, elapsed0 = float(meta["a_w"]), bool(meta["converged"]), float(meta["elapsed"])
        log = {k_: list(np.asarray(arrs[f"log.{k_}"]).tolist()) for k_ in log}
        vlog = list(meta["validation_log"])
        val = OTValidation(**meta["validation"]) if meta.get("validation") else None
        snaps, snap_iters = list(arrs["snapshots"]), [int(i) for i in arrs["snapshot_iters"]]
    scale = levels = None
    t_start = time.perf_counter() - elapsed0

    def save(h_now):
        """Checkpoint the run at a round boundary (every name it resumes from)."""
        if key is None or not writer:
            return
        save_checkpoint(checkpoint, "ot", key, {
            "iteration": it, "samples": samples, "round": rnd, "a_w": a_w, "converged": converged,
            "elapsed": time.perf_counter() - t_start, "validation": val.to_dict(), "validation_log": vlog,
        }, {"h": h_now.cpu().numpy(), "a_sum": a_sum.cpu().numpy(), "snapshots": np.stack(snaps).astype(np.float32),
            "snapshot_iters": np.asarray(snap_iters, dtype=np.int64),
            **{f"log.{k_}": np.asarray(v) for k_, v in log.items()}})

    seed_base = (int(ot.random_state) * 7_919 + 1) * 1_024
    while it < ot.max_iter and not converged:
        P = sizes[min(rnd, len(sizes) - 1)]
        start = (a_sum / a_w).float() if a_w > 0 else h
        pool = CandidatePool(Y, P, k=k, seed=seed_base + rnd, source=ot.source, memory_budget=ot.memory_budget)

        def scored(done, total, _rnd=rnd, _P=P, _it=it):
            emit(callback, "ot", _it, ot.max_iter, scoring=done / total, pool=_P, round=_rnd, solver="pooled",
                 time=time.perf_counter() - t_start)

        pool.score(start, progress=scored)
        samples += P
        counts = np.bincount(pool.cand[:, 0].astype(np.int64), minlength=N)  # fresh lists: column 0 is the arg-max
        val = _summarise(torch.as_tensor(counts, device=dev), P, w)[0]
        f_p = val.noise_floor
        factor = pool_floor_factor(ot.floor_factor, P, n_full)
        entry = {"iteration": it, "round": rnd, "time": time.perf_counter() - t_start, "pool": P,
                 "floor_factor": factor, **val.to_dict()}
        vlog.append(entry)
        emit(callback, "ot-validation", it, ot.max_iter, **entry)
        if P == cap and val.empty_share == 0 and val.l1 <= max(ot.tol, factor * f_p):
            h = start
            converged = True
            break
        if scale is None:
            scale, levels = scale_and_levels()
        h = start.clone()
        m1 = torch.zeros(N, device=dev)
        for lv in levels:
            lv["m"].zero_()
        lr = float(ot.lr) * 0.5 ** min(rnd, LR_HALVINGS)
        n_round = min(ot.round_iter, ot.max_iter - it)
        round_first, half = it, n_round // 2
        h_sum = torch.zeros(N, dtype=torch.float64, device=dev)
        n_avg, solved = 0, False
        for j in range(n_round):
            counts_t = torch.as_tensor(pool.counts(h), device=dev)
            samples += pool.fails_
            g = counts_t.float() / P - w32
            l1 = float(g.abs().sum())
            empty = float((counts_t == 0).float().mean())
            if l1 <= (POOL_TOL if P == cap else GROWING_TOL) * f_p and empty == 0:
                solved = True
                break
            it += 1
            step_lr = lr if j < half else lr * (n_round - j) / (n_round - half)
            heavy_ball_step(h, g, w32, m1, scale, levels, step_lr, ot.momentum, 1.0 / d)
            if j >= half:
                h_sum += h
                n_avg += 1
            elapsed = time.perf_counter() - t_start
            for k_, v in zip(log, (it, rnd, l1, f_p, empty, step_lr, P, samples, elapsed)):
                log[k_].append(v)
            if it % snap_every == 0:
                snaps.append(h.cpu().numpy().copy())
                snap_iters.append(it)
            emit(callback, "ot", it, ot.max_iter, l1=l1, noise_floor=f_p, empty_share=empty, lr=step_lr,
                 batch_size=P, round=rnd, round_first=round_first, round_iters=n_round, time=elapsed,
                 solver="pooled", rescored=pool.fails_)
        if not bool(torch.isfinite(h).all()):
            raise ValueError(f"The OT heights diverged (non-finite after {it} iterations); lower the step size lr "
                             f"(now {ot.lr}) or check that the targets are normalised codes.")
        if solved:
            a_sum += P * h.double()
            a_w += P
        else:  # not solved within the round: the tail average starts a new running average
            h = (h_sum / max(n_avg, 1)).float() if n_avg else h
            a_sum.zero_()
            a_w = 0.0
        h = h - h.mean()
        # the snapshot at a round's end is the solver's answer then: the running average (the next round's start)
        best_now = ((a_sum / a_w).float() if a_w > 0 else h)
        best_now = (best_now - best_now.mean()).cpu().numpy().copy()
        if snap_iters[-1] == it:
            snaps[-1] = best_now
        else:
            snaps.append(best_now)
            snap_iters.append(it)
        rnd += 1
        del pool
        save(h)
    if not converged:  # the budget ran out: the heights to keep are the average, checked on fresh samples
        if a_w > 0:
            h = (a_sum / a_w).float()
        val = ot._validate(Y, h - h.mean(), w, rnd, dev, n_full)
        entry = {"iteration": it, "round": rnd, "time": time.perf_counter() - t_start, **val.to_dict()}
        vlog.append(entry)
        emit(callback, "ot-validation", it, ot.max_iter, **entry)
    else:
        save(h)
    h = h - h.mean()
    if snap_iters[-1] == it:
        snaps[-1] = h.cpu().numpy().copy()
    else:
        snaps.append(h.cpu().numpy().copy())
        snap_iters.append(it)
    ot._set_fitted(h, log, vlog, val, snaps, snap_iters, it, converged, "pooled")
    ot.samples_scored_ = int(samples)
