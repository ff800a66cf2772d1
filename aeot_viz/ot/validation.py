"""Checking OT heights on fresh samples: every cell's measured mass against its target weight.

The check draws pseudo-random source points with seeds the solver never uses, counts them per power cell
and reports the L1 error of the masses with its binomial noise floor (:class:`~aeot_viz.ot.result.OTValidation`).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ..geometry.scoring import cell_counts
from ..geometry.sources import random_batches
from ..utils.device import resolve_device
from .result import OTValidation

__all__ = ["validate_ot", "auto_validation_samples", "validation_size", "VALIDATION_CHUNK", "MIN_AUTO_VALIDATION"]

#: samples per step of the sequential validation: after each step a round that cannot pass stops checking
VALIDATION_CHUNK = 2**18

#: ``validation_samples="auto"``: at least this many samples ...
MIN_AUTO_VALIDATION = 2**23
#: ... and this many per target, up to ``MAX_AUTO_VALIDATION``
AUTO_VALIDATION_PER_TARGET = 1024
MAX_AUTO_VALIDATION = 2**26

#: how many standard deviations above the stopping threshold a partial validation must read to stop early
VALIDATION_ABORT_Z = 3.0


def auto_validation_samples(n_targets: int) -> int:
    r"""The validation size of ``validation_samples="auto"`` for ``n_targets`` targets.

    :math:`M = \min(\max(2^{23}, 1024\,N), 2^{26})`, rounded up to whole validation chunks. Its noise
    floor :math:`\sqrt{2/\pi}\sqrt{N/M}` is then at most :math:`0.8 / 32`: every cell gets about 1,024
    samples, so each cell's measured mass is uncertain by about 3% of itself, whatever :math:`N`. The
    floor does not depend on the dimension; the cost of a check does (it is :math:`M N d` multiply-adds).

    The lower bound :math:`2^{23}` makes the default stop rule, a reading below 1.3 times this floor,
    mean something against any check of up to :math:`2^{22}` samples: a reading :math:`L_M` is about
    :math:`\sqrt{e^2 + f_M^2}` for a true error :math:`e`, so :math:`L_M \le 1.3 f_M` gives
    :math:`e \le 0.83 f_M = 0.59 f_{2^{22}}`, and a :math:`2^{22}` check then reads about
    :math:`\sqrt{0.59^2 + 1}\,f_{2^{22}} = 1.16 f_{2^{22}}`, with room for the noise of the stopping
    decision (docs/BENCHMARKS.md measures it).
    """
    if not isinstance(n_targets, (int, np.integer)) or n_targets < 1:
        raise ValueError(f"n_targets must be a positive integer, got {n_targets!r}.")
    m = min(max(MIN_AUTO_VALIDATION, AUTO_VALIDATION_PER_TARGET * int(n_targets)), MAX_AUTO_VALIDATION)
    return -(-m // VALIDATION_CHUNK) * VALIDATION_CHUNK

#: targets farther out than this would overflow float32 scores; the solver expects codes in the cube
MAX_TARGET_ABS = 1e3


def validation_size(n_targets: int, validation_samples) -> int:
    """The stop rule's check size: ``validation_samples``, or :func:`auto_validation_samples` for ``"auto"``."""
    if isinstance(validation_samples, str):
        return auto_validation_samples(n_targets)
    return int(validation_samples)


def _as_targets(Y, nu, device) -> tuple[torch.Tensor, torch.Tensor]:
    Y = torch.as_tensor(np.asarray(Y, dtype=np.float32) if not torch.is_tensor(Y) else Y)
    if Y.ndim != 2 or Y.shape[0] < 1 or Y.shape[1] < 1:
        raise ValueError(f"Targets must be a 2-D array (N, d) with N, d >= 1, got shape {tuple(Y.shape)}.")
    Y = Y.to(device=device, dtype=torch.float32)
    if not torch.isfinite(Y).all():
        raise ValueError("Targets contain NaN or Inf; clean the latent codes before solving OT.")
    if float(Y.abs().max()) > MAX_TARGET_ABS:
        raise ValueError(f"Targets must lie in or near the source cube [-1/2, 1/2]^d (largest |coordinate| "
                         f"{float(Y.abs().max()):.3g} > {MAX_TARGET_ABS:g}); normalise the codes first "
                         "(aeot_viz.models.normalization.LatentNormalizer).")
    N = Y.shape[0]
    if nu is None:
        w = torch.full((N,), 1.0 / N, device=device, dtype=torch.float64)
    else:
        w = torch.as_tensor(np.asarray(nu, dtype=np.float64) if not torch.is_tensor(nu) else nu)
        w = w.to(device=device, dtype=torch.float64)
        if w.shape != (N,):
            raise ValueError(f"Weights nu must have shape ({N},), one per target, got {tuple(w.shape)}.")
        if not torch.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
            raise ValueError("Weights nu must be finite, non-negative and not all zero.")
        w = w / w.sum()
    return Y, w


