"""Singular set: is the latent support non-convex, where does the OT map jump, and a discontinuity probe."""

from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from aeot_viz.analysis.discontinuity_probe import probe, probe_notice, probe_summary
from aeot_viz.analysis.lab import is_stacked_mnist
from aeot_viz.apps.ui.cache import (
    exact_cells_for,
    model_baselines,
    model_key,
    plane_key,
    probe_outputs_for,
    singular_set_for,
    slice_labels_for,
)
from aeot_viz.apps.ui.state import current_model
from aeot_viz.apps.ui.teaching import notice
from aeot_viz.apps.ui.widgets import clicked_point, singular_rule, slice_colouring, slice_controls
from aeot_viz.io.images import image_grid, png_data_url
from aeot_viz.viz import (
    add_click_grid,
    add_probe,
    null_histogram_figure,
    power_cells_figure,
    probe_output_figure,
    slice_figure,
)

DIGIT_DATASETS = ("mnist10k", "stacked_mnist")  # images the shipped digit classifier was trained to read

st.set_page_config(page_title="Singular set - AE-OT Explorer", layout="wide")
name, model = current_model()
key = model_key(name, model)
st.title("Singular set")
notice_slot = st.container()  # "what to notice" is written from this page's probe, once it is known
st.caption(f"Model: {name}. Every facet between two cells is a jump of the OT map from one code to another. A convex "
           "support holds the whole segment between two of its points, so a facet whose two codes have empty space "
           "between them is evidence of a gap: its midpoint lies further from every other code (in units of the "
           "local spacing) than in any facet of a convex, gap-free support of the same shape and number of codes, "
           "solved the same way (the convex null). Such a facet is singular. Real data with gaps between modes must "
           "have some; a convex support has none.")
base = singular_set_for(key, model)
Y, h, N = model.targets, model.h, model.n_codes
if base.null is not None and not base.null.has_emptiness:
    st.info("This model's convex null was built before the midpoint test, so this page judges facets by the older "
            "jump rule for now. A background job is rebuilding the null (an OT solve as long as the model's own); "
            "the page switches to the midpoint test when it is done.")

st.subheader("Is the latent support non-convex?")
(st.success if base.non_convex else st.info)(base.verdict())
ss = singular_rule(base, "sg")
n_comp, _ = ss.components()
c1, c2, c3, c4 = st.columns(4)
c1.metric("Facets", f"{len(ss.pairs):,}")
c2.metric("Singular facets", f"{ss.n_singular:,}", help="Under the rule chosen above.")
shown_p = ss.p_value if ss.rule != "threshold" else base.p_value
c3.metric("Chance if convex", "-" if shown_p is None else f"{shown_p:.1e}" if shown_p > 0 else "< 1e-300",
          help="Probability of this many facets beyond the null if the support were convex (the null test of the "
               "rule chosen above; the midpoint test's for a hand-set angle).")
c4.metric("Components of the regular graph", n_comp)
if base.null is not None:
    if ss.test == "midpoint":
        panels = [("midpoint emptiness: midpoint's distance to the nearest other code / local spacing",
                   ss.emptiness, ss.null.emptiness, ss.null.emptiness_threshold)]
        what = "right of the line"
    else:
        panels = [("facet angle (radians)", ss.angles, ss.null.angles, ss.threshold if ss.rule == "threshold"
                   else ss.null.angle_threshold),
                  ("relative jump |y_i - y_j| / local spacing", ss.relative_jump, ss.null.relative_jumps,
                   ss.null.jump_threshold)]
        what = "right of both lines"
    st.plotly_chart(null_histogram_figure(panels), key="sg_histogram", width="stretch")
    st.caption(f"This model's {len(base.pairs):,} facets (blue) against the convex null's "
               f"{base.null.n_facets:,} (grey). Dashed red: the null's largest value; a singular facet lies {what}. "
               f"{ss.n_beyond_null:,} of this model's facets do"
               + ("." if ss.non_convex or not ss.n_beyond_null else
                  f", as many as a convex support of this shape has by chance (p = {ss.p_value:.2g}), so none is "
                  "called singular."))

