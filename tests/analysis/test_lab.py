"""The lab's shared code path: baselines trained on a model's codes, samples from all, scores."""

import numpy as np
import pytest
from repo import ASSETS

from aeot_viz.analysis.lab import (
    failure_in_words,
    generate_all,
    noise_path,
    recipe_steps,
    score_all,
    source_path,
    train_baselines,
)
from aeot_viz.models.baselines import DEFAULT_STEPS, TOY_RECIPE


def test_ring_model_scores_aeot_and_short_baselines(toy_model):
    baselines = train_baselines(toy_model, steps={"gan": 30, "pacgan": 30, "wgan-gp": 5, "vae": 30}, device="cpu")
    assert list(baselines) == ["gan", "pacgan", "wgan-gp", "vae"]
    # 2-D points take the published toy recipe: 2-D noise, PacGAN's networks, the steps asked for
    assert all(b.config.noise_dim == 2 and b.info["space"] == "data" for b in baselines.values())
    assert baselines["pacgan"].config.pack == 2 and baselines["gan"].config.steps == 30
    samples = generate_all(toy_model, baselines, 400, random_state=0)
    assert list(samples) == ["AE-OT", "gan", "pacgan", "wgan-gp", "vae"]
    assert all(s.shape == (400, 2) for s in samples.values())
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


def test_recipe_steps_follow_the_model_kind(toy_model, tiny_model):
    assert recipe_steps(toy_model) == {k: TOY_RECIPE[k]["steps"] for k in ("gan", "pacgan", "wgan-gp", "vae")}
    assert recipe_steps(tiny_model) == DEFAULT_STEPS


def test_failure_words_are_read_off_the_scores():
    collapsed = {"n_modes": 25, "modes_covered": 17, "modes_covered_strict": 15, "hq_share": 0.97, "reverse_kl": 0.7}
    words = failure_in_words(collapsed, 25)
    assert "misses 8 of 25 modes" in words and "2 more modes barely drawn" in words and "mixture" not in words
    mixed = {"n_modes": 8, "modes_covered": 8, "modes_covered_strict": 8, "hq_share": 0.62, "reverse_kl": 0.01}
    words = failure_in_words(mixed, 8)
    assert "38% of its samples lie off every mode" in words and "collapse" not in words
    good = {"n_modes": 8, "modes_covered": 8, "modes_covered_strict": 8, "hq_share": 0.97, "reverse_kl": 0.01}
    assert failure_in_words(good, 8) == "covers all 8 modes with 97% of its samples on them"
    image = {"recall": 0.41, "precision": 0.95, "min_class_share": 0.004, "confidence": 0.93}
    words = failure_in_words(image)
    assert "recall 0.41" in words and "0.4% of samples" in words and "mixture" not in words
    with pytest.raises(ValueError, match="n_modes"):
        failure_in_words(good)


def test_straight_paths_follow_each_map_along_one_segment(toy_model):
    """AE-OT's path is the brute-force cell code of each point of the source segment; a baseline's is its output
    along the straight noise segment (checked against mapping the two ends' mix by hand)."""
    from aeot_viz.analysis.lab import noise_path, source_path, straight_paths
    from aeot_viz.geometry.power_diagram import assign
    from aeot_viz.models.baselines import BaselineConfig, fit_baseline

    gan = fit_baseline(toy_model.codes, BaselineConfig(kind="gan", noise_dim=3, steps=20, random_state=0))
    paths = straight_paths(toy_model, {"gan": gan}, n=9, random_state=4)
    assert list(paths) == ["AE-OT", "gan"]
    x = source_path(toy_model.latent_dim, 9, 4)
    np.testing.assert_array_equal(paths["AE-OT"], toy_model.codes[assign(x, toy_model.targets, toy_model.h)])
    np.testing.assert_allclose(paths["gan"], gan.generate_from_noise(noise_path(3, 9, 4)), rtol=1e-6)
    assert list(straight_paths(toy_model, {}, n=5)) == ["AE-OT"]


def test_baselines_in_words_names_only_the_kinds_given_in_the_usual_order():
    from aeot_viz.analysis.lab import baselines_in_words

    three = baselines_in_words(["vae", "gan", "wgan-gp"])
    assert three == "three continuous generators trained on the same codes: a GAN, a WGAN-GP and a VAE"
    four = baselines_in_words(["gan", "pacgan", "wgan-gp", "vae"])
    assert four.startswith("four continuous generators") and "a PacGAN (the GAN whose discriminator" in four
    assert four.endswith("a WGAN-GP and a VAE")
    assert baselines_in_words(["gan"]) == "one continuous generator trained on the same codes: a GAN"
    assert baselines_in_words([]) == "no continuous generator yet"
    with pytest.raises(ValueError, match="Unknown baseline kinds \\['dcgan'\\]"):
        baselines_in_words(["gan", "dcgan"])
