r"""Mode collapse and mode mixture, measured.

**Toy mixtures** (the protocol of VEEGAN, Srivastava et al. 2017, and PacGAN, Lin et al. 2018): each
generated point goes to its nearest mode :math:`m(x)`; it is *high quality* (HQ) when
:math:`|x - \mu_{m(x)}| < 3 \sigma`. A mode is *covered* when it receives at least one HQ point (the
stricter count needs 20). The mode histogram :math:`p_k` is the share of HQ points at mode k, and the
reverse KL divergence to the uniform distribution over the K modes is

.. math:: \mathrm{KL}(p \,\|\, u) = \sum_k p_k \log (K p_k) \qquad (0 \log 0 = 0),

0 for a perfectly balanced generator, :math:`\log K` when all HQ points sit on one mode, infinite when
there is no HQ point at all.

**Images** are judged by a digit classifier (:mod:`aeot_viz.models.classifier`):

* class coverage: the histogram :math:`p` of predicted classes of generated images against the data's
  :math:`q`, as :math:`\mathrm{KL}(p \| q)` (smoothed by 1e-6) and as the number of classes holding at
  least 1% of the samples; the smallest class share;
* mean confidence :math:`\frac1n \sum_i \max_c P(c \mid x_i)`: in-between, blurry digits (mode
  mixture) get low confidence;
* precision and recall of Kynkäänniemi et al. (2019) in the classifier's feature space: the real
  manifold is the union of balls around each real feature with radius its distance to the k-th nearest
  other real feature; precision is the share of generated features inside it, recall the share of real
  features inside the generated manifold built the same way;
* the Fréchet distance between Gaussians fitted to real and generated features,
  :math:`|\mu_r - \mu_g|^2 + \mathrm{Tr}(\Sigma_r + \Sigma_g - 2 (\Sigma_r \Sigma_g)^{1/2})`. This is a
  *classifier-feature* distance on our small MNIST CNN, not an Inception FID: only compare it with
  itself.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch

from ..data import grid_modes, ring_modes

__all__ = ["ModeScore", "mode_score", "toy_score", "stacked_modes", "mode_coverage", "histogram_coverage",
           "channel_digits", "stacked_histogram",
           "stacked_mnist_score", "STACKED_PUBLISHED", "STACKED_SAMPLES", "TOY_PROTOCOLS", "PUBLISHED",
           "kl_divergence", "class_coverage", "mean_confidence", "precision_recall", "frechet_distance",
           "image_metrics"]

#: mode centres and standard deviation of the two benchmark mixtures (PacGAN / VEEGAN)
TOY_PROTOCOLS = {"ring8": (ring_modes(8, 1.0), 0.01), "grid25": (grid_modes(), 0.05)}

#: PacGAN (Lin et al. 2018) Table 1, mean of 10 trials: modes covered, % high quality, reverse KL
PUBLISHED = {
    "grid25": [("GAN", 17.3, 94.8, 0.70), ("ALI", 24.1, 95.7, 0.14), ("PacGAN4", 24.8, 93.6, 0.04)],
    "ring8": [("GAN", 6.3, 98.2, 0.45), ("PacGAN2", 7.9, 95.6, 0.07)],
}


#: Stacked MNIST (1,000 modes, 26,000 samples): modes covered and KL to uniform as published. DCGAN, ALI, Unrolled GAN
#: and VEEGAN from VEEGAN (Srivastava et al. 2017) Table 2; PacDCGAN and the quarter-size-discriminator rows from
#: PacGAN (Lin et al. 2018) Tables 3 and 4.
STACKED_PUBLISHED = [
    ("DCGAN", 99.0, 3.40, "VEEGAN Table 2"),
    ("ALI", 16.0, 5.40, "VEEGAN Table 2"),
    ("Unrolled GAN", 48.7, 4.32, "VEEGAN Table 2"),
    ("VEEGAN", 150.0, 2.95, "VEEGAN Table 2"),
    ("PacDCGAN2", 1000.0, 0.06, "PacGAN Table 3"),
    ("PacDCGAN3", 1000.0, 0.06, "PacGAN Table 3"),
    ("PacDCGAN4", 1000.0, 0.07, "PacGAN Table 3"),
    ("Unrolled GAN, D 1/4 size", 327.0, 4.66, "PacGAN Table 4"),
    ("PacDCGAN4, D 1/4 size", 667.0, 1.81, "PacGAN Table 4"),
]
#: samples per generator in the Stacked-MNIST protocol
STACKED_SAMPLES = 26_000


@dataclass
class ModeScore:
    """Scores of generated points on a mixture with known modes (module docstring).

    Attributes
    ----------
    n_points, n_modes : int
    modes_covered : int
        Modes with at least one high-quality point.
    modes_covered_strict : int
        Modes with at least ``min_count`` (20) high-quality points.
    hq_share : float
        Share of high-quality points, in [0, 1].
    reverse_kl : float
        :math:`\\mathrm{KL}(p \\| u)` of the HQ mode histogram.
    counts : numpy.ndarray of int64, shape (K,)
        High-quality points per mode.
    """

    n_points: int
    n_modes: int
    modes_covered: int
    modes_covered_strict: int
    hq_share: float
    reverse_kl: float
    counts: np.ndarray

    def as_row(self) -> dict:
        d = asdict(self)
        d.pop("counts")
        return d


def kl_divergence(p, q, eps: float = 0.0) -> float:
    """:math:`\\sum_k p_k \\log(p_k / q_k)` of two histograms (normalised here), with ``0 log 0 = 0``."""
    p = np.asarray(p, dtype=np.float64) + eps
    q = np.asarray(q, dtype=np.float64) + eps
    if p.shape != q.shape or p.sum() <= 0 or q.sum() <= 0 or (p < 0).any() or (q < 0).any():
        raise ValueError("p and q must be non-negative histograms of the same shape with positive sums.")
    p, q = p / p.sum(), q / q.sum()
    nz = p > 0
    if (q[nz] == 0).any():
        return float("inf")
    return float(np.sum(p[nz] * np.log(p[nz] / q[nz])))


def stacked_modes(channel_predictions) -> np.ndarray:
    """Stacked-MNIST mode of each image from its three channels' predicted digits (n, 3): 100 a + 10 b + c."""
    P = np.asarray(channel_predictions)
    if P.ndim != 2 or P.shape[1] != 3 or (P < 0).any() or (P > 9).any():
        raise ValueError(f"Need predicted digits 0-9 of shape (n, 3), got {P.shape}.")
    return (100 * P[:, 0] + 10 * P[:, 1] + P[:, 2]).astype(np.int64)


