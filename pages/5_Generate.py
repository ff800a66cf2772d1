"""Generate: new samples from a region of the source, decoded; download the images and codes."""

import io

import numpy as np
import streamlit as st

from aeot_viz.generation import generate
from aeot_viz.imaging import image_grid
from aeot_viz.ui.cache import model_key, singular_set_for
from aeot_viz.ui.state import current_model
from aeot_viz.viz import latent_scatter

st.set_page_config(page_title="Generate - AE-OT Explorer", layout="wide")
name, model = current_model()
st.title("Generate")
st.caption(f"Model: {name}. New latent codes come from uniform source points mapped by the OT map; the "
           "extended map blends neighbouring codes of one mode and never across a singular facet.")

c1, c2, c3 = st.columns(3)
n = c1.slider("How many", 8, 256, 64, step=8, key="gen_n")
rule = c2.radio("Rule", ["extended", "plain"], horizontal=True, key="gen_rule",
                help="plain: the OT map itself (returns training codes); extended: AE-OT's extension")
label_options = ["all"] + ([] if model.labels is None else [str(v) for v in np.unique(model.labels)])
region = c3.selectbox("Region: cells of codes with label", label_options, key="gen_label")
seed = st.number_input("Seed", 0, 10_000, 0, key="gen_seed")

if st.button("Generate", type="primary", key="gen_go"):
    try:
        singular = singular_set_for(model_key(name, model), model) if rule == "extended" else None
        g = generate(model, int(n), rule=rule, label=None if region == "all" else int(region),
                     singular=singular, random_state=int(seed))
        st.session_state["gen_result"] = (model_key(name, model), g)
    except ValueError as exc:
        st.error(f"Could not generate: {exc}")

result = st.session_state.get("gen_result")
if result is not None and result[0] == model_key(name, model):
    g = result[1]
    decoded = model.decode(g.codes)
    codes_buf = io.BytesIO()
    g.save_npz(codes_buf)
    if model.dataset["kind"] == "images":
        grid = image_grid(decoded, ncols=16)
        st.image(grid, caption=f"{len(decoded)} generated samples ({g.rule} map)")
        png = io.BytesIO()
        grid.save(png, format="PNG")
        st.download_button("Download the image grid (PNG)", png.getvalue(), "aeot_generated.png", "image/png")
    else:
        fig = latent_scatter(model.codes[:, :2], model.labels, overlay=decoded[:, :2], title="generated points")
        st.plotly_chart(fig, key="gen_scatter", width="stretch")
    st.download_button("Download the codes (npz)", codes_buf.getvalue(), "aeot_generated_codes.npz",
                       "application/octet-stream")
    st.caption(f"{len(np.unique(g.cells))} distinct cells sampled.")
