"""AE-OT Explorer: the Streamlit entry point (`streamlit run app.py`). It only lists the pages.

Each page in ``pages/`` is a thin script: widgets -> :mod:`aeot_viz` core -> figure builders -> display.
"""

import streamlit as st

from aeot_viz.apps.ui.background import collect_finished, sidebar_panel
from aeot_viz.apps.ui.state import use_app_navigation
from aeot_viz.apps.ui.teaching import glossary_sidebar, presentation_css

use_app_navigation(rerun=False)  # this file's navigation, not the pages/ folder's (see its docstring)
st.set_page_config(page_title="AE-OT Explorer", layout="wide")
PAGES = [
    st.Page("pages/0_Home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/8_Lesson.py", title="Lesson", icon=":material/school:", url_path="Lesson"),
    st.Page("pages/1_Train.py", title="Train", icon=":material/model_training:", url_path="Train"),
    st.Page("pages/2_Latent_Space.py", title="Latent Space", icon=":material/scatter_plot:", url_path="Latent_Space"),
    st.Page("pages/3_Power_Diagram.py", title="Power Diagram", icon=":material/hexagon:", url_path="Power_Diagram"),
    st.Page("pages/4_Singular_Set.py", title="Singular Set", icon=":material/bolt:", url_path="Singular_Set"),
    st.Page("pages/5_Generate.py", title="Generate", icon=":material/auto_awesome:", url_path="Generate"),
    st.Page("pages/6_Mode_Collapse.py", title="Mode Collapse", icon=":material/compare:", url_path="Mode_Collapse"),
    st.Page("pages/7_Playground.py", title="Playground", icon=":material/draw:", url_path="Playground"),
]
page = st.navigation(PAGES)
presentation_css()  # larger text on every page while presentation mode is on (the Lesson page's switch)
collect_finished()  # a model trained in the background joins the picker on whatever page the visitor is
try:
    page.run()
finally:  # after the page (which may have just started a job), even when it stopped early
    sidebar_panel()  # progress of this session's background jobs, on every page
    glossary_sidebar()  # the terms, reachable from every page