st.subheader("Discontinuity probe")
st.write("A segment in the source cube, mapped point by point by the OT map. Pick the codes it runs between, "
         "or click on the picture to move its start or end"
         + ("; a click on a target (black dot) puts it on that target." if model.latent_dim == 2 else "."))
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

# the probe's ends in slice coordinates, reset to the two codes' targets (cut to the picture) when the plane changes
plane_id = (key, a, b, plane_key(plane))
if st.session_state.get("sg_plane_id") != plane_id:
    st.session_state["sg_plane_id"] = plane_id
    try:
        st.session_state["sg_ends"] = plane.clip_segment(*plane.coordinates(Y[[a, b]])).tolist()
    except ValueError:
        st.session_state["sg_ends"] = [[-plane.extent / 2, 0.0], [plane.extent / 2, 0.0]]
    st.session_state["sg_last_click"] = None
ends = np.asarray(st.session_state["sg_ends"], dtype=np.float64)

if model.latent_dim == 2:
    cells = exact_cells_for(key, -1, Y, h)
    fig = power_cells_figure(cells, Y, model.labels, heights=h, singular_segments=ss.segments_2d(cells),
                             label_legend=True)
else:
    res = 120
    lab = slice_labels_for(key, plane_key(plane), res, plane, Y, h, model)
    colours, colour_name = slice_colouring(model)
    fig = slice_figure(lab, np.linspace(-plane.extent, plane.extent, res), colours, boundary=ss.boundaries(lab),
                       label_name=colour_name)
add_click_grid(fig, -plane.extent, plane.extent, n=21)
try:
    pr = probe(plane.to_source(*ends[0])[0], plane.to_source(*ends[1])[0], Y, h, singular=ss)
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

st.write(probe_summary(pr, model.labels))

st.subheader("Where the map sends the probe")
baselines, baselines_id = model_baselines(name, key)
gans = {"GAN": baselines["gan"]} if "gan" in baselines else {}
with notice_slot:
    notice("Singular Set", probe_notice(pr, generator=bool(gans)))
images = model.dataset["kind"] == "images"
digits = model.dataset.get("name") in DIGIT_DATASETS  # what the shipped digit classifier can read
ends_key = (tuple(pr.start.round(12)), tuple(pr.end.round(12)))
outs = probe_outputs_for(key, *ends_key, baselines_id, 201 if images else 1601, digits, model, gans)
if not digits and model.latent_dim > 2:  # codes of many coordinates: show the first three
    outs = {k: replace(o, values=o.values[:, :3], names=[f"code {j + 1}" for j in range(min(3, o.values.shape[1]))])
            for k, o in outs.items()}
unit = "probability" if digits else "latent units" if images else "data units"
st.plotly_chart(probe_output_figure(outs, singular_t=pr.t[pr.singular], unit=unit), key="sg_outputs",
                width="stretch")
what = ("the decoded image's class probabilities as the digit classifier reads it"
        + (" (its first channel: the first of the three digits)" if is_stacked_mnist(model) else "") if digits else
        "the first coordinates of the code each map outputs" if images else
        "the coordinates of the point each map outputs")
words = ""
if gans and not images:  # continuity, measured: refine the probe 8x and compare the largest steps
    words = (f" Sampled 8 times more finely (201 -> 1,601 points), the GAN's largest step shrinks from "
             f"{outs['GAN'].every(8).largest_step()[0]:.3g} to {outs['GAN'].largest_step()[0]:.3g}; AE-OT's stays at "
             f"{outs['AE-OT'].largest_step()[0]:.3g}.")
red = (f"{int(pr.singular.sum())} dashed red line{'s mark' if pr.singular.sum() > 1 else ' marks'} its singular "
       "crossing" + ("s" if pr.singular.sum() > 1 else "") if pr.singular.any() else
       "this probe crosses no singular facet, so no line is red")