def mode_coverage(modes, n_modes: int = 1000) -> tuple[int, float]:
    r"""Modes covered (at least one sample) and :math:`\mathrm{KL}(p \| u)` from the samples' mode histogram
    :math:`p` to the uniform one over ``n_modes`` (VEEGAN's / PacGAN's Stacked-MNIST protocol).

    :math:`\mathrm{KL}(p \| u) = \log K - H(p)`: 0 when every mode gets the same share, :math:`\log K` when one
    mode gets everything.
    """
    m = np.asarray(modes, dtype=np.int64).ravel()
    if len(m) == 0 or (m < 0).any() or (m >= n_modes).any():
        raise ValueError(f"Need at least one mode id in 0..{n_modes - 1}.")
    return histogram_coverage(np.bincount(m, minlength=n_modes))


def histogram_coverage(hist) -> tuple[int, float]:
    """:func:`mode_coverage` from the mode histogram itself (samples per mode, shape (K,))."""
    hist = np.asarray(hist)
    if hist.ndim != 1 or hist.sum() <= 0 or (hist < 0).any():
        raise ValueError("Need a non-negative mode histogram (K,) with at least one sample.")
    return int((hist > 0).sum()), kl_divergence(hist, np.ones(len(hist)))


def channel_digits(images, classifier) -> np.ndarray:
    """The digit the classifier reads in each channel of Stacked-MNIST images (n, 3, 28, 28): int64 (n, 3)."""
    X = np.asarray(images, dtype=np.float32)
    if X.ndim != 4 or X.shape[1:] != (3, 28, 28):
        raise ValueError(f"Stacked-MNIST images must have shape (n, 3, 28, 28), got {X.shape}.")
    return np.stack([classifier.predict_proba(X[:, c:c + 1]).argmax(1) for c in range(3)], axis=1).astype(np.int64)


