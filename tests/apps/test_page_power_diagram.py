"""Power Diagram page on the shipped toy (exact cells) and MNIST (slice) models."""

import json

import numpy as np
from app_helpers import TOY, plotly_array, run_page
from repo import repo_file
from streamlit.testing.v1 import AppTest

PAGE = repo_file("pages/3_Power_Diagram.py")


def _spec(at, i=0):
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def test_toy_model_draws_one_polygon_per_cell_and_replays_the_solver():
    at = run_page(PAGE, TOY, timeout=120)
    assert not at.exception, [e.value for e in at.exception]
    spec = _spec(at)
    info = [t for t in spec["data"] if t.get("name") == "cell info"][0]
    metrics = {m.label: m.value for m in at.metric}
    assert len(plotly_array(info["x"])) == 1000 - int(metrics["Empty cells"])  # one hover point per drawn cell
    polys = sum(np.isnan(plotly_array(t["x"])).sum() for t in spec["data"] if t["name"].startswith("cells, label"))
    assert polys == 1000 - int(metrics["Empty cells"])
    from aeot_viz.ot.newton import default_tol

    # the shipped toy is solved exactly (Newton): at float64's reach, printed as such (issue 33)
    assert metrics["Exact L1 mass error"] == f"< {default_tol(1000):.0e}" and default_tol(1000) <= 1e-8
    assert metrics["Empty cells"] == "0"
    assert any(t.get("name") == "singular edges" for t in spec["data"])
    # the replay: a handful of Newton steps, the error on a log axis, the shown step marked
    slider = at.select_slider(key="pd_snapshot")
    assert "Newton step" in slider.label and 3 <= len(slider.options) <= 26
    replay = _spec(at, 1)
    errors = plotly_array(replay["data"][0]["y"])
    assert replay["layout"]["yaxis"]["type"] == "log" and errors[-1] <= 1e-8 and errors[0] > 0.2
    assert errors[-2] > errors[-1] and errors[-3] > errors[-2]  # the last steps each do better
    slider.set_value(0).run()  # the Voronoi start
    assert not at.exception
    first = float({m.label: m.value for m in at.metric}["Exact L1 mass error"])
    assert first > 0.2 and abs(first - errors[0]) <= 0.01 * errors[0]  # far from transporting the mass at the start


def test_mnist_model_shows_a_slice():
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    spec = _spec(at)
    assert spec["data"][0]["type"] == "heatmap"
    n_cells = int([c.value for c in at.caption if "cells meet this slice" in c.value][0].split()[0])
    assert 1 < n_cells <= 10_000
    graph = {t["name"].split(" (")[0]: t for t in _spec(at, 1)["data"]}
    assert set(graph) >= {"regular facets", "singular facets", "codes"}
    assert len(plotly_array(graph["codes"]["x"])) == 10_000
    n_sing = int(at.caption[-1].value.split(", ")[1].split()[0].replace(",", ""))
    assert 0.0005 * len(plotly_array(graph["codes"]["x"])) < n_sing
    assert np.isnan(plotly_array(graph["singular facets"]["x"])).sum() == n_sing
    at.selectbox(key="pd_centre").set_value("a code's target").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.error and "zero" in at.error[0].value  # the centre is code 0's target, a direction is code 0
    at.selectbox(key="pd_centre").set_value("cube centre")
    at.number_input(key="pd_code_b").set_value(0).run()  # same code twice: parallel directions
    assert at.error and "parallel" in at.error[0].value


def _colour_bar(spec):
    heat = next(t for t in spec["data"] if t["type"] == "heatmap")
    return heat.get("showscale"), heat.get("colorbar", {})


def test_every_picture_coloured_by_label_says_which_colour_is_which_label():
    """Issue 33: the slices of MNIST (digits) and Stacked MNIST (1,000 labels: coloured by the first digit), and
    the toy's exact cells, each carry a legend of their label colours."""
    from aeot_viz.apps.ui.state import SHIPPED

    for page in ("pages/3_Power_Diagram.py", "pages/4_Singular_Set.py"):
        mnist = run_page(repo_file(page), None, timeout=300)
        assert not mnist.exception, [e.value for e in mnist.exception]
        slice_spec = next(json.loads(c.proto.spec) for c in mnist.get("plotly_chart")
                          if any(t["type"] == "heatmap" for t in json.loads(c.proto.spec)["data"]))
        shown, bar = _colour_bar(slice_spec)
        assert shown and bar["title"]["text"] == "digit" and bar["ticktext"] == [str(d) for d in range(10)]
    stacked_name = next(n for n in SHIPPED if n.startswith("Stacked MNIST"))
    stacked = run_page(PAGE, stacked_name, timeout=300)
    assert not stacked.exception, [e.value for e in stacked.exception]
    shown, bar = _colour_bar(_spec(stacked))
    assert shown and bar["title"]["text"] == "first digit" and bar["ticktext"] == [str(d) for d in range(10)]
    heat = next(t for t in _spec(stacked)["data"] if t["type"] == "heatmap")
    z = plotly_array(heat["z"])
    assert np.nanmax(z) <= 9  # coloured by the first digit, not by 1,000 labels in 25 repeating colours
    assert any("first of its three digits" in m.value for m in stacked.markdown)
    toy = run_page(PAGE, TOY, timeout=120)
    listed = [t["name"] for t in _spec(toy)["data"] if t["name"].startswith("cells, label") and t.get("showlegend")]
    assert listed == [f"cells, label {k}" for k in range(25)]


def test_home_and_the_power_diagram_print_the_toy_s_exact_error_the_same_way():
    """Home read 3.4e-13 (the solver's figure) and the Power Diagram 3.73e-13 (its own polygons of the stored float32
    targets) while Home called them the same number (issue 33): one formatter, one string."""
    pd = run_page(PAGE, TOY, timeout=120)
    home = run_page(repo_file("pages/0_Home.py"), TOY, timeout=120)
    assert not pd.exception and not home.exception
    shown_pd = {m.label: m.value for m in pd.metric}["Exact L1 mass error"]
    shown_home = {m.label: m.value for m in home.metric}["OT error (exact L1)"]
    assert shown_home == shown_pd == "< 2e-12"
    assert any("the same number as the Power Diagram page's exact L1" in c.value for c in home.caption)
    assert any("cell areas: L1 < 2e-12" in c.value for c in home.caption)  # the sentence under the card says it too
