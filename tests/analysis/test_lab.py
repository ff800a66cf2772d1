"""The lab's shared code path: baselines trained on a model's codes, samples from all, scores."""

import numpy as np
import pytest
from repo import ASSETS

from aeot_viz.analysis.lab import generate_all, noise_path, score_all, source_path, train_baselines


def test_ring_model_scores_aeot_and_short_baselines(toy_model):
    baselines = train_baselines(toy_model, steps={"gan": 30, "wgan-gp": 5, "vae": 30}, device="cpu")
    assert set(baselines) == {"gan", "wgan-gp", "vae"}
    assert all(b.config.noise_dim == 8 and b.info["space"] == "data" for b in baselines.values())
    samples = generate_all(toy_model, baselines, 400, random_state=0)
    assert list(samples) == ["AE-OT", "gan", "wgan-gp", "vae"] and all(s.shape == (400, 2) for s in samples.values())
    scores = score_all(toy_model, samples)
    assert scores["AE-OT"]["modes_covered"] == 8 and scores["AE-OT"]["hq_share"] > 0.9
    # 30 steps are not enough for a GAN to reach the 0.01-wide ring modes
    assert scores["gan"]["hq_share"] < scores["AE-OT"]["hq_share"]


def test_scoring_needs_a_known_protocol(tiny_model):
    with pytest.raises(ValueError, match="No metric"):
        score_all(tiny_model, {"AE-OT": tiny_model.codes[:10]})  # digits without a classifier


def test_paths_are_straight_and_inside_the_cube():
    z = noise_path(5, 9, random_state=1)
    assert z.shape == (9, 5)
    np.testing.assert_allclose(z[4], 0.5 * (z[0] + z[8]), atol=1e-6)
    x = source_path(3, 7)
    assert (np.abs(x) <= 0.45).all() and np.allclose(x[3], 0.5 * (x[0] + x[6]))


def test_real_images_are_a_random_subset_of_every_class():
    from aeot_viz.analysis.lab import real_images
    from aeot_viz.pipeline.bundle import load_bundle

    m = load_bundle(ASSETS / "default_mnist10k.npz")
    imgs = real_images(m, 500)
    assert imgs.shape == (500, 1, 28, 28) and 0 <= imgs.min() and imgs.max() <= 1
    # the stored images are sorted by digit: the first 500 would all be zeros
    from aeot_viz.models.classifier import default_classifier

    assert len(np.unique(default_classifier().predict_proba(imgs).argmax(1))) == 10
