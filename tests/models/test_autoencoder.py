import numpy as np
import pytest
import torch

from aeot_viz.data import load_dataset
from aeot_viz.models.autoencoder import (
    ConvAutoencoder,
    IdentityAutoencoder,
    MLPAutoencoder,
    build_autoencoder,
)
from aeot_viz.pipeline.config import AEConfig, AEOTConfig, OTConfig, TrainConfig
from aeot_viz.pipeline.training import fit_aeot, train_autoencoder


@pytest.mark.parametrize("shape", [(1, 28, 28), (1, 8, 8), (3, 32, 32), (1, 7, 9)])
def test_conv_autoencoder_shapes(shape):
    ae = build_autoencoder(AEConfig(latent_dim=5), "images", shape)
    assert isinstance(ae, ConvAutoencoder)
    x = torch.rand(4, *shape)
    z = ae.encode(x)
    assert z.shape == (4, 5)
    out = ae.decode(z)
    assert out.shape == (4, *shape) and out.min() >= 0 and out.max() <= 1


def test_kind_resolution():
    assert isinstance(build_autoencoder(AEConfig(), "points", (2,)), IdentityAutoencoder)
    assert isinstance(build_autoencoder(AEConfig(latent_dim=3), "points", (10,)), MLPAutoencoder)
    with pytest.raises(ValueError, match="smaller than the data dimension"):
        build_autoencoder(AEConfig(latent_dim=10), "points", (10,))
    with pytest.raises(ValueError, match="needs images"):
        build_autoencoder(AEConfig(kind="conv"), "points", (10,))
    with pytest.raises(ValueError, match="needs vectors"):
        build_autoencoder(AEConfig(kind="mlp"), "images", (1, 8, 8))


def test_short_training_lowers_the_loss_and_reports_progress():
    ds = load_dataset("digits", n_samples=400)
    torch.manual_seed(0)
    ae = build_autoencoder(AEConfig(latent_dim=6), ds.kind, ds.shape)
    X = torch.from_numpy(ds.data)
    with torch.no_grad():
        ae.eval()
        before = float(ae.loss(X))
    events = []
    hist = train_autoencoder(ae, ds.data, TrainConfig(epochs=5, batch_size=64, device="cpu"), events.append)
    with torch.no_grad():
        after = float(ae.loss(X))
    assert after < 0.85 * before
    assert hist["loss"][-1] < hist["loss"][0]
    assert len(hist["epoch"]) == 5
    steps = [e.step for e in events]
    assert steps == sorted(steps) and events[-1].step == events[-1].total == 5 * 7
    assert not ae.training  # left in eval mode


def test_training_is_reproducible_with_a_seed():
    ds = load_dataset("digits", n_samples=100)
    outs = []
    for _ in range(2):
        torch.manual_seed(123)  # different global state must not matter: the config's seed rules
        ae = build_autoencoder(AEConfig(latent_dim=4), ds.kind, ds.shape)
        train_autoencoder(ae, ds.data, TrainConfig(epochs=1, batch_size=32, device="cpu", random_state=7))
        outs.append(ae.encode(torch.from_numpy(ds.data[:5])).detach())
        torch.manual_seed(999)
    assert torch.equal(outs[0], outs[1])


def test_mlp_autoencoder_trains_on_vectors():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(300, 3))
    X = (Z @ rng.normal(size=(3, 12))).astype(np.float32)
    ae = build_autoencoder(AEConfig(latent_dim=3, hidden=(32,)), "points", (12,))
    hist = train_autoencoder(ae, X, TrainConfig(epochs=30, batch_size=64, lr=3e-3, device="cpu"))
    assert hist["loss"][-1] < 0.2 * hist["loss"][0]


