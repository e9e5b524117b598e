"""The dashboard as served: `streamlit run serve.py` (app.py is the page script; this file adds what a page
script cannot, at the HTTP layer).

- `/_stcore/metrics` (Streamlit's Prometheus counters: sessions, cache sizes) is closed: no one outside the server
  needs it, and the security review (D11) found it public.
- `/_auth/session` and `/_auth/end` (ui/session_routes.py) set and delete the session cookie that keeps a password
  sign-in across a reload (a page script cannot set a cookie).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from starlette.responses import PlainTextResponse

CLOSED = ("/_stcore/metrics",)


class ClosedPaths:
    """ASGI middleware answering 404 for the closed paths (under any base URL path)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope.get("path", "").rstrip("/").endswith(CLOSED):
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        await self.app(scope, receive, send)


from starlette.middleware import Middleware  # noqa: E402

from ui.session_routes import routes  # noqa: E402

app = st.App(Path(__file__).with_name("app.py"), middleware=[Middleware(ClosedPaths)],
             routes=routes(st.get_option("server.baseUrlPath") or ""))
