"""PIL pictures of the CLI: round tick values, and scatter plots with a frame, ticks, axis titles and a legend."""

import numpy as np
import pytest

from aeot_viz.io.images import nice_ticks, scatter_png


@pytest.mark.parametrize("seed", range(40))
def test_nice_ticks_are_round_evenly_spaced_and_inside(seed):
    rng = np.random.default_rng(seed)
    lo = rng.normal() * 10.0 ** rng.integers(-4, 4)
    hi = lo + abs(rng.normal()) * 10.0 ** rng.integers(-4, 4) + 1e-9
    ticks = nice_ticks(lo, hi)
    span = hi - lo
    assert 2 <= len(ticks) <= 6
    assert ticks.min() >= lo - 1e-9 * span and ticks.max() <= hi + 1e-9 * span
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0], rtol=1e-6)
    mantissa = steps[0] / 10.0 ** np.floor(np.log10(steps[0]) + 1e-6)
    assert min(abs(mantissa - m) for m in (1, 2, 5)) < 1e-6
    # round values: each tick is a whole number of steps
    assert np.allclose(ticks / steps[0], np.round(ticks / steps[0]), atol=1e-6)


def test_nice_ticks_of_an_empty_range():
    assert nice_ticks(3.0, 3.0).tolist() == [3.0]


def _dark(a):
    return (a < 100).all(axis=-1)


def test_scatter_has_a_frame_ticks_titles_and_points_inside():
    rng = np.random.default_rng(0)
    bg, fg = rng.normal(size=(300, 2)), rng.normal(size=(40, 2)) * 0.3
    size = 400
    img = scatter_png(bg, fg, size=size, xlabel="x1 (data units)", ylabel="x2 (data units)", title="a title")
    a = np.asarray(img)
    h, w, _ = a.shape
    assert w > size and h > size  # margins for ticks and titles
    dark = _dark(a)
    cols = np.flatnonzero(dark.mean(axis=0) > 0.5)  # the frame's vertical sides
    rows = np.flatnonzero(dark.mean(axis=1) > 0.5)  # the frame's horizontal sides
    assert len(cols) >= 2 and len(rows) >= 2
    left, right, top, bottom = cols.min(), cols.max(), rows.min(), rows.max()
    assert right - left == size and bottom - top == size
    assert dark[:, : left - 2].any()  # tick labels and the y title, left of the frame
    assert dark[bottom + 2 :, :].any()  # tick labels and the x title, below it
    assert dark[: top - 2, :].any()  # the title
    red = (a[..., 0] > 150) & (a[..., 1] < 80) & (a[..., 2] < 80)
    ys, xs = np.nonzero(red)
    assert len(xs) > 0 and left < xs.min() and xs.max() < right and top < ys.min() and ys.max() < bottom


def test_scatter_refuses_non_finite_points():
    with pytest.raises(ValueError, match="finite"):
        scatter_png(np.array([[0.0, np.nan]]), np.zeros((1, 2)))
