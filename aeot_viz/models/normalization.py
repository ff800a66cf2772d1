r"""The stored affine map between latent codes and the OT source domain.

Codes :math:`z` are mapped to targets :math:`y = (z - c) / s` with centre :math:`c` (the mean code)
and one scalar scale :math:`s` chosen so that the largest absolute coordinate of :math:`y` is
``radius`` (0.5 by default: the targets fill the source cube :math:`[-\tfrac12,\tfrac12]^d`).

A single scalar keeps the problem the same: the squared-distance cost is invariant under translations
and scales uniformly under isotropic scaling, so the power cells of the normalised problem are those
of the raw one. A per-axis scaling would change the transport problem, so it is not offered.
"""

from __future__ import annotations

import numpy as np

__all__ = ["LatentNormalizer"]


class LatentNormalizer:
    """Affine map ``y = (z - center_) / scale_`` into the OT source domain.

    Parameters
    ----------
    radius : float
        Largest absolute coordinate of the normalised training codes.

    Attributes
    ----------
    center_ : numpy.ndarray, shape (d,)
    scale_ : float
    """

    def __init__(self, radius: float = 0.5):
        if not radius > 0:
            raise ValueError(f"radius must be positive, got {radius}.")
        self.radius = radius

    def fit(self, Z) -> LatentNormalizer:
        """Fit centre and scale to codes ``Z`` of shape (N, d)."""
        Z = np.asarray(Z, dtype=np.float64)
        if Z.ndim != 2 or len(Z) == 0:
            raise ValueError(f"Codes must be a non-empty 2-D array (N, d), got shape {Z.shape}.")
        if not np.isfinite(Z).all():
            raise ValueError("Codes contain NaN or Inf; the autoencoder diverged. Lower the learning rate.")
        self.center_ = Z.mean(axis=0)
        spread = np.abs(Z - self.center_).max()
        if not spread > 0:
            raise ValueError("All latent codes are identical (constant data?): there is nothing to transport.")
        self.scale_ = float(spread / self.radius)
        return self

    @classmethod
    def from_params(cls, center, scale, radius: float = 0.5) -> LatentNormalizer:
        """Rebuild a fitted normaliser from stored ``center`` (d,) and ``scale``."""
        center = np.asarray(center, dtype=np.float64)
        scale = float(np.asarray(scale))
        if center.ndim != 1 or not np.isfinite(center).all() or not (np.isfinite(scale) and scale > 0):
            raise ValueError("A normaliser needs a finite centre vector and a positive finite scale.")
        obj = cls(radius)
        obj.center_, obj.scale_ = center, scale
        return obj

    def _check(self, A):
        if not hasattr(self, "center_"):
            raise ValueError("This LatentNormalizer is not fitted yet; call fit(codes) first.")
        A = np.asarray(A, dtype=np.float64)
        if A.ndim != 2 or A.shape[1] != self.center_.shape[0]:
            raise ValueError(f"Expected an array of shape (n, {self.center_.shape[0]}), got {A.shape}.")
        return A

    def transform(self, Z) -> np.ndarray:
        """Codes (n, d) -> targets (n, d) in the source domain (float32)."""
        return ((self._check(Z) - self.center_) / self.scale_).astype(np.float32)

    def inverse_transform(self, Y) -> np.ndarray:
        """Targets (n, d) in the source domain -> codes (n, d) (float32)."""
        return (self._check(Y) * self.scale_ + self.center_).astype(np.float32)
