"""Who may use `reviewqa serve` and how much they may send: with REVIEWQA_API_KEY set every route
that runs work needs the key (the web app through a login page and its cookie, gradio_client
included), /healthz says nothing; a body is bounded while it is read, chunked or not. Servers run
the extractive backend over hash embeddings: no model loads."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

import httpx
import pytest

from .helpers import assert_one_line_error, free_port, run_cli

KEY = "test-key-456"
CLAIM = "人工智能会促进产业结构合理化水平提升。"
BEARER = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def fast_assistant(tmp_path_factory):
    from assistant.answering.chain import Assistant
    from assistant.settings import Settings

    store = tmp_path_factory.mktemp("access") / "store"
    s = Settings.from_env(embed_model="hash:64", store_dir=store, translate_queries=False)
    return Assistant(s, backend="extractive")


def _serve(assistant, api_key: str = ""):
    from assistant.ui.app import serve

    port = free_port()
    return serve(assistant, "127.0.0.1", port, block=False, api_key=api_key), f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def keyed(fast_assistant):
    server, url = _serve(fast_assistant, KEY)
    yield url
    server.close()


@pytest.fixture(scope="module")
def open_server(fast_assistant):
    server, url = _serve(fast_assistant)
    yield url
    server.close()


def _login(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    r = client.post("/login", data={"key": KEY})
    assert r.status_code == 303 and client.cookies.get("reviewqa_session")
    return client


def test_gradio_api_refuses_a_client_without_the_key(keyed):
    from gradio_client import Client

    with pytest.raises(Exception):  # noqa: B017 - gradio_client's own authentication error
        Client(keyed + "/", verbose=False).predict(CLAIM, "zh", api_name="/claim")
    for method, path in [
        ("POST", "/gradio_api/call/claim"),
        ("POST", "/gradio_api/run/claim"),
        ("POST", "/gradio_api/queue/join"),
        ("POST", "/gradio_api/upload"),
        ("GET", "/gradio_api/info"),
        ("GET", "/config"),
    ]:
        r = httpx.request(method, keyed + path, json={"data": [CLAIM, "zh"]})
        assert r.status_code == 401 and "/login" in r.json()["error"]["message"], path
    page = httpx.get(keyed + "/", headers={"Accept": "text/html"})
    assert page.status_code == 303 and page.headers["location"] == "/login"


def test_the_key_once_on_the_login_page_opens_the_web_app(keyed):
    from gradio_client import Client

    page = httpx.get(keyed + "/login")
    assert page.status_code == 200 and "密钥" in page.text and "Key" in page.text
    wrong = httpx.post(keyed + "/login", data={"key": "guess"})
    assert wrong.status_code == 401 and "密钥不正确" in wrong.text and "Wrong key" in wrong.text
    browser = _login(keyed)
    assert browser.get("/").status_code == 200 and browser.get("/config").status_code == 200
    assert KEY not in browser.cookies["reviewqa_session"]
    cookie = {"Cookie": f"reviewqa_session={browser.cookies['reviewqa_session']}"}
    for headers in (cookie, BEARER):
        html = Client(keyed + "/", verbose=False, headers=headers).predict(CLAIM, "zh", api_name="/claim")[0]
        assert "rq-badge" in html


def test_api_keeps_its_bearer_check_and_health_says_nothing(keyed):
    assert httpx.post(keyed + "/api/retrieve", json={"query": "智能鸿沟"}).status_code == 401
    browser = _login(keyed)  # the web app's cookie is not an API key
    assert browser.post("/api/retrieve", json={"query": "智能鸿沟"}).status_code == 401
    r = httpx.post(keyed + "/api/retrieve", json={"query": "智能鸿沟", "k": 1}, headers=BEARER)
    assert r.status_code == 200 and len(r.json()["passages"]) == 1
    assert httpx.get(keyed + "/v1/models", headers=BEARER).json()["data"][0]["id"] == "reviewqa"
    assert httpx.get(keyed + "/healthz").json() == {"status": "ok"}


def test_without_a_key_nothing_changes(open_server):
    from gradio_client import Client

    assert httpx.get(open_server + "/", headers={"Accept": "text/html"}).status_code == 200
    assert httpx.get(open_server + "/login").status_code != 200  # no login page
    assert "rq-badge" in Client(open_server + "/", verbose=False).predict(CLAIM, "zh", api_name="/claim")[0]
    assert httpx.post(open_server + "/api/retrieve", json={"query": "智能鸿沟", "k": 1}).status_code == 200
    assert httpx.get(open_server + "/healthz").json()["backend"] == "extractive"


def test_a_blank_key_is_refused_in_one_line(hash_env):
    from assistant.errors import UserError
    from assistant.settings import Settings

    out = run_cli(
        "serve",
        "--host",
        "0.0.0.0",
        "--port",
        str(free_port()),
        env={**hash_env, "REVIEWQA_API_KEY": "   "},
        timeout=30,
    )
    assert_one_line_error(out, "REVIEWQA_API_KEY")
    for blank in (" ", "\t", " key "):
        with pytest.raises(UserError, match="REVIEWQA_API_KEY"):
            Settings.from_env(api_key=blank)


# ---------------------------------------------------------------------------- body limits
def _chunks(total: int, size: int = 65_536):
    for _ in range(total // size):
        yield b"x" * size


def test_a_chunked_body_over_the_limit_is_413(keyed):
    from assistant.service.guard import MAX_BODY

    r = httpx.post(
        keyed + "/api/retrieve", content=_chunks(4 * MAX_BODY), headers={**BEARER, "Content-Type": "application/json"}
    )
    assert r.status_code == 413 and str(MAX_BODY) in r.json()["error"]["message"]


def test_the_413_comes_before_the_body_ends(keyed):
    """A chunked body that never ends: the answer arrives once the limit is passed, not at the end."""
    from assistant.service.guard import MAX_BODY

    host, port = keyed.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(
            f"POST /api/retrieve HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {KEY}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        )
        for chunk in _chunks(MAX_BODY + 200_000):
            s.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        assert s.recv(64).startswith(b"HTTP/1.1 413")  # times out if the server waits for the end


def test_the_guard_stops_reading_at_the_limit():
    """The app below the guard never receives more than the limit plus one chunk."""
    from assistant.service.guard import MAX_BODY, Guard

    pulled, sent = [], []
    chunk = b"x" * 65_536

    async def receive():
        pulled.append(len(chunk))
        return {"type": "http.request", "body": chunk, "more_body": True}  # an endless body

    async def send(message):
        sent.append(message)

    async def app(scope, receive, send):  # reads everything, as a JSON endpoint does
        while (await receive())["type"] == "http.request":
            pass

    scope = {"type": "http", "method": "POST", "path": "/api/retrieve", "headers": []}
    asyncio.run(Guard(app)(scope, receive, send))
    assert sum(pulled) <= MAX_BODY + len(chunk)
    assert sent[0]["status"] == 413


def test_an_upload_has_its_own_larger_limit(keyed):
    """A draft .docx over 1 MB still uploads; a request over MAX_UPLOAD is 413 while it arrives."""
    from assistant.service.guard import MAX_UPLOAD

    big = b"PK" + b"\x00" * 2_000_000
    r = httpx.post(keyed + "/gradio_api/upload", files={"files": ("d.docx", big)}, headers=BEARER, timeout=60)
    assert r.status_code == 200 and Path(r.json()[0]).name == "d.docx"
    boundary = "rqboundary"

    def body():
        yield f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="d.docx"\r\n\r\n'.encode()
        yield from _chunks(MAX_UPLOAD + 500_000)

    t = time.perf_counter()
    r = httpx.post(
        keyed + "/gradio_api/upload",
        content=body(),
        headers={**BEARER, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        timeout=60,
    )
    assert r.status_code == 413 and time.perf_counter() - t < 30


@pytest.mark.slow
def test_a_browser_logs_in_once_and_uses_the_app(keyed):
    """In headless Chromium: the page sends the browser to the login page; after the key, the
    claim check works, and a reload needs no key again."""
    from playwright.sync_api import sync_playwright

    from .test_ui_browser import ARGS, CHROMIUM

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page()
        page.goto(keyed + "/", wait_until="load")
        assert page.url.endswith("/login") and "密钥" in page.content()
        page.fill("#key", KEY)
        page.click("button[type=submit]")
        page.wait_for_selector("#rq-question textarea", timeout=60_000)
        page.get_by_role("tab", name="论断核查").click()
        page.locator("#rq-claim textarea").fill(CLAIM)
        page.locator("#rq-check").click()
        page.wait_for_selector("#rq-claim-out .rq-badge", timeout=120_000)
        page.reload(wait_until="load")
        page.wait_for_selector("#rq-question textarea", timeout=60_000)
        assert not page.url.endswith("/login")
        browser.close()
