"""One `reviewqa` logger for progress and warnings, so library code never prints.

The CLI calls `configure()` once: messages go to stderr as "[reviewqa] …", progress bars too.
Used as a library (tests, benchmarks, the LangChain seams) nothing is shown below WARNING unless
the caller configures logging itself."""

from __future__ import annotations

import logging
import sys

log = logging.getLogger("reviewqa")


class _Line(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"[reviewqa] {record.getMessage()}"


def configure(level: int = logging.INFO) -> None:
    """Send the `reviewqa` logger to stderr (once; a second call only changes the level)."""
    log.setLevel(level)
    if not any(getattr(h, "_reviewqa", False) for h in log.handlers):
        h = logging.StreamHandler(sys.stderr)
        h.setFormatter(_Line())
        h._reviewqa = True  # type: ignore[attr-defined]
        log.addHandler(h)
        log.propagate = False


def showing_progress() -> bool:
    """Progress bars are drawn only where INFO messages are shown (the CLI; not a library caller)."""
    return log.isEnabledFor(logging.INFO) and bool(log.handlers)


def progress(message: str, done: bool = False) -> None:
    """One progress line redrawn in place ('\\r'); `done` ends it."""
    if showing_progress():
        print(f"\r[reviewqa] {message}", end="\n" if done else "", file=sys.stderr, flush=True)
