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
from pathlib import Path
from typing import Any

from assistant.errors import UserError

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


def _emit(obj: Any, as_json: bool, text: Callable[[], str]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(text() + "\n")
    sys.stdout.flush()


def _settings(args: argparse.Namespace):
    from assistant.settings import Settings

    return Settings.from_env(k=getattr(args, "k", None))


# ---------------------------------------------------------------------------- commands
def cmd_index(args: argparse.Namespace) -> int:
    from assistant.indexing.build import ensure_index

    idx = ensure_index(_settings(args), rebuild=args.rebuild)
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

    _emit(rep, args.json, text)
    return 0


def _retriever(args: argparse.Namespace):
    """Hybrid retrieval; with an LLM available, English queries are also searched in Chinese."""
    from assistant.indexing.build import ensure_index
    from assistant.retrieval.hybrid import HybridRetriever

    s = _settings(args)
    backend = getattr(args, "backend", None) or s.llm_backend
    if getattr(args, "no_translate", False) or not s.translate_queries:
        return HybridRetriever(ensure_index(s))
    if backend == "extractive":  # no LLM: English queries also search the curated glossary's terms
        from assistant.retrieval.translate import curated_rewriter

        return HybridRetriever(ensure_index(s), rewriter=curated_rewriter(s))
    from assistant.answering.chain import Assistant

    return Assistant(s, backend=backend).retriever


def _retrieve_obj(r, query: str, k: int) -> dict[str, Any]:
    from assistant.errors import check_query
    from assistant.serialize import retrieve_json

    query = check_query(query)  # escape sequences and control characters removed before echoing
    return retrieve_json(query, r.search(query, k), r.index.doc)


def _retrieve_text(obj: dict[str, Any]) -> str:
    lines = [f"问题 / query: {obj['query']}"]
    for i, p in enumerate(obj["passages"], 1):
        lines.append(f"\n[{i}] {p['section']}  ({p['id']}, score {p['score']:.4f}, chars {p['start']}–{p['end']})")
        lines.append("    " + p["text"])
        for r in p["references"]:
            lines.append(f"    ↳ [{r['n']}] {r['entry']}")
    return "\n".join(lines)


def cmd_retrieve(args: argparse.Namespace) -> int:
    from assistant.errors import check_query

    if args.batch:
        from assistant.cli.answer import run_batch
        from assistant.serialize import retrieve_json

        def make() -> Any:
            r = _retriever(args)
            return lambda q: _retrieve_obj(r, q, args.k)

        return run_batch(args.batch, "q", make, lambda q: retrieve_json(q or "", [], None))
    if args.query is None:
        raise UserError("请提供问题,或使用 --batch FILE。", "Give a query, or use --batch FILE.")
    check_query(args.query)  # fail fast, before loading any model
    r = _retriever(args)
    obj = _retrieve_obj(r, args.query, args.k)
    _emit(obj, args.json, lambda: _retrieve_text(obj))
    return 0


def cmd_refs(args: argparse.Namespace) -> int:
    from assistant.indexing.build import load_document
    from assistant.serialize import refs_json

    if args.n is not None:
        from assistant.cli.research import cmd_dossier

        return cmd_dossier(args)
    doc = load_document(_settings(args))
    if args.unresolved:
        for p, c in doc.unresolved:
            _emit(
                {"cite": c.text, "passage": p.id, "year": c.year, "author": c.author},
                args.json,
                lambda c=c, p=p: f"{c.text}    ({p.id})",
            )
        if not args.json:
            print(f"未解析 / unresolved: {len(doc.unresolved)}", file=sys.stderr)
        return 0
    refs = doc.references
    if args.sort == "cited":  # most cited first
        from assistant.research.dossier import by_citations

        refs = [doc.reference(n) for n, _ in by_citations(doc)]
    for r in refs:
        obj = refs_json(r)
        _emit(
            obj,
            args.json,
            lambda obj=obj: (
                f"[{obj['n']}] {obj['entry']}\n"
                f"     文中 cited as: {'; '.join(obj['cited_as']) or '—'}\n"
                f"     段落 passages: {', '.join(obj['passages']) or '—'}"
            ),
        )
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from assistant.corpus.citations import resolve_text
    from assistant.evaluation import citelink_metrics, kind_of, read_jsonl, retrieval_metrics
    from assistant.indexing.build import load_document

    if args.file.endswith(".json"):  # a draft gold file: check the draft it names
        from assistant.cli.research import draft_eval

        return draft_eval(args)
    rows = read_jsonl(Path(args.file))
    kind = kind_of(rows)
    if kind == "retrieval":
        r = _retriever(args)
        res = retrieval_metrics(rows, lambda q, lang: [h.passage.text for h in r.search(q, args.k, lang)], args.k)
    elif kind == "citelinks":
        doc = load_document(_settings(args))
        res = citelink_metrics(rows, lambda c: resolve_text(c, doc))
    elif kind == "answers":
        from assistant.cli.answer import answers_metrics

        res = answers_metrics(args, rows)
    elif kind == "verdicts":
        from assistant.cli.answer import verdict_metrics

        res = verdict_metrics(args, rows)
    elif kind == "dev_answers":
        from assistant.cli.answer import dev_answer_metrics

        res = dev_answer_metrics(args, rows)
    else:
        from assistant.cli.answer import claims_metrics

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
                f"contradicted: {res['false_contradicted']}"
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

    _emit(res, args.json, text)
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
    sp.add_argument("--k", type=int, default=None, help="passages to return (default REVIEWQA_K, 5)")
    sp.add_argument("--batch", metavar="FILE.jsonl", help="one query per line in field 'q'")
    sp.add_argument("--no-translate", action="store_true", help="no LLM translation of English queries")
    sp.add_argument("--backend", choices=["local", "openai", "extractive"], help="LLM used for translation")
    sp = add("refs", "the reference list, or one reference's dossier / 参考文献及单篇文献档案", cmd_refs)
    sp.add_argument("n", nargs="?", type=int, help="a reference number: its dossier / 文献编号")
    sp.add_argument("--unresolved", action="store_true", help="in-text citations not linked / 未链接的引用")
    sp.add_argument("--sort", choices=["list", "cited"], default="list", help="cited: most cited first")
    sp.add_argument("--lang", choices=["auto", "zh", "en"], default="auto")
    sp.add_argument("--backend", choices=["local", "openai", "extractive"], help="LLM for the use lines")
    sp = add("config", "every setting, its value, source and help / 全部设置及其说明", cmd_config)
    sp.add_argument("--markdown", action="store_true", help="the README's settings table / README 设置表")
    sp = add("eval", "metrics on an eval set (shared/eval format) / 评测", cmd_eval)
    sp.add_argument("file", help="JSONL eval set")
    sp.add_argument("--k", type=int, default=None)
    sp.add_argument("--no-translate", action="store_true", help="no LLM translation of English queries")
    sp.add_argument("--backend", choices=["local", "openai", "extractive"])
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
        from assistant.settings import Settings

        settings = Settings.from_env()  # every setting validated at start-up, named when wrong
        if hasattr(args, "k") and args.k is None:
            args.k = settings.k
        return args.fn(args)
    except UserError as e:
        lang = _lang_hint(args)
        prefix = {"zh": "错误:", "en": "error: "}.get(lang or "", "错误 / error: ")
        print(prefix + e.message(lang), file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # last resort: one line, traceback only on request
        if os.environ.get("REVIEWQA_DEBUG"):
            raise
        msg = str(e).splitlines()[0][:300] if str(e) else ""
        print(f"内部错误 / internal error: {type(e).__name__}: {msg} (REVIEWQA_DEBUG=1 for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
