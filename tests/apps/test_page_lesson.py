"""The Lesson page: every step draws its figure (titled axes), its caption and its "what to notice" sentence; the
buttons walk the steps both ways; presentation mode makes figures and their text larger; and every sentence says
what the data drawn beside it show, checked here against numbers recomputed independently (brute-force arg-max
over the cells, the figure's own arrays, the classifier run again, the stored scores)."""

import json
import re

import numpy as np
import pytest
from app_helpers import plotly_array, run_page
from repo import repo_file
from test_axes import untitled_axes

from aeot_viz.apps.ui.lesson import STEPS

LESSON = "pages/8_Lesson.py"
TITLES = [s.title for s in STEPS]


def _figure_count(at) -> int:
    return len(at.get("plotly_chart")) + sum(len(im.proto.imgs) > 0 for im in at.get("image"))


def _notices(at) -> list:
    return [m.value for m in at.markdown if "**What to notice.**" in m.value]


def _number(text: str) -> float:
    return float(text.replace(",", ""))


@pytest.fixture(scope="module")
def steps():
    """The notice and the figure specs of every step, walked once with the Next button."""
    at = run_page(repo_file(LESSON), timeout=300)
    seen = {}
    for k in range(len(STEPS)):
        assert not at.exception, (k, [e.value for e in at.exception])
        notes = _notices(at)
        seen[at.header[0].value] = {"notice": notes[0] if len(notes) == 1 else notes,
                                    "specs": [json.loads(c.proto.spec) for c in at.get("plotly_chart")],
                                    "captions": [c.value for c in at.caption],
                                    "figures": _figure_count(at)}
        if k < len(STEPS) - 1:
            at.button(key="lesson_next").click().run(timeout=300)
    seen["_at"] = at
    return seen


def _model(name):
    from aeot_viz.pipeline.bundle import load_bundle
    from aeot_viz.utils.paths import assets_dir

    return load_bundle(assets_dir() / name)


def _singular_facets(name):
    """A shipped model, its singular set (the stored convex null's) and which facets join two different labels."""
    from aeot_viz.analysis.singularity import model_singular_set

    m = _model(name)
    ss = model_singular_set(m)
    return m, ss, m.labels[ss.pairs[:, 0]] != m.labels[ss.pairs[:, 1]]


def test_walking_every_step_shows_its_figure_caption_and_one_sentence(steps):
    assert 8 <= len(STEPS) <= 10  # the whole argument, in at most ten steps
    assert list(k for k in steps if k != "_at") == TITLES
    for title in TITLES:
        s = steps[title]
        assert isinstance(s["notice"], str) and len(s["notice"]) > 60, (title, s["notice"])
        assert s["figures"] >= 1, f"{title} shows no figure"
        assert any(len(c) > 40 for c in s["captions"]), f"{title} has no caption saying what is drawn"
        for spec in s["specs"]:
            assert untitled_axes(spec) == [], title
    assert len({steps[t]["notice"] for t in TITLES}) == len(STEPS)  # a sentence of its own for every step
    at = steps["_at"]
    assert at.button(key="lesson_next").disabled and not at.button(key="lesson_prev").disabled
    at.button(key="lesson_prev").click().run(timeout=300)
    assert at.header[0].value == TITLES[-2]


def test_the_first_step_states_the_theorem_with_its_two_papers(steps):
    at = run_page(repo_file(LESSON), timeout=300)
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "**The theorem.**" in text and "not convex" in text and "continuous" in text
    assert "1902.02934" in text and "ICLR 2020" in text  # Lei et al. and An et al.
    assert "Figalli" in text


def test_step_1_counts_the_samples_on_a_mode_in_the_picture(steps):
    """The share of new samples on a mode is counted again from the third panel's points (within 3 sigma of a
    grid mode, the PacGAN protocol), not taken from the solver."""
    s = steps[TITLES[0]]
    m = _model("toy_grid25.npz")
    generated = [t for t in s["specs"][0]["data"] if t.get("name") == "generated"]
    X = np.stack([plotly_array(generated[0]["x"]), plotly_array(generated[0]["y"])], 1).astype(np.float64)
    centres = np.array([(a, b) for a in (-4, -2, 0, 2, 4) for b in (-4, -2, 0, 2, 4)], np.float64)
    on = int((np.linalg.norm(X[:, None] - centres[None], axis=2).min(1) < 3 * 0.05).sum())
    assert f"Each of the {m.n_codes:,} cells has the same area" in s["notice"]
    if on == len(X):
        assert f"Of the {len(X)} new samples on the right, every one lands on a mode" in s["notice"]
    else:
        assert f"{on:,} (" in s["notice"] and f"{len(X) - on:,} between two" in s["notice"]
    assert "never" not in s["notice"]


