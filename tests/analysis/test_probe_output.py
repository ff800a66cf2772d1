"""Where the map sends the probe: AE-OT's output along t is a step function with its big step at the known jump
between two clusters, a neural generator's output is continuous (its largest step shrinks as the grid is refined),
checked against brute-force cell assignment, the shipped toy and the shipped MNIST model."""

import numpy as np
import pytest
from repo import ASSETS
from scipy import stats

from aeot_viz.analysis.probe_output import (
    class_probabilities_along,
    generator_output_along,
    ot_output_along,
    probe_grid,
    source_to_noise,
)
from aeot_viz.geometry.power_diagram import assign
from aeot_viz.models.baselines import load_baselines
from aeot_viz.pipeline.bundle import load_bundle

START, END = np.array([-0.45, 0.02]), np.array([0.45, 0.02])


def test_ot_output_is_the_brute_force_cell_code_at_every_t(two_cluster_model):
    m = two_cluster_model
    t = probe_grid(2001)
    out = ot_output_along(START, END, m.codes, m.targets, m.h, t)
    brute = m.codes[assign(START + t[:, None] * (END - START), m.targets, m.h)]
    assert out.values.shape == (2001, 2)
    assert (np.abs(out.values - brute).max(axis=1) < 1e-6).mean() > 0.998  # float32 kernel at a crossing may differ
    # a step function: it changes value only at the exact crossings, and holds one code in between
    changes = np.flatnonzero(out.steps() > 0)
    assert len(changes) <= len(out.breaks)
    for c in changes:
        assert np.min(np.abs(out.breaks - 0.5 * (t[c] + t[c + 1]))) <= 0.5 / 2000 + 1e-12


def test_ot_output_jumps_across_the_gap_and_stays_a_step_when_refined(two_cluster_model):
    m = two_cluster_model
    coarse = ot_output_along(START, END, m.codes, m.targets, m.h, probe_grid(101))
    fine = ot_output_along(START, END, m.codes, m.targets, m.h, probe_grid(3201))
    size, where = fine.largest_step()
    gap = m.codes[m.labels == 1, 0].min() - m.codes[m.labels == 0, 0].max()
    assert size >= gap > 1.0  # the step crosses the empty space between the clusters
    assert 0.3 < where < 0.7  # the clusters hold half the mass each: the jump is near the middle of the probe
    left, right = fine.values[fine.t < where - 0.01], fine.values[fine.t > where + 0.01]
    assert (left[:, 0] < 0).all() and (right[:, 0] > 0).all()
    assert fine.largest_step()[0] > 0.8 * coarse.largest_step()[0]  # refinement does not shrink a jump


def test_a_neural_generator_is_continuous_along_the_same_probe(two_cluster_model):
    m = two_cluster_model
    from aeot_viz.models.baselines import BaselineConfig, fit_baseline

    gan = fit_baseline(m.codes, BaselineConfig(kind="gan", noise_dim=2, steps=150, random_state=0))
    coarse = generator_output_along(gan, START, END, probe_grid(101))
    fine = generator_output_along(gan, START, END, probe_grid(1601))
    assert fine.values.shape == (1601, 2)
    # Lipschitz: 16x finer steps are about 16x shorter; a jump would keep its size
    assert fine.largest_step()[0] < 0.25 * coarse.largest_step()[0]
    assert fine.total_variation() == pytest.approx(coarse.total_variation(), rel=0.1)  # the same curve, finer


def test_source_to_noise_pushes_the_uniform_cube_to_the_gaussian():
    x = np.random.default_rng(5).uniform(-0.5, 0.5, (20_000, 3))
    z = source_to_noise(x, 5)
    assert z.shape == (20_000, 5)
    for j in range(3):
        assert stats.kstest(z[:, j], "norm").pvalue > 1e-3
    assert (z[:, 3:] == 0).all()  # noise coordinates beyond the cube's dimension sit at the median
    assert source_to_noise(x[:, :1] * 0, 2)[0].tolist() == [0.0, 0.0]


def test_bad_probes_are_refused(two_cluster_model):
    m = two_cluster_model
    with pytest.raises(ValueError, match="inside the source cube"):
        ot_output_along([0.6, 0.0], END, m.codes, m.targets, m.h)
    with pytest.raises(ValueError, match="increasing"):
        ot_output_along(START, END, m.codes, m.targets, m.h, [0.5, 0.2])
    with pytest.raises(ValueError, match="at least 2"):
        probe_grid(1)
    with pytest.raises(ValueError, match="one row per target"):
        ot_output_along(START, END, m.codes[:5], m.targets, m.h)


