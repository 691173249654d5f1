"""Parse the PDF-extracted review text into the document model.

The text is a sequence of lines. Page breaks split paragraphs mid-sentence (a paragraph that does
not end in terminal punctuation continues in the next line) and split reference [32] with a
`- ` list prefix; both are repaired here while keeping source offsets exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assistant.corpus.document import Document, Lang, Paragraph, Reference, Section
from assistant.errors import CorpusError
from assistant.text import CJK, CJK_CHARS, detect_lang

CN_NUMERALS = "一二三四五六七八九十"
TERMINAL = tuple("。！？!?”’」』）)…")
TOP_HEADING = re.compile(r"^([一二三四五六七八九十]+)、\s*(\S.{0,40})$")
SUB_HEADING = re.compile(rf"^(\d{{1,2}})\.\s*([{CJK_CHARS}][^。，,;；]{{0,30}})$")
REF_START = re.compile(r"^\[(\d+)\]\s*")
REF_TYPE = re.compile(r"\[(?:J|M|D|C|N|R|EB/OL|Z)\]")
YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")


@dataclass
class Line:
    start: int
    end: int
    text: str


MAX_CORPUS_BYTES = 5_000_000  # the review is 52 KB


def read_corpus(path: Path) -> str:
    """Read the corpus, turning every failure into a one-line CorpusError (a FIFO or a device is
    refused before it is opened, so nothing hangs)."""
    try:
        if path.exists() and not path.is_file():
            raise CorpusError(f"语料路径不是普通文件:{path}", f"The corpus path is not a regular file: {path}")
        if path.exists() and path.stat().st_size > MAX_CORPUS_BYTES:
            raise CorpusError(
                f"语料文件过大(上限 {MAX_CORPUS_BYTES // 1_000_000} MB):{path}",
                f"The corpus file is too large (limit {MAX_CORPUS_BYTES // 1_000_000} MB): {path}",
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"找不到语料文件:{path}", f"Corpus file not found: {path}") from None
    except OSError as e:
        raise CorpusError(
            f"无法读取语料文件 {path}:{e.strerror}", f"Cannot read corpus file {path}: {e.strerror}"
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CorpusError(f"语料文件不是 UTF-8 文本:{path}", f"Corpus file is not UTF-8 text: {path}") from None


def lines_of(source: str) -> list[Line]:
    """Non-empty lines with exact offsets, surrounding whitespace trimmed."""
    out = []
    for m in re.finditer(r"[^\n]+", source):
        raw = m.group(0)
        lead = len(raw) - len(raw.lstrip())
        text = raw.strip()
        if text:
            s = m.start() + lead
            out.append(Line(s, s + len(text), text))
    return out


def lang_of(text: str) -> Lang:
    return "zh" if detect_lang(text) == "zh" else "en"


def _strip_stars(s: str) -> str:
    return s.replace("*", "").strip()


def _para(pid: str, kind: str, section: str, section_id: str, line: Line, skip: int = 0) -> Paragraph:
    """A paragraph from one line, optionally skipping a prefix of `skip` characters."""
    text = line.text[skip:].lstrip()
    s = line.end - len(text)
    return Paragraph(pid, kind, lang_of(text), section, section_id, text, [(s, line.end)])  # type: ignore[arg-type]


def _extend(p: Paragraph, line: Line, skip: int = 0) -> None:
    """Append a continuation line (page-break repair), skipping a `- ` style prefix."""
    text = line.text[skip:].lstrip()
    p.text += text
    p.pieces.append((line.end - len(text), line.end))


def _incomplete(p: Paragraph) -> bool:
    return not p.text.endswith(TERMINAL)


def parse(source: str) -> Document:
    """Parse the review; raise CorpusError if the text is not shaped like the review."""
    lines = lines_of(source)
    if not lines:
        raise CorpusError("语料文件为空。", "The corpus file is empty.")
    i = 0
    front: list[Paragraph] = []

    def take_front(pid: str, skip: int = 0) -> Paragraph:
        p = _para(pid, "front", "前言信息", "front", lines[i], skip)
        front.append(p)
        return p

    # ---- front matter: everything before the first top-level heading
    column = title = ""
    authors: list[str] = []
    abstract = funding = None
    keywords: list[str] = []
    metadata: dict[str, str] = {}
    notes_authors: list[Paragraph] = []
    pre_title: list[Line] = []
    while i < len(lines) and not TOP_HEADING.match(lines[i].text):
        t = lines[i].text
        if t.startswith("摘要"):
            abstract = _para("abstract.zh", "abstract", "摘要", "abstract", lines[i])
        elif t.startswith("关键词"):
            keywords = [k.strip() for k in re.split(r"[;；]", t.split(":", 1)[-1].split("：", 1)[-1]) if k.strip()]
            take_front("front.keywords")
        elif "中图分类号" in t:
            clean = _strip_stars(t)
            for key, pat in [
                ("clc", r"中图分类号[:：]\s*(\S+)"),
                ("document_code", r"文献标识码[:：]\s*(\S+)"),
                ("article_number", r"文章编号[:：]\s*(\S+)"),
                ("received", r"收稿日期[:：]\s*(\S+)"),
            ]:
                m = re.search(pat, clean)
                if m:
                    metadata[key] = m.group(1)
            take_front("front.metadata")
        elif "基金项目" in t:
            funding = take_front("front.funding", len(t) - len(t.lstrip("*")))
        elif t.startswith("作者简介") or (notes_authors and re.match(rf"^[{CJK_CHARS}]{{2,4}}[,，](男|女)", t)):
            notes_authors.append(take_front(f"front.author_note.{len(notes_authors) + 1}"))
        else:
            pre_title.append(lines[i])
        i += 1
    for ln in pre_title:  # column label, title, author line, in that order
        if ln.text.startswith("【"):
            column = ln.text.strip("【】")
            front.append(_para("front.column", "front", "前言信息", "front", ln))
        elif not title:
            title = ln.text.rstrip("*").strip()
            front.append(_para("front.title", "front", "前言信息", "front", ln))
        elif not authors:
            authors = ln.text.split()
            front.append(_para("front.authors", "front", "前言信息", "front", ln))
    if not title or abstract is None:
        raise CorpusError("语料无法解析:缺少标题或摘要。", "Corpus does not parse: title or abstract missing.")

    # ---- body: sections, subsections, paragraphs
    sections: list[Section] = []
    top: Section | None = None
    cur: Section | None = None
    counters: dict[str, int] = {}
    while i < len(lines) and lines[i].text not in ("注释", "参考文献"):
        ln = lines[i]
        m_top, m_sub = TOP_HEADING.match(ln.text), SUB_HEADING.match(ln.text)
        last = cur.paragraphs[-1] if cur and cur.paragraphs else None
        if m_top:
            top = Section(str(CN_NUMERALS.index(m_top.group(1)[0]) + 1), ln.text, 1, ln.text)
            cur = top
            sections.append(top)
        elif m_sub and top is not None and not (last and _incomplete(last)):
            sid = f"{top.id}.{m_sub.group(1)}"
            cur = Section(sid, ln.text, 2, f"{top.title} > {ln.text}")
            sections.append(cur)
        elif cur is None:
            raise CorpusError(
                "语料无法解析:正文前缺少章节标题。",
                "Corpus does not parse: body text before the first section heading.",
            )
        elif last is not None and _incomplete(last):
            _extend(last, ln)
        else:
            counters[cur.id] = counters.get(cur.id, 0) + 1
            cur.paragraphs.append(_para(f"s{cur.id}.p{counters[cur.id]}", "paragraph", cur.path, cur.id, ln))
        i += 1
    if not sections:
        raise CorpusError("语料无法解析:没有找到章节。", "Corpus does not parse: no sections found.")

    # ---- notes
    notes: list[Paragraph] = []
    if i < len(lines) and lines[i].text == "注释":
        i += 1
        while i < len(lines) and lines[i].text != "参考文献":
            notes.append(_para(f"note.{len(notes) + 1}", "note", "注释", "notes", lines[i]))
            i += 1

    # ---- references: "[n] entry" or "- [n] entry"; a "- " line without a number continues
    if i >= len(lines) or lines[i].text != "参考文献":
        raise CorpusError("语料无法解析:缺少“参考文献”。", "Corpus does not parse: no reference list.")
    i += 1
    refs: list[Reference] = []
    while i < len(lines):
        t = lines[i].text
        skip = 2 if t.startswith("- ") else 0
        m = REF_START.match(t[skip:])
        if m:
            n = int(m.group(1))
            if n != len(refs) + 1:
                raise CorpusError(
                    f"语料无法解析:参考文献编号不连续(在 [{len(refs)}] 之后出现 [{n}])。",
                    f"Corpus does not parse: references not numbered 1..N ([{n}] after [{len(refs)}]).",
                )
            p = _para(f"ref.{n}", "reference", "参考文献", "refs", lines[i], skip + m.end())
            p.ref_number = n
            refs.append(Reference(n, p.text, [], [], None, p))
        elif skip and refs:
            _extend(refs[-1].paragraph, lines[i], skip)
            refs[-1].entry = refs[-1].paragraph.text
        else:
            break
        i += 1
    if not refs:
        raise CorpusError("语料无法解析:参考文献为空。", "Corpus does not parse: the reference list is empty.")
    for r in refs:
        r.authors, r.translators, r.year = reference_names(r.entry)

    # ---- English title, authors, abstract, keywords, editor
    title_en, authors_en, keywords_en, abstract_en = "", [], [], None
    while i < len(lines):
        ln, t = lines[i], lines[i].text
        if t.startswith("Abstract"):
            abstract_en = _para("abstract.en", "abstract", "Abstract", "abstract_en", ln)
        elif t.lower().startswith("key words") or t.lower().startswith("keywords"):
            keywords_en = [k.strip() for k in t.split(":", 1)[-1].split(";") if k.strip()]
            front.append(_para("front.keywords_en", "front", "Front matter", "front", ln))
        elif t.startswith(("(", "（")) and "编辑" in t:
            metadata["editor"] = t.strip("()（）").split(":", 1)[-1].split("：", 1)[-1].strip()
            front.append(_para("front.editor", "front", "前言信息", "front", ln))
        elif not title_en:
            title_en = t
            front.append(_para("front.title_en", "front", "Front matter", "front", ln))
        elif not authors_en:
            authors_en = _english_authors(t)
            front.append(_para("front.authors_en", "front", "Front matter", "front", ln))
        i += 1
    if abstract_en is None:
        raise CorpusError("语料无法解析:缺少英文摘要。", "Corpus does not parse: no English abstract.")
    if funding is None:
        funding = Paragraph("front.funding", "front", "前言信息", "front", "", [(0, 0)])

    doc = Document(
        source=source,
        title=title,
        authors=authors,
        column=column,
        abstract=abstract,
        keywords=keywords,
        metadata=metadata,
        funding=funding,
        author_notes=notes_authors,
        sections=sections,
        notes=notes,
        references=refs,
        title_en=title_en,
        authors_en=authors_en,
        abstract_en=abstract_en,
        keywords_en=keywords_en,
        front=sorted(front, key=lambda p: p.start),
    )
    return doc


def _english_authors(line: str) -> list[str]:
    """'Geng Ziheng Shen Tiyan Xiao Jincheng' -> ['Geng Ziheng', 'Shen Tiyan', 'Xiao Jincheng']."""
    words = line.split()
    if "," in line or len(words) % 2:
        return [a.strip() for a in re.split(r"[,;]", line) if a.strip()]
    return [f"{words[k]} {words[k + 1]}" for k in range(0, len(words), 2)]


def reference_names(entry: str) -> tuple[list[str], list[str], int | None]:
    """Authors, translators and year of a GB/T 7714 entry."""
    body = re.sub(r"^\[[^\]\d]+\]\s*", "", entry)  # [意大利] nationality prefix
    western = not CJK.search(body[:20])
    head = re.split(r"\.\s" if western else r"[.．]", body, maxsplit=1)[0]
    authors = [a.strip() for a in re.split(r"[,，]", head)]
    authors = [a for a in authors if a and a not in ("等", "et al", "et al.")]
    translators: list[str] = []
    m = re.search(r"[.．]\s*([^.．\[\]]+?)\s*[,，]\s*(?:等\s*[,，]\s*)?译\s*[.．]", body)
    if m:
        translators = [t.strip() for t in re.split(r"[,，]", m.group(1)) if t.strip() and t.strip() != "等"]
    year = None
    types = list(REF_TYPE.finditer(body))
    tail = body[types[-1].end() :] if types else body
    ym = YEAR.search(tail) or YEAR.search(body)
    if ym:
        year = int(ym.group(1))
    return authors, translators, year
