"""Teaching aids shared by every page: one "what to notice" sentence per page, the glossary, presentation mode."""

from __future__ import annotations

import streamlit as st

#: the terms a first-time visitor meets, in the order a lesson introduces them
GLOSSARY = {
    "Latent code": "The autoencoder's short vector for one training item (a digit image becomes 16 or 32 numbers). "
                   "For 2-D toys the points themselves are the codes.",
    "Power cell": "The noise points x for which <x, y_i> + h_i is largest. The OT map sends the whole cell to code "
                  "y_i; the heights h are solved so that every cell holds the same mass 1/N. The codes y_i are "
                  "rescaled into the noise square first, so both live in one picture.",
    "Facet": "The wall shared by two neighbouring power cells. Crossing it, the map switches from one code to the "
             "other.",
    "Brenier potential": "u_h(x) = max_i <x, y_i> + h_i: a convex, piecewise-linear function. Its gradient is the "
                         "optimal transport map, constant (one code) on each cell.",
    "Singular set": "The facets whose two codes have empty space between them: the midpoint of the two codes lies "
                    "further from every other code than in any facet of a convex, gap-free support of the same shape "
                    "(the convex null). A convex support holds the segment between any two of its points, so these "
                    "facets are gaps, and there the map is discontinuous.",
    "Mode": "One separate cluster of the data: one Gaussian of the toy. In MNIST a digit class may hold several modes "
            "(two ways to write a 7), and neighbouring digits can touch in the latent space.",
    "Mode collapse": "A generator leaves some modes empty or nearly so: it never (or rarely) makes those items.",
    "Mode mixture": "A generator puts samples between modes: blends that look like no real item (a 4 half-way to a "
                    "9, a point in the gap between two Gaussians).",
    "OT error": "How far the cells' masses are from 1/N, summed (L1). For 2-D models it is exact, from the cell "
                "polygons; for higher dimensions it is measured on random noise samples and has a noise floor.",
}

#: one sentence per page: what the page's main picture shows, to look for first
NOTICE = {
    "Home": "Each cell of the noise square (left) is sent to one code (middle); the red lines are where neighbouring "
            "cells send their noise to different modes, so the map must jump there, and new samples (right) stay on "
            "the modes.",
    "Train": "2-D toys are their own latent space, so only the OT solve runs; it stops as soon as every cell holds "
             "its mass, which in 2-D takes a handful of exact Newton steps.",
    # one per picture the page can show (issue 33: only UMAP reliably shows islands with empty space between them)
    "Latent Space": {
        "umap": "UMAP keeps neighbouring codes together and pulls separate groups apart: where the codes have gaps, "
                "they show as islands with empty space between them (UMAP widens the gaps; the Singular Set page "
                "measures them in the latent space itself). That gappy, non-convex support is why the OT map has to "
                "jump.",
        "pca": "PCA is a flat, linear shadow of the codes on their two widest directions: groups that are apart in the "
               "latent space can fall on top of each other here, so overlapping colours do not mean there is no "
               "empty space between them. UMAP pulls such groups apart; the Singular Set page measures the gaps in "
               "the latent space itself.",
        "tsne": "t-SNE keeps each code's nearest neighbours close, so similar codes form clumps; the clumps' sizes and "
                "the distances between them mean little, so a gap here is a hint, not a measurement (the Singular "
                "Set page measures the gaps in the latent space itself).",
        "as_is": "The latent space is 2-D, so these are the codes themselves, undistorted: any empty space between "
                 "groups of codes is really there, and the OT map has to jump across it.",
    },
    "Power Diagram": "Every cell has the same area (mass 1/N) however far its code lies; red facets join cells whose "
                     "codes are far apart.",
    "Singular Set": "Along the probe AE-OT's output is flat inside a cell and steps at each crossing; red crossings "
                    "(when the probe has any) jump across empty space between two codes.",
    "Generate": "A new sample blends only codes whose cells touch across a regular facet, so it never lands in a gap "
                "between two modes.",
    "Mode Collapse": "The baselines leave modes thin or empty (collapse) or put samples between them (mixture); "
                     "AE-OT covers every mode and stays on them.",
    "Playground": "Draw two separate blobs: red singular facets appear between them, and the GAN's samples bridge "
                  "the gap that AE-OT's never enter.",
    "Lesson": "Each step shows one picture and one thing to look for; the last step links to the pages that let "
              "you try it yourself.",
}

