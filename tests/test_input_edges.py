"""Input edges (hash embeddings, no LLM): a claim too short to check, invalid settings named by
their variable, a corpus that is a FIFO or /dev/zero, escape sequences in a query, and a .docx
zip bomb (a small file that unzips to hundreds of MB, or to more paragraphs than a draft can have)."""

from __future__ import annotations

import os
import time
import zipfile

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


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _bomb(path, paragraph: bytes, count: int):
    """A real .docx whose word/document.xml is `count` copies of `paragraph`, highly compressible."""
    import docx

    docx.Document().save(str(path.with_suffix(".seed.docx")))
    with zipfile.ZipFile(path.with_suffix(".seed.docx")) as seed, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for part in seed.infolist():
            if part.filename != "word/document.xml":
                z.writestr(part, seed.read(part))
        with z.open("word/document.xml", "w") as doc:
            doc.write(f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>'.encode())
            batch = 10_000
            for _ in range(count // batch):
                doc.write(paragraph * batch)
            doc.write(b"</w:body></w:document>")
    return path


TEXT_PARAGRAPH = "<w:p><w:r><w:t>人工智能正在重塑区域要素空间配置格局。</w:t></w:r></w:p>".encode()


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    d = tmp_path_factory.mktemp("bombs")
    return {
        "size": _bomb(d / "huge.docx", TEXT_PARAGRAPH, 1_500_000),  # ~130 MB of text paragraphs unzipped
        "paragraphs": _bomb(d / "many.docx", b"<w:p/>", 150_000),  # under 1 MB unzipped, 150,000 paragraphs
    }


@pytest.mark.parametrize("kind, words", [("size", "unzips"), ("paragraphs", "paragraphs")])
def test_docx_bomb_is_refused_before_python_docx_reads_it(bombs, kind, words, monkeypatch):
    import docx

    from assistant.errors import UserError
    from assistant.research.draft import MAX_DRAFT_BYTES, read_draft

    assert bombs[kind].stat().st_size < MAX_DRAFT_BYTES  # small on disk
    monkeypatch.setattr(docx, "Document", lambda *a: pytest.fail("python-docx opened the bomb"))
    with pytest.raises(UserError) as e:
        read_draft(bombs[kind])
    assert words in e.value.message("en") and ("解压" in e.value.zh or "段落" in e.value.zh)


def test_check_cli_refuses_a_docx_bomb_at_once(bombs):
    t = time.perf_counter()
    out = run_cli("check", str(bombs["size"]), "--json", timeout=60)
    assert_one_line_error(out, "unzips")
    assert time.perf_counter() - t < 30


def test_docx_with_a_large_image_is_read(tmp_path):
    """Over MAX_DRAFT_BYTES zipped (an incompressible 2 MB image) but little text: accepted."""
    import docx

    from assistant.research.draft import MAX_DRAFT_BYTES, read_draft

    image = tmp_path / "photo.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2_000_000))
    d = docx.Document()
    d.add_paragraph("人工智能正在重塑区域要素空间配置格局。")
    d.save(str(tmp_path / "d.docx"))
    with zipfile.ZipFile(tmp_path / "d.docx", "a") as z:
        z.write(image, "word/media/image1.png")
    assert (tmp_path / "d.docx").stat().st_size > MAX_DRAFT_BYTES
    assert "空间配置格局" in read_draft(tmp_path / "d.docx")


ESC = "\x1b]0;pwned\x07\x1b[31m"


@pytest.mark.parametrize(
    "args, word",
    [
        (("summarize", "--section", ESC + "9.9\x1b[0m", "--backend", "extractive"), "9.9"),
        (("check", ESC + "draft.md\x1b[0m", "--backend", "extractive"), "draft.md"),
        (("check", "\u202e" + "x" * 5000 + ".md"), "…"),  # a long value is shortened, the line stays one line
    ],
)
def test_escape_sequences_in_echoed_values_are_removed(hash_env, args, word):
    out = run_cli(*args, env=hash_env, timeout=120)
    assert_one_line_error(out, word)
    assert "\x1b" not in out.stderr and "\x07" not in out.stderr and "\u202e" not in out.stderr
    assert len(out.stderr) < 1000


def test_shown_values():
    from assistant.text import shown

    assert shown("\x1b[31m红\x1b[0m\tx\ny\udcff") == "红 x y\ufffd"
    assert shown("a" * 300, 10) == "a" * 9 + "…" and shown(None) == "None"


@pytest.mark.parametrize(
    "args",
    [
        ("retrieve", "\udcff\udcfe 智能鸿沟"),  # the bytes ff fe in an argument (Python sees surrogates)
        ("ask", "智能鸿沟\udcc0?", "--backend", "extractive"),
        ("cite", "数字技术弱化了距离效应\udcff。", "--backend", "extractive"),
    ],
)
def test_invalid_utf8_argument_is_a_one_line_error(hash_env, args):
    out = run_cli(*args, env=hash_env, timeout=120)
    assert_one_line_error(out, "UTF-8")


@pytest.mark.parametrize("locale", ["C.UTF-8", "C"])
def test_invalid_utf8_on_check_stdin_is_a_one_line_error(hash_env, locale):
    import subprocess
    import sys

    from .helpers import ROOT

    out = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "check", "-", "--backend", "extractive"],
        input="人工智能提升了区域治理效能(王某,2023)。\n".encode() + b"ab\xff\xfecd\n",
        capture_output=True,
        env={**os.environ, **hash_env, "LC_ALL": locale},
        cwd=ROOT,
        timeout=120,
    )
    out = subprocess.CompletedProcess(out.args, out.returncode, out.stdout.decode(), out.stderr.decode())
    assert_one_line_error(out, "UTF-8")


def test_batch_line_that_is_not_utf8_is_reported_alone(hash_env, tmp_path):
    import json

    f = tmp_path / "q.jsonl"
    f.write_bytes('{"q": "链主企业"}\n'.encode() + b'{"q": "\xff\xfe"}\n' + '{"q": "智能鸿沟"}\n'.encode())
    out = run_cli("retrieve", "--batch", str(f), "--k", "1", env=hash_env, timeout=120)
    assert out.returncode == 1, out.stderr
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert len(rows) == 3 and rows[1] == {"line": 2, "error": "not valid UTF-8"}
    assert rows[0]["passages"] and rows[2]["passages"] and rows[2]["query"] == "智能鸿沟"


def test_batch_echo_of_a_huge_or_broken_value_is_short(hash_env, tmp_path):
    import json

    f = tmp_path / "q.jsonl"
    huge = json.dumps({"q": "区" * 3_400_000}, ensure_ascii=False)  # a 10 MB line
    f.write_text(huge + "\n" + '{"q": "\\ud800 lone"}\n' + '{"q": "智能鸿沟"}\n', encoding="utf-8")
    out = run_cli("retrieve", "--batch", str(f), "--k", "1", env=hash_env, timeout=120)
    assert out.returncode == 0, out.stderr[-500:]
    assert len(out.stdout) < 20_000
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert "too long" in rows[0]["error"] and rows[0]["query"].startswith("区区") and len(rows[0]["query"]) <= 200
    assert "UTF-8" in rows[1]["error"] and rows[2]["passages"]
