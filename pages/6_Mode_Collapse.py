"""Mode collapse: AE-OT next to a GAN, a WGAN-GP and a VAE on the same data, measured and explained."""

import numpy as np
import pandas as pd
import streamlit as st

from aeot_viz.analysis.lab import (
    GENERATORS,
    LABELS,
    baselines_in_words,
    failure_in_words,
    is_stacked_mnist,
    recipe_steps,
    straight_paths,
    train_baselines,
)
from aeot_viz.analysis.metrics import PUBLISHED, STACKED_PUBLISHED, STACKED_SAMPLES, TOY_PROTOCOLS, toy_score
from aeot_viz.analysis.projections import axis_titles
from aeot_viz.apps.ui.cache import lab_results_for, model_key, shipped_baselines, singular_set_for
from aeot_viz.apps.ui.state import SHIPPED_BASELINES, current_model, init_state
from aeot_viz.apps.ui.teaching import notice
from aeot_viz.io.images import image_grid
from aeot_viz.models.baselines import KINDS, baselines_to_bytes
from aeot_viz.models.classifier import default_classifier
from aeot_viz.pipeline.views import stored_stacked
from aeot_viz.viz import (
    class_histogram_figure,
    mode_histograms_figure,
    paths_figure,
    samples_figure,
    training_scores_figure,
)

LATENT_X, LATENT_Y = axis_titles("pca", 2)  # the 2-D codes, shown as they are

st.set_page_config(page_title="Mode collapse - AE-OT Explorer", layout="wide")
init_state()
name, model = current_model()
key = model_key(name, model)
st.title("Mode collapse")
notice("Mode Collapse")
intro = st.empty()  # names the baselines this model has, once they are known

# --- which baselines: shipped with the model, or trained here -----------------------------------------------
trained = st.session_state.setdefault("mc_trained", {})  # model key -> {kind: Baseline}, this session only
path = SHIPPED_BASELINES.get(name)
options = (["shipped with this model"] if path is not None and path.is_file() else []) + ["trained here"]
source = st.radio("Baselines", options, horizontal=True, key="mc_source",
                  help="Shipped baselines were trained by scripts/build_baselines.py (seed 0).")


def introduce(kinds):
    """The page's opening caption, naming only the baselines there are (before training: those the button trains)."""
    intro.caption(f"Model: {name} (pick another on the Home page). AE-OT against {baselines_in_words(kinds)}.")


if source == "trained here":
    introduce(KINDS)
    c1, c2 = st.columns([3, 1])
    default_steps = recipe_steps(model)
    scale = c1.select_slider("Training length (x the shipped recipe's steps)", [0.1, 0.25, 0.5, 1.0, 2.0], 0.25,
                             key="mc_scale",
                             help=f"The shipped baselines' generator steps: {default_steps}. At 1x a toy baseline "
                                  "trains for 1-3 minutes on 2 cores; the default quarter is quicker and scores lower "
                                  "(docs/BENCHMARKS.md measures both).")
    seed = c2.number_input("Seed", 0, 10_000, 0, key="mc_seed")
    what = [LABELS[k] for k in KINDS]
    if st.button(f"Train {', '.join(what[:-1])} and {what[-1]}", type="primary", key="mc_train"):
        bar = st.progress(0.0, text="Training...")
        order = list(default_steps)

        def on_progress(ev):
            if ev.step % 25 == 0 or ev.step == ev.total:
                done = (order.index(ev.stage) + ev.fraction) / len(order)
                bar.progress(done, text=f"{LABELS[ev.stage]}: step {ev.step}/{ev.total}")

        try:
            trained[key] = train_baselines(model, steps={k: max(1, int(v * scale)) for k, v in default_steps.items()},
                                           random_state=int(seed), callback=on_progress)
            bar.progress(1.0, text="Done")
        except ValueError as exc:
            bar.empty()
            st.error(f"Training failed: {exc}")
    baselines = trained.get(key)
    if baselines is None:
        st.info("Train the baselines (button above) to compare them with AE-OT.")
        st.stop()
    baselines_id = f"trained-{id(baselines)}"
    st.download_button("Download these baselines (.npz)", baselines_to_bytes(baselines), "aeot_baselines.npz",
                       "application/octet-stream", key="mc_download",
                       help="Keep them beside the model's bundle; aeot_viz.models.baselines.load_baselines reads them.")
