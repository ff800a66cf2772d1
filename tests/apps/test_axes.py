"""Every plot on every page has titled axes (images and axes hidden on purpose excepted)."""

import json

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


@pytest.mark.parametrize("page", ["2_Latent_Space", "3_Power_Diagram", "4_Singular_Set"])
def test_every_plot_of_the_mnist_model_has_titled_axes(page):
    at = run_page(repo_file(f"pages/{page}.py"), None, timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    for chart in at.get("plotly_chart"):
        assert untitled_axes(json.loads(chart.proto.spec)) == [], (page, chart.proto.id)
