"""Singular set: where the OT map jumps, how the threshold splits the codes, and a discontinuity probe."""

import numpy as np
import pandas as pd
import streamlit as st

from aeot_viz.generation import plain_map
from aeot_viz.imaging import image_grid
from aeot_viz.power_diagram import exact_cells_2d, slice_labels
from aeot_viz.ui.cache import model_key, singular_set_for
from aeot_viz.ui.state import current_model
from aeot_viz.viz import power_cells_figure, slice_figure

st.set_page_config(page_title="Singular set - AE-OT Explorer", layout="wide")
name, model = current_model()
key = model_key(name, model)
st.title("Singular set")
st.caption(f"Model: {name}. A facet between two cells is singular when the supporting planes of the Brenier "
           "potential over them meet at a large angle: the codes on either side are far apart and the OT map jumps.")
base = singular_set_for(key, model)
Y, h = model.targets, model.h
lo, hi = float(base.angles.min()), float(base.angles.max())
start = base.threshold
if not base.singular.any():  # no clearly separated modes: start where the 1% largest angles are singular
    start = float(np.quantile(base.angles, 0.99))
    st.caption("No facet is 10x steeper than the median one here (the modes are not cleanly separated in this "
               "latent space); the slider starts at the 99th percentile of the facet angles instead.")
thr = st.slider("Angle threshold (radians)", lo, hi, float(min(max(start, lo), hi)), key="sg_threshold",
                format="%.4f", help="Default: 10 x the median facet angle")
ss = base.with_threshold(thr)
n_comp, comp = ss.components()
c1, c2, c3 = st.columns(3)
c1.metric("Facets", f"{len(ss.pairs):,}")
c2.metric("Singular facets", f"{int(ss.singular.sum()):,}")
c3.metric("Components of the regular graph", n_comp)

a = st.number_input("Probe from code", 0, model.n_codes - 1, 0, key="sg_a")
b = st.number_input("Probe to code", 0, model.n_codes - 1, model.n_codes - 1, key="sg_b")
t = np.linspace(0.0, 1.0, 16)
path = (1 - t)[:, None] * Y[a] + t[:, None] * Y[b]  # a segment in the source cube
_, cells_on_path = plain_map(path, Y, h)
jumps = np.flatnonzero(cells_on_path[1:] != cells_on_path[:-1])
# a jump crosses the singular set when the two codes lie in different components of the regular facet graph
singular_jumps = jumps[comp[cells_on_path[jumps]] != comp[cells_on_path[jumps + 1]]]

if model.latent_dim == 2:
    cells = exact_cells_2d(Y, h)
    fig = power_cells_figure(cells, Y, model.labels, heights=h, singular_segments=ss.segments_2d(cells))
else:
    res = 120
    lab = slice_labels(Y, h, np.zeros(model.latent_dim), Y[a], Y[b] if b != a else Y[(a + 1) % model.n_codes],
                       resolution=res)
    fig = slice_figure(lab, np.linspace(-0.5, 0.5, res), model.labels, boundary=ss.boundaries(lab))
if model.latent_dim == 2:
    fig.add_scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers", name="probe", line=dict(color="black"))
    if len(singular_jumps):
        mid = 0.5 * (path[singular_jumps] + path[singular_jumps + 1])
        fig.add_scatter(x=mid[:, 0], y=mid[:, 1], mode="markers", name="jumps across singular facets",
                        marker=dict(size=12, symbol="x", color="red"))
st.plotly_chart(fig, key="sg_figure", width="stretch")

st.subheader("Discontinuity probe")
st.write(f"16 points on the segment from code {a}'s target to code {b}'s, each mapped by the OT map: the code changes "
         f"{len(jumps)} times, {len(singular_jumps)} of them across the singular set, between components (at t = "
         f"{', '.join(f'{0.5 * (t[j] + t[j + 1]):.2f}' for j in singular_jumps) or '-'}).")
if model.dataset["kind"] == "images":
    st.image(image_grid(model.decode(model.codes[cells_on_path]), ncols=16), caption="t = 0 ... 1")

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
