"""Stacked MNIST: three shipped digits per image, labelled by their mode; and the 1,000-mode coverage count."""

import numpy as np
import pytest

from aeot_viz.analysis.metrics import mode_coverage, stacked_modes
from aeot_viz.data import load_dataset, load_mnist10k, load_stacked_mnist


def test_images_stack_three_shipped_digits_and_the_label_is_their_mode():
    ds = load_stacked_mnist(n_samples=300, random_state=5)
    assert ds.data.shape == (300, 3, 28, 28) and ds.data.dtype == np.float32 and ds.kind == "images"
    assert ds.labels.shape == (300,) and ds.labels.min() >= 0 and ds.labels.max() <= 999
    digits = load_mnist10k()
    flat = digits.data.reshape(len(digits), -1)
    lookup = {row.tobytes(): i for i, row in enumerate(flat)}
    for k in range(0, 300, 37):  # each channel is one shipped digit, and the label reads their classes
        idx = [lookup.get(ds.data[k, c].reshape(-1).tobytes()) for c in range(3)]
        assert None not in idx
        assert ds.labels[k] == 100 * digits.labels[idx[0]] + 10 * digits.labels[idx[1]] + digits.labels[idx[2]]


def test_deterministic_by_seed_and_reachable_by_name():
    a = load_stacked_mnist(n_samples=50, random_state=1)
    b = load_dataset("stacked_mnist", n_samples=50, random_state=1)
    c = load_stacked_mnist(n_samples=50, random_state=2)
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert not np.array_equal(a.labels, c.labels)
    with pytest.raises(ValueError, match="n_samples"):
        load_stacked_mnist(n_samples=0)


def test_the_default_set_holds_every_mode_equally_often():
    labels = load_stacked_mnist(random_state=0).labels
    assert len(labels) == 25_600
    counts = np.bincount(labels, minlength=1000)
    assert set(counts.tolist()) == {25, 26} and (counts == 26).sum() == 600  # 25,600 = 1,000 x 25 + 600
    covered, kl = mode_coverage(labels)
    assert covered == 1000 and kl < 1e-3
    # and the digits are random draws: many distinct digits per class and channel, in no fixed order
    ds = load_stacked_mnist(n_samples=2000, random_state=3)
    flat = ds.data[:, 0].reshape(2000, -1)
    assert len({row.tobytes() for row in flat}) > 1500
    assert not np.array_equal(ds.labels, np.sort(ds.labels))


def test_mode_coverage_on_histograms_with_known_answers():
    uniform = np.repeat(np.arange(1000), 26)
    assert mode_coverage(uniform) == (1000, pytest.approx(0.0, abs=1e-12))
    assert mode_coverage(np.zeros(500, dtype=int)) == (1, pytest.approx(np.log(1000)))
    half = np.repeat(np.arange(0, 1000, 2), 10)  # 500 modes, equally
    assert mode_coverage(half) == (500, pytest.approx(np.log(2)))
    with pytest.raises(ValueError):
        mode_coverage([1000])
    assert stacked_modes(np.array([[1, 2, 3], [9, 0, 0]])).tolist() == [123, 900]
    with pytest.raises(ValueError):
        stacked_modes(np.array([[1, 2]]))
