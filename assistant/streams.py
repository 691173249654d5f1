"""Closing a running answer from outside it. A stream a client left (the API) or a user stopped (the
web app) must stop the model, and only closing its generator does: a cancelled Gradio or Starlette
task can leave it suspended, holding the model."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any


def close_generator(gen: Iterator[Any], wait: float = 120.0) -> None:
    """Close a generator now, or, if a worker thread is still inside it (a token was coming), as soon
    as that step returns."""

    def later() -> None:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                gen.close()  # type: ignore[attr-defined]
                return
            except ValueError:  # generator already executing
                time.sleep(0.05)

    try:
        gen.close()  # type: ignore[attr-defined]
    except ValueError:
        threading.Thread(target=later, name="close-stream", daemon=True).start()
