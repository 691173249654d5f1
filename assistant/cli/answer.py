"""CLI commands that use the answering layer: ask, cite, summarize (and claim evaluation)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from assistant.answering.results import DoneEvent, SentenceEvent, StatusEvent
from assistant.cli.options import assistant_for
from assistant.errors import UserError, check_query
from assistant.log import log
from assistant.serialize import ask_json, empty_ask_json, empty_cite_json
from assistant.text import shown
from assistant.ui.i18n import t

MAX_ECHO = 200  # characters of a refused value a batch answer echoes
GROUNDED = {"zh": "已核对引用", "en": "grounded"}  # plain text: the web app's label carries a ✓ badge


def run_batch(path: str, field: str, make_answer: Any, empty: Any) -> int:
    """One JSON line out per line in: answers for good lines, `{"line": n, "error": …}` for a broken
    one (the rest are still answered, exit 1 at the end); a bad value gets `empty(value)` + error.
    The file is read and checked before `make_answer()` loads any model."""
    from assistant.evaluation import batch_rows

    rows = batch_rows(Path(path), field)
    answer = make_answer()
    broken = 0
    for line, row, err in rows:
        if row is None:
            obj: dict[str, Any] = {"line": line, "error": err}
            broken += 1
        else:
            try:
                obj = answer(row[field])
            except UserError as e:  # the value is echoed shortened (a 10 MB line is not sent back whole)
                obj = {**empty(shown(row.get(field), MAX_ECHO)), "line": line, "error": e.en}
        print(json.dumps(obj, ensure_ascii=False), flush=True)
    if broken:
        log.warning(f"{broken} 行无法读取 / {broken} line(s) could not be read")
    return 1 if broken else 0


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.text import detect_lang

    if args.batch:  # the model is loaded once for the whole file
        lang = args.lang if args.lang in ("zh", "en") else "auto"

        def make() -> Any:
            a = assistant_for(args)
            return lambda q: ask_json(a.ask(check_query(q), lang))

        return run_batch(args.batch, "q", make, lambda q: empty_ask_json(q or ""))
    if args.question is None:
        raise UserError("请提供问题,或使用 --batch FILE。", "Give a question, or use --batch FILE.")
    q = check_query(args.question, None)
    lang = args.lang if args.lang in ("zh", "en") else detect_lang(q)
    a = assistant_for(args)
    result = None
    streamed = False
    for ev in a.ask_stream(q, lang):
        if isinstance(ev, StatusEvent) and ev.note and not args.json:
            print(ev.note, file=sys.stderr)
        elif isinstance(ev, SentenceEvent) and not args.json and args.format != "md":
            sys.stdout.write(ev.text + ("" if lang == "zh" else " "))
            sys.stdout.flush()
            streamed = True
        elif isinstance(ev, DoneEvent):
            result = ev.result
    assert result is not None
    if args.json:
        print(json.dumps(ask_json(result), ensure_ascii=False))
        return 0
    if args.format == "md":
        from assistant.research.export import transcript_markdown, turn_markdown

        print(transcript_markdown([turn_markdown(q, result.answer, result.citations, lang, result.note)], lang))
        return 0
    if streamed:
        print()
    if result.note and result.backend == "extractive":
        print(result.note)
    if result.citations:
        from assistant.corpus.bibformat import plain

        print(f"\n{t('sources', lang)} ({GROUNDED[lang]}; {result.backend}: {result.model}):")
        for c in result.citations:
            p = c["passage"]
            print(f"  [{c['marker']}] {p['section']}  ({p['id']}, {p['start']}–{p['end']})")
            for quote in c["quotes"][:3]:
                print(f"      “{quote['text']}”  ({quote['start']}–{quote['end']})")
                if quote.get("gloss"):
                    print(f"        ≈ {quote['gloss']}  ({'机器翻译' if lang == 'zh' else 'machine translation'})")
            for r in c["quote_references"]:
                print(f"      ↳ [{r['n']}] {plain(r['entry'])}")
    return 0


def _cite_one(c, claim: str, k: int, translate: bool, glosser: Any = None) -> dict[str, Any]:
    from assistant.serialize import cite_json
    from assistant.text import detect_lang

    return cite_json(c.cite(claim, k, translate), c.index.doc, glosser, detect_lang(claim))


def cmd_cite(args: argparse.Namespace) -> int:
    from assistant.answering.claims import make_citer

    if args.batch:

        def make() -> Any:
            a = assistant_for(args)
            c, g = make_citer(a), (a.glosser if a.settings.glosses else None)
            return lambda claim: _cite_one(c, claim, args.k, not args.no_translate, g)

        return run_batch(
            args.batch,
            "claim",
            make,
            lambda claim: empty_cite_json(claim or ""),
        )
    if args.claim is None:
        raise UserError("请提供论断,或使用 --batch FILE。", "Give a claim, or use --batch FILE.")
    from assistant.errors import check_claim
    from assistant.text import detect_lang

    claim = check_claim(args.claim)  # before any model loads
    lang = detect_lang(claim)
    a = assistant_for(args)
    c = make_citer(a)
    obj = _cite_one(c, claim, args.k, not args.no_translate, a.glosser if a.settings.glosses else None)
    if args.json:
        print(json.dumps(obj, ensure_ascii=False))
        return 0
    doc = c.index.doc
    refs = [doc.reference(r["n"]) for r in obj["references"]]
    if args.format != "text":
        print_references(refs, doc, args.format, lang, obj["verdict"], bool(obj["support"]), args.bibtex_note)
        return 0
    from assistant.corpus.bibformat import plain
    from assistant.ui.i18n import VERDICT_LABELS

    print(
        f"{t('verdict', lang)}: {VERDICT_LABELS[obj['verdict']][lang]} ({obj['verdict']})"
        + (f" — {obj['reason']}" if obj.get("reason") else "")
    )
    for s in obj["support"]:
        p = s["passage"]
        print(f"\n  {p['section']}  ({p['id']}, {s['start']}–{s['end']}, score {s['score']:.3f})")
        print(f"  “{s['quote']}”")
        if s.get("gloss"):
            print(f"    ≈ {s['gloss']}  ({'机器翻译' if lang == 'zh' else 'machine translation'})")
        if s["references"]:
            print(f"  ↳ {', '.join(f'[{n}]' for n in s['references'])}")
    if obj["references"]:
        print(f"\n{t('references', lang)}:")
        for r in obj["references"]:
            print(f"  [{r['n']}] {plain(r['entry'])}")
    elif obj.get("cite_instead"):
        print(f"\n{t('references', lang)}: {obj['cite_instead']['note'][lang]}\n  {obj['cite_instead']['gbt7714']}")
    return 0


NOTHING_TO_CITE = {"zh": "{verdict}:没有可引用的文献。", "en": "{verdict}: no reference to cite."}


def print_references(
    refs: list[Any],
    doc: Any,
    fmt: str,
    lang: str,
    verdict: str,
    supported: bool = True,
    bibtex_note: bool = False,
) -> None:
    """`cite --format gbt7714|gbt7714-ay|bibtex`: the entries alone on stdout (ready to paste); when
    the review's sentence cites nobody, a note on stderr and the review's own entry instead."""
    from assistant.corpus.bibformat import bibtex, gbt7714, gbt7714_ay
    from assistant.corpus.records import review_reference
    from assistant.serialize import CITE_REVIEW, cites_nothing
    from assistant.ui.i18n import VERDICT_LABELS

    if not refs:
        if not cites_nothing(verdict, supported, False):
            label = VERDICT_LABELS.get(verdict, {}).get(lang, verdict)
            print(NOTHING_TO_CITE[lang].format(verdict=label), file=sys.stderr)
            return
        print(CITE_REVIEW[lang], file=sys.stderr)
        refs = [review_reference(doc)]
    if fmt == "bibtex":
        print(bibtex(refs, doc.references, bibtex_note))
    else:
        print(gbt7714_ay(refs, doc.references) if fmt == "gbt7714-ay" else gbt7714(refs))


def cmd_summarize(args: argparse.Namespace) -> int:
    from assistant.answering.summarize import check_section, summarize
    from assistant.indexing.build import load_document

    langs = ("zh", "en") if args.lang == "both" else (args.lang,)
    check_section(load_document(args.settings), args.section or "all")  # before any model loads
    a = assistant_for(args)
    out = summarize(a, args.section or "all", langs)
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(f"# {out['title']}{'  (cached)' if out.get('cached') else ''}")
    for lg in langs:
        print(f"\n## {'中文' if lg == 'zh' else 'English'}\n{out[lg]}")
    if out["citations"]:
        print("\n## 来源 / Sources")
        for c in out["citations"]:
            print(f"  [{c['marker']}] {c['passage']['section']} ({c['passage']['id']})")
    return 0


def _warm_summary(a: Any) -> None:
    """The whole-review summary, computed once in the background and cached, so the Summaries tab
    shows it at once (a cached one is read back in milliseconds)."""
    import threading

    def run() -> None:
        from assistant.answering.summarize import summarize

        try:
            summarize(a, "all", ("zh", "en"), progress=lambda m: None)
            log.info("整篇摘要已缓存 / whole-review summary cached")
        except Exception as e:  # a failed warm-up costs nothing but the cache
            log.warning(f"whole-review summary not cached: {type(e).__name__}: {e}")

    threading.Thread(target=run, name="summary-warmup", daemon=True).start()


def cmd_serve(args: argparse.Namespace) -> int:
    from assistant.answering.chain import Assistant
    from assistant.ui.app import check_bind, serve

    s = args.settings
    check_bind(args.host, s.api_key, args.insecure)  # before any model loads
    try:
        a = Assistant(s, backend=s.llm_backend)
    except UserError as e:  # e.g. the local model cannot be assembled: serve extractively, say why
        log.warning(f"{e.message()} → extractive")
        a = Assistant(s, backend="extractive")
    ui = args.ui_lang if args.ui_lang in ("zh", "en") else ("zh" if s.lang != "en" else "en")
    log.info(f"http://{args.host}:{args.port}  ({a.backend.name}: {a.backend.model})")
    _warm_summary(a)
    serve(a, args.host, args.port, block=True, ui_lang=ui, api_key=s.api_key, insecure=args.insecure)
    return 0


def add_commands(sub: Any, add: Any) -> None:
    from assistant.cli import options as opt
    from assistant.cli.options import LANGS

    sp = add("ask", "grounded answer with cited passages / 有据可查的回答", cmd_ask)
    sp.add_argument("question", nargs="?", help="question in Chinese or English / 问题")
    opt.batch(sp, "q", "question")
    opt.lang(sp)
    opt.backend(sp)
    opt.no_translate(sp)
    sp.add_argument(
        "--format",
        choices=["text", "md"],
        default="text",
        help="md: question, answer, sources with quotes and GB/T 7714 references as Markdown",
    )
    sp = add("cite", "supporting quotes and references for a claim / 为论断查找依据与文献", cmd_cite)
    sp.add_argument("claim", nargs="?")
    opt.k(sp, "supporting sentences")
    sp.add_argument(
        "--format",
        choices=["text", "gbt7714", "gbt7714-ay", "bibtex"],
        default="text",
        help="the references alone: GB/T 7714 numbered, author–year (著者-出版年制), or BibTeX",
    )
    from assistant.cli.research import bibtex_note

    bibtex_note(sp)
    opt.batch(sp, "claim", "claim")
    opt.backend(sp, "verdicts and translation")
    opt.no_translate(sp)
    sp = add("serve", "the web app (Gradio) / 网页应用", cmd_serve)
    sp.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1, this machine only)")
    sp.add_argument("--port", type=int, default=7860)
    opt.backend(sp)
    sp.add_argument("--ui-lang", choices=LANGS[1:], default=None, help="interface language")
    sp.add_argument(
        "--insecure",
        action="store_true",
        help="allow a non-loopback address without REVIEWQA_API_KEY / 无密钥时仍允许非本机地址",
    )
    sp = add("summarize", "bilingual summary of the review or a section / 双语摘要", cmd_summarize)
    sp.add_argument("--section", default="all", help="section id such as 3 or 3.2, or all")
    opt.lang(sp, ("both", *LANGS[1:]), "both", "summary language(s) / 摘要语言")
    opt.backend(sp, "the summary")
