"""The Lesson page's steps: a 45-minute class on why GANs collapse and AE-OT does not, on the shipped models.

The argument, in ten steps: the theorem (a non-convex support forces the optimal transport map to jump; a network is
continuous), the toy's cells and singular facets, a straight line through the noise, a zoom that tells a jump from a
steep climb, the paths each generator walks through its own noise, what that costs on the toy, then MNIST (a
straight path as digits, class coverage), real collapse on Stacked MNIST, and the honest limits (every facet is a
jump; the convex null decides which jumps would stay). Each step draws its figure from the shipped bundles and
their stored views, and its caption and "what to notice" sentence are written from the numbers it drew
(:mod:`aeot_viz.apps.lesson_words`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import streamlit as st
from streamlit.errors import StreamlitAPIException

from ...analysis.generation import plain_map
from ...analysis.lab import LABELS, source_path, straight_paths
from ...analysis.metrics import PUBLISHED, TOY_PROTOCOLS, toy_score
from ...analysis.probe_output import outputs_along
from ...io.images import image_grid
from ...pipeline.views import LAB_SAMPLES, LAB_SEED, stored_stacked
from .. import lesson_words as words
from .cache import (
    exact_cells_for,
    explainer_for,
    explainer_samples_for,
    lab_results_for,
    model_key,
    shipped_baselines,
    singular_set_for,
)
from .state import DEFAULT_NAME, SHIPPED_BASELINES, TOY_NAME, shipped_model
from .teaching import styled

STACKED_NAME = "Stacked MNIST, 1,000 modes (shipped)"
#: the toy probe: a straight segment of the noise square across several modes
TOY_PROBE = (np.array([-0.45, -0.3]), np.array([0.45, 0.35]))
PATH_POINTS = 12
#: points along the toy probe: the zoom's fine sampling, and every FACTOR-th of them (the line drawn in step 3)
FINE, FACTOR = 3201, 8
COARSE = (FINE - 1) // FACTOR + 1
#: the zoom's half-width around each map's largest coarse step, in coarse sample spacings
ZOOM_HALF = 3
#: points along each toy path (step 5)
TOY_PATH_POINTS = 200
#: figure heights in presentation mode (a 1400 x 900 projector): a wide figure has its text below it, a side figure
#: has its text beside it
WIDE_H, SIDE_H = 375, 560
THEOREM_H = 255  # step 1's figure, under the theorem
LIMITS_H = 420  # step 10's figure, above the links to the pages


@dataclass(frozen=True)
class Told:
    """What a step says beside its figure: the caption (what is drawn), the "what to notice" sentence, and the
    numbers both were written from (for tests and the curious)."""

    caption: str
    notice: str
    facts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One step of the lesson: a title, a drawing and whether its figure is wide (text below it on a projector) or
    narrow (text beside it)."""

    title: str
    draw: Callable[[str], Told]  # draws the figure(s) under a widget key; returns what to say about them
    wide: bool = True


def missing_models() -> list:
    """Shipped files the Lesson needs and cannot find (models and their baselines), by file name."""
    from .state import SHIPPED

    names = (TOY_NAME, DEFAULT_NAME, STACKED_NAME)
    paths = [SHIPPED[n] for n in names] + [SHIPPED_BASELINES[n] for n in names]
    return [p.name for p in paths if not p.is_file()]


def _chart(fig, key: str, normal: int, wide: bool = True, present: int | None = None) -> None:
    """Draw ``fig`` at ``normal`` height, or in presentation mode at ``present`` (default: the wide or side
    height)."""
    st.plotly_chart(styled(fig, normal, present_height=present or (WIDE_H if wide else SIDE_H)), key=key,
                    width="stretch")


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


def _toy_dataset(model) -> str:
    return model.dataset.get("name", "grid25")


# --- 1. the theorem ---------------------------------------------------------------------------------------------
def _claim(fig_key: str) -> Told:
    key, toy, _, _ = _shipped(TOY_NAME)
    st.markdown(f"**The theorem.** {words.THEOREM}")
    st.caption(words.PAPERS)
    _chart(explainer_for(key, toy), fig_key, 420, present=THEOREM_H)
    score = toy_score(_toy_dataset(toy), explainer_samples_for(key, toy).codes)  # the samples drawn
    on_mode = int(round(score.hq_share * score.n_points))
    caption = ("Left: uniform noise, one cell per code (dots: the codes rescaled into the square; red: singular "
               f"facets). Middle: the codes. Right: {score.n_points} new samples, coloured by the cell their noise "
               "fell in.")
    return Told(caption, words.claim_words(toy.n_codes, score.n_points, on_mode),
                {"n_codes": toy.n_codes, "n_samples": score.n_points, "n_on_mode": on_mode})


