"""Generate: new samples from a region of the source, decoded; where they fall; download images and codes."""

import io

import numpy as np
import streamlit as st

from aeot_viz.analysis.generation import generate
from aeot_viz.analysis.projections import axis_titles, place_combinations
from aeot_viz.apps.ui.cache import exact_cells_for, model_key, projection_for, singular_set_for
from aeot_viz.apps.ui.state import current_model
from aeot_viz.apps.ui.teaching import notice
from aeot_viz.apps.ui.widgets import projection_choice
from aeot_viz.io.images import image_grid
from aeot_viz.viz import add_source_box, latent_scatter, power_cells_figure

st.set_page_config(page_title="Generate - AE-OT Explorer", layout="wide")
name, model = current_model()
key = model_key(name, model)
st.title("Generate")
notice("Generate")
st.caption(f"Model: {name}. New latent codes come from uniform source points mapped by the OT map; the "
           "extended map blends neighbouring codes of one mode and never across a singular facet.")

c1, c2, c3 = st.columns(3)
n = c1.slider("How many", 8, 256, 64, step=8, key="gen_n")
rule = c2.radio("Rule", ["extended", "plain"], horizontal=True, key="gen_rule",
                help="plain: the OT map itself (returns training codes); extended: AE-OT's extension")
seed = c3.number_input("Seed", 0, 10_000, 0, key="gen_seed")

regions = ["the whole source cube", "cells of codes with a label", "cells selected on the Latent Space page",
           "a box in the source cube"]
if model.labels is None:
    regions.remove("cells of codes with a label")
region = st.radio("Sample from", regions, horizontal=True, key="gen_region")
label = cells = box = None
within = False
if region == "cells of codes with a label":
    l1, l2 = st.columns([1, 2])
    label = int(l1.selectbox("Label", [str(v) for v in np.unique(model.labels)], key="gen_label"))
    within = l2.checkbox("Blend only within this label", True, key="gen_within", disabled=rule == "plain",
                         help="The extended map blends a cell's code with its neighbours across regular facets. A "
                              "label is not a mode: in the latent space a 7 can border a 9 or a 1 with no gap, so "
                              "the facet between them is regular and a blend looks like neither. Ticked, only codes "
                              "of this label are blended.")
    l2.caption("A **mode** is one separate cluster of the data. A label can hold several modes (two ways to write a "
               "7) and touch another label's codes without a gap; where it does, the map is continuous and blends "
               "the two" + (", unless blending stays within the label." if rule == "extended" else "."))
elif region == "cells selected on the Latent Space page":
    picked = st.session_state.get("aeot_selected_cells")
    if picked is None or picked[0] != key or len(picked[1]) == 0:
        st.info("Nothing is selected for this model yet: drag a box or lasso on the Latent Space page first.")
        st.stop()
    cells = picked[1]
    st.caption(f"{len(cells)} cells selected on the Latent Space page.")
elif region == "a box in the source cube":
    d = model.latent_dim
    if d == 2:
        b1, b2 = st.columns(2)
        xr = b1.slider("x range (noise square)", -0.5, 0.5, (-0.5, 0.0), 0.01, key="gen_box_x")
        yr = b2.slider("y range (noise square)", -0.5, 0.5, (-0.5, 0.0), 0.01, key="gen_box_y")
        box = ([xr[0], yr[0]], [xr[1], yr[1]])
    else:
        b1, b2 = st.columns(2)
        around = int(b1.number_input("Centred on the target of code", 0, model.n_codes - 1, 0, key="gen_box_code"))
        half = b2.slider("Half-width of the box (each axis)", 0.02, 0.5, 0.1, 0.01, key="gen_box_half")
        centre = model.targets[around]
        box = (centre - half, centre + half)
        st.caption(f"A {d}-D cube of side {2 * half:.2f} around code {around}'s target (cut to the source cube).")

if st.button("Generate", type="primary", key="gen_go"):
    try:
        singular = singular_set_for(key, model) if rule == "extended" else None
        g = generate(model, int(n), rule=rule, label=label, cells=cells, box=box, singular=singular,
                     within_label=within and rule == "extended", random_state=int(seed))
        st.session_state["gen_result"] = (key, g, box)
    except ValueError as exc:
        st.error(f"Could not generate: {exc}")

result = st.session_state.get("gen_result")
if result is None or result[0] != key:
    st.stop()
g, used_box = result[1], result[2]
decoded = model.decode(g.codes)
codes_buf = io.BytesIO()
g.save_npz(codes_buf)
left, right = st.columns(2)
if model.dataset["kind"] == "images":
    grid = image_grid(decoded, ncols=16)
    left.image(grid, caption=f"{len(decoded)} generated samples ({g.rule} map)")
    png = io.BytesIO()
    grid.save(png, format="PNG")
    left.download_button("Download the image grid (PNG)", png.getvalue(), "aeot_generated.png", "image/png")
    method = projection_choice("Where the new codes fall, over the codes projected by", "gen_method", right)
    P = projection_for(key, method, model)
    placed = place_combinations(P, g.neighbours, g.weights)
    xlabel, ylabel = axis_titles(method, model.latent_dim)
    right.plotly_chart(latent_scatter(P, model.labels, selected=np.unique(g.neighbours[g.weights > 0]),
                                      overlay=placed, single_trace=False, xlabel=xlabel, ylabel=ylabel),
                       key="gen_scatter", width="stretch")
    right.caption("Black crosses: the new codes, each placed among the training codes it blends (exact for PCA). "
                  "Coloured: those training codes; grey: the rest.")
else:
    fig = latent_scatter(model.codes[:, :2], model.labels, overlay=decoded[:, :2], title="generated points",
                         xlabel="x1 (data units)", ylabel="x2 (data units)")
    left.plotly_chart(fig, key="gen_scatter", width="stretch")
    if model.latent_dim == 2:  # where the noise came from: the source square, its cells, the chosen box
        source = power_cells_figure(exact_cells_for(key, -1, model.targets, model.h), model.targets, model.labels,
                                    title="where the noise was drawn")
        if used_box is not None:
            add_source_box(source, used_box[0], used_box[1], g.source_points)
        else:
            add_source_box(source, [-0.5, -0.5], [0.5, 0.5], g.source_points, name="the whole noise square")
        right.plotly_chart(source, key="gen_source", width="stretch")
        where = "; dashed: the box they were drawn from" if used_box is not None else ", from the region chosen above"
        right.caption("The noise square cut into cells (colour: the code's label); thin crosses: the noise points "
                      f"drawn{where}; black dots: the codes rescaled into the square.")
left.download_button("Download the codes (npz)", codes_buf.getvalue(), "aeot_generated_codes.npz",
                     "application/octet-stream")
st.caption(f"{len(np.unique(g.cells))} distinct cells sampled.")
if g.near_singular is not None:
    st.write(f"**{int(g.near_singular.sum())}** of {len(g.codes)} samples lay next to a singular facet (within the "
             "extension's bandwidth): there the extended map refused to blend across the jump, so none of them "
             "landed in a gap between modes.")
