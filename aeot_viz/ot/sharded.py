"""The sharded cell-count kernel behind ``SemiDiscreteOT(distributed=True)`` (see :mod:`aeot_viz.ot.distributed`).

Every rank scores the same batch against its own contiguous shard of the targets; one ``all_gather`` of
the per-shard best scores and cells picks the global arg-max of every sample (ties to the lowest index).
"""

from __future__ import annotations

from typing import Optional

import torch
import torch.distributed as dist

from ..geometry.scoring import best_cells

__all__ = ["shard_bounds", "sharded_cell_counts"]


def shard_bounds(n: int, rank: int, world: int) -> tuple[int, int]:
    """The contiguous slice ``[lo, hi)`` of ``n`` targets that ``rank`` of ``world`` scores."""
    if not 0 <= rank < world:
        raise ValueError(f"rank must be in [0, {world}), got {rank}.")
    base, extra = divmod(n, world)
    lo = rank * base + min(rank, extra)
    return lo, lo + base + (1 if rank < extra else 0)


def sharded_cell_counts(X: torch.Tensor, Y: torch.Tensor, h: torch.Tensor, *, group=None,
                        memory_budget: Optional[int] = None) -> torch.Tensor:
    """``cell_counts`` computed with the targets sharded over the ranks of ``group`` (module docstring).

    Every rank passes the same ``X``, ``Y`` and ``h``; each scores only its shard. Returns the (N,)
    counts, identical on every rank.
    """
    if not dist.is_available() or not dist.is_initialized():
        raise ValueError("sharded_cell_counts needs an initialised torch.distributed process group "
                         "(torch.distributed.init_process_group, or launch with torchrun).")
    world, rank = dist.get_world_size(group), dist.get_rank(group)
    N = Y.shape[0]
    lo, hi = shard_bounds(N, rank, world)
    M = X.shape[0]
    if hi > lo:
        val, idx = best_cells(X, Y[lo:hi], h[lo:hi], memory_budget=memory_budget)
        idx = idx + lo
    else:  # more ranks than targets: this rank offers nothing
        val = torch.full((M,), -torch.inf, dtype=X.dtype, device=X.device)
        idx = torch.zeros(M, dtype=torch.long, device=X.device)
    vals = [torch.empty_like(val) for _ in range(world)]
    idxs = [torch.empty_like(idx) for _ in range(world)]
    dist.all_gather(vals, val, group=group)
    dist.all_gather(idxs, idx, group=group)
    V, I = torch.stack(vals), torch.stack(idxs)
    # the first rank holding the maximum wins: its shard has the lowest indices, as in a one-process arg-max
    best = torch.zeros(M, dtype=torch.long, device=X.device)
    best_val = V[0].clone()
    for r in range(1, world):
        better = V[r] > best_val
        best_val = torch.where(better, V[r], best_val)
        best = torch.where(better, torch.full_like(best, r), best)
    cells = I.gather(0, best[None])[0]
    return torch.bincount(cells, minlength=N)
