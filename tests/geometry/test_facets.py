"""Facet statistics: the midpoint emptiness against a brute-force search over every code, and what it says of a
gap (issue 32's lead)."""

import numpy as np
import pytest

from aeot_viz.geometry.facets import kth_neighbour_distance, midpoint_emptiness


def _brute(Y, pairs, k):
    D = np.linalg.norm(Y[:, None] - Y[None], axis=2)
    np.fill_diagonal(D, np.inf)
    r = np.sort(D, axis=1)[:, k - 1]
    out = []
    for i, j in pairs:
        m = 0.5 * (Y[i] + Y[j])
        d = np.linalg.norm(Y - m, axis=1)
        d[[i, j]] = np.inf
        out.append(d.min() / (0.5 * (r[i] + r[j])))
    return np.array(out)


@pytest.mark.parametrize("n, d, k", [(300, 8, 5), (500, 2, 3), (200, 32, 10)])
def test_midpoint_emptiness_equals_a_brute_force_search(n, d, k):
    rng = np.random.default_rng(n + d)
    Y = rng.uniform(-0.5, 0.5, (n, d))
    pairs = rng.integers(0, n, (400, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    got = midpoint_emptiness(Y, pairs, k)
    # the candidates are ranked in float32 and measured in float64: equal to the exhaustive float64 search
    # except where two codes' distances to a midpoint tie within float32's rounding
    np.testing.assert_allclose(got, _brute(Y, pairs, k), rtol=1e-6)
    r = kth_neighbour_distance(Y, k)
    np.testing.assert_array_equal(midpoint_emptiness(Y, pairs, k, radius=r), got)


def test_a_gap_empties_the_midpoint_and_a_convex_blob_does_not():
    rng = np.random.default_rng(1)
    a = rng.normal(0, 0.03, (200, 4)) - np.array([0.3, 0, 0, 0])
    b = rng.normal(0, 0.03, (200, 4)) + np.array([0.3, 0, 0, 0])
    Y = np.concatenate([a, b])
    within = np.column_stack([np.arange(0, 100), np.arange(100, 200)])
    across = np.column_stack([np.arange(0, 100), np.arange(200, 300)])
    mu_in, mu_across = midpoint_emptiness(Y, within, 8), midpoint_emptiness(Y, across, 8)
    # every midpoint across the gap is emptier than every one inside a cluster, with room to spare
    assert np.median(mu_in) < 1.5 and mu_across.min() > 2 * mu_in.max()


def test_bad_input():
    Y = np.zeros((2, 3))
    with pytest.raises(ValueError, match="at least 3 codes"):
        midpoint_emptiness(Y, [[0, 1]], 1)
    with pytest.raises(ValueError, match="index"):
        midpoint_emptiness(np.random.default_rng(0).uniform(size=(5, 2)), [[0, 7]], 1)
    assert midpoint_emptiness(np.random.default_rng(0).uniform(size=(5, 2)), np.zeros((0, 2), int), 1).shape == (0,)


def test_the_midpoint_spacing_rank_is_half_the_facet_count():
    from aeot_viz.geometry.facets import facet_degree, midpoint_rank

    assert [midpoint_rank(k) for k in (1, 2, 3, 6, 27, 28)] == [1, 1, 2, 3, 14, 14]
    assert midpoint_rank(facet_degree(136_467, 10_000)) == 14  # the shipped MNIST model's 2E/N = 27
