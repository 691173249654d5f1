"""A conversation as Markdown to keep or share: each question, its answer with markers, and the
sources behind the markers (quotes with offsets, glosses marked as machine translation) and the
references cited there in GB/T 7714, as the review prints them."""

from __future__ import annotations

from typing import Any

HEAD = {
    "title": {"zh": "综述问答记录", "en": "Review QA transcript"},
    "source": {"zh": "来源", "en": "Sources"},
    "refs": {"zh": "参考文献", "en": "References"},
    "mt": {"zh": "机器翻译", "en": "machine translation"},
    "about": {
        "zh": "依据:耿子恒, 沈体雁, 肖金成.人工智能与区域经济:研究进展、启示与展望[J].区域经济评论,2026(2).",
        "en": "Source: 耿子恒, 沈体雁, 肖金成. 人工智能与区域经济:研究进展、启示与展望. 区域经济评论, 2026(2).",
    },
}


def turn_markdown(question: str, answer: str, citations: list[dict[str, Any]], lang: str, note: str = "") -> str:
    """One question and its grounded answer as a Markdown section."""
    lg = "zh" if lang == "zh" else "en"
    out = [f"## {question.strip()}", "", answer.strip(), ""]
    if note:
        out += [f"*{note}*", ""]
    refs: dict[int, str] = {}
    if citations:
        out.append(f"**{HEAD['source'][lg]}**")
        out.append("")
        for c in citations:
            p = c["passage"]
            out.append(f"- [{c['marker']}] {p['section']} ({p['id']}, {p['start']}–{p['end']})")
            for q in c.get("quotes", []):
                out.append(f"  > “{q['text']}” ({q['start']}–{q['end']})")
                if q.get("gloss"):
                    out.append(f"  > ≈ {q['gloss']} *({HEAD['mt'][lg]})*")
            for r in c.get("quote_references", []):
                refs.setdefault(r["n"], r["entry"])
        out.append("")
    if refs:
        out += [f"**{HEAD['refs'][lg]}**", ""] + [f"[{n}] {e}  " for n, e in sorted(refs.items())] + [""]
    return "\n".join(out)


def transcript_markdown(turns: list[str], lang: str) -> str:
    lg = "zh" if lang == "zh" else "en"
    return "\n".join([f"# {HEAD['title'][lg]}", "", HEAD["about"][lg], "", *turns])
