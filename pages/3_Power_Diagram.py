"""Power diagram: the cells of the OT map, exactly for 2-D models, as a slice for higher dimensions."""

import numpy as np
import streamlit as st

from aeot_viz.power_diagram import exact_cells_2d, slice_labels
from aeot_viz.ui.cache import model_key, singular_set_for
from aeot_viz.ui.state import current_model
from aeot_viz.viz import power_cells_figure, slice_figure

st.set_page_config(page_title="Power diagram - AE-OT Explorer", layout="wide")
name, model = current_model()
st.title("Power diagram")
st.caption(f"Model: {name}. Cell i holds the source points x whose best score is <x, y_i> + h_i; "
           "the OT map sends the whole cell to code y_i.")
Y, labels = model.targets, model.labels
singular = singular_set_for(model_key(name, model), model)

if model.latent_dim == 2:
    snaps, iters = model.h_snapshots, model.snapshot_iters
    h = model.h
    if snaps is not None and len(snaps) > 1:
        k = st.slider("Replay the solver: iteration", 0, len(snaps) - 1, len(snaps) - 1, key="pd_snapshot",
                      format="%d", help="Heights stored during the OT solve; the last one is the final map.")
        st.caption(f"Heights after {int(iters[k])} solver iterations")
        if k < len(snaps) - 1:
            h = snaps[k].astype(np.float64)
    cells = exact_cells_2d(Y, h)
    seg = singular.segments_2d(cells) if h is model.h else None  # singular facets of the final map
    fig = power_cells_figure(cells, Y, labels, heights=h, target_mass=1.0 / model.n_codes, singular_segments=seg)
    st.plotly_chart(fig, key="pd_cells", width="stretch")
    err = np.abs(cells.areas - 1.0 / model.n_codes).sum()
    c1, c2, c3 = st.columns(3)
    c1.metric("Cells", f"{model.n_codes:,}")
    c2.metric("Empty cells", int((cells.areas == 0).sum()))
    c3.metric("Exact L1 mass error", f"{err:.4f}")
else:
    st.write("The source cube is high-dimensional, so we cut it with a plane through a centre point, spanned by "
             "the directions towards two chosen codes, and colour each pixel by the cell that owns it.")
    c1, c2, c3 = st.columns(3)
    a = c1.number_input("First code", 0, model.n_codes - 1, 0, key="pd_code_a")
    b = c2.number_input("Second code", 0, model.n_codes - 1, min(1, model.n_codes - 1), key="pd_code_b")
    res = c3.select_slider("Resolution", [80, 120, 160, 200], 120, key="pd_res")
    centre = np.zeros(model.latent_dim)
    try:
        lab = slice_labels(Y, model.h, centre, Y[a] - centre, Y[b] - centre, extent=0.5, resolution=res)
    except ValueError as exc:
        st.error(f"{exc}")
        st.stop()
    fig = slice_figure(lab, np.linspace(-0.5, 0.5, res), labels, boundary=singular.boundaries(lab))
    st.plotly_chart(fig, key="pd_slice", width="stretch")
    st.caption(f"{len(np.unique(lab[lab >= 0]))} cells meet this slice; red pixels lie on singular facets.")
