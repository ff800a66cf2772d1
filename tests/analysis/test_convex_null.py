"""The convex null and the calibrated singular rule (issue 13's acceptance figures).

References used here are independent of the code under test: labels of the mixture components that
generated the data (toys, digits), closed-form binomial coefficients for the p-value, brute-force
pairwise distances for the local spacing, and the sample mean / covariance for the null's shape.
"""


import numpy as np
import pytest
from repo import ASSETS
from scipy.spatial.distance import cdist
from scipy.special import comb
from sklearn.metrics import roc_auc_score

from aeot_viz import load_bundle, model_singular_set, probe, singular_set
from aeot_viz.analysis.convex_null import ConvexNull, ellipsoid_codes, exceedance_p_value
from aeot_viz.geometry.facets import facet_degree, kth_neighbour_distance
from aeot_viz.ot import SemiDiscreteOT
from aeot_viz.pipeline.bundle import BundleError, bundle_to_bytes

# The stop rule these tests solve with (the default before issue 15: 2^20 validation samples, 1.5x their floor):
# the singular rule needs the data and its null solved alike, not the default's accuracy, which costs 5x more
OT = dict(validation_samples=2**20, floor_factor=1.5, max_iter=600, device="cpu")


def _solve(Z, seed=0):
    return SemiDiscreteOT(random_state=seed, **OT).fit(Z.astype(np.float32)).h_


# --- convex supports: at most 1% of facets flagged, and no claim of non-convexity ----------------------

def _disc(n, rng):
    u = rng.standard_normal((n, 2))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    return 0.45 * u * np.sqrt(rng.random(n))[:, None]


@pytest.mark.parametrize("name, make", [
    ("uniform disc 2-D", lambda rng: _disc(2500, rng)),
    ("Gaussian 2-D", lambda rng: 0.12 * rng.standard_normal((2000, 2))),
    ("Gaussian 16-D", lambda rng: 0.08 * rng.standard_normal((2000, 16))),
])
def test_convex_supports_flag_at_most_a_thousandth(name, make):
    Z = make(np.random.default_rng(11))
    ss = singular_set(Z, _solve(Z, seed=3), solver_params=OT, random_state=5)
    assert ss.rule == "midpoint" and ss.test == "midpoint"
    assert len(ss.pairs) > 2.5 * len(Z)  # a 2-D diagram has about 3N facets, more in 16-D
    assert ss.singular.mean() <= 0.001, (name, ss.n_singular)
    assert not ss.non_convex, ss.verdict()
    assert ss.verdict().startswith("No evidence of non-convexity")
    assert ss.with_jump_rule().singular.mean() <= 0.01  # the jump rule, kept for comparison


# --- shipped models ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mnist():
    return load_bundle(ASSETS / "default_mnist10k.npz")


@pytest.fixture(scope="module")
def mnist_singular(mnist):
    return model_singular_set(mnist)


@pytest.mark.parametrize("bundle", ["toy_grid25.npz", "toy_ring8.npz"])
def test_shipped_toys_flag_exactly_the_facets_between_components(bundle):
    model = load_bundle(ASSETS / bundle)
    assert model.singular_null is not None and model.singular_null.has_emptiness
    for ss in (model_singular_set(model), model_singular_set(_without_null(model), random_state=17)):
        between = model.labels[ss.pairs[:, 0]] != model.labels[ss.pairs[:, 1]]
        for judged in (ss, ss.with_jump_rule()):
            precision = between[judged.singular].mean()
            recall = judged.singular[between].mean()
            assert precision >= 0.95 and recall >= 0.95, (bundle, judged.rule, precision, recall)
        assert ss.rule == "midpoint" and ss.non_convex


def _without_null(model):
    import dataclasses

    return dataclasses.replace(model, singular_null=None)


def test_shipped_mnist_flags_the_gaps_between_digits(mnist, mnist_singular):
    """Issue 32's acceptance: at least 5% of facets flagged, at least 95% of them between different digits, and at
    least 20% of the facets between different digits flagged (the jump rule flags about 0.06%)."""
    ss = mnist_singular
    assert ss.rule == "midpoint"
    between = mnist.labels[ss.pairs[:, 0]] != mnist.labels[ss.pairs[:, 1]]
    assert ss.singular.mean() >= 0.05, ss.singular.mean()
    assert between[ss.singular].mean() >= 0.95
    assert ss.singular[between].mean() >= 0.20
    assert ss.non_convex and ss.verdict().startswith("Latent support non-convex")
    assert ss.n_beyond_null == ss.n_singular
    # the score ranks digit boundaries first across all facets, too
    assert roc_auc_score(between, ss.score) > 0.85
    jump = ss.with_jump_rule()  # issue 13's rule, for comparison: few facets, nearly all between digits
    assert 0 < jump.n_singular < 0.01 * len(ss.pairs) and between[jump.singular].mean() >= 0.95


