"""The HTTP side of a sign-in that survives a reload (auth.mode: password; see metrics.access.sessions).

- `GET <base>/_auth/session?n=<nonce>&next=<path>`: the page sends the browser here right after a password login.
  The one-time nonce (60 s, single use) carries the new session id; the answer sets it as an HttpOnly,
  SameSite=Strict cookie (Secure over https) and redirects to `next`, a same-origin path.
- `GET <base>/_auth/end?n=<nonce>&next=<path>`: after 退出登录 (the session is already deleted in the database),
  deletes the cookie. Also nonce-protected, so another site cannot make the browser drop it.

An unknown, used or expired nonce gets 403 and no cookie; a `next` that is not a relative path on this server
gets 400 (no open redirect).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from metrics.access import sessions

COOKIE = "xt_session"
LOGIN = "login"  # nonce purposes
LOGOUT = "logout"


def safe_next(value: str | None, base: str = "") -> str | None:
    """`value` if it is a path on this server ("/…", not "//…", no backslash or control character), else None."""
    home = f"/{base.strip('/')}/" if base.strip("/") else "/"
    if value is None or value == "":
        return home
    if len(value) > 2000 or not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return None
    return value


def _secure(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _refuse(status: int, text: str) -> Response:
    return PlainTextResponse(text, status_code=status, headers={"Cache-Control": "no-store"})


def login_payload(raw_id: str, idle_hours: float) -> str:
    """What a login nonce carries: the cookie's lifetime (the idle timeout, in seconds) and the session id."""
    return f"{max(60, round(idle_hours * 3600))} {raw_id}"


def routes(base: str = "") -> list[Route]:
    """The two routes under the server's base URL path."""
    prefix = f"/{base.strip('/')}" if base.strip("/") else ""

    async def start(request: Request) -> Response:
        target = safe_next(request.query_params.get("next"), base)
        if target is None:
            return _refuse(400, "跳转地址无效。")
        payload = sessions.consume_nonce(LOGIN, request.query_params.get("n"))
        if payload is None:
            return _refuse(403, "登录链接无效或已过期，请重新登录。")
        max_age, raw = payload.split(" ", 1)
        response = RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
        response.set_cookie(COOKIE, raw, max_age=int(max_age), path="/", httponly=True, samesite="strict",
                            secure=_secure(request))
        return response

    async def end(request: Request) -> Response:
        target = safe_next(request.query_params.get("next"), base)
        if target is None:
            return _refuse(400, "跳转地址无效。")
        if sessions.consume_nonce(LOGOUT, request.query_params.get("n")) is None:
            return _refuse(403, "退出链接无效或已过期。")
        response = RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request))
        return response

    return [Route(prefix + "/_auth/session", start, methods=["GET"]),
            Route(prefix + "/_auth/end", end, methods=["GET"])]
