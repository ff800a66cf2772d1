"""The Lesson page: every step draws its figure (titled axes) and its "what to notice" sentence, the buttons walk
the steps both ways, and presentation mode makes the figures larger."""

import json

import numpy as np
from app_helpers import run_page
from repo import repo_file
from test_axes import untitled_axes

from aeot_viz.apps.ui.lesson import STEPS

LESSON = "pages/8_Lesson.py"


def _figure_count(at) -> int:
    return len(at.get("plotly_chart")) + sum(len(im.proto.imgs) > 0 for im in at.get("image"))


def _notices(at) -> list:
    return [m.value for m in at.markdown if "**What to notice.**" in m.value]


def test_walking_every_step_shows_one_figure_and_one_sentence_each():
    at = run_page(repo_file(LESSON), timeout=300)
    assert 6 <= len(STEPS) <= 8
    seen = []
    for k, step in enumerate(STEPS):
        assert not at.exception, (k, [e.value for e in at.exception])
        assert at.header[0].value == step.title
        notes = _notices(at)
        assert len(notes) == 1 and len(notes[0]) > 60, (k, notes)
        seen.append(notes[0])
        if k < len(STEPS) - 1:
            assert _figure_count(at) >= 1, f"step {k + 1} ({step.title}) shows no figure"
            for chart in at.get("plotly_chart"):
                assert untitled_axes(json.loads(chart.proto.spec)) == [], (k, step.title)
            at.button(key="lesson_next").click().run(timeout=300)
    assert len(set(seen)) == len(STEPS)  # a sentence of its own for every step
    assert at.button(key="lesson_next").disabled and not at.button(key="lesson_prev").disabled
    at.button(key="lesson_prev").click().run(timeout=300)
    assert at.header[0].value == STEPS[-2].title


def test_the_numbers_in_the_sentences_are_read_off_the_shipped_scores():
    from aeot_viz.analysis.lab import LABELS
    from aeot_viz.pipeline.bundle import load_bundle
    from aeot_viz.utils.paths import assets_dir

    at = run_page(repo_file(LESSON), timeout=300)
    for _ in range(6):
        at.button(key="lesson_next").click().run(timeout=300)
    assert at.header[0].value == "Class coverage on MNIST"
    import re

    scores = load_bundle(assets_dir() / "default_mnist10k.npz").views_meta["lab"]["scores"]
    sentence = _notices(at)[0]
    found = re.search(r"The (\S+) makes its rarest digit only ([\d.]+)%.*AE-OT's rarest digit still gets ([\d.]+)%",
                      sentence)
    assert found, sentence
    named = {LABELS[g]: g for g in scores}[found.group(1)]
    share = float(found.group(2)) / 100
    assert abs(share - scores[named]["min_class_share"]) < 6e-4  # the number is the named generator's own
    assert all(share <= scores[g]["min_class_share"] + 6e-4 for g in scores if g != "AE-OT")  # and the smallest
    assert abs(float(found.group(3)) / 100 - scores["AE-OT"]["min_class_share"]) < 6e-4
    bars = [t for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"] if t["type"] == "bar"]
    assert [b["name"] for b in bars] == [LABELS[g] for g in scores]


def test_the_mnist_path_sentence_is_read_off_its_probe():
    """Step 6 says what its strip and its straight line show: the digits of the strip (recomputed by a float64
    brute-force argmax), how often the map changes code along the line, how many of those jumps change the digit and
    which of them the midpoint test calls singular."""
    from aeot_viz.analysis.discontinuity_probe import probe
    from aeot_viz.analysis.lab import source_path
    from aeot_viz.analysis.singularity import model_singular_set
    from aeot_viz.apps.ui.lesson import PATH_POINTS
    from aeot_viz.pipeline.bundle import load_bundle
    from aeot_viz.utils.paths import assets_dir

    at = run_page(repo_file(LESSON), timeout=300)
    for _ in range(5):
        at.button(key="lesson_next").click().run(timeout=300)
    assert at.header[0].value == "The same on MNIST: one straight path"
    sentence = _notices(at)[0]
    m = load_bundle(assets_dir() / "default_mnist10k.npz")
    x = source_path(m.latent_dim, PATH_POINTS)
    cells = np.argmax(np.asarray(m.targets, np.float64) @ x.T + m.h[:, None], axis=0)
    assert f"AE-OT's strip reads {' '.join(str(d) for d in m.labels[cells])}." in sentence
    pr = probe(x[0], x[-1], m.targets, m.h, singular=model_singular_set(m))
    change = m.labels[pr.pairs[:, 0]] != m.labels[pr.pairs[:, 1]]
    assert f"changes code {len(pr.t)} times" in sentence
    assert f"{int(change.sum())} of those jumps change" in sentence
    flagged = change & pr.singular
    if change.sum() == 1 and flagged.any():
        assert "jumps changes the digit, and it crosses the singular set" in sentence
    elif change.any() and flagged[change].all():
        assert "every one of them crosses the singular set" in sentence
    elif flagged.any():
        assert f"{int(flagged.sum())} of them cross the singular set" in sentence
        for i, j in pr.pairs[flagged]:
            assert f"{m.labels[i]} -> {m.labels[j]}" in sentence
    elif change.any():
        assert "none of them crosses the singular set" in sentence
    assert "blends that are no digit" not in sentence  # the claim the GAN's strip refuted (issue 33)


def test_presentation_mode_enlarges_the_figures():
    at = run_page(repo_file(LESSON), timeout=300)
    normal = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    at.toggle(key="lesson_present").set_value(True).run(timeout=300)
    assert not at.exception
    assert at.session_state["aeot_present"] is True  # kept outside the widget: it lasts across pages
    big = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    assert big["height"] > 1.3 * normal["height"]
    assert big["font"]["size"] >= 18
    # the figure is a cached one that Home shows every visitor: presenting here must not change it there
    home = run_page(repo_file("pages/0_Home.py"), timeout=300)
    explainer = json.loads(next(c for c in home.get("plotly_chart") if "home_explainer" in c.proto.id).proto.spec)
    assert explainer["layout"].get("font", {}).get("size") is None
    at.toggle(key="lesson_present").set_value(False).run(timeout=300)
    back = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    assert back["height"] == normal["height"] and back.get("font", {}).get("size") == normal.get("font", {}).get("size")


def test_a_missing_shipped_model_is_a_message_not_a_traceback(monkeypatch, tmp_path):
    from aeot_viz.apps.ui import state

    monkeypatch.setitem(state.SHIPPED_BASELINES, state.TOY_NAME, tmp_path / "baselines_grid25.npz")
    at = run_page(repo_file(LESSON), timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    assert at.info and "baselines_grid25.npz cannot be found" in at.info[0].value
