"""Figure builders for the app's pages (pure functions of arrays)."""

from __future__ import annotations

import numpy as np

__all__ = ["latent_scatter", "power_cells_figure", "slice_figure", "image_grid_figure", "adjacency_figure",
           "add_probe", "add_click_grid", "explainer_figure", "samples_figure", "paths_figure",
           "mode_histograms_figure", "solver_error_figure", "training_scores_figure", "probe_output_figure",
           "class_histogram_figure", "add_source_box", "CLICK_GRID_NAME"]

CLICK_GRID_NAME = "click targets"

#: 25 distinct colours, one per mode of the 25-Gaussian grid: D3's category10 without its grey (the pictures'
#: context colour) and its red (the singular facets' colour), then 17 picked greedily in CIELAB to be farthest from
#: those, from light grey, black and red. Every pair differs by at least 27 CIE76 units, every colour from red by 39
PALETTE = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf",
    "#0000ff", "#ff1eff", "#ff0069", "#005a3c", "#5a00a5", "#f0b478", "#00e100", "#96000f", "#78004b",
    "#69690f", "#96d296", "#0069ff", "#ff0fb4", "#ff8787", "#c369ff", "#a55a0f", "#b4b4f0",
]


def legend_below() -> dict:
    """A horizontal legend at the foot of the figure, under the plot and its x-axis title.

    The legend is placed in the figure's own coordinates (``yref="container"``, bottom edge), and Plotly grows the
    bottom margin to fit it, so it stays clear of the axis title however many rows it wraps onto and whatever the
    fonts (Streamlit's theme scales them with the page's text, presentation mode included); the Plotly toolbar sits
    at the top.

    Returns
    -------
    dict
        Plotly ``layout.legend`` settings.
    """
    return dict(orientation="h", yref="container", yanchor="bottom", y=0.0, xanchor="left", x=0.0)


def log_axis() -> dict:
    """Settings of a Plotly log axis that labels only the decades, as plain powers of ten.

    Plotly's default log axis labels the 2s and 5s between decades when it spans few of them ("5", "2") and writes
    small numbers with SI prefixes ("10" and the micro sign for 1e-5). ``dtick=1`` puts a tick at every decade and
    nowhere else, ``exponentformat="power"`` writes each as 10 to a power (1e-5 as 10^-5).

    Returns
    -------
    dict
        Plotly axis settings (``type="log"`` included), for ``update_yaxes`` / ``update_xaxes``.
    """
    return dict(type="log", dtick=1, exponentformat="power", showexponent="all")


def _colour(k: int) -> str:
    return PALETTE[int(k) % len(PALETTE)]


def _label_colorscale(lab: np.ndarray) -> list:
    """A stepped colour scale over [min - 1/2, max + 1/2] that gives integer label k the colour ``_colour(k)``."""
    lo, hi = int(lab.min()), int(lab.max())
    if hi == lo:
        return [[0.0, _colour(lo)], [1.0, _colour(lo)]]
    span = hi - lo + 1
    scale = []
    for k in range(lo, hi + 1):
        a, b = (k - lo) / span, (k - lo + 1) / span
        scale += [[a, _colour(k)], [b, _colour(k)]]
    return scale


def latent_scatter(points, labels=None, *, values=None, value_name: str = "value", selected=None,
                   overlay=None, overlay_name: str = "generated", title: str = "",
                   single_trace: bool = False, xlabel: str = "coordinate 1", ylabel: str = "coordinate 2"):
    """Scatter of 2-D (projected) latent codes, ready for box / lasso selection.

    Parameters
    ----------
    points : array-like, shape (N, 2)
    labels : array-like of int, shape (N,), optional
        One trace per label (legend toggles them); ignored when ``values`` is given.
    values : array-like, shape (N,), optional
        Continuous colouring (e.g. cell mass error) with a colour bar.
    selected : array-like of int, optional
        Indices to highlight; the others are drawn as grey context.
    overlay : array-like, shape (M, 2), optional
        Extra points (e.g. generated codes) drawn with another marker.
    single_trace : bool
        Draw all codes as the first trace, point i being code i (label colours per point), so a
        selection's ``point_indices`` are code ids; Plotly dims unselected points itself.
    xlabel, ylabel : str
        Axis titles (e.g. "UMAP 1", or a latent coordinate with its units).

    Returns
    -------
    plotly.graph_objects.Figure
        Trace ``customdata`` holds each point's row in ``points``; ``dragmode`` is ``"select"``.
    """
    import plotly.graph_objects as go

    P = np.asarray(points, dtype=np.float64)
    if P.ndim != 2 or P.shape[1] != 2:
        raise ValueError(f"latent_scatter needs points of shape (N, 2), got {P.shape}; project them first.")
    N = len(P)
    ids = np.arange(N)
    fig = go.Figure()
    sel_mask = None
    if selected is not None:
        sel_mask = np.zeros(N, dtype=bool)
        sel_mask[np.asarray(selected, dtype=np.int64)] = True
        fig.add_trace(go.Scattergl(x=P[~sel_mask, 0], y=P[~sel_mask, 1], mode="markers", name="other codes",
                                   marker=dict(size=4, color="lightgrey"), customdata=ids[~sel_mask],
                                   hovertemplate="code %{customdata}<extra></extra>"))
    show = sel_mask if sel_mask is not None else np.ones(N, dtype=bool)
    if single_trace:
        custom, hover = ids, "code %{customdata}"
        if values is not None:
            marker = dict(size=5, color=np.asarray(values, dtype=np.float64), colorscale="RdBu", showscale=True,
                          colorbar=dict(title=value_name))
            hover += f"<br>{value_name} %{{marker.color:.3g}}"
        elif labels is not None:
            lab = np.asarray(labels).astype(np.int32)
            marker = dict(size=5, color=lab, colorscale=_label_colorscale(lab), cmin=float(lab.min()) - 0.5,
                          cmax=float(lab.max()) + 0.5, showscale=False)
            hover += "<br>label %{marker.color}"
        else:
            marker = dict(size=5, color=PALETTE[0])
        P32 = P.astype(np.float32)  # half the bytes sent to the browser; plenty for a picture
        fig.add_trace(go.Scattergl(x=P32[:, 0], y=P32[:, 1], mode="markers", name="codes", marker=marker,
                                   customdata=custom.astype(np.int32), hovertemplate=hover + "<extra></extra>"))
    elif values is not None:
        v = np.asarray(values, dtype=np.float64)
        fig.add_trace(go.Scattergl(x=P[show, 0], y=P[show, 1], mode="markers", name=value_name,
                                   marker=dict(size=5, color=v[show], colorscale="RdBu", showscale=True,
                                               colorbar=dict(title=value_name)),
                                   customdata=ids[show],
                                   hovertemplate=f"code %{{customdata}}<br>{value_name} "
                                                 "%{marker.color:.3g}<extra></extra>"))
    elif labels is not None:
        lab = np.asarray(labels)
        for k in np.unique(lab[show]):
            m = show & (lab == k)
            fig.add_trace(go.Scattergl(x=P[m, 0], y=P[m, 1], mode="markers", name=str(k),
                                       marker=dict(size=5, color=_colour(k)), customdata=ids[m],
                                       hovertemplate=f"code %{{customdata}}<br>label {k}<extra></extra>"))
    else:
        fig.add_trace(go.Scattergl(x=P[show, 0], y=P[show, 1], mode="markers", name="codes",
                                   marker=dict(size=5, color=PALETTE[0]), customdata=ids[show],
                                   hovertemplate="code %{customdata}<extra></extra>"))
    if overlay is not None:
        O = np.asarray(overlay, dtype=np.float64).reshape(-1, 2)
        fig.add_trace(go.Scattergl(x=O[:, 0], y=O[:, 1], mode="markers", name=overlay_name,
                                   marker=dict(size=7, symbol="x-thin", color="rgba(0,0,0,0.65)",
                                               line=dict(width=1.2, color="rgba(0,0,0,0.65)"))))
    fig.update_layout(title=title, dragmode="select", legend=dict(itemsizing="constant", **legend_below()),
                      margin=dict(l=10, r=10, t=40 if title else 10, b=10))
    fig.update_xaxes(title=xlabel)
    fig.update_yaxes(title=ylabel)
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return fig


