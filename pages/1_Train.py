"""Train: pick data and settings, then watch the autoencoder and the OT solver converge in the background."""

import time

import numpy as np
import pandas as pd
import streamlit as st

from aeot_viz.apps.ui.background import collect_finished, resume_panel, session_jobs, submit_training
from aeot_viz.apps.ui.state import (
    dataset_shape,
    init_state,
    run_checkpoint_dir,
    run_cost,
    training_pool,
    upload_limit_bytes,
)
from aeot_viz.apps.ui.teaching import notice
from aeot_viz.apps.ui.widgets import checked_number
from aeot_viz.data import TOY_DATASETS, Dataset, load_dataset, load_upload
from aeot_viz.io.checkpoint import describe
from aeot_viz.models.config import IMAGE_LATENT_DIM, STACKED_LATENT_DIM
from aeot_viz.ot.error import error_in_words, stop_in_words
from aeot_viz.pipeline.bundle import bundle_to_bytes
from aeot_viz.pipeline.config import AEConfig, AEOTConfig, OTConfig, TrainConfig
from aeot_viz.pipeline.cost import seconds_in_words
from aeot_viz.pipeline.jobs import describe_progress, time_left

st.set_page_config(page_title="Train - AE-OT Explorer", layout="wide")
init_state()
st.title("Train an AE-OT model")
notice("Train")
resume_panel()  # trainings a server restart interrupted: resume them from their checkpoints
# Every field keeps its value for the session (persist_state="session"): Streamlit drops a widget's value on a run
# that does not draw it, so a visit to another page used to reset the form. Number fields have no browser bounds:
# every value typed reaches Python and is checked here (checked_number), so Train never runs on a stale value.
KEEP = {"persist_state": "session"}
problems: list = []

drawing = st.session_state.get("tr_drawing")
sources = ["built-in", "upload a file"] + (["the Playground drawing"] if drawing is not None else [])
source = st.radio("Data", sources, horizontal=True, key="tr_source", **KEEP,
                  index=len(sources) - 1 if drawing is not None and "tr_source" not in st.session_state else 0,
                  help="Upload an .npz (array X, optional labels y; Keras' mnist.npz works too), an .npy, or a "
                       ".zip of PNG/JPEG images with one sub-folder per class.")
c1, c2 = st.columns(2)
uploaded = None
if source == "built-in":
    dataset_name = c1.selectbox("Dataset", list(TOY_DATASETS) + ["digits", "mnist10k", "stacked_mnist"],
                                key="tr_dataset", **KEEP,
                                help="2-D toys use the data itself as latent space and train in seconds. "
                                     "stacked_mnist: three shipped digits as the colour channels, 1,000 modes.")
    is_toy = dataset_name in TOY_DATASETS
    n_samples = checked_number(c1, "Samples", 50, 10_000, 1000 if is_toy else 2000, step=50, key="tr_n",
                               problems=problems)
elif source == "the Playground drawing":
    uploaded = Dataset(drawing, None, "points", "playground drawing", {"n_points": int(len(drawing))})
    dataset_name, is_toy, n_samples = uploaded.name, True, len(uploaded)
    c1.caption(f"{len(uploaded):,} drawn points (2-D: the data is its own latent space).")
else:
    up = c1.file_uploader("Dataset file", type=["npz", "npy", "zip"], key="tr_upload")
    size = c1.slider("Images are resized to (pixels per side)", 8, 64, 28, key="tr_img_size", **KEEP)
    colour = c1.radio("Image colours", ["grayscale", "RGB"], horizontal=True, key="tr_img_mode", **KEEP)
    n_samples = checked_number(c1, "Samples (at most)", 50, 100_000, 10_000, step=50, key="tr_n_up",
                               problems=problems)
    if up is None:
        st.info("Choose a file to train on.")
        st.stop()
    if problems:  # the file is read with this many samples: not before the number is right
        st.error(problems[0])
        st.stop()
    cache_id = (up.file_id, size, colour, int(n_samples))
    if st.session_state.get("tr_upload_id") != cache_id:
        try:
            ds = load_upload(up.name, up.getvalue(), n_samples=int(n_samples), max_upload_bytes=upload_limit_bytes(),
                             **({"size": (size, size), "mode": "L" if colour == "grayscale" else "RGB"}
                                if up.name.lower().endswith(".zip") else {}))
        except (ValueError, TypeError) as exc:
            st.error(f"Could not read {up.name}: {exc}")
            st.stop()
        st.session_state["tr_upload_id"], st.session_state["tr_upload_ds"] = cache_id, ds
    uploaded = st.session_state["tr_upload_ds"]
    dataset_name = uploaded.name
    is_toy = uploaded.kind == "points" and uploaded.shape == (2,)
    n_classes = "no labels" if uploaded.labels is None else f"{len(np.unique(uploaded.labels))} classes"
    c1.caption(f"{len(uploaded):,} {uploaded.kind} of shape {uploaded.shape}, {n_classes}.")