# --- 2. the cells and the singular set ----------------------------------------------------------------------------
def _singular_set(fig_key: str) -> Told:
    from ...viz import power_cells_figure

    key, toy, _, _ = _shipped(TOY_NAME)
    cells = exact_cells_for(key, -1, toy.targets, toy.h)
    ss = singular_set_for(key, toy)
    fig = power_cells_figure(cells, toy.targets, toy.labels, heights=toy.h, singular_segments=ss.segments_2d(cells))
    _chart(fig, fig_key, 560, wide=False)
    between = toy.labels[ss.pairs[:, 0]] != toy.labels[ss.pairs[:, 1]]
    facts = {"n_facets": len(ss.pairs), "n_singular": ss.n_singular, "n_between": int(between.sum()),
             "n_singular_between": int((between & ss.singular).sum())}
    caption = (f"The {toy.n_codes:,} exact power cells of the shipped toy, coloured by mode; red: the singular "
               "facets.")
    return Told(caption, words.cells_words(**facts), facts)


# --- 3. and 4. a straight line, and a zoom on it ------------------------------------------------------------------
@st.cache_resource(show_spinner=False, max_entries=2)
def _toy_probe(key: str, _model, _gan):
    """The toy probe's outputs (AE-OT, GAN) at the fine resolution and its exact crossings."""
    from ...analysis.discontinuity_probe import probe

    start, end = TOY_PROBE
    outs = outputs_along(_model, start, end, {"GAN": _gan}, n=FINE)
    return outs, probe(start, end, _model.targets, _model.h, singular=singular_set_for(key, _model))


def _probe(fig_key: str) -> Told:
    from ...viz import probe_output_figure

    key, toy, baselines, _ = _shipped(TOY_NAME)
    outs, pr = _toy_probe(key, toy, baselines["gan"])
    coarse = {name: o.every(FACTOR) for name, o in outs.items()}
    _chart(probe_output_figure(coarse, singular_t=pr.t[pr.singular], joined=False), fig_key, 400)
    a, b = TOY_PROBE
    facts = {"n_points": COARSE, "n_cells": len(pr.t) + 1, "n_singular": int(pr.singular.sum()),
             "aeot_step": coarse["AE-OT"].largest_step()[0], "gan_step": coarse["GAN"].largest_step()[0]}
    caption = (f"A straight line through the noise, from ({a[0]:.2f}, {a[1]:.2f}) to ({b[0]:.2f}, {b[1]:.2f}), "
               f"{COARSE:,} points, mapped by AE-OT (black) and by the shipped GAN (the same line carried into its "
               "Gaussian noise), both drawn as points. Dashed red: the line crosses a singular facet.")
    return Told(caption, words.probe_words(**facts), facts)


def zoom_windows(outs: dict) -> dict:
    """Around each map's largest step at the coarse resolution: ``ZOOM_HALF`` coarse spacings either side."""
    half = ZOOM_HALF / (COARSE - 1)
    windows = {}
    for name, o in outs.items():
        t = o.every(FACTOR).largest_step()[1]
        lo = min(max(t - half, 0.0), 1.0 - 2 * half)
        windows[name] = (lo, lo + 2 * half)
    return windows


def _zoom(fig_key: str) -> Told:
    from ...viz import refinement_figure

    key, toy, baselines, _ = _shipped(TOY_NAME)
    outs, _ = _toy_probe(key, toy, baselines["gan"])
    _chart(refinement_figure(outs, zoom_windows(outs), FACTOR), fig_key, 460)
    steps = {name: (o.every(FACTOR).largest_step()[0], o.largest_step()[0]) for name, o in outs.items()}
    facts = {"factor": FACTOR, "n_coarse": COARSE, "n_fine": FINE, "aeot": steps["AE-OT"], "gan": steps["GAN"]}
    caption = ("Each map's output around its largest step on the line: circles, sampled as in the last step; dots, "
               f"{FACTOR} times more finely. Titles: the largest step between neighbouring points on the whole line, "
               "in data units, at each resolution.")
    return Told(caption, words.zoom_words(**facts), facts)