def power_cells_figure(cells, targets, labels=None, *, heights=None, masses=None, target_mass=None,
                       singular_segments=None, title: str = "", label_legend: bool = False):
    """Exact 2-D power cells as filled polygons, their targets, and singular edges in red.

    Parameters
    ----------
    cells : aeot_viz.geometry.power_diagram.PowerCells2D
    targets : array-like, shape (N, 2)
        Targets :math:`y_i` in the source square.
    labels : array-like of int, shape (N,), optional
        Colours the cells.
    heights : array-like, shape (N,), optional
        Shown on hover.
    masses : array-like, shape (N,), optional
        Measured cell masses shown on hover (defaults to the exact areas).
    target_mass : float or array-like, optional
        :math:`\\nu_i`, shown on hover.
    singular_segments : array-like, shape (S, 2, 2), optional
    label_legend : bool
        List the labels' colours in the legend (one entry ``cells, label k`` per label); with ``labels``.

    Returns
    -------
    plotly.graph_objects.Figure
        One filled trace per label named ``cells, label k`` (its polygons separated by NaN rows, one
        polygon per non-empty cell), a ``cell info`` trace of invisible markers at the cell centroids
        whose hover text gives each cell's id, label, area, target mass and height, one ``targets``
        trace, and one ``singular edges`` trace when segments are given.
    """
    import plotly.graph_objects as go

    Y = np.asarray(targets, dtype=np.float64)
    N = len(Y)
    lab = np.zeros(N, dtype=np.int64) if labels is None else np.asarray(labels)
    nu = np.full(N, 1.0 / N) if target_mass is None else np.broadcast_to(np.asarray(target_mass, float), (N,))
    mass = cells.areas if masses is None else np.asarray(masses)
    drawn = [i for i, poly in enumerate(cells.polygons) if len(poly) >= 3]
    fig = go.Figure()
    for k in np.unique(lab[drawn]) if drawn else []:
        polys = [np.vstack([cells.polygons[i], cells.polygons[i][:1], [[np.nan, np.nan]]])
                 for i in drawn if lab[i] == k]
        xy = np.vstack(polys)
        fig.add_trace(go.Scatter(x=xy[:, 0], y=xy[:, 1], mode="lines", fill="toself", name=f"cells, label {k}",
                                 line=dict(width=0.5, color="white"), fillcolor=_colour(k), opacity=0.55,
                                 hoverinfo="skip", showlegend=bool(label_legend and labels is not None)))
    text = []
    for i in drawn:
        t = f"cell {i}<br>label {lab[i]}<br>area {cells.areas[i]:.2e} (target {nu[i]:.2e})"
        if heights is not None:
            t += f"<br>h {float(np.asarray(heights)[i]):.4g}"
        if masses is not None:
            t += f"<br>measured mass {float(mass[i]):.2e}"
        text.append(t)
    C = np.asarray(cells.centroids)[drawn] if drawn else np.zeros((0, 2))
    fig.add_trace(go.Scatter(x=C[:, 0], y=C[:, 1], mode="markers", name="cell info", text=text,
                             customdata=np.asarray(drawn), hoverinfo="text", showlegend=False,
                             marker=dict(size=14, color="rgba(0,0,0,0)")))
    fig.add_trace(go.Scatter(x=Y[:, 0], y=Y[:, 1], mode="markers", name="targets",
                             marker=dict(size=3, color="black"), customdata=np.arange(N),
                             hovertemplate="target %{customdata}<extra></extra>"))
    if singular_segments is not None and len(singular_segments):
        S = np.asarray(singular_segments, dtype=np.float64)
        xs = np.column_stack([S[:, 0, 0], S[:, 1, 0], np.full(len(S), np.nan)]).ravel()
        ys = np.column_stack([S[:, 0, 1], S[:, 1, 1], np.full(len(S), np.nan)]).ravel()
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="singular edges",
                                 line=dict(color="red", width=2.5), hoverinfo="skip"))
    fig.update_layout(title=title, margin=dict(l=10, r=10, t=40 if title else 10, b=10), legend=legend_below(),
                      xaxis=dict(range=[-0.5, 0.5], constrain="domain", title="source coordinate x1"),
                      yaxis=dict(range=[-0.5, 0.5], scaleanchor="x", scaleratio=1, title="source coordinate x2"))
    return fig


