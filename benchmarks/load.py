"""Load: 8 browser-like sessions ask the web app at once (`reviewqa serve` in its own process, the
default local model). Reports per-answer latency p50/p95 as the user sees it (queue wait
included), the time until an answer's first cited point is visible, refusals (every question is
in scope, so each one is false), answers per minute, and the server's resident memory; the run is
added to benchmarks/results.md ("Load").

    python benchmarks/load.py [--sessions 8] [--rounds 2]"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "人工智能如何影响产业布局?",
    "What is the intelligence divide?",
    "人工智能如何提升区域治理效能?",
    "How does AI change industrial clusters?",
    "数据要素如何影响区域创新?",
    "城市大脑有哪些风险?",
    "What does the review say about labour markets?",
    "链主企业发生了怎样的转变?",
]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident set size of the server in MB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _record(line: str) -> None:
    """Add one run's row to the "Load" table of benchmarks/results.md (created if missing)."""
    res = ROOT / "benchmarks" / "results.md"
    text = res.read_text(encoding="utf-8")
    head = (
        f"## Load: concurrent web chats ({os.cpu_count()} cores, `python benchmarks/load.py --sessions N`)\n\n"
        "Every question is in scope, so every refusal is false. First point: until the first cited "
        "sentence is visible (queue wait included); done: the whole answer.\n\n"
        "| sessions × rounds | false refusals | first point p50 / p95 | done p50 / p95 | answers/min | server peak RSS |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
    )
    if "## Load: concurrent web chats" not in text:
        text = text.rstrip() + "\n\n" + head
    start = text.index("## Load: concurrent web chats")
    end = text.find("\n## ", start + 5)
    block = text[start:] if end < 0 else text[start:end]
    block = block.rstrip() + "\n" + line + f" ({time.strftime('%Y-%m-%d')})\n"
    res.write_text(text[:start] + block + ("" if end < 0 else text[end:]), encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=2, help="questions per session, asked one after another")
    args = ap.parse_args()
    from gradio_client import Client

    port = _port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    exe = Path(sys.executable).with_name("reviewqa")
    server = subprocess.Popen(
        [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(600):
            try:
                Client(url, verbose=False)
                break
            except Exception:
                time.sleep(1)
        idle_rss = _rss_mb(server.pid)[0]
        Client(url, verbose=False).predict("你好,人工智能是什么?", [], "auto", "zh", api_name="/chat")  # load the model
        print(
            f"server up on {url}, RSS {idle_rss:.0f} MB before the model; {args.sessions} sessions × "
            f"{args.rounds} questions",
            flush=True,
        )
        latencies: list[float] = []
        firsts: list[float] = []
        refused: list[str] = []
        lock = threading.Lock()

        def session(i: int) -> None:
            c = Client(url, verbose=False)
            for r in range(args.rounds):
                q = QUESTIONS[(i + r * 3) % len(QUESTIONS)]
                t = time.perf_counter()
                job = c.submit(q, [], "auto", "zh", api_name="/chat")
                first = None
                while not job.done():
                    outs = job.outputs()
                    if first is None and outs and "rq-marker" in str(outs[-1][0][-1:]):
                        first = time.perf_counter() - t
                    time.sleep(0.1)
                final = job.result()
                dt = time.perf_counter() - t
                text = str(final[0][-1]) if final and final[0] else ""
                with lock:
                    latencies.append(dt)
                    firsts.append(first if first is not None else dt)
                    if "没有涉及" in text or "does not cover" in text:
                        refused.append(q)
                    print(
                        f"  session {i} round {r}: first point {firsts[-1]:5.1f} s, done {dt:6.1f} s  {q}", flush=True
                    )

        t0 = time.perf_counter()
        threads = [threading.Thread(target=session, args=(i,)) for i in range(args.sessions)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t0
        rss, peak = _rss_mb(server.pid)
        q = statistics.quantiles(latencies, n=20, method="inclusive")
        f = statistics.quantiles(firsts, n=20, method="inclusive")
        line = (
            f"| {args.sessions} × {args.rounds} | {len(refused)} | {statistics.median(firsts):.1f} s / {f[18]:.1f} s | "
            f"{statistics.median(latencies):.1f} s / {q[18]:.1f} s | {len(latencies) / wall * 60:.1f} | "
            f"{peak:.0f} MB |"
        )
        print(
            f"\nanswers {len(latencies)} in {wall:.0f} s; false refusals {len(refused)} {refused}; first point p50 "
            f"{statistics.median(firsts):.1f} s p95 {f[18]:.1f} s; done p50 {statistics.median(latencies):.1f} s, "
            f"p95 {q[18]:.1f} s; server RSS {rss:.0f} MB (peak {peak:.0f} MB)\n{line}"
        )
        _record(line)
    finally:
        server.terminate()
        server.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
