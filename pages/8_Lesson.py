"""Lesson: a guided class in ten steps, one figure, its caption and one thing to notice per step; a presentation
mode fits each step on a 1400 x 900 projector."""

import streamlit as st

from aeot_viz.apps.ui.lesson import STEPS, missing_models
from aeot_viz.apps.ui.state import init_state
from aeot_viz.apps.ui.teaching import PRESENT_KEY, notice, presenting, scroll_to_top

st.set_page_config(page_title="Lesson - AE-OT Explorer", layout="wide",
                   initial_sidebar_state="collapsed" if presenting() else "auto")
init_state()
present = presenting()  # (initialised from ?present=1)


def _set_presenting() -> None:
    st.session_state[PRESENT_KEY] = st.session_state["lesson_present"]


def _go(delta: int) -> None:
    st.session_state["lesson_step"] = min(max(st.session_state.get("lesson_step", 0) + delta, 0), len(STEPS) - 1)


if not present:
    st.title("Lesson: why GANs collapse, and AE-OT does not")
missing = missing_models()
if missing:
    st.info(f"The Lesson draws on the shipped models, and {', '.join(missing)} cannot be found in assets/. Reinstall "
            "the app (or restore the file) to follow it; every other page still works.")
    st.stop()
k = st.session_state.setdefault("lesson_step", 0)
step = STEPS[k]

# one row: where we are, the two buttons and the switch (on a projector every line of height counts)
where, back, forward, switch = st.columns([4, 1.3, 1.3, 2.2], vertical_alignment="center")
where.progress((k + 1) / len(STEPS), text=f"Step {k + 1} of {len(STEPS)}")
back.button("Previous", key="lesson_prev", on_click=_go, args=(-1,), disabled=k == 0, icon=":material/arrow_back:",
            width="stretch")
forward.button("Next", key="lesson_next", on_click=_go, args=(1,), disabled=k == len(STEPS) - 1,
               icon=":material/arrow_forward:", type="primary", width="stretch")
switch.toggle("Presentation mode", value=present, key="lesson_present", on_change=_set_presenting,
              help="For a projector: each step fits a 1400 x 900 screen, with larger figures and text. It stays on "
                   "as you visit the other pages, where it enlarges the text.")

st.header(step.title, anchor="lesson-step")
if present and not step.wide:  # a square figure, its words beside it
    figure, words = st.columns([3, 2])
    with figure:
        told = step.draw(f"lesson_fig_{k}")
    with words:
        st.caption(told.caption)
        notice("Lesson", told.notice)
else:
    told = step.draw(f"lesson_fig_{k}")
    if present:  # a wide figure, its words below it side by side
        caption, words = st.columns([2, 3])
        caption.caption(told.caption)
        with words:
            notice("Lesson", told.notice)
    else:
        st.caption(told.caption)
        notice("Lesson", told.notice)
scroll_to_top(f"lesson step {k}")  # Next and Previous open the new step at its top
