"""Train: pick data and settings, watch the autoencoder and the OT solver converge, keep the model."""

import shutil
import time

import numpy as np
import pandas as pd
import streamlit as st

from aeot_viz.apps.ui.state import (
    add_trained,
    init_state,
    run_checkpoint_dir,
    session_id,
    training_pool,
    upload_limit_bytes,
)
from aeot_viz.data import TOY_DATASETS, load_dataset, load_upload
from aeot_viz.io.checkpoint import describe
from aeot_viz.ot.error import corrected_l1, error_in_words
from aeot_viz.pipeline.bundle import bundle_to_bytes
from aeot_viz.pipeline.config import AEConfig, AEOTConfig, OTConfig, TrainConfig
from aeot_viz.pipeline.jobs import estimate_training_bytes
from aeot_viz.pipeline.training import fit_aeot

st.set_page_config(page_title="Train - AE-OT Explorer", layout="wide")
init_state()
st.title("Train an AE-OT model")

source = st.radio("Data", ["built-in", "upload a file"], horizontal=True, key="tr_source",
                  help="Upload an .npz (array X, optional labels y; Keras' mnist.npz works too), an .npy, or a "
                       ".zip of PNG/JPEG images with one sub-folder per class.")
c1, c2 = st.columns(2)
uploaded = None
if source == "built-in":
    dataset_name = c1.selectbox("Dataset", list(TOY_DATASETS) + ["digits", "mnist10k"], key="tr_dataset",
                                help="2-D toys use the data itself as latent space and train in seconds.")
    is_toy = dataset_name in TOY_DATASETS
    n_samples = c1.number_input("Samples", 50, 10_000, 1000 if is_toy else 2000, step=50, key="tr_n")
else:
    up = c1.file_uploader("Dataset file", type=["npz", "npy", "zip"], key="tr_upload")
    size = c1.slider("Images are resized to (pixels per side)", 8, 64, 28, key="tr_img_size")
    colour = c1.radio("Image colours", ["grayscale", "RGB"], horizontal=True, key="tr_img_mode")
    n_samples = c1.number_input("Samples (at most)", 50, 100_000, 10_000, step=50, key="tr_n_up")
    if up is None:
        st.info("Choose a file to train on.")
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

latent = c2.number_input("Latent dimension", 2, 64, 16 if dataset_name == "mnist10k" else 8, key="tr_latent",
                         disabled=is_toy)
epochs = c2.number_input("Autoencoder epochs", 1, 200, 10, key="tr_epochs", disabled=is_toy)
ot_iters = c2.number_input("OT iteration budget", 20, 10_000, OTConfig().max_iter, step=20, key="tr_ot_iters",
                           help="A cap: the solver stops earlier, once its validation reads within "
                                f"{OTConfig().floor_factor}x its noise floor with no empty cell")
seed = c1.number_input("Seed", 0, 10_000, 0, key="tr_seed")
with st.expander("More settings: autoencoder and OT solver"):
    a1, a2, a3 = st.columns(3)
    images = uploaded.kind == "images" if uploaded is not None else dataset_name in ("digits", "mnist10k")
    ae_kind = a1.selectbox("Autoencoder", ["auto", "conv"] if images else ["auto", "mlp"], key="tr_ae_kind",
                           disabled=is_toy, help="auto: convolutional for images, MLP for vectors, none for 2-D points")
    batch = a2.select_slider("Batch size", [32, 64, 128, 256, 512], 128, key="tr_batch", disabled=is_toy)
    ae_lr = a3.select_slider("Learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2], 1e-3, key="tr_ae_lr",
                             disabled=is_toy)
    o1, o2, o3, o4 = st.columns(4)
    ot_lr = o1.number_input("OT step size", 0.1, 20.0, OTConfig().lr, 0.1, key="tr_ot_lr",
                            help="Heavy-ball step on the relative mass errors (see aeot_viz.ot)")
    multiscale = o2.checkbox("Multiscale steps", True, key="tr_multiscale",
                             help="Also move whole clusters of codes at once: needed for tight, separated modes")
    val_exp = o3.select_slider("Validation samples", ["auto", 16, 17, 18, 19, 20, 21, 22, 23, 24], "auto",
                               key="tr_val", format_func=lambda e: e if e == "auto" else f"2^{e}",
                               help="Fresh samples for the independent stopping check; more = lower noise "
                                    "floor. auto: at least 2^23, about 1,024 per code")
    tol = o4.number_input("Stop at L1 below", 0.0, 0.5, 0.0, 0.005, format="%.3f", key="tr_tol",
                          help=f"0: stop at {OTConfig().floor_factor}x the validation's noise floor")

go, cancel = st.columns([1, 5])
start = go.button("Train", type="primary", key="tr_go")
pool = training_pool()
if cancel.button("Cancel", key="tr_cancel"):
    if st.session_state.get("tr_job") is not None:
        st.session_state["tr_job"][0].cancel()
    st.warning("Training cancelled: the current model is unchanged. Press Train again with the same settings to "
               "resume from the last finished epoch / OT round.")

