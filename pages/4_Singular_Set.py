"""Singular set: where the OT map jumps, how the threshold splits the codes, and a discontinuity probe."""

import numpy as np
import pandas as pd
import streamlit as st

from aeot_viz.imaging import image_grid
from aeot_viz.probe import probe
from aeot_viz.ui.cache import exact_cells_for, model_key, plane_key, singular_set_for, slice_labels_for
from aeot_viz.ui.state import current_model
from aeot_viz.ui.widgets import clicked_point, display_threshold, slice_controls
from aeot_viz.viz import add_click_grid, add_probe, power_cells_figure, slice_figure

st.set_page_config(page_title="Singular set - AE-OT Explorer", layout="wide")
name, model = current_model()
key = model_key(name, model)
st.title("Singular set")
st.caption(f"Model: {name}. A facet between two cells is singular when the supporting planes of the Brenier "
           "potential over them meet at a large angle: the codes on either side are far apart and the OT map jumps.")
base = singular_set_for(key, model)
Y, h, N = model.targets, model.h, model.n_codes
lo, hi = float(base.angles.min()), float(base.angles.max())
start, why = display_threshold(base)
if why:
    st.caption(why)
thr = st.slider("Angle threshold (radians)", lo, hi, float(min(max(start, lo), hi)), key="sg_threshold",
                format="%.4f", help="Default: 10 x the median facet angle")
ss = base.with_threshold(thr)
n_comp, _ = ss.components()
c1, c2, c3 = st.columns(3)
c1.metric("Facets", f"{len(ss.pairs):,}")
c2.metric("Singular facets", f"{int(ss.singular.sum()):,}")
c3.metric("Components of the regular graph", n_comp)

st.subheader("Discontinuity probe")
st.write("A segment in the source cube, mapped point by point by the OT map. Pick the codes it runs between, "
         "or click on the picture to move its start or end.")
p1, p2, p3 = st.columns(3)
a = int(p1.number_input("Probe from code", 0, N - 1, 0, key="sg_a"))
far = int(np.argmax(np.linalg.norm(Y - Y[0], axis=1)))  # by default the probe runs across the whole diagram
b = int(p2.number_input("Probe to code", 0, N - 1, far, key="sg_b"))
moves = p3.radio("A click on the picture moves the probe's", ["start", "end"], horizontal=True, key="sg_moves")
try:
    plane = slice_controls(model, "sg", code_a=a, code_b=b)
except ValueError as exc:
    st.error(f"{exc} (the probe's two codes must differ, and not lie on one line with the centre).")
    st.stop()

# the probe's ends in slice coordinates, reset to the two codes' targets whenever the plane changes
plane_id = (key, a, b, plane_key(plane))
if st.session_state.get("sg_plane_id") != plane_id:
    st.session_state["sg_plane_id"] = plane_id
    st.session_state["sg_ends"] = plane.coordinates(Y[[a, b]]).tolist()
    st.session_state["sg_last_click"] = None
ends = np.asarray(st.session_state["sg_ends"], dtype=np.float64)

if model.latent_dim == 2:
    cells = exact_cells_for(key, -1, Y, h)
    fig = power_cells_figure(cells, Y, model.labels, heights=h, singular_segments=ss.segments_2d(cells))
else:
    res = 120
    lab = slice_labels_for(key, plane_key(plane), res, plane, Y, h)
    fig = slice_figure(lab, np.linspace(-plane.extent, plane.extent, res), model.labels, boundary=ss.boundaries(lab))
add_click_grid(fig, -plane.extent, plane.extent, n=21)
try:
    pr = probe(plane.to_source(*ends[0])[0], plane.to_source(*ends[1])[0], Y, h, threshold=thr)
except ValueError as exc:
    st.error(f"Probe: {exc}")
    st.stop()
add_probe(fig, ends[0], ends[1], plane.coordinates(pr.points(pr.t)), pr.singular)
event = st.plotly_chart(fig, key="sg_figure", on_select="rerun", selection_mode="points", width="stretch")
click = clicked_point(event, fig)
if click is not None and click != st.session_state.get("sg_last_click"):
    st.session_state["sg_last_click"] = click
    if (np.abs(plane.to_source(*click)) > 0.5).any():
        st.warning("That point lies outside the source cube; click inside the coloured area.")
    else:
        st.session_state["sg_ends"][0 if moves == "start" else 1] = list(click)
        st.rerun()

n_sing = int(pr.singular.sum())
st.write(f"Along the segment the OT map changes code {len(pr.t)} times; **{n_sing}** of these jumps cross the "
         f"singular set (at t = {', '.join(f'{t:.2f}' for t in pr.t[pr.singular]) or '-'}).")
if model.dataset["kind"] == "images":
    t = np.linspace(0.0, 1.0, 16)
    st.image(image_grid(model.decode(model.codes[pr.path.cell_at(t)]), ncols=16),
             caption="the decoded OT map at 16 points, t = 0 ... 1: the picture changes abruptly at singular jumps")
if len(pr.t):
    rows = pd.DataFrame({"t": pr.t, "from cell": pr.pairs[:, 0], "to cell": pr.pairs[:, 1],
                         "jump |y_i - y_j|": pr.jump, "angle": pr.angles, "singular": pr.singular})
    if model.labels is not None:
        rows["labels"] = [f"{model.labels[i]} -> {model.labels[j]}" for i, j in pr.pairs]
    with st.expander(f"All {len(pr.t)} crossings along the probe"):
        st.dataframe(rows, key="sg_crossings", hide_index=True)

st.subheader("Most singular pairs")
top = ss.singular_pairs[:10] if ss.singular.any() else base.pairs[np.argsort(-base.angles)[:10]]
order = {tuple(p): k for k, p in enumerate(ss.pairs.tolist())}
rows = [{"cell i": int(i), "cell j": int(j), "angle": float(ss.angles[order[(i, j)]]),
         "distance / local spacing": float(ss.distance_ratio[order[(i, j)]]),
         "label i": None if model.labels is None else int(model.labels[i]),
         "label j": None if model.labels is None else int(model.labels[j])} for i, j in top.tolist()]
st.dataframe(pd.DataFrame(rows), key="sg_table", hide_index=True)
if model.dataset["kind"] == "images" and len(top):
    pairs_imgs = model.decode(model.codes[top.ravel()])
    st.image(image_grid(pairs_imgs, ncols=2), caption="each row: the two codes of a pair", width=120)
