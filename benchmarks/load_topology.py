"""Load on the deployment topology of docs/deploy.md, all on 127.0.0.1: one Chroma server
(`chroma run`), one OpenAI-compatible LLM server (xllamacpp's, the bundled model), two `reviewqa
serve` workers using both. Bounded concurrent users (threads) call the HTTP API for a fixed time,
spread over the workers round-robin (what a reverse proxy does); each user mixes /api/retrieve,
/api/cite, /api/refs/{n} and /v1/chat/completions. Reports p50/p95 latency, throughput and errors
per endpoint, and appends them to benchmarks/results.md with --write.

    python benchmarks/load_topology.py [--users 8] [--seconds 120] [--write]"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from load import QUESTIONS, _port  # the same questions and port picking as benchmarks/load.py

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLAIMS = ["人工智能技术引致劳动密集型行业向欠发达地区转移。", "AI weakens the constraint of geographic distance."]
MIX = [("retrieve", 5), ("cite", 2), ("refs", 1), ("chat", 2)]  # relative weights per user request


def _wait(url: str, seconds: float, proc: subprocess.Popen) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not come up in {seconds:.0f} s")


LLM_SERVER = """
import sys, time, xllamacpp as xlc
p = xlc.CommonParams()
p.model.path = sys.argv[1]; p.n_ctx = 8192; p.n_parallel = 2; p.hostnames = ["127.0.0.1"]; p.port = int(sys.argv[2])
p.cpuparams.n_threads = 2; p.cpuparams_batch.n_threads = 2
server = xlc.Server(p)
while True:
    time.sleep(3600)
"""


def _call(base: str, kind: str, rnd: random.Random) -> None:
    if kind == "retrieve":
        url, body = f"{base}/api/retrieve", {"query": rnd.choice(QUESTIONS), "k": 5}
    elif kind == "cite":
        url, body = f"{base}/api/cite", {"claim": rnd.choice(CLAIMS)}
    elif kind == "refs":
        url, body = f"{base}/api/refs/{rnd.randint(1, 78)}", None
    else:
        url, body = (
            f"{base}/v1/chat/completions",
            {"model": "reviewqa", "messages": [{"role": "user", "content": rnd.choice(QUESTIONS)}]},
        )
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"}, method="POST" if data else "GET"
    )
    with urllib.request.urlopen(req, timeout=600) as r:
        out = json.loads(r.read())
    if kind == "chat" and not out["choices"][0]["message"]["content"]:
        raise ValueError("empty answer")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--write", action="store_true", help="append the table to benchmarks/results.md")
    args = ap.parse_args()
    procs: list[subprocess.Popen] = []
    tmp = Path(tempfile.mkdtemp(prefix="reviewqa-load-"))
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    try:
        chroma_port, llm_port = _port(), _port()
        procs.append(
            subprocess.Popen(
                [
                    str(BIN / "chroma"),
                    "run",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(chroma_port),
                    "--path",
                    str(tmp / "chroma"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        _wait(f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat", 60, procs[-1])
        from assistant.llm.gguf import ensure_gguf  # the bundled model, assembled once
        from assistant.settings import Settings

        model = ensure_gguf(Settings.from_env().cache_dir)
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", LLM_SERVER, str(model), str(llm_port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        _wait(f"http://127.0.0.1:{llm_port}/health", 300, procs[-1])
        env.update(
            {
                "REVIEWQA_CHROMA_URL": f"http://127.0.0.1:{chroma_port}",
                "REVIEWQA_LLM_BACKEND": "openai",
                "REVIEWQA_OPENAI_BASE_URL": f"http://127.0.0.1:{llm_port}/v1",
                "REVIEWQA_OPENAI_API_KEY": "none",
                "REVIEWQA_OPENAI_MODEL": "qwen",
                "REVIEWQA_OPENAI_TIMEOUT": "600",
            }
        )
        t = time.perf_counter()
        subprocess.run([str(BIN / "reviewqa"), "index"], env=env, check=True, cwd=tmp, stdout=subprocess.DEVNULL)
        print(f"index built on the Chroma server in {time.perf_counter() - t:.0f} s", flush=True)
        bases = []
        for _ in range(args.workers):
            port = _port()
            procs.append(
                subprocess.Popen(
                    [str(BIN / "reviewqa"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                    env=env,
                    cwd=tmp,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        for b, p in zip(bases, procs[-args.workers :]):
            _wait(f"{b}/healthz", 600, p)
        for b in bases:  # warm: models loaded, glossary cached
            _call(b, "chat", random.Random(0))
        print(f"{args.workers} workers up; {args.users} users for {args.seconds:.0f} s", flush=True)

        results: dict[str, list[float]] = {k: [] for k, _ in MIX}
        errors: dict[str, list[str]] = {k: [] for k, _ in MIX}
        lock = threading.Lock()
        rr = itertools.cycle(bases)
        stop = time.perf_counter() + args.seconds

        def user(i: int) -> None:
            rnd = random.Random(i)
            while time.perf_counter() < stop:
                kind = rnd.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
                with lock:
                    base = next(rr)
                t0 = time.perf_counter()
                try:
                    _call(base, kind, rnd)
                    with lock:
                        results[kind].append(time.perf_counter() - t0)
                except Exception as e:  # counted, never hidden
                    with lock:
                        errors[kind].append(f"{type(e).__name__}: {e}"[:120])

        t0 = time.perf_counter()
        threads = [threading.Thread(target=user, args=(i,)) for i in range(args.users)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t0
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
    rows = ["| endpoint | requests | errors | p50 s | p95 s | per minute |", "| --- | --- | --- | --- | --- | --- |"]
    for kind, _ in MIX:
        lat = results[kind]
        q = statistics.quantiles(lat, n=20, method="inclusive") if len(lat) >= 2 else lat * 19
        name = {
            "retrieve": "/api/retrieve",
            "cite": "/api/cite",
            "refs": "/api/refs/{n}",
            "chat": "/v1/chat/completions",
        }[kind]
        rows.append(
            f"| `{name}` | {len(lat)} | {len(errors[kind])} | "
            f"{statistics.median(lat) if lat else float('nan'):.2f} | {q[18] if lat else float('nan'):.2f} | "
            f"{len(lat) / wall * 60:.1f} |"
        )
    total_err = sum(len(v) for v in errors.values())
    head = (
        f"{args.users} users, {args.seconds:.0f} s (+ requests in flight: {wall:.0f} s wall), {args.workers} "
        f"`reviewqa serve` workers + `chroma run` + xllamacpp server (2 slots), 2 cores; errors: {total_err}"
    )
    print("\n" + head + "\n" + "\n".join(rows))
    for kind, errs in errors.items():
        for e in errs[:3]:
            print(f"  {kind}: {e}")
    if args.write:
        with open(ROOT / "benchmarks" / "results.md", "a", encoding="utf-8") as fh:
            fh.write(
                f"\n## Load on the deployment topology ({time.strftime('%Y-%m-%d')}, "
                f"`python benchmarks/load_topology.py --write`)\n\n{head}\n\n" + "\n".join(rows) + "\n"
            )
    return 1 if total_err else 0


if __name__ == "__main__":
    sys.exit(main())