PRESENT_KEY = "aeot_present"
#: figure height and font size in presentation mode (for a projector) and normally
PRESENT_FONT, PRESENT_SCALE = 20, 1.45


def presenting() -> bool:
    """Whether presentation mode is on in this session (the Lesson page's switch, or ``?present=1`` in the URL)."""
    if PRESENT_KEY not in st.session_state:
        st.session_state[PRESENT_KEY] = st.query_params.get("present", "0") in ("1", "true", "yes")
    return bool(st.session_state[PRESENT_KEY])


def styled(fig, height: int | None = None, *, present_height: int | None = None):
    """A copy of ``fig`` sized for the screen; the figure given is left as it is (it may be a cached figure that
    other sessions share).

    In presentation mode the figure gets ``present_height`` (else its height times ``PRESENT_SCALE``) and every
    text in it grows with it: the base font, tick labels, axis titles, legend, subplot titles and colour bars.
    """
    import plotly.graph_objects as go

    fig = go.Figure(fig)
    h = height or fig.layout.height or 450
    if presenting():
        h = present_height or int(h * PRESENT_SCALE)
        size, small = PRESENT_FONT, PRESENT_FONT - 2
        fig.update_layout(font=dict(size=size), legend=dict(font=dict(size=size)), hoverlabel=dict(font_size=small))
        fig.update_xaxes(tickfont=dict(size=small), title_font=dict(size=size), automargin=True)
        fig.update_yaxes(tickfont=dict(size=small), title_font=dict(size=size), automargin=True)
        fig.update_annotations(font_size=size)
        for tr in fig.data:
            if "colorbar" in tr:
                tr.update(colorbar=dict(tickfont=dict(size=small), title=dict(font=dict(size=small))))
    fig.update_layout(height=int(h))
    return fig


def presentation_css() -> None:
    """Larger text everywhere while presentation mode is on (the figures grow through :func:`styled`), and less
    empty space above the page's content, so a Lesson step fits a 1400 x 900 projector."""
    if presenting():
        st.markdown("<style>html { font-size: 21px; } .stMarkdown p, .stAlert p { font-size: 1.05rem; } "
                    "[data-testid='stMetricValue'] { font-size: 1.9rem; } "
                    "[data-testid='stMainBlockContainer'] { padding-top: 3.4rem; padding-bottom: 2rem; } "
                    "[data-testid='stCaptionContainer'] { font-size: 0.82rem; line-height: 1.4; } "
                    "h2 { font-size: 1.75rem !important; padding: 0.2rem 0 !important; } "
                    "</style>", unsafe_allow_html=True)


def scroll_to_top(nonce: str) -> None:
    """Scroll the page back to its top once this run has drawn (Streamlit keeps the scroll position across reruns,
    so a new Lesson step would open half-way down). ``nonce`` changes whenever the view should jump (the step): a
    new script, which the browser runs once."""
    st.html("<script>/* " + nonce.replace("*/", "") + " */\n"
            "const main = document.querySelector('[data-testid=\"stMain\"]');\n"
            "if (main) main.scrollTo({top: 0});\n"
            "window.scrollTo({top: 0});\n"
            "</script>", unsafe_allow_javascript=True)


def notice(page: str, text: str | None = None) -> None:
    """The page's "what to notice" sentence, in a bordered box under its title (not an alert: those say how an
    action went)."""
    with st.container(border=True):
        st.markdown(f":material/visibility: **What to notice.** {text or NOTICE[page]}")


def glossary_sidebar() -> None:
    """The glossary, in the sidebar of every page."""
    with st.sidebar.expander("Glossary", icon=":material/menu_book:"):
        st.markdown("\n\n".join(f"**{term}.** {text}" for term, text in GLOSSARY.items()))
