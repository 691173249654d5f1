"""The researcher's workflow on the command line: `reviewqa check DRAFT` (the draft check) and
`reviewqa refs N` (a reference dossier)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from assistant.cli.options import assistant_for
from assistant.log import progress
from assistant.research.draft import PROBLEM_LABELS
from assistant.text import clean_text

HEAD = {
    "ok": {"zh": "引用无误", "en": "citation correct"},
    "suggest": {"zh": "综述在此引用", "en": "the review cites here"},
    "refs": {"zh": "重建的参考文献", "en": "Rebuilt reference list"},
    "progress": {"zh": "核查", "en": "checking"},
}


def progress_bar(lang: str) -> Any:
    """A one-line progress bar on stderr (stdout stays clean for --json)."""

    def show(i: int, n: int) -> None:
        width = 24
        done = width * i // max(n, 1)
        progress(f"{HEAD['progress'][lang]} {'█' * done}{'·' * (width - done)} {i}/{n}", done=i == n)

    return show


def cmd_check(args: argparse.Namespace) -> int:
    from assistant.answering.claims import make_citer
    from assistant.research.draft import DraftChecker, read_draft, read_stdin_draft
    from assistant.serialize import references_json, sentence_json
    from assistant.text import detect_lang
    from assistant.ui.i18n import VERDICT_LABELS

    text = read_stdin_draft(sys.stdin) if args.draft == "-" else read_draft(args.draft)
    lang = args.lang if args.lang in ("zh", "en") else detect_lang(text)
    checker = DraftChecker(make_citer(assistant_for(args)))  # the file is checked before any model loads
    doc = checker.doc
    checked = checker.check(text, progress=None if args.quiet else progress_bar(lang))
    refs = references_json(checker.references(checked), doc, args.bibtex_note)
    if args.json:
        for d in checked:
            print(json.dumps(sentence_json(d, doc), ensure_ascii=False))
        print(json.dumps(refs, ensure_ascii=False))
        return 0
    for i, d in enumerate(checked, 1):
        print(f"\n{i}. [{VERDICT_LABELS[d.verdict][lang]}] {clean_text(d.text)}  ({d.start}–{d.end})")
        if d.result is not None and d.result.quotes and d.verdict != "not_found":
            q = d.result.quotes[0]
            print(f"   “{q.sentence.text}”  ({q.passage.section}, {q.sentence.start}–{q.sentence.end})")
        if d.result is not None and d.result.reason:
            print(f"   {d.result.reason}")
        for c in d.citations:
            problems = [p for p in (c.problem, c.flag) if p]
            what = "; ".join(PROBLEM_LABELS[p][lang] for p in problems) or HEAD["ok"][lang]
            refs_txt = ",".join(f"[{n}]" for n in c.refs) or "—"
            print(f"   ({clean_text(c.text)}) → {refs_txt}  {'⚠ ' if problems else '✓ '}{what}")
        if d.suggest:
            print(f"   {HEAD['suggest'][lang]}: " + ", ".join(f"[{n}]" for n in d.suggest))
    if refs["references"]:
        print(f"\n{HEAD['refs'][lang]} (GB/T 7714):\n{refs['gbt7714']}")
        if args.bibtex:
            print(f"\n{refs['bibtex']}")
    return 0


DOSSIER = {
    "cited": {"zh": "被引用 {k} 次", "en": "cited in {k} sentences"},
    "use": {"zh": "用途(模型生成)", "en": "used for (generated)"},
    "with": {"zh": "同时引用", "en": "cited alongside"},
}


def cmd_dossier(args: argparse.Namespace) -> int:
    """`reviewqa refs N`: the dossier of one reference (use lines written by the LLM, cached)."""
    from assistant.answering.gloss import Glosser
    from assistant.indexing.build import load_document
    from assistant.research.dossier import check_ref_number, dossier
    from assistant.serialize import dossier_json

    check_ref_number(load_document(args.settings), args.n)  # before any model loads
    a = assistant_for(args)
    d = dossier_json(dossier(a.index, args.n, Glosser(a)), a.index.doc, args.bibtex_note)
    if args.json:
        print(json.dumps(d, ensure_ascii=False))
        return 0
    lang = args.lang if args.lang in ("zh", "en") else "zh"
    print(
        f"[{d['n']}] {d['gbt7714']}\n    {DOSSIER['cited'][lang].format(k=d['times_cited'])}; "
        f"{' / '.join(d['cited_as']) or '—'}"
    )
    for c in d["citing"]:
        print(f"\n  {c['section']}  ({c['passage']}, {c['start']}–{c['end']})  {'; '.join(c['as'])}")
        print(f"    “{c['sentence']}”")
        if c["use"]["generated"] and (c["use"]["zh"] or c["use"]["en"]):
            print(f"    {DOSSIER['use'][lang]}: {c['use']['zh']} / {c['use']['en']}")
    if d["co_cited"]:
        print(f"\n  {DOSSIER['with'][lang]}: " + ", ".join(f"[{c['n']}]×{c['count']}" for c in d["co_cited"]))
    print(f"\n{d['bibtex']}")
    return 0


def add_commands(add: Any) -> None:
    from assistant.cli import options as opt

    sp = add("check", "check a draft's statements and citations against the review / 文稿核查", cmd_check)
    sp.add_argument("draft", help=".md, .txt or .docx file, or - for stdin / 文稿文件")
    opt.lang(sp, what="report language / 报告语言")
    sp.add_argument("--bibtex", action="store_true", help="also print the references as BibTeX")
    bibtex_note(sp)
    sp.add_argument("--quiet", action="store_true", help="no progress bar")
    opt.backend(sp, "verdicts")


def bibtex_note(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--bibtex-note",
        action="store_true",
        help="BibTeX: keep a note naming the review and the entry's number in it / 保留来源注释",
    )


def refs_export_options(sp: argparse.ArgumentParser) -> None:
    """`refs --format … --refs …`: the reference list as a file (formats from corpus.exports)."""
    from assistant.corpus.exports import FORMATS

    sp.add_argument(
        "--format",
        choices=["text", *FORMATS],
        default="text",
        help="text (default), or the list as a file on stdout: "
        + "; ".join(f"{k}: {f.help}" for k, f in FORMATS.items())
        + " / 导出格式",
    )
    sp.add_argument(
        "--refs", metavar="LIST", help="only these references, e.g. 3,16,20-25 (default: all 78) / 文献编号"
    )
    bibtex_note(sp)
