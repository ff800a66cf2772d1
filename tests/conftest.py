"""Shared fixtures: small AE-OT models trained once per test session."""

import pytest

from aeot_viz.data import load_dataset
from aeot_viz.pipeline.config import AEConfig, AEOTConfig, OTConfig, TrainConfig
from aeot_viz.pipeline.training import fit_aeot


def _tiny_config() -> AEOTConfig:
    return AEOTConfig(
        ae=AEConfig(latent_dim=4),
        train=TrainConfig(epochs=2, batch_size=64),
        ot=OTConfig(max_iter=40, round_iter=20, batch_size=4096, validation_samples=2**16),
    )


@pytest.fixture(scope="session")
def tiny_model():
    """A conv AE-OT model on 200 digits, latent dimension 4 (a few seconds on a CPU)."""
    return fit_aeot(load_dataset("digits", n_samples=200), _tiny_config())


@pytest.fixture(scope="session")
def toy_model():
    """An AE-OT model on 300 ring8 points; 2-D points use the identity embedding."""
    return fit_aeot(load_dataset("ring8", n_samples=300), _tiny_config())
