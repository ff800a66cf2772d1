"""Would random chords beat random points for the OT cell masses? Variance per sample and per second, measured.

    python benchmarks/chord_variance.py [--sets mnist10k digits mixture] [--chords 16384] [--points 1048576]

Issue 35 asked for 4x less full scoring at the stop rule's certified accuracy. With i.i.d. points that needs
about 1.45 V solved samples plus a fresh checking pool (docs/BENCHMARKS.md), so only a lower-variance estimator of
the cell masses :math:`\\nu_i(h)` could go further. Scrambled Sobol points gain 1.12x at d = 32 (shared notes).
This benchmark measures the other candidate, a Rao-Blackwellised estimator on lines:

- draw :math:`x_0` uniform on the cube :math:`[-\\tfrac12, \\tfrac12]^d` and a uniform direction :math:`u`;
- the chord :math:`\\{x_0 + t u\\}` clipped to the cube has length :math:`L`, and along it the scores
  :math:`s_i(t) = \\langle x_0, y_i\\rangle + h_i + t \\langle u, y_i\\rangle` are lines, so its exact split into power
  cells is their upper envelope (walked from the chord's start: the next cell is the line of larger slope that
  crosses the current one first);
- the estimate of :math:`\\nu_i` is the share :math:`\\ell_i / L` of the chord inside cell :math:`i`. It is unbiased,
  since :math:`x_0` picks a chord with probability proportional to its length.

A convex cell meets a line at most once, so per chord the share of cell :math:`i` is one segment, and the
estimator's variance is :math:`E[(\\ell_i/L)^2] - \\nu_i^2`, against :math:`\\nu_i (1 - \\nu_i)` for a point. The
figure of merit is the ratio of the expected L1 noise,
:math:`(\\sum_i \\sigma_i^{point} / \\sum_i \\sigma_i^{chord})^2`: the points one chord is
worth; and the same divided by the cost ratio per sample.

The heights are a default solve's (the shipped model's for MNIST-10k). The chord walk here is plain torch (not
tuned); even an ideal one needs two score products per chord, so a gain per sample below 2 cannot pay.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ot_pooled import SETS  # noqa: E402

from aeot_viz.geometry.scoring import cell_counts  # noqa: E402
from aeot_viz.ot import SemiDiscreteOT  # noqa: E402


def point_masses(Y: torch.Tensor, h: torch.Tensor, n: int, gen: torch.Generator, chunk: int = 2**16):
    """Cell masses from ``n`` uniform points, and the seconds per point."""
    counts = torch.zeros(Y.shape[0], dtype=torch.int64)
    t0 = time.perf_counter()
    for _ in range(max(n // chunk, 1)):
        counts += cell_counts(torch.rand(chunk, Y.shape[1], generator=gen) - 0.5, Y, h)
    sec = (time.perf_counter() - t0) / max(n // chunk * chunk, 1)
    return counts.double() / max(n // chunk * chunk, 1), sec


def chord_moments(Y: torch.Tensor, h: torch.Tensor, n: int, gen: torch.Generator, chunk: int = 2048):
    """First and second moments of the chord shares per cell over ``n`` chords, seconds per chord, cells per chord."""
    N, d = Y.shape
    m1 = torch.zeros(N, dtype=torch.float64)
    m2 = torch.zeros(N, dtype=torch.float64)
    segments = 0
    t0 = time.perf_counter()
    for _ in range(max(n // chunk, 1)):
        x0 = torch.rand(chunk, d, generator=gen) - 0.5
        u = torch.randn(chunk, d, generator=gen)
        u /= u.norm(dim=1, keepdim=True)
        ta, tb = (-0.5 - x0) / u, (0.5 - x0) / u
        t_lo = torch.minimum(ta, tb).amax(1)
        t_hi = torch.maximum(ta, tb).amin(1)
        length = t_hi - t_lo
        A = torch.addmm(h, x0, Y.T)
        S = u @ Y.T
        t = t_lo.clone()
        cur = (A + t_lo[:, None] * S).argmax(1)
        rows = torch.arange(chunk)
        while rows.numel():
            c = cur[rows]
            a = A[rows, c][:, None]
            b = S[rows, c][:, None]
            dS = S[rows] - b
            cross = torch.where(dS > 0, (a - A[rows]) / dS.clamp_min(1e-30), torch.full_like(dS, float("inf")))
            cross[torch.arange(rows.numel()), c] = float("inf")
            t_next, nxt = cross.min(1)
            t_next = torch.maximum(t_next, t[rows])
            end = torch.minimum(t_next, t_hi[rows])
            share = ((end - t[rows]) / length[rows]).double()
            m1.index_add_(0, c, share)
            m2.index_add_(0, c, share * share)
            segments += rows.numel()
            t[rows] = end
            cur[rows] = nxt
            rows = rows[t_next < t_hi[rows]]
    done = max(n // chunk * chunk, 1)
    return m1 / done, m2 / done, (time.perf_counter() - t0) / done, segments / done


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="+", default=["mnist10k", "digits", "mixture"])
    ap.add_argument("--chords", type=int, default=2**14)
    ap.add_argument("--points", type=int, default=2**20)
    args = ap.parse_args()
    print("| set | N | d | cells a chord crosses | variance gain per sample | seconds per point | seconds per chord "
          "| gain per second |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for key in args.sets:
        title, make = SETS[key]
        Y = make()
        if key == "mnist10k":
            with np.load(ROOT / "assets" / "default_mnist10k.npz", allow_pickle=False) as z:
                h = torch.as_tensor(z["ot_h"], dtype=torch.float32)
        else:
            h = torch.as_tensor(SemiDiscreteOT(random_state=0).fit(Y).h_, dtype=torch.float32)
        Yt = torch.as_tensor(Y, dtype=torch.float32)
        gen = torch.Generator().manual_seed(20_261_202)
        nu, sec_point = point_masses(Yt, h, args.points, gen)
        m1, m2, sec_chord, cells = chord_moments(Yt, h, args.chords, gen)
        sd_point = (nu * (1 - nu)).clamp_min(0).sqrt().sum()
        sd_chord = (m2 - m1 * m1).clamp_min(0).sqrt().sum()
        gain = float(sd_point / sd_chord) ** 2
        print(f"| {title} | {Y.shape[0]:,} | {Y.shape[1]} | {cells:.2f} | {gain:.2f} | {sec_point:.2e} | "
              f"{sec_chord:.2e} | {gain * sec_point / sec_chord:.3f} |", flush=True)


if __name__ == "__main__":
    main()
