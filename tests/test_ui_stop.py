"""Stop in the web app closes that session's running answer, and only that one, whether the chat
handler is still iterating or was left suspended by Gradio's cancel."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from assistant.answering.results import SentenceEvent
from assistant.ui.app import App


class SlowAnswers:
    """Stands in for the Assistant: an answer of many sentences, one every 20 ms, that records
    whether it was closed (closing the generator is what stops the model)."""

    def __init__(self) -> None:
        self.closed: list[str] = []
        self.produced: list[str] = []

    def ask_stream(self, question: str, lang: str, history: list, stop: object = None) -> object:
        try:
            for i in range(500):
                time.sleep(0.02)
                self.produced.append(question)
                yield SentenceEvent(f"第{i}句。")
        finally:
            self.closed.append(question)


def _request(session: str) -> SimpleNamespace:
    return SimpleNamespace(session_hash=session)


def test_stop_closes_an_answer_left_suspended():
    a = SlowAnswers()
    app = App(a)  # type: ignore[arg-type]
    mine = app.chat("问题甲", [], "zh", "zh", [], request=_request("s1"))
    next(mine), next(mine)  # the first sentence is shown, then Gradio's cancel leaves the handler here
    app.stop(_request("s1"))
    assert a.closed == ["问题甲"]
    assert len(a.produced) == 1


def test_stop_ends_a_running_answer_and_spares_other_sessions():
    a = SlowAnswers()
    app = App(a)  # type: ignore[arg-type]
    outputs: dict[str, list] = {"s1": [], "s2": []}

    def run(session: str, q: str) -> None:
        for out in app.chat(q, [], "zh", "zh", [], request=_request(session)):
            outputs[session].append(out)

    threads = [threading.Thread(target=run, args=(s, q)) for s, q in (("s1", "甲"), ("s2", "乙"))]
    for th in threads:
        th.start()
    time.sleep(0.3)
    app.stop(_request("s1"))
    threads[0].join(timeout=5)
    assert not threads[0].is_alive()  # the handler returned
    assert "甲" in a.closed and "乙" not in a.closed  # the other session's answer runs on
    shown = a.produced.count("甲")
    time.sleep(0.3)
    assert a.produced.count("甲") == shown  # nothing more was generated for the stopped answer
    assert a.produced.count("乙") > shown
    app.stop(_request("s2"))
    threads[1].join(timeout=5)
    assert "乙" in a.closed


class OneLongStep:
    """An answer whose first step is long (the model writing its first sentence): only the stop
    flag handed to ask_stream can end it early, as the real chain checks it at every token."""

    def __init__(self) -> None:
        self.stopped_early = threading.Event()

    def ask_stream(self, question: str, lang: str, history: list, stop: threading.Event | None = None) -> object:
        for _ in range(500):  # ~10 s unless stopped
            if stop is not None and stop.is_set():
                self.stopped_early.set()
                return
            time.sleep(0.02)
        yield SentenceEvent("第一句。")


def test_stop_reaches_an_answer_in_the_middle_of_a_step():
    a = OneLongStep()
    app = App(a)  # type: ignore[arg-type]
    mine = app.chat("问题丙", [], "zh", "zh", [], request=_request("s3"))
    next(mine)  # "thinking…" is shown; the next step is the model's first sentence
    th = threading.Thread(target=lambda: list(mine))
    th.start()
    time.sleep(0.2)
    app.stop(_request("s3"))
    assert a.stopped_early.wait(2)
    th.join(timeout=5)
    assert not th.is_alive()


@pytest.mark.slow
def test_the_chain_stops_the_model_at_the_next_token_when_asked(fake_assistant_factory):
    """The real chain with a scripted model that writes one long sentence a character every 20 ms
    (~8 s): the stop flag ends the answer at once, not when the sentence completes."""
    a = fake_assistant_factory("人工智能" * 100 + "[1]。", sleep=0.02)
    stop = threading.Event()
    done = threading.Event()

    def run() -> None:
        for _ in a.ask_stream("智能鸿沟是什么?", "zh", [], stop=stop):
            pass
        done.set()

    th = threading.Thread(target=run, daemon=True)
    th.start()
    time.sleep(1.5)
    assert not done.is_set()  # still writing its first sentence
    stop.set()
    assert done.wait(3)
