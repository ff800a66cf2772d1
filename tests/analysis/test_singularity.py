"""Singular sets: facets between separated clusters are singular, facets inside a blob are not."""

import numpy as np
import pytest

from aeot_viz.analysis.singularity import facet_angles, singular_set
from aeot_viz.geometry.power_diagram import exact_cells_2d, slice_labels
from aeot_viz.models.normalization import LatentNormalizer
from aeot_viz.ot import SemiDiscreteOT


def _solved(points):
    Y = LatentNormalizer().fit(points).transform(points)
    return Y, SemiDiscreteOT(max_iter=400, validation_samples=2**18, device="cpu").fit(Y).h_


@pytest.fixture(scope="module")
def three_clusters():
    rng = np.random.default_rng(0)
    centres = np.array([[-2.0, 0.0], [2.0, 0.0], [0.0, 3.0]])
    labels = np.repeat(np.arange(3), 150)
    pts = centres[labels] + 0.3 * rng.standard_normal((450, 2))
    Y, h = _solved(pts)
    return Y, h, labels


def test_facets_between_clusters_are_singular_and_inside_are_not(three_clusters):
    Y, h, labels = three_clusters
    ss = singular_set(Y, h)
    cross = labels[ss.pairs[:, 0]] != labels[ss.pairs[:, 1]]
    assert cross.any()
    assert ss.singular[cross].all()
    assert ss.singular[~cross].mean() < 0.01
    n, comp = ss.components()
    assert n == 3
    # each component is one cluster (targets with an empty cell, if any, belong to none)
    assert all(len(np.unique(labels[comp == c])) == 1 for c in range(n))
    assert (comp >= 0).mean() > 0.97
    assert (ss.relative_jump[cross].min() > np.median(ss.relative_jump[~cross]))


def test_a_convex_blob_has_almost_no_singular_facet():
    rng = np.random.default_rng(1)
    r, t = np.sqrt(rng.uniform(0, 1, 500)), rng.uniform(0, 2 * np.pi, 500)
    Y, h = _solved(np.column_stack([r * np.cos(t), r * np.sin(t)]))
    ss = singular_set(Y, h)
    assert ss.singular.mean() < 0.01
    assert ss.components()[0] == 1


def test_cube_blob_in_higher_dimension_uses_sampled_adjacency():
    rng = np.random.default_rng(2)
    Y = rng.uniform(-0.5, 0.5, (300, 4)).astype(np.float32)
    h = SemiDiscreteOT(max_iter=200, validation_samples=2**17, device="cpu").fit(Y).h_
    ss = singular_set(Y, h, n_samples=2**17)
    assert len(ss.pairs) > 300
    assert ss.singular.mean() < 0.02


def test_angles_match_the_cosine_formula_and_thresholds():
    rng = np.random.default_rng(3)
    Y = rng.uniform(-0.5, 0.5, (20, 3))
    pairs = np.array([[0, 1], [2, 5], [7, 19]])
    n = np.column_stack([Y, -np.ones(20)])
    cos = (n[pairs[:, 0]] * n[pairs[:, 1]]).sum(1) / np.linalg.norm(n[pairs[:, 0]], axis=1) \
        / np.linalg.norm(n[pairs[:, 1]], axis=1)
    assert np.allclose(facet_angles(Y, pairs), np.arccos(cos), atol=1e-7)
    ss = singular_set(Y, np.zeros(20), pairs=pairs, threshold=0.0)
    assert ss.singular.all()
    assert not ss.with_threshold(10.0).singular.any()
    with pytest.raises(ValueError, match="threshold"):
        ss.with_threshold(-1)


def test_singular_edges_and_points_near_them(three_clusters):
    Y, h, labels = three_clusters
    ss = singular_set(Y, h)
    cells = exact_cells_2d(Y, h)
    seg = ss.segments_2d(cells)
    assert len(seg) == ss.singular.sum()
    # each segment lies on the bisector of a singular pair: equal scores at both end points
    for s in seg[:10]:
        top2 = np.sort(Y @ s.T + h[:, None], axis=0)[-2:]  # best two scores at each end point
        assert np.allclose(top2[0], top2[1], atol=1e-9)
    mid = seg.mean(axis=1)  # midpoints of singular edges: near a singular facet
    assert ss.near_singular(mid, Y, h, eps=1e-3).mean() > 0.95
    # codes' own positions deep inside their cells are not near a singular facet... centroids of big cells
    big = np.argsort(-cells.areas)[:20]
    far = ss.near_singular(cells.centroids[big], Y, h, eps=1e-4)
    assert far.mean() < 0.5


def test_raster_boundaries_follow_the_singular_edges(three_clusters):
    Y, h, _ = three_clusters
    ss = singular_set(Y, h)
    lab = slice_labels(Y, h, [0, 0], [1, 0], [0, 1], resolution=300)
    b = ss.boundaries(lab)
    assert b.any() and b.mean() < 0.05
    # every boundary pixel borders a pixel of a different cell
    ys, xs = np.nonzero(b)
    nb = np.stack([lab[np.clip(ys + dy, 0, 299), np.clip(xs + dx, 0, 299)]
                   for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1))])
    assert (nb != lab[ys, xs]).any(axis=0).all()


def test_pair_lookup_is_membership_in_either_order_and_survives_replace():
    """pair_is answers by binary search in cached sorted tables; checked against a plain set of pairs."""
    import dataclasses

    from aeot_viz.analysis.singularity import SingularSet

    rng = np.random.default_rng(0)
    pairs = np.unique(np.sort(rng.integers(0, 40, (120, 2)), axis=1), axis=0)
    pairs = pairs[pairs[:, 0] < pairs[:, 1]]
    sing = rng.uniform(size=len(pairs)) < 0.3
    E = len(pairs)
    ss = SingularSet(pairs=pairs, facet_measure=np.ones(E), angles=np.zeros(E), relative_jump=np.zeros(E),
                     threshold=0.0, singular=sing, n_targets=40, spacing=np.ones(40), k=3)
    i, j = rng.integers(0, 40, 5000), rng.integers(0, 40, 5000)
    for which, mask in (("singular", sing), ("regular", ~sing)):
        truth = {tuple(p) for p in pairs[mask]}
        want = np.array([(min(a, b), max(a, b)) in truth for a, b in zip(i, j)])
        np.testing.assert_array_equal(ss.pair_is(i, j, which), want)
        np.testing.assert_array_equal(ss.pair_is(j, i, which), want)  # either order
    flipped = dataclasses.replace(ss, singular=~sing)  # a new value gets its own tables
    np.testing.assert_array_equal(flipped.pair_is(i, j, "singular"), ss.pair_is(i, j, "regular"))
    none = dataclasses.replace(ss, singular=np.zeros(E, bool))
    assert not none.pair_is(i, j, "singular").any()
