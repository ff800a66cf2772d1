"""The Lesson page's steps: a 20-minute class on why GANs collapse and AE-OT does not, on the shipped models.

Each step draws one figure from the existing figure builders and says one thing to notice. The toy comes first
(cells, the singular set, a straight probe, continuous curves through the gaps), then MNIST (the straight path as
digits, class coverage), then links to the pages. The figures come from the shipped bundles and their stored views,
so each step draws in about a second on 2 cores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st
from streamlit.errors import StreamlitAPIException

from ...analysis.generation import plain_map
from ...analysis.lab import LABELS, source_path, straight_paths
from ...analysis.probe_output import outputs_along
from ...io.images import image_grid
from ...pipeline.views import LAB_SAMPLES, LAB_SEED
from .cache import exact_cells_for, explainer_for, lab_results_for, model_key, shipped_baselines, singular_set_for
from .state import DEFAULT_NAME, SHIPPED_BASELINES, TOY_NAME, shipped_model
from .teaching import styled

#: the toy probe: a straight segment of the noise square across several modes
TOY_PROBE = (np.array([-0.45, -0.3]), np.array([0.45, 0.35]))
PATH_POINTS = 12
#: points along the toy probe: the figure's, and every eighth of them to show how the largest step changes when refined
FINE, COARSE = 3201, 401


@dataclass(frozen=True)
class Step:
    """One step of the lesson: a title, a drawing (one figure, drawn into the page) and what to notice."""

    title: str
    draw: Callable[[str], str]  # draws the figure under a widget key; returns the "what to notice" sentence


def missing_models() -> list:
    """Shipped files the Lesson needs and cannot find (models and their baselines), by file name."""
    from .state import SHIPPED

    paths = [SHIPPED[n] for n in (TOY_NAME, DEFAULT_NAME)] + [SHIPPED_BASELINES[n] for n in (TOY_NAME, DEFAULT_NAME)]
    return [p.name for p in paths if not p.is_file()]


def _shipped(name: str):
    """A shipped model, its cache key, its shipped baselines and their id."""
    model = shipped_model(name)
    baselines, baselines_id = shipped_baselines(name)
    return model_key(name, model), model, baselines, baselines_id


def _shipped_lab(name: str):
    """A shipped model and the Mode Collapse samples and scores of it and its baselines (the stored view)."""
    key, model, baselines, baselines_id = _shipped(name)
    samples, scores, _ = lab_results_for(key, baselines_id, LAB_SAMPLES, LAB_SEED, model, baselines)
    return model, samples, scores


@st.cache_resource(show_spinner=False, max_entries=2)
def _toy_probe(key: str, _model, _gan):
    """The toy probe's outputs (AE-OT, GAN) and its singular crossings."""
    from ...analysis.discontinuity_probe import probe

    start, end = TOY_PROBE
    outs = outputs_along(_model, start, end, {"GAN": _gan}, n=FINE)
    coarser = (FINE - 1) // (COARSE - 1)
    steps = {name: (o.every(coarser).largest_step()[0], o.largest_step()[0]) for name, o in outs.items()}
    pr = probe(start, end, _model.targets, _model.h, singular=singular_set_for(key, _model))
    return outs, pr.t[pr.singular], steps


def _noise_and_codes(fig_key: str) -> str:
    key, toy, _, _ = _shipped(TOY_NAME)
    st.plotly_chart(styled(explainer_for(key, toy), 460), key=fig_key, width="stretch")
    st.caption("Left: uniform noise in a square, cut into one cell per code; the black dots are the codes rescaled "
               "into the square, which is how the cells are computed. Middle: the same codes in data units. Right: "
               "300 new samples, coloured by the cell their noise fell in.")
    return ("Every cell has the same area, so uniform noise lands on every code equally often; a new sample lands "
            "on a mode, never between two.")


def _singular_set(fig_key: str) -> str:
    from ...viz import power_cells_figure

    key, toy, _, _ = _shipped(TOY_NAME)
    cells = exact_cells_for(key, -1, toy.targets, toy.h)
    ss = singular_set_for(key, toy)
    fig = power_cells_figure(cells, toy.targets, toy.labels, heights=toy.h, singular_segments=ss.segments_2d(cells))
    st.plotly_chart(styled(fig, 560), key=fig_key, width="stretch")
    st.caption(f"The {toy.n_codes:,} exact power cells of the shipped toy, coloured by mode; "
               f"{ss.n_singular:,} of its {len(ss.pairs):,} facets are singular (red).")
    return ("The red facets wall off each mode: crossing one, the map jumps from a code of one Gaussian to a code of "
            "another, across the empty gap between them.")


