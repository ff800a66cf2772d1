r"""Scale the OT solve past one device: the targets are sharded across ``torch.distributed`` ranks.

The heavy step of :class:`~aeot_viz.ot.SemiDiscreteOT` is scoring a batch of M source samples against N
targets (M x N x d work). With ``distributed=True`` every rank draws the **same** batch (same seeds),
scores it against its own contiguous shard of the targets (``N / world`` of them), and one
``all_gather`` of the per-shard best scores and cells picks the global arg-max of every sample (ties to
the lowest target index, as on one process). Every rank then holds the same cell counts and applies the
same element-wise height update, so the result equals the single-process solver's for the same seeds
(up to floating-point ties), while each rank does only its shard of the scoring.

Run it on several GPUs or machines with ``torchrun`` (NCCL on GPUs, gloo on CPUs)::

    torchrun --nproc_per_node=4 -m aeot_viz.ot.distributed --targets codes.npy --out heights.npy

and from Python, inside an initialised process group, ``SemiDiscreteOT(distributed=True).fit(Y)``.
"""

from __future__ import annotations

import argparse
import os

import numpy as np
import torch
import torch.distributed as dist

from .sharded import shard_bounds, sharded_cell_counts

__all__ = ["shard_bounds", "sharded_cell_counts", "main"]


def main(argv=None) -> None:
    """``torchrun ... -m aeot_viz.ot.distributed --targets Y.npy --out h.npy``: a sharded OT solve."""
    from .solver import SemiDiscreteOT

    ap = argparse.ArgumentParser(description="Sharded semi-discrete OT solve (launch with torchrun).")
    ap.add_argument("--targets", required=True, help=".npy array (N, d) in the cube [-1/2, 1/2]^d")
    ap.add_argument("--out", required=True, help="where rank 0 writes the heights (.npy)")
    ap.add_argument("--max-iter", type=int, default=None, help="OT iteration budget (default: the solver's)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--backend", default=None, help="nccl on GPUs, gloo otherwise (default)")
    args = ap.parse_args(argv)
    backend = args.backend or ("nccl" if torch.cuda.is_available() else "gloo")
    dist.init_process_group(backend)
    try:
        rank = dist.get_rank()
        device = f"cuda:{rank % torch.cuda.device_count()}" if backend == "nccl" else "cpu"
        from ..io.array_limits import read_npy

        with open(args.targets, "rb") as f:
            Y = read_npy(f, str(args.targets), available=os.fstat(f.fileno()).st_size)
        params = {} if args.max_iter is None else {"max_iter": args.max_iter}
        ot = SemiDiscreteOT(random_state=args.seed, device=device, distributed=True, **params).fit(Y)
        if rank == 0:
            np.save(args.out, ot.h_)
            print(f"{dist.get_world_size()} ranks: validated L1 {ot.validation_.l1:.4f} "
                  f"(noise floor {ot.validation_.noise_floor:.4f}), {ot.n_iter_} iterations -> {args.out}")
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
