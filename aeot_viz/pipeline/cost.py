r"""What a training run will cost in time, said before it starts: a model of each stage on measured speeds.

The estimate sums the stages of :func:`~aeot_viz.pipeline.training.fit_aeot` and the views:

- autoencoder: ``epochs`` passes over the data at the measured time of one training sample (a forward and
  backward pass of the configured network on one batch, timed here);
- encode: one forward pass per sample (a third of a training sample);
- OT, for :math:`N` codes in :math:`d` dimensions: exact Newton for 2-D codes (a measured cost per code), else the
  pooled solver (:mod:`aeot_viz.ot.pooled`), whose cost is the samples it scores against all targets,
  :math:`S \times N` pairs at the kernel's measured rate, scaled by :math:`d / 32`. With a validation size
  :math:`V`, floor factor :math:`F` and cap :math:`P` its pools add up to about
  :math:`V / (F^2 - 1)` before the check can pass, plus the growing first pools, the passing pool, the first
  pool's rescoring from its cold start and a twentieth rescored in the later rounds (:func:`pooled_samples`);
- the convex null: one more OT solve of the same size (in 2-D a cheaper Newton solve, at its own cost per code);
- views: PCA, UMAP and t-SNE of the codes and the singular-set views, at a measured cost per code and a fixed
  part (numba compiling UMAP in a fresh worker); a 2-D model has no projection to compute;
- a fixed start-up (a worker process importing torch).

:class:`MachineSpeed` holds the measured rates (:func:`measure_speed` takes about half a second); the figures
are checked against real runs in ``benchmarks/train_estimate.py`` (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Optional

__all__ = ["MachineSpeed", "measure_speed", "pooled_samples", "estimate_training_seconds", "seconds_in_words"]

#: the 2-D Newton solve with its sampled cross-check, per code, and the 2-D convex null's (measured on 2 cores on
#: ring8 and two_moons at 1,000 and 3,000 points: 0.5-1.4 ms and 0.3-0.6 ms per code, 2026-12-02)
NEWTON_SECONDS_PER_CODE = 0.9e-3
NEWTON_NULL_SECONDS_PER_CODE = 0.4e-3
#: views of a 2-D model (no projection to compute: cell masses, singular set, slices), per code
VIEW_SECONDS_PER_CODE_2D = 0.3e-3
#: views (PCA, UMAP, t-SNE, singular set, slices) per code, and their fixed part, which is mostly numba compiling
#: UMAP in a fresh worker (measured on MNIST at 2,000 and 10,000 codes: 54 s and 92 s, 2026-12-02)
VIEW_SECONDS_PER_CODE = 5e-3
VIEW_SECONDS_FIXED = 40.0
#: starting a worker process and importing torch there
STARTUP_SECONDS = 4.0
#: rescoring of failed certificates on top of the pools' first scoring, in the rounds after the first
RESCORE_SHARE = 0.05
#: the first round starts cold (heights from zero) and its large steps fail most certificates for a while: it
#: rescores its pool about this many times (measured: 9-13 times on 300-600 targets, 6 on the shipped MNIST-10k, 1 on
#: Stacked MNIST; the whole count then reads 0.88x and 1.14x what those two solves scored)
FIRST_POOL_RESCORES = 8


@dataclasses.dataclass(frozen=True)
class MachineSpeed:
    """Measured speeds of this machine.

    Attributes
    ----------
    pairs_per_second : float
        Sample-target pairs scored per second by the pooled solver's top-k kernel at d = 32.
    ae_seconds_per_sample : float
        One training sample of the configured autoencoder (forward and backward at its batch size).
    """

    pairs_per_second: float
    ae_seconds_per_sample: float


def measure_speed(config, sample_shape, kind: str) -> MachineSpeed:
    """Time the OT kernel (16,384 samples against 4,096 targets in 32-D, top-(k+1) as the pooled solver scores; the
    best of three) and one autoencoder batch.

    Parameters
    ----------
    config : AEOTConfig
    sample_shape : tuple of int
    kind : {"images", "points"}
    """
    import torch

    from ..geometry.candidates import fused_top_k, torch_top_k
    from ..geometry.sources import sample_source_at
    from ..models.autoencoder import build_autoencoder

    gen = torch.Generator().manual_seed(0)
    Y = torch.rand(4096, 32, generator=gen) - 0.5
    h = -0.5 * (Y * Y).sum(dim=1)
    X = sample_source_at(1, range(16384), 32)
    top = fused_top_k if not torch.cuda.is_available() else torch_top_k
    k = int(config.ot.candidates) + 1
    top(X[:256], Y, h, k)  # compile / warm up
    best = math.inf
    for _ in range(3):  # the best of three: a busy moment on the server does not set the rate
        t0 = time.perf_counter()
        top(X, Y, h, k)
        best = min(best, time.perf_counter() - t0)
    pairs = len(X) * len(Y) / max(best, 1e-9)
    ae_per = 0.0
    if not (kind == "points" and tuple(sample_shape) == (2,)):
        net = build_autoencoder(config.ae, kind, tuple(sample_shape))
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        b = int(config.train.batch_size)
        x = torch.rand(b, *sample_shape, generator=gen)
        for _ in range(2):  # the first pass warms up; the second is timed
            t0 = time.perf_counter()
            out = net(x)
            rec = out[0] if isinstance(out, tuple) else out
            loss = ((rec - x) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            ae_per = (time.perf_counter() - t0) / b
    return MachineSpeed(pairs_per_second=pairs, ae_seconds_per_sample=ae_per)


def pooled_samples(n_targets: int, ot_config) -> int:
    r"""Samples the pooled solver is expected to score against all targets (module docstring)."""
    from ..ot.pooled import pool_sizes
    from ..ot.validation import validation_size

    V = validation_size(n_targets, ot_config.validation_samples)
    sizes = pool_sizes(n_targets, V, int(ot_config.candidates), ot_config.pool_size)
    cap, growing = sizes[-1], sum(sizes[:-1])
    F = float(ot_config.floor_factor)
    needed = V / (F * F - 1.0) if F > 1 else 4.0 * V
    n_cap = max(math.ceil((needed - growing) / cap), 1) + 1  # the pools to get there, and the one that passes
    return int((growing + n_cap * cap) * (1.0 + RESCORE_SHARE) + FIRST_POOL_RESCORES * sizes[0])


def estimate_training_seconds(n_samples: int, sample_shape, kind: str, config,
                              speed: Optional[MachineSpeed] = None) -> dict:
    """Seconds each stage of a training run with ``config`` on ``n_samples`` samples is expected to take.

    Parameters
    ----------
    n_samples : int
    sample_shape : tuple of int
        One sample's shape.
    kind : {"images", "points"}
    config : AEOTConfig
    speed : MachineSpeed, optional
        Measured when omitted (:func:`measure_speed`).

    Returns
    -------
    dict
        ``{"start": s, "autoencoder": s, "encode": s, "ot": s, "convex null": s, "views": s, "total": s}``.
    """
    speed = speed or measure_speed(config, sample_shape, kind)
    toy = kind == "points" and tuple(sample_shape) == (2,)
    d = 2 if toy else int(config.ae.latent_dim)
    n = int(n_samples)
    ae = 0.0 if toy else config.train.epochs * n * speed.ae_seconds_per_sample
    enc = 0.0 if toy else n * speed.ae_seconds_per_sample / 3.0
    if toy:
        ot, null = NEWTON_SECONDS_PER_CODE * n, NEWTON_NULL_SECONDS_PER_CODE * n
        views = VIEW_SECONDS_PER_CODE_2D * n
    else:
        ot = null = pooled_samples(n, config.ot) * n * max(d, 8) / 32.0 / speed.pairs_per_second
        views = VIEW_SECONDS_FIXED + VIEW_SECONDS_PER_CODE * n
    out = {"start": STARTUP_SECONDS, "autoencoder": ae, "encode": enc, "ot": ot, "convex null": null, "views": views}
    out["total"] = sum(out.values())
    return out


def seconds_in_words(seconds: float) -> str:
    """``"about 40 s"``, ``"about 7 min"``, ``"about 1.5 h"``."""
    s = float(seconds)
    if s < 90:
        return f"about {max(round(s), 1)} s"
    if s < 5400:
        return f"about {round(s / 60)} min"
    return f"about {s / 3600:.1f} h"
