"""Mode Collapse page: shipped baselines on the toys and MNIST, baselines trained in the page, the lessons."""

import json

import numpy as np
from app_helpers import TOY, plotly_array, run_page
from repo import ASSETS, repo_file

PAGE = repo_file("pages/6_Mode_Collapse.py")
RING = "8 Gaussians on a ring, 2-D (shipped toy)"


def _spec(at, key):
    return json.loads(at.get("plotly_chart")[key].proto.spec)


OURS = ["AE-OT", "GAN", "PacGAN", "WGAN-GP", "VAE"]


def test_grid25_shows_five_generators_scores_with_published_rows_and_the_lessons():
    at = run_page(PAGE, TOY, timeout=240)
    assert not at.exception, [e.value for e in at.exception]
    panels = [t for t in _spec(at, 0)["data"] if t["name"] in OURS]
    assert [t["name"] for t in panels] == OURS
    assert all(len(plotly_array(t["x"])) == 2500 for t in panels)
    scores = at.dataframe[0].value
    assert list(scores["generator"][:5]) == OURS
    assert scores["generator"].str.contains("PacGAN Table 1").sum() == 3
    # the words under the table are read off it: no generator is said to miss modes it covers
    words = next(m.value for m in at.markdown if "What the table says" in m.value)
    for _, row in scores.iloc[:5].iterrows():
        line = next(ln for ln in words.splitlines() if ln.startswith(f"- **{row['generator']}**"))
        assert ("misses" in line) == (row["modes (>= 1 HQ)"] < 25), line
    aeot = scores.iloc[0]
    assert aeot["modes (>= 1 HQ)"] == 25 and aeot["% high quality"] >= 97 and aeot["reverse KL"] < 0.05
    # the continuity lesson: 200-point curves, AE-OT's points all near modes, a baseline's curve crossing gaps
    curves = {t["name"]: np.column_stack([plotly_array(t["x"]), plotly_array(t["y"])]) for t in _spec(at, 1)["data"]}
    from aeot_viz.analysis.metrics import toy_score

    assert toy_score("grid25", curves["AE-OT"]).hq_share > 0.95
    assert min(toy_score("grid25", curves[k]).hq_share for k in OURS[1:]) < 0.9
    # the training replay starts from the untrained generator
    replay = at.select_slider(key="mc_replay")
    assert replay.label == "Replay: generator training step"
    assert replay.options[0] == "0" and replay.options[-1] == "20,000"  # the generator's steps, not indices
    replay.set_value(0).run()
    assert not at.exception
    title = _spec(at, 2)["data"][1]["name"]
    assert title.endswith("after 0 steps")
    # and the scores along training level off: the picture of convergence
    levels = _spec(at, 3)
    hq = plotly_array(levels["data"][0]["y"])
    assert levels["data"][0]["name"] == "high-quality share" and len(hq) == 20 and hq[-1] >= 85
    assert abs(hq[-1] - hq[-4]) <= 10


def test_mnist_shows_image_grids_classifier_scores_and_path_strips():
    at = run_page(PAGE, None, timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("image")) == 10  # 5 sample grids + 5 path strips
    scores = at.dataframe[0].value
    assert list(scores["generator"]) == OURS
    aeot = scores.iloc[0]
    assert aeot["classes with >= 1%"] == 10 and aeot["smallest class share"] >= 0.05
    assert aeot["precision"] > 0.5 and aeot["mean confidence"] > 0.8
    # the class histogram: each generator's bars are its class shares, the data's share the reference line
    from aeot_viz.pipeline.bundle import load_bundle

    m = load_bundle(ASSETS / "default_mnist10k.npz")
    stored = m.views_meta["lab"]["scores"]
    chart = next(c for c in at.get("plotly_chart") if "class_bars" in c.proto.id)
    data = json.loads(chart.proto.spec)["data"]
    bars = [t for t in data if t["type"] == "bar"]
    assert [b["name"] for b in bars] == OURS
    for b, g in zip(bars, stored):
        np.testing.assert_allclose(plotly_array(b["y"]), stored[g]["class_shares"])
        widths = plotly_array(b["marker"]["line"]["width"])
        assert int(np.argmax(widths)) == int(np.argmin(stored[g]["class_shares"]))  # the rarest digit outlined
    ref = next(t for t in data if t["name"] == "share in the training data")
    np.testing.assert_allclose(plotly_array(ref["y"]), np.bincount(m.labels, minlength=10) / len(m.labels))


