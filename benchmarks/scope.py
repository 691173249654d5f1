"""The "not covered" decision on questions written by someone else: tests/data/frozen_scope.jsonl
(26 in-scope questions, 14 the review does not answer; zh and en). In scope: refused (false refusal),
or answered with the gold evidence quoted and the `must` patterns said. Absent: answered with a
marker is a failure (the review does not say it); refused or quoting nothing is right.

`python benchmarks/scope.py [--label NAME] [--json out.json]` prints a table; with `--write` it
rewrites the "Not covered" section of benchmarks/results.md. To measure another checkout, run it
with PYTHONPATH pointing there (the script reads only AskResult's public fields)."""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def judge_row(r: dict, res) -> str:
    """'ok' or what went wrong."""
    from assistant.text import normalize

    if r["kind"] == "absent":
        return "answered an absent question" if res.grounded and not res.refused else "ok"
    if res.refused or not res.grounded:
        return "refused"
    quotes = normalize(" ".join(q["text"] for c in res.citations for q in c.get("quotes", [])))
    if not any(normalize(e) in quotes for e in r.get("evidence", [])):
        return "gold evidence not quoted"
    if not all(re.search(p, res.answer, re.I) for p in r.get("must", [])):
        return "a must pattern is missing"
    return "ok"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", default="this checkout")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    from assistant.answering.chain import Assistant
    from assistant.settings import Settings

    rows = [json.loads(line) for line in (ROOT / "tests" / "data" / "frozen_scope.jsonl").open(encoding="utf-8")]
    a = Assistant(Settings(), backend="local")
    out, secs = [], []
    for r in rows:
        res = a.ask(r["q"])
        why = judge_row(r, res)
        secs.append(res.timings["total"])
        out.append({"id": r["id"], "lang": r["lang"], "kind": r["kind"], "why": why, "state": res.state})
        print(
            f"[scope] {r['id']} {r['lang']} {r['kind']:8} {why} ({res.timings['total']:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
    ins = [o for o in out if o["kind"] == "in_scope"]
    ab = [o for o in out if o["kind"] == "absent"]
    table = (
        f"| {args.label} | in scope answered well | falsely refused | absent refused or unanswered | median |\n"
        "| --- | --- | --- | --- | --- |\n"
        f"| all | {sum(o['why'] == 'ok' for o in ins)}/{len(ins)} | {sum(o['why'] == 'refused' for o in ins)}/{len(ins)} "
        f"| {sum(o['why'] == 'ok' for o in ab)}/{len(ab)} | {statistics.median(secs):.1f} s |\n"
    )
    for lang in ("zh", "en"):
        i = [o for o in ins if o["lang"] == lang]
        b = [o for o in ab if o["lang"] == lang]
        table += (
            f"| {lang} | {sum(o['why'] == 'ok' for o in i)}/{len(i)} | {sum(o['why'] == 'refused' for o in i)}/{len(i)} "
            f"| {sum(o['why'] == 'ok' for o in b)}/{len(b)} | |\n"
        )
    print(table)
    if args.json:
        args.json.write_text(json.dumps({"label": args.label, "rows": out, "table": table}, ensure_ascii=False))
    if args.write:
        res_md = ROOT / "benchmarks" / "results.md"
        text = res_md.read_text(encoding="utf-8")
        head, _, rest = text.partition("## Not covered: frozen_scope")
        tail = ("\n## " + rest.split("\n## ", 1)[1]) if "\n## " in rest else ""
        section = (
            f"## Not covered: frozen_scope (measured {time.strftime('%Y-%m-%d')}, `python benchmarks/scope.py`)\n\n"
            "tests/data/frozen_scope.jsonl: 26 in-scope and 14 absent questions, written by a helper from the "
            "review alone and committed before it was measured. In scope counts when the gold evidence is "
            "quoted and the must patterns are said; absent counts when nothing is asserted with a marker.\n\n" + table
        )
        res_md.write_text(head.rstrip() + "\n\n" + section + tail, encoding="utf-8")


if __name__ == "__main__":
    main()
