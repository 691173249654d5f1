"""The CLI as users and scripts see it: JSON shapes, batch mode, error exits, lazy imports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .helpers import DATA, ROOT, assert_one_line_error, run_cli

PASSAGE_KEYS = {"id", "kind", "lang", "section", "text", "score", "start", "end", "references"}


def test_help_is_lazy():
    code = (
        "import sys; from assistant.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'chromadb', 'gradio', 'langchain_core') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "HEAVY []" in out.stdout, out.stdout + out.stderr
    assert "retrieve" in out.stdout and "reviewqa" in out.stdout


def test_index_reports_counts(hash_env):
    out = run_cli("index", "--json", env=hash_env)
    assert out.returncode == 0, out.stderr
    rep = json.loads(out.stdout)
    assert rep["references"] == 78 and rep["unresolved"] == 0 and rep["sections"] == 14
    assert rep["citations_linked"] == rep["citations"] > 80
    text = run_cli("index", env=hash_env)
    assert "references: 78" in text.stdout and "unresolved 0" in text.stdout


def test_retrieve_json_shape(hash_env):
    out = run_cli("retrieve", "智能鸿沟", "--k", "3", "--json", env=hash_env)
    assert out.returncode == 0, out.stderr
    obj = json.loads(out.stdout)
    assert obj["query"] == "智能鸿沟" and len(obj["passages"]) == 3
    for p in obj["passages"]:
        assert PASSAGE_KEYS <= set(p)
        assert p["kind"] in {"paragraph", "abstract", "reference", "front", "note"}
        for r in p["references"]:
            assert set(r) >= {"n", "entry", "cited_as"} and isinstance(r["cited_as"], list)
    assert any("智能鸿沟" in p["text"] for p in obj["passages"])


def test_retrieve_batch(hash_env, tmp_path):
    f = tmp_path / "q.jsonl"
    f.write_text('{"q": "链主企业"}\n{"q": "   "}\n{"q": "What is regional governance?"}\n', encoding="utf-8")
    out = run_cli("retrieve", "--batch", str(f), "--k", "2", env=hash_env)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert len(lines) == 3
    assert len(lines[0]["passages"]) == 2 and "error" in lines[1] and len(lines[2]["passages"]) == 2


def test_refs_json_and_unresolved(hash_env):
    out = run_cli("refs", "--json", env=hash_env)
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert [r["n"] for r in rows] == list(range(1, 79))
    r56 = rows[55]
    assert "张龙辉等, 2020" in r56["cited_as"] and r56["passages"]
    un = run_cli("refs", "--unresolved", "--json", env=hash_env)
    assert un.returncode == 0 and un.stdout.strip() == ""


def test_eval_citelinks(hash_env):
    out = run_cli("eval", str(DATA / "dev_citelinks.jsonl"), "--json", env=hash_env)
    res = json.loads(out.stdout)
    assert res["kind"] == "citelinks" and res["accuracy"] == 1.0


@pytest.mark.parametrize(
    "args, lang_word",
    [
        (("retrieve", ""), "error"),
        (("retrieve", "   \n "), "error"),
        (("retrieve", "区" * 2001), "错误"),
        (("retrieve", "x" * 2001), "error"),
        (("retrieve", "--k", "0", "q"), "error"),
        (("eval", "/nonexistent/file.jsonl"), "error"),
    ],
)
def test_bad_input_exits_2_with_one_line(hash_env, args, lang_word):
    assert_one_line_error(run_cli(*args, env=hash_env), lang_word)


def test_long_query_message_follows_language(hash_env):
    zh = run_cli("retrieve", "区" * 2001, env=hash_env)
    assert "过长" in zh.stderr and "too long" not in zh.stderr
    en = run_cli("retrieve", "x " * 1001, env=hash_env)
    assert "too long" in en.stderr and "过长" not in en.stderr


@pytest.mark.parametrize("make_corpus", ["missing", "directory", "binary", "garbage"])
def test_bad_corpus_exits_2(hash_env, tmp_path, make_corpus):
    path = tmp_path / "corpus.txt"
    if make_corpus == "directory":
        path.mkdir()
    elif make_corpus == "binary":
        path.write_bytes(b"\xff\xfe\x00\x01" * 50)
    elif make_corpus == "garbage":
        path.write_text("hello\n\nworld\n", encoding="utf-8")
    out = run_cli("index", env={**hash_env, "REVIEWQA_CORPUS_PATH": str(path)})
    assert_one_line_error(out, "")


def test_corrupt_store_recovers_through_cli(hash_env):
    assert run_cli("index", env=hash_env).returncode == 0
    from pathlib import Path

    db = Path(hash_env["REVIEWQA_STORE_DIR"]) / "chroma" / "chroma.sqlite3"
    db.write_bytes(b"\x00garbage" * 64)
    out = run_cli("retrieve", "区域治理", "--json", env=hash_env)
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)["passages"]) == 5
    assert "重建" in out.stderr or "Rebuilding" in out.stderr


@pytest.mark.parametrize("cmd", ["ask", "cite"])
@pytest.mark.parametrize(
    "text, word", [("", "error"), ("  \t ", "error"), ("问" * 2001, "过长"), ("why " * 600, "too long")]
)
def test_ask_and_cite_bad_input_exit_2(hash_env, cmd, text, word):
    out = run_cli(cmd, text, env=hash_env)
    assert_one_line_error(out, word)
    assert "loading" not in out.stderr  # rejected before any model is loaded


def test_cite_batch_reports_non_text_per_line(hash_env, tmp_path):
    f = tmp_path / "claims.jsonl"
    f.write_text('{"claim": 42}\n{"claim": "数字技术弱化了距离效应。"}\n', encoding="utf-8")
    out = run_cli("cite", "--batch", str(f), "--backend", "extractive", env=hash_env)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert len(rows) == 2 and "must be text" in rows[0]["error"]
    assert rows[1]["claim"] == "数字技术弱化了距离效应。" and "verdict" in rows[1] and "error" not in rows[1]


def test_unknown_section_is_a_one_line_error(hash_env):
    out = run_cli("summarize", "--section", "9.9", "--backend", "extractive", env=hash_env)
    assert out.returncode == 2 and "9.9" in out.stderr and "Traceback" not in out.stderr


def test_ask_batch_answers_good_lines_and_reports_broken_ones(hash_env, tmp_path):
    f = tmp_path / "q.jsonl"
    f.write_bytes(
        "\ufeff".encode()
        + '{"q": "链主企业在人工智能时代发生了什么转变?"}\n{"q": broken\n{"x": 1}\n{"q": "   "}\n'
        '{"q": "What is the population of Shenzhen?"}\n'.encode()
    )
    out = run_cli("ask", "--batch", str(f), "--backend", "extractive", env=hash_env)
    assert out.returncode == 1, out.stderr
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert len(rows) == 5
    # (tiny hash embeddings here: the answers' content is tested with the real model elsewhere)
    assert rows[0]["question"].startswith("链主企业") and "answer" in rows[0] and "error" not in rows[0]
    assert rows[1] == {"line": 2, "error": "not valid JSON"} and rows[2]["line"] == 3 and "field" in rows[2]["error"]
    assert rows[3]["line"] == 4 and "empty" in rows[3]["error"]
    assert rows[4]["question"].startswith("What is") and "error" not in rows[4]
    # a question that could not be asked still has every field of an answer (one shape, serialize.py)
    assert set(rows[0]) <= set(rows[3]) and rows[3]["dropped_sentences"] == 0 and not rows[3]["grounded"]


def test_retrieve_batch_with_a_broken_line_exits_1(hash_env, tmp_path):
    f = tmp_path / "q.jsonl"
    f.write_text('{"q": "链主企业"}\nnot json\n', encoding="utf-8")
    out = run_cli("retrieve", "--batch", str(f), "--k", "2", env=hash_env)
    assert out.returncode == 1
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert len(rows[0]["passages"]) == 2 and rows[1] == {"line": 2, "error": "not valid JSON"}


def test_batch_file_that_is_not_a_regular_file(hash_env):
    out = run_cli("retrieve", "--batch", "/dev/zero", env=hash_env)
    assert_one_line_error(out, "/dev/zero")
