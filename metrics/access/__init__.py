"""Who may see what: users and roles, the scope every query carries, masking of personal data, the audit log.

Pure Python (no Streamlit): the app (ui/auth.py) and the CLI (`python -m metrics users …`) both use it.
"""
