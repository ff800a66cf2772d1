"""OT accuracy with default settings: a fresh solve and the shipped models against an independent check.

    python benchmarks/ot_accuracy.py [--sets digits16 mixture16 shipped]

For each target set, ``SemiDiscreteOT()`` with its defaults (device cpu, random_state 0) solves from
scratch; its heights are then scored by an independent check of 2^22 fresh pseudo-random samples with a
seed the solver never uses (``validate_ot(..., random_state=20_251_124)``). ``shipped`` scores the heights
stored in the shipped bundles without solving. The goal (issue 15): the check reads at most 1.3 times its
noise floor, with no empty cell. Prints a markdown table with the time each solve took.

Sets: scikit-learn's digits (1,797) in PCA-16, and a 16-D Gaussian mixture of 5,000 codes (10 centres
N(0, I), spread 0.35), each scaled so that the largest coordinate is 0.5. The 5,000 x 32 mixture's default
solve is the last "ours" row of ``benchmarks/ot_solver.py``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ot_solver import CHECK_SEED, mixture, scale_half  # noqa: E402  (benchmarks/, the script's own folder)

from aeot_viz.ot import SemiDiscreteOT, validate_ot  # noqa: E402
from aeot_viz.pipeline.bundle import load_bundle  # noqa: E402


def digits16() -> np.ndarray:
    from sklearn.datasets import load_digits
    from sklearn.decomposition import PCA

    return scale_half(PCA(16, random_state=0).fit_transform(load_digits().data))


def mixture16() -> np.ndarray:
    return mixture(5000, 16)


def row(name: str, Y: np.ndarray, h: np.ndarray, solve: str) -> str:
    c = validate_ot(Y, h, n_samples=2**22, random_state=CHECK_SEED, device="cpu")
    ok = "yes" if c.l1 <= 1.3 * c.noise_floor and c.empty_share == 0 else "**no**"
    return (f"| {name} | {Y.shape[0]:,} | {Y.shape[1]} | {solve} | {c.l1:.4f} | {c.noise_floor:.4f} | "
            f"{c.l1 / c.noise_floor:.2f}x | {c.empty_share:.2%} | {ok} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="+", default=["digits16", "mixture16", "shipped"])
    args = ap.parse_args()
    print("| set | N | d | default solve | check L1 (2^22) | check floor | ratio | empty cells | <= 1.3x |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---|")
    sets = {"digits16": ("scikit-learn digits, PCA-16", digits16), "mixture16": ("16-D mixture", mixture16)}
    for key in args.sets:
        if key == "shipped":
            for name in ("default_mnist10k", "toy_grid25", "toy_ring8"):
                model = load_bundle(ROOT / "assets" / f"{name}.npz")
                v = model.ot_validation
                solve = (f"shipped: {len(model.ot_log['iteration'])} iterations, own check "
                         f"{v['l1'] / v['noise_floor']:.2f}x its floor on {v['n_samples']:,} samples")
                print(row(f"shipped {name}", model.targets, model.h, solve), flush=True)
            continue
        title, make = sets[key]
        Y = make()
        t0 = time.perf_counter()
        ot = SemiDiscreteOT(device="cpu", random_state=0).fit(Y)
        sec = time.perf_counter() - t0
        solve = (f"{ot.n_iter_} iterations, {sec:.0f} s, validation {ot.validation_samples_:,} samples"
                 + ("" if ot.converged_ else ", **budget exhausted**"))
        print(row(title, Y, ot.h_, solve), flush=True)


if __name__ == "__main__":
    main()
