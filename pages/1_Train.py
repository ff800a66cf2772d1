"""Train: pick data and settings, watch the autoencoder and the OT solver converge, keep the model."""

import time

import numpy as np
import pandas as pd
import streamlit as st

from aeot_viz.bundle import bundle_to_bytes
from aeot_viz.config import AEConfig, AEOTConfig, OTConfig, TrainConfig
from aeot_viz.datasets import TOY_DATASETS, load_dataset
from aeot_viz.training import fit_aeot
from aeot_viz.ui.state import add_trained, init_state

st.set_page_config(page_title="Train - AE-OT Explorer", layout="wide")
init_state()
st.title("Train an AE-OT model")

c1, c2 = st.columns(2)
dataset_name = c1.selectbox("Dataset", list(TOY_DATASETS) + ["digits", "mnist10k"], key="tr_dataset",
                            help="2-D toys use the data itself as latent space and train in seconds.")
n_samples = c1.number_input("Samples", 50, 10_000, 1000 if dataset_name in TOY_DATASETS else 2000, step=50,
                            key="tr_n")
is_toy = dataset_name in TOY_DATASETS
latent = c2.number_input("Latent dimension", 2, 64, 16 if dataset_name == "mnist10k" else 8, key="tr_latent",
                         disabled=is_toy)
epochs = c2.number_input("Autoencoder epochs", 1, 200, 10, key="tr_epochs", disabled=is_toy)
ot_iters = c2.number_input("OT iteration budget", 20, 2000, 400, step=20, key="tr_ot_iters")
seed = c1.number_input("Seed", 0, 10_000, 0, key="tr_seed")

go, cancel = st.columns([1, 5])
start = go.button("Train", type="primary", key="tr_go")
if cancel.button("Cancel", key="tr_cancel"):
    st.warning("Training cancelled: nothing was saved and the current model is unchanged.")

if start:
    progress = st.progress(0.0, text="Loading data...")
    chart_ae, chart_ot = st.columns(2)
    chart_ae.caption("Autoencoder: reconstruction loss per batch" if not is_toy
                     else "2-D toy data: the data is its own latent space, no autoencoder to train")
    chart_ot.caption("OT solver: L1 mass error on each iteration's fresh samples")
    ae_plot, ot_plot = chart_ae.empty(), chart_ot.empty()
    losses, l1s = [], []
    t0 = time.perf_counter()

    def on_progress(ev):
        share = {"autoencoder": 0.0, "encode": 0.5, "ot": 0.55, "ot-validation": 0.55}[ev.stage]
        span = 0.5 if ev.stage == "autoencoder" else 0.05 if ev.stage == "encode" else 0.45
        frac = share + span * ev.fraction
        elapsed = time.perf_counter() - t0
        left = elapsed / frac - elapsed if frac > 0.02 else float("nan")
        text = f"{ev.stage}: {ev.step}/{ev.total}" + ("" if np.isnan(left) else f", about {left:.0f} s left")
        if ev.stage == "autoencoder":
            losses.append(ev.metrics["loss"])
            if ev.step % 10 == 0 or ev.step == ev.total:
                ae_plot.line_chart(pd.DataFrame({"loss": losses}), height=220)
        elif ev.stage == "ot-validation":
            text = f"OT validation: L1 {ev.metrics['l1']:.4f} (noise floor {ev.metrics['noise_floor']:.4f})"
        elif ev.stage == "ot":
            l1s.append(ev.metrics["l1"])
            if ev.step % 10 == 0:
                ot_plot.line_chart(pd.DataFrame({"L1": l1s}), height=220)
        progress.progress(min(frac, 1.0), text=text)

    try:
        kwargs = {"n_samples": int(n_samples), "random_state": int(seed)}
        ds = load_dataset(dataset_name, **kwargs)
        cfg = AEOTConfig(ae=AEConfig(latent_dim=int(latent)),
                         train=TrainConfig(epochs=int(epochs), random_state=int(seed)),
                         ot=OTConfig(max_iter=int(ot_iters), random_state=int(seed), validation_samples=2**19))
        model = fit_aeot(ds, cfg, callback=on_progress)
    except (ValueError, TypeError) as exc:
        progress.empty()
        st.error(f"Training failed: {exc}")
    else:
        progress.progress(1.0, text=f"Done in {time.perf_counter() - t0:.0f} s")
        name = f"trained: {dataset_name} ({len(ds)}, seed {int(seed)})"
        add_trained(name, model)
        st.session_state["tr_last"] = name
        v = model.ot_validation
        st.success(f"{name} is now the current model: OT L1 {v['l1']:.4f} (noise floor {v['noise_floor']:.4f}), "
                   f"empty cells {v['empty_share']:.1%}. Explore it on the other pages.")

last = st.session_state.get("tr_last")
if last and last in st.session_state["aeot_session_models"]:
    st.download_button("Download the last trained model (bundle .npz)",
                       bundle_to_bytes(st.session_state["aeot_session_models"][last]),
                       file_name="aeot_model.npz", key="tr_download")
