"""reviewqa vs. a plain LangChain RAG, side by side in one run (`make bench`).

Prints one table and writes it to benchmarks/results.md: retrieval quality per language, claim
support, and speed (medians over repeated runs) with reviewqa / baseline ratios and the targets.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
BIN = Path(sys.executable).parent
DATA = ROOT / "tests" / "data"

from bench_retrieval import QUERIES  # noqa: E402  (one list for both benchmarks)

ASK = {
    "zh": ["人工智能如何影响区域产业布局?", "城市大脑有哪些治理风险?", "人工智能如何提升区域创新能力?"],
    "en": ["How does AI reshape regional factor agglomeration?", "What risks does AI bring to urban governance?"],
}


def say(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def timed_process(cmd: list[str], env: dict | None = None, n: int = 3) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, env={**os.environ, **(env or {})}, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return med(times)


def retrieval_quality(search) -> dict[str, dict[str, float]]:
    """Per-language hit@1, hit@5 and MRR on the dev set, by the same metric as `reviewqa eval`."""
    from assistant.evaluation import read_jsonl, retrieval_metrics

    res = retrieval_metrics(read_jsonl(DATA / "dev_retrieval.jsonl", "q"), search, 5)
    return res["by_lang"]


def claims_quality(refs_for) -> tuple[int, int, float]:
    from assistant.evaluation import read_jsonl

    rows = read_jsonl(DATA / "dev_claims.jsonl", "claim")
    ok, counts = 0, []
    for r in rows:
        refs = refs_for(r["claim"])
        ok += set(r["gold"]) <= set(refs)
        counts.append(len(refs))
    return ok, len(rows), sum(counts) / len(counts)


def serve_peak_rss() -> float:
    """Peak RSS (MB) of `reviewqa serve` after answering one question through the API."""
    import socket

    from gradio_client import Client

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [str(BIN / "reviewqa"), "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 300
        client = None
        while time.time() < deadline and client is None:
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
            except Exception:
                time.sleep(2)
        assert client is not None, "serve did not start"
        client.predict("人工智能如何提升区域治理效能?", [], "auto", "zh", api_name="/chat")
        status = Path(f"/proc/{proc.pid}/status").read_text()
        kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
        return kb / 1024
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    import baseline as bl

    from assistant.answering.chain import Assistant
    from assistant.answering.claims import Citer
    from assistant.indexing.build import ensure_index
    from assistant.indexing.embeddings import get_embedder, model_dir
    from assistant.retrieval.hybrid import HybridRetriever
    from assistant.settings import Settings

    t_all = time.perf_counter()
    s = Settings.from_env()
    tmp = tempfile.TemporaryDirectory()
    # ---------------------------------------------------------------- cold builds (fresh processes)
    say("cold index builds")
    cold_env = {"REVIEWQA_CACHE_DIR": f"{tmp.name}/cache", "REVIEWQA_STORE_DIR": f"{tmp.name}/store"}
    rq_cold = timed_process([str(BIN / "reviewqa"), "index", "--rebuild"], cold_env, n=1)
    get_embedder(s, purpose="index")  # make sure the shared model folder exists for the baseline
    code = (
        f"import sys; sys.path[:0]=[{str(ROOT)!r},{str(ROOT / 'benchmarks')!r}]; import baseline; "
        f"baseline.load({str(model_dir(s))!r}, open({str(s.corpus_path)!r}).read())"
    )
    bl_cold = timed_process([sys.executable, "-c", code], n=1)
    # ---------------------------------------------------------------- warm builds (model loaded)
    say("warm index builds")
    store = Settings.from_env(store_dir=Path(tmp.name) / "warm")
    rq_warm = med([_t(lambda: ensure_index(store, rebuild=True)) for _ in range(3)])
    source = s.corpus_path.read_text(encoding="utf-8")
    base = bl.load(model_dir(s), source)
    bl_warm = med([_t(lambda: bl.load(model_dir(s), source, base.embeddings)) for _ in range(3)])
    # ---------------------------------------------------------------- quality
    say("retrieval and claims quality")
    assistant = Assistant(s, backend="local")
    plain = HybridRetriever(ensure_index(s))
    q_rq = retrieval_quality(lambda q, lang: [h.passage.text for h in assistant.retriever.search(q, 5, lang)])
    q_rq_nt = retrieval_quality(lambda q, lang: [h.passage.text for h in plain.search(q, 5, lang)])
    q_dense = retrieval_quality(lambda q, lang: base.dense(q, 5))
    q_bm25 = retrieval_quality(lambda q, lang: base.bm25_search(q, 5))
    citer = Citer(assistant.grounder)
    doc = assistant.index.doc
    c_rq = claims_quality(lambda c: citer.cite(c).references)
    c_dense = claims_quality(lambda c: base.refs_in(base.dense(c, 5), doc))
    c_bm25 = claims_quality(lambda c: base.refs_in(base.bm25_search(c, 5), doc))
    # ---------------------------------------------------------------- warm latency
    say("warm retrieval latency")
    plain.search("预热", 5)
    lat_rq, lat_dense, lat_bm25 = [], [], []
    for q in QUERIES:
        plain.embedder._cache.clear()
        lat_rq.append(_t(lambda q=q: plain.search(q, 5)) * 1000)
        lat_dense.append(_t(lambda q=q: base.dense(q, 5)) * 1000)
        lat_bm25.append(_t(lambda q=q: base.bm25_search(q, 5)) * 1000)
    # ---------------------------------------------------------------- processes
    say("process wall times")
    help_t = timed_process([str(BIN / "reviewqa"), "--help"], n=5)
    retr_t = timed_process([str(BIN / "reviewqa"), "retrieve", "智能鸿沟是什么?", "--no-translate"], n=3)
    # ---------------------------------------------------------------- ask
    say("ask, local backend")
    assistant.ask("预热 warm-up:人工智能与区域经济")
    first, total = [], []
    for qs in ASK.values():
        for q in qs:
            r = assistant.ask(q)
            total.append(r.timings["total"])
            if "first_token" in r.timings:
                first.append(r.timings["first_token"])
    b_first, b_total = [], []
    base.ask(assistant.backend.chat, "预热")
    for qs in ASK.values():
        for q in qs:
            _, f, t = base.ask(assistant.backend.chat, q)
            b_first.append(f)
            b_total.append(t)
    say("serve peak RSS")
    rss = serve_peak_rss()
    # ---------------------------------------------------------------- table
    rows = []

    def qrow(name: str, key: str, lang: str) -> None:
        vals = [q[lang][key] for q in (q_rq, q_rq_nt, q_dense, q_bm25)]
        rows.append((f"{name} ({lang})", *(f"{v:.3f}" for v in vals), ""))

    for lang in ("zh", "en"):
        for key, name in (("hit@1", "hit@1"), ("hit@5", "hit@5"), ("mrr", "MRR")):
            qrow(f"retrieval {name}", key, lang)
    rows.append(
        (
            "claims: all gold refs returned",
            f"{c_rq[0]}/{c_rq[1]}",
            "—",
            f"{c_dense[0]}/{c_dense[1]}",
            f"{c_bm25[0]}/{c_bm25[1]}",
            "",
        )
    )
    rows.append(
        ("claims: references returned per claim", f"{c_rq[2]:.2f}", "—", f"{c_dense[2]:.2f}", f"{c_bm25[2]:.2f}", "")
    )

    def srow(name: str, ours: float, theirs: float | None, unit: str, fmt: str = "{:.2f}") -> None:
        ratio = f"{ours / theirs:.2f}×" if theirs else "—"
        rows.append((name, fmt.format(ours) + unit, "", (fmt.format(theirs) + unit) if theirs else "—", "", ratio))

    srow("index build, cold (new process, empty model cache)", rq_cold, bl_cold, " s")
    srow("index build, warm (model loaded; median of 3)", rq_warm, bl_warm, " s")
    srow(
        f"retrieve latency warm, median of {len(QUERIES)} (baseline: dense)",
        med(lat_rq),
        med(lat_dense),
        " ms",
        "{:.1f}",
    )
    srow("retrieve latency warm (baseline: BM25)", med(lat_rq), med(lat_bm25), " ms", "{:.1f}")
    srow("`reviewqa --help` wall time, median of 5", help_t, None, " s")
    srow("`reviewqa retrieve` wall time (process), median of 3", retr_t, None, " s")
    srow(f"ask first token, median of {len(first)} (baseline: plain RAG, same model)", med(first), med(b_first), " s")
    srow(f"ask total, median of {len(total)}", med(total), med(b_total), " s")
    srow("peak RSS of `serve` after one answer", rss, None, " MB", "{:.0f}")

    header = (
        "| measurement | reviewqa | reviewqa, no translation | baseline dense | baseline BM25 | ratio |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
    )
    table = header + "\n".join("| " + " | ".join(r) + " |" for r in rows)
    targets = [
        ("hit@5 ≥ better baseline, zh", q_rq["zh"]["hit@5"] >= max(q_dense["zh"]["hit@5"], q_bm25["zh"]["hit@5"])),
        ("hit@5 ≥ better baseline, en", q_rq["en"]["hit@5"] >= max(q_dense["en"]["hit@5"], q_bm25["en"]["hit@5"])),
        ("English hit@5 ≥ naive dense + 0.3", q_rq["en"]["hit@5"] >= q_dense["en"]["hit@5"] + 0.3),
        ("warm retrieve median ≤ 50 ms", med(lat_rq) <= 50),
        ("index build from a warm model cache ≤ 60 s (cold row)", rq_cold <= 60),
        ("`reviewqa --help` ≤ 1 s", help_t <= 1),
        ("ask first token ≤ 4 s (median)", med(first) <= 4),
        ("ask total ≤ 12 s (median, with the meaning checks)", med(total) <= 12),
    ]
    tgt = "\n".join(f"- {'met' if ok else '**missed**'}: {name}" for name, ok in targets)
    print(table)
    print(tgt)
    elapsed = time.perf_counter() - t_all
    notes = (ROOT / "benchmarks" / "speed_notes.md").read_text(encoding="utf-8")
    (ROOT / "benchmarks" / "results.md").write_text(
        f"# Benchmarks: reviewqa vs. a plain LangChain RAG\n\nMeasured {time.strftime('%Y-%m-%d')} on "
        f"{os.cpu_count()} cores by `make bench` ({elapsed / 60:.1f} min). Dev sets: 8 zh + 8 en questions, "
        f"8 claims. Baseline: `benchmarks/baseline.py`.\n\n{table}\n\n## Targets\n\n{tgt}\n\n{notes}\n\n"
        + _faithfulness_section(),
        encoding="utf-8",
    )
    say(f"done in {elapsed:.0f} s; wrote benchmarks/results.md")


def _faithfulness_section() -> str:
    """Keep the section `benchmarks/faithfulness.py` wrote (make bench runs it next)."""
    old = (ROOT / "benchmarks" / "results.md").read_text(encoding="utf-8")
    return "## Faithfulness" + old.split("## Faithfulness", 1)[1] if "## Faithfulness" in old else ""


def _t(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
