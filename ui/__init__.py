"""Streamlit-side helpers: the shared page frame, cached data access and display widgets."""
