"""`reviewqa` command line. Imports stay lazy so `reviewqa --help` is instant (no torch).

JSON goes to stdout (one object per line); progress and logs go to stderr. Exit 0 on success,
2 on bad input with a one-line message in the user's language.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from assistant.cli.options import emit, retriever_for
from assistant.errors import NO_SPACE, DiskFull, UserError

HELP = """reviewqa — 问答助手:《人工智能与区域经济:研究进展、启示与展望》
Question answering over the review "AI and Regional Economy" (区域经济评论 2026(2)).

examples / 示例:
  reviewqa ask "人工智能如何影响产业布局?"    grounded answer with sources / 有据可查的回答
  reviewqa ask "What is the intelligence divide?" --json
  reviewqa cite "Digital infrastructure strengthens rural supply chains." --format bibtex
  reviewqa summarize --section 3.1 --lang both
  reviewqa index                         build or refresh the index / 构建索引
  reviewqa retrieve "智能鸿沟是什么?"       passages for a question / 检索段落
  reviewqa refs --unresolved              citations that could not be linked / 未能链接的引用
  reviewqa refs --format ris --refs 3,16,20-25 > refs.ris   export references / 导出参考文献
  reviewqa eval tests/data/dev_retrieval.jsonl --k 5
"""


def _quiet_env() -> None:
    """Offline-safe defaults: no telemetry, no hub look-ups for the bundled model."""
    for k, v in {
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "TOKENIZERS_PARALLELISM": "false",
        "TRANSFORMERS_VERBOSITY": "error",
        "LANGSMITH_TRACING": "false",
    }.items():
        os.environ.setdefault(k, v)
    if not os.environ.get("REVIEWQA_EMBED_MODEL"):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")


# ---------------------------------------------------------------------------- commands
def cmd_index(args: argparse.Namespace) -> int:
    from assistant.indexing.build import ensure_index

    idx = ensure_index(args.settings, rebuild=args.rebuild)
    rep = idx.report()

    def text() -> str:
        state = "已重建 / rebuilt" if rep["rebuilt"] else "已是最新 / up to date"
        return (
            f"索引 / index: {state} ({rep['seconds']} s)\n"
            f"  章节 sections: {rep['sections']}   段落 paragraphs: {rep['paragraphs']}   "
            f"参考文献 references: {rep['references']}\n"
            f"  引用 citations: {rep['citations']} (已链接 linked {rep['citations_linked']}, "
            f"未解析 unresolved {rep['unresolved']})\n"
            f"  块 chunks: {rep['chunks']} (zh {rep['chunks_zh']}, en {rep['chunks_en']})   句子 sentences: {rep['sentences']}   "
            f"模型 model: {rep['model']}\n  存储 store: {rep['store']}"
        )

    emit(rep, args.json, text)
    return 0


def _retrieve_obj(r, query: str, k: int) -> dict[str, Any]:
    from assistant.errors import check_query
    from assistant.serialize import retrieve_json

    query = check_query(query)  # escape sequences and control characters removed before echoing
    return retrieve_json(query, r.search(query, k), r.index.doc)


def _retrieve_text(obj: dict[str, Any]) -> str:
    from assistant.corpus.bibformat import plain

    lines = [f"问题 / query: {obj['query']}"]
    for i, p in enumerate(obj["passages"], 1):
        lines.append(f"\n[{i}] {p['section']}  ({p['id']}, score {p['score']:.4f}, chars {p['start']}–{p['end']})")
        lines.append("    " + p["text"])
        for r in p["references"]:
            lines.append(f"    ↳ [{r['n']}] {plain(r['entry'])}")
    return "\n".join(lines)


def cmd_retrieve(args: argparse.Namespace) -> int:
    from assistant.errors import check_query

    if args.batch:
        from assistant.cli.answer import run_batch
        from assistant.serialize import retrieve_json

        def make() -> Any:
            r = retriever_for(args)
            return lambda q: _retrieve_obj(r, q, args.k)

        return run_batch(args.batch, "q", make, lambda q: retrieve_json(q or "", [], None))
    if args.query is None:
        raise UserError("请提供问题,或使用 --batch FILE。", "Give a query, or use --batch FILE.")
    check_query(args.query)  # fail fast, before loading any model
    r = retriever_for(args)
    obj = _retrieve_obj(r, args.query, args.k)
    emit(obj, args.json, lambda: _retrieve_text(obj))
    return 0


def cmd_refs(args: argparse.Namespace) -> int:
    from assistant.indexing.build import load_document
    from assistant.serialize import refs_json

    if args.format != "text":
        return _export_refs(args)
    if args.n is not None:
        from assistant.cli.research import cmd_dossier

        return cmd_dossier(args)
    doc = load_document(args.settings)
    if args.unresolved:
        for p, c in doc.unresolved:
            emit(
                {"cite": c.text, "passage": p.id, "year": c.year, "author": c.author},
                args.json,
                lambda c=c, p=p: f"{c.text}    ({p.id})",
            )
        if not args.json:
            print(f"未解析 / unresolved: {len(doc.unresolved)}", file=sys.stderr)
        return 0
    from assistant.corpus.exports import select

    refs = select(doc, args.refs)  # all of them without --refs
    if args.sort == "cited":  # most cited first
        from assistant.research.dossier import by_citations

        chosen = {r.n for r in refs}
        refs = [doc.reference(n) for n, _ in by_citations(doc) if n in chosen]
    from assistant.corpus.bibformat import plain

    for r in refs:
        obj = refs_json(r)
        emit(
            obj,
            args.json,
            lambda obj=obj: (
                f"[{obj['n']}] {plain(obj['entry'])}\n"
                f"     文中 cited as: {'; '.join(obj['cited_as']) or '—'}\n"
                f"     段落 passages: {', '.join(obj['passages']) or '—'}"
            ),
        )
    return 0


def _export_refs(args: argparse.Namespace) -> int:
    """`refs --format ris|csljson|bibtex|gbt7714|gbt7714-ay [--refs 3,16,20-25]`: the file on stdout."""
    from assistant.corpus.exports import export, select
    from assistant.indexing.build import load_document

    doc = load_document(args.settings)
    if args.n is not None and args.refs:
        raise UserError("请给出文献编号或 --refs,不要同时给出。", "Give a reference number or --refs, not both.")
    refs = select(doc, str(args.n) if args.n is not None else args.refs)
    sys.stdout.write(export(args.format, refs, doc.references, args.bibtex_note).rstrip("\n") + "\n")
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    """Every setting with its value, where it came from and its help (secrets masked)."""
    from assistant.settings import Settings, display_value

    rows = Settings.from_env().describe()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    elif args.markdown:
        print(settings_table(rows))
    else:
        width = max(len(r["variable"]) for r in rows)
        for r in rows:
            src = "" if r["source"] == "default" else f"  [{r['source']}]"
            print(
                f"{r['variable']:<{width}}  {display_value(r['value']) or '(empty)'}{src}\n{'':<{width}}  {r['help']}"
            )
    return 0


def settings_table(rows: list[dict[str, str]]) -> str:
    """The README's settings table, generated from the fields' help (kept in step by a test)."""
    from assistant.settings import display_value

    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for r in rows:
        default = display_value(r["default"])
        lines.append(
            f"| `{r['variable']}` | {f'`{default}`' if default else 'empty'} | {r['help'].replace('|', '/')} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    from assistant.cli import options as opt
    from assistant.cli.evaluate import cmd_eval

    p = argparse.ArgumentParser(prog="reviewqa", description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, helptext: str, fn: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=helptext, description=helptext)
        sp.add_argument("--json", action="store_true", help="JSON lines on stdout / 输出 JSON")
        sp.set_defaults(fn=fn)
        return sp

    sp = add("index", "parse, chunk, embed and store the review / 构建索引", cmd_index)
    sp.add_argument("--rebuild", action="store_true", help="rebuild even if up to date / 强制重建")
    sp = add("retrieve", "hybrid retrieval, no LLM / 混合检索(不用大模型)", cmd_retrieve)
    sp.add_argument("query", nargs="?", help="question or keywords / 问题")
    opt.k(sp)
    opt.batch(sp, "q", "query")
    opt.no_translate(sp)
    opt.backend(sp, "query translation")
    sp = add("refs", "the reference list, or one reference's dossier / 参考文献及单篇文献档案", cmd_refs)
    sp.add_argument("n", nargs="?", type=int, help="a reference number: its dossier / 文献编号")
    sp.add_argument("--unresolved", action="store_true", help="in-text citations not linked / 未链接的引用")
    sp.add_argument("--sort", choices=["list", "cited"], default="list", help="cited: most cited first")
    from assistant.cli.research import refs_export_options

    refs_export_options(sp)
    opt.lang(sp)
    opt.backend(sp, "the use lines")
    sp = add("config", "every setting, its value, source and help / 全部设置及其说明", cmd_config)
    sp.add_argument("--markdown", action="store_true", help="the README's settings table / README 设置表")
    sp = add("eval", "metrics on an eval set or a draft gold file / 评测", cmd_eval)
    sp.add_argument("file", help="JSONL eval set")
    opt.k(sp)
    opt.no_translate(sp)
    opt.backend(sp)
    from assistant.cli.answer import add_commands
    from assistant.cli.research import add_commands as add_draft_commands

    add_commands(sub, add)
    add_draft_commands(add)
    return p


def _lang_hint(args: argparse.Namespace) -> str | None:
    from assistant.text import detect_lang

    q = getattr(args, "query", None) or getattr(args, "question", None) or getattr(args, "claim", None)
    if isinstance(q, str) and q.strip():
        return detect_lang(q)
    lang = os.environ.get("REVIEWQA_LANG", "auto")
    return lang if lang in ("zh", "en") else None


def _user_error(e: UserError, args: argparse.Namespace) -> int:
    """One line on stderr in the user's language (both when unknown); the error's exit code."""
    from assistant.text import shown

    lang = _lang_hint(args)
    prefix = {"zh": "错误:", "en": "error: "}.get(lang or "", "错误 / error: ")
    print(prefix + shown(e.message(lang), None), file=sys.stderr)  # whatever it echoes, one clean line
    return e.exit_code


def main(argv: list[str] | None = None) -> int:
    _quiet_env()
    from assistant.log import configure

    configure()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "fn", None):
        parser.print_help()
        return 0
    if getattr(args, "k", 1) is not None and getattr(args, "k", 1) < 1:
        print("错误:--k 必须 ≥ 1 / error: --k must be at least 1", file=sys.stderr)
        return 2
    try:
        from assistant.cli.options import settings_for

        args.settings = settings_for(args)  # every setting validated at start-up, named when wrong
        if hasattr(args, "k") and args.k is None:
            args.k = args.settings.k
        return args.fn(args)
    except UserError as e:
        return _user_error(e, args)
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # last resort: one line, traceback only on request
        if isinstance(e, OSError) and e.errno in NO_SPACE:  # a full disk wherever we wrote: the user's to fix
            return _user_error(DiskFull(e.filename or os.getcwd()), args)
        if os.environ.get("REVIEWQA_DEBUG"):
            raise
        from assistant.text import shown

        msg = shown(str(e).splitlines()[0], 300) if str(e) else ""
        print(f"内部错误 / internal error: {type(e).__name__}: {msg} (REVIEWQA_DEBUG=1 for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
