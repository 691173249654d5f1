"""Helpers the test modules share (plain functions and constants; fixtures live in conftest.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """`reviewqa ARGS` in a fresh process, from the checkout, with the test environment plus `env`."""
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        timeout=timeout,
    )


def assert_one_line_error(out: subprocess.CompletedProcess, word: str) -> None:
    """Exit 2, exactly one line on stderr containing `word`, never a traceback."""
    assert out.returncode == 2, out.stderr
    lines = [x for x in out.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and word in lines[0], out.stderr
    assert "Traceback" not in out.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


AFFIRMS = {"supports": 0.95, "contradicts": 0.03, "neutral": 0.02}  # a judge that affirms every pair


def scripted_judge(probs: dict[str, float], yes: float = 0.9):
    """A Backend whose chat model answers every entailment prompt with `probs`, and every relevance
    prompt with P(YES) = `yes`, as token logprobs."""
    from assistant.llm.backends import Backend

    return Backend("custom", "scripted-judge", ScriptedJudge(probs=probs, yes=yes))


def _scripted_judge_class():
    import math
    from typing import Any

    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import AIMessage
    from langchain_core.outputs import ChatGeneration, ChatResult

    class ScriptedJudge(BaseChatModel):
        """Answers every judge prompt with one fixed label distribution, as token logprobs."""

        probs: dict[str, float]
        yes: float = 0.9  # P(YES) for every relevance prompt ("does this sentence answer the question?")
        calls: int = 0

        @property
        def _llm_type(self) -> str:
            return "scripted-judge"

        def _generate(self, messages: list[Any], stop: Any = None, run_manager: Any = None, **kw: Any) -> ChatResult:
            self.calls += 1
            if "QUESTION:" in str(messages[-1].content):  # the relevance prompt
                top = [{"token": "YES", "logprob": math.log(max(self.yes, 1e-9))}]
                top.append({"token": "NO", "logprob": math.log(max(1 - self.yes, 1e-9))})
                meta = {"logprobs": {"content": [{"top_logprobs": top}]}}
                return ChatResult(
                    generations=[ChatGeneration(message=AIMessage(content="YES", response_metadata=meta))]
                )
            first = {"supports": "S", "contradicts": "CON", "neutral": "NE"}
            top = [{"token": first[k], "logprob": math.log(max(v, 1e-9))} for k, v in self.probs.items()]
            word = max(self.probs, key=self.probs.get).upper()
            msg = AIMessage(content=word, response_metadata={"logprobs": {"content": [{"top_logprobs": top}]}})
            return ChatResult(generations=[ChatGeneration(message=msg)])

    return ScriptedJudge


ScriptedJudge = _scripted_judge_class()