def _probe(fig_key: str) -> str:
    from ...viz import probe_output_figure

    key, toy, baselines, _ = _shipped(TOY_NAME)
    outs, singular_t, steps = _toy_probe(key, toy, baselines["gan"])
    st.plotly_chart(styled(probe_output_figure(outs, singular_t=singular_t), 400), key=fig_key, width="stretch")
    a, b = TOY_PROBE
    st.caption(f"A straight line through the noise, from ({a[0]:.2f}, {a[1]:.2f}) to ({b[0]:.2f}, {b[1]:.2f}), "
               "mapped by AE-OT (black points) and by the shipped GAN (the same line carried into its Gaussian "
               f"noise), {FINE:,} points each. Dashed red: the line crosses a singular facet.")
    a1, (g0, g1) = steps["AE-OT"][1], steps["GAN"]
    finer = (FINE - 1) // (COARSE - 1)
    return (f"AE-OT's output is flat inside a cell and leaps at the red crossings; the GAN's climbs steeply but "
            f"continuously. Sample the line {finer} times more finely and the GAN's largest step between neighbouring "
            f"points shrinks from {g0:.2f} to {g1:.2f} data units, its points filling the gaps between modes; "
            f"AE-OT's stays at {a1:.2f}: a true jump.")


def _paths(fig_key: str) -> str:
    from ...viz import paths_figure

    _, toy, baselines, _ = _shipped(TOY_NAME)
    curves = {LABELS[k]: v for k, v in straight_paths(toy, baselines, 200).items()}
    st.plotly_chart(styled(paths_figure(toy.codes, curves, xlabel="x1 (data units)", ylabel="x2 (data units)"), 520),
                    key=fig_key, width="stretch")
    st.caption("One straight path of 200 noise points through each generator. Grey: the data.")
    return ("Every neural generator draws one connected curve that runs through the empty space between modes; "
            "AE-OT's points sit on the modes only.")


def _scores_words(scores: dict, key: str, fmt) -> str:
    worst = min((g for g in scores if g != "AE-OT"), key=lambda g: scores[g][key])
    return fmt(worst, scores[worst][key], scores["AE-OT"][key])


def _toy_samples(fig_key: str) -> str:
    from ...viz import samples_figure

    toy, samples, scores = _shipped_lab(TOY_NAME)
    titles = {f"{LABELS[g]} {100 * scores[g]['hq_share']:.0f}%": samples[g] for g in samples}
    st.plotly_chart(styled(samples_figure(toy.codes, titles, xlabel="x1", ylabel="x2"), 330), key=fig_key,
                    width="stretch")
    st.caption(f"{LAB_SAMPLES:,} samples of each generator over the data (grey); the percentage is the share of "
               "samples on a mode, within 3 standard deviations of its centre (the PacGAN protocol).")
    return _scores_words(scores, "hq_share", lambda g, v, a: (
        f"The continuous curve costs samples: {100 * (1 - v):.0f}% of the {LABELS[g]}'s land between the modes "
        f"(mode mixture), against {100 * (1 - a):.1f}% of AE-OT's."))


@st.cache_resource(show_spinner=False, max_entries=2)
def _mnist_path_probe(key: str, _model):
    """The exact crossings of the MNIST step's straight path (the segment AE-OT's strip samples)."""
    from ...analysis.discontinuity_probe import probe

    x = source_path(_model.latent_dim, PATH_POINTS)
    return probe(x[0], x[-1], _model.targets, _model.h, singular=singular_set_for(key, _model))


