"""The trained AE-OT model: autoencoder, latent codes, their normalisation and the OT heights.

An :class:`AEOTModel` is what :func:`aeot_viz.pipeline.training.fit_aeot` returns, what a bundle file holds
(:mod:`aeot_viz.pipeline.bundle`) and what the app explores. It is treated as read-only once built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import torch

from ..analysis.convex_null import ConvexNull
from ..models.autoencoder import Autoencoder, encode_array
from ..models.normalization import LatentNormalizer
from ..ot.error import corrected_l1, error_in_words
from ..utils.device import resolve_device
from .config import AEOTConfig

__all__ = ["AEOTModel"]


@dataclass
class AEOTModel:
    """A trained AE-OT model.

    Attributes
    ----------
    config : AEOTConfig
        The settings that trained it.
    ae_kind : str
        Concrete autoencoder kind ("conv", "channelwise", "mlp", "identity").
    autoencoder : Autoencoder
        In eval mode, on the CPU.
    dataset : dict
        :meth:`aeot_viz.data.Dataset.describe` of the training data.
    codes : numpy.ndarray, float32, shape (N, d)
        Latent codes of the training data.
    labels : numpy.ndarray of int64, shape (N,), or None
    normalizer : LatentNormalizer
        Maps codes into the OT source domain (``targets``).
    h : numpy.ndarray, float64, shape (N,)
        OT heights of the targets.
    ot_log : dict of numpy.ndarray
        Per-iteration solver log (see :class:`aeot_viz.ot.SemiDiscreteOT`).
    ot_validation : dict
        Final independent validation (l1, empty_share, max_rel_error, noise_floor, n_samples).
    ot_validation_log : list of dict
    h_snapshots : numpy.ndarray, shape (S, N); snapshot_iters : numpy.ndarray, shape (S,)
    train_history : dict
        ``{"epoch": [...], "loss": [...]}`` of the autoencoder training.
    images : numpy.ndarray, uint8, shape (n_img, C, H, W), or None
        Training images kept for display; ``images_index`` gives their rows in ``codes``.
    singular_null : ConvexNull or None
        The convex null that calibrates the singular set (:mod:`aeot_viz.analysis.convex_null`), built once after
        the OT solve and stored in the bundle; None for bundles from before it existed.
    views : dict of numpy.ndarray
        Precomputed views (projections, the singular set, default slices, Mode Collapse samples) that let
        the pages open at once; see :mod:`aeot_viz.pipeline.views`. Empty until computed.
    views_meta : dict
        Their description (JSON): the singular set's scalars, the Mode Collapse settings and scores.
    """

    config: AEOTConfig
    ae_kind: str
    autoencoder: Autoencoder
    dataset: dict
    codes: np.ndarray
    labels: Optional[np.ndarray]
    normalizer: LatentNormalizer
    h: np.ndarray
    ot_log: dict = field(default_factory=dict)
    ot_validation: dict = field(default_factory=dict)
    ot_validation_log: list = field(default_factory=list)
    h_snapshots: Optional[np.ndarray] = None
    snapshot_iters: Optional[np.ndarray] = None
    train_history: dict = field(default_factory=dict)
    images: Optional[np.ndarray] = None
    images_index: Optional[np.ndarray] = None
    created: str = ""
    singular_null: Optional[ConvexNull] = None
    views: dict = field(default_factory=dict)
    views_meta: dict = field(default_factory=dict)

    @property
    def n_codes(self) -> int:
        return int(self.codes.shape[0])

    @property
    def latent_dim(self) -> int:
        return int(self.codes.shape[1])

    @property
    def targets(self) -> np.ndarray:
        """Codes mapped into the OT source domain, shape (N, d)."""
        return self.normalizer.transform(self.codes)

    @torch.no_grad()
    def decode(self, codes, batch_size: int = 1024, device: str = "cpu") -> np.ndarray:
        """Decode latent codes (n, d) (not normalised) to data: images (n, C, H, W) in [0, 1] or points.

        Returns
        -------
        numpy.ndarray, float32
        """
        codes = np.asarray(codes, dtype=np.float32)
        if codes.ndim != 2 or codes.shape[1] != self.latent_dim:
            raise ValueError(f"Codes must have shape (n, {self.latent_dim}), got {codes.shape}.")
        dev = resolve_device(device)
        ae = self.autoencoder.to(dev).eval()
        outs = [ae.decode(torch.from_numpy(codes[i : i + batch_size]).to(dev)).cpu()
                for i in range(0, len(codes), batch_size)]
        self.autoencoder.to("cpu")
        if not outs:
            return np.zeros((0, *self.dataset["shape"]), dtype=np.float32)
        return torch.cat(outs).numpy()

    @torch.no_grad()
    def encode(self, data, batch_size: int = 1024, device: str = "cpu") -> np.ndarray:
        """Encode data (n, *shape) to latent codes (n, d), float32."""
        return encode_array(self.autoencoder, data, batch_size=batch_size, device=device)

    def summary(self) -> dict:
        """Facts for a summary card or ``python -m aeot_viz info``."""
        v = self.ot_validation or {}
        return {
            "dataset": self.dataset.get("name"),
            "data kind": self.dataset.get("kind"),
            "sample shape": self.dataset.get("shape"),
            "autoencoder": self.ae_kind,
            "N codes": self.n_codes,
            "latent dim": self.latent_dim,
            "labels": None if self.labels is None else int(len(np.unique(self.labels))),
            "final AE loss": (self.train_history.get("loss") or [None])[-1],
            "OT iterations": int(len(self.ot_log.get("iteration", []))),
            "OT solver": "exact Newton (2-D)" if v.get("exact_l1") is not None else "stochastic",
            "OT exact L1": v.get("exact_l1"),
            "OT L1 (validation)": v.get("l1"),
            "OT noise floor": v.get("noise_floor"),
            "OT L1 noise-corrected": None if v.get("l1") is None else corrected_l1(v["l1"], v.get("noise_floor", 0.0)),
            "OT error in words": None if v.get("l1") is None else error_in_words(v["l1"], v.get("noise_floor", 0.0),
                                                                                v.get("n_samples"),
                                                                                exact_l1=v.get("exact_l1"),
                                                                                n_codes=self.n_codes),
            "OT empty cells": v.get("empty_share"),
            "OT max rel. error": v.get("max_rel_error"),
            "OT validation samples": v.get("n_samples"),
            "created": self.created,
        }
