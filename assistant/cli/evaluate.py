"""`reviewqa eval FILE`: metrics on an eval set. The kind is read from the rows (retrieval, citation
links, claims, verdicts, answers, dev answers) or, for a .json gold file, a draft check."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from assistant.cli.options import assistant_for, emit, retriever_for
from assistant.cli.research import progress_bar


def cmd_eval(args: argparse.Namespace) -> int:
    from assistant.corpus.citations import resolve_text
    from assistant.evaluation import citelink_metrics, kind_of, read_jsonl, retrieval_metrics
    from assistant.indexing.build import load_document

    if args.file.endswith(".json"):  # a draft gold file: check the draft it names
        return draft_eval(args)
    rows = read_jsonl(Path(args.file))
    kind = kind_of(rows)
    if kind == "retrieval":
        r = retriever_for(args)
        res = retrieval_metrics(rows, lambda q, lang: [h.passage.text for h in r.search(q, args.k, lang)], args.k)
    elif kind == "citelinks":
        doc = load_document(args.settings)
        res = citelink_metrics(rows, lambda c: resolve_text(c, doc))
    elif kind == "answers":
        res = answers_metrics(args, rows)
    elif kind == "verdicts":
        res = verdict_metrics(args, rows)
    elif kind == "dev_answers":
        res = dev_answer_metrics(args, rows)
    elif kind == "broad":
        res = broad_metrics(args, rows)
    else:
        res = claims_metrics(args, rows)

    def text() -> str:
        if kind == "answers":
            head = (
                f"answers ({res['backend']}: {res['model']}): language right {res['language_ok']}/{res['n']}, "
                f"markers valid {res['markers_valid']}/{res['n']}, out of scope refused "
                f"{res['out_of_scope_refused']}/{res['out_of_scope']}, in scope answered "
                f"{res['in_scope_answered']}/{res['in_scope']}"
            )
            rows_ = [
                f"  {d['id']} {d['lang']} {d['scope']:<3} {'refused' if d['refused'] else 'answered':<8} "
                f"lang {'✓' if d['language_ok'] else '✗'} markers {'✓' if d['markers_valid'] else '✗'} "
                f"{d['seconds']}s  {d['answer'][:70]}"
                for d in res["details"]
            ]
            return "\n".join([head, *rows_])
        if kind == "verdicts":
            per = ", ".join(f"{g} {m['right']}/{m['n']}" for g, m in res["by_gold"].items())
            return (
                f"verdicts: {res['right']}/{res['n']} right ({per}); supported or absent claims called "
                f"contradicted: {res['false_contradicted']}; flipped or absent claims called supported: "
                f"{res['false_supported']}"
                + "".join(
                    f"\n  ✗ {d['id']}: {d['verdict']} (gold {d['gold']}) {d['reason']}"
                    for d in res["details"]
                    if not d["ok"]
                )
            )
        if kind == "dev_answers":
            return f"answers: {res['passed']}/{res['n']} pass (evidence quoted, must/must_not, refusals)" + "".join(
                f"\n  {'✓' if d['pass'] else '✗'} {d['id']} {d['kind']:<7} {d['why']:<28} {d['answer'][:90]}"
                for d in res["details"]
            )
        if kind == "broad":
            return f"broad and list questions: key points covered {res['covered']}/{res['points']}" + "".join(
                f"\n  {d['id']} {d['lang']} {d['covered']}/{d['points']} {d['seconds']}s  {d['answer'][:80]}"
                for d in res["details"]
            )
        if kind == "claims":
            miss = [d for d in res["details"] if not d["all_gold"]]
            return (
                f"claims: every gold reference returned for {res['all_gold']}/{res['n']}; "
                f"mean {res['mean_refs']} references per claim"
                + "".join(f"\n  ✗ {d['id']}: returned {d['returned']}, gold {d['gold']}" for d in miss)
            )
        if kind == "citelinks":
            bad = [d for d in res["details"] if not d["exact"]]
            return f"citelinks: {res['exact']}/{res['n']} exact ({res['accuracy']:.2%})" + "".join(
                f"\n  ✗ {d['cite']}: got {d['got']}, gold {d['gold']}" for d in bad
            )
        k = res["k"]
        out = [
            f"retrieval ({res['n']} questions, k={k})",
            f"  {'lang':<5} {'n':>3} {'hit@1':>7} {f'hit@{k}':>7} {'MRR':>7}",
        ]
        for lang, m in [*res["by_lang"].items(), ("all", res["all"])]:
            out.append(f"  {lang:<5} {m['n']:>3} {m['hit@1']:>7.3f} {m[f'hit@{k}']:>7.3f} {m['mrr']:>7.3f}")
        miss = [d for d in res["details"] if d["rank"] is None]
        if miss:
            out.append("  missed: " + ", ".join(f"{d['id']}({d['lang']})" for d in miss))
        return "\n".join(out)

    emit(res, args.json, text)
    return 0


def verdict_metrics(args: argparse.Namespace, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Claims with a gold verdict: accuracy, and per gold kind (contradicted recall, false alarms)."""
    from assistant.answering.claims import make_citer

    c = make_citer(assistant_for(args))
    details = []
    for r in rows:
        res = c.cite(r["claim"], args.k, args.settings.translate_queries)
        details.append(
            {
                "id": r.get("id"),
                "claim": r["claim"],
                "gold": r["gold"],
                "verdict": res.verdict,
                "ok": res.verdict == r["gold"],
                "reason": res.reason,
            }
        )
    by: dict[str, dict[str, int]] = {}
    for d in details:
        g = by.setdefault(d["gold"], {"n": 0, "right": 0})
        g["n"] += 1
        g["right"] += d["ok"]
    wrongly_contradicted = sum(d["verdict"] == "contradicted" and d["gold"] != "contradicted" for d in details)
    wrongly_supported = sum(d["verdict"] == "supported" and d["gold"] != "supported" for d in details)
    return {
        "kind": "verdicts",
        "n": len(details),
        "right": sum(d["ok"] for d in details),
        "by_gold": by,
        "false_contradicted": wrongly_contradicted,
        "false_supported": wrongly_supported,
        "details": details,
    }


