"""Figure builders: the figures carry the data they are given."""

import numpy as np
import pytest

from aeot_viz.analysis.singularity import singular_set
from aeot_viz.geometry.power_diagram import exact_cells_2d, slice_labels
from aeot_viz.viz import image_grid_figure, latent_scatter, power_cells_figure, slice_figure


def _problem(n=40, seed=0):
    rng = np.random.default_rng(seed)
    Y = rng.uniform(-0.45, 0.45, (n, 2))
    return Y, -0.5 * (Y**2).sum(1)


def test_latent_scatter_one_trace_per_label_and_all_points():
    rng = np.random.default_rng(0)
    P = rng.normal(size=(100, 2))
    lab = np.arange(100) % 4
    fig = latent_scatter(P, lab)
    assert [t.name for t in fig.data] == ["0", "1", "2", "3"]
    assert sorted(np.concatenate([t.customdata for t in fig.data]).tolist()) == list(range(100))
    assert fig.layout.dragmode == "select"


def test_latent_scatter_selection_greys_the_rest_and_overlays():
    P = np.random.default_rng(1).normal(size=(50, 2))
    fig = latent_scatter(P, np.zeros(50, int), selected=[1, 2, 3], overlay=np.zeros((7, 2)))
    names = [t.name for t in fig.data]
    assert names == ["other codes", "0", "generated"]
    assert len(fig.data[0].x) == 47 and sorted(fig.data[1].customdata.tolist()) == [1, 2, 3]
    assert len(fig.data[2].x) == 7
    fv = latent_scatter(P, values=np.linspace(-1, 1, 50), value_name="mass error")
    assert fv.data[0].marker.showscale and len(fv.data[0].x) == 50
    with pytest.raises(ValueError, match="project"):
        latent_scatter(np.zeros((5, 3)))


def test_power_cells_figure_draws_every_non_empty_cell_and_singular_edges():
    Y, h = _problem()
    cells = exact_cells_2d(Y, h)
    ss = singular_set(Y, h, threshold=0.0)  # every facet singular: all edges drawn red
    fig = power_cells_figure(cells, Y, np.arange(40) % 3, heights=h, singular_segments=ss.segments_2d(cells))
    cell_traces = [t for t in fig.data if t.name.startswith("cells, label ")]
    assert [t.name for t in cell_traces] == ["cells, label 0", "cells, label 1", "cells, label 2"]
    n_polys = sum(np.isnan(np.asarray(t.x, dtype=float)).sum() for t in cell_traces)
    assert n_polys == int((cells.areas > 0).sum())
    # label-1 polygons are exactly the label-1 cells' polygons, closed
    xs = np.asarray(cell_traces[1].x, dtype=float)
    first = np.flatnonzero(np.arange(40) % 3 == 1)[0]
    np.testing.assert_allclose(xs[: len(cells.polygons[first])], cells.polygons[first][:, 0])
    info = [t for t in fig.data if t.name == "cell info"][0]
    assert len(info.x) == n_polys and "h " in info.text[0] and info.customdata[0] == 0
    red = [t for t in fig.data if t.name == "singular edges"][0]
    assert np.isnan(np.asarray(red.x, dtype=float)).sum() == len(cells.edges)


def test_slice_figure_and_image_grid():
    Y, h = _problem()
    lab = slice_labels(Y, h, [0, 0], [1, 0], [0, 1], resolution=50)
    ss = singular_set(Y, h, threshold=0.0)
    fig = slice_figure(lab, np.linspace(-0.5, 0.5, 50), boundary=ss.boundaries(lab))
    assert np.asarray(fig.data[0].z).shape == (50, 50)
    assert fig.data[1].name == "singular boundary" and len(fig.data[1].x) == ss.boundaries(lab).sum()
    g = image_grid_figure(np.random.default_rng(0).uniform(size=(10, 1, 8, 8)), ncols=5)
    assert np.asarray(g.data[0].z).shape[:2] == (2 * 10 + 2, 5 * 10 + 2)


