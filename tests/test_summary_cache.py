"""Summary cache keys must be stable across processes (Python's str hash is not)."""

from __future__ import annotations

import os
import subprocess
import sys

from .helpers import ROOT

CODE = """
from types import SimpleNamespace as NS
from assistant.answering.summarize import _cache_key
a = NS(index=NS(doc=NS(source="人工智能与区域经济 review text")), backend=NS(name="local", model="qwen"))
print(_cache_key(a, "3.1"))
"""


def test_cache_key_is_stable_across_processes():
    keys = set()
    for seed in ("1", "2", "3"):
        out = subprocess.run(
            [sys.executable, "-c", CODE],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        keys.add(out.stdout.strip())
    assert len(keys) == 1 and len(next(iter(keys))) == 20


def test_cache_key_changes_with_section_and_model():
    from types import SimpleNamespace as NS

    from assistant.answering.summarize import _cache_key

    a = NS(index=NS(doc=NS(source="text")), backend=NS(name="local", model="m1"))
    b = NS(index=NS(doc=NS(source="text")), backend=NS(name="local", model="m2"))
    assert _cache_key(a, "3.1") != _cache_key(a, "3.2") != _cache_key(b, "3.2")
    assert _cache_key(a, "3.1") != _cache_key(b, "3.1")