else:
    baselines, baselines_id = shipped_baselines(name)
introduce(list(baselines))

# --- samples side by side, and their scores ---------------------------------------------------------------------
n = st.select_slider("Samples per generator", [500, 1000, 2500, 5000], 2500, key="mc_n",
                     help="2,500 is the PacGAN / VEEGAN protocol for the toy mixtures.")
samples, scores, why_not = lab_results_for(key, baselines_id, int(n), 0, model, baselines)
titles = {LABELS[g]: samples[g] for g in GENERATORS if g in samples}
st.subheader("Samples")
if model.dataset["kind"] == "images":
    cols = st.columns(len(titles))
    for col, (title, codes) in zip(cols, titles.items()):
        col.image(image_grid(np.clip(model.decode(codes[:64]), 0, 1), ncols=8), caption=title)
else:
    st.plotly_chart(samples_figure(model.codes, titles, xlabel=LATENT_X, ylabel=LATENT_Y), key="mc_samples",
                    width="stretch")
    st.caption("Grey: the training data. Look for samples between the modes (mode mixture) and modes with few or no "
               "samples (mode collapse); the scores below measure both.")

st.subheader("Scores")
stacked = is_stacked_mnist(model)
if stacked:
    # --- Stacked MNIST: the 1,000-mode protocol (26,000 samples per generator, each channel read by the CNN) ---
    st.write(f"**Stacked MNIST, 1,000 modes.** Each image stacks three digits as its colour channels, so there "
             f"are 10 x 10 x 10 = 1,000 modes. Each generator draws {STACKED_SAMPLES:,} samples; the shipped digit "
             "classifier reads each channel, a mode is covered when at least one sample lands on it, and the KL "
             "divergence compares the mode histogram with the uniform one (VEEGAN's and PacGAN's protocol).")
    results = st.session_state.setdefault("mc_stacked", {})
    found = stored_stacked(model, baselines_id) or results.get((key, baselines_id))
    if found is None:
        st.info(f"These baselines have no stored Stacked-MNIST scores. Scoring {STACKED_SAMPLES:,} samples of each "
                "generator takes about a minute on 2 CPU cores.")
        if st.button("Score the generators", type="primary", key="mc_stacked_run"):
            from aeot_viz.analysis.lab import stacked_scores

            bar = st.progress(0.0, text="Scoring...")
            order = ["AE-OT", "AE-OT (plain map)", *baselines]

            def on_score(ev):
                done = (order.index(ev.stage) + ev.fraction) / len(order) if ev.stage in order else 0.0
                bar.progress(min(done, 1.0), text=f"{LABELS.get(ev.stage, ev.stage)}: {ev.step:,}/{ev.total:,}")

            found = stacked_scores(model, baselines, default_classifier(), singular=singular_set_for(key, model),
                                   callback=on_score)
            results[(key, baselines_id)] = found
            bar.empty()
    if found is not None:
        rows = [{"generator": LABELS.get(g, g), "modes covered (of 1,000)": s["modes_covered"],
                 "KL(modes || uniform)": s["kl"], "samples": s["n_samples"], "source": "this model, seed 0"}
                for g, s in found.items()]
        rows += [{"generator": f"{ref} (published)", "modes covered (of 1,000)": modes, "KL(modes || uniform)": kl,
                  "samples": STACKED_SAMPLES, "source": src} for ref, modes, kl, src in STACKED_PUBLISHED]
        st.dataframe(pd.DataFrame(rows), key="mc_stacked_scores", hide_index=True)
        acc = default_classifier().meta.get("test_accuracy")
        st.caption("Published rows: VEEGAN (Srivastava et al. 2017) Table 2 and PacGAN (Lin et al. 2018) Tables 3-4, "
                   "with their own DCGAN-size networks on images; ours are trained on this model's latent codes "
                   "(the shared decoder makes the images)."
                   + (f" The judge reads one channel right {100 * acc:.2f}% of the time on held-out digits."
                      if isinstance(acc, (int, float)) else ""))
        st.plotly_chart(mode_histograms_figure({LABELS.get(g, g): s["histogram"] for g, s in found.items()}),
                        key="mc_stacked_hist", width="stretch")
        st.caption("One cell per mode (row: first digit; column: second and third). Colour: samples over the "
                   "uniform share; black: a mode no sample reached. A collapsed generator shows black holes and "
                   "bright spots; a uniform one a flat colour.")
