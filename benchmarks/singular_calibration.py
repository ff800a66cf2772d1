"""The midpoint test against issue 13's jump rule on MNIST, as the number of codes and the latent dimension change.

    python benchmarks/singular_calibration.py [--out singular_table.md] [--max-iter 300] [--shipped-only]

Rows (one per setting, both rules on the same facets and the same convex null):

1. Number of codes at latent dimension 32: stratified random subsets (seed 0) of 2,000, 5,000 and 10,000 digits.
2. Latent dimension at N = 10,000: 8, 16, 32 and 64.

The codes of these rows are the PCA projections of the shipped MNIST-10k images (``assets/mnist10k.npz``) onto
their first d components, not autoencoder codes: a real embedding of real digits that costs no training, so a row
costs two OT solves (the codes and their convex null), solved alike with a capped stop rule (``--max-iter``
iterations of at most ``--max-batch`` samples, 2^20 validation samples; the model's default would take about 20
minutes per 10,000-code solve on 2 cores). The shipped model (autoencoder codes, latent 32, its own heights and
stored null) is the reference row.

Labels are the peer that never saw either rule: a facet joining codes of different digits is what a gap between
modes should produce. Per rule: flagged facets (beyond the convex null), the share of them joining different digits
(purity), the share of different-digit facets flagged (recall), the ROC AUC of the rule's calibrated score for
different-digit facets, and the non-convexity p-value. "null s" is the time to build the null (its OT solve, its
facets and statistics).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.decomposition import PCA
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout, no install needed
import aeot_viz as av  # noqa: E402
from aeot_viz.geometry.facets import facet_degree  # noqa: E402

HEADER = ("| codes | N | d | facets E | midpoint test: flagged | purity | recall | AUC | p | jump rule: flagged | "
          "purity | recall | AUC | p | null s |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def _rule_cells(ss: av.SingularSet, different: np.ndarray) -> str:
    E, k = len(ss.pairs), ss.n_singular
    purity = f"{different[ss.singular].mean():.1%}" if k else "n/a"
    recall = f"{ss.singular[different].mean():.1%}" if different.any() else "n/a"
    auc = roc_auc_score(different, ss.score) if 0 < different.sum() < E else float("nan")
    return f"{k:,} ({k / E:.2%}) | {purity} | {recall} | {auc:.3f} | {ss.p_value:.1e}"


def row(codes: str, ss: av.SingularSet, labels: np.ndarray, null_s) -> str:
    """One markdown row: both rules on the same facets."""
    different = labels[ss.pairs[:, 0]] != labels[ss.pairs[:, 1]]
    mid, jump = ss.with_null_rule(), ss.with_jump_rule()
    null = "—" if null_s is None else f"{null_s:.0f}"
    return (f"| {codes} | {ss.n_targets:,} | {ss.null.dim} | {len(ss.pairs):,} | {_rule_cells(mid, different)} | "
            f"{_rule_cells(jump, different)} | {null} |")


def pca_row(X, labels, n: int, d: int, ot: dict) -> str:
    idx = (np.arange(len(X)) if n >= len(X) else
           train_test_split(np.arange(len(X)), train_size=n, stratify=labels, random_state=0)[0])
    Z = PCA(n_components=d, random_state=0).fit_transform(X[idx])
    Y = av.LatentNormalizer().fit(Z).transform(Z).astype(np.float64)
    t0 = time.perf_counter()
    h = av.SemiDiscreteOT(random_state=0, **ot).fit(Y.astype(np.float32)).h_
    fit_s = time.perf_counter() - t0
    k = facet_degree(len(av.adjacency_from_samples(Y, h, n_samples=2**18, random_state=0).pairs), len(Y))
    t0 = time.perf_counter()
    null = av.build_convex_null(Y, k=k, solver_params=ot, random_state=0)
    null_s = time.perf_counter() - t0
    ss = av.singular_set(Y, h, null=null, random_state=0)
    line = row("PCA of the images", ss, labels[idx], null_s)
    print(f"PCA-{d}, N={n}: OT {fit_s:.0f} s, null {null_s:.0f} s; {ss.verdict()}\n{line}", flush=True)
    return line


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="singular_table.md", help="markdown file for the two tables")
    ap.add_argument("--max-iter", type=int, default=300, help="OT iterations of every solve (codes and nulls)")
    ap.add_argument("--max-batch", type=int, default=16384,
                    help="largest OT batch (samples per iteration) of every solve (codes and nulls)")
    ap.add_argument("--shipped-only", action="store_true", help="print the shipped model's row and stop")
    args = ap.parse_args()
    t_start = time.perf_counter()
    shipped = av.load_bundle(ROOT / "assets" / "default_mnist10k.npz")
    ship = row("shipped AE (stored null)", av.model_singular_set(shipped), np.asarray(shipped.labels), None)
    if args.shipped_only:
        print(HEADER, ship, sep="\n")
        return
    data = np.load(ROOT / "assets" / "mnist10k.npz")
    X, labels = data["X"].astype(np.float32) / 255.0, data["y"].astype(np.int64)
    ot = dict(max_iter=args.max_iter, max_batch_size=args.max_batch, batch_size=min(16384, args.max_batch),
              validation_samples=2**20, device="cpu")
    by_n = [pca_row(X, labels, n, 32, ot) for n in (2000, 5000, 10000)]
    by_d = [pca_row(X, labels, 10000, d, ot) for d in (8, 16, 64)]
    text = "\n".join(["### Number of codes (latent 32)", "", HEADER, *by_n, ship, "",
                      "### Latent dimension (N = 10,000)", "", HEADER, by_d[0], by_d[1], by_n[2], by_d[2], ship, "",
                      f"Total time {time.perf_counter() - t_start:.0f} s.", ""])
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text, flush=True)


if __name__ == "__main__":
    main()