def test_fit_aeot_on_a_toy_mixture_uses_the_data_as_latent_space():
    ds = load_dataset("ring8", n_samples=300)
    m = fit_aeot(ds, AEOTConfig(ot=OTConfig(max_iter=100, validation_samples=2**16, device="cpu")))
    assert m.ae_kind == "identity"
    assert np.array_equal(m.codes, ds.data)
    assert np.abs(m.targets).max() == pytest.approx(0.5, rel=1e-5)
    assert np.allclose(m.decode(m.codes[:10]), ds.data[:10])
    assert m.h.shape == (300,) and m.ot_validation["n_samples"] == 2**16


def test_fit_aeot_rejects_bad_input():
    with pytest.raises(TypeError, match="Dataset"):
        fit_aeot(np.zeros((10, 2)))
    ds = load_dataset("digits", n_samples=50)
    with pytest.raises(ValueError, match="latent_dim"):
        fit_aeot(ds, AEOTConfig(ae=AEConfig(latent_dim=64)))


def test_channelwise_autoencoder_codes_each_channel_alone_with_one_shared_network():
    from aeot_viz.models.autoencoder import ChannelwiseAutoencoder

    torch.manual_seed(0)
    ae = build_autoencoder(AEConfig(kind="channelwise", latent_dim=12), "images", (3, 28, 28)).eval()
    assert isinstance(ae, ChannelwiseAutoencoder) and ae.latent_dim == 12
    x = torch.rand(5, 3, 28, 28)
    with torch.no_grad():
        z = ae.encode(x)
        swapped = ae.encode(x[:, [2, 0, 1]])  # permuting the channels permutes the code's blocks, nothing else
        alone = ae.shared.encode(x[:, 1:2])  # the middle channel coded by the shared network on its own
        out = ae.decode(z)
    assert z.shape == (5, 12) and out.shape == (5, 3, 28, 28) and 0 <= out.min() and out.max() <= 1
    torch.testing.assert_close(swapped, torch.cat([z[:, 8:], z[:, :4], z[:, 4:8]], dim=1))
    torch.testing.assert_close(alone, z[:, 4:8])
    with torch.no_grad():  # channel 0's reconstruction depends on channel 0's code only
        z2 = z.clone()
        z2[:, 4:] += 1.0
        torch.testing.assert_close(ae.decode(z2)[:, 0], out[:, 0])
    with pytest.raises(ValueError, match="multiple of the 3 channels"):
        build_autoencoder(AEConfig(kind="channelwise", latent_dim=10), "images", (3, 28, 28))
    with pytest.raises(ValueError, match="needs images"):
        build_autoencoder(AEConfig(kind="channelwise", latent_dim=6), "points", (10,))


def test_a_channelwise_model_survives_its_bundle(tmp_path):
    from aeot_viz.pipeline.bundle import load_bundle, save_bundle

    cfg = AEOTConfig(ae=AEConfig(kind="channelwise", latent_dim=6, channels=(8, 16)),
                     train=TrainConfig(epochs=1, batch_size=32),
                     ot=OTConfig(max_iter=20, round_iter=10, batch_size=2048, validation_samples=2**14))
    model = fit_aeot(load_dataset("stacked_mnist", n_samples=80), cfg)
    assert model.ae_kind == "channelwise" and model.codes.shape == (80, 6)
    back = load_bundle(save_bundle(model, tmp_path / "s.npz"))
    assert back.ae_kind == "channelwise"
    np.testing.assert_allclose(back.decode(model.codes[:4]), model.decode(model.codes[:4]), atol=1e-6)


def test_a_model_keeps_at_most_16_mib_of_training_images_for_display():
    from aeot_viz.pipeline.training import MAX_DISPLAY_BYTES, display_image_count

    assert display_image_count((1, 28, 28)) == 20_000  # all of MNIST-10k, capped by count
    n = display_image_count((3, 28, 28))
    assert n * 3 * 784 <= MAX_DISPLAY_BYTES < (n + 1) * 3 * 784
    assert display_image_count((3, 4000, 4000)) == 1