latent = checked_number(c2, "Latent dimension", 2, 96,
                        {"mnist10k": IMAGE_LATENT_DIM, "stacked_mnist": STACKED_LATENT_DIM}.get(dataset_name, 8),
                        key="tr_latent", problems=problems,
                        disabled=is_toy, help=f"{IMAGE_LATENT_DIM} keeps MNIST digits sharp (the reconstructions' "
                                              "recall, docs/BENCHMARKS.md); smaller spaces blur them")
epochs = checked_number(c2, "Autoencoder epochs", 1, 200, 10, key="tr_epochs", disabled=is_toy, problems=problems)
ot_iters = checked_number(c2, "OT iteration budget", 20, 10_000, OTConfig().max_iter, step=20, key="tr_ot_iters",
                          disabled=is_toy, problems=problems,
                          help="A cap: the solver stops earlier, once a check on fresh samples certifies its error "
                               f"(within {OTConfig().floor_factor}x the noise floor of the validation size, or the "
                               "same bound read on a fresh pool) with no empty cell")
seed = checked_number(c1, "Seed", 0, 10_000, 0, key="tr_seed", problems=problems)
if is_toy:
    c2.caption("Greyed out: 2-D points are their own latent space, so no autoencoder is trained and its settings "
               "(latent dimension, epochs, kind, batch size, learning rate) do not apply. The OT map is solved "
               "exactly by Newton's method, which stops on precision: the budget, step size, multiscale and "
               "validation settings are for the pooled solver of higher-dimensional codes.")
with st.expander("More settings: autoencoder and OT solver"):
    a1, a2, a3 = st.columns(3)
    images = uploaded.kind == "images" if uploaded is not None else dataset_name in ("digits", "mnist10k",
                                                                                     "stacked_mnist")
    ae_kind = a1.selectbox("Autoencoder", ["auto", "conv", "channelwise"] if images else ["auto", "mlp"],
                           index=2 if dataset_name == "stacked_mnist" else 0, key="tr_ae_kind", disabled=is_toy, **KEEP,
                           help="auto: convolutional for images, MLP for vectors, none for 2-D points. "
                                "channelwise: one conv autoencoder shared by the channels, each coded on its own "
                                "(Stacked MNIST's three independent digits); the latent dimension must be a multiple "
                                "of the channels")
    batch = a2.select_slider("Batch size", [32, 64, 128, 256, 512], 128, key="tr_batch", disabled=is_toy, **KEEP)
    ae_lr = a3.select_slider("Learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2], 1e-3, key="tr_ae_lr",
                             disabled=is_toy, **KEEP)
    o1, o2, o3, o4 = st.columns(4)
    ot_lr = checked_number(o1, "OT step size", 0.1, 20.0, OTConfig().lr, step=0.1, key="tr_ot_lr", disabled=is_toy,
                           problems=problems, help="Heavy-ball step on the relative mass errors (see aeot_viz.ot)")
    multiscale = o2.checkbox("Multiscale steps", True, key="tr_multiscale", disabled=is_toy, **KEEP,
                             help="Also move whole clusters of codes at once: needed for tight, separated modes")
    val_exp = o3.select_slider("Validation samples", ["auto", 16, 17, 18, 19, 20, 21, 22, 23, 24], "auto",
                               key="tr_val", disabled=is_toy, **KEEP,
                               format_func=lambda e: e if e == "auto" else f"2^{e}",
                               help="Fresh samples for the independent stopping check; more = lower noise "
                                    "floor. auto: at least 2^23, about 1,024 per code")
    tol = checked_number(o4, "Stop at L1 below", 0.0, 0.5, 0.0, step=0.005, format="%.3f", key="tr_tol",
                         disabled=is_toy, problems=problems,
                         help=f"0: stop at {OTConfig().floor_factor}x the validation's noise floor")



