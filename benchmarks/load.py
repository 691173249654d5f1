"""Load: 8 browser-like sessions ask the web app at once (`reviewqa serve` in its own process, the
default local model). Reports per-answer latency p50/p95 as the user sees it (queue wait
included), answers per minute, and the server's resident memory (peak and at the end).

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
        lock = threading.Lock()

        def session(i: int) -> None:
            c = Client(url, verbose=False)
            for r in range(args.rounds):
                q = QUESTIONS[(i + r * 3) % len(QUESTIONS)]
                t = time.perf_counter()
                c.predict(q, [], "auto", "zh", api_name="/chat")
                dt = time.perf_counter() - t
                with lock:
                    latencies.append(dt)
                    print(f"  session {i} round {r}: {dt:6.1f} s  {q}", flush=True)

        t0 = time.perf_counter()
        threads = [threading.Thread(target=session, args=(i,)) for i in range(args.sessions)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t0
        rss, peak = _rss_mb(server.pid)
        q = statistics.quantiles(latencies, n=20, method="inclusive")
        print(
            f"\nanswers {len(latencies)} in {wall:.0f} s ({len(latencies) / wall * 60:.1f}/min); "
            f"latency p50 {statistics.median(latencies):.1f} s, p95 {q[18]:.1f} s, max {max(latencies):.1f} s; "
            f"server RSS {rss:.0f} MB (peak {peak:.0f} MB)"
        )
    finally:
        server.terminate()
        server.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