def stacked_histogram(images, classifier) -> np.ndarray:
    """Samples per mode ``100 a + 10 b + c`` (int64 (1000,)) of Stacked-MNIST images (n, 3, 28, 28), each channel
    read by ``classifier``."""
    return np.bincount(stacked_modes(channel_digits(images, classifier)), minlength=1000).astype(np.int64)


def stacked_mnist_score(images, classifier) -> dict:
    """Stacked-MNIST scores of generated images (n, 3, 28, 28) in [0, 1], each channel read by ``classifier``.

    Returns ``modes_covered`` (modes with at least one sample), ``kl`` (:func:`mode_coverage`'s KL to the
    uniform histogram), ``n_samples`` and ``histogram`` (:func:`stacked_histogram`).
    """
    hist = stacked_histogram(images, classifier)
    covered, kl = histogram_coverage(hist)
    return {"modes_covered": covered, "kl": kl, "n_samples": int(hist.sum()), "histogram": hist}


def mode_score(points, modes, std, *, hq_sigma: float = 3.0, min_count: int = 20) -> ModeScore:
    """Score generated ``points`` (n, d) against mixture ``modes`` (K, d) of standard deviation ``std``
    (a scalar or one per mode)."""
    X = np.asarray(points, dtype=np.float64)
    M = np.asarray(modes, dtype=np.float64)
    if X.ndim != 2 or M.ndim != 2 or X.shape[1] != M.shape[1] or len(X) == 0:
        raise ValueError(f"Need points (n, d) with n >= 1 and modes (K, d), got {X.shape} and {M.shape}.")
    if not np.isfinite(X).all():
        raise ValueError("Generated points contain NaN or Inf (a diverged generator?).")
    s = np.broadcast_to(np.asarray(std, dtype=np.float64), (len(M),))
    if (s <= 0).any():
        raise ValueError("Mode standard deviations must be positive.")
    d = np.sqrt(((X[:, None, :] - M[None]) ** 2).sum(-1)) / s[None]  # in units of each mode's std
    nearest = d.argmin(1)
    hq = d[np.arange(len(X)), nearest] < hq_sigma
    counts = np.bincount(nearest[hq], minlength=len(M)).astype(np.int64)
    kl = kl_divergence(counts, np.ones(len(M))) if counts.sum() else float("inf")
    return ModeScore(len(X), len(M), int((counts >= 1).sum()), int((counts >= min_count).sum()),
                     float(hq.mean()), kl, counts)


def toy_score(name: str, points) -> ModeScore:
    """:func:`mode_score` with the published protocol of ``"ring8"`` or ``"grid25"``."""
    if name not in TOY_PROTOCOLS:
        raise ValueError(f"No mode protocol for {name!r}; known: {sorted(TOY_PROTOCOLS)}.")
    modes, std = TOY_PROTOCOLS[name]
    return mode_score(points, modes, std)


def class_coverage(pred_fake, pred_real, n_classes: int = 10, min_share: float = 0.01) -> dict:
    """Predicted-class histograms of generated vs real images (integer predictions, shape (n,)).

    Returns ``kl`` (:math:`\\mathrm{KL}(p_{gen} \\| p_{data})`), ``classes_at_1pct`` (classes with at least
    ``min_share`` of the generated samples), ``min_class_share`` and the histogram ``shares``.
    """
    pf = np.bincount(np.asarray(pred_fake, dtype=np.int64), minlength=n_classes)[:n_classes]
    pr = np.bincount(np.asarray(pred_real, dtype=np.int64), minlength=n_classes)[:n_classes]
    if pf.sum() == 0 or pr.sum() == 0:
        raise ValueError("Both sets need at least one prediction.")
    shares = pf / pf.sum()
    return {"kl": kl_divergence(pf, pr, eps=1e-6), "classes_at_1pct": int((shares >= min_share).sum()),
            "min_class_share": float(shares.min()), "shares": shares}


