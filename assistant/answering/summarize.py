"""Bilingual summaries of a section or of the whole review, built like a broad answer: from the
review's own key sentences, one point per sentence, each with its marker.

A model's map-reduce summary took minutes, opened with whatever the reduce step put first, cut
sentences and merged two claims into one. Here nothing is written that the review does not say:

- the whole review opens with the abstract's main findings, then covers every part in order, with
  its key sentences (the most central of its paragraphs, at most one per paragraph);
- a section gives one point per paragraph: its most central sentence;
- the English summary is the Chinese one rendered point by point (glossary terms), each rendering
  shown only when the verifier certifies it against its sentence, else the sentence quoted.

Chinese needs no model, so it is instant; English costs one gloss per point, cached. The result is
cached on disk by (section, model, prompts, corpus).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from assistant.answering.chain import Assistant
from assistant.answering.compose import point_text
from assistant.answering.grounding import AUTHOR_YEAR
from assistant.answering.results import POINT
from assistant.corpus.document import Document, in_section
from assistant.errors import UserError
from assistant.indexing.chunking import Sentence
from assistant.log import log
from assistant.text import shown

PER_PART = 3  # key sentences per part in the whole-review summary
HEADS = {"zh": "{t}:", "en": "{t}: "}
LEAD = {
    "zh": "综述的要点(按原文顺序,每点注明出处):",
    "en": "The review's key points, in its own order, each with its source:",
}


def section_ids(a: Assistant) -> list[str]:
    return [s.id for s in a.index.doc.sections]


def check_section(doc: Document, section: object) -> str:
    """`section` if it is "all" or a section of `doc`, else a one-line error (the CLI asks before
    any model loads)."""
    ids = [s.id for s in doc.sections]
    if section == "all" or (isinstance(section, str) and section in ids):
        return section
    raise UserError(
        f"没有编号为 {shown(section, 40)} 的章节(可选:all、{'、'.join(ids)})。",
        f"No section '{shown(section, 40)}' (choose all, {', '.join(ids)}).",
    )


def _paragraphs(a: Assistant, section: str) -> list:
    doc = a.index.doc
    if check_section(doc, section) == "all":
        return [p for s in doc.sections for p in s.paragraphs]
    return [p for s in doc.sections if s.within(section) for p in s.paragraphs]


def key_sentences(a: Assistant, paragraphs: list, limit: int | None = None) -> list[Sentence]:
    """Per paragraph its sentence closest to the group's centre; with `limit`, the most central of
    those; in the review's order."""
    g = a.grounder
    per: list[tuple[float, int, Sentence]] = []
    vecs = [g.unit_vectors(p.id) for p in paragraphs]
    units_all = [v for units, v in vecs if units]
    if not units_all:
        return []
    centre = np.vstack(units_all).mean(axis=0)
    for i, (units, v) in enumerate(vecs):
        if not units:
            continue
        scores = v @ centre
        j = int(np.argmax(scores))
        per.append((float(scores[j]), i, units[j]))
    if limit is not None:
        per = sorted(per, key=lambda t: -t[0])[:limit]
    return [u for _, _, u in sorted(per, key=lambda t: t[1])]


def plan(a: Assistant, section: str) -> list[tuple[str, str, list[Sentence]]]:
    """(group title, group id, key sentences) in the review's order."""
    doc = a.index.doc
    if section != "all":
        return [(doc.section(section).title, section, key_sentences(a, _paragraphs(a, section)))]
    abstract = a.grounder.by_passage.get(doc.abstract.id, [])[:-1]  # its findings: all but the outlook that closes it
    groups = [("摘要", "abstract", abstract)] if abstract else []
    for s in doc.sections:
        if s.level == 1:
            ps = [p for x in doc.sections if in_section(x.id, s.id) for p in x.paragraphs]
            groups.append((s.title, s.id, key_sentences(a, ps, PER_PART)))
    return groups


