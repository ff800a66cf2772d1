"""AE-OT Explorer: home page. Pick a model bundle and read what it holds."""

from pathlib import Path

import numpy as np
import streamlit as st

from aeot_viz.bundle import BundleError, load_bundle

DEFAULT_BUNDLE = Path(__file__).resolve().parent / "assets" / "default_mnist10k.npz"


@st.cache_resource(show_spinner="Loading the model bundle...")
def cached_bundle(path: str, mtime: float):
    """Load a bundle once per file version; the cached model is shared and never modified."""
    return load_bundle(path)


@st.cache_resource(show_spinner="Reading the uploaded bundle...", max_entries=8)
def cached_upload(data: bytes):
    return load_bundle(data)


st.set_page_config(page_title="AE-OT Explorer", layout="wide")
st.title("AE-OT Explorer")
st.write(
    "AE-OT splits generation in two: an **autoencoder** embeds the data in a latent space, and a "
    "**semi-discrete optimal transport map** carries uniform noise onto the latent codes. The map is "
    "the gradient of a convex Brenier potential whose power-diagram cells each carry one code's mass; "
    "where neighbouring cells send their mass to codes far apart, the map jumps. A neural generator is "
    "continuous and cannot jump, which is why GANs drop or mix modes; AE-OT keeps the jumps."
)

source = st.radio("Model", ["Shipped default (MNIST-10k)", "Upload a bundle (.npz)"], horizontal=True,
                  key="home_source")
model = None
try:
    if source.startswith("Shipped"):
        if not DEFAULT_BUNDLE.is_file():
            st.error(f"The default bundle is missing ({DEFAULT_BUNDLE.name}); rebuild it with "
                     "`bash scripts/build_default_bundle.sh`.")
        else:
            model = cached_bundle(str(DEFAULT_BUNDLE), DEFAULT_BUNDLE.stat().st_mtime)
    else:
        up = st.file_uploader("AE-OT bundle", type=["npz"], key="home_upload")
        if up is not None:
            model = cached_upload(up.getvalue())
except BundleError as exc:
    st.error(f"Could not open this bundle: {exc}")

if model is not None:
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
    with st.expander("All facts about this model"):
        st.json(s)
