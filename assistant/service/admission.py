"""Admission to the model: the API holds at most `queue_depth` model requests at once (running or
waiting for the model); one more gets 503 with Retry-After at once, instead of waiting minutes in a
queue nobody sees and then being cut."""

from __future__ import annotations

import threading
from collections.abc import Callable

RETRY_AFTER_SECONDS = 15  # about one answer on 2 cores


class Busy(Exception):
    """The model's queue is full; the client should retry after `retry_after` seconds."""

    def __init__(self, retry_after: int = RETRY_AFTER_SECONDS) -> None:
        super().__init__("busy")
        self.retry_after = retry_after


class Admission:
    def __init__(self, depth: int) -> None:
        self.depth = depth
        self._held = 0
        self._lock = threading.Lock()

    def enter(self) -> None:
        """Take a place or raise Busy; every successful `enter` is paired with one `leave`."""
        with self._lock:
            if self._held >= self.depth:
                raise Busy()
            self._held += 1

    def leave(self) -> None:
        with self._lock:
            self._held = max(0, self._held - 1)

    def releaser(self) -> Callable[[], None]:
        """A `leave` that acts once however often it is called (a stream's end and its cleanup)."""
        done = threading.Event()

        def release() -> None:
            if not done.is_set():
                done.set()
                self.leave()

        return release

    @property
    def held(self) -> int:
        return self._held

    def __enter__(self) -> Admission:
        self.enter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.leave()