# --- 5. and 6. the toy's paths and samples ------------------------------------------------------------------------
def _paths(fig_key: str) -> Told:
    from ...viz import paths_figure

    _, toy, baselines, _ = _shipped(TOY_NAME)
    curves = {LABELS[k]: v for k, v in straight_paths(toy, baselines, TOY_PATH_POINTS).items()}
    _chart(paths_figure(toy.codes, curves, xlabel="x1 (data units)", ylabel="x2 (data units)"), fig_key, 520,
           wide=False)
    name = _toy_dataset(toy)
    off = {g: int(round((1 - toy_score(name, v).hq_share) * len(v))) for g, v in curves.items()}
    caption = (f"One straight line of {TOY_PATH_POINTS} noise points through each generator, in the noise it reads. "
               "Grey: the data.")
    try:  # the same argument, live: the GAN's grid image stretches across the gaps, AE-OT's tears
        st.page_link("pages/7_Playground.py", label="See it live: a GAN's grid stretches across the gaps, AE-OT's "
                     "tears (Playground)", icon=":material/grid_on:")
    except StreamlitAPIException:  # outside the app's navigation (a page run on its own)
        pass
    return Told(caption, words.paths_words(TOY_PATH_POINTS, off), {"n_points": TOY_PATH_POINTS, "off_mode": off})


def _toy_samples(fig_key: str) -> Told:
    from ...viz import samples_figure

    toy, samples, scores = _shipped_lab(TOY_NAME)
    titles = {f"{LABELS[g]} {100 * scores[g]['hq_share']:.0f}%": samples[g] for g in samples}
    _chart(samples_figure(toy.codes, titles, xlabel="x1", ylabel="x2"), fig_key, 330)
    name = _toy_dataset(toy)
    published = next((m for ref, m, _, _ in PUBLISHED.get(name, []) if ref == "GAN"), None)
    named = {LABELS[g]: {"modes_covered": s["modes_covered"], "hq_share": s["hq_share"]} for g, s in scores.items()}
    n_modes = len(TOY_PROTOCOLS[name][0]) if name in TOY_PROTOCOLS else next(iter(scores.values()))["n_modes"]
    caption = (f"{LAB_SAMPLES:,} samples of each generator over the data (grey); the percentage is the share of "
               "samples on a mode, within 3 standard deviations of its centre (the PacGAN protocol).")
    return Told(caption, words.toy_samples_words(LAB_SAMPLES, n_modes, named, published),
                {"scores": named, "n_modes": n_modes, "published": published})


# --- 7. MNIST: one straight path --------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False, max_entries=2)
def _mnist_paths(key: str, _model, _baselines):
    """The MNIST step's strips (images per map), the classifier's reading of each, and the exact crossings of
    AE-OT's straight path."""
    from ...analysis.discontinuity_probe import probe
    from ...models.classifier import default_classifier

    clf = default_classifier()
    strips, readings = {}, {}
    for kind, codes in straight_paths(_model, _baselines, PATH_POINTS).items():
        strips[kind] = np.clip(_model.decode(codes), 0, 1)
        readings[kind] = words.strip_reading(clf.predict_proba(strips[kind]))
    x = source_path(_model.latent_dim, PATH_POINTS)
    pr = probe(x[0], x[-1], _model.targets, _model.h, singular=singular_set_for(key, _model))
    return strips, readings, pr


def _mnist_path(fig_key: str) -> Told:
    key, mnist, baselines, _ = _shipped(DEFAULT_NAME)
    strips, readings, pr = _mnist_paths(key, mnist, baselines)
    shown_cells = plain_map(source_path(mnist.latent_dim, PATH_POINTS), mnist.targets, mnist.h)[1]  # the strip's
    blend = words.blend_choice({g: r for g, r in readings.items() if g != "AE-OT"})
    for kind in ("AE-OT", blend):
        r = readings[kind]
        st.image(image_grid(strips[kind], ncols=PATH_POINTS), width="stretch",
                 caption=f"{LABELS[kind]}: the classifier reads " + " ".join(str(int(d)) for d in r["digits"])
                         + f"; least confident {100 * r['confidence'].min():.0f}%")
    caption = (f"{PATH_POINTS} points along one straight line through each map's own noise: AE-OT, and the baseline "
               f"whose strip holds the least confident image ({LABELS[blend]}). Under each strip: the digits the "
               "shipped classifier reads.")
    notice = (words.mnist_path_words(pr, mnist.labels, shown_cells, readings["AE-OT"]) + " "
              + words.blend_words(LABELS[blend], readings[blend], len(readings) - 1))
    return Told(caption, notice, {"blend": blend, "readings": readings})


