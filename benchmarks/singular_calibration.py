"""How the convex-null singular-set rule behaves on MNIST-10k as the number of codes and the latent dimension change.

    python benchmarks/singular_calibration.py [--epochs 10] [--out singular_table.md] [--shipped-only]

Two tables, one row per setting, all with the default rule (no threshold):

1. Number of codes at latent dimension 16: stratified random subsets (seed 0) of 2,000, 5,000 and 10,000
   of the shipped model's codes, re-normalised (``LatentNormalizer``), solved with ``SemiDiscreteOT``'s
   default settings and scored with ``singular_set`` (which builds its own convex null); plus the shipped
   model itself (its own heights and stored null, ``model_singular_set``) as a reference row.
2. Latent dimension at N = 10,000: models trained with ``fit_aeot`` for latent dimension 8 and 32
   (``--epochs``, CPU), scored with ``model_singular_set``; latent 16 is the shipped model (20 epochs).

Labels are the peer that never saw the rule: a facet joining codes of different digits is what a gap
between modes should produce. Per row: facets E, flagged (singular) facets, the share of flagged facets
joining different digits (purity), the same share over all facets (the base rate), the ROC AUC of the
calibrated score for different-digit facets, the non-convexity p-value, and time: "fit" is the OT solve
of the codes (table 1) or the whole ``fit_aeot`` run, null included (table 2), "singular" is the
singular-set call (the null's OT solve included when it builds one); "—": the shipped model was fitted
elsewhere.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout, no install needed
import aeot_viz as av  # noqa: E402

HEADER = ("| setting | N codes | latent dim | facets E | flagged | flagged different digits | all facets "
          "different digits | AUC of score | p-value | fit s | singular s |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def row(setting: str, ss: av.SingularSet, labels: np.ndarray, dim: int, fit_s, sing_s: float) -> str:
    """One markdown row: how well the flagged facets and the score single out different-digit facets."""
    different = labels[ss.pairs[:, 0]] != labels[ss.pairs[:, 1]]
    E, k = len(ss.pairs), ss.n_singular
    purity = f"{different[ss.singular].mean():.1%}" if k else "n/a"
    fit = "—" if fit_s is None else f"{fit_s:.0f}"
    auc = roc_auc_score(different, ss.score) if 0 < different.sum() < E else float("nan")
    return (f"| {setting} | {ss.n_targets:,} | {dim} | {E:,} | {k:,} ({k / E:.2%}) | {purity} | "
            f"{different.mean():.1%} | {auc:.3f} | {ss.p_value:.1e} | {fit} | {sing_s:.0f} |")


def timed(f, *args, **kwargs):
    t0 = time.perf_counter()
    out = f(*args, **kwargs)
    return out, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=10, help="autoencoder epochs of the latent-dimension models")
    ap.add_argument("--out", default="singular_table.md", help="markdown file for the two tables")
    ap.add_argument("--shipped-only", action="store_true", help="print the shipped model's row and stop")
    args = ap.parse_args()
    t_start = time.perf_counter()
    shipped = av.load_bundle(ROOT / "assets" / "default_mnist10k.npz")
    codes, labels = np.asarray(shipped.codes), np.asarray(shipped.labels)
    ship_ss, ship_t = timed(av.model_singular_set, shipped)
    ship_epochs = shipped.config.train.epochs
    if args.shipped_only:
        print(HEADER, row("shipped model (own OT, stored null)", ship_ss, labels, codes.shape[1], None, ship_t),
              sep="\n")
        return

    by_n = []
    for n in (2000, 5000, 10000):
        idx = (np.arange(len(codes)) if n >= len(codes) else
               train_test_split(np.arange(len(codes)), train_size=n, stratify=labels, random_state=0)[0])
        Y = av.LatentNormalizer().fit(codes[idx]).transform(codes[idx])
        solver, fit_s = timed(av.SemiDiscreteOT(random_state=0).fit, Y.astype(np.float32))
        h = solver.h_
        ss, sing_s = timed(av.singular_set, Y, h, random_state=0)
        by_n.append(row("subset, default OT", ss, labels[idx], Y.shape[1], fit_s, sing_s))
        print(f"N={n}: {ss.n_singular} of {len(ss.pairs)} facets singular, OT {fit_s:.0f} s, "
              f"singular set {sing_s:.0f} s", flush=True)
    by_n.append(row("shipped model (own OT, stored null)", ship_ss, labels, codes.shape[1], None, ship_t))

    by_dim = {16: row(f"shipped model ({ship_epochs} epochs)", ship_ss, labels, codes.shape[1], None, ship_t)}
    ds = av.load_dataset("mnist10k")
    for dim in (8, 32):
        cfg = av.AEOTConfig(ae=av.AEConfig(latent_dim=dim),
                            train=av.TrainConfig(epochs=args.epochs, device="cpu", random_state=0),
                            ot=av.OTConfig(device="cpu"))
        model, fit_s = timed(av.fit_aeot, ds, cfg)
        ss, sing_s = timed(av.model_singular_set, model)
        by_dim[dim] = row(f"trained ({args.epochs} epochs)", ss, np.asarray(model.labels), dim, fit_s, sing_s)
        print(f"latent {dim}: {ss.n_singular} of {len(ss.pairs)} facets singular, fit_aeot {fit_s:.0f} s, "
              f"singular set {sing_s:.0f} s", flush=True)

    text = "\n".join(["## Number of codes (latent 16)", "", HEADER, *by_n, "",
                      "## Latent dimension (N = 10,000)", "", HEADER, *(by_dim[d] for d in sorted(by_dim)), "",
                      f"Total time {time.perf_counter() - t_start:.0f} s.", ""])
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text, flush=True)


if __name__ == "__main__":
    main()
