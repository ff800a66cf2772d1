"""Lesson: a guided 20-minute class, one figure and one thing to notice per step, with a presentation mode."""

import streamlit as st

from aeot_viz.apps.ui.lesson import STEPS, missing_models
from aeot_viz.apps.ui.state import init_state
from aeot_viz.apps.ui.teaching import PRESENT_KEY, notice, presenting

st.set_page_config(page_title="Lesson - AE-OT Explorer", layout="wide")
init_state()
presenting()  # (initialised from ?present=1)


def _set_presenting() -> None:
    st.session_state[PRESENT_KEY] = st.session_state["lesson_present"]


def _go(delta: int) -> None:
    st.session_state["lesson_step"] = min(max(st.session_state.get("lesson_step", 0) + delta, 0), len(STEPS) - 1)


head, switch = st.columns([3, 1.6])
head.title("Lesson: why GANs collapse, and AE-OT does not")
switch.toggle("Presentation mode", value=presenting(), key="lesson_present", on_change=_set_presenting,
              help="Larger figures and text, for a projector. It stays on as you visit the other pages, where it "
                   "enlarges the text.")

missing = missing_models()
if missing:
    st.info(f"The Lesson draws on the shipped models, and {', '.join(missing)} cannot be found in assets/. Reinstall "
            "the app (or restore the file) to follow it; every other page still works.")
    st.stop()
k = st.session_state.setdefault("lesson_step", 0)
step = STEPS[k]
st.progress((k + 1) / len(STEPS), text=f"Step {k + 1} of {len(STEPS)}")
st.header(step.title)
sentence = step.draw(f"lesson_fig_{k}")
notice("Lesson", sentence)

back, forward, _ = st.columns([1.3, 1.3, 5])
back.button("Previous", key="lesson_prev", on_click=_go, args=(-1,), disabled=k == 0, icon=":material/arrow_back:")
forward.button("Next", key="lesson_next", on_click=_go, args=(1,), disabled=k == len(STEPS) - 1,
               icon=":material/arrow_forward:", type="primary")
