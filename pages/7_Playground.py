"""Playground: draw 2-D data (or start from a preset), watch the OT map stay sharp while a GAN smears or collapses."""

import hashlib

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_image_coordinates import streamlit_image_coordinates

from aeot_viz.analysis.generation import generate
from aeot_viz.analysis.grid_mesh import ot_grid_mesh
from aeot_viz.analysis.metrics import mode_score, precision_recall
from aeot_viz.analysis.singularity import model_singular_set
from aeot_viz.apps.ui.gan_lab import gan_lab, gan_lab_args
from aeot_viz.apps.ui.state import init_state
from aeot_viz.apps.ui.teaching import notice
from aeot_viz.data.drawing import PRESETS, check_drawing, drawing_npz, parse_points, points_from_strokes, preset
from aeot_viz.geometry.power_diagram import exact_cells_2d
from aeot_viz.io.images import drawing_png
from aeot_viz.ot.error import ot_error_line
from aeot_viz.pipeline.playground import solve_drawing
from aeot_viz.viz import power_cells_figure

SIZE = 400  # canvas pixels

st.set_page_config(page_title="Playground - AE-OT Explorer", layout="wide")
init_state()
st.title("Playground")
notice("Playground")
st.write("Draw a 2-D data set, or start from a preset and add to it. AE-OT solves the optimal transport map from "
         "a uniform square onto your points in about a second; a GAN learns the same points beside it. "
         "The OT map cuts the square into one cell per point and *jumps* across the red facets, so "
         "its samples stay on your shapes; the GAN's generator is continuous, so as it trains its points smear "
         "across the gaps between shapes (mode mixture) or pile onto some of them and drop others (mode "
         "collapse). On the convex blob there is no gap to jump: no red facet, and the GAN does fine.")


@st.cache_resource(show_spinner="Solving the OT map of the drawing...", max_entries=8)
def solved(digest: str, _X):
    model = solve_drawing(_X, random_state=0)
    ss = model_singular_set(model)
    return model, ss, exact_cells_2d(model.targets, model.h), generate(model, 300, singular=ss, random_state=0)


@st.cache_resource(show_spinner=False, max_entries=8)
def lab_args(token: str, _X, kind: str, _model, _ss, n_singular: int, _aeot_samples) -> dict:
    """The GAN Lab component's arguments, built once per drawing and generator (``token``): AE-OT's grid mesh and
    LiveGAN's normalisation of the drawing. The component only reads them."""
    mesh = ot_grid_mesh(_model.targets, _model.h, _ss, res=41)
    return gan_lab_args(_X, kind, token, mesh=mesh, mesh_image=_model.normalizer.inverse_transform(mesh.image),
                        n_singular=n_singular, aeot_samples=_aeot_samples)


# --- the data: a preset plus strokes, or typed points ------------------------------------------------------------
c1, c2 = st.columns([1, 1])
start = c1.selectbox("Start from", ["a blank canvas"] + list(PRESETS), index=1, key="pg_start",
                     format_func=lambda k: k if k == "a blank canvas" else f"{k}: {PRESETS[k]}")
n_preset = c1.slider("Preset points", 100, 1000, 500, 50, key="pg_n", disabled=start == "a blank canvas")
density = c1.slider("Points per unit of stroke", 20, 400, 150, 10, key="pg_density",
                    help="A drag on the canvas draws a straight stroke; points are spread along it at this density "
                         "(the canvas is 2 units wide). A click adds one point.")
strokes = st.session_state.setdefault("pg_strokes", [])
u1, u2 = c1.columns(2)
if u1.button("Undo the last stroke", key="pg_undo", disabled=not strokes):
    strokes.pop()
if u2.button("Clear the strokes", key="pg_clear", disabled=not strokes):
    strokes.clear()
typed = c1.text_area("Or type points (x, y per line, in [-1, 1])", key="pg_typed", height=80,
                     help="Replaces the canvas when not empty.")

base, centres, std = (np.zeros((0, 2), np.float32), None, None) if start == "a blank canvas" else \
    preset(start, int(n_preset), random_state=0)
X = np.concatenate([base, points_from_strokes(strokes, density=float(density), random_state=len(strokes))]) \
    if strokes else base
if strokes:
    centres = std = None  # an edited preset has no known modes any more
if typed.strip():
    try:
        X = parse_points(typed)
        centres = std = None
    except ValueError as exc:
        st.error(f"{exc} The OT map and the GAN wait for valid points.")
        st.stop()

with c2:
    click = streamlit_image_coordinates(drawing_png(X, SIZE), key="pg_canvas", click_and_drag=True, cursor="crosshair")
    st.caption(f"{len(X)} points. Click to add a point, drag to draw a stroke.")
if click is not None and click.get("unix_time") != st.session_state.get("pg_last_click"):
    st.session_state["pg_last_click"] = click.get("unix_time")
    x1, y1 = click.get("x1", click.get("x")), click.get("y1", click.get("y"))  # a drag gives both ends
    x2, y2 = click.get("x2", x1), click.get("y2", y1)
    stroke = [(2 * x1 / SIZE - 1, 1 - 2 * y1 / SIZE), (2 * x2 / SIZE - 1, 1 - 2 * y2 / SIZE)]
    strokes.append(stroke[:1] if stroke[0] == stroke[1] else stroke)
    st.rerun()

