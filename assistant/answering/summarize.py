"""Bilingual summaries of a section or of the whole review (map over sections, then reduce).

Each paragraph is represented by its most central sentences (closest to the section's mean
vector), numbered globally so markers survive the reduce step; every summary sentence is then
checked against the paragraphs it cites, like an answer. The English summary is the checked Chinese
one rendered sentence by sentence (glossary terms, no Chinese left) and checked again, so the two
languages say the same things. Results are cached on disk by
(section, model, prompt, corpus), so a repeat is instant.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import numpy as np

from assistant.answering.chain import Assistant
from assistant.answering.grounding import REFUSAL, CheckedSentence, ContextPassage, render, within_budget
from assistant.answering.prompts import PROMPTS_DIR, chat_prompt
from assistant.corpus.document import in_section
from assistant.errors import UserError
from assistant.log import log
from assistant.retrieval.hybrid import Hit
from assistant.text import detect_lang

PER_PARAGRAPH_CHARS = 150
PER_SECTION_CHARS = 600


def section_ids(a: Assistant) -> list[str]:
    return [s.id for s in a.index.doc.sections]


def _paragraphs(a: Assistant, section: str):
    doc = a.index.doc
    if section == "all":
        return [p for s in doc.sections for p in s.paragraphs]
    try:
        doc.section(section)
    except KeyError:
        raise UserError(
            f"没有编号为 {section} 的章节(可选:all、{'、'.join(section_ids(a))})。",
            f"No section {section!r} (choose all, {', '.join(section_ids(a))}).",
        ) from None
    return [p for s in doc.sections if s.within(section) for p in s.paragraphs]


def _central(a: Assistant, paragraphs: list, budget: int) -> list[tuple[Any, str, list]]:
    """For each paragraph, its sentences closest to the group's centre, within a character budget."""
    out = []
    vecs_all = [a.grounder.unit_vectors(p.id) for p in paragraphs]
    stacked = np.vstack([v for _, v in vecs_all]) if vecs_all else np.zeros((0, 1))
    centre = stacked.mean(axis=0) if len(stacked) else None
    for p, (units, vecs) in zip(paragraphs, vecs_all):
        if not units or centre is None:
            out.append((p, p.text[:budget], []))
            continue
        keep = within_budget(units, vecs @ centre, budget)
        out.append((p, "".join(u.text for u in keep), keep))
    return out


