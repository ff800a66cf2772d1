"""The Stacked-MNIST protocol: each channel read by the digit classifier, 1,000 modes counted, and its picture."""

import numpy as np
import pytest

from aeot_viz.analysis.lab import decoded_stacked_score
from aeot_viz.analysis.metrics import channel_digits, histogram_coverage, mode_coverage, stacked_mnist_score
from aeot_viz.data import load_stacked_mnist
from aeot_viz.models.classifier import default_classifier
from aeot_viz.viz import mode_histograms_figure


@pytest.fixture(scope="module")
def real():
    return load_stacked_mnist(n_samples=600, random_state=11)


def test_the_judge_reads_real_stacked_images_as_their_labels(real):
    # the independent reference: the labels the builder wrote from the digits it stacked
    read = channel_digits(real.data, default_classifier())
    truth = np.stack([real.labels // 100, real.labels // 10 % 10, real.labels % 10], axis=1)
    assert read.shape == (600, 3) and (read == truth).mean() > 0.97
    s = stacked_mnist_score(real.data, default_classifier())
    assert s["n_samples"] == 600 and s["histogram"].sum() == 600
    assert abs(s["modes_covered"] - len(np.unique(real.labels))) <= 15
    with pytest.raises(ValueError, match=r"\(n, 3, 28, 28\)"):
        channel_digits(real.data[:, :1], default_classifier())


class _Decoder:
    """A stand-in model whose 'codes' are row numbers of a fixed image set (decode looks them up)."""

    def __init__(self, images):
        self.images = images

    def decode(self, codes):
        return self.images[np.asarray(codes)[:, 0].astype(int)]


def test_chunked_scoring_equals_scoring_everything_at_once(real):
    codes = np.random.default_rng(3).integers(0, len(real), size=(1000, 1)).astype(np.float32)
    whole = stacked_mnist_score(real.data[codes[:, 0].astype(int)], default_classifier())
    events = []
    chunked = decoded_stacked_score(_Decoder(real.data), codes, default_classifier(), chunk=128,
                                    callback=events.append)
    np.testing.assert_array_equal(chunked["histogram"], whole["histogram"])
    assert chunked["modes_covered"] == whole["modes_covered"] and chunked["kl"] == pytest.approx(whole["kl"])
    assert [e.step for e in events][-1] == 1000 and len(events) == 8


def test_histogram_coverage_on_known_histograms():
    assert histogram_coverage(np.full(1000, 26)) == (1000, pytest.approx(0.0, abs=1e-12))
    h = np.zeros(1000)
    h[[3, 7]] = [1, 3]  # two modes, shares 1/4 and 3/4: KL = log 1000 - H
    entropy = -(0.25 * np.log(0.25) + 0.75 * np.log(0.75))
    assert histogram_coverage(h) == (2, pytest.approx(np.log(1000) - entropy))
    assert histogram_coverage(h) == mode_coverage(np.array([3, 7, 7, 7]))
    for bad in (np.zeros(1000), -np.ones(1000), np.ones((2, 500))):
        with pytest.raises(ValueError):
            histogram_coverage(bad)


def test_the_mode_picture_puts_each_mode_in_its_cell_and_missing_modes_at_zero():
    h = np.full(1000, 26)
    h[[0, 123, 999]] = [0, 52, 200]
    fig = mode_histograms_figure({"AE-OT": h, "GAN": np.eye(1000)[5] * 26000})
    assert [t.name for t in fig.data] == ["AE-OT", "GAN"]
    z = np.asarray(fig.data[0].z)
    assert z.shape == (10, 100)
    share = h.sum() / 1000  # the uniform expectation per mode
    assert z[0, 0] == 0 and z[1, 23] == pytest.approx(52 / share) and z[9, 99] == 3.0  # capped at 3
    assert z[4, 56] == pytest.approx(26 / share)
    assert np.asarray(fig.data[1].z)[0, 5] == 3.0 and (np.asarray(fig.data[1].z) == 0).sum() == 999
    assert fig.layout.xaxis2.title.text and fig.layout.yaxis.title.text
    with pytest.raises(ValueError, match="1000"):
        mode_histograms_figure({"bad": np.ones(999)})


def test_the_shipped_stacked_model_covers_the_modes_evenly_with_a_seed_it_never_saw():
    """Issue 19's acceptance, on generation seed 7 (the build and its views used 0 and 20251129)."""
    from repo import ASSETS

    from aeot_viz.analysis.generation import generate
    from aeot_viz.analysis.singularity import model_singular_set
    from aeot_viz.pipeline.bundle import load_bundle
    from aeot_viz.pipeline.views import stored_singular_set

    model = load_bundle(ASSETS / "stacked_mnist.npz")
    singular = stored_singular_set(model) or model_singular_set(model)
    codes = generate(model, 26_000, singular=singular, random_state=7).codes  # the default generation
    aeot = decoded_stacked_score(model, codes, default_classifier())
    assert aeot["n_samples"] == 26_000
    assert aeot["modes_covered"] >= 990 and aeot["kl"] < 0.06