def test_adjacency_figure_draws_every_singular_edge_and_caps_regular_ones():
    from aeot_viz.viz import adjacency_figure

    rng = np.random.default_rng(2)
    P = rng.normal(size=(30, 2))
    pairs = np.array([(i, j) for i in range(30) for j in range(i + 1, 30)])  # 435 pairs
    sing = np.zeros(len(pairs), bool)
    sing[:7] = True
    fig = adjacency_figure(P, pairs, sing, np.arange(30) % 3, max_regular=100)
    reg, bad, codes = fig.data[0], fig.data[1], fig.data[2]
    assert np.isnan(np.asarray(reg.x, float)).sum() == 100 and np.isnan(np.asarray(bad.x, float)).sum() == 7
    bx = np.asarray(bad.x, float).reshape(-1, 3)
    np.testing.assert_allclose(bx[:, 0], P[pairs[:7, 0], 0])
    np.testing.assert_allclose(bx[:, 1], P[pairs[:7, 1], 0])
    assert len(codes.x) == 30
    with pytest.raises(ValueError, match="one flag per pair"):
        adjacency_figure(P, pairs, sing[:5])


def test_probe_overlay_and_click_grid():
    from aeot_viz.viz import CLICK_GRID_NAME, add_click_grid, add_probe

    fig = slice_figure(np.zeros((5, 5), int), np.linspace(-0.5, 0.5, 5))
    add_probe(fig, [-0.4, 0], [0.4, 0.1], crossings=[[0, 0.05], [0.2, 0.07]], singular=[True, False])
    add_click_grid(fig, -0.5, 0.5, n=11)
    names = [t.name for t in fig.data]
    assert names[-4:] == ["probe", "regular crossings", "jumps across singular facets", CLICK_GRID_NAME]
    assert list(fig.data[-2].x) == [0.0] and len(fig.data[-1].x) == 121


def test_explainer_figure_has_both_panels():
    from aeot_viz.viz import explainer_figure

    Y, h = _problem()
    lab = slice_labels(Y, h, np.zeros(2), [1, 0], [0, 1], resolution=30)
    fig = explainer_figure(lab, np.linspace(-0.5, 0.5, 30), np.arange(40) % 3, np.zeros((30, 30), bool),
                           Y, np.arange(40) % 3, Y[:5] + 0.01)
    assert fig.data[0].type == "heatmap" and fig.data[0].xaxis == "x"
    assert fig.data[-1].name == "generated" and fig.data[-1].xaxis == "x2" and len(fig.data[-1].x) == 5
    # with the samples' labels: side by side, noise | codes | samples, the samples never drawn over the codes
    fig = explainer_figure(lab, np.linspace(-0.5, 0.5, 30), np.arange(40) % 3, np.zeros((30, 30), bool),
                           Y, np.arange(40) % 3, Y[:5] + 0.01, targets=Y, generated_labels=np.arange(5) % 3)
    by_axis = {}
    for tr in fig.data:
        by_axis.setdefault(tr.xaxis or "x", []).append(tr.name)
    assert "codes rescaled into the square" in by_axis["x"]
    assert "generated" not in by_axis["x2"] and by_axis["x3"] == ["generated"]
    assert fig.layout.yaxis2.scaleanchor == "x2" and tuple(fig.layout.xaxis2.range) == tuple(fig.layout.xaxis3.range)


def _lab(hex_colour):
    """sRGB hex -> CIELAB (D65), written out here from the CIE formulas (independent of the palette's builder)."""
    rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ lin
    f = lambda v: np.cbrt(v) if v > 0.008856 else 7.787 * v + 16 / 116  # noqa: E731
    fx, fy, fz = f(xyz[0] / 0.95047), f(xyz[1]), f(xyz[2] / 1.08883)
    return np.array([116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)])


def test_palette_gives_25_modes_25_clearly_different_colours():
    from aeot_viz.viz.figures import PALETTE, _colour

    colours = [_colour(k) for k in range(25)]
    assert len(set(c.lower() for c in colours)) == 25
    L = np.array([_lab(c) for c in colours])
    dE = np.linalg.norm(L[:, None] - L[None], axis=2) + np.eye(25) * 1e9
    assert dE.min() >= 27  # CIE76: ~2.3 is just noticeable; the old palette had three greys 9-12 apart
    grey = _lab("#d3d3d3")  # the context colour of unselected codes
    assert np.linalg.norm(L - grey, axis=1).min() > 20
    red = _lab("#ff0000")  # singular facets are drawn in red over the cells
    assert np.linalg.norm(L - red, axis=1).min() > 35
    assert len(PALETTE) == 25