def slice_figure(labels_raster, axis, cell_labels=None, *, boundary=None, title: str = "", label_name: str = "label"):
    """A slice's label raster as a coloured cell map, singular boundary pixels in red.

    Parameters
    ----------
    labels_raster : array-like of int, shape (R, R)
        From :func:`aeot_viz.geometry.power_diagram.slice_labels` (-1 outside the cube).
    axis : array-like, shape (R,)
        Coordinates along both slice directions.
    cell_labels : array-like of int, shape (N,), optional
        Colour by the codes' labels instead of by cell id.
    boundary : array-like of bool, shape (R, R), optional
        Pixels on singular boundaries.
    label_name : str
        What a label is ("label", "digit", "first digit"): the colour bar's title and the hover's word.

    Returns
    -------
    plotly.graph_objects.Figure
        The heatmap first. With ``cell_labels`` its colour bar is the legend of the labels: one tick per label,
        written out, at the middle of that label's band of colour. With more labels than :data:`PALETTE` has
        colours the colours repeat, so no colour bar is drawn (a colour would name several labels) and the hover
        gives each pixel's label.
    """
    import plotly.graph_objects as go

    lab = np.asarray(labels_raster)
    colour_of = lab.astype(np.float64)
    if cell_labels is not None:
        cl = np.asarray(cell_labels)
        colour_of = np.where(lab >= 0, cl[np.clip(lab, 0, None)], np.nan).astype(np.float64)
    colour_of[lab < 0] = np.nan
    if boundary is not None:
        colour_of = np.where(np.asarray(boundary), np.nan, colour_of)
    if cell_labels is not None:  # the label colours of the latent scatter, with a colour bar of labels
        cl = np.asarray(cell_labels).astype(np.int64)
        ticks = np.unique(cl)
        legend = len(ticks) <= len(PALETTE)  # one colour per label: the colour bar can say which is which
        scale = dict(colorscale=_label_colorscale(cl), zmin=float(cl.min()) - 0.5, zmax=float(cl.max()) + 0.5,
                     showscale=legend)
        if legend:
            scale["colorbar"] = dict(title=label_name, tickmode="array", tickvals=ticks.tolist(),
                                     ticktext=[str(t) for t in ticks.tolist()])
        hover = f"cell %{{customdata}}<br>{label_name} %{{z}}<extra></extra>"
    else:
        scale = dict(colorscale="Turbo", showscale=False)
        hover = "cell %{customdata}<extra></extra>"
    fig = go.Figure(go.Heatmap(z=colour_of, x=axis, y=axis, customdata=lab, hovertemplate=hover, **scale))
    if boundary is not None and np.asarray(boundary).any():
        b = np.asarray(boundary)
        ys, xs = np.nonzero(b)
        ax = np.asarray(axis)
        fig.add_trace(go.Scattergl(x=ax[xs], y=ax[ys], mode="markers", name="singular boundary",
                                   marker=dict(size=3, color="red")))
    fig.update_layout(title=title, margin=dict(l=10, r=10, t=40 if title else 30, b=10), legend=legend_below())
    ax = np.asarray(axis, dtype=np.float64)
    fig.update_xaxes(range=[float(ax.min()), float(ax.max())], title="slice coordinate u", constrain="domain")
    fig.update_yaxes(range=[float(ax.min()), float(ax.max())], title="slice coordinate v", scaleanchor="x",
                     scaleratio=1)
    return fig


def image_grid_figure(images, ncols: int = 8):
    """Images (n, C, H, W) in [0, 1] as one Plotly image (a tiled grid, ``ncols`` per row)."""
    import plotly.graph_objects as go

    from ..io.images import image_grid

    img = np.asarray(image_grid(images, ncols=min(ncols, max(len(images), 1)), scale=1))
    fig = go.Figure(go.Image(z=np.stack([img] * 3, -1) if img.ndim == 2 else img))
    fig.update_layout(margin=dict(l=0, r=0, t=0, b=0), xaxis=dict(visible=False), yaxis=dict(visible=False))
    return fig


def _segments_xy(P, pairs):
    """x and y arrays of line segments P[i] -> P[j] separated by None (one Plotly trace for many lines)."""
    if len(pairs) == 0:
        return [], []
    xs = np.full((len(pairs), 3), np.nan)
    ys = np.full((len(pairs), 3), np.nan)
    xs[:, 0], xs[:, 1] = P[pairs[:, 0], 0], P[pairs[:, 1], 0]
    ys[:, 0], ys[:, 1] = P[pairs[:, 0], 1], P[pairs[:, 1], 1]
    return xs.ravel().astype(np.float32), ys.ravel().astype(np.float32)


def adjacency_figure(points, pairs, singular=None, labels=None, *, max_regular: int = 4000,
                     random_state: int = 0, title: str = "", xlabel: str = "coordinate 1",
                     ylabel: str = "coordinate 2"):
    """The cell-adjacency graph of the power diagram drawn over a 2-D picture of the codes.

    Parameters
    ----------
    points : array-like, shape (N, 2)
        Positions of the codes (e.g. a PCA / UMAP projection).
    pairs : array-like of int, shape (E, 2)
        Adjacent cells (facets of the power diagram).
    singular : array-like of bool, shape (E,), optional
        Singular facets, drawn in red (all of them); regular ones in grey.
    max_regular : int
        Draw at most this many regular edges (a random subset, ``random_state``) to keep the browser fast.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces: "regular facets", "singular facets", then the codes (as :func:`latent_scatter`).
    """
    import plotly.graph_objects as go

    P = np.asarray(points, dtype=np.float64)
    E = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if P.ndim != 2 or P.shape[1] != 2:
        raise ValueError(f"adjacency_figure needs points of shape (N, 2), got {P.shape}.")
    if len(E) and (E.min() < 0 or E.max() >= len(P)):
        raise ValueError("pairs refer to codes that are not in points.")
    sing = np.zeros(len(E), dtype=bool) if singular is None else np.asarray(singular, dtype=bool)
    if sing.shape != (len(E),):
        raise ValueError(f"singular must have one flag per pair, shape ({len(E)},), got {sing.shape}.")
    reg = np.flatnonzero(~sing)
    if len(reg) > max_regular:
        reg = np.sort(np.random.default_rng(random_state).choice(reg, max_regular, replace=False))
    fig = go.Figure()
    x, y = _segments_xy(P, E[reg])
    fig.add_trace(go.Scattergl(x=x, y=y, mode="lines", name=f"regular facets ({len(reg):,} drawn)",
                               line=dict(color="rgba(120,120,120,0.35)", width=1), hoverinfo="skip"))
    x, y = _segments_xy(P, E[sing])
    fig.add_trace(go.Scattergl(x=x, y=y, mode="lines", name=f"singular facets ({int(sing.sum()):,})",
                               line=dict(color="red", width=1.5), hoverinfo="skip"))
    for tr in latent_scatter(P, labels, single_trace=True).data:
        fig.add_trace(tr)
    fig.update_layout(title=title, legend=dict(itemsizing="constant", **legend_below()),
                      margin=dict(l=10, r=10, t=40 if title else 10, b=10))
    fig.update_xaxes(title=xlabel)
    fig.update_yaxes(title=ylabel)
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return fig


