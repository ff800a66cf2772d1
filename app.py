"""AE-OT Explorer: home page. Pick a model and read what it holds."""

import numpy as np
import streamlit as st

from aeot_viz.bundle import BundleError
from aeot_viz.ui.state import add_uploaded, available_models, current_model, init_state

st.set_page_config(page_title="AE-OT Explorer", layout="wide")
init_state()
st.title("AE-OT Explorer")
st.write(
    "AE-OT splits generation in two: an **autoencoder** embeds the data in a latent space, and a "
    "**semi-discrete optimal transport map** carries uniform noise onto the latent codes. The map is "
    "the gradient of a convex Brenier potential whose power-diagram cells each carry one code's mass; "
    "where neighbouring cells send their mass to codes far apart, the map jumps. A neural generator is "
    "continuous and cannot jump, which is why GANs drop or mix modes; AE-OT keeps the jumps."
)

with st.expander("Upload a bundle (.npz) trained elsewhere"):
    up = st.file_uploader("AE-OT bundle", type=["npz"], key="home_upload")
    if up is not None and st.session_state.get("aeot_last_upload") != up.file_id:
        try:
            st.session_state["home_model"] = add_uploaded(up.name, up.getvalue())
            st.session_state["aeot_last_upload"] = up.file_id
            st.success(f"Loaded {up.name}; it is now the current model.")
        except BundleError as exc:
            st.error(f"Could not open this bundle: {exc}")

names = available_models()
if st.session_state.get("home_model") not in names:
    st.session_state["home_model"] = current_model()[0]
st.session_state["aeot_current"] = st.selectbox("Model", names, key="home_model")

name, model = current_model()
s = model.summary()
c1, c2, c3, c4 = st.columns(4)
c1.metric("Dataset", str(s["dataset"]))
c2.metric("Codes (N)", f"{s['N codes']:,}")
c3.metric("Latent dim", s["latent dim"])
l1 = s["OT L1 (validation)"]
c4.metric("OT L1 error", "-" if l1 is None else f"{l1:.3f}",
          help=f"Independent check on {s['OT validation samples']:,} fresh samples; noise floor "
               f"{(s['OT noise floor'] or 0):.3f}; empty cells {(s['OT empty cells'] or 0):.1%}.")
if model.images is not None:
    k = min(16, len(model.images))
    rows = model.images_index[:: max(1, len(model.images_index) // k)][:k]
    pos = np.searchsorted(model.images_index, rows)
    recon = model.decode(model.codes[rows])
    st.caption("Training images (top) and their reconstructions through the autoencoder (bottom)")
    st.image([model.images[i].transpose(1, 2, 0).squeeze() for i in pos], width=56)
    st.image([np.clip(r.transpose(1, 2, 0).squeeze(), 0, 1) for r in recon], width=56)
st.info("Pages in the sidebar: **Latent Space** (codes projected, select to see images), **Power Diagram** "
        "(the cells of the OT map), **Singular Set** (where the map jumps, with a probe) and **Generate** "
        "(decode new samples).")
with st.expander("All facts about this model"):
    st.json(s)