def test_class_histogram_bars_carry_the_shares_and_the_data_line():
    from aeot_viz.analysis.metrics import class_coverage
    from aeot_viz.viz import class_histogram_figure

    rng = np.random.default_rng(3)
    real = rng.integers(0, 10, 5000)
    collapsed = np.where(rng.random(3000) < 0.9, rng.integers(0, 3, 3000), rng.integers(0, 10, 3000))
    cov = class_coverage(collapsed, real)
    assert np.allclose(cov["shares"], np.bincount(collapsed, minlength=10) / 3000)
    data = np.bincount(real, minlength=10) / 5000
    fig = class_histogram_figure({"GAN": cov["shares"], "AE-OT": data}, data, highlight={"GAN": 9})
    bars = [t for t in fig.data if t.type == "bar"]
    assert [t.name for t in bars] == ["GAN", "AE-OT"]
    assert np.allclose(bars[0].y, cov["shares"]) and list(bars[0].x) == [str(c) for c in range(10)]
    ref = [t for t in fig.data if t.name == "share in the training data"][0]
    assert np.allclose(ref.y, data)
    assert list(bars[0].marker.line.width).index(3) == 9  # the highlighted class is outlined
    rarest = class_histogram_figure({"GAN": cov["shares"]}, data, highlight="rarest")
    assert list(rarest.data[0].marker.line.width).index(3) == int(np.argmin(np.bincount(collapsed, minlength=10)))
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    with pytest.raises(ValueError, match="shape"):
        class_histogram_figure({"GAN": np.ones(3) / 3}, data)


def test_probe_output_figure_steps_for_ae_ot_and_lines_for_the_rest():
    from aeot_viz.analysis.probe_output import ProbeOutput
    from aeot_viz.viz import probe_output_figure

    t = np.linspace(0, 1, 11)
    step = ProbeOutput(t, np.where(t[:, None] < 0.5, -1.0, 1.0) * np.ones((11, 2)), ["x1", "x2"])
    smooth = ProbeOutput(t, np.column_stack([2 * t - 1, t]), ["x1", "x2"])
    fig = probe_output_figure({"AE-OT": step, "GAN": smooth}, singular_t=[0.5])
    assert len(fig.data) == 4  # two maps x two coordinates
    ae = [tr for tr in fig.data if tr.legendgroup == "AE-OT"]
    assert all(tr.mode == "markers" for tr in ae)  # no line drawn across AE-OT's jumps
    assert all(tr.mode == "lines+markers" for tr in fig.data if tr.legendgroup == "GAN")
    assert np.allclose(ae[0].y, step.values[:, 0])
    assert len(fig.layout.shapes) == 2  # the singular crossing drawn in both panels
    assert all(ax.title.text for ax in (fig.layout.xaxis, fig.layout.xaxis2, fig.layout.yaxis, fig.layout.yaxis2))
    probs = ProbeOutput(t, np.full((11, 3), 1 / 3), ["P(0)", "P(1)", "P(2)"], "class probabilities")
    fig = probe_output_figure({"AE-OT": probs, "GAN": probs})
    assert len(fig.data) == 6 and fig.layout.yaxis.title.text == "class probability"
    assert [tr.line.shape for tr in fig.data[:3]] == ["hv"] * 3  # AE-OT's probabilities as steps
    with pytest.raises(ValueError, match="one kind"):
        probe_output_figure({"AE-OT": step, "GAN": probs})


def test_paths_draw_the_jumping_map_as_points_and_click_grid_stays_out_of_the_legend():
    from aeot_viz.viz import add_click_grid, paths_figure

    data = np.random.default_rng(0).normal(size=(100, 2))
    fig = paths_figure(data, {"AE-OT": data[:5], "GAN": data[5:10]})
    modes = {tr.name.split(" (")[0]: tr.mode for tr in fig.data if tr.name != "data"}
    assert modes == {"AE-OT": "markers", "GAN": "lines+markers"}
    add_click_grid(fig, -0.5, 0.5, n=5)
    grid = fig.data[-1]
    assert grid.showlegend is False and len(grid.x) == 25 and "0.04" in grid.marker.color
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.yanchor == "bottom"  # clear of the toolbar


