"""Markers start at [1] in every answer: the context's numbering (a passage ranked fourth gives
[4]) is an internal detail. Markers are renumbered in order of first appearance as the answer
streams; that order is the final answer's too, so what was streamed and what is kept agree."""

from __future__ import annotations

from assistant.answering.grounding import MARKER
from assistant.answering.results import AskEvent, AskResult, DoneEvent, SentenceEvent


class MarkerOrder:
    def __init__(self) -> None:
        self.number: dict[int, int] = {}

    def _n(self, m: int) -> int:
        return self.number.setdefault(m, len(self.number) + 1)

    def text(self, s: str) -> str:
        return MARKER.sub(lambda m: m.group(0).replace(m.group(1), str(self._n(int(m.group(1))))), s)

    def event(self, ev: AskEvent) -> AskEvent:
        if isinstance(ev, SentenceEvent):
            return SentenceEvent(self.text(ev.text), ev.checked)
        if isinstance(ev, DoneEvent):
            return DoneEvent(self.result(ev.result))
        return ev

    def result(self, r: AskResult) -> AskResult:
        r.answer = self.text(r.answer)
        for c in r.citations:
            c["marker"] = self._n(int(c["marker"]))
        r.citations.sort(key=lambda c: c["marker"])
        for check in r.checks:
            check.markers = [self._n(m) for m in check.markers]
        return r