def test_shipped_toy_steps_at_singular_crossings_and_its_gan_does_not():
    """On the shipped 25-Gaussian toy: AE-OT's largest steps are crossings of singular facets, the shipped GAN's
    curve along the same probe is continuous."""
    from aeot_viz.analysis.discontinuity_probe import probe
    from aeot_viz.analysis.singularity import model_singular_set

    model = load_bundle(ASSETS / "toy_grid25.npz")
    gan = load_baselines(ASSETS / "baselines_grid25.npz")["gan"]
    ss = model_singular_set(model)
    start, end = np.array([-0.45, -0.3]), np.array([0.45, 0.35])
    pr = probe(start, end, model.targets, model.h, singular=ss)
    out = ot_output_along(start, end, model.codes, model.targets, model.h, probe_grid(4001))
    big = out.steps() > 1.0  # the modes sit 2 apart with standard deviation 0.05: a step over 1 leaves a mode
    assert big.sum() >= 2 and pr.singular.sum() >= 2
    mids = 0.5 * (out.t[1:] + out.t[:-1])[big]
    for tm in mids:  # every big step sits on a singular crossing of the probe
        assert np.min(np.abs(pr.t[pr.singular] - tm)) <= 1.0 / 4000 + 1e-12
    g_coarse = generator_output_along(gan, start, end, probe_grid(201)).largest_step()[0]
    g_fine = generator_output_along(gan, start, end, probe_grid(3201)).largest_step()[0]
    assert g_fine < 0.2 * g_coarse  # a trained GAN is steep between modes, but its steps shrink with the grid
    coarse = ot_output_along(start, end, model.codes, model.targets, model.h, probe_grid(201))
    assert out.largest_step()[0] > 0.8 * coarse.largest_step()[0]  # AE-OT's do not: they are jumps


@pytest.mark.slow
def test_mnist_class_probabilities_step_for_ae_ot_and_glide_for_the_gan():
    from aeot_viz.models.classifier import default_classifier

    model = load_bundle(ASSETS / "default_mnist10k.npz")
    gan = load_baselines(ASSETS / "baselines_mnist10k.npz")["gan"]
    clf = default_classifier()
    a, b = np.flatnonzero(model.labels == 1)[0], np.flatnonzero(model.labels == 7)[0]
    start, end = np.clip(model.targets[a], -0.45, 0.45), np.clip(model.targets[b], -0.45, 0.45)
    t = probe_grid(161)
    ot = class_probabilities_along(ot_output_along(start, end, model.codes, model.targets, model.h, t),
                                   model.decode, clf)
    assert ot.kind == "class probabilities" and ot.values.shape == (161, 10)
    assert np.allclose(ot.values.sum(axis=1), 1.0, atol=1e-5)
    # between two crossings the digit is one training code: the probabilities are constant there
    inside = np.searchsorted(ot.breaks, t[1:], side="right") == np.searchsorted(ot.breaks, t[:-1], side="right")
    assert np.abs(np.diff(ot.values, axis=0)[inside]).max() < 1e-5
    assert ot.largest_step()[0] > 0.5  # somewhere along the probe the digit switches outright
    g = [class_probabilities_along(generator_output_along(gan, start, end, probe_grid(n)), model.decode, clf)
         for n in (41, 641)]
    assert g[1].largest_step()[0] < g[0].largest_step()[0]  # finer grid, smaller steps: a continuous curve


def test_probe_outputs_refuse_the_wrong_things(two_cluster_model):
    m = two_cluster_model
    with pytest.raises(TypeError, match="trained baseline"):
        generator_output_along(object(), START, END)
    with pytest.raises(ValueError, match="one name per output column"):
        ot_output_along(START, END, m.codes, m.targets, m.h, names=["only one"])


def test_every_kth_sample_is_the_coarser_probe(two_cluster_model):
    from aeot_viz.models.baselines import BaselineConfig, fit_baseline

    m = two_cluster_model
    gan = fit_baseline(m.codes, BaselineConfig(kind="gan", noise_dim=2, steps=50, random_state=1))
    fine = generator_output_along(gan, START, END, probe_grid(1601))
    coarse = generator_output_along(gan, START, END, probe_grid(201))  # mapped again, on its own grid
    np.testing.assert_allclose(fine.every(8).t, coarse.t, atol=1e-15)
    np.testing.assert_allclose(fine.every(8).values, coarse.values, atol=1e-5)
    assert fine.every(8).largest_step()[0] == pytest.approx(coarse.largest_step()[0], abs=1e-5)
    with pytest.raises(ValueError, match="positive step"):
        fine.every(0)
