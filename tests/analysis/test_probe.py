"""The discontinuity probe's exact envelope walk against brute-force assignment along the segment."""

import numpy as np
import pytest

from aeot_viz.analysis.discontinuity_probe import probe, segment_cells
from aeot_viz.analysis.singularity import facet_angles
from aeot_viz.geometry.power_diagram import SlicePlane, assign


def _random_problem(n, d, seed):
    rng = np.random.default_rng(seed)
    Y = rng.uniform(-0.5, 0.5, (n, d))
    h = -0.5 * (Y**2).sum(1) + rng.normal(0, 0.01, n)
    return Y, h


@pytest.mark.parametrize("n,d,seed", [(50, 2, 0), (300, 2, 1), (500, 8, 2), (2000, 16, 3)])
def test_segment_cells_match_dense_brute_force(n, d, seed):
    Y, h = _random_problem(n, d, seed)
    rng = np.random.default_rng(seed + 10)
    x0, x1 = rng.uniform(-0.5, 0.5, (2, d))
    path = segment_cells(x0, x1, Y, h)
    t = np.linspace(0, 1, 40_001)
    brute = assign(x0 + t[:, None] * (x1 - x0), Y, h)
    agree = (path.cell_at(t) == brute).mean()
    assert agree > 0.999, agree  # float32 kernel vs float64 walk may differ right at a crossing
    # every cell change seen by dense sampling is a break of the walk, at the same place
    changes = np.flatnonzero(brute[1:] != brute[:-1])
    for c in changes:
        assert np.min(np.abs(path.breaks - 0.5 * (t[c] + t[c + 1]))) <= 1.0 / 40_000
    assert np.all(np.diff(path.breaks) > 0)
    assert np.all(path.cells[1:] != path.cells[:-1])


def test_two_cells_cross_at_the_analytic_point():
    Y = np.array([[-0.25, 0.0], [0.25, 0.0]])
    h = np.array([0.0, 0.05])  # facet where -0.25x = 0.25x + 0.05, i.e. x = -0.1
    path = segment_cells([-0.5, 0.1], [0.5, 0.1], Y, h)
    assert path.cells.tolist() == [0, 1]
    assert path.breaks[1] == pytest.approx(0.4, abs=1e-12)  # x(t) = -0.5 + t


def test_probe_flags_the_gap_between_two_clusters_only():
    rng = np.random.default_rng(0)
    Y = np.concatenate([rng.normal([-0.3, 0], 0.03, (60, 2)), rng.normal([0.3, 0], 0.03, (60, 2))])
    from aeot_viz.ot import SemiDiscreteOT
    h = SemiDiscreteOT(max_iter=300, random_state=0).fit(Y).h_
    angles = facet_angles(Y, [[0, 1]])
    pr = probe([-0.45, 0.01], [0.45, 0.01], Y, h, threshold=10 * float(np.median(angles)) + 0.1)
    assert len(pr.t) >= 4
    assert pr.singular.sum() == 1  # one jump across the gap, the others between codes of one cluster
    i, j = pr.pairs[pr.singular][0]
    assert (i < 60) != (j < 60)
    assert pr.jump[pr.singular][0] > 5 * np.median(pr.jump[~pr.singular])


def test_probe_rejects_points_outside_the_cube():
    Y, h = _random_problem(10, 2, 0)
    with pytest.raises(ValueError, match="outside the source cube"):
        probe([0, 0], [0.7, 0], Y, h, 0.1)
    with pytest.raises(ValueError, match="length 2"):
        segment_cells([0, 0, 0], [0, 0], Y, h)


def test_slice_plane_round_trips_coordinates():
    rng = np.random.default_rng(1)
    plane = SlicePlane.through(rng.normal(0, 0.1, 6), rng.normal(size=6), rng.normal(size=6), extent=0.4)
    assert abs(plane.u @ plane.v) < 1e-12 and np.isclose(plane.u @ plane.u, 1) and np.isclose(plane.v @ plane.v, 1)
    ab = rng.uniform(-0.4, 0.4, (20, 2))
    np.testing.assert_allclose(plane.coordinates(plane.to_source(ab[:, 0], ab[:, 1])), ab, atol=1e-12)
    with pytest.raises(ValueError, match="parallel"):
        SlicePlane.through(np.zeros(3), [1, 0, 0], [2, 0, 0])


def _fake_probe(t, singular, pairs=None, score=None):
    from aeot_viz.analysis.discontinuity_probe import Probe, SegmentCells

    t = np.asarray(t, dtype=float)
    k = len(t)
    pairs = np.column_stack([np.arange(k), np.arange(1, k + 1)]) if pairs is None else np.asarray(pairs)
    path = SegmentCells(np.concatenate([[0.0], t]), np.arange(k + 1))
    return Probe(np.zeros(2), np.ones(2) * 0.1, path, t, pairs, np.ones(k), np.ones(k), np.asarray(singular, bool),
                 score=None if score is None else np.asarray(score, float))


def test_the_probe_sentence_says_where_it_jumps_and_never_writes_a_dash():
    from aeot_viz.analysis.discontinuity_probe import probe_notice, probe_summary

    t7 = np.linspace(0.1, 0.9, 7)
    none = probe_summary(_fake_probe(t7, np.zeros(7)))
    assert "crosses only regular facets" in none and "no red crossing" in none and "t = -" not in none
    assert "7 times" in none
    two = probe_summary(_fake_probe([0.25, 0.5, 0.6], [True, True, False]))
    assert "**2** of these jumps cross the singular set (red, at t = 0.25, 0.50)" in two
    one = probe_summary(_fake_probe([0.75], [True]))
    assert "crosses the singular set (red, at t = 0.75)" in one and "1 time;" in one
    assert "one power cell" in probe_summary(_fake_probe([], []))
    # the "what to notice" box promises red crossings only when there are some
    assert "red crossing" not in probe_notice(_fake_probe(t7, np.zeros(7))).replace("no red crossing", "")
    assert "the 2 red crossings" in probe_notice(_fake_probe([0.25, 0.5, 0.6], [True, True, False]))
    with pytest.raises(TypeError, match="Probe"):
        probe_summary(7, [])


def test_the_probe_sentence_names_each_label_change_and_why_it_is_not_singular():
    from aeot_viz.analysis.discontinuity_probe import probe_summary

    labels = np.array([0, 0, 9, 9, 8])
    pr = _fake_probe([0.2, 0.4, 0.6, 0.8], [False, False, False, True], score=[0.1, 0.973, 0.2, 1.0])
    text = probe_summary(pr, labels)
    assert "2 crossings change the label" in text
    assert "0 -> 9 at t = 0.40 is not: its score 0.973" in text and "97.3%" in text
    assert "9 -> 8 at t = 0.80 is singular" in text
    same = probe_summary(_fake_probe([0.5], [False]), np.array([3, 3]))
    assert "Every code along it has the same label." in same