if scores is None:
    st.info(f"No scores for this model: {why_not}")
elif stacked:
    pass  # the 1,000-mode table above is this model's score
elif model.dataset["kind"] == "images":
    rows = [{"generator": LABELS[g], "classes with >= 1%": s["classes_at_1pct"],
             "smallest class share": s["min_class_share"], "KL(classes || data)": s["class_kl"],
             "mean confidence": s["confidence"], "precision": s["precision"], "recall": s["recall"],
             "Fréchet distance (classifier features)": s["feature_frechet"]} for g, s in scores.items()]
    lesson = ["recall", "smallest class share"]  # the cells that carry the lesson: coverage of the data's modes
    table = pd.DataFrame(rows).style.highlight_min(subset=lesson, color="#ffd6d6").highlight_max(
        subset=lesson, color="#d6f5d6").format({c: "{:.3f}" for c in lesson})
    st.dataframe(table, key="mc_scores", hide_index=True)
    st.caption("Highlighted: **recall** (the share of real digits a generator's samples come close to: low means "
               "modes missed) and the **smallest class share** (its rarest digit; the data give every digit about "
               "10%). Green is the best generator on each, red the worst.")
    ten_digits = model.labels is not None and model.labels.min() >= 0 and model.labels.max() < 10
    if all(len(s.get("class_shares", ())) == 10 for s in scores.values()) and ten_digits:
        data_share = np.bincount(model.labels, minlength=10) / len(model.labels)
        st.plotly_chart(class_histogram_figure({LABELS[g]: s["class_shares"] for g, s in scores.items()}, data_share,
                                               highlight="rarest"),
                        key="mc_class_bars", width="stretch")
        st.caption("Which digits each generator makes, as the classifier reads its samples; the black bar across "
                   "each group is that digit's share of the training data, and each generator's rarest digit is "
                   "outlined in red. Bars far below the line are modes thinned out (collapse).")
    st.caption("Judged by a small CNN trained on MNIST-10k (97.95% on held-out digits). Low confidence means "
               "in-between digits (mode mixture). The Fréchet distance uses that CNN's features: it is not an "
               "Inception FID, compare it only within this table.")
    st.markdown("\n".join(f"- **{LABELS[g]}**: {failure_in_words(s)}" for g, s in scores.items()))
else:
    rows = [{"generator": LABELS[g], "modes (>= 1 HQ)": s["modes_covered"], "modes (>= 20 HQ)":
             s["modes_covered_strict"], "% high quality": 100 * s["hq_share"], "reverse KL": s["reverse_kl"]}
            for g, s in scores.items()]
    dataset = model.dataset.get("name")
    for ref, modes, hq, kl in PUBLISHED.get(dataset, []):
        rows.append({"generator": f"{ref} (PacGAN Table 1, published)", "modes (>= 1 HQ)": modes,
                     "modes (>= 20 HQ)": None, "% high quality": hq, "reverse KL": kl})
    table = pd.DataFrame(rows).style.format({"modes (>= 1 HQ)": "{:g}", "modes (>= 20 HQ)": "{:.0f}",
                                             "% high quality": "{:.1f}", "reverse KL": "{:.3f}"}, na_rep="—")
    st.dataframe(table, key="mc_scores", hide_index=True)
    st.caption("A point is high quality (HQ) within 3 standard deviations of its nearest mode; a mode is covered "
               "with at least one HQ point; reverse KL compares the HQ mode histogram with the uniform one "
               "(PacGAN / VEEGAN protocol). Published rows are means of 10 trials from the PacGAN paper"
               + (", which gives no count of modes with 20 HQ points (—)." if dataset in PUBLISHED else "."))
    n_modes = next(iter(scores.values()))["n_modes"]
    st.markdown("**What the table says**, generator by generator:\n"
                + "\n".join(f"- **{LABELS[g]}**: {failure_in_words(s, n_modes)}" for g, s in scores.items()))

