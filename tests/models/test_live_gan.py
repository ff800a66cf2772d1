"""LiveGAN: trained in chunks it equals one run, and its samples move onto the data."""

import numpy as np
import pytest

from aeot_viz.data.drawing import preset
from aeot_viz.models.live_gan import LiveGAN


@pytest.mark.parametrize("kind", ["gan", "wgan-gp"])
def test_chunks_equal_one_run(kind):
    X = preset("ring", 200)[0]
    a = LiveGAN(kind, random_state=4).fit_start(X).train(15).train(15)
    b = LiveGAN(kind, random_state=4).fit_start(X).train(30)
    assert a.steps_ == b.steps_ == 30
    np.testing.assert_allclose(a.sample(50), b.sample(50), atol=1e-6)


def test_samples_move_onto_the_data():
    X = preset("ring", 500)[0]  # an untrained generator puts its points between the modes
    gan = LiveGAN("gan", random_state=0).fit_start(X)

    def distance_to_data(P):
        return np.sqrt(((P[:, None, :] - X[None]) ** 2).sum(-1)).min(1).mean()

    before = distance_to_data(gan.sample(300))
    after = distance_to_data(gan.train(400).sample(300))
    assert after < 0.5 * before


def test_bad_use():
    with pytest.raises(ValueError, match="kind"):
        LiveGAN("vae")
    with pytest.raises(ValueError, match="fit_start"):
        LiveGAN().train(1)
    with pytest.raises(ValueError, match="finite"):
        LiveGAN().fit_start(np.array([[np.nan, 0.0], [0.0, 1.0]]))
