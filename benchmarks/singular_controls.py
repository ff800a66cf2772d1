"""Convex controls of the singular-set rules: how many facets of a convex support each rule flags.

    python benchmarks/singular_controls.py [--only gaussian-32 cube-32 ...] [--max-iter 300]

A convex support has no gap, so every facet it flags is a false positive. Each control is drawn,
mapped into the source cube by ``LatentNormalizer``, solved by ``SemiDiscreteOT``, and judged by ``singular_set``
against its own convex null (a uniform ellipsoid with the control's mean and covariance, solved alike, seed 7919).
Both rules are read off the same facets and null: the midpoint test (default) and issue 13's jump rule.

Controls (each drawn with its own seed, 2026 + its position in this list):

- ``gaussian-32``: 10,000 codes of a 32-D Gaussian with the covariance of the shipped MNIST-10k codes;
- ``cube-32``: 10,000 codes uniform in a 32-D cube;
- ``flat8-32``: 10,000 codes uniform in an 8-D ball embedded in 32-D;
- ``disc-2``, ``gaussian-2``, ``gaussian-16``, ``cube-16``: 3,000 codes (issue 13's controls).

Every solve is capped (``--max-iter`` iterations, 2^20 validation samples), the data and its null alike.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout, no install needed
import aeot_viz as av  # noqa: E402


def _ball(n, k, rng):
    g = rng.standard_normal((n, k))
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    return g * rng.random(n)[:, None] ** (1.0 / k)


def _mnist_gaussian(rng):
    """10,000 codes of a Gaussian with the mean and covariance of the shipped MNIST-10k targets."""
    Ym = np.asarray(av.load_bundle(ROOT / "assets" / "default_mnist10k.npz").targets, dtype=np.float64)
    return Ym.mean(0) + rng.multivariate_normal(np.zeros(Ym.shape[1]), np.cov(Ym.T), 10_000)


def _flat(n, k, d, rng):
    ball = _ball(n, k, rng)
    return 0.4 * ball @ np.linalg.qr(rng.standard_normal((d, k)))[0].T


#: name -> draw(rng); each control has its own seed (2026 + its position), so any subset draws the same codes
CONTROLS = {
    "gaussian-32": _mnist_gaussian,
    "cube-32": lambda rng: rng.uniform(-0.3, 0.3, (10_000, 32)),
    "flat8-32": lambda rng: _flat(10_000, 8, 32, rng),
    "disc-2": lambda rng: 0.45 * _ball(3000, 2, rng),
    "gaussian-2": lambda rng: 0.12 * rng.standard_normal((3000, 2)),
    "gaussian-16": lambda rng: 0.08 * rng.standard_normal((3000, 16)),
    "cube-16": lambda rng: rng.uniform(-0.3, 0.3, (3000, 16)),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", default=None, help="controls to run (default: all)")
    ap.add_argument("--max-iter", type=int, default=300)
    args = ap.parse_args()
    ot = dict(max_iter=args.max_iter, validation_samples=2**20, device="cpu")
    print("| control | codes, dim | facets | midpoint test: flagged | p | jump rule: flagged | p | OT s | null s |\n"
          "|---|---|---:|---:|---:|---:|---:|---:|---:|", flush=True)
    for seed, (name, draw) in enumerate(CONTROLS.items(), start=2026):
        if args.only and name not in args.only:
            continue
        Z = draw(np.random.default_rng(seed))
        Y = av.LatentNormalizer().fit(Z).transform(Z).astype(np.float64)
        t0 = time.perf_counter()
        h = av.SemiDiscreteOT(random_state=0, **ot).fit(Y.astype(np.float32)).h_
        fit_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        ss = av.singular_set(Y, h, solver_params=ot, random_state=0)  # builds the null: its solve is most of this
        null_s = time.perf_counter() - t0
        mid, jump = ss.with_null_rule(), ss.with_jump_rule()
        E = len(ss.pairs)
        print(f"| {name} | {len(Y):,}, {Y.shape[1]} | {E:,} | {mid.n_singular} ({mid.n_singular / E:.3%}) | "
              f"{mid.p_value:.2g} | {jump.n_singular} ({jump.n_singular / E:.3%}) | {jump.p_value:.2g} | {fit_s:.0f} | "
              f"{null_s:.0f} |", flush=True)


if __name__ == "__main__":
    main()
