"""Time to accuracy of semi-discrete OT solvers: ours vs POT 0.9.7 vs the reference AE-OT recipe.

    pip install -r benchmarks/requirements.txt      # POT 0.9.7, the peer
    python benchmarks/ot_solver.py [--device cpu|cuda] [--sets mnist mixture] [--check-exp 22]

Target sets (fixed, reproducible): (a) MNIST-10k PCA-32: the 10,000 MNIST-10k images flattened to [0, 1]
pixels, PCA to 32 dimensions (scikit-learn, random_state=0), scaled so that the largest absolute
coordinate is 0.5; on CPU the first 2,000 of them (the same PCA). (b) A Gaussian mixture: 10 centres
drawn N(0, I), points = centre + 0.35 N(0, I), scaled the same way; 5,000 points in d = 32 on CPU,
60,000 in d = 64 on GPU.

Every solver's final heights are scored by one independent check: cell masses re-estimated with 2^22
(CPU) or 2^26 (GPU) fresh pseudo-random uniform samples on [-1/2, 1/2]^d (torch generator, seed
20_251_124): L1 = sum_i |mu_i - 1/N|, empty-cell share, max relative error, and the Monte Carlo noise
floor of that L1. Each solver runs a series of budgets (iterations), each from scratch, timed alone.

* ours: ``aeot_viz.ot.SemiDiscreteOT`` (defaults; ``max_iter`` = the budget; it may stop earlier once
  its own validation passes, 1.5 x the floor of 2^20 samples); "ours, 2^22 validation" validates on 2^22
  samples of its own, so it keeps going towards the check's floor.
* POT: ``ot.semidiscrete.solve_semidiscrete`` (averaged SGD, DRAG schedule, batch 1000, uniform sampler
  on the cube, torch backend); heights h = (g - |y|^2) / 2 from its potential g.
* reference recipe, written here from the AE-OT paper's description (not its code): Adam with lr 5e-2
  on h, one fixed Sobol set of 20,000 points reused every iteration, the set doubled after 30
  iterations without improvement of the gradient norm, stop when that norm is below 2e-3.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aeot_viz.ot import SemiDiscreteOT  # noqa: E402
from aeot_viz.scoring import cell_counts  # noqa: E402

CHECK_SEED = 20_251_124


def scale_half(X: np.ndarray) -> np.ndarray:
    return (0.5 * X / np.abs(X).max()).astype(np.float32)


def mnist_pca32(n: int) -> np.ndarray:
    from sklearn.decomposition import PCA

    with np.load(ROOT / "assets" / "mnist10k.npz", allow_pickle=False) as z:
        X = z["X"].astype(np.float32) / 255.0
    P = PCA(32, random_state=0).fit_transform(X)
    return scale_half(P[:n])


def mixture(n: int, d: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((10, d))
    X = centres[rng.integers(0, 10, n)] + 0.35 * rng.standard_normal((n, d))
    return scale_half(X)


def check(Y: torch.Tensor, h: torch.Tensor, n_exp: int) -> dict:
    """The independent score (module docstring)."""
    N, d = Y.shape
    gen = torch.Generator(device=Y.device).manual_seed(CHECK_SEED)
    counts = torch.zeros(N, dtype=torch.int64, device=Y.device)
    total, chunk = 2**n_exp, 2**18
    for _ in range(total // chunk):
        X = torch.rand(chunk, d, generator=gen, device=Y.device) - 0.5
        counts += cell_counts(X, Y, h)
    mu = counts.double() / total
    nu = 1.0 / N
    floor = N * math.sqrt(2 / math.pi) * math.sqrt(nu * (1 - nu) / total)
    return {"l1": float((mu - nu).abs().sum()), "empty": float((counts == 0).double().mean()),
            "max_rel": float(((mu - nu).abs() / nu).max()), "floor": floor}


def run_ours(Y, budget, device):
    ot = SemiDiscreteOT(max_iter=budget, device=device, random_state=0).fit(Y.cpu().numpy())
    return torch.as_tensor(ot.h_, dtype=torch.float32, device=Y.device)


def run_ours_accurate(Y, budget, device):
    """Ours with a 2^22-sample validation (its own seed), so that its stopping rule aims at the check's floor."""
    ot = SemiDiscreteOT(max_iter=budget, device=device, random_state=0, validation_samples=2**22)
    ot.fit(Y.cpu().numpy())
    return torch.as_tensor(ot.h_, dtype=torch.float32, device=Y.device)


def run_pot(Y, budget, device):
    from ot.semidiscrete import solve_semidiscrete

    gen = torch.Generator(device=Y.device).manual_seed(1)
    d = Y.shape[1]
    g = solve_semidiscrete(Y, lambda b: torch.rand(b, d, generator=gen, device=Y.device) - 0.5,
                           max_iter=budget, batch_size=1000)
    return (g - (Y * Y).sum(1)) / 2


