"""A callback that raises Cancelled stops training and the OT solve; nothing half-finished comes back."""

import numpy as np
import pytest
from progress_helpers import cancel_at

from aeot_viz.data import load_dataset
from aeot_viz.ot import SemiDiscreteOT
from aeot_viz.pipeline.config import AEConfig, AEOTConfig, OTConfig, TrainConfig
from aeot_viz.pipeline.training import fit_aeot
from aeot_viz.utils.progress import Cancelled


def test_cancel_during_the_autoencoder_stops_before_ot():
    cb, seen = cancel_at("autoencoder", 2)
    cfg = AEOTConfig(ae=AEConfig(latent_dim=3), train=TrainConfig(epochs=3, batch_size=32),
                     ot=OTConfig(max_iter=20, round_iter=10, batch_size=1024, validation_samples=2**12))
    with pytest.raises(Cancelled):
        fit_aeot(load_dataset("digits", n_samples=100), cfg, callback=cb)
    assert seen[-1].stage == "autoencoder" and not any(e.stage.startswith("ot") for e in seen)


def test_cancel_during_the_ot_solve_leaves_no_heights():
    cb, seen = cancel_at("ot", 5)
    ot = SemiDiscreteOT(max_iter=50, round_iter=10, batch_size=1024, validation_samples=2**12, device="cpu")
    with pytest.raises(Cancelled):
        ot.fit(np.random.default_rng(0).uniform(-0.4, 0.4, (50, 2)), callback=cb)
    assert not hasattr(ot, "h_") and seen[-1].step == 5
