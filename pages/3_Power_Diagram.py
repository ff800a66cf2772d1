"""Power diagram: the cells of the OT map, exactly for 2-D models, as a slice for higher dimensions."""

import numpy as np
import streamlit as st

from aeot_viz.analysis.projections import axis_titles
from aeot_viz.apps.ui.cache import (
    exact_cells_for,
    model_key,
    plane_key,
    projection_for,
    replay_errors_for,
    singular_set_for,
    slice_labels_for,
)
from aeot_viz.apps.ui.state import current_model
from aeot_viz.apps.ui.teaching import notice
from aeot_viz.apps.ui.widgets import projection_choice, singular_rule, slice_colouring, slice_controls
from aeot_viz.ot.error import error_in_words, exact_l1_text
from aeot_viz.viz import adjacency_figure, power_cells_figure, slice_figure, solver_error_figure

st.set_page_config(page_title="Power diagram - AE-OT Explorer", layout="wide")
name, model = current_model()
key = model_key(name, model)
st.title("Power diagram")
notice("Power Diagram")
st.caption(f"Model: {name}. Cell i holds the source points x whose best score is <x, y_i> + h_i; "
           "the OT map sends the whole cell to code y_i.")
Y, labels = model.targets, model.labels
singular = singular_set_for(key, model)

if model.latent_dim == 2:
    snaps, iters = model.h_snapshots, model.snapshot_iters
    newton = model.ot_validation.get("exact_l1") is not None
    h, snap, k = model.h, -1, 0
    if snaps is not None and len(snaps) > 1:
        unit = "Newton step" if newton else "solver iteration"
        k = st.select_slider(f"Replay the solver: {unit}", options=list(range(len(snaps))), value=len(snaps) - 1,
                             format_func=lambda i: str(int(iters[i])), key="pd_snapshot",
                             help="Heights stored during the OT solve; the last one is the final map."
                                  + (" Each Newton step solves the linearised problem on the exact cells; the "
                                     "error falls a little at first, then squares at every step." if newton else ""))
        if k < len(snaps) - 1:
            h, snap = snaps[k].astype(np.float64), int(k)
    cells = exact_cells_for(key, snap, Y, h)
    seg = singular.segments_2d(cells) if snap == -1 else None  # singular facets of the final map
    fig = power_cells_figure(cells, Y, labels, heights=h, target_mass=1.0 / model.n_codes, singular_segments=seg,
                             label_legend=True)
    st.plotly_chart(fig, key="pd_cells", width="stretch")
    err = np.abs(cells.areas - 1.0 / model.n_codes).sum()
    c1, c2, c3 = st.columns(3)
    c1.metric("Cells", f"{model.n_codes:,}")
    c2.metric("Empty cells", int((cells.areas == 0).sum()))
    c3.metric("Exact L1 mass error", exact_l1_text(err, model.n_codes),
              help="The sum over cells of |cell area - 1/N|, from the exact polygons above: no sampling noise. "
                   "A value shown as '< ...' is at float64's reach for this many cells, where the digits are "
                   "rounding (Home prints it the same way). (Home's figure for a model solved by the stochastic "
                   "solver is a sampled estimate.)")
    if snaps is not None and len(snaps) > 1:
        errors = replay_errors_for(key, Y, snaps, model.h)
        st.plotly_chart(solver_error_figure(iters, errors, current=int(k), exact=newton), key="pd_replay_errors",
                        width="stretch")
        st.caption(("Newton on the exact cells: " if newton else "The stochastic solver, checked exactly: ")
                   + f"exact error {exact_l1_text(errors[0], model.n_codes)} at the start, "
                   f"{exact_l1_text(errors[-1], model.n_codes)} at the end, over {int(iters[-1])} "
                   + ("steps." if newton else "iterations (the x axis counts iterations; a dot is a stored snapshot)."))
    st.stop()

v = model.ot_validation
if v.get("l1") is not None:
    st.caption("OT accuracy of this diagram: " + error_in_words(v["l1"], v.get("noise_floor", 0.0), v.get("n_samples")))
st.subheader("A slice through the source cube")
colours, colour_name = slice_colouring(model)
st.write("The source cube is high-dimensional, so we cut it with a plane through a centre point and the targets "
         "of two chosen codes, and colour each pixel by "
         + ("the cell that owns it." if colours is None else f"the {colour_name} of the cell that owns it"
            + (" (the first of its three digits: 1,000 labels are more than a picture has colours)."
               if colour_name == "first digit" else ".")))
try:
    plane = slice_controls(model, "pd")
except ValueError as exc:
    st.error(f"Choose another plane: {exc}")
    st.stop()
res = st.select_slider("Resolution", [80, 120, 160, 200], 120, key="pd_res")
lab = slice_labels_for(key, plane_key(plane), res, plane, Y, model.h, model)
shown = singular_rule(singular, "pd")
red = shown.boundaries(lab)
fig = slice_figure(lab, np.linspace(-plane.extent, plane.extent, res), colours, boundary=red, label_name=colour_name)
fig.add_scatter(x=[0.0], y=[0.0], mode="markers", name="centre", marker=dict(symbol="cross", size=10, color="black"))
st.plotly_chart(fig, key="pd_slice", width="stretch")
why = {"midpoint": "empty space between their two codes, beyond the convex null",
       "jump": "jumps beyond the convex null in angle and relative jump"}.get(shown.rule,
                                                                          f"angle above {shown.threshold:.3f} rad")
st.caption(f"{len(np.unique(lab[lab >= 0]))} cells meet this slice; "
           + (f"{int(red.sum()):,} red pixels lie on singular facets ({why})." if red.any() else
              f"no facet in this slice is singular ({why}), so no pixel is red."))

st.subheader("Which cells touch: the adjacency graph over the latent codes")
st.write("Each line joins two codes whose cells share a facet; red lines are singular facets, where the OT map "
         "jumps. Lines that stay short in the picture join neighbouring codes of one mode.")
method = projection_choice("Positions from", "pd_method")
P = projection_for(key, method, model)
xlabel, ylabel = axis_titles(method, model.latent_dim)
st.plotly_chart(adjacency_figure(P, shown.pairs, shown.singular, labels, xlabel=xlabel, ylabel=ylabel), key="pd_graph",
                width="stretch")
st.caption(f"{len(shown.pairs):,} facets found on {shown.null.n_samples if shown.null else 2**18:,} source samples, "
           f"{shown.n_singular:,} singular.")
