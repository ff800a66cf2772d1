"""Singular Set page: threshold slider, components, probe and table."""

from app_helpers import TOY, run_page
from streamlit.testing.v1 import AppTest

PAGE = "../pages/4_Singular_Set.py"


def _metrics(at):
    return {m.label: m.value for m in at.metric}


def test_toy_grid_splits_into_its_25_modes_and_the_probe_jumps():
    at = run_page(PAGE, TOY, timeout=120)
    assert not at.exception, [e.value for e in at.exception]
    m = _metrics(at)
    assert int(m["Components of the regular graph"]) == 25
    # a probe between opposite corners of the grid crosses singular facets
    from pathlib import Path

    import numpy as np

    from aeot_viz.bundle import load_bundle

    toy = load_bundle(Path(__file__).resolve().parent.parent / "assets" / "toy_grid25.npz")
    at.number_input(key="sg_a").set_value(int(np.flatnonzero(toy.labels == 0)[0]))
    at.number_input(key="sg_b").set_value(int(np.flatnonzero(toy.labels == 24)[0])).run()
    probe = [md.value for md in at.markdown if md.value.startswith("16 points")][0]
    assert " 0 of them" not in probe and "at t = -" not in probe
    low = float(at.slider(key="sg_threshold").min)
    at.slider(key="sg_threshold").set_value(low).run()
    assert int(_metrics(at)["Singular facets"].replace(",", "")) >= int(m["Singular facets"].replace(",", ""))
    assert len(at.dataframe[0].value) == 10


def test_mnist_page_renders_slice_probe_images_and_pairs():
    at = AppTest.from_file(PAGE, default_timeout=180).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("image")) == 2  # probe strip and the pairs
    assert len(at.dataframe[0].value) == 10
    # the 10x-median default flags nothing on MNIST codes, so the slider starts at the 99% angle quantile
    singular = int(_metrics(at)["Singular facets"].replace(",", ""))
    facets = int(_metrics(at)["Facets"].replace(",", ""))
    assert 0 < singular <= 0.011 * facets
