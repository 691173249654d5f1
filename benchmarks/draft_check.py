"""Draft check: accuracy on the gold drafts and the time to check a ~3,000-character draft.

    python benchmarks/draft_check.py

Accuracy: `reviewqa eval` on the dev draft and our two drafts with planted errors (verdict,
references, problem and flag per sentence). Speed: `reviewqa check` on a 3,000-character draft
mixing the gold drafts with sentences of the review (Chinese and English), in a fresh LLM cache so
no translation or judgement is reused; the time includes loading the models, as a user sees it."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.text import detect_lang

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
EXE = str(Path(sys.executable).with_name("reviewqa"))


def bench_draft(chars: int = 3000) -> str:
    """The gold drafts, then review sentences (with their citations) until `chars`."""
    parts = [
        (DATA / f).read_text(encoding="utf-8").split("\n", 1)[1].strip()
        for f in ("dev_draft.md", "own_draft_zh.md", "own_draft_en.md")
    ]
    text = "\n\n".join(parts)
    review = (ROOT / "assistant" / "data" / "review.txt").read_text(encoding="utf-8")
    sentences = [s for s in re.findall(r"[^。\n]{20,120}[(（][^()（）]{2,40},\s?20\d\d[)）][^。\n]{0,40}。", review)]
    random.Random(7).shuffle(sentences)
    extra = []
    while len(text) + sum(map(len, extra)) < chars and sentences:
        extra.append(sentences.pop())
    return "# 基准文稿\n\n" + text + "\n\n" + "".join(extra) + "\n"


def main() -> int:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    for gold in ("dev_draft_gold.json", "own_draft_zh_gold.json", "own_draft_en_gold.json"):
        out = subprocess.run([EXE, "eval", str(DATA / gold)], env=env, capture_output=True, text=True)
        print(out.stdout.strip() or out.stderr.strip()[-500:], flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        draft = Path(tmp) / "draft.md"
        text = bench_draft()
        draft.write_text(text, encoding="utf-8")
        cache = Path(tmp) / "cache" / "reviewqa"
        cache.mkdir(parents=True)
        models = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "reviewqa" / "models"
        if models.exists():
            (cache / "models").symlink_to(models)  # the embedding model
        (cache / "llm-cache").mkdir()
        for g in (models.parent / "llm-cache").glob("glossary-*.json"):  # built once per install, at index time
            shutil.copy(g, cache / "llm-cache" / g.name)  # translations and judgements start empty
        t = time.perf_counter()
        out = subprocess.run(
            [EXE, "check", str(draft), "--json", "--quiet"],
            capture_output=True,
            text=True,
            env={**env, "XDG_CACHE_HOME": str(cache.parent)},
        )
        dt = time.perf_counter() - t
        rows = [json.loads(x) for x in out.stdout.splitlines() if x.startswith('{"sentence"')]
        en = sum(detect_lang(r["sentence"]) == "en" for r in rows)
        print(
            f"\ncheck of a {len(text)}-character draft ({len(rows)} sentences, {en} in English): {dt:.1f} s "
            f"(exit {out.returncode}; models loaded in that time; no cached translation or judgement)"
        )
        shutil.rmtree(cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