def test_mnist_probes_flag_the_digit_changes(mnist, mnist_singular):
    """Over 300 random straight paths between uniform source points (a seed no solver used): at least 40% of the
    crossings that change digit are singular, and at most 5% of the singular crossings keep the digit."""
    rng = np.random.default_rng(2031)
    flagged, changes, scores = [], [], []
    for _ in range(300):
        a, b = rng.random((2, mnist.latent_dim)) - 0.5
        pr = probe(a, b, mnist.targets, mnist.h, singular=mnist_singular)
        flagged.append(pr.singular)
        scores.append(pr.score)
        changes.append(mnist.labels[pr.pairs[:, 0]] != mnist.labels[pr.pairs[:, 1]])
    flagged, changes, scores = np.concatenate(flagged), np.concatenate(changes), np.concatenate(scores)
    assert len(changes) > 500 and 0.2 < changes.mean() < 0.8
    assert flagged[changes].mean() >= 0.40, flagged[changes].mean()
    assert 1 - changes[flagged].mean() <= 0.05
    assert roc_auc_score(changes, scores) >= 0.85


def test_probe_crossings_are_scored_like_the_facets_they_cross(mnist, mnist_singular):
    ss = mnist_singular
    d = mnist.latent_dim
    pr = probe(np.full(d, -0.4), np.full(d, 0.4), mnist.targets, mnist.h, singular=ss)
    keys = {tuple(p): k for k, p in enumerate(ss.pairs.tolist())}
    shared = [(c, keys[tuple(sorted(p))]) for c, p in enumerate(pr.pairs.tolist()) if tuple(sorted(p)) in keys]
    assert shared
    for c, f in shared:
        assert pr.emptiness[c] == pytest.approx(ss.emptiness[f])
        assert pr.score[c] == pytest.approx(ss.score[f])
        assert pr.singular[c] == ss.singular[f]
    jump = probe(np.full(d, -0.4), np.full(d, 0.4), mnist.targets, mnist.h, singular=ss.with_jump_rule())
    for c, f in shared:
        assert jump.score[c] == pytest.approx(ss.jump_score[f])


def test_shipped_stacked_mnist_has_a_verdict_with_its_p_value():
    model = load_bundle(ASSETS / "stacked_mnist.npz")
    ss = model_singular_set(model)
    assert ss.rule == "midpoint" and ss.p_value is not None
    expected = exceedance_p_value(ss.n_singular, len(ss.pairs), ss.null.n_facets)
    assert ss.p_value == pytest.approx(expected, rel=1e-12)
    assert f"{ss.n_singular:,} of {len(ss.pairs):,} facets" in ss.verdict()


# --- the pieces, against independent references ----------------------------------------------------------

@pytest.mark.parametrize("k, E, E0", [(1, 10, 10), (3, 20, 30), (7, 100, 80), (0, 5, 5), (6, 5, 5)])
def test_p_value_is_the_chance_that_the_top_k_of_the_pool_are_all_data(k, E, E0):
    expected = comb(E, k, exact=True) / comb(E + E0, k, exact=True) if k <= E else 0.0
    assert exceedance_p_value(k, E, E0) == pytest.approx(expected, rel=1e-9)


def test_p_value_matches_a_simulation_of_exchangeable_facets():
    rng = np.random.default_rng(0)
    E, E0, k, hits, trials = 40, 60, 2, 0, 20000
    for _ in range(trials):
        data, null = rng.random(E), rng.random(E0)
        hits += (data > null.max()).sum() >= k
    assert hits / trials == pytest.approx(exceedance_p_value(k, E, E0), abs=0.01)


def test_ellipsoid_codes_have_the_data_mean_and_covariance():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((5, 5))
    Y = rng.standard_normal((4000, 5)) @ A + np.arange(5)
    Z = ellipsoid_codes(Y, n=200_000, random_state=3)
    assert np.allclose(Z.mean(0), Y.mean(0), atol=0.05)
    assert np.allclose(np.cov(Z.T), np.cov(Y.T), rtol=0.03, atol=0.05)
    # all inside the ellipsoid of Mahalanobis radius sqrt(d + 2), and filling it out to the rim
    D = Z - Y.mean(0)
    m = np.sqrt(np.einsum("ij,jk,ik->i", D, np.linalg.inv(np.cov(Y.T)), D))
    assert m.max() <= np.sqrt(7) * 1.01 and m.max() > np.sqrt(7) * 0.97


def test_local_spacing_matches_brute_force_distances():
    Y = np.random.default_rng(4).random((300, 6))
    D = cdist(Y, Y)
    np.fill_diagonal(D, np.inf)
    for k in (1, 5, 23):
        assert np.allclose(kth_neighbour_distance(Y, k), np.sort(D, axis=1)[:, k - 1])
    assert facet_degree(1500, 1000) == 3 and facet_degree(10, 3) == 2


