"""Widget groups shared by several pages (Streamlit in, plain values or core objects out)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from ...analysis.lab import is_stacked_mnist
from ...analysis.singularity import SingularSet
from ...geometry.power_diagram import SlicePlane
from ...pipeline.model import AEOTModel
from ...viz import CLICK_GRID_NAME


def number_problem(label: str, value, lo: float, hi: float, *, integer: bool = True) -> str | None:
    """What is wrong with a number typed in the field ``label``, which allows ``lo`` to ``hi``; None when it is fine.

    Parameters
    ----------
    label : str
        The field's label, as the visitor sees it.
    value : int, float or None
        What the field holds (None when it is empty).
    lo, hi : float
        The allowed range, both ends included.
    integer : bool
        Whether only whole numbers are allowed.

    Returns
    -------
    str or None
        One sentence naming the field, the allowed range and what to do.
    """
    allowed = f"{lo:,} to {hi:,}" if integer else f"{lo:g} to {hi:g}"
    if value is None:
        return f"{label} is empty: type a number from {allowed}."
    v = float(value)
    if not np.isfinite(v):
        return f"{label} must be a number from {allowed}, not {value}."
    if integer and v != round(v):
        return f"{label} must be a whole number from {allowed}; you typed {value}."
    if v < lo or v > hi:
        shown = f"{int(v):,}" if integer else f"{v:g}"
        return f"{label} must be from {allowed}; it is {shown}. Change it, then press Train."
    return None


def checked_number(container, label: str, lo: float, hi: float, value, *, key: str, problems: list, **kwargs):
    """A number field whose every value reaches Python, checked there against ``lo``..``hi``, kept for the session.

    The field has no browser-side bounds: with them, the browser marks an out-of-range entry red and keeps it to
    itself, so the page would go on with the field's previous value. Here the value typed is returned as it is, and
    when it is out of range (:func:`number_problem`) the sentence saying so is appended to ``problems``, for the
    page to show and to refuse to act on. The value survives visits to other pages (``persist_state="session"``).
    A disabled field (a setting that does not apply) is not checked.

    Parameters
    ----------
    container : streamlit container
    label : str
    lo, hi : int or float
        The allowed range; ints make a whole-number field.
    value : int or float
        The default.
    key : str
    problems : list of str
        Collects the problem sentences.
    **kwargs
        Passed to ``number_input`` (``step``, ``format``, ``help``, ``disabled``).
    """
    integer = isinstance(lo, int) and isinstance(hi, int)
    rng = f"Allowed: {lo:,} to {hi:,}." if integer else f"Allowed: {lo:g} to {hi:g}."
    kwargs["help"] = f"{kwargs['help']}. {rng}" if kwargs.get("help") else rng
    got = container.number_input(label, min_value=None, max_value=None, value=value, key=key,
                                 persist_state="session", **kwargs)
    if not kwargs.get("disabled"):
        problem = number_problem(label, got, lo, hi, integer=integer)
        if problem:
            problems.append(problem)
    return got


def slice_controls(model: AEOTModel, prefix: str, code_a: int | None = None, code_b: int | None = None) -> SlicePlane:
    """Choose a plane through the source cube: its centre and the two codes it heads towards.

    A 2-D model's plane is the source square itself. When ``code_a`` / ``code_b`` are given the plane
    heads towards those codes and only the centre and size are asked for.
    """
    d, N = model.latent_dim, model.n_codes
    if d == 2:
        return SlicePlane.through(np.zeros(2), [1.0, 0.0], [0.0, 1.0], 0.5)
    c1, c2, c3, c4 = st.columns(4)
    if code_a is None:
        code_a = int(c1.number_input("Towards code (first direction)", 0, N - 1, 0, key=f"{prefix}_code_a"))
    if code_b is None:
        code_b = int(c2.number_input("Towards code (second direction)", 0, N - 1, min(1, N - 1),
                                     key=f"{prefix}_code_b"))
    where = c3.selectbox("Centre", ["cube centre", "a code's target"], key=f"{prefix}_centre",
                         help="The plane passes through this point and through the two codes' targets.")
    centre = np.zeros(d)
    if where == "a code's target":
        centre = model.targets[int(c3.number_input("Centre code", 0, N - 1, 0, key=f"{prefix}_centre_code"))]
    extent = c4.slider("Half-width of the picture", 0.1, 1.0, 0.5, 0.05, key=f"{prefix}_extent",
                       help="The cube [-1/2, 1/2]^d is wider than 1/2 along a diagonal; pixels outside it are blank.")
    Y = model.targets
    return SlicePlane.through(centre, Y[code_a] - centre, Y[code_b] - centre, extent)


def slice_colouring(model: AEOTModel) -> tuple[np.ndarray | None, str]:
    """The labels a slice of ``model``'s diagram is coloured by, and what to call them in its colour bar.

    A label each, as a rule. Stacked MNIST's 1,000 labels (three digits ``100 a + 10 b + c``) are more than there
    are distinguishable colours, so its slices are coloured by the first digit ``a`` (its first colour channel).
    """
    if model.labels is not None and is_stacked_mnist(model):
        return np.asarray(model.labels) // 100, "first digit"
    return model.labels, "digit" if model.dataset.get("name") == "mnist10k" else "label"


def projection_choice(label: str, key: str, container=st) -> str:
    """A horizontal radio for the 2-D projection of the codes: "pca", "umap" or "tsne"."""
    names = {"pca": "PCA", "umap": "UMAP", "tsne": "t-SNE"}
    return container.radio(label, list(names), horizontal=True, key=key, format_func=names.get)


def singular_rule(base: SingularSet, key: str, container=st) -> SingularSet:
    """The midpoint test by default; a radio swaps it for issue 13's jump rule or an angle threshold on a slider."""
    choices = ["midpoint"] if base.has_midpoint_test else []
    choices += ["jump"] if base.null is not None else []
    choices += ["threshold"]
    names = {"midpoint": "midpoint test", "jump": "jump rule (angle and relative jump)", "threshold": "my own angle"}
    rule = container.radio("Judge facets by", choices, horizontal=True, key=f"{key}_rule", format_func=names.get,
                           help="Midpoint test (default): a facet is singular when the midpoint between its two codes "
                                "lies further from every other code than in any facet of a convex support of the "
                                "same shape (the convex null). Jump rule: its jump is beyond every null facet in "
                                "angle and relative to the local spacing (kept for comparison). Own angle: a plain "
                                "threshold you choose.")
    if rule == "midpoint":
        return base if base.rule == "midpoint" else base.with_null_rule()
    if rule == "jump":
        return base if base.rule == "jump" else base.with_jump_rule()
    if len(base.angles) == 0:
        return base
    lo, hi = float(base.angles.min()), float(base.angles.max())
    start = base.null.angle_threshold if base.null is not None else base.threshold
    thr = container.slider("Angle threshold (radians)", lo, hi, float(min(max(start, lo), hi)),
                           key=f"{key}_threshold", format="%.4f",
                           help="Facets whose angle exceeds this are drawn as singular; it starts at the null's "
                                "largest angle.")
    return base.with_threshold(thr)


