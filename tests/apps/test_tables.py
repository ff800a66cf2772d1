"""Every table a page shows on the shipped models has something in each cell: no "None" where a number is missing."""

import numpy as np
import pandas as pd
import pytest
from app_helpers import TOY, empty_cells, run_page, shown_table
from repo import repo_file

from aeot_viz.apps.ui.state import SHIPPED

PAGES = ["3_Power_Diagram", "4_Singular_Set", "5_Generate", "6_Mode_Collapse", "7_Playground"]


def test_the_check_sees_missing_cells_and_their_text():
    table = pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": ["x", None, "None"], "c": ["-", "—", "nan"]})
    assert empty_cells(table) == [(1, "a"), (1, "b"), (2, "b"), (2, "c")]


@pytest.mark.parametrize("model", list(SHIPPED))
@pytest.mark.parametrize("page", PAGES)
def test_no_table_cell_shows_none(page, model):
    if page == "7_Playground" and model != TOY:
        pytest.skip("the Playground draws its own data, whatever the model")
    at = run_page(repo_file(f"pages/{page}.py"), model, timeout=300)
    if page == "5_Generate":
        at.button(key="gen_go").click().run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    for table in list(at.dataframe) + list(at.table):
        shown = shown_table(table)
        assert len(shown) and empty_cells(shown) == [], (page, model, table.proto.id, empty_cells(shown)[:5])


def test_the_published_rows_show_a_dash_where_the_paper_gives_no_number():
    at = run_page(repo_file("pages/6_Mode_Collapse.py"), TOY, timeout=240)
    scores, shown = at.dataframe[0].value, shown_table(at.dataframe[0])
    published = scores["generator"].str.contains("published")
    assert published.sum() == 3 and scores.loc[published, "modes (>= 20 HQ)"].isna().all()  # no such number
    assert (shown.loc[published, "modes (>= 20 HQ)"] == "—").all()
    assert (shown.loc[~published, "modes (>= 20 HQ)"] == "25").all()  # ours: every mode has 20 HQ points
    caption = next(c.value for c in at.caption if c.value.startswith("A point is high quality"))
    assert "no count of modes with 20 HQ points (—)" in caption
