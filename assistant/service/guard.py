"""Who may use `reviewqa serve`, and how much they may send, checked before any route — FastAPI's
or Gradio's — sees a request. A pure ASGI middleware, so a body is counted as it arrives (a
chunked body has no Content-Length to trust) and no Gradio route can be reached around it.

With `REVIEWQA_API_KEY` set: /v1 and /api need `Authorization: Bearer <key>`; everything else (the
web page, /gradio_api/*) needs the same header or the session cookie that /login issues once the
key is typed in. /healthz, /login and the API docs stay open."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from html import escape
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse

from assistant.research.draft import MAX_DOCX_BYTES

MAX_BODY = 1_000_000  # bytes, every request but an upload
UPLOAD_PATH = "/gradio_api/upload"
MAX_UPLOAD = MAX_DOCX_BYTES + 65_536  # a draft .docx and its multipart framing
COOKIE = "reviewqa_session"
SESSION_DAYS = 30
OPEN_PATHS = ("/healthz", "/login", "/api/docs", "/api/openapi.json")
BEARER_PREFIXES = ("/v1", "/api")
KEY_NEEDED = (
    "需要密钥:请在 /login 输入密钥,或发送 Authorization: Bearer <key>。 / "
    "A key is needed: enter it at /login, or send Authorization: Bearer <key>."
)


def json_error(status: int, message: str, kind: str = "invalid_request_error") -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": kind}}, status_code=status)


def session_token(api_key: str) -> str:
    """The cookie's value: derived from the key (never the key itself), so every worker behind a
    proxy accepts it, a restart keeps browsers logged in, and a new key logs everyone out."""
    return hmac.new(api_key.encode(), b"reviewqa web session", hashlib.sha256).hexdigest()


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith(p + "/") for p in prefixes)


class Guard:
    """The key and the body limit, in front of the whole app."""

    def __init__(self, app: Any, api_key: str = "") -> None:
        self.app, self.api_key = app, api_key
        self.token = session_token(api_key) if api_key else ""

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        if self.api_key and not self._allowed(scope):
            return await self._refuse(scope, receive, send)
        if scope["type"] == "websocket":
            return await self.app(scope, receive, send)
        limit = MAX_UPLOAD if scope["path"] == UPLOAD_PATH else MAX_BODY
        length = _header(scope, b"content-length").decode("latin-1")
        if length.isdigit() and int(length) > limit:
            return await too_large(limit)(scope, receive, send)
        body = BoundedBody(scope, receive, send, limit)
        try:
            await self.app(scope, body.receive, body.send)
        except Exception:
            if not body.refused:  # the app only saw a disconnect: the client already has its 413
                raise

    def _allowed(self, scope: dict) -> bool:
        path = scope["path"]
        if path in OPEN_PATHS:
            return True
        if hmac.compare_digest(_header(scope, b"authorization"), b"Bearer " + self.api_key.encode()):
            return True
        if _under(path, BEARER_PREFIXES):  # the API takes the header only
            return False
        return hmac.compare_digest(HTTPConnection(scope).cookies.get(COOKIE, "").encode(), self.token.encode())

    async def _refuse(self, scope: dict, receive: Any, send: Any) -> None:
        """The API gets 401 JSON; a browser asking for a page goes to the login page."""
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        if _under(scope["path"], BEARER_PREFIXES):
            response = json_error(401, "Invalid or missing API key (Authorization: Bearer …).", "authentication_error")
        elif scope["method"] == "GET" and b"text/html" in _header(scope, b"accept"):
            response = RedirectResponse(scope.get("root_path", "") + "/login", status_code=303)
        else:
            response = json_error(401, KEY_NEEDED, "authentication_error")
        await response(scope, receive, send)


def _header(scope: dict, name: bytes) -> bytes:
    return next((v for k, v in scope.get("headers", []) if k == name), b"")


def too_large(limit: int) -> JSONResponse:
    return json_error(413, f"请求体超过 {limit} 字节。 / Request body over {limit} bytes.")


class BoundedBody:
    """`receive` that counts body bytes as they arrive: past the limit the client gets 413 at once,
    the app a disconnect (it stops reading), and whatever the app answers then is dropped."""

    def __init__(self, scope: dict, receive: Any, send: Any, limit: int) -> None:
        self.scope, self._receive, self._send, self.limit = scope, receive, send, limit
        self.seen, self.started, self.refused = 0, False, False

    async def receive(self) -> dict:
        if self.refused:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > self.limit:
                self.refused = True
                if not self.started:
                    await too_large(self.limit)(self.scope, self._receive, self._send)
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: dict) -> None:
        if self.refused:
            return
        self.started = self.started or message["type"] == "http.response.start"
        await self._send(message)


# ---------------------------------------------------------------------------- the login page
PAGE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>reviewqa · 登录 / Log in</title>
<style>body{{font-family:"Noto Sans CJK SC","Noto Sans SC",system-ui,sans-serif;max-width:26rem;margin:12vh auto;
padding:0 1rem}}input,button{{font:inherit;padding:.5rem;margin:.3rem 0;width:100%;box-sizing:border-box}}
.err{{color:#b00020}}</style></head>
<body><h1>reviewqa</h1>
<p>此服务需要密钥(REVIEWQA_API_KEY)。<br>This server needs its key (REVIEWQA_API_KEY).</p>{error}
<form method="post" action="login">
<label for="key">密钥 / Key</label>
<input id="key" name="key" type="password" autocomplete="current-password" autofocus required>
<button type="submit">进入 / Enter</button></form></body></html>"""
WRONG_KEY = "密钥不正确。 / Wrong key."


def add_login(api: Any, api_key: str) -> None:
    """GET /login: a small bilingual page asking for the key; POST /login: the session cookie."""

    @api.get("/login", include_in_schema=False)
    def login_page() -> HTMLResponse:
        return HTMLResponse(PAGE.format(error=""))

    @api.post("/login", include_in_schema=False)
    async def login(request: Request):
        typed = parse_qs((await request.body()).decode("utf-8", "replace")).get("key", [""])[0]
        if not hmac.compare_digest(typed.encode(), api_key.encode()):
            await asyncio.sleep(0.5)  # slows guessing
            return HTMLResponse(PAGE.format(error=f'<p class="err">{escape(WRONG_KEY)}</p>'), status_code=401)
        response = RedirectResponse("./", status_code=303)
        response.set_cookie(
            COOKIE,
            session_token(api_key),
            max_age=SESSION_DAYS * 86400,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return response