def test_baselines_trained_in_the_page_replace_the_shipped_ones(monkeypatch):
    """The page's train button, its length slider and what replaces the shipped baselines. The page runs in this
    process, so the toy recipe is cut to a tenth of its steps here (the recipe itself is tested in
    tests/models/test_baselines.py): at 0.1x the real recipe this test alone took 100 s on 2 cores."""
    from aeot_viz.models import baselines as bl

    short = {k: ({**v, "steps": v["steps"] // 10} if "steps" in v else v) for k, v in bl.TOY_RECIPE.items()}
    monkeypatch.setattr(bl, "TOY_RECIPE", short)
    at = run_page(PAGE, RING, timeout=300)
    at.radio(key="mc_source").set_value("trained here").run()
    assert at.info and "Train the baselines" in at.info[0].value
    at.select_slider(key="mc_scale").set_value(0.1)
    at.button(key="mc_train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    trained = next(iter(at.session_state["mc_trained"].values()))
    assert list(trained) == ["gan", "pacgan", "wgan-gp", "vae"]
    assert {k: b.config.steps for k, b in trained.items()} == {k: int(0.1 * short[k]["steps"]) for k in trained}
    scores = at.dataframe[0].value
    assert list(scores["generator"][:5]) == OURS
    assert scores.iloc[0]["modes (>= 1 HQ)"] == 8
    assert len(at.get("download_button")) == 1


def test_data_without_a_protocol_still_shows_samples_and_says_why_there_are_no_scores():
    from conftest import _tiny_config

    from aeot_viz.analysis.lab import train_baselines
    from aeot_viz.apps.ui.cache import model_key
    from aeot_viz.data import load_dataset
    from aeot_viz.pipeline.training import fit_aeot

    model = fit_aeot(load_dataset("two_moons", n_samples=200), _tiny_config())
    baselines = train_baselines(model, steps={"gan": 20, "pacgan": 20, "wgan-gp": 4, "vae": 20}, device="cpu")
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["aeot_session_models"] = {"moons": model}
    at.session_state["aeot_current"] = "moons"
    at.session_state["mc_trained"] = {model_key("moons", model): baselines}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="mc_source").options == ["trained here"]  # nothing shipped for a session model
    assert any("No scores for this model" in i.value for i in at.info)
    assert len([t for t in _spec(at, 0)["data"] if t["name"] in OURS]) == 5


STACKED = "Stacked MNIST, 1,000 modes (shipped)"


def test_stacked_mnist_shows_the_1000_mode_table_pictures_and_colour_samples():
    at = run_page(PAGE, STACKED, timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "modes covered (of 1,000)" in d.value.columns)
    ours = ["AE-OT", "AE-OT (plain map)", "GAN", "WGAN-GP", "VAE"]
    assert list(table["generator"][:5]) == ours
    assert table["generator"].str.endswith("(published)").sum() == 9
    assert set(table["samples"]) == {26_000}
    aeot = table.iloc[0]
    assert aeot["modes covered (of 1,000)"] >= 990 and aeot["KL(modes || uniform)"] < 0.06
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    hist = next(sp["data"] for sp in specs if sp["data"] and sp["data"][0]["type"] == "heatmap")
    assert [t["name"] for t in hist] == ours
    # each picture is the mode histogram the table summarises: its zero cells are the uncovered modes
    for row, trace in zip(table.itertuples(), hist):
        z = plotly_array(trace["z"]).reshape(10, 100)
        assert z.shape == (10, 100) and (z > 0).sum() == row[2]
    assert len(at.get("image")) >= 4  # colour sample grids of the generators (and the path strips)


# --- issue 33: the page names the baselines there are, and shows only the controls that do something -----------

def _intro(at):
    return next(c.value for c in at.caption if c.value.startswith("Model: "))


def test_stacked_mnist_names_only_its_shipped_baselines_no_pacgan():
    from aeot_viz.apps.ui.cache import shipped_baselines

    at = run_page(PAGE, STACKED, timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    shipped = set(shipped_baselines(STACKED)[0])
    assert shipped == {"gan", "wgan-gp", "vae"}  # Stacked MNIST ships no PacGAN
    intro = _intro(at)
    assert "three continuous generators trained on the same codes: a GAN, a WGAN-GP and a VAE." in intro
    assert "PacGAN" not in intro
    # every generator the page shows or scores is one that exists for this model
    table = next(d.value for d in at.dataframe if "modes covered (of 1,000)" in d.value.columns)
    ours = table.loc[table["source"] == "this model, seed 0", "generator"]
    assert "PacGAN" not in set(ours)
    captions = [i.caption for im in at.get("image") for i in im.proto.imgs]  # sample grids and path strips
    assert captions and set(captions) == {"AE-OT", "GAN", "WGAN-GP", "VAE"}
    # the grid's toy ships all four: the caption names all four
    toy = run_page(PAGE, TOY, timeout=240)
    assert "four continuous generators" in _intro(toy) and "a PacGAN (the GAN" in _intro(toy)
    toy.radio(key="mc_source").set_value("trained here").run()  # before training: the four the button trains
    assert "four continuous generators" in _intro(toy)
    assert toy.button(key="mc_train").label == "Train GAN, PacGAN, WGAN-GP and VAE"


def test_the_path_length_slider_is_shown_only_where_it_changes_the_picture():
    toy = run_page(PAGE, TOY, timeout=240)
    assert not toy.exception, [e.value for e in toy.exception]
    assert not [s for s in toy.slider if s.key == "mc_path_n"]  # 2-D models draw 200-point curves: no slider
    curves = [t for t in _spec(toy, 1)["data"] if t["name"] in OURS]
    assert curves and all(len(plotly_array(t["x"])) == 200 for t in curves)
    mnist = run_page(PAGE, None, timeout=300)
    assert mnist.slider(key="mc_path_n").value == 12

    def strips():  # the path strips are the last five images; a media URL is named after the image's bytes
        return [im.proto.imgs[0].url for im in mnist.get("image")][-5:]

    before = strips()
    mnist.slider(key="mc_path_n").set_value(8).run()  # images: the strips get as many points as chosen
    assert not mnist.exception, [e.value for e in mnist.exception]
    after = strips()
    assert len(after) == 5 and not set(before) & set(after)
