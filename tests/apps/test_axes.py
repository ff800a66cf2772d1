"""Every plot on every page has titled axes (images and axes hidden on purpose excepted); log axes label decades."""

import json

import numpy as np
import pytest
from app_helpers import TOY, run_page
from repo import repo_file

PAGES = ["0_Home", "1_Train", "2_Latent_Space", "3_Power_Diagram", "4_Singular_Set", "5_Generate", "6_Mode_Collapse",
         "7_Playground", "8_Lesson"]


def untitled_axes(spec: dict) -> list:
    """Axes that carry a plotted trace but have no title, as 'xaxis', 'yaxis2', ..."""
    layout = spec.get("layout", {})
    used = set()
    for trace in spec.get("data", []):
        if trace.get("type") in ("image", "pie", "table"):
            continue
        for letter in ("x", "y"):
            ref = trace.get(f"{letter}axis", letter)
            used.add(f"{letter}axis{ref[1:]}")
    missing = []
    for name in sorted(used):
        axis = layout.get(name, {})
        if axis.get("visible") is False:
            continue
        title = axis.get("title", {})
        text = title.get("text") if isinstance(title, dict) else title
        if not text:
            missing.append(name)
    return missing


def log_axes_off_decades(spec: dict) -> list:
    """Log axes that may label more than the decades, or label them with SI prefixes ("10μ"), as 'yaxis2', ...

    A log axis passes when it ticks every decade and only those (``dtick`` 1) and writes them as powers of ten
    (``exponentformat`` "power" or "e", never the default "B" / "SI"), or when it names its ticks itself (``tickvals``
    at powers of ten, ``ticktext`` without a prefix letter).
    """
    bad = []
    for name, axis in sorted(spec.get("layout", {}).items()):
        if not (name[1:].startswith("axis") and isinstance(axis, dict) and axis.get("type") == "log"):
            continue
        if axis.get("tickvals") is not None:
            vals = np.log10(np.asarray(axis["tickvals"], dtype=float))
            texts = [str(t) for t in axis.get("ticktext") or []]
            ok = np.allclose(vals, np.round(vals)) and len(texts) == len(vals) and not any(
                any(ch in t for ch in "μuµmkMGTpnf") for t in texts)
        else:
            ok = axis.get("dtick") in (1, "1") and axis.get("exponentformat") in ("power", "e")
        if not ok:
            bad.append(name)
    return bad


def test_the_log_check_sees_default_minor_labels_and_si_prefixes():
    import plotly.graph_objects as go

    from aeot_viz.viz import null_histogram_figure, solver_error_figure

    default = go.Figure(go.Scatter(x=[1, 2], y=[1e-6, 3e-5])).update_yaxes(type="log").to_plotly_json()
    assert log_axes_off_decades(default) == ["yaxis"]
    power_only = go.Figure().update_yaxes(type="log", exponentformat="power").to_plotly_json()  # still 2s and 5s
    assert log_axes_off_decades(power_only) == ["yaxis"]
    prefixed = go.Figure().update_yaxes(type="log", tickvals=[1e-6, 1e-5], ticktext=["1μ", "10μ"]).to_plotly_json()
    assert log_axes_off_decades(prefixed) == ["yaxis"]
    rng = np.random.default_rng(0)
    figs = [null_histogram_figure([("a", rng.random(500), rng.random(3000), 0.9),
                                   ("b", rng.random(500), rng.random(3000), None)]),
            solver_error_figure(np.arange(8), 10.0 ** -np.arange(8.0), current=3)]
    for fig in figs:
        spec = fig.to_plotly_json()
        logs = [k for k, v in spec["layout"].items() if isinstance(v, dict) and v.get("type") == "log"]
        assert logs and log_axes_off_decades(spec) == []


def test_the_check_sees_a_missing_title():
    spec = {"data": [{"type": "scatter"}, {"type": "scatter", "xaxis": "x2", "yaxis": "y2"}],
            "layout": {"xaxis": {"title": {"text": "a"}}, "yaxis": {"title": {"text": "b"}},
                       "xaxis2": {"title": {"text": "c"}}}}
    assert untitled_axes(spec) == ["yaxis2"]


@pytest.mark.parametrize("page", PAGES)
def test_every_plot_of_the_toy_model_has_titled_axes_and_the_page_says_what_to_notice(page):
    at = run_page(repo_file(f"pages/{page}.py"), TOY, timeout=300)
    if page == "5_Generate":
        at.button(key="gen_go").click().run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    notes = [m.value for m in at.markdown if "**What to notice.**" in m.value]
    assert len(notes) == 1 and len(notes[0]) > 80, (page, notes)
    charts = at.get("plotly_chart")
    assert charts or page == "1_Train", f"{page} drew no plot"
    for chart in charts:
        assert untitled_axes(json.loads(chart.proto.spec)) == [], (page, chart.proto.id)
        assert log_axes_off_decades(json.loads(chart.proto.spec)) == [], (page, chart.proto.id)


@pytest.mark.parametrize("page", ["2_Latent_Space", "3_Power_Diagram", "4_Singular_Set"])
def test_every_plot_of_the_mnist_model_has_titled_axes(page):
    at = run_page(repo_file(f"pages/{page}.py"), None, timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    for chart in at.get("plotly_chart"):
        assert untitled_axes(json.loads(chart.proto.spec)) == [], (page, chart.proto.id)
        assert log_axes_off_decades(json.loads(chart.proto.spec)) == [], (page, chart.proto.id)
