"""AE-OT's grid mesh tears along every singular facet the grid crosses, and nowhere else stretches beyond the cells.

The reference is independent of the mesh's own walk: each grid edge walked at 257 points (the mesh walks 9),
its cells found by brute force (every score computed), and each crossing judged by the singular set."""

import numpy as np
import pytest

from aeot_viz.analysis.grid_mesh import grid_edges, ot_grid_mesh
from aeot_viz.analysis.singularity import model_singular_set
from aeot_viz.data.drawing import preset
from aeot_viz.pipeline.playground import solve_drawing


def brute_cells(P, Y, h):
    return np.argmax(P @ Y.T + h, axis=1)


@pytest.fixture(scope="module")
def ring_model():
    X = preset("ring", 500, random_state=0)[0]
    model = solve_drawing(X, random_state=0)
    return model, model_singular_set(model)


def crossings(mesh, Y, h, fine=256):
    s = np.linspace(0, 1, fine + 1)
    a, b = mesh.nodes[mesh.edges[:, 0]], mesh.nodes[mesh.edges[:, 1]]
    pts = a[:, None, :] + s[None, :, None] * (b - a)[:, None, :]
    c = brute_cells(pts.reshape(-1, 2), Y, h).reshape(len(mesh.edges), fine + 1)
    return c[:, :-1], c[:, 1:]


def test_every_singular_crossing_is_torn_and_kept_edges_stay_short(ring_model):
    model, ss = ring_model
    Y, h = np.asarray(model.targets, np.float64), np.asarray(model.h, np.float64)
    mesh = ot_grid_mesh(Y, h, ss, res=41)
    c0, c1 = crossings(mesh, Y, h)
    cross = c0 != c1
    hits_singular = (cross & ss.pair_is(c0, c1, "singular")).any(axis=1)
    on_singular = cross & ss.pair_is(c0, c1, "singular")
    facets_crossed = {tuple(sorted(p)) for p in np.stack([c0[on_singular], c1[on_singular]], 1).tolist()}
    print(f"{hits_singular.sum()} of {len(mesh.edges)} grid edges cross {len(facets_crossed)} singular facets; "
          f"the mesh tore {mesh.n_torn}")
    assert len(facets_crossed) >= 8  # the ring's eight gaps
    assert mesh.torn[hits_singular].all()
    # regular-facet lengths: how far apart codes joined by a regular facet lie
    reg = ~ss.singular
    reg_len = np.linalg.norm(Y[ss.pairs[reg, 0]] - Y[ss.pairs[reg, 1]], axis=1)
    bound = 2.0 * np.quantile(reg_len, 0.99)
    kept = ~mesh.torn
    length = np.linalg.norm(mesh.image[mesh.edges[:, 0]] - mesh.image[mesh.edges[:, 1]], axis=1)
    print(f"longest kept edge image {length[kept].max():.3f}, bound {bound:.3f}; "
          f"median torn edge image {np.median(length[mesh.torn]):.3f}")
    assert length[kept].max() <= bound
    # the tears are real gaps: across them the plain map jumps further than any kept strand
    jump = np.linalg.norm(Y[brute_cells(mesh.nodes[mesh.edges[mesh.torn, 0]], Y, h)]
                          - Y[brute_cells(mesh.nodes[mesh.edges[mesh.torn, 1]], Y, h)], axis=1)
    assert np.median(jump) > length[kept].max()


def test_a_convex_blob_barely_tears():
    X = preset("convex blob", 400, random_state=1)[0]
    model = solve_drawing(X, random_state=0)
    ss = model_singular_set(model)
    mesh = ot_grid_mesh(model.targets, model.h, ss, res=31)
    print(f"blob: {ss.n_singular} singular facets, {mesh.n_torn} of {len(mesh.edges)} edges torn")
    assert mesh.n_torn <= 0.01 * len(mesh.edges)


def test_grid_edges_and_bad_input():
    e = grid_edges(3)
    assert len(e) == 12 and set(map(tuple, e)) >= {(0, 1), (0, 3), (7, 8), (5, 8)}
    with pytest.raises(ValueError, match="2-D targets"):
        ot_grid_mesh(np.zeros((5, 3)), np.zeros(5), None)
    with pytest.raises(ValueError, match="res must be"):
        ot_grid_mesh(np.zeros((5, 2)), np.zeros(5), None, res=1)