if start:
    try:
        ds = uploaded if uploaded is not None else load_dataset(dataset_name, n_samples=int(n_samples),
                                                                 random_state=int(seed))
        cfg = AEOTConfig(ae=AEConfig(kind=ae_kind, latent_dim=int(latent)),
                         train=TrainConfig(epochs=int(epochs), batch_size=int(batch), lr=float(ae_lr),
                                           random_state=int(seed)),
                         ot=OTConfig(max_iter=int(ot_iters), lr=float(ot_lr), multiscale=bool(multiscale),
                                     tol=float(tol), random_state=int(seed),
                                     validation_samples=val_exp if val_exp == "auto" else 2 ** int(val_exp)))
        cfg.validate()
        ckpt = run_checkpoint_dir(cfg.to_dict(), ds.data)
        resumed = [d for d in (describe(ckpt / "autoencoder.npz"), describe(ckpt / "ot.npz")) if d]
        if resumed:
            st.info("Resuming an interrupted run with these settings: " + "; ".join(resumed) + ".")
        name = f"trained: {dataset_name} ({len(ds)}, seed {int(seed)})"
        job = pool.submit(lambda callback: fit_aeot(ds, cfg, callback=callback, checkpoint_dir=ckpt),
                          owner=session_id(), label=name,
                          estimate_bytes=estimate_training_bytes(len(ds), ds.shape, cfg))
        st.session_state["tr_job"] = (job, name, str(ckpt))
    except (ValueError, TypeError, MemoryError) as exc:
        st.error(f"Training failed: {exc} The current model is unchanged.")

watched = st.session_state.get("tr_job")
if watched is not None:
    job, name, ckpt = watched
    progress = st.progress(0.0, text="Starting...")
    chart_ae, chart_ot = st.columns(2)
    chart_ae.caption("Autoencoder: reconstruction loss per batch" if not is_toy
                     else "2-D toy data: the data is its own latent space, no autoencoder to train")
    chart_ot.caption("OT solver: L1 mass error on each iteration's fresh samples")
    ae_plot, ot_plot = chart_ae.empty(), chart_ot.empty()
    losses, l1s = [], []

    def on_progress(ev):
        share, span = {"autoencoder": (0.0, 0.5), "encode": (0.5, 0.05), "ot": (0.55, 0.3),
                       "ot-validation": (0.55, 0.3), "convex-null": (0.85, 0.15),
                       "convex-null-validation": (0.85, 0.15)}[ev.stage]
        frac = share + span * ev.fraction
        elapsed = time.time() - (job.started or time.time())
        left = elapsed / frac - elapsed if frac > 0.02 else float("nan")
        stage = "convex null (calibrates the singular set)" if ev.stage == "convex-null" else ev.stage
        text = f"{stage}: {ev.step}/{ev.total}" + ("" if np.isnan(left) else f", about {left:.0f} s left")
        if ev.stage == "autoencoder":
            losses.append(ev.metrics["loss"])
            if ev.step % 10 == 0 or ev.step == ev.total:
                ae_plot.line_chart(pd.DataFrame({"loss": losses}), height=220)
        elif ev.stage.endswith("validation"):
            which = "OT" if ev.stage == "ot-validation" else "Convex null"
            text = (f"{which} validation: L1 {ev.metrics['l1']:.4f} (noise floor {ev.metrics['noise_floor']:.4f}, "
                    f"noise-corrected {corrected_l1(ev.metrics['l1'], ev.metrics['noise_floor']):.4f})")
        elif ev.stage == "ot":
            l1s.append(ev.metrics["l1"])
            if ev.step % 10 == 0:
                ot_plot.line_chart(pd.DataFrame({"L1": l1s}), height=220)
        progress.progress(min(frac, 1.0), text=text)

    seen = 0
    while True:  # the job runs on the pool's thread; this page only reads its events
        finished = job.done
        if job.position:
            progress.progress(0.0, text=f"Waiting in the training queue: position {job.position} "
                                        f"({pool.running} running, at most {pool.max_running} at once).")
        events = job.events[seen:]
        for ev in events:
            on_progress(ev)
        seen += len(events)
        if finished:
            break
        time.sleep(0.25)
    del st.session_state["tr_job"]
    if job.status == "done":
        model = job.result
        shutil.rmtree(ckpt, ignore_errors=True)
        progress.progress(1.0, text=f"Done in {job.finished - job.started:.0f} s")
        add_trained(name, model)
        st.session_state["tr_last"] = name
        v = model.ot_validation
        st.success(f"{name} is now the current model. {error_in_words(v['l1'], v['noise_floor'], v['n_samples'])} "
                   f"Empty cells: {v['empty_share']:.1%}. Explore it on the other pages.")
        if v["empty_share"] > 0:
            st.warning(f"{v['empty_share']:.1%} of the OT cells received no validation sample: the map misses "
                       "those codes. Raise the OT iteration budget and train again.")
    elif job.status == "cancelled":
        progress.empty()
    elif isinstance(job.error, (ValueError, TypeError, MemoryError)):
        progress.empty()
        st.error(f"Training failed: {job.error} The current model is unchanged.")
    else:
        raise job.error

last = st.session_state.get("tr_last")
if last and last in st.session_state["aeot_session_models"]:
    st.download_button("Download the last trained model (bundle .npz)",
                       bundle_to_bytes(st.session_state["aeot_session_models"][last]),
                       file_name="aeot_model.npz", key="tr_download")