def mnist_path_words(pr, labels, shown_cells) -> str:
    """Step 6's sentence, read off the probe of its path and the cells its strip shows.

    Parameters
    ----------
    pr : Probe
        The exact crossings of the straight path.
    labels : array-like, shape (N,)
        Digit of each code.
    shown_cells : array-like of int, shape (PATH_POINTS,)
        The cell of each image in AE-OT's strip.
    """
    labels = np.asarray(labels)
    shown = " ".join(str(d) for d in labels[np.asarray(shown_cells)])
    change = labels[pr.pairs[:, 0]] != labels[pr.pairs[:, 1]]
    n, m = len(pr.t), int(change.sum())
    flagged = change & pr.singular
    head = (f"AE-OT's strip reads {shown}. Along the whole line the map changes code {n} times and each image is "
            f"one training digit's code, never a blend; {m} of those jumps change{'s' if m == 1 else ''} the digit")
    if m == 0:
        tail = "."
    elif flagged[change].all():
        tail = (", and " + ("it crosses" if m == 1 else "every one of them crosses")
                + " the singular set (empty space between the two codes).")
    elif flagged.any():
        tail = (f", and {int(flagged.sum())} of them cross the singular set (empty space between the two codes: "
                + ", ".join(f"{labels[i]} -> {labels[j]}" for i, j in pr.pairs[flagged]) + ").")
    else:
        tail = (", but none of them crosses the singular set: those digits' codes touch, with other codes between "
                "them.")
    return (head + tail + " The GAN's strip comes from a continuous map: between two different digits it has to "
            "pass through in-between images, however few of them 12 points show.")


def _mnist_path(fig_key: str) -> str:
    key, mnist, baselines, _ = _shipped(DEFAULT_NAME)
    pr = _mnist_path_probe(key, mnist)
    shown_cells = plain_map(source_path(mnist.latent_dim, PATH_POINTS), mnist.targets, mnist.h)[1]  # the strip's
    for kind, codes in straight_paths(mnist, {"gan": baselines["gan"]}, PATH_POINTS).items():
        st.image(image_grid(np.clip(mnist.decode(codes), 0, 1), ncols=PATH_POINTS), width="stretch",
                 caption=f"{LABELS[kind]}: {PATH_POINTS} points along one straight path through its noise")
    return mnist_path_words(pr, mnist.labels, shown_cells)


def _mnist_classes(fig_key: str) -> str:
    from ...viz import class_histogram_figure

    mnist, _, scores = _shipped_lab(DEFAULT_NAME)
    data = np.bincount(mnist.labels, minlength=10) / len(mnist.labels)
    shares = {LABELS[g]: np.asarray(s["class_shares"]) for g, s in scores.items()}
    st.plotly_chart(styled(class_histogram_figure(shares, data, highlight="rarest"), 420), key=fig_key,
                    width="stretch")
    st.caption(f"{LAB_SAMPLES:,} samples per generator, each read by a digit classifier; black bars: each digit's "
               "share of the training data. Red outline: each generator's rarest digit.")
    return _scores_words(scores, "min_class_share", lambda g, v, a: (
        f"The {LABELS[g]} makes its rarest digit only {100 * v:.1f}% of the time (the data: about 10%), while AE-OT's "
        f"rarest digit still gets {100 * a:.1f}%: a continuous generator thins out some modes."))


def _try_it(fig_key: str) -> str:
    st.markdown("**Try it yourself:**")
    links = [("pages/4_Singular_Set.py", "Singular Set: move a probe and watch the map jump", ":material/bolt:"),
             ("pages/7_Playground.py", "Playground: draw your own data, a GAN beside AE-OT", ":material/draw:"),
             ("pages/6_Mode_Collapse.py", "Mode Collapse: all four baselines, scored", ":material/compare:"),
             ("pages/5_Generate.py", "Generate: new digits from a region you choose", ":material/auto_awesome:"),
             ("pages/3_Power_Diagram.py", "Power Diagram: replay the OT solve", ":material/hexagon:"),
             ("pages/1_Train.py", "Train: your own data", ":material/model_training:")]
    for page, label, icon in links:
        try:
            st.page_link(page, label=label, icon=icon)
        except StreamlitAPIException:  # outside the app's navigation (a page run on its own): name the page
            st.markdown(f"- {label}")
    return ("A neural generator is continuous and the OT map of gappy data is not: AE-OT computes the map itself, "
            "jumps and all, and so neither mixes nor drops modes.")


STEPS = [
    Step("Noise in, codes out", _noise_and_codes),
    Step("The cells and the singular set", _singular_set),
    Step("Walk a straight line through the noise", _probe),
    Step("Where a continuous generator has to go", _paths),
    Step("What that costs on the toy", _toy_samples),
    Step("The same on MNIST: one straight path", _mnist_path),
    Step("Class coverage on MNIST", _mnist_classes),
    Step("Try it yourself", _try_it),
]
