"""A full model queue answers 503 with Retry-After at once; places are given back however a request ends."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from assistant.service.admission import Admission, Busy


def test_places_are_bounded_and_given_back():
    a = Admission(2)
    a.enter()
    with a:
        with pytest.raises(Busy):
            a.enter()
    assert a.held == 1
    release = a.releaser()
    release()
    release()  # a second call (a stream's end and its cleanup) gives back nothing more
    assert a.held == 0
    a.enter()
    a.enter()
    assert a.held == 2


def test_a_full_queue_is_503_with_retry_after():
    from fastapi.testclient import TestClient

    from assistant.service.api import build_api
    from assistant.settings import Settings

    asked: list[str] = []

    class Model:
        settings = replace(Settings(), queue_depth=1)

        def ask(self, q, lang, history):  # never reached while the queue is full
            asked.append(q)
            raise AssertionError("the model was asked")

    api = build_api(Model(), SimpleNamespace())
    client = TestClient(api)
    api.state.admission.enter()  # another request holds the one place
    body = {"model": "reviewqa", "messages": [{"role": "user", "content": "人工智能如何影响产业布局?"}]}
    r = client.post("/v1/chat/completions", json=body)
    assert r.status_code == 503 and int(r.headers["Retry-After"]) > 0
    assert r.json()["error"]["type"] == "server_busy" and not asked
    r = client.post("/v1/chat/completions", json={**body, "stream": True})
    assert r.status_code == 503
    api.state.admission.leave()
    assert api.state.admission.held == 0


def test_a_streamed_answer_gives_its_place_back_when_it_ends():
    from fastapi.testclient import TestClient

    from assistant.answering.results import AskResult, DoneEvent, SentenceEvent
    from assistant.service.api import build_api
    from assistant.settings import Settings

    class Model:
        settings = replace(Settings(), queue_depth=1)

        def ask_stream(self, q, lang, history):
            yield SentenceEvent("综述的一句话[1]。")
            yield DoneEvent(AskResult(q, "zh", "综述的一句话[1]。", "custom", "m", [], True))

    api = build_api(Model(), SimpleNamespace())
    client = TestClient(api)
    body = {"model": "reviewqa", "stream": True, "messages": [{"role": "user", "content": "一个问题?"}]}
    for _ in range(2):  # the second would be 503 if the first kept its place
        r = client.post("/v1/chat/completions", json=body)
        assert r.status_code == 200 and "综述的一句话" in r.text and r.text.rstrip().endswith("[DONE]")
    assert api.state.admission.held == 0


def test_a_client_that_leaves_a_stream_stops_the_answer(tmp_path):
    """The answer generator is closed (which stops the model) soon after the client disconnects,
    not when the model would have finished."""
    import threading
    import time

    import httpx
    import uvicorn

    from assistant.answering.results import SentenceEvent
    from assistant.service.api import build_api
    from assistant.settings import Settings
    from tests.helpers import free_port

    closed = threading.Event()
    produced: list[int] = []

    class Model:
        settings = replace(Settings(), queue_depth=1)

        def ask_stream(self, q, lang, history):
            try:
                for i in range(600):  # a minute of answer, a sentence every 0.1 s
                    produced.append(i)
                    yield SentenceEvent(f"第{i}句[1]。")
                    time.sleep(0.1)
            finally:
                closed.set()

    api = build_api(Model(), SimpleNamespace())
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=port, log_level="error"))
    threading.Thread(target=server.run, daemon=True).start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        body = {"model": "reviewqa", "stream": True, "messages": [{"role": "user", "content": "一个问题?"}]}
        with httpx.stream("POST", f"http://127.0.0.1:{port}/v1/chat/completions", json=body, timeout=10) as r:
            for line in r.iter_lines():
                if "第2句" in line:
                    break  # the client leaves after three sentences
        assert closed.wait(10), "the answer kept running after the client left"
        assert len(produced) < 150
        time.sleep(0.3)
        assert api.state.admission.held == 0  # and its place is free again
    finally:
        server.should_exit = True
