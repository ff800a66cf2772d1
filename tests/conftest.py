"""Shared fixtures: small AE-OT models trained once per test session.

The model store of every app run under test (AppTest pages and the browser tests' servers, which inherit the
environment) lives in a temporary folder of this test session, never in the user's data directory.
"""

import os
import tempfile

import numpy as np
import pytest

import aeot_viz as av
from aeot_viz.data import load_dataset
from aeot_viz.pipeline.config import AEConfig, AEOTConfig, OTConfig, TrainConfig
from aeot_viz.pipeline.training import fit_aeot

os.environ["AEOT_DATA_DIR"] = tempfile.mkdtemp(prefix="aeot-test-store-")
os.environ.pop("AEOT_DATABASE_URL", None)


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


@pytest.fixture(scope="session")
def two_cluster_model():
    """600 points in two clusters at x1 = -2 and x1 = +2 (labels 0, 1): the OT map must jump between them."""
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 300)
    pts = np.array([[-2.0, 0.0], [2.0, 0.0]])[labels] + 0.3 * rng.standard_normal((600, 2))
    ds = av.Dataset(pts.astype(np.float32), labels, "points", "two_clusters")
    return av.fit_aeot(ds, av.AEOTConfig(ot=av.OTConfig(device="cpu", validation_samples=2**19)))
