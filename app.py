"""AE-OT Explorer: the Streamlit entry point (`streamlit run app.py`). It only lists the pages.

Each page in ``pages/`` is a thin script: widgets -> :mod:`aeot_viz` core -> figure builders -> display.
"""

import streamlit as st

st.set_page_config(page_title="AE-OT Explorer", layout="wide")
PAGES = [
    st.Page("pages/0_Home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/1_Train.py", title="Train", icon=":material/model_training:", url_path="Train"),
    st.Page("pages/2_Latent_Space.py", title="Latent Space", icon=":material/scatter_plot:", url_path="Latent_Space"),
    st.Page("pages/3_Power_Diagram.py", title="Power Diagram", icon=":material/hexagon:", url_path="Power_Diagram"),
    st.Page("pages/4_Singular_Set.py", title="Singular Set", icon=":material/bolt:", url_path="Singular_Set"),
    st.Page("pages/5_Generate.py", title="Generate", icon=":material/auto_awesome:", url_path="Generate"),
    st.Page("pages/6_Mode_Collapse.py", title="Mode Collapse", icon=":material/compare:", url_path="Mode_Collapse"),
]
st.navigation(PAGES).run()
