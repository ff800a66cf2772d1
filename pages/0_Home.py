"""Home: pick a model and read what it holds; the idea of AE-OT in one picture."""

import numpy as np
import streamlit as st

from aeot_viz.apps.ui.background import submit_views
from aeot_viz.apps.ui.cache import explainer_for, model_key, singular_set_for
from aeot_viz.apps.ui.library import library_panel
from aeot_viz.apps.ui.state import (
    DEFAULT_NAME,
    SHIPPED,
    TOY_NAME,
    add_uploaded,
    available_models,
    current_model,
    init_state,
    shipped_model,
)
from aeot_viz.apps.ui.teaching import notice
from aeot_viz.ot.error import exact_l1_text
from aeot_viz.pipeline.bundle import BundleError

st.set_page_config(page_title="AE-OT Explorer", layout="wide")
init_state()
st.title("AE-OT Explorer")
notice("Home")
st.write("Look inside an AE-OT generative model: an autoencoder's latent codes, the optimal transport map that "
         "carries noise onto them, and the places where that map has to jump.")

names = available_models()
current = current_model()[0]
if st.session_state.get("home_model") not in names or st.session_state.get("home_seen_current") != current:
    st.session_state["home_model"] = current  # the current model changed elsewhere (e.g. training ended)
pick, upload = st.columns([2, 1])
st.session_state["aeot_current"] = pick.selectbox("Model", names, key="home_model")
st.session_state["home_seen_current"] = st.session_state["aeot_current"]
with upload.expander("Upload a bundle (.npz) trained elsewhere"):
    up = st.file_uploader("AE-OT bundle", type=["npz"], key="home_upload")
if up is not None and st.session_state.get("aeot_last_upload") != up.file_id:
    st.session_state["aeot_last_upload"] = up.file_id
    try:
        st.session_state["aeot_current"] = add_uploaded(up.name, up.getvalue())
        _, uploaded_model = current_model()
        submit_views(st.session_state["aeot_current"], model_key(st.session_state["aeot_current"], uploaded_model),
                     uploaded_model)  # a bundle without views gets them in the background
        st.session_state["aeot_upload_error"] = None
        del st.session_state["home_model"]  # the picker follows the new current model on the rerun
        st.rerun()
    except BundleError as exc:
        st.session_state["aeot_upload_error"] = f"Could not open {up.name}: {exc} The current model is unchanged."
if st.session_state.get("aeot_upload_error"):
    st.error(st.session_state["aeot_upload_error"])
if st.session_state.get("aeot_link_error"):
    st.warning(st.session_state.pop("aeot_link_error"))

name, model = current_model()
s = model.summary()
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("Dataset", str(s["dataset"]))
c2.metric("Codes (N)", f"{s['N codes']:,}")
c3.metric("Latent dim", s["latent dim"])
l1 = s["OT L1 (validation)"]
if s["OT exact L1"] is not None:  # a 2-D model solved exactly: its error needs no sampling
    c4.metric("OT error (exact L1)", exact_l1_text(s["OT exact L1"], s["N codes"]),
              help="Sum over cells of |cell area - 1/N| from the exact power cells (exact Newton solve, 2-D); "
                   "a value shown as '< ...' is at float64's reach for this many cells, where the digits are "
                   "rounding. A "
                   f"sampled check of {s['OT validation samples'] or 0:,} points reads L1 {l1 or 0:.3f}, which is its "
                   f"own noise floor {(s['OT noise floor'] or 0):.3f}.")
else:
    c4.metric("OT error (est. L1)", "-" if l1 is None else f"{s['OT L1 noise-corrected']:.3f}",
              help=f"Measured L1 {l1 or 0:.3f} on {s['OT validation samples'] or 0:,} fresh samples, whose noise "
                   f"floor (what an exact map would read) is {(s['OT noise floor'] or 0):.3f}; the estimate removes "
                   f"that noise. Empty cells {(s['OT empty cells'] or 0):.1%}. The Power Diagram page shows the "
                   "exact error of 2-D models.")
