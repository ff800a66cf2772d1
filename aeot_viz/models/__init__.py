"""Layer 3: the networks: autoencoders, the latent normaliser, the baseline generators, the digit judge."""

from .autoencoder import (
    Autoencoder,
    ConvAutoencoder,
    IdentityAutoencoder,
    MLPAutoencoder,
    build_autoencoder,
    encode_array,
)
from .baselines import Baseline, BaselineConfig, fit_baseline, load_baselines, save_baselines
from .classifier import DigitClassifier, default_classifier, load_classifier, train_classifier
from .config import AEConfig, TrainConfig
from .normalization import LatentNormalizer

__all__ = [
    "Autoencoder",
    "ConvAutoencoder",
    "IdentityAutoencoder",
    "MLPAutoencoder",
    "build_autoencoder",
    "encode_array",
    "Baseline",
    "BaselineConfig",
    "fit_baseline",
    "load_baselines",
    "save_baselines",
    "DigitClassifier",
    "default_classifier",
    "load_classifier",
    "train_classifier",
    "AEConfig",
    "TrainConfig",
    "LatentNormalizer",
]
