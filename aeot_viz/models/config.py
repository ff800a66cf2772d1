"""Settings of the autoencoder: its architecture and its training, as dataclasses.

They are the ``ae`` and ``train`` parts of :class:`~aeot_viz.pipeline.config.AEOTConfig`, which reads and checks
them from JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AE_KINDS", "AEConfig", "TrainConfig", "IMAGE_LATENT_DIM", "VECTOR_LATENT_DIM", "STACKED_LATENT_DIM",
           "default_latent_dim"]

AE_KINDS = ("auto", "conv", "channelwise", "mlp", "identity")
#: the latent dimension the CLI and the Train page start from: 32 for images since issue 19 (on MNIST-10k it raised
#: the recall of the reconstructions from 0.65 at 16 to 0.85, docs/BENCHMARKS.md), 16 for vectors
IMAGE_LATENT_DIM, VECTOR_LATENT_DIM = 32, 16
#: Stacked MNIST's: 16 per channel with the channel-wise autoencoder (the shipped model's)
STACKED_LATENT_DIM = 48


def default_latent_dim(data_kind: str) -> int:
    """:data:`IMAGE_LATENT_DIM` for ``"images"``, :data:`VECTOR_LATENT_DIM` otherwise."""
    return IMAGE_LATENT_DIM if data_kind == "images" else VECTOR_LATENT_DIM


@dataclass
class AEConfig:
    """Autoencoder architecture.

    Attributes
    ----------
    kind : {"auto", "conv", "channelwise", "mlp", "identity"}
        ``"auto"``: convolutional for images, identity for 2-D points, MLP for other vectors.
        ``"channelwise"``: one convolutional autoencoder shared by the channels of an image, each coded on its
        own (for independent channels, as in Stacked MNIST; ``latent_dim`` a multiple of the channels).
    latent_dim : int
        Dimension of the latent codes (ignored by the identity embedding).
    channels : tuple of int
        Convolution widths of the encoder's downsampling stages (conv kind). (64, 128) since issue 19: on MNIST-10k
        it raised the recall of the reconstructions from 0.82 to 0.85 at latent 32 (docs/BENCHMARKS.md).
    hidden : tuple of int
        Hidden layer widths (MLP kind).
    """

    kind: str = "auto"
    latent_dim: int = 16
    channels: tuple = (64, 128)
    hidden: tuple = (256, 128)

    def validate(self) -> None:
        if self.kind not in AE_KINDS:
            raise ValueError(f"Autoencoder kind must be one of {AE_KINDS}, got {self.kind!r}.")
        if self.latent_dim < 1 or self.latent_dim > 4096:
            raise ValueError(f"latent_dim must be between 1 and 4096, got {self.latent_dim}.")
        if not self.channels or any(c < 1 or c > 1024 for c in self.channels):
            raise ValueError("channels must be a non-empty list of widths between 1 and 1024.")
        if any(c < 1 or c > 8192 for c in self.hidden):
            raise ValueError("hidden widths must be between 1 and 8192.")


@dataclass
class TrainConfig:
    """Autoencoder training settings (Adam on the reconstruction loss)."""

    epochs: int = 20
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 0.0
    device: str = "auto"
    random_state: int = 0

    def validate(self) -> None:
        if self.epochs < 0 or self.epochs > 100_000:
            raise ValueError(f"epochs must be between 0 and 100000, got {self.epochs}.")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {self.batch_size}.")
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr}.")
        if self.weight_decay < 0:
            raise ValueError(f"weight_decay must be non-negative, got {self.weight_decay}.")