st.caption(f"Along the probe (t = 0 at its start, 1 at its end): {what}. AE-OT's curve is a step function, flat "
           f"inside each cell; {red}. "
           + ("The GAN reads the same segment carried into its Gaussian noise (coordinate-wise quantiles): its curve "
              "is continuous, so it passes through what AE-OT jumps over." + words if gans else
              "Train the baselines on the Mode Collapse page to see a GAN's continuous curve beside it."))
if images:
    t = np.linspace(0.0, 1.0, 16)
    st.image(image_grid(model.decode(model.codes[pr.path.cell_at(t)]), ncols=16),
             caption="the decoded OT map at 16 points, t = 0 ... 1: the picture changes only where the map changes "
                     "code, abruptly")
if len(pr.t):
    rows = pd.DataFrame({"t": pr.t, "from cell": pr.pairs[:, 0], "to cell": pr.pairs[:, 1]})
    if pr.score is not None:
        rows["score vs convex null"] = pr.score
    if pr.emptiness is not None:
        rows["midpoint emptiness"] = pr.emptiness
    rows["angle"] = pr.angles
    if pr.relative_jump is not None:
        rows["relative jump"] = pr.relative_jump
    rows["singular"] = pr.singular
    if model.labels is not None:
        rows["labels"] = [f"{model.labels[i]} -> {model.labels[j]}" for i, j in pr.pairs]
        rows["label changes"] = model.labels[pr.pairs[:, 0]] != model.labels[pr.pairs[:, 1]]
    config = {"score vs convex null": st.column_config.ProgressColumn(
        "score vs convex null", min_value=0.0, max_value=1.0, format="%.4f",
        help="Share of the convex null's facets this crossing exceeds under the null test (midpoint test: the "
             "emptiness of the segment between its codes); 1 = beyond all of them: singular")}
    if model.dataset["kind"] == "images":
        before, after = model.decode(model.codes[pr.pairs[:, 0]]), model.decode(model.codes[pr.pairs[:, 1]])
        rows.insert(1, "before", [png_data_url(im) for im in before])
        rows.insert(2, "after", [png_data_url(im) for im in after])
        config["before"] = st.column_config.ImageColumn("before", help="the code decoded just before the crossing")
        config["after"] = st.column_config.ImageColumn("after", help="the code decoded just after the crossing")
    styled = rows.style.apply(lambda r: ["background-color: #ffd6d6" if r["singular"] else "" for _ in r], axis=1)
    st.markdown(f"**All {len(pr.t)} crossings along the probe** (singular ones highlighted)")
    st.dataframe(styled, key="sg_crossings", hide_index=True, column_config=config, row_height=40)

st.subheader("Most singular pairs")
# by calibrated score, ties (every singular facet scores 1) broken by the test's statistic
score = ss.score if ss.score is not None else np.zeros(len(ss.pairs))
tie = ss.emptiness if ss.test == "midpoint" else ss.relative_jump
order = np.lexsort((-tie, -score))
top_idx = (order[ss.singular[order]] if ss.singular.any() else order)[:10]
top = ss.pairs[top_idx]
table = pd.DataFrame({"cell i": top[:, 0], "cell j": top[:, 1]})
if ss.emptiness is not None:
    table["midpoint emptiness"] = ss.emptiness[top_idx]
table["angle"], table["relative jump"] = ss.angles[top_idx], ss.relative_jump[top_idx]
if ss.score is not None:
    table["score vs convex null"] = ss.score[top_idx]
if model.labels is not None:
    table["label i"], table["label j"] = model.labels[top[:, 0]], model.labels[top[:, 1]]
st.dataframe(table, key="sg_table", hide_index=True)
if model.dataset["kind"] == "images" and len(top):
    pairs_imgs = model.decode(model.codes[top.ravel()])
    st.image(image_grid(pairs_imgs, ncols=2), caption="each row: the two codes of a pair", width=120)
