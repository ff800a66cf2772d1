"""The Lesson's sentence writers on numbers other than the shipped ones: each word that summarises a count ("every",
"no collapse", "shrinks", "closer") follows the count, so a model that behaves differently gets a different
sentence, never the shipped model's."""

import numpy as np
import pytest

from aeot_viz.apps import lesson_words as w


def test_share_prints_small_shares_with_a_decimal_and_zero_only_when_exact():
    assert w.share(0, 10) == "0%"
    assert w.share(1, 10_000) == "under 0.1%"
    assert w.share(27, 1000) == "2.7%"
    assert w.share(270, 1000) == "27%"
    with pytest.raises(ValueError):
        w.share(1, 0)


def test_claim_says_every_sample_lands_on_a_mode_only_when_none_misses():
    assert "every one lands on a mode" in w.claim_words(100, 300, 300)
    s = w.claim_words(100, 300, 297)
    assert "every one" not in s and "297 (99%) land on a mode and 3 between two" in s


def test_cells_words_follow_the_counts():
    assert "No facet is red" in w.cells_words(500, 0, 40, 0)
    s = w.cells_words(500, 40, 50, 30)
    assert "30 of them join two different Gaussians" in s and "60% of the 50 facets that do" in s
    assert "no other facet does" in w.cells_words(500, 40, 40, 40) and "most jumps are short" in s
    assert "40% of the jumps are short" in w.cells_words(500, 40, 300, 30)  # most facets join two modes


def test_zoom_calls_a_step_continuous_only_when_refining_shrinks_it():
    s = w.zoom_words(8, 401, 3201, aeot=(1.9, 1.9), gan=(1.5, 0.2))
    assert "the GAN's largest step shrinks from 1.50 to 0.20" in s and "AE-OT's largest step stays at 1.90" in s
    s = w.zoom_words(8, 401, 3201, aeot=(1.9, 1.9), gan=(1.5, 1.4))  # a generator that really jumps
    assert "shrinks" not in s and "GAN's largest step stays at 1.40" in s


def test_toy_samples_name_a_collapse_when_a_generator_misses_modes():
    scores = {"AE-OT": {"modes_covered": 25, "hq_share": 0.99}, "GAN": {"modes_covered": 17, "hq_share": 0.95}}
    s = w.toy_samples_words(2500, 25, scores, published=17.3)
    assert "the GAN reaches only 17 of the 25 modes (collapse)" in s and "Every generator" not in s
    scores["GAN"]["modes_covered"] = 25
    assert "Every generator reaches all 25 modes" in w.toy_samples_words(2500, 25, scores, published=17.3)


def test_paths_words_list_every_generator_by_its_count():
    s = w.paths_words(200, {"AE-OT": 0, "GAN": 3, "VAE": 80})
    assert "the VAE 80 and the GAN 3 lie between the modes; AE-OT none." in s
    assert "AE-OT 2." in w.paths_words(200, {"AE-OT": 2, "GAN": 3})


def test_the_blend_is_the_strip_with_the_least_confident_image():
    sharp = np.eye(3)[[0, 0, 1]] * 0.98 + 0.01
    blurry = np.array([[0.9, 0.05, 0.05], [0.5, 0.45, 0.05], [0.05, 0.05, 0.9]])
    readings = {"GAN": w.strip_reading(sharp), "VAE": w.strip_reading(blurry)}
    assert w.blend_choice(readings) == "VAE"
    r = readings["VAE"]
    assert r["weakest"] == 1 and r["second"] == 1 and abs(r["second_p"] - 0.45) < 1e-12
    s = w.blend_words("VAE", r, 2)
    assert "reads to the classifier as 0 0 2: its image 2 is a 0 at only 50% (1: 45%)" in s
    with pytest.raises(ValueError):
        w.strip_reading(np.zeros((0, 3)))


def test_class_words_say_no_closer_when_aeot_thins_a_digit_more():
    data = np.full(4, 0.25)
    shares = {"AE-OT": np.array([0.1, 0.3, 0.3, 0.3]), "GAN": np.array([0.2, 0.3, 0.25, 0.25])}
    s = w.class_words(shares, data)
    assert "The GAN makes 0s only 20.0% of the time, against 25.0%" in s and "no closer to the data" in s
    shares["AE-OT"] = np.array([0.24, 0.26, 0.25, 0.25])
    assert "closer to the data" in w.class_words(shares, data) and "no closer" not in w.class_words(shares, data)


def test_stacked_words_call_collapse_only_when_modes_are_empty():
    full = {"AE-OT": {"modes_covered": 1000, "kl": 0.03, "n_samples": 26000},
            "GAN": {"modes_covered": 1000, "kl": 0.1, "n_samples": 26000}}
    assert "collapse" not in w.stacked_words(full)
    full["GAN"]["modes_covered"] = 792
    s = w.stacked_words(full)
    assert "reach 792 and leave 208 empty (black cells): mode collapse" in s and "AE-OT reaches 1,000, every one" in s


def test_limits_words_without_a_singular_facet():
    s = w.limits_words(1000, 0, 0, 0.5)
    assert "none is called singular" in s and "jumps at every one of MNIST's 1,000 facets" in s
    assert "below 1e-300" in w.limits_words(1000, 10, 9, 0.0)