def _cache_key(a: Assistant, section: str) -> str:
    prompts = "".join(
        (PROMPTS_DIR / f"{n}.txt").read_text(encoding="utf-8")
        for n in ("summarize_map.zh", "summarize_reduce.zh", "gloss.en")
    )
    corpus = hashlib.sha256(a.index.doc.source.encode()).hexdigest()  # stable across processes
    raw = f"{section}|{a.backend.name}|{a.backend.model}|{prompts}|{corpus}|3"
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def summarize(
    a: Assistant,
    section: str = "all",
    langs: tuple[str, ...] = ("zh", "en"),
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """{"section", "title", "zh", "en", "citations"}; cached per section, backend model and prompts."""
    from assistant.serialize import passage_json

    section = section or "all"
    paragraphs = _paragraphs(a, section)
    title = a.index.doc.title if section == "all" else a.index.doc.section(section).title
    path = a.settings.cache_dir / "llm-cache" / f"summary-{_cache_key(a, section)}.json"
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        if all(cached.get(lg) for lg in langs):
            return {**cached, "cached": True}
    except (OSError, ValueError):
        pass
    say = progress or log.info
    # global numbering: [1]..[n] over all paragraphs involved
    groups: list[tuple[str, list]] = []
    if section == "all":
        for s in a.index.doc.sections:
            if s.level == 1:
                ps = [p for p in paragraphs if in_section(p.section_id, s.id)]
                groups.append((s.title, ps))
    else:
        groups.append((title, paragraphs))
    ctx: list[ContextPassage] = []
    numbered: list[tuple[str, list[ContextPassage]]] = []
    for gtitle, ps in groups:
        budget = PER_PARAGRAPH_CHARS if section != "all" else max(60, PER_SECTION_CHARS // max(1, len(ps)))
        items = []
        for p, text, units in _central(a, ps, budget):
            cp = ContextPassage(len(ctx) + 1, Hit(p, 0.0, 0.0, a.index.chunks[0]), text, units)
            ctx.append(cp)
            items.append(cp)
        numbered.append((gtitle, items))
    out: dict[str, Any] = {"section": section, "title": title}
    used: dict[int, ContextPassage] = {}
    done: dict[str, list[CheckedSentence]] = {}
    if a.backend.chat is not None:
        # the English summary is the checked Chinese one rendered sentence by sentence, so the two say
        # the same things at the same length; a sentence whose rendering fails its check goes from both
        zh = _dedupe(_summarize_zh(a, numbered, ctx, title, say))
        if "en" in langs:
            say("英文摘要:逐句翻译并核对 / English summary: rendering and checking each sentence")
            pairs = _render_english(a, zh, ctx)
            done = {"zh": [z for z, _ in pairs], "en": [e for _, e in pairs]}
        else:
            done = {"zh": zh}
    else:
        done = {lang: _extractive(a, lang, ctx) for lang in langs}
    for lang in sorted(langs, key=lambda lg: lg != "zh"):
        checked = done[lang]
        for c in checked:
            for m in c.markers:
                used[m] = ctx[m - 1]
        out[lang] = render(checked, lang) if checked else REFUSAL[lang]
    out["citations"] = [
        {"marker": m, "passage": passage_json(cp.passage, a.index.doc)} for m, cp in sorted(used.items())
    ]
    out["backend"], out["model"] = a.backend.name, a.backend.model
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return {**out, "cached": False}


def _summarize_zh(
    a: Assistant, numbered: list, ctx: list[ContextPassage], title: str, say: Callable[[str], None]
) -> list[CheckedSentence]:
    """Map over the groups, reduce, then check every sentence against the passages it cites."""
    partial: list[str] = []
    for i, (gtitle, items) in enumerate(numbered, 1):
        say(f"摘要 / summary {i}/{len(numbered)}: {gtitle}")
        passages = "\n".join(f"[{c.marker}] {c.text}" for c in items)
        partial.append(_invoke(a, "summarize_map", {"section": gtitle, "passages": passages}))
    if len(partial) == 1:
        final = partial[0]
    else:
        say("合并 / reduce")
        final = _invoke(a, "summarize_reduce", {"title": title, "summaries": "\n\n".join(partial)})
    kept, _ = a.grounder.check(final, ctx)
    return [k for k in kept if detect_lang(k.text) == "zh"]


def _dedupe(checked: list[CheckedSentence]) -> list[CheckedSentence]:
    """A point made twice (a small model's reduce step repeats itself) is kept once."""
    from difflib import SequenceMatcher

    out: list[CheckedSentence] = []
    for c in checked:
        if not any(SequenceMatcher(None, c.text, o.text).ratio() > 0.7 for o in out):
            out.append(c)
    return out


def _render_english(
    a: Assistant,
    zh: list[CheckedSentence],
    ctx: list[ContextPassage],
) -> list[tuple[CheckedSentence, CheckedSentence]]:
    """Each checked Chinese sentence in English (glossary terms, no Chinese left), checked against the
    passages the Chinese one cites, like an answer sentence; pairs whose English fails are dropped."""
    by_marker = {c.marker: c for c in ctx}
    pairs = []
    for z in zh:
        en = a.glosser.gloss(z.text, "en")
        if not en or detect_lang(en) != "en":
            continue
        own = [by_marker[m] for m in z.markers if m in by_marker] or ctx
        kept, _ = a.grounder.check(en + "".join(f"[{c.marker}]" for c in own), own)
        if kept:
            pairs.append((z, CheckedSentence(kept[0].text, z.markers, kept[0].support, evidence=z.evidence)))
    return pairs


def _invoke(a: Assistant, name: str, values: dict[str, str]) -> str:
    """One LLM call; if the reply is not in Chinese, ask once more, explicitly."""
    chain = chat_prompt(name, "zh") | a.backend.chat
    text = str(chain.invoke(values).content).strip()
    if detect_lang(text) != "zh":  # one retry, with the instruction repeated next to the data
        key = "passages" if "passages" in values else "summaries"
        text = str(chain.invoke({**values, key: values[key] + "\n\n(只用中文。)"}).content).strip()
    return text


def _extractive(a: Assistant, lang: str, ctx: list[ContextPassage]) -> list[CheckedSentence]:
    """No LLM: the most central sentences (Chinese); English only where the review has English text."""
    if lang == "en":
        units = a.grounder.by_passage.get("abstract.en", [])
        return [CheckedSentence(u.text, [], 1.0) for u in units[1:5]] if len(ctx) > 8 else []
    out = []
    for c in ctx:
        if c.units:
            out.append(CheckedSentence(c.units[0].text, [c.marker], 1.0))
    return out[:6]