# --- 8. class coverage on MNIST -----------------------------------------------------------------------------------
def _mnist_classes(fig_key: str) -> Told:
    from ...viz import class_histogram_figure

    mnist, _, scores = _shipped_lab(DEFAULT_NAME)
    data = np.bincount(mnist.labels, minlength=10) / len(mnist.labels)
    shares = {LABELS[g]: np.asarray(s["class_shares"]) for g, s in scores.items()}
    thin = {g: words.thinnest_class(s, data)[0] for g, s in shares.items()}
    _chart(class_histogram_figure(shares, data, highlight=thin), fig_key, 420, wide=False)
    caption = (f"{LAB_SAMPLES:,} samples per generator, each read by the digit classifier; black bars: each digit's "
               "share of the training data. Red outline: each generator's most thinned-out digit (its share over "
               "the data's is smallest).")
    return Told(caption, words.class_words(shares, data), {"shares": shares, "data": data})


# --- 9. real collapse: Stacked MNIST ------------------------------------------------------------------------------
def _stacked(fig_key: str) -> Told:
    from ...viz import mode_histograms_figure

    _, model, _, baselines_id = _shipped(STACKED_NAME)
    found = stored_stacked(model, baselines_id)
    if found is None:
        raise ValueError("The shipped Stacked MNIST bundle has no stored 1,000-mode scores: rebuild its views "
                         "(python scripts/build_views.py --views stacked).")
    scores = {LABELS.get(g, g): s for g, s in found.items()}
    worst = min((g for g in scores if g not in ("AE-OT", "AE-OT (plain map)")),
                key=lambda g: scores[g]["modes_covered"])
    fig = mode_histograms_figure({f"{g}: {scores[g]['modes_covered']:,} of 1,000 modes": scores[g]["histogram"]
                                  for g in ("AE-OT", worst)})
    _chart(fig, fig_key, 500)
    n = scores["AE-OT"]["n_samples"]
    caption = ("Three digits as the colour channels: 1,000 modes. "
               f"{n:,} samples per generator, each channel read by the classifier. One cell per mode (row: first "
               "digit; column: second and third), coloured by its count over the uniform share; black: no sample.")
    return Told(caption, words.stacked_words(scores), {"scores": scores})


# --- 10. the honest limits, and try it yourself -------------------------------------------------------------------
PAGES = [("pages/4_Singular_Set.py", "Singular Set: move a probe and watch the map jump", ":material/bolt:"),
         ("pages/7_Playground.py", "Playground: your data; a GAN's grid stretches, AE-OT's tears", ":material/draw:"),
         ("pages/6_Mode_Collapse.py", "Mode Collapse: all four baselines, scored", ":material/compare:"),
         ("pages/5_Generate.py", "Generate: new digits from a region you choose", ":material/auto_awesome:"),
         ("pages/3_Power_Diagram.py", "Power Diagram: replay the OT solve", ":material/hexagon:"),
         ("pages/1_Train.py", "Train: your own data", ":material/model_training:")]


def _limits(fig_key: str) -> Told:
    from ...viz import null_histogram_figure

    key, mnist, _, _ = _shipped(DEFAULT_NAME)
    ss = singular_set_for(key, mnist)
    panels = [("midpoint emptiness of each facet", ss.emptiness, ss.null.emptiness, ss.null.emptiness_threshold)]
    _chart(null_histogram_figure(panels), fig_key, 340, wide=False, present=LIMITS_H)
    between = mnist.labels[ss.pairs[:, 0]] != mnist.labels[ss.pairs[:, 1]]
    facts = {"n_facets": len(ss.pairs), "n_singular": ss.n_singular,
             "n_singular_between": int((between & ss.singular).sum()), "p_value": ss.p_value}
    st.markdown("**Try it yourself:**")
    columns = st.columns(2)
    for k, (page, label, icon) in enumerate(PAGES):
        try:
            columns[k % 2].page_link(page, label=label, icon=icon)
        except StreamlitAPIException:  # outside the app's navigation (a page run on its own): name the page
            columns[k % 2].markdown(f"- {label}")
    caption = (f"MNIST's {len(ss.pairs):,} facets (blue) against the convex null's {ss.null.n_facets:,} (grey), by "
               "the empty space at the midpoint of each facet's two codes over the local spacing; dashed red: the "
               "null's largest.")
    return Told(caption, words.limits_words(**facts), facts)


STEPS = [
    Step("The claim: gaps force the map to jump", _claim),
    Step("The cells and the singular set", _singular_set, wide=False),
    Step("Walk a straight line through the noise", _probe),
    Step("Zoom in: a jump, or a steep climb?", _zoom),
    Step("Each generator walks its own noise", _paths, wide=False),
    Step("What that costs on the toy", _toy_samples),
    Step("MNIST: one straight path, as digits", _mnist_path),
    Step("Class coverage on MNIST", _mnist_classes, wide=False),
    Step("Real collapse: Stacked MNIST's 1,000 modes", _stacked),
    Step("The honest limits, and try it yourself", _limits, wide=False),
]
