"""Memory bound of the OT solver: N = 200,000 targets in d = 100 must fit in about 2 GB.

    python benchmarks/ot_memory.py [--n 200000] [--dim 100] [--iters 3] [--device cpu] [--method auto]

Runs a few solver iterations and a validation pass on random targets (the cost per iteration does not
depend on the data), then prints the process's peak resident memory next to the memory of the targets
themselves, and the memory the dense score matrix of one batch would need (which is never formed).

With the pooled solver (the default, ``--method auto``) the run's pools are small (its validation size is
2^16); the candidate lists of a default solve's largest pool at this N are then allocated and written in full
(``CandidatePool`` at ``pool_sizes(N, auto_validation_samples(N))[-1]`` samples, with a full set of epochs) and
the peak is printed again: the memory a default pooled solve adds at this size, without its hours of scoring.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from aeot_viz.ot import SemiDiscreteOT  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--method", default="auto", choices=["auto", "stochastic"])
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    Y = rng.uniform(-0.5, 0.5, (args.n, args.dim)).astype(np.float32)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    t0 = time.perf_counter()
    ot = SemiDiscreteOT(max_iter=args.iters, round_iter=max(args.iters, 2), batch_size=16384,
                        validation_samples=2**16, device=args.device, method=args.method).fit(Y)
    dt = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    dense = 16384 * args.n * 4 / 2**20
    print(f"N={args.n} d={args.dim}: {ot.n_iter_} iterations + validation in {dt:.1f} s; "
          f"peak RSS {peak:.0f} MiB (before solving {base:.0f} MiB; targets {Y.nbytes / 2**20:.0f} MiB; "
          f"a dense score matrix of one batch would be {dense:.0f} MiB); solver {ot.solver_}")
    if ot.solver_ == "pooled":
        import torch

        from aeot_viz.geometry.candidates import MAX_EPOCHS, CandidatePool
        from aeot_viz.ot.pooled import pool_sizes
        from aeot_viz.ot.validation import auto_validation_samples

        cap = pool_sizes(args.n, auto_validation_samples(args.n), ot.candidates)[-1]
        pool = CandidatePool(torch.as_tensor(Y), cap, k=ot.candidates)
        for a in (pool.cand, pool.ip, pool.tau, pool.ep, pool.best, pool.gap, pool.fail):
            a.fill(1)  # touch every page
        pool._epochs = [np.ones(args.n, dtype=np.float32) for _ in range(MAX_EPOCHS)]
        peak2 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
        print(f"a default solve's largest pool at N={args.n}: {cap:,} samples, lists {pool.nbytes / 2**20:.0f} MiB "
              f"({pool.nbytes / cap:.0f} bytes a sample) plus working arrays and {MAX_EPOCHS} epochs of heights; "
              f"peak RSS with them {peak2:.0f} MiB")


if __name__ == "__main__":
    main()
