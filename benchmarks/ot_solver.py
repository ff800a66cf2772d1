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

* ours: ``aeot_viz.ot.SemiDiscreteOT`` with its defaults and ``max_iter`` = the budget; it stops earlier
  once its own validation passes (1.3 x the floor of ``auto_validation_samples(N)`` samples, at least
  2^23). The largest budget is the default ``max_iter``: that row is a default solve.
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

from aeot_viz.geometry.scoring import cell_counts  # noqa: E402
from aeot_viz.ot import SemiDiscreteOT  # noqa: E402
from aeot_viz.pipeline.config import OTConfig  # noqa: E402

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


SOLVERS = {"ours": run_ours, "POT 0.9.7": run_pot, "reference recipe": run_reference}
BUDGETS = {"ours": [25, 35, 50, 70, 100, 140, 160, 200, 400, OTConfig().max_iter],
           "POT 0.9.7": [100, 300, 600, 1000, 2000, 4000],
           "reference recipe": [100, 300, 600, 1000]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--sets", nargs="+", default=["mnist", "mixture"])
    ap.add_argument("--check-exp", type=int, default=None, help="log2 of the check's samples (22 CPU, 26 GPU)")
    ap.add_argument("--max-seconds", type=float, default=150.0, help="stop a solver's series after this")
    ap.add_argument("--solvers", nargs="+", default=list(SOLVERS))
    ap.add_argument("--max-budget", nargs=2, action="append", default=[], metavar=("SOLVER", "ITERATIONS"),
                    help="skip this solver's budgets above ITERATIONS (repeatable)")
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
        runs = {}
        for name in args.solvers:
            cap = min([int(b) for s, b in args.max_budget if s == name], default=None)
            for budget in [b for b in BUDGETS[name] if cap is None or b <= cap]:
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
                if sec > args.max_seconds:
                    break
        print_levels(runs, args.solvers, floor=c["floor"], n_exp=n_exp)


def print_levels(runs: dict, solvers: list, floor: float, n_exp: int) -> None:
    """Time to accuracy: every accuracy level POT reaches (each of its runs' true L1), then finer levels.

    A solver's time at a level is its fastest run whose checked L1 is at most the level with no empty cell.
    """
    pot = sorted({round(r[1], 4) for r in runs.get("POT 0.9.7", []) if r[2] == 0}, reverse=True)
    best = min((r[1] for s in solvers for r in runs.get(s, []) if r[2] == 0), default=None)
    finer = [x for x in (0.05, 0.02, 0.01) if (not pot or x < pot[-1]) and best is not None and best <= x]
    print(f"\n| accuracy (true L1 of the 2^{n_exp} check, floor {floor:.4f}; no empty cell) | " + " | ".join(solvers)
          + " | POT time / ours |")
    print("|---" * (len(solvers) + 2) + "|")
    for level in pot + finer:
        times = {}
        for s in solvers:
            hit = [r[0] for r in runs.get(s, []) if r[1] <= level + 5e-5 and r[2] == 0]
            if hit:
                times[s] = min(hit)
        cells = [f"{times[s]:.1f} s" if s in times else "not reached" for s in solvers]
        ratio = f"{times['POT 0.9.7'] / times['ours']:.1f}x" if "ours" in times and "POT 0.9.7" in times else "-"
        tag = " (POT's best)" if pot and level == pot[-1] else ""
        print(f"| <= {level:.4f}{tag} ({level / floor:.2f}x floor) | " + " | ".join(cells) + f" | {ratio} |")


if __name__ == "__main__":
    main()