# --- the continuity lesson ---------------------------------------------------------------------------------------
st.subheader("Why a continuous generator must fail: one straight path through the noise")
st.write(
    "A generator network is continuous: along a straight line in its noise, its output moves continuously, so "
    "between two modes it must cross the empty space (**mode mixture**) or give a mode up (**mode collapse**). "
    "Figalli's regularity theory: the optimal transport map onto data with gaps is itself discontinuous. AE-OT "
    "computes that map, so along the same line its output stays on the data and **jumps** at the singular set.")
images = model.dataset["kind"] == "images"
# images: a strip of decoded points per generator, as many as chosen; 2-D points: a 200-point curve each
steps = st.slider("Points along the path", 8, 24, 12, key="mc_path_n") if images else 200
path_seed = st.number_input("Path seed", 0, 10_000, 0, key="mc_path_seed")
if images:
    for kind, codes in straight_paths(model, baselines, steps, int(path_seed)).items():
        st.image(image_grid(np.clip(model.decode(codes), 0, 1), ncols=steps), caption=LABELS[kind])
else:
    curves = {LABELS[k]: v for k, v in straight_paths(model, baselines, steps, int(path_seed)).items()}
    st.plotly_chart(paths_figure(model.codes, curves, xlabel=LATENT_X, ylabel=LATENT_Y), key="mc_paths",
                    width="stretch")
    st.caption("Each line is one straight path (200 points) mapped by a generator. The baselines draw connected "
               "curves through the gaps; AE-OT's points stay on the modes and jump between them.")

# --- training replay ---------------------------------------------------------------------------------------------
kinds_with_snaps = [k for k, b in baselines.items() if b.snapshots_ is not None and len(b.snapshots_) > 1]
if model.dataset["kind"] == "points" and kinds_with_snaps:
    st.subheader("Replay: watch a generator train")
    r1, r2 = st.columns([1, 3])
    kind = r1.radio("Generator", kinds_with_snaps, format_func=LABELS.get, key="mc_replay_kind")
    b = baselines[kind]
    k = r2.select_slider("Replay: generator training step", options=list(range(len(b.snapshots_))),
                         value=len(b.snapshots_) - 1, key="mc_replay",
                         format_func=lambda i: f"{int(b.snapshot_steps_[i]):,}")
    st.plotly_chart(samples_figure(model.codes, {f"{LABELS[kind]} after {int(b.snapshot_steps_[k])} steps":
                                                 b.snapshots_[k]}, xlabel=LATENT_X, ylabel=LATENT_Y),
                    key="mc_replay_fig", width="stretch")
    st.caption("The same 500 noise vectors mapped by the generator during training: modes appear, move and "
               "disappear as the discriminator chases them.")
    dataset = model.dataset.get("name")
    if dataset in TOY_PROTOCOLS:  # how the scores of those 500 points evolve: training ran until they levelled off
        rows = [toy_score(dataset, s) for s in b.snapshots_]
        st.plotly_chart(training_scores_figure(b.snapshot_steps_, {
            "high-quality share": [100 * r.hq_share for r in rows],
            "modes covered (>= 1 HQ)": [100 * r.modes_covered / r.n_modes for r in rows]}, current=int(k),
            title=f"{LABELS[kind]}: scores of the replayed points during training"), key="mc_replay_scores",
            width="stretch")
        st.caption("Scores of the same 500 noise vectors at every snapshot (PacGAN protocol on 500 points). A "
                   "baseline trained to the standard levels off before its last steps.")