def add_probe(fig, start, end, crossings=None, singular=None):
    """Draw a probe segment on a 2-D figure and mark where the map jumps along it.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
    start, end : array-like, shape (2,)
        End points in the figure's coordinates.
    crossings : array-like, shape (K, 2), optional
        Where the segment crosses a facet; singular ones as red crosses, others as small grey ticks.
    singular : array-like of bool, shape (K,), optional
    """
    import plotly.graph_objects as go

    a, b = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
    fig.add_trace(go.Scatter(x=[a[0], b[0]], y=[a[1], b[1]], mode="lines+markers+text", name="probe",
                             cliponaxis=False,
                             text=["start", "end"], textposition="top center",
                             line=dict(color="black", width=2), marker=dict(size=9, color="black")))
    if crossings is not None and len(crossings):
        C = np.asarray(crossings, dtype=np.float64).reshape(-1, 2)
        s = np.zeros(len(C), dtype=bool) if singular is None else np.asarray(singular, dtype=bool)
        if (~s).any():
            fig.add_trace(go.Scatter(x=C[~s, 0], y=C[~s, 1], mode="markers", name="regular crossings",
                                     marker=dict(size=5, color="grey", symbol="line-ns-open")))
        if s.any():
            fig.add_trace(go.Scatter(x=C[s, 0], y=C[s, 1], mode="markers", name="jumps across singular facets",
                                     marker=dict(size=13, color="red", symbol="x")))
    return fig


def add_click_grid(fig, lo: float, hi: float, n: int = 21, opacity: float = 0.04):
    """Add a faint n x n grid of points between ``lo`` and ``hi`` that a click can select (trace named
    :data:`CLICK_GRID_NAME`, left out of the legend); Plotly heatmaps and filled polygons cannot be selected
    themselves. ``opacity`` 0 hides the dots; they still take clicks and show their coordinates on hover."""
    import plotly.graph_objects as go

    ax = np.linspace(lo, hi, int(n))
    A, B = np.meshgrid(ax, ax, indexing="xy")
    fig.add_trace(go.Scatter(x=A.ravel(), y=B.ravel(), mode="markers", name=CLICK_GRID_NAME, showlegend=False,
                             marker=dict(size=7, color=f"rgba(0,0,0,{float(opacity):.3g})"),
                             hovertemplate="click: (%{x:.2f}, %{y:.2f})<extra></extra>"))
    fig.update_layout(clickmode="event+select")
    return fig


