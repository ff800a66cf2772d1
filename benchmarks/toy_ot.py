"""The stochastic OT solver's accuracy and time on the toy 2-D mixtures (identity embedding).

Since issue 22 the product solves 2-D targets exactly by Newton (``benchmarks/ot_newton.py``); this benchmark
keeps measuring the stochastic solver (``method="stochastic"``), which still serves every other dimension.

    python benchmarks/toy_ot.py [--n 2000] [--multiscale both|on|off]

For each toy dataset: the solver's time and iterations, and an independent check of its heights on
2^22 fresh samples (L1 error of the cell masses, its noise floor, empty cells). With ``--multiscale
both`` the solver runs with and without its multiscale steps, the peer being the same solver with
local steps only.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from aeot_viz.data import TOY_DATASETS, load_dataset  # noqa: E402
from aeot_viz.models.normalization import LatentNormalizer  # noqa: E402
from aeot_viz.ot import SemiDiscreteOT, validate_ot  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--multiscale", default="both", choices=["both", "on", "off"])
    args = ap.parse_args()
    modes = {"both": [True, False], "on": [True], "off": [False]}[args.multiscale]
    print(f"{'dataset':<18}{'multiscale':>11}{'time s':>8}{'iters':>7}{'L1':>9}{'floor':>8}{'empty':>8}")
    for name in TOY_DATASETS:
        ds = load_dataset(name, n_samples=args.n)
        Y = LatentNormalizer().fit(ds.data).transform(ds.data)
        for ms in modes:
            t0 = time.perf_counter()
            ot = SemiDiscreteOT(method="stochastic", multiscale=ms, device="cpu").fit(Y)
            dt = time.perf_counter() - t0
            v = validate_ot(Y, ot.h_, n_samples=2**22, random_state=4242, device="cpu")
            print(f"{name:<18}{str(ms):>11}{dt:>8.1f}{ot.n_iter_:>7}{v.l1:>9.4f}{v.noise_floor:>8.4f}"
                  f"{v.empty_share:>8.2%}", flush=True)


if __name__ == "__main__":
    main()
