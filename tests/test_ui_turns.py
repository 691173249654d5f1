"""Chat turns in the web app: every turn's markers open that turn's sources, after follow-ups too."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.slow  # real embeddings


def test_an_earlier_answers_markers_still_open_its_own_sources(fake_assistant_factory):
    from assistant.ui.app import App

    first = "要素高度集聚有利于促进本地区人工智能技术的迭代升级[1]。"
    a = fake_assistant_factory(first, "人工智能要素集聚有哪些负面作用?", first)
    app = App(a)
    chat, sources, _, conv, _, panels, transcript = list(
        app.chat("人工智能要素集聚的“双刃剑”效应是什么?", [], "auto", "zh", [], [])
    )[-1]
    assert 'href="#src-t1-1"' in chat[-1]["content"] and 'id="src-t1-1"' in sources  # from [1], whatever the rank
    chat, sources, *_ = list(app.chat("那它有哪些负面作用?", chat, "auto", "zh", conv, transcript, panels))[-1]
    answer = chat[-1]["content"]
    assert re.search(r'href="#src-t2-\d"', answer) and "src-t1-" not in answer
    assert re.search(r'id="src-t2-\d"', sources) and 'id="src-t1-1"' in sources  # both turns' sources
    assert 'href="#src-t1-1"' in chat[1]["content"]  # the first answer is unchanged
    assert "结合上文理解为" in answer  # the condensed question is shown under the answer
