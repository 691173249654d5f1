"""Metrics on eval sets in the shared/eval format; the kind of set is told by its fields.

- retrieval (`q`, `lang`, `gold`: substrings of the gold passage): hit@1, hit@k, MRR per language
- citelinks (`cite`, `gold`: reference numbers): exact resolution rate
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.errors import UserError
from assistant.text import CJK, normalize, shown

MAX_BATCH_BYTES = 20_000_000


def _read_lines(path: Path) -> list[str | None]:
    """The lines of a regular, readable file (a BOM is accepted), or a one-line error. Each line is
    decoded on its own: one that is not UTF-8 is None, and the others are still read."""
    try:
        if not path.is_file():
            raise UserError(
                f"找不到文件或不是普通文件:{shown(path)}", f"Not found or not a regular file: {shown(path)}"
            )
        if path.stat().st_size > MAX_BATCH_BYTES:
            raise UserError(f"文件过大:{shown(path)}", f"File too large: {shown(path)}")
        raw = path.read_bytes()
    except OSError as e:
        raise UserError(
            f"无法读取文件 {shown(path)}:{e.strerror}", f"Cannot read file {shown(path)}: {e.strerror}"
        ) from None
    return [_decode(line) for line in raw.removeprefix(b"\xef\xbb\xbf").splitlines()]


def _decode(line: bytes) -> str | None:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return None


NOT_UTF8 = UserError("不是 UTF-8 文本。", "not valid UTF-8")


def _parse_line(line: str, field: str | None) -> tuple[dict[str, Any] | None, UserError | None]:
    try:
        row = json.loads(line)
    except ValueError:
        return None, UserError("不是有效的 JSON。", "not valid JSON")
    if not isinstance(row, dict) or (field and field not in row):
        return None, UserError(f"缺少字段 “{field}”。", f"lacks the field '{field}'")
    return row, None


def read_jsonl(path: Path, field: str | None = None) -> list[dict[str, Any]]:
    """Read a JSONL file (an eval set) whole; one-line errors for a missing file or a bad line."""
    rows = []
    for i, line in enumerate(_read_lines(path), 1):
        if line is not None and not line.strip():
            continue
        row, err = _parse_line(line, field) if line is not None else (None, NOT_UTF8)
        if err is not None:
            raise UserError(f"{shown(path)} 第 {i} 行:{err.zh}", f"{shown(path)} line {i}: {err.en}")
        rows.append(row)  # type: ignore[arg-type]
    return rows


def batch_rows(path: Path, field: str) -> list[tuple[int, dict[str, Any] | None, str]]:
    """A --batch file, read before any model loads: (line number, row or None, error or '') per
    non-empty line. A broken line is reported in its place and the others are still answered."""
    out = []
    for i, line in enumerate(_read_lines(path), 1):
        if line is None:
            out.append((i, None, NOT_UTF8.en))
        elif line.strip():
            row, err = _parse_line(line, field)
            out.append((i, row, err.en if err else ""))
    return out


def kind_of(rows: list[dict[str, Any]]) -> str:
    if rows and all("q" in r and "gold" in r for r in rows):
        return "retrieval"
    if rows and all("cite" in r and "gold" in r for r in rows):
        return "citelinks"
    if rows and all("claim" in r and isinstance(r.get("gold"), str) for r in rows):
        return "verdicts"
    if rows and all("claim" in r and "gold" in r for r in rows):
        return "claims"
    if rows and all("q" in r and isinstance(r.get("points"), list) for r in rows):
        return "broad"
    if rows and all("q" in r and ("evidence" in r or r.get("answerable") is False) for r in rows):
        return "dev_answers"
    if rows and all("q" in r and "scope" in r for r in rows):
        return "answers"
    raise UserError(
        "无法识别评测集格式(需要 q/cite/claim 与 gold 字段)。",
        "Unknown eval set format (expected q/cite/claim with gold).",
    )


def gold_rank(texts: list[str], gold: list[str]) -> int | None:
    """0-based rank of the first passage containing any gold substring."""
    golds = [normalize(g) for g in gold]
    for i, t in enumerate(texts):
        nt = normalize(t)
        if any(g in nt for g in golds):
            return i
    return None


def retrieval_metrics(
    rows: list[dict[str, Any]], search: Callable[[str, str | None], list[str]], k: int
) -> dict[str, Any]:
    per: dict[str, list[int | None]] = {}
    details = []
    for r in rows:
        lang = r.get("lang") or None
        texts = search(r["q"], lang)
        rank = gold_rank(texts[:k], r["gold"])
        per.setdefault(lang or "all", []).append(rank)
        details.append({"id": r.get("id"), "lang": lang, "rank": None if rank is None else rank + 1})
    out: dict[str, Any] = {"kind": "retrieval", "k": k, "n": len(rows), "by_lang": {}, "details": details}
    every: list[int | None] = []
    for lang, ranks in sorted(per.items()):
        out["by_lang"][lang] = _summ(ranks, k)
        every += ranks
    out["all"] = _summ(every, k)
    return out


def _summ(ranks: list[int | None], k: int) -> dict[str, float | int]:
    n = len(ranks) or 1
    return {
        "n": len(ranks),
        "hit@1": round(sum(r == 0 for r in ranks) / n, 4),
        f"hit@{k}": round(sum(r is not None and r < k for r in ranks) / n, 4),
        "mrr": round(sum(1 / (r + 1) for r in ranks if r is not None) / n, 4),
    }


def citelink_metrics(rows: list[dict[str, Any]], resolve: Callable[[str], list[int]]) -> dict[str, Any]:
    details = []
    for r in rows:
        got = resolve(r["cite"])
        details.append({"cite": r["cite"], "gold": sorted(r["gold"]), "got": got, "exact": got == sorted(r["gold"])})
    exact = sum(d["exact"] for d in details)
    return {
        "kind": "citelinks",
        "n": len(rows),
        "exact": exact,
        "accuracy": round(exact / (len(rows) or 1), 4),
        "details": details,
    }


def draft_metrics(rows: list[dict[str, Any]], gold: dict[str, Any]) -> dict[str, Any]:
    """A draft check (`serialize.sentence_json` rows) against a gold file: per gold sentence, the verdict
    and every citation's references, problem and flag (no flag unless the gold names one)."""
    details = []
    for g in gold["sentences"]:
        row = next((r for r in rows if r["sentence"].startswith(g["starts"])), None)
        if row is None:
            details.append({"starts": g["starts"], "pass": False, "why": "sentence not found"})
            continue
        why = []
        if row["verdict"] != g["verdict"]:
            why.append(f"verdict {row['verdict']} ≠ {g['verdict']}")
        got = {c["as"]: c for c in row["citations"]}
        for gc in g.get("citations", []):
            c = got.get(gc["as"])
            if c is None:
                why.append(f"citation {gc['as']} not found")
                continue
            for key in ("refs", "problem", "flag"):
                if c.get(key) != gc.get(key):
                    why.append(f"{gc['as']}: {key} {c.get(key)} ≠ {gc.get(key)}")
        details.append(
            {"starts": g["starts"], "pass": not why, "why": "; ".join(why) or "ok", "verdict": row["verdict"]}
        )
    return {"kind": "draft", "n": len(details), "passed": sum(d["pass"] for d in details), "details": details}


