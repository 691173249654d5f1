"""Input edges (hash embeddings, no LLM): a claim too short to check, invalid settings named by
their variable, a corpus that is a FIFO or /dev/zero, and escape sequences in a query."""

from __future__ import annotations

import os

import pytest

from .helpers import assert_one_line_error, run_cli


@pytest.mark.parametrize("claim", ["a", "AI", "人工", "!!"])
def test_claim_too_short_to_check(hash_env, claim):
    out = run_cli("cite", claim, "--backend", "extractive", env=hash_env, timeout=120)
    assert_one_line_error(out, "short" if claim.isascii() else "过短")


@pytest.mark.parametrize(
    "var, value",
    [
        ("REVIEWQA_K", "0"),
        ("REVIEWQA_K", "-1"),
        ("REVIEWQA_CONTEXT_PASSAGES", "0"),
        ("REVIEWQA_CHUNK_TOKENS", "-5"),
        ("REVIEWQA_RRF_K", "0"),
        ("REVIEWQA_LLM_BACKEND", "gpt5"),
        ("REVIEWQA_MIN_SIMILARITY", "2"),
    ],
)
def test_invalid_setting_is_named(hash_env, var, value):
    out = run_cli("retrieve", "智能鸿沟", env={**hash_env, var: value}, timeout=60)
    assert_one_line_error(out, var)


def test_corpus_fifo_or_device_does_not_hang(hash_env, tmp_path):
    fifo = tmp_path / "corpus.fifo"
    os.mkfifo(fifo)
    for path in (str(fifo), "/dev/zero"):
        out = run_cli("retrieve", "智能鸿沟", env={**hash_env, "REVIEWQA_CORPUS_PATH": path}, timeout=60)
        assert_one_line_error(out, path)


def test_escape_sequences_are_not_echoed(hash_env):
    q = "\x1b]0;pwned\x07\x1b[31m智能鸿沟\x1b[0m"
    out = run_cli("retrieve", q, "--k", "1", env=hash_env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "\x1b" not in out.stdout and "\x07" not in out.stdout and "智能鸿沟" in out.stdout