def _cache_key(a: Assistant, section: str) -> str:
    from assistant.answering.prompts import PROMPTS_DIR

    prompts = "".join((PROMPTS_DIR / f"gloss.{lg}.txt").read_text(encoding="utf-8") for lg in ("zh", "en"))
    corpus = hashlib.sha256(a.index.doc.source.encode()).hexdigest()  # stable across processes
    raw = f"{section}|{a.backend.name}|{a.backend.model}|{prompts}|{corpus}|composed-2"
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


_INLINE_ITEM = re.compile(r"[;；,，:：]?\s*[(（]\d[)）]")


def points_of(u: Sentence) -> list[str]:
    """A sentence as points: itself, or, when it enumerates inline ("主要观点体现为:(1)…;(2)…;(3)…"),
    its lead and each item (the abstract's findings are one sentence)."""
    parts = _INLINE_ITEM.split(u.text)
    if len(parts) < 3:
        return [u.text]
    return [x.strip(" ;；,，。") + "。" for x in parts if x.strip(" ;；,，。")]


def _own(u: Sentence) -> str:
    """The sentence as a point: its author–year parentheses left to the marker, the abstract's label off
    (the group heading names it)."""
    return AUTHOR_YEAR.sub("", u.text).strip().removeprefix("摘要:").removeprefix("摘要：").strip()


def summarize(
    a: Assistant,
    section: str = "all",
    langs: tuple[str, ...] = ("zh", "en"),
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """{"section", "title", "zh", "en", "citations", "points"}; cached per section, model and prompts."""
    from assistant.serialize import passage_json

    section = section or "all"
    _paragraphs(a, section)  # an unknown section is refused before anything else
    title = a.index.doc.title if section == "all" else a.index.doc.section(section).title
    path = a.settings.cache_dir / "llm-cache" / f"summary-{_cache_key(a, section)}.json"
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        if all(cached.get(lg) for lg in langs):
            return {**cached, "cached": True}
    except (OSError, ValueError):
        pass
    say = progress or log.info
    groups = plan(a, section)
    n_points = sum(len(us) for *_, us in groups)
    glossing = "en" in langs and a.settings.glosses and a.glosser.available
    if glossing:
        say(
            f"英文摘要:逐点翻译并核对(约 {n_points} 个要点)/ English summary: rendering and checking ~{n_points} points"
        )
    doc_by_id = a.index.doc.by_id()
    citations: list[dict[str, Any]] = []
    lines: dict[str, list[str]] = {lg: [] for lg in langs}
    for gtitle, gid, units in groups:
        head = {"zh": gtitle, "en": "Abstract" if gid == "abstract" else f"Part {gid}"}
        for k, (u, point) in enumerate((s, x) for s in units for x in points_of(s)):
            marker = len(citations) + 1
            zh = _own(replace(u, text=point))
            en_text, en = point_text(a, zh, "en") if "en" in langs else ("", "")
            if glossing:
                say(f"英文 / English {marker}")
            text = {"zh": zh, "en": en_text}
            for lg in langs:
                label = HEADS[lg].format(t=head[lg]) if k == 0 and section == "all" else ""
                sep = " " if lg == "en" else ""
                lines[lg].append(f"{label}{text[lg].rstrip('。.;；,，')}{sep}[{marker}]{'。' if lg == 'zh' else '.'}")
            at = u.start + max(0, u.text.find(point.rstrip("。")))
            quote = {"text": point, "start": at, "end": at + len(point), "references": list(u.refs)}
            if en:
                quote |= {"gloss": en, "gloss_machine_translation": True}
            passage = passage_json(doc_by_id[u.passage_id], a.index.doc)
            citations.append({"marker": marker, "passage": passage, "quotes": [quote]})
    out: dict[str, Any] = {"section": section, "title": title}
    for lg in langs:
        out[lg] = LEAD[lg] + "".join(POINT + line for line in lines[lg]) if lines[lg] else ""
    out["citations"] = citations
    out["backend"], out["model"] = a.backend.name, a.backend.model
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return {**out, "cached": False}