def test_step_2_counts_the_red_facets_and_where_they_sit(steps):
    s = steps[TITLES[1]]
    m, ss, between = _singular_facets("toy_grid25.npz")
    assert f"any of the {len(ss.pairs):,} facets" in s["notice"]
    assert "jumps at every facet" in s["notice"]
    found = re.search(r"The ([\d,]+) red facets? \(", s["notice"])
    assert found and _number(found.group(1)) == ss.n_singular
    if (between & ss.singular).sum() == ss.n_singular:
        assert "every one of them joins two different Gaussians" in s["notice"]
    red = [t for t in s["specs"][0]["data"] if t.get("line", {}).get("color") == "red"]
    assert red, "the singular facets the sentence counts are not drawn"


def _brute_force_cells(m, a, b, n):
    t = np.linspace(0.0, 1.0, n)
    x = a[None] + t[:, None] * (b - a)[None]
    return np.argmax(np.asarray(m.targets, np.float64) @ x.T + np.asarray(m.h, np.float64)[:, None], axis=0)


def test_step_3_reads_its_crossings_and_steps_off_the_line_it_draws(steps):
    """The number of cells is counted by a float64 arg-max on a line sampled 200,000 times (no exact crossing
    code); the largest steps are measured on the figure's own points."""
    from aeot_viz.apps.ui.lesson import COARSE, TOY_PROBE

    s = steps[TITLES[2]]
    m = _model("toy_grid25.npz")
    cells = _brute_force_cells(m, *TOY_PROBE, 200_001)
    n_cells = 1 + int((np.diff(cells) != 0).sum())
    assert f"each of the {n_cells:,} cells the line passes through" in s["notice"]
    data = s["specs"][0]["data"]
    assert all("lines" not in t["mode"] for t in data), "both maps must be drawn as points"

    def largest(name):
        x1 = next(t for t in data if t["name"].startswith(name) and t.get("xaxis", "x") == "x")
        x2 = next(t for t in data if t["name"].startswith(name) and t.get("xaxis") == "x2")
        v = np.stack([plotly_array(x1["y"]), plotly_array(x2["y"])], 1).astype(np.float64)
        assert len(v) == COARSE
        return np.linalg.norm(np.diff(v, axis=0), axis=1).max()

    found = re.search(r"largest step between neighbouring points is ([\d.]+) data units, AE-OT's (\d+\.\d+)",
                      s["notice"])
    assert found, s["notice"]
    assert abs(float(found.group(1)) - largest("GAN")) < 0.006
    assert abs(float(found.group(2)) - largest("AE-OT")) < 0.006


def test_step_4_refines_the_sampling_and_only_the_continuous_curve_fills_in(steps):
    """Both resolutions are recomputed: AE-OT by a float64 arg-max, the GAN through its own Gaussian quantile map
    (scipy's), then the sentence's numbers and its verdict are checked against them."""
    from scipy.stats import norm

    from aeot_viz.apps.ui.lesson import FACTOR, FINE, TOY_PROBE
    from aeot_viz.models.baselines import load_baselines
    from aeot_viz.utils.paths import assets_dir

    s = steps[TITLES[3]]
    m = _model("toy_grid25.npz")
    a, b = TOY_PROBE
    t = np.linspace(0.0, 1.0, FINE)
    aeot = m.codes[_brute_force_cells(m, a, b, FINE)].astype(np.float64)
    gan = load_baselines(assets_dir() / "baselines_grid25.npz")["gan"]
    x = a[None] + t[:, None] * (b - a)[None]
    z = np.zeros((FINE, gan.config.noise_dim), np.float32)
    k = min(2, gan.config.noise_dim)
    z[:, :k] = norm.ppf(np.clip(x[:, :k] + 0.5, 1e-4, 1 - 1e-4))
    g = gan.generate_from_noise(z).astype(np.float64)

    def steps_of(v):
        return (np.linalg.norm(np.diff(v[::FACTOR], axis=0), axis=1).max(),
                np.linalg.norm(np.diff(v, axis=0), axis=1).max())

    (g0, g1), (a0, a1) = steps_of(g), steps_of(aeot)
    found = re.search(r"the GAN's largest step shrinks from ([\d.]+) to ([\d.]+) data units", s["notice"])
    assert g1 < 0.5 * g0 and found, s["notice"]  # the GAN is continuous: its step shrinks, and the sentence says so
    assert abs(float(found.group(1)) - g0) < 0.006 and abs(float(found.group(2)) - g1) < 0.006
    assert a1 > 0.5 * a0  # a true jump stays
    found = re.search(r"AE-OT's largest step stays at ([\d.]+) data units \(it was ([\d.]+)\)", s["notice"])
    assert found and abs(float(found.group(1)) - a1) < 0.006 and abs(float(found.group(2)) - a0) < 0.006
    # the figure: one panel per map, both resolutions in each
    names = [tr["name"] for tr in s["specs"][0]["data"]]
    assert names.count(f"{FINE:,} points") == 2 and names.count(f"{(FINE - 1) // FACTOR + 1:,} points") == 2