def explainer_figure(label_raster, axis, cell_labels, boundary, codes, labels, generated, targets=None,
                     generated_labels=None):
    """AE-OT on a 2-D toy in panels side by side: the noise square cut into power cells (singular boundaries in
    red, the codes rescaled into the square as dots), the codes, and samples generated by the extended map.

    Parameters
    ----------
    label_raster, axis, cell_labels, boundary :
        As for :func:`slice_figure` (the slice being the source square itself).
    codes : array-like, shape (N, 2)
        The codes in data units.
    labels : array-like of int, shape (N,)
    generated : array-like, shape (M, 2)
    targets : array-like, shape (N, 2), optional
        The codes rescaled into the square (the OT targets), drawn on the noise panel.
    generated_labels : array-like of int, shape (M,), optional
        The label of the cell each sample's noise fell in. Given, the samples get a third panel of their own,
        coloured like the codes (so they never hide the codes); otherwise they are thin crosses over the codes.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    if generated_labels is not None and len(np.asarray(generated_labels)) != len(np.asarray(generated)):
        raise ValueError("generated_labels needs one label per generated sample.")
    left = slice_figure(label_raster, axis, cell_labels, boundary=boundary)
    own_panel = generated_labels is not None
    titles = ["noise, one cell per code", "the codes"]
    if own_panel:
        titles.append("new samples")
    else:
        titles[1] = "the codes (colour) and new samples (thin crosses)"
    fig = make_subplots(1, len(titles), subplot_titles=titles, horizontal_spacing=0.1)
    for tr in left.data:
        fig.add_trace(tr, 1, 1)
    if targets is not None:
        T = np.asarray(targets, dtype=np.float32)
        fig.add_trace(go.Scattergl(x=T[:, 0], y=T[:, 1], mode="markers", name="codes rescaled into the square",
                                   marker=dict(size=2, color="rgba(0,0,0,0.5)"), hoverinfo="skip"), 1, 1)
    right = latent_scatter(codes, labels, single_trace=True, overlay=None if own_panel else generated,
                           overlay_name="generated")
    for tr in right.data:
        fig.add_trace(tr, 1, 2)
    if own_panel:
        for tr in latent_scatter(generated, generated_labels, single_trace=True).data:
            tr.name = "generated"
            fig.add_trace(tr, 1, 3)
    fig.update_traces(showscale=False, selector=dict(type="heatmap"))
    fig.update_layout(showlegend=False, margin=dict(l=10, r=10, t=40, b=10), height=420)
    fig.update_yaxes(scaleanchor="x", scaleratio=1, title="noise coordinate x2", row=1, col=1, constrain="domain")
    fig.update_xaxes(title="noise coordinate x1", row=1, col=1, constrain="domain")
    lo = np.minimum(np.asarray(codes).min(0), np.asarray(generated).min(0))
    hi = np.maximum(np.asarray(codes).max(0), np.asarray(generated).max(0))
    pad = 0.08 * (hi - lo)
    for c in range(2, len(titles) + 1):
        fig.update_yaxes(scaleanchor=f"x{c}", scaleratio=1, title="data coordinate 2", row=1, col=c,
                         range=[float(lo[1] - pad[1]), float(hi[1] + pad[1])], constrain="domain")
        fig.update_xaxes(title="data coordinate 1", row=1, col=c, range=[float(lo[0] - pad[0]), float(hi[0] + pad[0])],
                         constrain="domain")
    return fig


def samples_figure(data, samples: dict, *, max_data: int = 3000, random_state: int = 0,
                   xlabel: str = "coordinate 1", ylabel: str = "coordinate 2"):
    """Side-by-side scatters of 2-D samples from several generators over the data (grey).

    Parameters
    ----------
    data : array-like, shape (n, 2)
    samples : dict
        Panel title -> generated points (m, 2), one panel each, in order.

    Returns
    -------
    plotly.graph_objects.Figure
        Per panel: a "data" trace, then the samples trace named after the panel.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    D = np.asarray(data, dtype=np.float32)
    if len(D) > max_data:
        D = D[np.random.default_rng(random_state).choice(len(D), max_data, replace=False)]
    names = list(samples)
    fig = make_subplots(1, len(names), subplot_titles=names, horizontal_spacing=0.07)
    lo, hi = D.min(0), D.max(0)
    pad = 0.15 * (hi - lo)
    for k, name in enumerate(names):
        S = np.asarray(samples[name], dtype=np.float32)
        fig.add_trace(go.Scattergl(x=D[:, 0], y=D[:, 1], mode="markers", name="data", showlegend=k == 0,
                                   marker=dict(size=3, color="lightgrey")), 1, k + 1)
        fig.add_trace(go.Scattergl(x=S[:, 0], y=S[:, 1], mode="markers", name=name, showlegend=False,
                                   marker=dict(size=3, color=_colour(k))), 1, k + 1)
        fig.update_xaxes(range=[lo[0] - pad[0], hi[0] + pad[0]], row=1, col=k + 1, title=xlabel, constrain="domain")
        fig.update_yaxes(range=[lo[1] - pad[1], hi[1] + pad[1]], row=1, col=k + 1, constrain="domain",
                         scaleanchor=f"x{k + 1 if k else ''}", scaleratio=1, title=ylabel)
    fig.update_layout(height=400, margin=dict(l=10, r=10, t=40, b=10), legend=legend_below())
    return fig


def paths_figure(data, paths: dict, *, max_data: int = 3000, random_state: int = 0,
                 xlabel: str = "coordinate 1", ylabel: str = "coordinate 2", jumping=("AE-OT",)):
    """Images of straight noise paths under several maps, drawn over 2-D data: a continuous map gives a
    connected curve (through the gaps between modes), the OT map isolated points (it jumps).

    Parameters
    ----------
    data : array-like, shape (n, 2)
    paths : dict
        Name -> points (m, 2) along the path, in order of the path parameter.
    jumping : iterable of str
        Paths drawn as markers only (a line between their points would cross gaps the map jumps over).
    """
    import plotly.graph_objects as go

    D = np.asarray(data, dtype=np.float32)
    if len(D) > max_data:
        D = D[np.random.default_rng(random_state).choice(len(D), max_data, replace=False)]
    fig = go.Figure(go.Scattergl(x=D[:, 0], y=D[:, 1], mode="markers", name="data",
                                 marker=dict(size=3, color="lightgrey")))
    for k, (name, P) in enumerate(paths.items()):
        P = np.asarray(P, dtype=np.float64)
        if name in jumping:  # a map that jumps: its points only, no line drawn across the gaps it jumps
            fig.add_trace(go.Scatter(x=P[:, 0], y=P[:, 1], mode="markers", name=name,
                                     marker=dict(size=8, color=_colour(k), symbol="diamond",
                                                 line=dict(width=1, color="black"))))
        else:
            fig.add_trace(go.Scatter(x=P[:, 0], y=P[:, 1], mode="lines+markers", name=name,
                                     line=dict(color=_colour(k), width=1.5), marker=dict(size=4, color=_colour(k))))
    fig.update_layout(height=460, margin=dict(l=10, r=10, t=10, b=10), legend=dict(itemsizing="constant",
                                                                                  **legend_below()))
    fig.update_yaxes(scaleanchor="x", scaleratio=1, title=ylabel)
    fig.update_xaxes(title=xlabel)
    return fig