def _counts_kernel(distributed: bool):
    """cell_counts, or its sharded version over the torch.distributed ranks."""
    if not distributed:
        return cell_counts
    from .sharded import sharded_cell_counts

    return sharded_cell_counts


def validate_ot(
    Y,
    h,
    nu=None,
    *,
    n_samples: int = 2**20,
    source: str = "uniform",
    random_state: int = 12345,
    device: str | torch.device = "auto",
    batch: int = 2**18,
    return_mu: bool = False,
    distributed: bool = False,
):
    """Re-estimate the cell measures of heights ``h`` with fresh pseudo-random samples.

    Parameters
    ----------
    Y : array-like, shape (N, d)
        Targets.
    h : array-like, shape (N,)
        Heights to check.
    nu : array-like, shape (N,), optional
        Target weights (normalised to sum 1); uniform when omitted.
    n_samples : int
        Number of fresh samples :math:`M`.
    source : {"uniform", "gaussian"}
    random_state : int
        Seed of the check; use one the solver did not use.
    return_mu : bool
        Also return the estimated cell measures, shape (N,).
    distributed : bool
        Shard the scoring over the ranks of the initialised ``torch.distributed`` group
        (:mod:`aeot_viz.ot.distributed`); every rank passes the same arguments and gets the same result.

    Returns
    -------
    OTValidation, or (OTValidation, numpy.ndarray) when ``return_mu``.
    """
    dev = resolve_device(device)
    Y, w = _as_targets(Y, nu, dev)
    h = torch.as_tensor(np.asarray(h, dtype=np.float32) if not torch.is_tensor(h) else h).to(dev, torch.float32)
    if h.shape != (Y.shape[0],):
        raise ValueError(f"Heights must have shape ({Y.shape[0]},), got {tuple(h.shape)}.")
    if n_samples < 1:
        raise ValueError(f"n_samples must be positive, got {n_samples}.")
    for counts, m in _running_counts(Y, h, n_samples, source, random_state, batch, dev, distributed):  # noqa: B007
        pass  # the last (counts, samples) is the whole check
    val, mu = _summarise(counts, m, w)
    if return_mu:
        return val, mu.cpu().numpy()
    return val


def _running_counts(Y, h, n_samples, source, random_state, batch, dev, distributed):
    """Yield (cell counts so far, samples so far) after each batch of :func:`random_batches`."""
    counts = torch.zeros(Y.shape[0], dtype=torch.long, device=dev)
    count = _counts_kernel(distributed)
    m = 0
    for X in random_batches(n_samples, Y.shape[1], source, random_state=random_state, batch=batch, device=dev):
        counts += count(X, Y, h)
        m += X.shape[0]
        yield counts, m


def _noise_floor(w: torch.Tensor, n_samples: int) -> float:
    r"""The expected L1 reading of an exact solution under ``n_samples`` samples:
    :math:`\sum_i \sqrt{2/\pi}\,\sqrt{\nu_i(1-\nu_i)/M}` (the binomial counts' mean absolute deviations)."""
    return float((math.sqrt(2.0 / math.pi) * torch.sqrt(w * (1 - w) / n_samples)).sum())


def _summarise(counts: torch.Tensor, n_samples: int, w: torch.Tensor) -> tuple[OTValidation, torch.Tensor]:
    """The validation report of ``counts`` from ``n_samples`` samples against target weights ``w``."""
    mu = counts.double() / n_samples
    err = (mu - w).abs()
    pos = w > 0
    max_rel = float((err[pos] / w[pos]).max()) if bool(pos.any()) else 0.0
    floor = _noise_floor(w, n_samples)
    val = OTValidation(
        l1=float(err.sum()),
        empty_share=float(((counts == 0) & pos).double().mean()),
        max_rel_error=max_rel,
        noise_floor=floor,
        n_samples=int(n_samples),
    )
    return val, mu
