"""Faithfulness side by side: verdict accuracy on claims with gold verdicts and the answer pass rate
on dev/own answer sets, reviewqa vs the plain LangChain RAG with the same local model.

The baseline judges a claim by stuffing its top chunks into a plain prompt that asks for one of
the four verdicts; its answers pass when they match the `must`/`must_not` patterns, the gold
evidence was in the chunks it was given (it cites nothing, so this is generous), and an
unanswerable question is declined."""

from __future__ import annotations

import re
from typing import Any

VERDICT_PROMPT = ("Context from a review:\n{context}\n\nClaim: {claim}\n\nDoes the review support the claim? "
                  "Answer with one of: supported, partial, contradicted, not_found.\nAnswer:")
DECLINE = re.compile(r"not (?:mention|discuss|cover|provide|contain)|no information|cannot|does not|没有|未|无法|不涉及", re.I)


def baseline_verdict(base: Any, chat: Any, claim: str) -> str:
    from langchain_core.prompts import ChatPromptTemplate

    context = "\n\n".join(base.dense(claim, 4))
    msg = (ChatPromptTemplate.from_messages([("human", VERDICT_PROMPT)]) | chat).invoke(
        {"context": context, "claim": claim})
    m = re.search(r"not_found|contradicted|partial|supported", str(msg.content).lower().replace("not found", "not_found"))
    return m.group(0) if m else "not_found"


def baseline_answer_pass(base: Any, chat: Any, row: dict[str, Any]) -> bool:
    from assistant.text import normalize

    text, _, _ = base.ask(chat, row["q"])
    if row.get("answerable") is False:
        return bool(DECLINE.search(text))
    context = normalize("\n".join(base.dense(row["q"], 4)))
    if row.get("evidence") and not any(normalize(e) in context for e in row["evidence"]):
        return False
    if any(not re.search(m, text, re.I) for m in row.get("must", [])):
        return False
    if any(re.search(m, text, re.I) for m in row.get("must_not", [])):
        return False
    return not (row.get("lang") == "en" and re.search(r"[\u4e00-\u9fff]", re.sub(r"“[^”]*”", "", text)))


def measure(assistant: Any, base: Any, data: Any, say: Any) -> dict[str, tuple[int, int]]:
    """{row name: (reviewqa passes, baseline passes)} plus the set sizes under 'n:…'."""
    from assistant.cite import make_citer
    from assistant.cli_answer import answer_check
    from assistant.evaluation import read_jsonl

    citer = make_citer(assistant)
    chat = assistant.backend.chat
    out: dict[str, Any] = {}
    for name in ("dev_verdicts", "own_verdicts"):
        rows = read_jsonl(data / f"{name}.jsonl", "claim")
        say(f"verdicts: {name}")
        ours = sum(citer.cite(r["claim"]).verdict == r["gold"] for r in rows)
        theirs = sum(baseline_verdict(base, chat, r["claim"]) == r["gold"] for r in rows)
        out[name] = (ours, theirs, len(rows))
    for name in ("dev_answers", "own_answers"):
        rows = read_jsonl(data / f"{name}.jsonl", "q")
        say(f"answers: {name}")
        ours = sum(answer_check(r, assistant.ask(r["q"]))["pass"] for r in rows)
        theirs = sum(baseline_answer_pass(base, chat, r) for r in rows)
        out[name] = (ours, theirs, len(rows))
    return out
