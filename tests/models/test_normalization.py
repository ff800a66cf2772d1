import numpy as np
import pytest

from aeot_viz.models.normalization import LatentNormalizer


def test_targets_fill_the_cube_and_round_trip():
    Z = np.random.default_rng(0).normal(3.0, 5.0, (500, 7))
    n = LatentNormalizer().fit(Z)
    Y = n.transform(Z)
    assert np.abs(Y).max() == pytest.approx(0.5, rel=1e-5)
    assert np.allclose(Y.mean(0), 0, atol=1e-5)
    assert np.allclose(n.inverse_transform(Y), Z, atol=1e-4)


def test_isotropic_scaling_preserves_distance_ratios():
    Z = np.random.default_rng(1).normal(size=(50, 4)) * np.array([1, 10, 100, 1000])
    Y = LatentNormalizer().fit(Z).transform(Z)
    dz = np.linalg.norm(Z[1:] - Z[0], axis=1)
    dy = np.linalg.norm(Y[1:] - Y[0], axis=1)
    assert np.allclose(dy / dz, (dy / dz)[0], rtol=1e-4)


def test_from_params_rebuilds_the_same_map():
    Z = np.random.default_rng(2).normal(size=(20, 3))
    a = LatentNormalizer().fit(Z)
    b = LatentNormalizer.from_params(a.center_, a.scale_)
    assert np.array_equal(a.transform(Z), b.transform(Z))


@pytest.mark.parametrize(
    "Z, match",
    [(np.ones((10, 3)), "identical"), (np.zeros((0, 3)), "non-empty"), (np.array([[np.nan, 1.0]]), "NaN")],
)
def test_bad_codes(Z, match):
    with pytest.raises(ValueError, match=match):
        LatentNormalizer().fit(Z)


def test_unfitted_and_wrong_width():
    with pytest.raises(ValueError, match="not fitted"):
        LatentNormalizer().transform(np.zeros((2, 2)))
    n = LatentNormalizer().fit(np.random.default_rng(0).normal(size=(5, 3)))
    with pytest.raises(ValueError, match="shape"):
        n.transform(np.zeros((2, 4)))