def run_reference(Y, budget, device):
    """The reference recipe from its description (module docstring); ``budget`` caps the iterations."""
    N, d = Y.shape
    h = torch.zeros(N, device=Y.device, requires_grad=True)
    opt = torch.optim.Adam([h], lr=5e-2)
    m = 20_000
    sobol = torch.quasirandom.SobolEngine(d, scramble=True, seed=0)
    X = (sobol.draw(m) - 0.5).to(Y.device)
    best, stall = float("inf"), 0
    for _ in range(budget):
        with torch.no_grad():
            g = cell_counts(X, Y, h.detach()).float() / m - 1.0 / N
        norm = float(g.norm())
        if norm < 2e-3:
            break
        if norm < best:
            best, stall = norm, 0
        else:
            stall += 1
            if stall >= 30:
                m *= 2
                X = (sobol.draw(m) - 0.5).to(Y.device)
                best, stall = float("inf"), 0
        opt.zero_grad()
        h.grad = g
        opt.step()
    return h.detach()


SOLVERS = {"ours": run_ours, "ours, 2^22 validation": run_ours_accurate, "POT 0.9.7": run_pot,
           "reference recipe": run_reference}
BUDGETS = {"ours": [25, 35, 50, 70, 100, 140, 200, 400, 800], "ours, 2^22 validation": [400, 800, 1600],
           "POT 0.9.7": [100, 300, 600, 1000, 2000, 4000],
           "reference recipe": [100, 300, 600, 1000]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--sets", nargs="+", default=["mnist", "mixture"])
    ap.add_argument("--check-exp", type=int, default=None, help="log2 of the check's samples (22 CPU, 26 GPU)")
    ap.add_argument("--max-seconds", type=float, default=150.0, help="stop a solver's series after this")
    ap.add_argument("--solvers", nargs="+", default=list(SOLVERS))
    args = ap.parse_args()
    gpu = args.device.startswith("cuda")
    n_exp = args.check_exp or (26 if gpu else 22)
    sets = {"mnist": ("MNIST-10k PCA-32", lambda: mnist_pca32(10_000 if gpu else 2_000)),
            "mixture": ("Gaussian mixture", lambda: mixture(60_000, 64) if gpu else mixture(5_000, 32))}
    for key in args.sets:
        title, make = sets[key]
        Y = torch.as_tensor(make(), device=args.device)
        print(f"\n**{title}: N = {Y.shape[0]:,}, d = {Y.shape[1]}, device {args.device}, check 2^{n_exp} samples**\n")
        print("| solver | budget (iterations) | time s | true L1 | noise floor | empty cells | max rel. error |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        reached, runs = {}, {}
        for name in args.solvers:
            for budget in BUDGETS[name]:
                if gpu:
                    torch.cuda.synchronize()
                t0 = time.perf_counter()
                h = SOLVERS[name](Y, budget, args.device)
                if gpu:
                    torch.cuda.synchronize()
                sec = time.perf_counter() - t0
                c = check(Y, h.float(), n_exp)
                runs.setdefault(name, []).append((sec, c["l1"], c["empty"]))
                print(f"| {name} | {budget} | {sec:.1f} | {c['l1']:.4f} | {c['floor']:.4f} | {c['empty']:.2%} | "
                      f"{c['max_rel']:.2f} |", flush=True)
                for target in (0.2, 0.1, 0.05, 0.02):
                    if c["l1"] <= target and c["empty"] == 0 and (name, target) not in reached:
                        reached[(name, target)] = sec
                if sec > args.max_seconds:
                    break
        print("\n| accuracy (true L1, no empty cell) | " + " | ".join(args.solvers) + " | POT time / ours |")
        print("|---" * (len(args.solvers) + 2) + "|")
        for target in (0.2, 0.1, 0.05, 0.02):
            cells = [f"{reached[(s, target)]:.1f} s" if (s, target) in reached else "not reached"
                     for s in args.solvers]
            ratio = "-"
            ours = [reached[(s, target)] for s in args.solvers if s.startswith("ours") and (s, target) in reached]
            if ours and ("POT 0.9.7", target) in reached:
                ratio = f"{reached[('POT 0.9.7', target)] / min(ours):.1f}x"
            print(f"| <= {target} | " + " | ".join(cells) + f" | {ratio} |")
        if "POT 0.9.7" in runs:  # POT's best accuracy, whatever it is, and when each solver first got there
            pot_best = min((r for r in runs["POT 0.9.7"] if r[2] == 0), key=lambda r: r[1], default=None)
            if pot_best is not None:
                cells, ours = [], []
                for s in args.solvers:
                    hit = [r[0] for r in runs.get(s, []) if r[1] <= pot_best[1] and r[2] == 0]
                    cells.append(f"{min(hit):.1f} s" if hit else "not reached")
                    if hit and s.startswith("ours"):
                        ours.append(min(hit))
                ratio = f"{pot_best[0] / min(ours):.1f}x" if ours else "-"
                print(f"| <= {pot_best[1]:.4f} (POT's best) | " + " | ".join(cells) + f" | {ratio} |")


if __name__ == "__main__":
    main()
