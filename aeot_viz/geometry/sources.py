"""The source measure of semi-discrete OT: uniform on the cube or Gaussian, drawn pseudo-randomly or by Sobol."""

from __future__ import annotations

import math

import torch

__all__ = ["SOURCES", "SAMPLERS", "sample_source", "random_batches"]

SOURCES = ("uniform", "gaussian")
SAMPLERS = ("sobol", "random")


def sample_source(
    n: int,
    dim: int,
    source: str = "uniform",
    *,
    sampler: str = "random",
    seed: int = 0,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    r"""Draw ``n`` points from the source measure.

    Parameters
    ----------
    n, dim : int
        Number of points and dimension.
    source : {"uniform", "gaussian"}
        Uniform on :math:`[-\tfrac12, \tfrac12]^d` or the standard normal :math:`N(0, I_d)`.
    sampler : {"random", "sobol"}
        Pseudo-random points, or a scrambled Sobol sequence (randomised quasi-Monte Carlo: each seed
        gives an independent scrambling, so estimates stay unbiased).
    seed : int
        Seed of this draw; equal seeds give equal points.

    Returns
    -------
    torch.Tensor, shape (n, dim)
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}.")
    if sampler == "sobol" and dim <= torch.quasirandom.SobolEngine.MAXDIM:
        u = torch.quasirandom.SobolEngine(dim, scramble=True, seed=int(seed)).draw(n, dtype=torch.float64)
        u = u.to(device=device, dtype=dtype)
        if source == "uniform":
            return u - 0.5
        eps = torch.finfo(dtype).eps
        return math.sqrt(2.0) * torch.erfinv(2.0 * u.clamp(eps, 1 - eps) - 1.0)
    if sampler not in ("random", "sobol"):
        raise ValueError(f"sampler must be 'random' or 'sobol', got {sampler!r}.")
    gen = torch.Generator(device=device).manual_seed(int(seed))
    if source == "uniform":
        return torch.rand(n, dim, generator=gen, device=device, dtype=dtype) - 0.5
    return torch.randn(n, dim, generator=gen, device=device, dtype=dtype)


def random_batches(n_samples: int, dim: int, source: str = "uniform", *, random_state: int = 0,
                   batch: int = 2**18, device: torch.device | str = "cpu"):
    """Yield ``n_samples`` pseudo-random source points in batches of at most ``batch`` rows.

    Batch ``k`` is seeded ``random_state * 1_000_003 + k``, so a check is reproducible and independent of
    the solver's own draws (which use other seeds).
    """
    done, k = 0, 0
    while done < n_samples:
        m = min(batch, n_samples - done)
        yield sample_source(m, dim, source, sampler="random", seed=random_state * 1_000_003 + k, device=device)
        done += m
        k += 1