def test_every_legend_sits_below_its_plot_clear_of_the_toolbar():
    """The Plotly toolbar sits at the top right: every builder puts its legend at the foot of the figure,
    horizontal (wrapping onto more rows instead of overflowing)."""
    from aeot_viz.analysis.probe_output import ProbeOutput
    from aeot_viz.viz import (
        adjacency_figure,
        class_histogram_figure,
        null_histogram_figure,
        paths_figure,
        probe_output_figure,
        samples_figure,
        solver_error_figure,
        training_scores_figure,
    )
    from aeot_viz.viz.figures import legend_below

    Y, h = _problem()
    P = np.random.default_rng(0).normal(size=(40, 2))
    t = np.linspace(0, 1, 5)
    figs = [latent_scatter(P, np.arange(40) % 25), power_cells_figure(exact_cells_2d(Y, h), Y),
            adjacency_figure(P, np.array([[0, 1], [1, 2]])), samples_figure(P, {"A": P, "B": P}),
            paths_figure(P, {"AE-OT": P[:5], "GAN": P[5:10]}), null_histogram_figure([("x", t, t, 0.5)]),
            solver_error_figure([0, 1], [1.0, 1e-9]), training_scores_figure([0, 1], {"x": [1, 2]}),
            probe_output_figure({"AE-OT": ProbeOutput(t, np.ones((5, 2)), ["x1", "x2"])}),
            class_histogram_figure({"A": np.ones(3) / 3}, np.ones(3) / 3)]
    for fig in figs:  # at the figure's foot, in its own coordinates: under the axis title whatever the fonts
        leg = fig.layout.legend
        assert (leg.orientation, leg.yref, leg.yanchor, leg.y) == ("h", "container", "bottom", 0), leg
    assert legend_below()["yref"] == "container"


def _colour_at(scale, z, zmin, zmax):
    """The colour a stepped Plotly colour scale gives value z (the band that holds it)."""
    u = (z - zmin) / (zmax - zmin)
    for (a, colour), (b, _) in zip(scale[::2], scale[1::2]):
        if a <= u <= b:
            return colour
    raise AssertionError(f"{z} lies outside the scale")


def test_a_slice_coloured_by_label_has_a_colour_bar_naming_each_label_at_its_colour():
    from aeot_viz.viz.figures import PALETTE

    Y, h = _problem(n=40)
    lab = slice_labels(Y, h, [0, 0], [1, 0], [0, 1], resolution=40)
    digits = np.arange(40) % 10
    heat = slice_figure(lab, np.linspace(-0.5, 0.5, 40), digits, label_name="digit").data[0]
    assert heat.showscale and heat.colorbar.title.text == "digit"
    assert list(heat.colorbar.tickvals) == list(range(10)) and list(heat.colorbar.ticktext) == [str(k) for k in
                                                                                               range(10)]
    for k in range(10):  # each tick sits in its label's band of colour: the bar is the legend of the labels
        assert _colour_at(heat.colorscale, k, heat.zmin, heat.zmax) == PALETTE[k]
    assert "digit %{z}" in heat.hovertemplate
    # more labels than colours: the colours repeat, so no colour bar claims to tell them apart
    many = slice_figure(lab, np.linspace(-0.5, 0.5, 40), np.arange(40)).data[0]
    assert not many.showscale and "label %{z}" in many.hovertemplate


def test_power_cells_list_the_labels_colours_in_the_legend_when_asked():
    from aeot_viz.viz.figures import PALETTE

    Y, h = _problem(n=30)
    cells = exact_cells_2d(Y, h)
    labels = np.arange(30) % 3
    fig = power_cells_figure(cells, Y, labels, label_legend=True)
    listed = [t for t in fig.data if t.name.startswith("cells, label ") and t.showlegend]
    assert [t.name for t in listed] == ["cells, label 0", "cells, label 1", "cells, label 2"]
    assert [t.fillcolor for t in listed] == PALETTE[:3]
    plain = power_cells_figure(cells, Y, labels)  # by default (the Lesson, Home, Generate) the legend stays short
    assert not any(t.showlegend for t in plain.data if t.name.startswith("cells, label "))
    unlabelled = power_cells_figure(cells, Y, None, label_legend=True)  # nothing to name without labels
    assert not any(t.showlegend for t in unlabelled.data if t.name.startswith("cells, label "))
