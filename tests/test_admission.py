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