def null_histogram_figure(panels):
    """Histograms of the data's facet statistics against the convex null's, one panel per statistic, thresholds drawn.

    Parameters
    ----------
    panels : sequence of (str, array-like, array-like, float or None)
        ``(axis title, data values (E,), null values (E0,), threshold)`` per panel: e.g. the midpoint emptiness of
        the midpoint test with the null's largest value, or the jump rule's angle and relative jump.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    panels = list(panels)
    if not panels:
        raise ValueError("null_histogram_figure needs at least one (title, data, null, threshold) panel.")
    fig = make_subplots(rows=1, cols=len(panels), horizontal_spacing=0.1)
    for c, (title, data, null, thr) in enumerate(panels, start=1):
        data = np.asarray(data, dtype=np.float64)
        null = np.asarray(null, dtype=np.float64)
        both = np.concatenate([data, null]) if len(data) + len(null) else np.zeros(1)
        edges = np.linspace(0.0, float(both.max()) * 1.02 + 1e-12, 61)
        traces = ((null, "convex null", "rgba(90,90,90,0.55)"), (data, "this model", "rgba(31,119,180,0.75)"))
        for vals, name, colour in traces:
            counts, _ = np.histogram(vals, bins=edges)
            share = counts / max(len(vals), 1)
            fig.add_trace(go.Bar(x=0.5 * (edges[1:] + edges[:-1]), y=np.where(share > 0, share, np.nan),
                                 width=np.diff(edges), name=name, marker_color=colour, showlegend=c == 1,
                                 hovertemplate=f"{name}: %{{y:.2%}} of facets near %{{x:.3g}}<extra></extra>"), 1, c)
        if thr is not None and np.isfinite(thr):
            fig.add_vline(x=float(thr), line=dict(color="red", dash="dash"), row=1, col=c)
            fig.add_annotation(x=float(thr), y=1.0, yref="y domain" if c == 1 else f"y{c} domain",
                               xref=f"x{c}" if c > 1 else "x",
                               text="null's largest", showarrow=False, xanchor="left", font=dict(color="red"))
        fig.update_xaxes(title=title, row=1, col=c)
        fig.update_yaxes(title="share of facets (log)", row=1, col=c, **log_axis())
    fig.update_layout(barmode="overlay", height=360, margin=dict(l=10, r=10, t=30, b=10), legend=legend_below())
    return fig


def mode_histograms_figure(histograms: dict, *, cap: float = 3.0):
    """Stacked-MNIST mode histograms as pictures: one 10 x 100 panel per generator, one cell per mode.

    Mode ``100 a + 10 b + c`` sits at row ``a`` (the first channel's digit) and column ``10 b + c``. The colour is
    the mode's count over the uniform expectation ``n / 1000`` (1 = exactly its share, capped at ``cap``); a
    **missing mode is black**.

    Parameters
    ----------
    histograms : dict
        Panel title -> samples per mode, array-like of shape (1000,).
    cap : float
        Upper end of the colour scale, in multiples of the uniform share.

    Returns
    -------
    plotly.graph_objects.Figure
        One heatmap trace per panel, named after it.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    names = list(histograms)
    if not names:
        raise ValueError("Give at least one histogram to draw.")
    # room between panels for the tick labels above and the title below (in figure fractions)
    fig = make_subplots(rows=len(names), cols=1, subplot_titles=names, vertical_spacing=min(0.2, 0.5 / len(names)))
    eps = 1e-9
    scale = [[0.0, "#000000"], [eps, "#000000"], [2 * eps, "#440154"], [1 / (2 * cap), "#3b528b"],
             [1 / cap, "#21918c"], [2 / cap, "#5ec962"], [1.0, "#fde725"]]
    for r, name in enumerate(names, start=1):
        H = np.asarray(histograms[name], dtype=np.float64).ravel()
        if H.shape != (1000,) or (H < 0).any():
            raise ValueError(f"Histogram {name!r} must hold 1000 non-negative counts, got shape {H.shape}.")
        ratio = np.minimum(H / max(H.sum() / 1000.0, eps), cap).reshape(10, 100)
        counts = H.reshape(10, 100).astype(np.int64)
        modes = np.arange(1000).reshape(10, 100)
        fig.add_trace(go.Heatmap(z=ratio, x=np.arange(100), y=np.arange(10), zmin=0.0, zmax=cap, colorscale=scale,
                                 customdata=np.stack([modes, counts], axis=-1), name=name, showscale=r == 1,
                                 colorbar=dict(title="count / uniform share", len=0.6, y=0.5),
                                 hovertemplate="mode %{customdata[0]:03d}: %{customdata[1]} samples"
                                               "<extra>" + name + "</extra>"), r, 1)
        fig.update_yaxes(title="1st digit", row=r, col=1, dtick=3, autorange="reversed")
        last = r == len(names)  # the x-axis on the last panel only (the same columns): others would run into the
        fig.update_xaxes(title="2nd and 3rd digits", row=r, col=1, dtick=10, visible=last)  # next panel's title
    fig.update_layout(height=120 + 190 * len(names), margin=dict(l=10, r=10, t=40, b=10))
    return fig


def solver_error_figure(iterations, l1, *, current=None, noise_floor=None, exact: bool = True):
    """The OT error along a solve, on a log axis, with the replayed iterate marked.

    Parameters
    ----------
    iterations : array-like, shape (T,)
        Newton steps (``exact``) or stochastic iterations.
    l1 : array-like, shape (T,)
        The L1 mass error of each: exact (from exact cell areas) or sampled.
    current : int, optional
        Index into ``iterations`` of the iterate on show.
    noise_floor : array-like, shape (T,), optional
        The sampled error's noise floor, drawn as a dashed line (not for exact errors).
    exact : bool
        Titles the axis as the exact or the sampled error.
    """
    import plotly.graph_objects as go

    it = np.asarray(iterations, dtype=np.float64)
    err = np.maximum(np.asarray(l1, dtype=np.float64), 1e-17)  # a log axis cannot show 0
    name = "exact L1 mass error" if exact else "L1 on each iteration's samples"
    fig = go.Figure(go.Scatter(x=it, y=err, mode="lines+markers" if len(it) <= 60 else "lines", name=name,
                               hovertemplate="step %{x}: L1 %{y:.2e}<extra></extra>"))
    if noise_floor is not None:
        fig.add_scatter(x=it, y=np.asarray(noise_floor, dtype=np.float64), mode="lines", name="noise floor",
                        line=dict(dash="dash", color="grey"))
    if current is not None and 0 <= current < len(it):
        fig.add_scatter(x=[it[current]], y=[err[current]], mode="markers", name="shown",
                        marker=dict(size=14, color="red", symbol="circle-open", line=dict(width=3)))
    fig.update_xaxes(title="Newton step" if exact else "solver iteration")
    fig.update_yaxes(title=name + " (log)", **log_axis())
    fig.update_layout(height=300, margin=dict(l=10, r=10, t=30, b=10), legend=legend_below())
    return fig


def training_scores_figure(steps, series: dict, *, current=None, title: str = ""):
    """Scores of a generator's training snapshots against its training steps (the replay's convergence picture).

    Parameters
    ----------
    steps : array-like, shape (S,)
        Generator steps of the snapshots.
    series : dict of str -> array-like, shape (S,)
        Named scores in percent (e.g. high-quality share, modes covered).
    current : int, optional
        Index of the snapshot on show, marked.
    """
    import plotly.graph_objects as go

    x = np.asarray(steps, dtype=np.float64)
    fig = go.Figure()
    for k, (name, vals) in enumerate(series.items()):
        fig.add_scatter(x=x, y=np.asarray(vals, dtype=np.float64), mode="lines+markers", name=name,
                        line=dict(color=PALETTE[k % len(PALETTE)]),
                        hovertemplate=f"{name}: %{{y:.1f}}% at step %{{x}}<extra></extra>")
        if current is not None and 0 <= current < len(x):
            fig.add_scatter(x=[x[current]], y=[float(np.asarray(vals)[current])], mode="markers", showlegend=False,
                            marker=dict(size=13, color="red", symbol="circle-open", line=dict(width=3)),
                            hoverinfo="skip")
    fig.update_xaxes(title="generator training step")
    fig.update_yaxes(title="percent", range=[0, 105])
    fig.update_layout(height=300, margin=dict(l=10, r=10, t=40 if title else 20, b=10), legend=legend_below(),
                      title=title or None)
    return fig


def probe_output_figure(outputs: dict, *, singular_t=(), height: int = 360, unit: str = "data units",
                        joined: bool = True):
    """Where each map sends the probe: its output against the position ``t`` along the probe.

    For 2-D outputs (``kind="coordinates"``) one panel per coordinate, every map's curve in it: AE-OT's is a step
    function, drawn as its sampled points only (flat runs with empty gaps where it jumps: no line is drawn across
    a jump), a neural generator's as a line through its points (the points that land inside a gap are its
    in-between outputs). For class probabilities one panel per map, one curve per class (AE-OT's drawn with
    horizontal steps, ``line_shape="hv"``). Singular crossings of the probe are dashed red vertical lines in
    every panel.

    Parameters
    ----------
    outputs : dict of str -> aeot_viz.analysis.probe_output.ProbeOutput
        Map name -> its output along the probe (all of one ``kind``, over the same ``t``).
    singular_t : array-like, shape (S,)
        Positions ``t`` where the probe crosses a singular facet.
    unit : str
        Unit of coordinate outputs, for the y-axis titles ("data units", "latent units").
    joined : bool
        Draw a neural generator's coordinates as a line through its points (True) or as its points only, like
        AE-OT's (False: at one resolution a steep climb and a jump then look alike, as they do to the eye).

    Returns
    -------
    plotly.graph_objects.Figure
        One trace per (panel, curve): ``"<map>: <column>"`` for coordinates, the class for probabilities.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    if not outputs:
        raise ValueError("Give at least one map's output along the probe.")
    first = next(iter(outputs.values()))
    kinds = {o.kind for o in outputs.values()}
    if len(kinds) != 1:
        raise ValueError(f"All outputs must be of one kind, got {sorted(kinds)}.")
    if first.kind == "coordinates" and any(list(o.names) != list(first.names) for o in outputs.values()):
        raise ValueError("All maps' outputs must name the same coordinates to share panels.")
    probs = first.kind == "class probabilities"
    panels = list(outputs) if probs else list(first.names)
    fig = make_subplots(1, len(panels), subplot_titles=[f"{p}: class probabilities" if probs else f"output {p}"
                                                        for p in panels], horizontal_spacing=0.07)
    for c, panel in enumerate(panels, start=1):
        if probs:
            out = outputs[panel]
            steps = panel == "AE-OT"
            for j, name in enumerate(out.names):
                fig.add_trace(go.Scatter(x=out.t, y=out.values[:, j], mode="lines", name=name,
                                         legendgroup=name, showlegend=c == 1, line_shape="hv" if steps else "linear",
                                         line=dict(color=_colour(j), width=2),
                                         hovertemplate=f"t %{{x:.3f}}: {name} = %{{y:.2f}}<extra>{panel}</extra>"),
                              1, c)
            fig.update_yaxes(title="class probability", range=[-0.03, 1.03], row=1, col=c)
        else:
            j = first.names.index(panel)
            for k, (name, out) in enumerate(outputs.items()):
                steps = name == "AE-OT"
                fig.add_trace(go.Scatter(x=out.t, y=out.values[:, j],
                                         mode="markers" if steps or not joined else "lines+markers",
                                         name=f"{name}: {panel}", legendgroup=name, showlegend=False,
                                         line=dict(color=_colour(k), width=1.5),
                                         marker=dict(size=4 if steps or not joined else 3,
                                                     color="black" if steps else _colour(k)),
                                         hovertemplate=f"t %{{x:.3f}}: {panel} = %{{y:.3g}}<extra>{name}</extra>"),
                              1, c)
            fig.update_yaxes(title=f"output {panel} ({unit})", row=1, col=c)
        fig.update_xaxes(title="position along the probe, t", range=[0, 1], row=1, col=c)
        for t in np.asarray(singular_t, dtype=np.float64).ravel():
            fig.add_vline(x=float(t), line=dict(color="red", dash="dash", width=1), row=1, col=c)
    if not probs:  # one legend entry per map (the traces of later panels repeat the same maps)
        for tr in fig.data[: len(outputs)]:
            tr.showlegend = True
            tr.name = tr.name.rsplit(":", 1)[0]
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10), legend=legend_below())
    return fig


def refinement_figure(outputs: dict, windows: dict, factor: int, *, height: int = 420, unit: str = "data units"):
    """A zoom on each map's output around one step, sampled at two resolutions: a jump stays, a steep climb fills in.

    One panel per map, over its window of ``t``: every ``factor``-th sample as large open circles (the coarse
    sampling), every sample as small dots (the fine one). Each panel plots the output coordinate that changes most
    across its window, and its title gives the largest step between neighbouring samples on the whole line at both
    resolutions (the Euclidean length of :meth:`~aeot_viz.analysis.probe_output.ProbeOutput.steps`). A continuous
    map's largest step shrinks about ``factor`` times as the sampling is refined, its dots filling the gap between
    the circles; a step function's does not.

    Parameters
    ----------
    outputs : dict of str -> aeot_viz.analysis.probe_output.ProbeOutput
        Map name -> its output along the probe at the fine resolution (coordinates).
    windows : dict of str -> (float, float)
        Map name -> the interval of ``t`` to zoom on.
    factor : int
        The coarse resolution keeps every ``factor``-th sample.
    unit : str
        Unit of the outputs, for the y-axis titles.

    Returns
    -------
    plotly.graph_objects.Figure
        Two traces per panel, ``"<n> points"`` (coarse, then fine); the first panel's are in the legend.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    if not outputs or set(windows) != set(outputs):
        raise ValueError("Give one window (lo, hi) of t for each map's output.")
    factor = int(factor)
    if factor < 2:
        raise ValueError(f"factor must be at least 2 (the fine sampling over the coarse one), got {factor}.")
    titles = []
    for name, out in outputs.items():
        lo, hi = (float(v) for v in windows[name])
        if not lo < hi:
            raise ValueError(f"The window of {name} must have lo < hi, got ({lo}, {hi}).")
        coarse, fine = out.every(factor).steps(), out.steps()
        titles.append(f"{name}: largest step {coarse.max() if len(coarse) else 0.0:.2f} at {len(out.t[::factor]):,} "
                      f"points, {fine.max() if len(fine) else 0.0:.2f} at {len(out.t):,}")
    fig = make_subplots(1, len(outputs), subplot_titles=titles, horizontal_spacing=0.08)
    for c, (name, out) in enumerate(outputs.items(), start=1):
        lo, hi = (float(v) for v in windows[name])
        inside = (out.t >= lo) & (out.t <= hi)
        j = int(np.argmax(np.ptp(out.values[inside], axis=0))) if inside.sum() > 1 else 0
        colour = "black" if name == "AE-OT" else _colour(c - 1)
        for res, marker in ((out.every(factor), dict(size=13, symbol="circle-open", color=colour, line=dict(width=2))),
                            (out, dict(size=5, color=colour))):
            keep = (res.t >= lo) & (res.t <= hi)
            fig.add_trace(go.Scatter(x=res.t[keep], y=res.values[keep, j], mode="markers", marker=marker,
                                     name=f"{len(res.t):,} points", legendgroup=f"{len(res.t)}", showlegend=c == 1,
                                     hovertemplate=f"t %{{x:.4f}}: {res.names[j]} = %{{y:.3g}}<extra>{name}</extra>"),
                          1, c)
        fig.update_xaxes(title="position along the probe, t", range=[lo, hi], row=1, col=c)
        fig.update_yaxes(title=f"output {out.names[j]} ({unit})", row=1, col=c)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=50, b=10), legend=legend_below())
    return fig