try:
    X = check_drawing(X)
except ValueError as exc:
    st.error(f"{exc} The OT map and the GAN wait for a valid drawing.")
    st.stop()
digest = hashlib.sha256(X.tobytes()).hexdigest()[:16]

e1, e2 = st.columns(2)
e1.download_button("Export the drawing (.npz, array X)", drawing_npz(X), "aeot_drawing.npz", key="pg_export")
if e2.button("Train an AE-OT model on it (Train page)", key="pg_to_train"):
    st.session_state["tr_drawing"] = X
    st.switch_page("pages/1_Train.py")

# --- AE-OT -----------------------------------------------------------------------------------------------------------
model, ss, cells, g = solved(digest, X)
left, right = st.columns(2)
with left:
    st.subheader("AE-OT: the OT map and where it jumps")
    snaps = model.h_snapshots
    k = len(snaps) - 1 if snaps is not None else 0
    newton = model.ot_validation.get("exact_l1") is not None
    unit = "Newton step" if newton else "solver iteration"
    if snaps is not None and len(snaps) > 1:
        iters = model.snapshot_iters
        # a new drawing opens at its finished solve, wherever the slider stood for the previous one
        if st.session_state.get("pg_replay_of") != digest or st.session_state.get("pg_replay") not in range(len(snaps)):
            st.session_state["pg_replay_of"] = digest
            st.session_state["pg_replay"] = len(snaps) - 1
        k = st.select_slider("Replay the solve: " + unit, options=list(range(len(snaps))), key="pg_replay",
                             format_func=lambda i: str(int(iters[i])),
                             help=f"Heights stored during the solve ({int(iters[-1])} "
                                  + ("Newton steps" if newton else "iterations") + " in all).")
    final = snaps is None or k >= len(snaps) - 1
    final_seg = ss.segments_2d(cells)  # the singular facets of the finished solve, as edges of its exact cells
    if final:
        h, shown_cells, seg = model.h, cells, final_seg
    else:
        h = snaps[k].astype(np.float64)
        shown_cells, seg = exact_cells_2d(model.targets, h), None
    st.plotly_chart(power_cells_figure(shown_cells, model.targets, None, heights=h, target_mass=1.0 / model.n_codes,
                                       singular_segments=seg), key="pg_cells", width="stretch")
    n_red = len(final_seg)
    facets = f"{n_red} singular facet{'' if n_red == 1 else 's'}"
    if final:  # the caption says what the figure draws
        st.caption(f"{model.n_codes} cells, one per point; {facets} by the convex null, "
                   + ("drawn in red. " if n_red else "so none is drawn red. ") + ot_error_line(model.ot_validation))
    else:
        err = float(np.abs(shown_cells.areas - 1.0 / model.n_codes).sum())
        st.caption(f"{model.n_codes} cells, one per point, at {unit} {int(iters[k])} of {int(iters[-1])}; the "
                   f"heights are not final yet, so no facet is drawn red (the finished solve has {facets}: move the "
                   f"slider to the last step). Exact L1 mass error at this step: {err:.1e}.")

# --- the GAN, in the visitor's browser ----------------------------------------------------------------------------
with right:
    st.subheader("A GAN on the same points, in your browser")
    kind = st.radio("Generator", ["gan", "wgan-gp"], horizontal=True, key="pg_kind",
                    format_func={"gan": "GAN", "wgan-gp": "WGAN-GP"}.get,
                    help="Changing the generator or the drawing restarts it.")
    st.write("Below, the GAN trains in this browser tab, as in GAN Lab: its samples, its discriminator's verdict "
             "as a heat map, and the **generator's image of a grid over its noise square**. A generator is a "
             "continuous map, so it can only stretch that grid: wherever your drawing has a gap between shapes, "
             "strands of the mesh must run through the gap, and samples fall there. Beside it, AE-OT's map of a "
             "grid over its uniform square: the mesh **tears** along the red singular facets, and no strand "
             "crosses a gap.")

token = f"{digest}:{kind}"
args = lab_args(token, X, kind, model, ss, len(final_seg), g.codes)


def scores(samples) -> dict:
    if centres is not None:
        s = mode_score(samples, centres, std)
        return {"modes found": f"{s.modes_covered} of {len(centres)}", "high-quality share": f"{s.hq_share:.0%}"}
    precision, recall = precision_recall(X, samples)
    return {"precision (on the data)": f"{precision:.0%}", "recall (data covered)": f"{recall:.0%}"}


aeot_scores = scores(g.codes)  # AE-OT's samples do not change while the GAN trains: scored once per run


@st.fragment
def live():
    """The component and the scores of what it last sent: a report reruns this fragment only."""
    value = gan_lab(args, key="pg_gan_lab")
    if value is not None and value.get("token") == token and value.get("samples"):
        fake = np.asarray(value["samples"], dtype=np.float32)
        steps = int(value["steps"])
        table = pd.DataFrame({"AE-OT": aeot_scores, f"GAN, {steps} steps": scores(fake)})
    else:
        table = pd.DataFrame({"AE-OT": aeot_scores, "GAN": {k: "-" for k in aeot_scores}})
    st.table(table)
    st.caption("The GAN's samples are scored on the server when the browser sends them: every six seconds while "
               "it runs, and at each Pause, step and Restart.")


live()