def test_step_5_says_each_generator_walks_its_own_noise_and_counts_the_points_between_modes(steps):
    s = steps[TITLES[4]]
    assert "its own noise" in s["notice"] and "Gaussian" in s["notice"]
    centres = np.array([(a, b) for a in (-4, -2, 0, 2, 4) for b in (-4, -2, 0, 2, 4)], np.float64)
    for tr in s["specs"][0]["data"]:
        if tr["name"] in ("GAN", "PacGAN", "WGAN-GP", "VAE", "AE-OT"):
            X = np.stack([plotly_array(tr["x"]), plotly_array(tr["y"])], 1).astype(np.float64)
            off = int((np.linalg.norm(X[:, None] - centres[None], axis=2).min(1) >= 3 * 0.05).sum())
            if tr["name"] == "AE-OT":
                assert ("AE-OT none." if off == 0 else f"AE-OT {off:,}.") in s["notice"]
            else:
                assert f"the {tr['name']} {off:,}" in s["notice"], (tr["name"], off, s["notice"])


def test_step_6_uses_the_measured_shares_and_says_no_collapse_only_when_every_mode_is_reached(steps):
    from aeot_viz.analysis.lab import LABELS

    s = steps[TITLES[5]]
    scores = _model("toy_grid25.npz").views_meta["lab"]["scores"]
    if all(v["modes_covered"] == 25 for v in scores.values()):
        assert "Every generator reaches all 25 modes" in s["notice"]
    else:
        assert "collapse)" in s["notice"]
    for g, v in scores.items():
        p = 100 * (1 - v["hq_share"])
        shown = f"{p:.1f}%" if p < 10 else f"{p:.0f}%"
        label = "AE-OT's" if g == "AE-OT" else f"the {LABELS[g]}'s"
        assert f"{shown} of {label}" in s["notice"], (g, shown, s["notice"])
    assert "never" not in s["notice"]


def test_step_7_names_the_baseline_whose_strip_is_the_least_confident_and_reads_aeots_strip(steps):
    """The classifier is run again on the decoded strips; AE-OT's digits come from a float64 brute-force arg-max;
    the crossings of its line from the exact probe."""
    from aeot_viz.analysis.discontinuity_probe import probe
    from aeot_viz.analysis.lab import LABELS, source_path, straight_paths
    from aeot_viz.analysis.singularity import model_singular_set
    from aeot_viz.apps.ui.lesson import PATH_POINTS
    from aeot_viz.models.baselines import load_baselines
    from aeot_viz.models.classifier import default_classifier
    from aeot_viz.utils.paths import assets_dir

    s = steps[TITLES[6]]
    m = _model("default_mnist10k.npz")
    x = source_path(m.latent_dim, PATH_POINTS)
    cells = np.argmax(np.asarray(m.targets, np.float64) @ x.T + m.h[:, None], axis=0)
    assert f"AE-OT's strip reads {' '.join(str(d) for d in m.labels[cells])}:" in s["notice"]
    pr = probe(x[0], x[-1], m.targets, m.h, singular=model_singular_set(m))
    change = m.labels[pr.pairs[:, 0]] != m.labels[pr.pairs[:, 1]]
    assert f"changes code {len(pr.t)} times" in s["notice"]
    assert f"{int(change.sum())} of those jumps change" in s["notice"]
    baselines = load_baselines(assets_dir() / "baselines_mnist10k.npz")
    clf = default_classifier()
    low = {}
    for kind, codes in straight_paths(m, baselines, PATH_POINTS).items():
        P = clf.predict_proba(np.clip(m.decode(codes), 0, 1))
        low[kind] = (P.max(1).min(), int(P.max(1).argmin()), P)
    blend = min((k for k in low if k != "AE-OT"), key=lambda k: low[k][0])
    conf, idx, P = low[blend]
    assert f"The {LABELS[blend]}'s strip, the least confident of the {len(baselines)} baselines'" in s["notice"]
    assert f"its image {idx + 1} is a {int(P[idx].argmax())} at only {100 * conf:.0f}%" in s["notice"]
    assert "blends that are no digit" not in s["notice"]  # the claim the GAN's strip refuted (issue 33)


