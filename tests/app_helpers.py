"""Shared AppTest set-up for the page tests."""

from streamlit.testing.v1 import AppTest

TOY = "25 Gaussians, 2-D (shipped toy)"


def run_page(path: str, model: str | None = None, timeout: int = 120) -> AppTest:
    """Run a page (path relative to tests/) once, optionally with ``model`` as the session's current model."""
    at = AppTest.from_file(path, default_timeout=timeout)
    if model is not None:
        at.session_state["aeot_current"] = model
    return at.run()


def plotly_array(value):
    """A Plotly figure JSON array as numpy: plain lists, or ``{"dtype", "bdata"}`` (base64) encodings."""
    import base64

    import numpy as np

    if isinstance(value, dict) and "bdata" in value:
        out = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" not in value:
            return out
        shape = value["shape"]  # a list, or a string such as "10, 100"
        return out.reshape(tuple(int(s) for s in shape.split(",")) if isinstance(shape, str) else shape)
    return np.asarray(value, dtype=float)


def finish_jobs(at, timeout: float = 600):
    """Wait for this session's background jobs (training, views) to end, then rerun the page: what a visitor
    sees on coming back."""
    for entry in at.session_state["aeot_jobs"] if "aeot_jobs" in at.session_state else []:
        assert entry["job"].wait(timeout), f"{entry['name']} did not finish in {timeout} s"
    return at.run()


def shown_table(element):
    """What a page's ``st.dataframe`` / ``st.table`` shows, cell by cell: the Styler's display strings when the
    table is styled (what the browser draws then), else its values."""
    import pyarrow as pa

    arrow = element.proto.arrow_data if hasattr(element.proto, "arrow_data") else element.proto
    if arrow.HasField("styler") and arrow.styler.display_values:
        return pa.ipc.open_stream(arrow.styler.display_values).read_all().to_pandas()
    return element.value


def empty_cells(table) -> list:
    """(row, column) of the cells a visitor would read as "None": missing values (None, NaN, NA), or their text."""
    import pandas as pd

    words = {"none", "nan", "<na>", "nat", ""}
    return [(r, c) for c in table.columns for r, v in zip(table.index, table[c])
            if (not isinstance(v, (list, tuple, dict)) and pd.isna(v)) or (isinstance(v, str) and v.strip().lower()
                                                                         in words)]