base = singular_set_for(model_key(name, model), model)
c5.metric("Singular facets", f"{base.n_singular:,}",
          help=f"Of {len(base.pairs):,} facets found, those with more empty space between their two codes than "
               "any facet of a convex support of the same shape (the convex null): the midpoint between the two codes "
               "lies further from every other code, in units of the local spacing. Explore them on the Singular Set "
               "page." if base.rule == "midpoint" else
               f"Of {len(base.pairs):,} facets found, those whose jump is beyond every facet of a convex support of "
               "the same shape (the convex null), both in angle and relative to the local spacing of codes (the jump "
               "rule: this model's null predates the midpoint test and is being rebuilt). Explore them on the "
               "Singular Set page.")
if s["OT error in words"]:
    which = ("Exact: summed from the polygons of the cells, the same number as the Power Diagram page's exact L1 "
             "mass error." if s["OT exact L1"] is not None else
             "Sampled: cell masses counted on fresh noise samples, so it has a noise floor; the Power Diagram page's "
             "exact L1 mass error exists only for 2-D models, whose cells are exact polygons.")
    st.caption("OT accuracy: " + s["OT error in words"] + " " + which)
(st.success if base.non_convex else st.info)(base.verdict())
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

library_panel(sum(p.is_file() for p in SHIPPED.values()), DEFAULT_NAME)

st.subheader("How AE-OT works, and why GANs collapse")
st.write(
    "AE-OT splits generation in two: an **autoencoder** embeds the data in a latent space, and a "
    "**semi-discrete optimal transport map** carries uniform noise onto the latent codes. The map is "
    "the gradient of a convex Brenier potential whose power-diagram cells each carry one code's mass; "
    "where neighbouring cells send their mass to codes far apart, the map jumps. A neural generator is "
    "continuous and cannot jump, which is why GANs drop or mix modes; AE-OT keeps the jumps."
)
if SHIPPED[TOY_NAME].is_file():
    toy = shipped_model(TOY_NAME)
    st.plotly_chart(explainer_for(model_key(TOY_NAME, toy), toy), key="home_explainer", width="stretch")
    st.caption("The shipped toy: 25 Gaussian modes in 2-D, side by side. Left: uniform noise in a square, cut into "
               "cells; every point of a cell is sent to that cell's code. The codes are rescaled into the square "
               "(black dots) to compute the cells. Red lines are singular facets: on either side the map sends noise "
               "to different modes, so it must jump there. Middle: the codes in data units. Right: 300 new samples, "
               "coloured by the cell their noise fell in; each blends neighbouring codes of one mode and none lands "
               "between modes. A continuous generator has to connect the modes: it puts samples in the gaps (mode "
               "mixture) or drops modes (mode collapse).")
st.info("Pages in the sidebar: **Lesson** (a guided class in ten steps, with a presentation mode for a "
        "projector), **Train** (your own model), **Latent Space** (codes projected, select to see images), **Power "
        "Diagram** (the cells of the OT map), **Singular Set** (where the map jumps, with a probe), **Generate** "
        "(decode new samples), **Mode Collapse** (AE-OT against a GAN, a PacGAN, a WGAN-GP and a VAE) and "
        "**Playground** (draw 2-D data and watch AE-OT and a GAN learn it). The glossary is in the sidebar of every "
        "page.")
st.markdown(
    "**References**\n\n"
    "1. Dongsheng An, Yang Guo, Na Lei, Zhongxuan Luo, Shing-Tung Yau, Xianfeng Gu. *AE-OT: a new generative model "
    "based on extended semi-discrete optimal transport.* ICLR 2020.\n"
    "2. Na Lei, Yang Guo, Dongsheng An, Xin Qi, Zhongxuan Luo, Shing-Tung Yau, Xianfeng Gu. *Mode Collapse and "
    "Regularity of Optimal Transportation Maps.* [arXiv:1902.02934](https://arxiv.org/abs/1902.02934), 2019."
)