def test_null_survives_a_bundle_round_trip_and_damaged_nulls_are_refused(toy_model):
    assert toy_model.singular_null is not None  # fit_aeot builds it
    again = load_bundle(bundle_to_bytes(toy_model))
    a, b = toy_model.singular_null, again.singular_null
    assert np.allclose(a.angles, b.angles, rtol=1e-6) and a.k == b.k and a.n_codes == b.n_codes
    arrs = dict(np.load(__import__("io").BytesIO(bundle_to_bytes(toy_model))))
    arrs["null_angles"] = np.full_like(arrs["null_angles"], np.nan)
    import io

    buf = io.BytesIO()
    np.savez(buf, **arrs)
    with pytest.raises(BundleError, match="convex null"):
        load_bundle(buf.getvalue())


def test_a_null_for_other_codes_is_refused():
    Y = np.random.default_rng(0).random((50, 3)) - 0.5
    null = ConvexNull(np.arange(5.0), np.arange(5.0), 3, 60, 3, 2**12, 0, emptiness=np.arange(5.0))
    with pytest.raises(ValueError, match="built for 60 codes"):
        singular_set(Y, np.zeros(50), null=null, n_samples=2**12)
    with pytest.raises(ValueError, match="heights"):  # heights of another null are refused before any use
        from aeot_viz.analysis.singularity import build_convex_null

        build_convex_null(Y, k=3, heights=np.zeros(60))


def test_the_stored_null_is_what_its_stored_heights_give():
    """The shipped toy's null: its codes drawn again from the seed, its exact 2-D cells from the stored heights, and
    every facet's midpoint emptiness by an exhaustive float64 search reproduce the stored sorted statistic."""
    from aeot_viz.geometry.power_diagram import exact_cells_2d

    model = load_bundle(ASSETS / "toy_grid25.npz")
    null = model.singular_null
    Y = np.asarray(model.targets, dtype=np.float64)
    Y = np.unique(Y, axis=0) if len(np.unique(Y, axis=0)) < len(Y) else Y
    Z = ellipsoid_codes(Y, random_state=null.random_state + 7919)
    pairs = exact_cells_2d(Z, null.heights).edges
    D = cdist(Z, Z)
    np.fill_diagonal(D, np.inf)
    r = np.sort(D, axis=1)[:, max(1, round(null.k / 2)) - 1]
    M = 0.5 * (Z[pairs[:, 0]] + Z[pairs[:, 1]])
    DM = cdist(M, Z)
    DM[np.arange(len(pairs)), pairs[:, 0]] = DM[np.arange(len(pairs)), pairs[:, 1]] = np.inf
    brute = np.sort(DM.min(axis=1) / (0.5 * (r[pairs[:, 0]] + r[pairs[:, 1]])))
    assert len(brute) == null.n_facets
    np.testing.assert_allclose(null.emptiness, brute, rtol=1e-9)
    assert null.emptiness_threshold == pytest.approx(brute[-1], rel=1e-9)


# --- bad input -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("Y, h, kwargs, match", [
    (np.random.default_rng(0).random((10, 2)), np.r_[np.nan, np.zeros(9)], {}, "heights"),
    (np.random.default_rng(0).random((10, 2)), np.r_[np.inf, np.zeros(9)], {}, "heights"),
    (np.r_[np.full((1, 2), np.nan), np.random.default_rng(0).random((9, 2))], np.zeros(10), {}, "NaN"),
    (np.zeros((1, 2)), np.zeros(1), {}, "N >= 2"),
    (np.r_[np.zeros((2, 2)), np.ones((3, 2))], np.zeros(5), {}, "duplicates"),
    (np.random.default_rng(0).random((10, 2)), np.zeros(10), {"threshold": -0.1}, "non-negative"),
    (np.random.default_rng(0).random((10, 2)), np.zeros(10), {"threshold": float("nan")}, "non-negative"),
])
def test_bad_input_is_a_clear_value_error(Y, h, kwargs, match):
    with pytest.raises(ValueError, match=match):
        singular_set(Y, h, **kwargs)


def test_training_builds_the_null_with_its_own_progress_stage():
    from aeot_viz.data import load_dataset
    from aeot_viz.pipeline.config import AEConfig, AEOTConfig, OTConfig, TrainConfig
    from aeot_viz.pipeline.training import fit_aeot

    events = []
    cfg = AEOTConfig(ae=AEConfig(latent_dim=2), train=TrainConfig(epochs=1),
                     ot=OTConfig(max_iter=40, round_iter=20, batch_size=4096, validation_samples=2**16))
    model = fit_aeot(load_dataset("grid25", n_samples=300), cfg, callback=events.append)
    stages = [e.stage for e in events]
    assert "convex-null" in stages and stages.index("convex-null") > max(i for i, s in enumerate(stages) if s == "ot")
    assert model.singular_null is not None and model.singular_null.n_codes == len(np.unique(model.targets, axis=0))
