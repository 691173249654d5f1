"""The wheel carries what an installed `reviewqa` needs (prompts, the review, every subpackage) and
declares its runtime dependencies; run from an unpacked wheel in another directory, it works."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    r = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    [whl] = out.glob("reviewqa-*.whl")
    return whl


def test_wheel_contents_and_dependencies(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in [
        "assistant/data/review.txt",
        "assistant/data/glossary.tsv",
        "assistant/data/prompts/answer.zh.txt",
        "assistant/data/prompts/entail.en.txt",
        "assistant/llm/local.py",
        "assistant/ui/app.py",
        "assistant/cli/main.py",
        "assistant/answering/chain.py",
        "assistant/indexing/store.py",
    ]:
        assert needed in names, needed
    meta = next(n for n in names if n.endswith("METADATA"))
    requires = [
        line for line in zipfile.ZipFile(wheel).read(meta).decode().splitlines() if line.startswith("Requires-Dist:")
    ]
    for dep in ["gradio", "chromadb", "xllamacpp", "langchain-core", "python-docx", "pypinyin"]:
        assert any(line.split()[1].startswith(dep + "=") for line in requires), dep
    assert any("playwright" in line and 'extra == "test"' in line for line in requires)


def test_installed_package_runs_outside_the_checkout(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    code = (
        "import assistant, sys; from assistant.cli.main import main; print(assistant.__file__, file=sys.stderr); "
        "sys.exit(main(['refs', '--sort', 'cited']))"
    )
    r = subprocess.run(
        [sys.executable, "-c", code],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "HF_HUB_OFFLINE": "1"},
    )
    assert r.returncode == 0, r.stderr[-1500:]
    assert str(site) in r.stderr  # the unpacked wheel was imported, not the checkout
    assert r.stdout.splitlines()[0].startswith("[")  # the most cited reference first
    assert len([ln for ln in r.stdout.splitlines() if ln.startswith("[")]) == 78
