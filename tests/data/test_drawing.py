"""Drawn data for the Playground: presets, points along strokes, canvas strokes, and the bad-drawing checks."""

import numpy as np
import pytest

from aeot_viz.data.drawing import MIN_POINTS, PRESETS, check_drawing, points_from_strokes, preset, strokes_from_canvas


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_are_valid_drawings_in_the_square(name):
    X, centres, std = preset(name, 500, random_state=1)
    assert X.shape == (500, 2) and X.dtype == np.float32
    assert np.abs(X).max() <= 1
    check_drawing(X)
    if name in ("ring", "grid"):
        # every point lies within 5 std of its nearest mode centre: the modes are what the preset says
        d = np.sqrt(((X[:, None, :] - centres[None]) ** 2).sum(-1)).min(1)
        assert (d < 5 * std).all() and len(centres) == (8 if name == "ring" else 16)
    else:
        assert centres is None and std is None
    np.testing.assert_array_equal(X, preset(name, 500, random_state=1)[0])  # seeded


def test_unknown_preset_and_too_few_points():
    with pytest.raises(ValueError, match="Unknown preset"):
        preset("spiral")
    with pytest.raises(ValueError, match="at least"):
        preset("ring", 3)


def test_points_lie_on_the_stroke_at_the_asked_density():
    X = points_from_strokes([[(-0.5, 0.0), (0.5, 0.0)]], density=100, jitter=0.0)
    assert len(X) == 100  # length 1 x 100 per unit
    assert np.allclose(X[:, 1], 0) and X[:, 0].min() >= -0.5 and X[:, 0].max() <= 0.5
    # an L-shaped stroke spreads points in proportion to its two segments' lengths (1.0 and 0.5)
    Y = points_from_strokes([[(-0.5, 0.0), (0.5, 0.0), (0.5, 0.5)]], density=300, jitter=0.0, random_state=3)
    on_vertical = np.isclose(Y[:, 0], 0.5) & (Y[:, 1] > 1e-9)
    assert len(Y) == 450 and 0.25 < on_vertical.mean() < 0.42
    dot = points_from_strokes([[(0.2, 0.3)]], jitter=0.0)
    assert dot.shape == (1, 2) and np.allclose(dot, [[0.2, 0.3]])
    with pytest.raises(ValueError, match="more than"):
        points_from_strokes([[(-1, -1), (1, 1)]], density=10_000, max_points=1000)


def test_canvas_pixels_map_to_the_square():
    size = 400
    data = {"objects": [
        {"type": "path", "path": [["M", 0, 0], ["Q", 100, 100, 200, 200], ["L", 400, 400]]},
        {"type": "circle", "left": 195, "top": 95, "radius": 5},
        {"type": "rect"},
    ]}
    strokes = strokes_from_canvas(data, size)
    assert len(strokes) == 2
    np.testing.assert_allclose(strokes[0], [[-1, 1], [-0.5, 0.5], [0, 0], [1, -1]])
    np.testing.assert_allclose(strokes[1], [[0.0, 0.5]])
    assert strokes_from_canvas(None, size) == [] and strokes_from_canvas({"objects": None}, size) == []


def test_bad_drawings_get_their_own_messages():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=f"at least {MIN_POINTS} points"):
        check_drawing(rng.random((MIN_POINTS - 1, 2)))
    with pytest.raises(ValueError, match="same place"):
        check_drawing(np.full((50, 2), 0.3))
    t = rng.random(50)
    with pytest.raises(ValueError, match="one line"):
        check_drawing(np.stack([t, 2 * t - 0.5], 1))
    with pytest.raises(ValueError, match="NaN"):
        check_drawing(np.array([[np.nan, 0.0]] * 20))
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        check_drawing(np.zeros((20, 3)))
    assert check_drawing(rng.random((20, 2))).dtype == np.float32


def test_typed_points_are_pairs_in_the_square_and_a_bad_line_is_named():
    from aeot_viz.data.drawing import parse_points

    np.testing.assert_array_equal(parse_points("0.5, -1\n\n-1; 1\n0.25 0.75\n"),
                                  np.array([[0.5, -1], [-1, 1], [0.25, 0.75]], np.float32))
    assert parse_points("").shape == (0, 2)
    with pytest.raises(ValueError, match=r"point on line 2 \('2, 3'\) lies outside the drawing square.*\[-1, 1\]"):
        parse_points("0.1, 0.2\n2, 3")
    with pytest.raises(ValueError, match=r"line 1 \('-1.01, 0'\) lies outside"):
        parse_points("-1.01, 0")
    for bad in ("nan, 0", "0, inf", "-inf, 0.5"):
        with pytest.raises(ValueError, match=r"point on line 3 .* is not finite"):
            parse_points(f"0, 0\n0.1, 0.1\n{bad}")
    for bad in ("1, 2, 3", "foo", "0.5", "0.1, x"):
        with pytest.raises(ValueError, match=r"Could not read the typed points: line 1 .* not one 'x, y' pair"):
            parse_points(bad)
