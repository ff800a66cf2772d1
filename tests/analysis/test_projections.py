import numpy as np
import pytest

from aeot_viz.analysis.projections import project


def _blobs():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], 60)
    X = rng.normal(size=(3, 10))[labels] * 4 + rng.normal(size=(180, 10))
    return X, labels


def _separated(P, labels):
    """Each point's nearest other point has its label (clusters stay apart in the projection)."""
    D = np.linalg.norm(P[:, None] - P[None], axis=2)
    np.fill_diagonal(D, np.inf)
    return (labels[D.argmin(1)] == labels).mean()


@pytest.mark.parametrize("method", ["pca", "tsne", pytest.param("umap", marks=pytest.mark.slow)])
def test_projections_keep_clusters_apart(method):
    X, labels = _blobs()
    P = project(X, method, random_state=0)
    assert P.shape == (180, 2) and np.isfinite(P).all()
    assert _separated(P, labels) > 0.95


def test_pca_is_the_top_two_principal_directions_and_2d_passes_through():
    X, _ = _blobs()
    P = project(X, "pca")
    Xc = X - X.mean(0)
    assert np.allclose(np.abs(P), np.abs(Xc @ np.linalg.svd(Xc, full_matrices=False)[2][:2].T), atol=1e-3)
    Z = np.random.default_rng(1).normal(size=(20, 2))
    assert np.allclose(project(Z, "umap"), Z)  # 2-D latent: shown as it is, UMAP never runs


def test_bad_input():
    with pytest.raises(ValueError, match="method"):
        project(np.zeros((5, 3)), "isomap")
    with pytest.raises(ValueError, match="at least 2"):
        project(np.zeros((1, 3)))


def test_generated_codes_placed_by_their_weights_match_the_pca_projection(tiny_model):
    from sklearn.decomposition import PCA

    from aeot_viz.analysis.generation import generate
    from aeot_viz.analysis.projections import place_combinations

    g = generate(tiny_model, 40, rule="extended", random_state=0)
    assert g.weights.shape == g.neighbours.shape and (g.weights[:, 0] == 1).all()
    pca = PCA(2).fit(tiny_model.codes)
    placed = place_combinations(pca.transform(tiny_model.codes), g.neighbours, g.weights)
    np.testing.assert_allclose(placed, pca.transform(g.codes), atol=1e-3)
    plain = generate(tiny_model, 10, rule="plain", random_state=0)
    P = pca.transform(tiny_model.codes)
    np.testing.assert_allclose(place_combinations(P, plain.neighbours, plain.weights), P[plain.cells], atol=1e-6)


def test_place_combinations_rejects_bad_weights():
    import pytest

    from aeot_viz.analysis.projections import place_combinations

    with pytest.raises(ValueError, match="positive sum"):
        place_combinations(np.zeros((3, 2)), [[0, 1]], [[0.0, 0.0]])
    with pytest.raises(ValueError, match="not in P"):
        place_combinations(np.zeros((3, 2)), [[0, 5]], [[1.0, 1.0]])
