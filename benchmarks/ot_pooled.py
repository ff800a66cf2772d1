"""The pooled OT solver (the default for d > 2) against the stochastic one it replaced, and POT 0.9.7, in one run.

    pip install -r benchmarks/requirements.txt      # POT 0.9.7, the peer
    python benchmarks/ot_pooled.py [--sets mnist10k digits mixture] [--pot-iters mnist10k=1000 ...]

Target sets: (a) the shipped MNIST-10k model's 10,000 codes (d = 32), normalised as the model does; (b)
scikit-learn's 1,797 digits (bundled with scikit-learn), pixels / 16, PCA to 16 dimensions (random_state=0),
scaled so that the largest absolute coordinate is 0.5; (c) the 5,000 x 32 Gaussian mixture of
``benchmarks/ot_solver.py``.

Each solver runs once with its defaults (``method="stochastic"``: today's solver; ``method="auto"``: the pooled
one), each timed alone on an otherwise idle machine. Both stop on their own certificate of the same accuracy
(``floor_factor`` 1.3 of ``auto_validation_samples(N)``). Every result is then scored by one independent check:
2^22 fresh pseudo-random uniform samples, torch generator seed 20_251_124, which no solver uses (the stochastic
solver's batches are Sobol and its checks other seeds; the pooled solver's samples come from a counter hash).

POT: ``ot.semidiscrete.solve_semidiscrete`` as in ``benchmarks/ot_solver.py`` (averaged SGD, batch 1000) with
one budget per set (``--pot-iters``). Its accuracy level is its checked L1 corrected for the check's noise,
:math:`e = \\sqrt{L^2 - f^2}`. The pooled solver's time to that level is given twice: the time of its first fresh
check (each round's new pool, read before anything is fitted to it) whose corrected error is at most POT's, and the
time at which it first held heights that good (a round's end, its snapshot there judged by the same independent
check as POT's result: the like-for-like figure, as POT's own run is judged only afterwards).
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ot_solver import CHECK_SEED, check, mixture, run_pot, scale_half  # noqa: E402

from aeot_viz.ot import SemiDiscreteOT  # noqa: E402


def mnist10k_codes() -> np.ndarray:
    with np.load(ROOT / "assets" / "default_mnist10k.npz", allow_pickle=False) as z:
        return ((z["codes"] - z["norm_center"]) / z["norm_scale"]).astype(np.float32)


def digits_pca16() -> np.ndarray:
    from sklearn.datasets import load_digits
    from sklearn.decomposition import PCA

    X = load_digits().data / 16.0
    return scale_half(PCA(16, random_state=0).fit_transform(X))


SETS = {"mnist10k": ("shipped MNIST-10k codes", mnist10k_codes),
        "digits": ("scikit-learn digits, PCA-16", digits_pca16),
        "mixture": ("Gaussian mixture", lambda: mixture(5_000, 32))}
POT_ITERS = {"mnist10k": 1000, "digits": 2000, "mixture": 1000}


def corrected(l1: float, floor: float) -> float:
    return math.sqrt(max(l1 * l1 - floor * floor, 0.0))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="+", default=list(SETS))
    ap.add_argument("--pot-iters", nargs="*", default=[], help="SET=ITERATIONS, POT's budget per set")
    ap.add_argument("--no-pot", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(max(torch.get_num_threads(), 1))
    pot_iters = dict(POT_ITERS, **{k: int(v) for k, v in (a.split("=") for a in args.pot_iters)})
    summary = []
    for key in args.sets:
        title, make = SETS[key]
        Y = make()
        N, d = Y.shape
        Yt = torch.as_tensor(Y)
        print(f"\n**{title}: N = {N:,}, d = {d}; independent check 2^22 samples, seed {CHECK_SEED}**\n", flush=True)
        print("| solver | time s | iterations | samples scored against all targets | own certificate | "
              "check L1 | check floor | L1 / floor | empty cells |")
        print("|---|---:|---:|---:|---|---:|---:|---:|---:|")
        res = {}
        for name, method in (("stochastic (today's)", "stochastic"), ("pooled (new default)", "auto")):
            t0 = time.perf_counter()
            ot = SemiDiscreteOT(method=method, random_state=0).fit(Y)
            sec = time.perf_counter() - t0
            c = check(Yt, torch.as_tensor(ot.h_, dtype=torch.float32), 22)
            v = ot.validation_
            if ot.solver_ == "pooled":
                scored = ot.samples_scored_
                own = (f"fresh pool {v.n_samples:,}: {v.l1:.4f} = {v.l1 / v.noise_floor:.3f}x its floor "
                       f"(passes at {ot.validation_log_[-1].get('floor_factor', float('nan')):.3f}x)")
            else:
                scored = int(ot.log_["samples"][-1]) + sum(int(e["n_samples"]) for e in ot.validation_log_)
                own = f"{v.n_samples:,} samples: {v.l1:.4f} = {v.l1 / v.noise_floor:.3f}x its floor (passes at 1.3x)"
            res[method] = (sec, c, ot)
            print(f"| {name} | {sec:.1f} | {ot.n_iter_:,} | {scored:,} | {own} | {c['l1']:.4f} | {c['floor']:.4f} | "
                  f"{c['l1'] / c['floor']:.3f} | {c['empty']:.2%} |", flush=True)
        speed = res["stochastic"][0] / res["auto"][0]
        line = {"set": title, "speed-up": speed}
        if not args.no_pot:
            t0 = time.perf_counter()
            h = run_pot(Yt, pot_iters[key], "cpu")
            sec = time.perf_counter() - t0
            c = check(Yt, h.float(), 22)
            print(f"| POT 0.9.7, {pot_iters[key]:,} iterations | {sec:.1f} | {pot_iters[key]:,} | "
                  f"{pot_iters[key] * 1000:,} | - | {c['l1']:.4f} | {c['floor']:.4f} | {c['l1'] / c['floor']:.3f} | "
                  f"{c['empty']:.2%} |", flush=True)
            e_pot = corrected(c["l1"], c["floor"])
            ot = res["auto"][2]
            hit = [e for e in ot.validation_log_ if e.get("pool") and corrected(e["l1"], e["noise_floor"]) <= e_pot]
            t_ours = hit[0]["time"] if hit else float("nan")
            # the heights the solver held at each round's end (its snapshot there), judged by the same check as POT's
            t_held = float("nan")
            iters = list(ot.log_["iteration"])
            for e in ot.validation_log_[1:]:
                if not e.get("pool") or e["iteration"] not in iters:
                    continue
                k = int(np.searchsorted(ot.snapshot_iters_, e["iteration"]))
                if k >= len(ot.snapshot_iters_) or ot.snapshot_iters_[k] != e["iteration"]:
                    continue
                cs = check(Yt, torch.as_tensor(ot.snapshots_[k], dtype=torch.float32), 22)
                if cs["empty"] == 0 and corrected(cs["l1"], cs["floor"]) <= e_pot:
                    t_held = float(ot.log_["time"][iters.index(e["iteration"])])
                    break
            line.update(pot_level=e_pot, pot_time=sec, ours_time=t_ours, held_time=t_held,
                        pot_ratio=sec / t_ours if hit else float("nan"), held_ratio=sec / t_held,
                        pot_empty=c["empty"])
        summary.append(line)
    print(f"\npeak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:.0f} MiB\n")
    print("| set | stochastic / pooled time | POT's level (true L1) | POT's time | pooled: certified by its own fresh "
          "check | POT / pooled | pooled: held (round end, independent check) | POT / pooled |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for s in summary:
        if "pot_time" in s:
            print(f"| {s['set']} | {s['speed-up']:.2f}x | {s['pot_level']:.4f} | {s['pot_time']:.1f} s | "
                  f"{s['ours_time']:.2f} s | {s['pot_ratio']:.0f}x | {s['held_time']:.2f} s | {s['held_ratio']:.0f}x |")
        else:
            print(f"| {s['set']} | {s['speed-up']:.2f}x | - | - | - | - | - | - |")


if __name__ == "__main__":
    main()