def claims_metrics(args: argparse.Namespace, rows: list[dict[str, Any]]) -> dict[str, Any]:
    from assistant.answering.claims import make_citer

    c = make_citer(assistant_for(args))
    details = []
    for r in rows:
        res = c.cite(r["claim"], args.k, args.settings.translate_queries)
        gold = set(r["gold"])
        details.append(
            {
                "id": r.get("id"),
                "lang": r.get("lang"),
                "verdict": res.verdict,
                "returned": res.references,
                "gold": sorted(gold),
                "all_gold": gold <= set(res.references),
            }
        )
    n = len(details) or 1
    return {
        "kind": "claims",
        "n": len(details),
        "all_gold": sum(d["all_gold"] for d in details),
        "gold_recall_rate": round(sum(d["all_gold"] for d in details) / n, 4),
        "mean_refs": round(sum(len(d["returned"]) for d in details) / n, 3),
        "details": details,
    }


def answers_metrics(args: argparse.Namespace, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Questions with `lang` and `scope` (in|out): language right, markers valid, out-of-scope refused."""
    import re

    from assistant.text import detect_lang

    a = assistant_for(args)
    details = []
    for r in rows:
        res = a.ask(r["q"])
        markers = {int(m) for m in re.findall(r"\[(\d+)\]", res.answer)}
        listed = {c["marker"] for c in res.citations}
        quotes_ok = all(q["text"] in c["passage"]["text"] for c in res.citations for q in c["quotes"])
        lang_ok = res.language == r["lang"] and (res.refused or detect_lang(res.answer) == r["lang"])
        details.append(
            {
                "id": r.get("id"),
                "lang": r["lang"],
                "scope": r["scope"],
                "answer": res.answer,
                "refused": res.refused,
                "grounded": res.grounded,
                "language_ok": lang_ok,
                "markers_valid": markers == listed and quotes_ok,
                "correct_scope": res.refused == (r["scope"] == "out"),
                "seconds": res.timings.get("total"),
                "backend": res.backend,
            }
        )
    n_out = sum(d["scope"] == "out" for d in details)
    return {
        "kind": "answers",
        "n": len(details),
        "backend": a.backend.name,
        "model": a.backend.model,
        "language_ok": sum(d["language_ok"] for d in details),
        "markers_valid": sum(d["markers_valid"] for d in details),
        "out_of_scope_refused": sum(d["refused"] for d in details if d["scope"] == "out"),
        "out_of_scope": n_out,
        "in_scope_answered": sum(not d["refused"] for d in details if d["scope"] == "in"),
        "in_scope": len(details) - n_out,
        "details": details,
    }


def dev_answer_metrics(args: argparse.Namespace, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """dev_answers format: a cited quote holds the gold evidence, `must` patterns match, `must_not`
    ones do not, English answers hold no CJK outside quotation marks, unanswerable ones are refused."""
    a = assistant_for(args)
    from assistant.evaluation import answer_check

    details = [answer_check(r, a.ask(r["q"])) for r in rows]
    return {
        "kind": "dev_answers",
        "n": len(details),
        "passed": sum(d["pass"] for d in details),
        "backend": a.backend.name,
        "details": details,
    }


def draft_eval(args: argparse.Namespace) -> int:
    """`reviewqa eval X_gold.json`: check the draft the gold file names (beside it), score it."""
    from pathlib import Path

    from assistant.answering.claims import make_citer
    from assistant.errors import UserError
    from assistant.evaluation import draft_metrics
    from assistant.research.draft import DraftChecker, read_draft
    from assistant.serialize import sentence_json

    path = Path(args.file)
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
        draft = path.parent / gold["file"]
        gold["sentences"]
    except (OSError, ValueError, KeyError, TypeError):
        raise UserError(f"不是文稿核查的标准答案文件:{path}", f"Not a draft-check gold file: {path}") from None
    text = read_draft(draft)
    checker = DraftChecker(make_citer(assistant_for(args)))
    rows = [sentence_json(d, checker.doc) for d in checker.check(text, progress=progress_bar("en"))]
    res = draft_metrics(rows, gold)
    if args.json:
        print(json.dumps(res, ensure_ascii=False))
    else:
        print(f"draft {gold['file']}: {res['passed']}/{res['n']} sentences right")
        for d in res["details"]:
            print(f"  {'✓' if d['pass'] else '✗'} {d['starts']}  {d['why']}")
    return 0


def broad_metrics(args: argparse.Namespace, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Broad and list questions with the review's key points: a point counts when a cited quote
    holds its gold sentence and the answer matches one of its patterns."""
    from assistant.evaluation import point_coverage

    a = assistant_for(args)
    details = []
    for r in rows:
        res = a.ask(r["q"])
        hits = point_coverage(r["points"], res)
        details.append(
            {
                "id": r.get("id"),
                "lang": r.get("lang"),
                "kind": r.get("kind"),
                "points": len(hits),
                "covered": sum(hits),
                "answer": res.answer,
                "seconds": res.timings.get("total"),
            }
        )
    return {
        "kind": "broad",
        "n": len(details),
        "points": sum(d["points"] for d in details),
        "covered": sum(d["covered"] for d in details),
        "details": details,
    }
