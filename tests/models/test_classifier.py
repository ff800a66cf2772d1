"""The shipped digit classifier: its held-out accuracy, recomputed here, and safe loading."""

import io

import numpy as np
import pytest

from aeot_viz.data import load_mnist10k
from aeot_viz.models.classifier import DEFAULT_PATH, default_classifier, load_classifier
from aeot_viz.pipeline.bundle import BundleError


def test_shipped_classifier_reaches_97_percent_on_its_held_out_digits():
    clf = default_classifier()
    ds = load_mnist10k()
    perm = np.random.default_rng(clf.meta["seed"]).permutation(len(ds))
    test = perm[8000:]  # the split of scripts/build_classifier.py: never seen in training
    acc = (clf.predict_proba(ds.data[test]).argmax(1) == ds.labels[test]).mean()
    assert acc >= 0.97
    assert acc == pytest.approx(clf.meta["test_accuracy"], abs=1e-6)
    f = clf.features(ds.data[:5])
    assert f.shape == (5, 128) and (f >= 0).all()  # after a ReLU


def test_classifier_input_and_file_checks(tmp_path):
    clf = default_classifier()
    with pytest.raises(ValueError, match="28, 28"):
        clf.predict_proba(np.zeros((2, 1, 8, 8)))
    with pytest.raises(BundleError):
        load_classifier(b"not a zip")
    # a bundle of another kind is refused by its format tag
    with pytest.raises(BundleError, match="not a aeot-viz-classifier"):
        load_classifier(DEFAULT_PATH.parent / "toy_grid25.npz")
    buf = io.BytesIO()
    np.savez(buf, **{"meta.json": np.frombuffer(b"{}", np.uint8), "weights/x": np.array([object()], dtype=object)})
    with pytest.raises(BundleError, match="pickle"):
        load_classifier(buf.getvalue())


def test_the_strided_pooling_equals_torch_s_max_pool_bit_for_bit():
    """MaxPool2x2 replaces nn.MaxPool2d(2) for speed; it must not move a single value (odd sizes drop the last
    row and column, as MaxPool2d does)."""
    import torch

    from aeot_viz.models.classifier import MaxPool2x2

    gen = torch.Generator().manual_seed(3)
    for shape in [(5, 32, 28, 28), (3, 64, 14, 14), (2, 4, 7, 9)]:
        x = torch.randn(shape, generator=gen)
        x[0, 0, 0, :2] = 1.5  # a tie inside one window
        np.testing.assert_array_equal(MaxPool2x2()(x).numpy(), torch.nn.MaxPool2d(2)(x).numpy())
