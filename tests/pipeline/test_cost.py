"""The time estimate shown before a run (``aeot_viz.pipeline.cost``): its sample count against a real pooled solve,
and how each stage scales. No timing is asserted here; ``benchmarks/train_estimate.py`` compares the estimate with
real runs (docs/BENCHMARKS.md)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from aeot_viz.ot import SemiDiscreteOT
from aeot_viz.pipeline.config import AEConfig, AEOTConfig, OTConfig, TrainConfig
from aeot_viz.pipeline.cost import (
    MachineSpeed,
    estimate_training_seconds,
    measure_speed,
    pooled_samples,
    seconds_in_words,
)

SPEED = MachineSpeed(pairs_per_second=1e9, ae_seconds_per_sample=1e-3)


@pytest.mark.parametrize("n, d, seed", [(300, 8, 3), (600, 6, 11)])
def test_the_predicted_sample_count_is_within_2x_of_a_real_pooled_solve(n, d, seed):
    """The OT stage's estimate is ``pooled_samples`` pairs at the kernel's rate: its count of samples scored
    against all targets must match what the solver really scores (its ``samples_scored_``), on sets and seeds the
    model was not fitted to."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-0.35, 0.35, size=(5, d))
    Y = (centres[rng.integers(0, 5, n)] + 0.05 * rng.standard_normal((n, d))).astype(np.float32)
    cfg = OTConfig(validation_samples=2**18, random_state=seed)
    ot = SemiDiscreteOT(method="pooled", validation_samples=cfg.validation_samples, random_state=seed).fit(Y)
    assert ot.converged_, "the solve must stop on its certificate for its sample count to be the model's case"
    predicted = pooled_samples(n, cfg)
    ratio = predicted / ot.samples_scored_
    print(f"N={n} d={d}: predicted {predicted:,} samples, scored {ot.samples_scored_:,} ({ratio:.2f}x)")
    assert 0.5 <= ratio <= 2.0


def test_a_2d_toy_costs_no_autoencoder_and_grows_linearly_with_its_points():
    cfg = AEOTConfig(ae=AEConfig(latent_dim=2))
    small = estimate_training_seconds(1000, (2,), "points", cfg, SPEED)
    large = estimate_training_seconds(4000, (2,), "points", cfg, SPEED)
    assert small["autoencoder"] == 0 and small["encode"] == 0
    for stage in ("ot", "convex null", "views"):
        assert large[stage] == pytest.approx(4 * small[stage])
    assert small["total"] == pytest.approx(sum(v for k, v in small.items() if k != "total"))


def test_images_cost_scales_with_epochs_and_the_kernel_rate():
    base = AEOTConfig(ae=AEConfig(latent_dim=32), train=TrainConfig(epochs=10))
    more = dataclasses.replace(base, train=TrainConfig(epochs=20))
    a = estimate_training_seconds(2000, (1, 28, 28), "images", base, SPEED)
    b = estimate_training_seconds(2000, (1, 28, 28), "images", more, SPEED)
    assert b["autoencoder"] == pytest.approx(2 * a["autoencoder"])
    assert b["ot"] == pytest.approx(a["ot"])
    slow = estimate_training_seconds(2000, (1, 28, 28), "images", base,
                                     MachineSpeed(pairs_per_second=5e8, ae_seconds_per_sample=1e-3))
    assert slow["ot"] == pytest.approx(2 * a["ot"]) and slow["convex null"] == pytest.approx(2 * a["convex null"])
    # the OT stage is the pooled count times N pairs at d = 32
    assert a["ot"] == pytest.approx(pooled_samples(2000, base.ot) * 2000 / SPEED.pairs_per_second)


def test_measured_speeds_are_positive_rates():
    s = measure_speed(AEOTConfig(ae=AEConfig(latent_dim=2)), (2,), "points")
    assert math.isfinite(s.pairs_per_second) and s.pairs_per_second > 1e6
    assert s.ae_seconds_per_sample == 0.0  # a 2-D toy trains no autoencoder


@pytest.mark.parametrize("seconds, words", [(0.2, "about 1 s"), (40.4, "about 40 s"), (420, "about 7 min"),
                                            (5400, "about 1.5 h")])
def test_seconds_in_words(seconds, words):
    assert seconds_in_words(seconds) == words