def class_histogram_figure(shares: dict, data_share, *, classes=None, highlight=None, height: int = 380):
    """Per-generator class histograms as grouped bars, the data's share of each class as a reference line.

    Parameters
    ----------
    shares : dict of str -> array-like, shape (C,)
        Generator name -> share of its samples the classifier puts in each class (sums to 1).
    data_share : array-like, shape (C,)
        The training data's share of each class.
    classes : list of str, optional
        Class names (default "0" ... "C-1").
    highlight : dict of str -> int, or "rarest", optional
        Generator name -> a class to outline; ``"rarest"`` outlines each generator's smallest class.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Bar`` trace per generator (named after it), then the ``data`` reference trace.
    """
    import plotly.graph_objects as go

    ref = np.asarray(data_share, dtype=np.float64).ravel()
    C = len(ref)
    names = [str(c) for c in range(C)] if classes is None else [str(c) for c in classes]
    if len(names) != C or not shares:
        raise ValueError(f"Give one or more generators' shares and {C} class names.")
    fig = go.Figure()
    for k, (name, sh) in enumerate(shares.items()):
        v = np.asarray(sh, dtype=np.float64).ravel()
        if v.shape != (C,):
            raise ValueError(f"{name}'s shares have shape {v.shape}, expected ({C},).")
        line = np.zeros(C)
        if isinstance(highlight, str) and highlight == "rarest":
            line[int(np.argmin(v))] = 3
        elif highlight and name in highlight:
            if not 0 <= int(highlight[name]) < C:
                raise ValueError(f"highlight for {name} must be a class in [0, {C}), got {highlight[name]}.")
            line[int(highlight[name])] = 3
        fig.add_trace(go.Bar(x=names, y=v, name=name, marker=dict(color=PALETTE[k % len(PALETTE)],
                                                                  line=dict(width=line, color="red")),
                             hovertemplate=f"{name}: class %{{x}} %{{y:.1%}} of samples<extra></extra>"))
    # the data's share: a short black bar across each group of bars
    fig.add_trace(go.Scatter(x=names, y=ref, mode="markers", name="share in the training data",
                             marker=dict(symbol="line-ew", size=60, line=dict(width=3, color="black")),
                             hovertemplate="data: class %{x} %{y:.1%}<extra></extra>"))
    fig.update_xaxes(title="class (as the digit classifier reads the samples)", type="category")
    fig.update_yaxes(title="share of samples", tickformat=".0%", rangemode="tozero")
    fig.update_layout(barmode="group", height=height, margin=dict(l=10, r=10, t=20, b=10), legend=legend_below(),
                      bargap=0.2)
    return fig


