"""Faithfulness side by side: verdict accuracy on claims with gold verdicts and the answer pass rate
on dev/own answer sets, reviewqa vs the plain LangChain RAG with the same local model.

The baseline judges a claim by stuffing its top chunks into a plain prompt that asks for one of
the four verdicts; its answers pass when they match the `must`/`must_not` patterns, the gold
evidence was in the chunks it was given (it cites nothing, so this is generous), and an
unanswerable question is declined."""

from __future__ import annotations

import re
from typing import Any

VERDICT_PROMPT = (
    "Context from a review:\n{context}\n\nClaim: {claim}\n\nDoes the review support the claim? "
    "Answer with one of: supported, partial, contradicted, not_found.\nAnswer:"
)
DECLINE = re.compile(
    r"not (?:mention|discuss|cover|provide|contain)|no information|cannot|does not|没有|未|无法|不涉及", re.I
)


def baseline_verdict(base: Any, chat: Any, claim: str) -> str:
    from langchain_core.prompts import ChatPromptTemplate

    context = "\n\n".join(base.dense(claim, 4))
    msg = (ChatPromptTemplate.from_messages([("human", VERDICT_PROMPT)]) | chat).invoke(
        {"context": context, "claim": claim}
    )
    m = re.search(
        r"not_found|contradicted|partial|supported", str(msg.content).lower().replace("not found", "not_found")
    )
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


def main() -> None:
    """`python benchmarks/faithfulness.py`: this section alone (about 15 min on 2 cores); the baseline
    runs on the dev sets only (its stuffed prompts take ~15 s each), reviewqa on dev and own sets."""
    import os
    import statistics
    import sys
    import time
    from pathlib import Path

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    root = Path(__file__).resolve().parent.parent
    sys.path[:0] = [str(root), str(root / "benchmarks")]
    import baseline as bl

    from assistant.answering.claims import make_citer
    from assistant.evaluation import answer_check, read_jsonl

    def say(m: str) -> None:
        print(f"[bench] {m}", file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    data = root / "tests" / "data"
    assistant, base = bl.setup()
    chat = assistant.backend.chat
    citer = make_citer(assistant)
    rows = []
    for name in ("dev_verdicts", "own_verdicts"):
        claims = read_jsonl(data / f"{name}.jsonl", "claim")
        say(f"verdicts: {name}")
        ours = sum(citer.cite(r["claim"]).verdict == r["gold"] for r in claims)
        theirs = (
            f"{sum(baseline_verdict(base, chat, r['claim']) == r['gold'] for r in claims)}/{len(claims)}"
            if name.startswith("dev")
            else "—"
        )
        rows.append((f"verdict accuracy, {name}", f"{ours}/{len(claims)}", theirs))
    times: list[float] = []
    firsts: list[float] = []
    for name in ("dev_answers", "own_answers"):
        qs = read_jsonl(data / f"{name}.jsonl", "q")
        say(f"answers: {name}")
        ours = 0
        for r in qs:
            res = assistant.ask(r["q"])
            ours += answer_check(r, res)["pass"]
            times.append(res.timings["total"])
            if "first_token" in res.timings:
                firsts.append(res.timings["first_token"])
        theirs = f"{sum(baseline_answer_pass(base, chat, r) for r in qs)}/{len(qs)}" if name.startswith("dev") else "—"
        rows.append((f"answer pass rate, {name}", f"{ours}/{len(qs)}", theirs))
    rows.append((f"ask total, median of {len(times)} questions above", f"{statistics.median(times):.2f} s", "—"))
    rows.append((f"ask first token, median of {len(firsts)}", f"{statistics.median(firsts):.2f} s", "—"))
    table = "| measurement | reviewqa | plain LangChain RAG, same model |\n| --- | --- | --- |\n" + "\n".join(
        f"| {a} | {b} | {c} |" for a, b, c in rows
    )
    print(table)
    section = (
        f"## Faithfulness (measured {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
        f"`python benchmarks/faithfulness.py`, {(time.perf_counter() - t0) / 60:.1f} min)\n\n"
        "Verdicts: claims with gold `supported | partial | contradicted | not_found` (the baseline asks the "
        "same model for one of the four words over its top chunks). Answers: a cited quote holds the gold "
        "evidence, `must`/`must_not` patterns, no Chinese outside quotes in English answers, unanswerable "
        "questions declined (the baseline passes the evidence test when the evidence was in its chunks).\n\n"
        + table
        + "\n"
    )
    res = root / "benchmarks" / "results.md"
    text = res.read_text(encoding="utf-8")
    head, _, rest = text.partition("## Faithfulness")
    tail = ("\n## " + rest.split("\n## ", 1)[1]) if "\n## " in rest else ""  # later sections stay
    res.write_text(head.rstrip() + "\n\n" + section + tail, encoding="utf-8")
    say("wrote the Faithfulness section of benchmarks/results.md")


if __name__ == "__main__":
    main()
