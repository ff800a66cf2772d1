"""Mode-collapse metrics on cases with known answers."""

import numpy as np
import pytest

from aeot_viz.analysis.metrics import (
    PUBLISHED,
    class_coverage,
    frechet_distance,
    kl_divergence,
    mean_confidence,
    mode_score,
    precision_recall,
    toy_score,
)
from aeot_viz.data import grid25, ring8


def test_real_samples_of_both_mixtures_cover_every_mode_with_high_quality():
    for name, data in (("grid25", grid25(2500, random_state=1).data), ("ring8", ring8(2500, random_state=1).data)):
        s = toy_score(name, data)
        k = 25 if name == "grid25" else 8
        assert s.modes_covered == k and s.modes_covered_strict == k
        assert s.hq_share > 0.98  # 3 sigma in 2-D holds 98.9% of a Gaussian
        assert s.reverse_kl < 0.02


def test_all_samples_on_one_mode_cover_one_mode_with_kl_log_k():
    s = toy_score("grid25", np.tile([[2.0, -4.0]], (2500, 1)))
    assert s.modes_covered == 1 and s.hq_share == 1.0
    assert s.reverse_kl == pytest.approx(np.log(25))
    assert s.counts.sum() == 2500 and s.counts.max() == 2500


def test_points_between_modes_are_low_quality():
    s = toy_score("ring8", np.zeros((100, 2)))  # the centre of the ring: far from every mode
    assert s.hq_share == 0 and s.modes_covered == 0 and np.isinf(s.reverse_kl)
    # half on the modes, half in between: half high quality, the modes still balanced
    modes = np.array([[np.cos(a), np.sin(a)] for a in 2 * np.pi * np.arange(8) / 8])
    mix = np.concatenate([np.repeat(modes, 10, axis=0), np.zeros((80, 2))])
    s = toy_score("ring8", mix)
    assert s.hq_share == pytest.approx(0.5) and s.reverse_kl == pytest.approx(0.0, abs=1e-12)
    assert s.modes_covered == 8 and s.modes_covered_strict == 0  # 10 < 20 points per mode


def test_mode_score_uses_each_modes_std_and_checks_input():
    s = mode_score([[0.25, 0]], [[0, 0], [1, 0]], std=[0.1, 1.0])
    # 2.5 of mode 0's std from mode 0, 0.75 of mode 1's std from mode 1: nearest in std units is mode 1
    assert s.modes_covered == 1 and s.counts.tolist() == [0, 1]
    with pytest.raises(ValueError, match="NaN"):
        mode_score([[np.nan, 0]], [[0, 0]], 1.0)
    assert [r[0] for r in PUBLISHED["grid25"]] == ["GAN", "ALI", "PacGAN4"]


def test_kl_divergence_known_values():
    assert kl_divergence([1, 1], [1, 1]) == 0
    assert kl_divergence([1, 0], [1, 1]) == pytest.approx(np.log(2))
    assert np.isinf(kl_divergence([1, 1], [1, 0]))


def test_class_coverage_and_confidence():
    real = np.repeat(np.arange(10), 100)
    cov = class_coverage(real, real)
    assert cov["kl"] == pytest.approx(0, abs=1e-9) and cov["classes_at_1pct"] == 10
    collapsed = class_coverage(np.full(500, 3), real)
    assert collapsed["classes_at_1pct"] == 1 and collapsed["kl"] == pytest.approx(np.log(10), rel=1e-3)
    assert mean_confidence(np.eye(10)) == 1.0
    assert mean_confidence(np.full((4, 10), 0.1)) == pytest.approx(0.1)


def test_precision_recall_of_a_set_with_itself_and_a_shifted_set():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(1000, 8))
    assert precision_recall(real, real) == (1.0, 1.0)  # every point lies in its own ball
    # two samples of one distribution: near 1 (the k-NN balls underestimate the support in 8-D a little)
    same = rng.normal(size=(1000, 8))
    p, r = precision_recall(real, same, k=5)
    assert p > 0.9 and r > 0.9
    p_shift, r_shift = precision_recall(real, same + 3.0)
    assert p_shift < 0.3 and r_shift < 0.3
    # a collapsed generator (one small blob): precise but poor recall
    p_col, r_col = precision_recall(real, rng.normal(size=(1000, 8)) * 0.1)
    assert p_col > 0.95 and r_col < 0.5


def test_frechet_distance_known_values():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(20000, 4))
    assert frechet_distance(a, rng.normal(size=(20000, 4))) < 0.01
    # N(0, I) vs N(m, I): |m|^2; N(0, I) vs N(0, 4I): d (1 + 4 - 2 * 2) = d
    assert frechet_distance(a, rng.normal(size=(20000, 4)) + [1, 2, 0, 0]) == pytest.approx(5, rel=0.02)
    assert frechet_distance(a, 2 * rng.normal(size=(20000, 4))) == pytest.approx(4, rel=0.05)