def add_source_box(fig, lo, hi, points=None, *, name: str = "chosen noise box"):
    """Draw the box of the source square that samples are drawn from (dashed black), and optionally the source
    points drawn in it.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        A picture of the source square (e.g. :func:`power_cells_figure`).
    lo, hi : array-like, shape (2,)
        Corners of the box in source coordinates.
    points : array-like, shape (M, 2), optional
        Source points sampled in the box.
    """
    import plotly.graph_objects as go

    a, b = np.asarray(lo, dtype=np.float64).ravel(), np.asarray(hi, dtype=np.float64).ravel()
    if a.shape != (2,) or b.shape != (2,) or (a > b).any():
        raise ValueError("The box needs corners lo <= hi, each of length 2.")
    xs = [a[0], b[0], b[0], a[0], a[0]]
    ys = [a[1], a[1], b[1], b[1], a[1]]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=name, line=dict(color="black", width=2.5, dash="dash"),
                             fill="toself", fillcolor="rgba(0,0,0,0.06)", hoverinfo="skip"))
    if points is not None and len(points):
        P = np.asarray(points, dtype=np.float32).reshape(-1, 2)
        fig.add_trace(go.Scattergl(x=P[:, 0], y=P[:, 1], mode="markers", name="noise drawn in it",
                                   marker=dict(size=6, symbol="x-thin", line=dict(width=1.2, color="#333333")),
                                   hoverinfo="skip"))
    return fig