def build_config() -> AEOTConfig:
    """The settings of the form as a run's configuration (the same on pressing Train as in the estimate)."""
    if is_toy:  # greyed out settings do not apply (and are not checked): the defaults, whatever they hold
        return AEOTConfig(train=TrainConfig(random_state=int(seed)), ot=OTConfig(random_state=int(seed)))
    return AEOTConfig(ae=AEConfig(kind=ae_kind, latent_dim=int(latent)),
                      train=TrainConfig(epochs=int(epochs), batch_size=int(batch), lr=float(ae_lr),
                                        random_state=int(seed)),
                      ot=OTConfig(max_iter=int(ot_iters), lr=float(ot_lr), multiscale=bool(multiscale),
                                  tol=float(tol), random_state=int(seed),
                                  validation_samples=val_exp if val_exp == "auto" else 2 ** int(val_exp)))


if not problems:  # what the run will cost, before it starts (measured speeds of this machine)
    try:
        shape, kind, n_est = ((uploaded.shape, uploaded.kind, len(uploaded)) if uploaded is not None
                              else dataset_shape(dataset_name) + (int(n_samples),))
        est = run_cost(n_est, shape, kind, build_config())
        parts = ", ".join(f"{k} {seconds_in_words(v)[6:]}" for k, v in est.items()
                          if k not in ("total", "start") and v >= 1)
        st.caption(f"Expected time on this machine: {seconds_in_words(est['total'])} ({parts}), with no other "
                   "training running.")
    except (ValueError, TypeError) as exc:
        st.caption(f"No time estimate for these settings: {exc}")

go, cancel = st.columns([1, 5])
start = go.button("Train", type="primary", key="tr_go")
if not start:
    for problem in problems:  # said at once, before Train is pressed
        st.error(problem)
mine = [e for e in session_jobs() if e["kind"] == "training"]
if cancel.button("Cancel", key="tr_cancel"):
    for e in mine:
        e["job"].cancel()
    st.warning("Training cancelled: the current model is unchanged. Press Train again with the same settings to "
               "resume from the last finished epoch / OT round.")

if start and problems:  # nothing trains on a value out of range (nor on the field's previous value)
    st.error("Not training: " + " ".join(problems) + " The current model is unchanged.")
elif start:
    try:
        ds = uploaded if uploaded is not None else load_dataset(dataset_name, n_samples=int(n_samples),
                                                                 random_state=int(seed))
        cfg = build_config()
        cfg.validate()
        ckpt = run_checkpoint_dir(cfg.to_dict(), ds.data)
        resumed = [d for d in (describe(ckpt / "autoencoder.npz"), describe(ckpt / "ot.npz")) if d]
        if resumed:
            st.info("Resuming an interrupted run with these settings: " + "; ".join(resumed) + ".")
        submit_training(ds, cfg, ckpt, f"trained: {dataset_name} ({len(ds)}, seed {int(seed)})")
        mine = [e for e in session_jobs() if e["kind"] == "training"]
    except (ValueError, TypeError, MemoryError) as exc:
        st.error(f"Training failed: {exc} The current model is unchanged.")