def test_step_8_names_the_most_thinned_out_digit_against_the_datas_share(steps):
    from aeot_viz.analysis.lab import LABELS

    s = steps[TITLES[7]]
    m = _model("default_mnist10k.npz")
    data = np.bincount(m.labels, minlength=10) / len(m.labels)
    scores = m.views_meta["lab"]["scores"]
    ratio = {g: np.asarray(v["class_shares"]) / data for g, v in scores.items()}
    worst = min((g for g in ratio if g != "AE-OT"), key=lambda g: ratio[g].min())
    d = int(ratio[worst].argmin())
    assert (f"The {LABELS[worst]} makes {d}s only {100 * scores[worst]['class_shares'][d]:.1f}% of the time, "
            f"against {100 * data[d]:.1f}%") in s["notice"]
    a = int(ratio["AE-OT"].argmin())
    assert f"AE-OT's most thinned-out digit, {a}, gets {100 * scores['AE-OT']['class_shares'][a]:.1f}%" in s["notice"]
    assert "neither" not in s["notice"]
    # the red outlines are the digits the sentence names
    bars = {t["name"]: t for t in s["specs"][0]["data"] if t["type"] == "bar"}
    widths = plotly_array(bars[LABELS[worst]]["marker"]["line"]["width"])
    assert int(np.argmax(widths)) == d


def test_step_9_shows_real_collapse_on_stacked_mnist(steps):
    from aeot_viz.analysis.lab import LABELS

    s = steps[TITLES[8]]
    scores = _model("stacked_mnist.npz").views_meta["stacked"]["scores"]
    worst = min((g for g in scores if not g.startswith("AE-OT")), key=lambda g: scores[g]["modes_covered"])
    w = scores[worst]
    assert (f"the {LABELS[worst]}'s {w['n_samples']:,} samples reach {w['modes_covered']:,} and leave "
            f"{1000 - w['modes_covered']:,} empty") in s["notice"]
    assert f"AE-OT reaches {scores['AE-OT']['modes_covered']:,}" in s["notice"]
    heatmaps = [t for t in s["specs"][0]["data"] if t["type"] == "heatmap"]
    assert [t["name"].split(":")[0] for t in heatmaps] == ["AE-OT", LABELS[worst]]
    black = int((np.asarray(plotly_array(heatmaps[1]["z"])).ravel() == 0).sum())
    assert black == 1000 - w["modes_covered"]  # the black cells are the modes the sentence says are empty
    assert "PacGAN" not in s["notice"]


def test_step_10_states_the_honest_limits_with_the_null(steps):
    s = steps[TITLES[9]]
    m, ss, between = _singular_facets("default_mnist10k.npz")
    assert f"jumps at every one of MNIST's {len(ss.pairs):,} facets" in s["notice"]
    assert "convex null" in s["notice"] and "as the number of codes grows" in s["notice"]
    found = re.search(r"([\d,]+) facets \(([\d.]+)%\) have more empty space.*?, and ([\d.]+)% of those join",
                      s["notice"])
    assert found, s["notice"]
    assert _number(found.group(1)) == ss.n_singular
    purity = 100 * (between & ss.singular).sum() / ss.n_singular
    assert abs(float(found.group(3)) - purity) <= 0.5 + 0.05 * (purity < 10)


def test_presentation_mode_enlarges_the_figures_and_their_text():
    at = run_page(repo_file(LESSON), timeout=300)
    normal = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    at.toggle(key="lesson_present").set_value(True).run(timeout=300)
    assert not at.exception
    assert at.session_state["aeot_present"] is True  # kept outside the widget: it lasts across pages
    big = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    assert big["font"]["size"] >= 18
    for ax in (a for name, a in big.items() if name.startswith(("xaxis", "yaxis"))):
        assert ax["tickfont"]["size"] >= 16 and ax["title"]["font"]["size"] >= 18  # ticks grow too
    assert all(a["font"]["size"] >= 18 for a in big.get("annotations", []))  # subplot titles
    # the figure is a cached one that Home shows every visitor: presenting here must not change it there
    home = run_page(repo_file("pages/0_Home.py"), timeout=300)
    explainer = json.loads(next(c for c in home.get("plotly_chart") if "home_explainer" in c.proto.id).proto.spec)
    assert explainer["layout"].get("font", {}).get("size") is None
    at.toggle(key="lesson_present").set_value(False).run(timeout=300)
    back = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    assert back["height"] == normal["height"] and back.get("font", {}).get("size") == normal.get("font", {}).get("size")
    # a wide step's figure fits the projector: its height is the presentation height, whatever its normal one
    from aeot_viz.apps.ui.lesson import WIDE_H

    at.toggle(key="lesson_present").set_value(True).run(timeout=300)
    at.session_state["lesson_step"] = 2
    at.run(timeout=300)
    assert json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["height"] == WIDE_H


def test_a_missing_shipped_model_is_a_message_not_a_traceback(monkeypatch, tmp_path):
    from aeot_viz.apps.ui import state

    monkeypatch.setitem(state.SHIPPED_BASELINES, state.TOY_NAME, tmp_path / "baselines_grid25.npz")
    at = run_page(repo_file(LESSON), timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    assert at.info and "baselines_grid25.npz cannot be found" in at.info[0].value
