"""The only modules that import Streamlit: caching at the UI boundary and session state."""
