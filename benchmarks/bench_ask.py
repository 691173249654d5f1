"""Time `ask` with the local backend: time to first token and total, median of 5 per language.

    .venv/bin/python benchmarks/bench_ask.py        (also part of `make bench`)

The model, index and glossary are loaded first (reported separately); each timed question is
new to the process (no answer cache exists), and English questions include their translation.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = {
    "zh": ["人工智能如何影响区域产业布局?", "城市大脑有哪些治理风险?", "人工智能如何提升区域创新能力?",
           "数字基础设施对乡村产业有什么作用?", "人工智能驱动区域经济增长需要跨越哪些门槛?"],
    "en": ["How does AI reshape regional factor agglomeration?", "What risks does AI bring to urban governance?",
           "How does AI change industrial clusters?", "What is virtual agglomeration?",
           "What future research does the review call for?"],
}


def main() -> list[tuple[str, str]]:
    from assistant.chain import Assistant
    from assistant.settings import Settings

    rows: list[tuple[str, str]] = []
    t = time.perf_counter()
    a = Assistant(Settings.from_env(), backend="local")
    a.ask("预热 warm-up:人工智能与区域经济")  # loads the GGUF and fills the prompt cache prefix
    rows.append(("set-up: index, embedder, LLM load, glossary, warm-up answer", f"{time.perf_counter() - t:.1f} s"))
    for lang, qs in QUESTIONS.items():
        first, total = [], []
        for q in qs:
            r = a.ask(q)
            if "first_token" in r.timings:
                first.append(r.timings["first_token"])
            total.append(r.timings["total"])
        rows.append((f"ask ({lang}) time to first token, median of {len(first)}",
                     f"{statistics.median(first):.2f} s" if first else "n/a (refused)"))
        rows.append((f"ask ({lang}) total, median of {len(total)}", f"{statistics.median(total):.2f} s"))
    table = "| measurement | value |\n| --- | --- |\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)
    print(table)
    (ROOT / "benchmarks" / "ask.md").write_text(
        f"# ask benchmark (local backend)\n\nMeasured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores.\n\n{table}\n")
    return rows


if __name__ == "__main__":
    main()
