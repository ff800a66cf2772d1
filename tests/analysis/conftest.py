"""Fixtures shared by the analysis tests."""

import numpy as np
import pytest

import aeot_viz as av


@pytest.fixture(scope="session")
def two_cluster_model():
    """600 points in two clusters at x1 = -2 and x1 = +2 (labels 0, 1): the OT map must jump between them."""
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 300)
    pts = np.array([[-2.0, 0.0], [2.0, 0.0]])[labels] + 0.3 * rng.standard_normal((600, 2))
    ds = av.Dataset(pts.astype(np.float32), labels, "points", "two_clusters")
    return av.fit_aeot(ds, av.AEOTConfig(ot=av.OTConfig(device="cpu", validation_samples=2**19)))