def mean_confidence(probs) -> float:
    """Mean of the largest class probability, rows of ``probs`` (n, C)."""
    P = np.asarray(probs, dtype=np.float64)
    if P.ndim != 2 or len(P) == 0:
        raise ValueError(f"probs must have shape (n, C) with n >= 1, got {P.shape}.")
    return float(P.max(axis=1).mean())


def _kth_radius(F: torch.Tensor, k: int, chunk: int = 2048) -> torch.Tensor:
    """Distance of each row of F to its k-th nearest other row."""
    out = []
    for i in range(0, len(F), chunk):
        d = torch.cdist(F[i:i + chunk], F)
        out.append(d.kthvalue(k + 1, dim=1).values)  # the 1st is the point itself (distance 0)
    return torch.cat(out)


def _inside(Q: torch.Tensor, F: torch.Tensor, radii: torch.Tensor, chunk: int = 2048) -> torch.Tensor:
    """Whether each row of Q lies in some ball (F_j, radii_j)."""
    out = []
    for i in range(0, len(Q), chunk):
        d = torch.cdist(Q[i:i + chunk], F)
        out.append((d <= radii[None]).any(dim=1))
    return torch.cat(out)


def precision_recall(real, fake, k: int = 3) -> tuple[float, float]:
    """Improved precision and recall (Kynkäänniemi et al. 2019) of feature sets (n, D) and (m, D)."""
    R = torch.as_tensor(np.asarray(real, dtype=np.float32))
    G = torch.as_tensor(np.asarray(fake, dtype=np.float32))
    if R.ndim != 2 or G.ndim != 2 or R.shape[1] != G.shape[1]:
        raise ValueError(f"real and fake must be feature arrays (n, D), (m, D); got {tuple(R.shape)}, "
                         f"{tuple(G.shape)}.")
    if len(R) <= k or len(G) <= k:
        raise ValueError(f"Need more than k = {k} samples in each set, got {len(R)} and {len(G)}.")
    precision = _inside(G, R, _kth_radius(R, k)).float().mean().item()
    recall = _inside(R, G, _kth_radius(G, k)).float().mean().item()
    return float(precision), float(recall)


def frechet_distance(real, fake) -> float:
    """Fréchet distance between Gaussians fitted to feature sets (n, D) and (m, D) (module docstring)."""
    from scipy import linalg

    A = np.asarray(real, dtype=np.float64)
    B = np.asarray(fake, dtype=np.float64)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[1] or len(A) < 2 or len(B) < 2:
        raise ValueError(f"Need two feature arrays (n, D), (m, D) with n, m >= 2; got {A.shape}, {B.shape}.")
    mu1, mu2 = A.mean(0), B.mean(0)
    S1, S2 = np.cov(A, rowvar=False), np.cov(B, rowvar=False)
    # a tiny ridge keeps the square root defined when features are degenerate (dead ReLU units)
    ridge = 1e-6 * np.eye(len(S1))
    covmean = linalg.sqrtm((S1 + ridge) @ (S2 + ridge))
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    return float(max(((mu1 - mu2) ** 2).sum() + np.trace(S1 + S2 - 2 * covmean), 0.0))


def image_metrics(fake_images, real_images, classifier, k: int = 3) -> dict:
    """All image metrics of generated vs real digits (n, 1, 28, 28) in [0, 1] with a digit classifier."""
    pf, pr = classifier.predict_proba(fake_images), classifier.predict_proba(real_images)
    ff, fr = classifier.features(fake_images), classifier.features(real_images)
    cov = class_coverage(pf.argmax(1), pr.argmax(1), n_classes=pf.shape[1])
    precision, recall = precision_recall(fr, ff, k=k)
    return {"class_kl": cov["kl"], "classes_at_1pct": cov["classes_at_1pct"],
            "min_class_share": cov["min_class_share"], "class_shares": cov["shares"],
            "confidence": mean_confidence(pf), "precision": precision, "recall": recall,
            "feature_frechet": frechet_distance(fr, ff)}
