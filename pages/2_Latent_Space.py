"""Latent space: the codes projected to 2-D; select some to see their images and generate more."""

import numpy as np
import streamlit as st

from aeot_viz.analysis.generation import generate
from aeot_viz.analysis.projections import axis_titles, place_combinations
from aeot_viz.apps.ui.background import views_job_for
from aeot_viz.apps.ui.cache import cell_masses_for, model_key, projection_for, singular_set_for
from aeot_viz.apps.ui.state import current_model
from aeot_viz.apps.ui.teaching import NOTICE, notice
from aeot_viz.apps.ui.widgets import projection_choice
from aeot_viz.io.images import image_grid
from aeot_viz.pipeline.jobs import describe_progress
from aeot_viz.pipeline.views import stored_projection
from aeot_viz.viz import latent_scatter

st.set_page_config(page_title="Latent space - AE-OT Explorer", layout="wide")
name, model = current_model()
key = model_key(name, model)
st.title("Latent space")
notice_box = st.container()  # filled once the projection shown is known (a pending UMAP shows PCA meanwhile)
st.caption(f"Model: {name}. Drag a box or lasso over the codes to see what they decode to.")

c1, c2 = st.columns(2)
if model.latent_dim > 2:
    method = projection_choice("Projection", "lat_method", c1)
else:
    method = "pca"
    c1.write("The latent space is 2-D: shown as it is.")
colour = c2.radio("Colour by", ["label", "cell mass error", "next to a singular facet"], horizontal=True,
                  key="lat_colour")
pending = views_job_for(key) if stored_projection(model, method) is None and method != "pca" else None
if pending is not None:  # being computed in the background: show PCA meanwhile, never block the page
    wanted = method

    @st.fragment(run_every=2.0)
    def wait_for_projection():
        if stored_projection(model, wanted) is not None or pending["job"].done:
            st.rerun()
        fraction, text = describe_progress(list(pending["job"].events), kind=pending["kind"])
        st.progress(min(fraction, 1.0), text=f"{wanted.upper()} of this model is being computed in the background "
                                             f"({text}); PCA is shown until it is ready.")

    wait_for_projection()
    method = "pca"
with notice_box:
    notice("Latent Space", NOTICE["Latent Space"]["as_is" if model.latent_dim <= 2 else method])
P = projection_for(key, method, model)
values = value_name = None
if colour == "cell mass error":
    mu = cell_masses_for(key, model)
    values, value_name = (mu - 1.0 / model.n_codes) * model.n_codes, "relative mass error"
elif colour == "next to a singular facet":
    ss = singular_set_for(key, model)
    flag = np.zeros(model.n_codes)
    flag[np.unique(ss.singular_pairs.ravel())] = 1.0
    values, value_name = flag, "singular neighbour"

overlay = st.session_state.get("lat_generated")
overlay_pts = place_combinations(P, *overlay[1]) if overlay is not None and overlay[0] == key else None
fig = latent_scatter(P, model.labels, values=values, value_name=value_name or "value", single_trace=True,
                     overlay=overlay_pts, overlay_name="generated (placed among the codes they blend)",
                     **dict(zip(("xlabel", "ylabel"), axis_titles(method, model.latent_dim))))
event = st.plotly_chart(fig, key="lat_chart", on_select="rerun", selection_mode=("box", "lasso"), width="stretch")
picked = ((event or {}).get("selection") or {}).get("point_indices") or []  # a dict-like selection event
selected = np.asarray(sorted(set(picked)), dtype=np.int64)
selected = selected[selected < model.n_codes]
st.session_state["aeot_selected_cells"] = (key, selected)  # the Generate page can sample from these cells

if len(selected):
    st.subheader(f"{len(selected)} codes selected")
    if len(selected) > 48:
        st.caption("Showing 48 of them, spread over the selection.")
    show = selected[np.unique(np.linspace(0, len(selected) - 1, min(48, len(selected))).astype(int))]
    if model.dataset["kind"] == "images":
        left, right = st.columns(2)
        left.image(image_grid(model.decode(model.codes[show]), ncols=12), caption="decoded codes")
        if model.images is not None:
            where = np.full(model.n_codes, -1)
            where[model.images_index] = np.arange(len(model.images_index))
            pos = where[show][where[show] >= 0]
            if len(pos):
                right.image(image_grid(model.images[pos] / 255.0, ncols=12), caption="their original images")
    if st.button("Generate 32 more from the selected cells", key="lat_generate",
                 help="More choices (count, rule, downloads) on the Generate page, region 'cells selected here'."):
        try:
            g = generate(model, 32, cells=selected, singular=singular_set_for(key, model), random_state=0)
            st.session_state["lat_generated"] = (key, (g.neighbours, g.weights), g.cells)
            st.rerun()
        except ValueError as exc:
            st.error(f"Could not generate: {exc}")
else:
    st.info("Select codes on the plot (box or lasso) to see their images here.")