def show_training(entry) -> None:
    """Progress, loss and L1 curves of one training job, and its outcome once it has one."""
    job = entry["job"]
    collect_finished()
    events = list(job.events)
    if job.position:
        st.progress(0.0, text=f"Waiting in the training queue: position {job.position} "
                              f"({training_pool().running} running, at most {training_pool().max_running} at once).")
    elif not job.done:
        fraction, text = describe_progress(events)
        left, what = time_left(events, list(job.times), time.time())  # per stage / OT round: it never counts up
        st.progress(min(fraction, 1.0), text=text + ("" if np.isnan(left) else f", about {left:.0f} s {what}"))
    chart_ae, chart_ot = st.columns(2)
    losses = [ev.metrics["loss"] for ev in events if ev.stage == "autoencoder"]
    l1s = [ev.metrics["l1"] for ev in events if ev.stage == "ot" and "l1" in ev.metrics]
    newton = any(ev.metrics.get("solver") == "newton" for ev in events if ev.stage == "ot")
    chart_ae.caption("Autoencoder: reconstruction loss per batch" if losses
                     else "2-D toy data: the data is its own latent space, no autoencoder to train")
    if losses:
        chart_ae.line_chart(pd.DataFrame({"loss": losses}), height=220, x_label="batch", y_label="loss")
    if newton:  # 2-D codes: exact Newton, a handful of steps whose error falls to float64's reach
        chart_ot.caption("OT solver (exact Newton, 2-D): exact L1 mass error after each step, log10 scale")
        chart_ot.line_chart(pd.DataFrame({"log10 exact L1": np.log10(np.maximum(l1s, 1e-17))}), height=220,
                            x_label="Newton step", y_label="log10 exact L1")
    elif any(ev.metrics.get("solver") == "pooled" for ev in events if ev.stage == "ot"):
        chart_ot.caption("OT solver (pooled): L1 mass error on the current pool after each iteration. It falls below "
                         "the noise floor as the pool is solved; each new pool, scored before anything is fitted to "
                         "it, is the honest check (the message below)")
        if l1s:
            chart_ot.line_chart(pd.DataFrame({"L1 on the pool": l1s}), height=220, x_label="iteration",
                                y_label="L1 mass error")
    else:
        chart_ot.caption("OT solver: L1 mass error on each iteration's fresh samples")
        if l1s:
            chart_ot.line_chart(pd.DataFrame({"L1": l1s}), height=220, x_label="iteration", y_label="L1 mass error")
    model = entry["holder"].get("model")
    if model is not None:
        v = model.ot_validation
        words = error_in_words(v["l1"], v["noise_floor"], v["n_samples"], exact_l1=v.get("exact_l1"),
                               n_codes=model.n_codes)
        st.success(f"{entry['name']} is now the current model. {words} Empty cells: {v['empty_share']:.1%}. "
                   "Explore it on the other pages" + ("." if job.done else " (its views are still being computed)."))
        ot = model.config.ot
        last = model.ot_validation_log[-1] if model.ot_validation_log else {}
        if last.get("pool"):  # the pooled solver: its certificate is the last fresh pool
            v = {**v, **last}
        st.caption(stop_in_words(model.summary()["OT iterations"], ot.max_iter, v, n_codes=model.n_codes,
                                 newton=v.get("exact_l1") is not None, floor_factor=ot.floor_factor, tol=ot.tol))
        if v["empty_share"] > 0:
            st.warning(f"{v['empty_share']:.1%} of the OT cells received no validation sample: the map misses "
                       "those codes. Raise the OT iteration budget and train again.")
        st.session_state["tr_last"] = entry["name"]
    if job.done and job.status == "cancelled":
        st.caption("Cancelled.")
    elif job.done and job.status == "failed" and model is None:
        if isinstance(job.error, (ValueError, TypeError, MemoryError)):
            st.error(f"Training failed: {job.error} The current model is unchanged.")
        else:
            st.error(f"Training failed unexpectedly: {type(job.error).__name__}: {job.error}")


@st.fragment(run_every=1.0)
def live_training(entry) -> None:
    if entry["job"].done:
        st.rerun()  # the whole page: the model picker and the download below follow
    show_training(entry)


if mine:
    st.subheader("Training runs in the background")
    st.caption("Progress also shows in the sidebar of every page: look around while it runs, and come back.")
    (show_training if mine[-1]["job"].done else live_training)(mine[-1])

last = st.session_state.get("tr_last")
if last and last in st.session_state["aeot_session_models"]:
    st.download_button("Download the last trained model (bundle .npz)",
                       bundle_to_bytes(st.session_state["aeot_session_models"][last]),
                       file_name="aeot_model.npz", key="tr_download")
