"""Layer 7: the command line and the Streamlit helpers (the only Streamlit code)."""
