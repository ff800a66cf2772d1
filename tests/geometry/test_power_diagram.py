"""Exact 2-D power cells against independent references: Qhull half-spaces and brute-force pixels."""

import numpy as np
import pytest
from power_reference import exact_power_cell_areas

from aeot_viz.geometry.power_diagram import assign, exact_cells_2d, top_k

RES = 500
_g = (np.arange(RES) + 0.5) / RES - 0.5
PIXELS = np.stack(np.meshgrid(_g, _g, indexing="ij"), -1).reshape(-1, 2)


def _problem(n, noise, seed):
    rng = np.random.default_rng(seed)
    Y = rng.uniform(-0.5, 0.5, (n, 2))
    h = -0.5 * (Y**2).sum(1) + noise * rng.standard_normal(n)
    return Y, h


@pytest.mark.parametrize("n, noise, seed", [(300, 0.001, 0), (300, 0.02, 1), (40, 0.005, 2), (3, 0.0, 3)])
def test_areas_match_halfspace_intersection_and_pixels(n, noise, seed):
    Y, h = _problem(n, noise, seed)
    cells = exact_cells_2d(Y, h)
    assert cells.areas.sum() == pytest.approx(1.0, abs=1e-9)
    assert np.allclose(cells.areas, exact_power_cell_areas(Y, h), atol=1e-9)
    pix = np.bincount(assign(PIXELS, Y, h), minlength=n) / len(PIXELS)
    assert np.abs(pix - cells.areas).sum() < 0.01


def test_centroids_and_polygons_are_consistent_with_assignment():
    Y, h = _problem(200, 0.001, 4)
    cells = exact_cells_2d(Y, h)
    lab = assign(PIXELS, Y, h)
    full = np.flatnonzero(cells.areas > 2e-3)
    for i in full:
        assert np.allclose(PIXELS[lab == i].mean(0), cells.centroids[i], atol=3 / RES)
    inside = assign(cells.centroids[full], Y, h)
    assert np.array_equal(inside, full)  # cells are convex: the centroid lies in its own cell
    empty = cells.areas == 0
    assert np.isnan(cells.centroids[empty]).all()
    assert all(len(cells.polygons[i]) == 0 for i in np.flatnonzero(empty))


def test_adjacent_pairs_match_pixel_neighbours():
    Y, h = _problem(150, 0.001, 5)
    cells = exact_cells_2d(Y, h)
    lab = assign(PIXELS, Y, h).reshape(RES, RES)
    pairs = set()
    for a, b in ((lab[1:], lab[:-1]), (lab[:, 1:], lab[:, :-1])):
        diff = a != b
        for i, j in zip(a[diff], b[diff]):
            pairs.add((min(i, j), max(i, j)))
    exact = {tuple(e) for e in cells.edges.tolist()}
    long_edges = {tuple(e) for e, L in zip(cells.edges.tolist(), cells.edge_lengths) if L > 0.01}
    assert long_edges <= pairs
    assert len(pairs & exact) >= 0.98 * len(pairs)
    assert (cells.edges[:, 0] < cells.edges[:, 1]).all() and (cells.edge_lengths > 0).all()


def test_top_k_gap_and_assignment_agree():
    Y, h = _problem(100, 0.01, 6)
    idx, val = top_k(PIXELS[::97], Y, h, k=3)
    assert np.array_equal(idx[:, 0], assign(PIXELS[::97], Y, h))
    assert (val[:, 0] >= val[:, 1]).all() and (val[:, 1] >= val[:, 2]).all()


def test_bad_input():
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        exact_cells_2d(np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="finite"):
        exact_cells_2d(np.full((5, 2), np.nan), np.zeros(5))


def test_sampled_adjacency_recovers_the_exact_edges_and_their_lengths():
    from aeot_viz.geometry.power_diagram import adjacency_from_samples

    Y, h = _problem(150, 0.001, 5)
    cells = exact_cells_2d(Y, h)
    adj = adjacency_from_samples(Y, h, n_samples=2**20, random_state=1)
    exact = {tuple(e): L for e, L in zip(cells.edges.tolist(), cells.edge_lengths)}
    est = {tuple(e): L for e, L in zip(adj.pairs.tolist(), adj.facet_measure)}
    long_edges = [e for e, L in exact.items() if L > 0.03]
    assert all(e in est for e in long_edges)
    ratios = np.array([est[e] / exact[e] for e in long_edges])
    assert np.percentile(np.abs(ratios - 1), 90) < 0.3
    spurious = sum(L for e, L in est.items() if e not in exact)
    assert spurious < 0.05 * adj.facet_measure.sum()
    assert adj.facet_measure.sum() == pytest.approx(cells.edge_lengths.sum(), rel=0.1)


def test_slice_through_a_2d_problem_is_the_diagram_itself():
    from aeot_viz.geometry.power_diagram import slice_labels

    Y, h = _problem(60, 0.001, 7)
    lab = slice_labels(Y, h, center=[0, 0], u=[1, 0], v=[0, 1], extent=0.5, resolution=RES)
    ax = np.linspace(-0.5, 0.5, RES)
    rows = [assign(np.column_stack([ax, np.full(RES, b)]), Y, h) for b in ax]  # row r: y = ax[r]
    assert lab.shape == (RES, RES) and (lab >= 0).all()
    assert np.array_equal(lab, np.stack(rows))


def test_slice_in_higher_dimension_marks_outside_and_validates_directions():
    from aeot_viz.geometry.power_diagram import slice_labels

    rng = np.random.default_rng(8)
    Y = rng.uniform(-0.5, 0.5, (50, 5))
    h = -0.5 * (Y**2).sum(1)
    lab = slice_labels(Y, h, np.zeros(5), np.eye(5)[0], np.eye(5)[1] + np.eye(5)[0], extent=0.8, resolution=41)
    assert (lab == -1).any() and (lab >= 0).any()
    assert lab[20, 20] == assign(np.zeros((1, 5)), Y, h)[0]
    with pytest.raises(ValueError, match="parallel"):
        slice_labels(Y, h, np.zeros(5), np.eye(5)[0], 2 * np.eye(5)[0])
