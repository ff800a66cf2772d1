"""GAN / PacGAN / WGAN-GP / VAE baselines: they learn a simple target, are reproducible, round-trip through files,
and the published toy recipe builds the published networks."""

import numpy as np
import pytest
import torch

from aeot_viz.models.baselines import (
    BaselineConfig,
    _critic_for,
    _generator_for,
    fit_baseline,
    load_baselines,
    pack_samples,
    save_baselines,
    toy_recipe,
)
from aeot_viz.pipeline.bundle import BundleError

BLOB = np.random.default_rng(0).normal([3.0, -1.0], [0.5, 0.25], size=(1000, 2))


@pytest.mark.parametrize("kind,steps", [("gan", 600), ("pacgan", 600), ("wgan-gp", 150), ("vae", 600)])
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


def test_the_toy_recipe_and_pacgans_published_networks():
    cfg = toy_recipe("pacgan")
    assert (cfg.noise_dim, cfg.hidden, cfg.layers, cfg.pack, cfg.batch_norm, cfg.maxout) == (2, 128, 3, 2, False, 0)
    D = _critic_for(cfg, 2)
    assert D[0].in_features == 4  # packs of two 2-D samples
    assert toy_recipe("gan").pack == 1 and toy_recipe("gan", steps=7).steps == 7
    # PacGAN's own toy networks stay available as settings: 4 x 400 batch-normalised generator, 3 x 200 maxout
    published = BaselineConfig(kind="pacgan", pack=4, noise_dim=2, hidden=400, layers=4, batch_norm=True,
                               d_hidden=200, d_layers=3, maxout=5)
    published.validate()
    G, D = _generator_for(published, 2), _critic_for(published, 2)
    linears = [m for m in G if isinstance(m, torch.nn.Linear)]
    assert [m.out_features for m in linears] == [400, 400, 400, 400, 2] and linears[0].in_features == 2
    assert sum(isinstance(m, torch.nn.BatchNorm1d) for m in G) == 4
    first = D[0].linear
    assert first.in_features == 8 and first.out_features == 1000 and len(D) == 4 and D[-1].out_features == 1
    with pytest.raises(ValueError, match="PacGAN packs"):
        BaselineConfig(kind="pacgan", pack=1).validate()
    with pytest.raises(ValueError, match="pack is PacGAN's setting"):
        BaselineConfig(kind="gan", pack=2).validate()
    with pytest.raises(ValueError, match="maxout"):
        BaselineConfig(maxout=-1).validate()


def test_packs_concatenate_samples_in_order():
    x = torch.arange(12.0).reshape(6, 2)  # six 2-D samples: rows 0..5
    p = pack_samples(x, 3)
    assert p.shape == (2, 6)
    # pack 0 holds samples 0, 2, 4 and pack 1 samples 1, 3, 5, each sample's coordinates kept together
    assert p[0].tolist() == [0.0, 1.0, 4.0, 5.0, 8.0, 9.0] and p[1].tolist() == [2.0, 3.0, 6.0, 7.0, 10.0, 11.0]
    assert pack_samples(x, 1) is x
    with pytest.raises(ValueError, match="packs of 4"):
        pack_samples(x, 4)


def test_a_short_toy_recipe_run_does_not_saturate_and_is_reproducible():
    rng = np.random.default_rng(2)
    centres = np.array([[-4.0, -4.0], [4.0, -4.0], [-4.0, 4.0], [4.0, 4.0]])
    X = centres[rng.integers(0, 4, 400)] + 0.05 * rng.standard_normal((400, 2))
    for kind in ("gan", "pacgan", "wgan-gp", "vae"):  # the recipe with narrower networks and a short budget
        cfg = toy_recipe(kind, steps=1500 if kind != "wgan-gp" else 300, hidden=32, device="cpu", random_state=1)
        a = fit_baseline(X, cfg)
        S = a.sample(2000, random_state=9)
        assert S.shape == (2000, 2) and np.isfinite(S).all()
        # most samples already inside the data's box plus a margin (an untrained generator lands far outside),
        # and nothing piled on an output limit: a saturated output repeats its extreme values
        lo, hi = X.min(0) - 1.0, X.max(0) + 1.0
        assert ((S >= lo) & (S <= hi)).all(axis=1).mean() >= 0.7, kind
        for j in range(2):
            assert (np.isclose(S[:, j], S[:, j].max(), atol=1e-3)).mean() < 0.01, kind
            assert (np.isclose(S[:, j], S[:, j].min(), atol=1e-3)).mean() < 0.01, kind
        if kind == "pacgan":
            b = fit_baseline(X, cfg)
            np.testing.assert_array_equal(a.sample(50, random_state=3), b.sample(50, random_state=3))


def test_batch_norm_and_maxout_baselines_round_trip(tmp_path):
    cfg = toy_recipe("pacgan", steps=20, hidden=16, d_hidden=8, device="cpu", batch_norm=True, maxout=3, pack=3)
    a = fit_baseline(BLOB, cfg)
    back = load_baselines(save_baselines({"pacgan": a}, tmp_path / "p.npz"))["pacgan"]
    assert back.config.pack == 3 and back.config.batch_norm and back.config.maxout == 3
    np.testing.assert_allclose(back.sample(20, random_state=4), a.sample(20, random_state=4), atol=1e-6)
