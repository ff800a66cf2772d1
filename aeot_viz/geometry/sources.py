"""The source measure of semi-discrete OT: uniform on the cube or Gaussian, drawn pseudo-randomly or by Sobol."""

from __future__ import annotations

import math

import numpy as np
import torch

__all__ = ["SOURCES", "SAMPLERS", "sample_source", "sample_source_at", "random_batches"]

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


_hash_kernel = None


def _hash_uniform_kernel():
    """A numba kernel: uniform (0, 1) float64 values from a counter hash (splitmix64 of seed and position)."""
    global _hash_kernel
    if _hash_kernel is None:
        import numba as nb

        @nb.njit(parallel=True, cache=True)
        def kernel(seed, idx, width, out):  # pragma: no cover - compiled
            golden = np.uint64(0x9E3779B97F4A7C15)
            s = np.uint64(seed) * golden + np.uint64(0x632BE59BD9B4E019)
            for a in nb.prange(idx.shape[0]):
                base = np.uint64(idx[a]) * np.uint64(width)
                for j in range(width):
                    z = s ^ ((base + np.uint64(j)) * np.uint64(0xD1B54A32D192ED03))
                    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
                    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
                    z = z ^ (z >> np.uint64(31))
                    out[a, j] = (np.float64(z >> np.uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)

        _hash_kernel = kernel
    return _hash_kernel


def sample_source_at(seed: int, idx, dim: int, source: str = "uniform") -> torch.Tensor:
    r"""Source points number ``idx`` of the counter-based stream ``seed``: any subset, in any order, on demand.

    Point :math:`a` is a function of ``(seed, a)`` only: coordinate :math:`j` comes from the splitmix64 hash of
    the seed and the position :math:`a d + j` (53 bits, a uniform value in (0, 1)); the Gaussian source uses two
    such values per coordinate (Box-Muller). A pool of samples can then be regenerated, wholly or in part, instead
    of stored (:class:`~aeot_viz.geometry.candidates.CandidatePool`).

    Parameters
    ----------
    seed : int
        Non-negative stream number.
    idx : array-like of int, shape (n,)
        Positions in the stream (non-negative).
    dim : int
    source : {"uniform", "gaussian"}

    Returns
    -------
    torch.Tensor, shape (n, dim), float32 on the CPU
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}.")
    idx = np.ascontiguousarray(np.asarray(idx, dtype=np.int64).reshape(-1))
    if len(idx) and idx.min() < 0:
        raise ValueError("Sample positions must be non-negative.")
    if int(seed) < 0:
        raise ValueError(f"seed must be non-negative, got {seed}.")
    width = dim if source == "uniform" else 2 * dim
    u = np.empty((len(idx), width), dtype=np.float64)
    if len(idx):
        _hash_uniform_kernel()(np.uint64(int(seed) % 2**64), idx, width, u)
    if source == "uniform":
        return torch.from_numpy((u - 0.5).astype(np.float32))
    z = np.sqrt(-2.0 * np.log(u[:, :dim])) * np.cos(2.0 * np.pi * u[:, dim:])
    return torch.from_numpy(z.astype(np.float32))