def clicked_point(event, fig) -> tuple[float, float] | None:
    """Where a click on a figure asks the probe to go: the point a Plotly selection event picked (its last one), in
    the figure's coordinates, or None.

    A point of the faint click grid (:data:`~aeot_viz.viz.CLICK_GRID_NAME`) gives its own position; a target marker
    (trace ``targets`` of :func:`~aeot_viz.viz.power_cells_figure`) gives that target; a cell's hover marker (trace
    ``cell info``, at the cell's centroid, whose ``customdata`` is the cell id) gives the target of that cell, the
    marker a click near a target often lands on. Points of any other trace (the probe itself, its crossings) are
    ignored.

    Parameters
    ----------
    event : dict or None
        What ``st.plotly_chart(..., on_select="rerun")`` returned: ``{"selection": {"points": [...]}}``, each point
        with ``curve_number`` and ``point_index`` (and ``x``, ``y``).
    fig : plotly.graph_objects.Figure
        The figure the event came from.

    Returns
    -------
    tuple of float or None
    """
    names = [t.name for t in fig.data]
    targets = names.index("targets") if "targets" in names else None

    def target_xy(i: int):
        tr = fig.data[targets]
        if not 0 <= i < len(tr.x):
            return None
        return float(tr.x[i]), float(tr.y[i])

    points = ((event or {}).get("selection") or {}).get("points") or []
    for p in reversed(points):
        curve, index = p.get("curve_number"), p.get("point_index", p.get("point_number"))
        if not isinstance(curve, int) or not 0 <= curve < len(names):
            continue
        if names[curve] == CLICK_GRID_NAME and "x" in p and "y" in p:
            return float(p["x"]), float(p["y"])
        if index is None or targets is None:
            continue
        if names[curve] == "targets":
            hit = target_xy(int(index))
        elif names[curve] == "cell info" and fig.data[curve].customdata is not None \
                and 0 <= int(index) < len(fig.data[curve].customdata):
            hit = target_xy(int(fig.data[curve].customdata[int(index)]))
        else:
            continue
        if hit is not None:
            return hit
    return None
