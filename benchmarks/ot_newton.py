"""Exact 2-D OT by damped Newton against the stochastic solver, on the same targets in the same run.

    taskset -c 0,1 python benchmarks/ot_newton.py [--stochastic-cap-10k 600]

Targets, all normalised into the square as the product does (``LatentNormalizer``):
the Playground's 500-point ring, grid25 with 2,000 points, two moons with 2,000 points, and grid25 with 10,000
points. For each: ``SemiDiscreteOT()`` (method "auto", i.e. Newton: solve time, steps, exact L1 from exact cell
areas, and the time of its 2^20-sample cross-check), then ``SemiDiscreteOT(method="stochastic")`` with the default
stop rule (capped at ``--stochastic-cap-10k`` iterations for the 10,000-point set, whose default rule would run
for most of an hour): time, iterations and the exact L1 of its heights, from the same exact cells. Both are then
checked on 2^22 fresh samples with a seed neither uses (L1 over its noise floor). Imports are warmed first.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from aeot_viz.data import load_dataset  # noqa: E402
from aeot_viz.data.drawing import preset  # noqa: E402
from aeot_viz.models.normalization import LatentNormalizer  # noqa: E402
from aeot_viz.ot import SemiDiscreteOT, validate_ot  # noqa: E402
from aeot_viz.ot.newton import exact_l1  # noqa: E402

CHECK_SEED = 777_001


def targets() -> dict:
    sets = {"ring (Playground preset), 500": preset("ring", 500, 0)[0]}
    for name, label, n in (("grid25", "grid25", 2000), ("two_moons", "two moons", 2000), ("grid25", "grid25", 10_000)):
        sets[f"{label}, {n:,}"] = load_dataset(name, n_samples=n, random_state=0).data
    return {k: LatentNormalizer().fit(v).transform(v) for k, v in sets.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stochastic-cap-10k", type=int, default=600)
    args = ap.parse_args()
    warm = np.random.default_rng(0).uniform(-0.4, 0.4, (50, 2)).astype(np.float32)
    SemiDiscreteOT(device="cpu").fit(warm)
    print("| targets | solver | time s | of which the sampled check | steps / iterations | exact L1 | empty cells "
          "| 2^22 check L1 / floor | time ratio stochastic / Newton |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, Y in targets().items():
        rows = []
        for method in ("newton", "stochastic"):
            cap = args.stochastic_cap_10k if (method == "stochastic" and len(Y) >= 10_000) else None
            kw = {} if cap is None else {"max_iter": cap}
            t0 = time.perf_counter()
            ot = SemiDiscreteOT(method=method, device="cpu", **kw).fit(Y)
            total = time.perf_counter() - t0
            check_s = total - ot.log_["time"][-1] if method == "newton" else float("nan")
            err, empty = exact_l1(Y, ot.h_)
            v = validate_ot(Y, ot.h_, n_samples=2**22, random_state=CHECK_SEED, device="cpu")
            rows.append((method + ("" if cap is None else f" (capped at {cap})"), total, check_s, ot.n_iter_, err,
                         empty, v.l1 / v.noise_floor, ot.converged_))
        ratio = rows[1][1] / rows[0][1]
        for k, (method, total, check_s, it, err, empty, ratio_floor, conv) in enumerate(rows):
            print(f"| {name} | {method}{'' if conv else ' (not converged)'} | {total:.2f} | "
                  f"{'' if np.isnan(check_s) else f'{check_s:.2f}'} | {it} | {err:.1e} | {empty:.2%} | "
                  f"{ratio_floor:.2f} | {f'{ratio:.1f}' if k == 1 else ''} |", flush=True)


if __name__ == "__main__":
    main()
