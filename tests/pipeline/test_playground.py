"""The Playground's solve: convex drawings get no singular facet, drawings with gaps get them between modes."""

import numpy as np
import pytest

from aeot_viz.analysis.singularity import model_singular_set
from aeot_viz.data.drawing import preset
from aeot_viz.pipeline.playground import fit_drawing


def test_the_convex_blob_has_no_singular_facet():
    X, _, _ = preset("convex blob", 500, random_state=2)
    model = fit_drawing(X, random_state=2)
    assert model.ae_kind == "identity" and model.n_codes == 500
    assert model.ot_validation["l1"] <= 1.5 * model.ot_validation["noise_floor"]
    assert model_singular_set(model).n_singular == 0


@pytest.mark.parametrize("name", ["ring", "grid"])
def test_separated_modes_have_singular_facets_between_them(name):
    X, centres, _ = preset(name, 500, random_state=3)
    model = fit_drawing(X, random_state=3)
    ss = model_singular_set(model)
    assert ss.n_singular > 0
    mode = np.argmin(((X[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)  # each point's mode, independently
    assert ss.rule == "midpoint"
    i, j = ss.singular_pairs.T
    assert (mode[i] != mode[j]).mean() == 1.0  # every singular facet lies between two modes
    # and the map's facets inside one mode are regular
    inside = mode[ss.pairs[:, 0]] == mode[ss.pairs[:, 1]]
    assert not ss.singular[inside].any()
    assert ss.singular[~inside].mean() >= 0.95  # recall: nearly every facet between two modes is singular


def test_bad_drawings_are_refused_before_solving():
    with pytest.raises(ValueError, match="at least 10 points"):
        fit_drawing(np.zeros((5, 2)))
    t = np.linspace(0, 1, 50)
    with pytest.raises(ValueError, match="one line"):
        fit_drawing(np.stack([t, t], 1))


def test_the_shipped_opening_solve_is_the_drawing_s_own_solve():
    """The page's opening drawing loads its shipped solve; that solve equals solving the drawing here, and any
    other drawing is solved live."""
    from aeot_viz.pipeline.playground import DEFAULT_DRAWING, DEFAULT_MODEL_PATH, solve_drawing

    X = preset(*DEFAULT_DRAWING)[0]
    shipped = solve_drawing(X)
    assert DEFAULT_MODEL_PATH.is_file() and shipped.created == load_created(DEFAULT_MODEL_PATH)
    fresh = fit_drawing(X, random_state=0)
    np.testing.assert_allclose(shipped.h, fresh.h, atol=1e-6)
    assert model_singular_set(shipped).n_singular == model_singular_set(fresh).n_singular
    other = preset("ring", 300)[0]
    assert solve_drawing(other).created != shipped.created  # solved now, not loaded


def load_created(path):
    from aeot_viz.pipeline.bundle import load_bundle

    return load_bundle(path).created
