"""GAN / WGAN-GP / VAE baselines: they learn a simple target, are reproducible, and round-trip through files."""

import numpy as np
import pytest

from aeot_viz.models.baselines import BaselineConfig, fit_baseline, load_baselines, save_baselines
from aeot_viz.pipeline.bundle import BundleError

BLOB = np.random.default_rng(0).normal([3.0, -1.0], [0.5, 0.25], size=(1000, 2))


@pytest.mark.parametrize("kind,steps", [("gan", 600), ("wgan-gp", 150), ("vae", 600)])
def test_each_kind_learns_a_gaussian_blob(kind, steps):
    events = []
    b = fit_baseline(BLOB, BaselineConfig(kind=kind, steps=steps, hidden=64, layers=2, device="cpu"),
                     callback=events.append)
    X = b.sample(2000, random_state=1)
    assert X.shape == (2000, 2) and np.isfinite(X).all()
    np.testing.assert_allclose(X.mean(0), BLOB.mean(0), atol=0.25)
    assert 0.3 < X[:, 0].std() / BLOB[:, 0].std() < 2.0
    assert len(events) == steps and events[-1].stage == kind and events[-1].fraction == 1.0
    assert b.snapshots_.shape[1:] == (500, 2) and b.snapshot_steps_[0] == 0 and b.snapshot_steps_[-1] == steps
    # the first snapshot is the untrained generator: its spread is further from the blob's than the trained one's
    def spread_error(P):
        return abs(np.log(P.std(0) / BLOB.std(0))).sum()

    assert spread_error(b.snapshots_[0]) > spread_error(b.snapshots_[-1])


def test_same_seed_same_generator_and_files_round_trip(tmp_path):
    cfg = BaselineConfig(kind="gan", steps=50, hidden=32, layers=2, device="cpu", random_state=3)
    a, b = fit_baseline(BLOB, cfg, info={"space": "data"}), fit_baseline(BLOB, cfg)
    np.testing.assert_array_equal(a.sample(10), b.sample(10))
    vae = fit_baseline(BLOB, BaselineConfig(kind="vae", steps=50, hidden=32, layers=2, device="cpu"))
    path = save_baselines({"gan": a, "vae": vae}, tmp_path / "bl.npz")
    back = load_baselines(path)
    assert set(back) == {"gan", "vae"} and back["gan"].info["space"] == "data"
    np.testing.assert_allclose(back["gan"].sample(10, random_state=5), a.sample(10, random_state=5), atol=1e-6)
    np.testing.assert_allclose(back["vae"].sample(10), vae.sample(10), atol=1e-6)
    np.testing.assert_array_equal(back["vae"].snapshots_, vae.snapshots_)
    z = np.zeros((3, cfg.noise_dim), np.float32)
    np.testing.assert_allclose(back["gan"].generate_from_noise(z), a.generate_from_noise(z), atol=1e-6)


def test_bad_settings_and_files():
    with pytest.raises(ValueError, match="kind"):
        BaselineConfig(kind="diffusion").validate()
    with pytest.raises(ValueError, match="positive"):
        fit_baseline(BLOB, BaselineConfig(steps=0))
    with pytest.raises(ValueError, match="finite"):
        fit_baseline(np.array([[np.nan, 0.0], [0.0, 0.0]]), BaselineConfig(steps=1))
    with pytest.raises(BundleError, match="not"):
        load_baselines(b"junk")
    b = fit_baseline(BLOB, BaselineConfig(kind="gan", steps=2, hidden=8, layers=1, device="cpu"))
    with pytest.raises(ValueError, match="shape"):
        b.generate_from_noise(np.zeros((2, 3)))