def answer_check(row: dict[str, Any], res: Any) -> dict[str, Any]:
    """One dev_answers row against an AskResult: gold evidence quoted, must/must_not patterns,
    no CJK outside quotes in English answers, unanswerable questions refused."""
    why = ""
    if row.get("answerable") is False or row.get("kind") == "absent":
        why = "" if not res.grounded else "answered an unanswerable question"
    elif not res.grounded:
        why = "refused"
    else:
        quotes = [normalize(q["text"]) for c in res.citations for q in c.get("quotes", [])]
        if row.get("evidence") and not any(normalize(e) in q for e in row["evidence"] for q in quotes):
            why = "gold evidence not quoted"
        elif any(not re.search(m, res.answer, re.I) for m in row.get("must", [])):
            why = "a must pattern is missing"
        elif any(re.search(m, res.answer, re.I) for m in row.get("must_not", [])):
            why = "a must_not pattern matched"
        elif row.get("lang") == "en" and re.search(
            CJK.pattern, re.sub(r"[“\"「『][^”\"」』]*[”\"」』]", "", res.answer)
        ):
            why = "CJK in an English answer"
    return {
        "id": row.get("id"),
        "kind": row.get("kind", ""),
        "q": row["q"],
        "answer": res.answer,
        "pass": not why,
        "why": why or "ok",
        "seconds": res.timings.get("total"),
    }


def point_coverage(points: list[dict[str, Any]], res: Any) -> list[bool]:
    """Per key point: is its gold sentence among the cited quotes, and does the answer say it?"""
    quotes = [normalize(q["text"]) for c in res.citations for q in c.get("quotes", [])]
    out = []
    for p in points:
        quoted = any(normalize(p["gold"]) in q for q in quotes)
        said = any(re.search(pat, res.answer, re.I) for pat in p.get("patterns", [])) or not p.get("patterns")
        out.append(bool(res.grounded and quoted and said))
    return out
