"""Draft check: a writer's text against the review, sentence by sentence.

For each sentence: the verdict (as `cite`), the quote and the references the review cites there
(what the writer should cite), and every in-text citation the draft makes, resolved to the
review's reference numbers with what is wrong with it (year, author, not in the review, ambiguous)
and whether the review attributes that point to another source (转引)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.corpus.citations import LATIN_NAME, _first_authors, find_citations, link_one
from assistant.corpus.document import Citation, Document
from assistant.errors import UserError
from assistant.text import CJK_CHARS, has_surrogates, shown

MAX_DRAFT_CHARS = 200_000
MAX_DRAFT_BYTES = 4 * MAX_DRAFT_CHARS  # UTF-8: at most 4 bytes a character
MAX_DOCX_BYTES = 5_000_000  # a zipped .docx: images make it big, its text is capped unzipped
MAX_DOCX_UNZIPPED = 25 * MAX_DRAFT_BYTES  # 20 MB: every part python-docx loads (a draft's XML: a few MB)
MAX_DOCX_PARAGRAPHS = MAX_DRAFT_CHARS // 2  # joined by blank lines, more would exceed MAX_DRAFT_CHARS
# what is wrong with a citation, as the CLI and the web app say it
PROBLEM_LABELS: dict[str, dict[str, str]] = {
    "year": {"zh": "年份与综述所列文献不符", "en": "year differs from the review's reference"},
    "author": {"zh": "作者名有误(差一个字)", "en": "author's name misspelt"},
    "not_in_review": {"zh": "综述的参考文献中没有这条", "en": "not in the review's references"},
    "ambiguous": {"zh": "可对应多条文献,请写明", "en": "fits several references; be specific"},
    "other_source": {
        "zh": "综述将此观点归于其他文献(转引:请引原始来源)",
        "en": "the review attributes this point to other references (cite the right source)",
    },
}


@dataclass
class DraftCitation:
    text: str  # as written in the draft
    refs: list[int]
    problem: str | None  # None | year | author | not_in_review | ambiguous
    flag: str | None = None  # other_source: the review attributes this point to other references


@dataclass
class DraftSentence:
    text: str
    start: int  # offsets in the draft text
    end: int
    verdict: str
    result: Any  # the CiteResult behind the verdict
    citations: list[DraftCitation] = field(default_factory=list)
    suggest: list[int] = field(default_factory=list)


# ---------------------------------------------------------------------------- reading
def read_draft(path: str | Path) -> str:
    """The draft's text from .md/.txt (UTF-8, BOM accepted) or .docx; one-line errors for an
    unreadable, empty, binary or oversized file."""
    p = Path(path)
    try:
        size = p.stat().st_size if p.is_file() else None
    except OSError as e:  # a name too long, a folder we may not enter
        raise UserError(
            f"无法读取文稿 {shown(p)}:{e.strerror}", f"Cannot read the draft {shown(p)}: {e.strerror}"
        ) from None
    if size is None:
        if not p.exists():
            raise UserError(f"找不到文稿:{shown(p)}", f"Draft not found: {shown(p)}")
        raise UserError(f"不是普通文件:{shown(p)}", f"Not a regular file: {shown(p)}")
    is_docx = p.suffix.lower() == ".docx"
    if size > (MAX_DOCX_BYTES if is_docx else MAX_DRAFT_BYTES):
        raise _too_large(p, is_docx)
    try:
        if is_docx:
            text = _read_docx(p)
        else:
            raw = p.read_bytes()
            if b"\x00" in raw[:8192]:
                raise UserError(
                    f"文稿是二进制文件,请提供 .md、.txt 或 .docx:{shown(p)}",
                    f"The draft is a binary file; give a .md, .txt or .docx: {shown(p)}",
                )
            text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"文稿不是 UTF-8 文本:{shown(p)}", f"The draft is not UTF-8 text: {shown(p)}") from None
    except OSError as e:
        raise UserError(
            f"无法读取文稿 {shown(p)}:{e.strerror}", f"Cannot read the draft {shown(p)}: {e.strerror}"
        ) from None
    return check_draft_text(text, str(p))


def _too_large(p: Path, is_docx: bool) -> UserError:
    if is_docx:
        mb = MAX_DOCX_BYTES // 1_000_000
        return UserError(
            f"文稿过大(.docx 上限 {mb} MB):{shown(p)}", f"Draft too large (.docx limit {mb} MB): {shown(p)}"
        )
    return UserError(
        f"文稿过大(上限 {MAX_DRAFT_CHARS} 字符):{shown(p)}",
        f"Draft too large (limit {MAX_DRAFT_CHARS} characters): {shown(p)}",
    )


def _read_docx(p: Path) -> str:
    try:
        import docx
    except ImportError:  # pragma: no cover - python-docx is a dependency
        raise UserError("读取 .docx 需要 python-docx。", "Reading .docx needs python-docx.") from None
    _check_docx_package(p)
    try:
        d = docx.Document(str(p))
    except Exception:
        raise _damaged_docx(p) from None
    return "\n\n".join(par.text for par in d.paragraphs)


def _damaged_docx(p: Path) -> UserError:
    return UserError(
        f"无法读取 .docx 文稿(文件损坏或不是 Word 文档):{shown(p)}",
        f"Cannot read the .docx draft (damaged or not a Word document): {shown(p)}",
    )


def _check_docx_package(p: Path) -> None:
    """A small .docx can unzip to gigabytes (a zip bomb) that python-docx would load whole: its
    declared unzipped sizes (zipfile never inflates a part past them) and its paragraphs are
    counted first."""
    import zipfile

    try:
        with zipfile.ZipFile(p) as z:
            parts = z.infolist()
            _check_unzipped(p, sum(i.file_size for i in parts))
            paragraphs = sum(_paragraphs(z.read(i)) for i in parts if i.filename.endswith(".xml"))
    except UserError:
        raise
    except Exception:
        raise _damaged_docx(p) from None
    if paragraphs > MAX_DOCX_PARAGRAPHS:
        raise UserError(
            f"文稿段落过多({paragraphs} 段,上限 {MAX_DOCX_PARAGRAPHS}):{shown(p)}",
            f"The draft has too many paragraphs ({paragraphs}, limit {MAX_DOCX_PARAGRAPHS}): {shown(p)}",
        )


def _check_unzipped(p: Path, unzipped: int) -> None:
    if unzipped > MAX_DOCX_UNZIPPED:
        mb, limit = -(-unzipped // 1_000_000), MAX_DOCX_UNZIPPED // 1_000_000
        raise UserError(
            f"文稿过大:.docx 解压后约 {mb} MB(上限 {limit} MB):{shown(p)}",
            f"Draft too large: the .docx unzips to about {mb} MB (limit {limit} MB): {shown(p)}",
        )


def _paragraphs(xml: bytes) -> int:
    """WordprocessingML paragraphs (<w:p>, <w:p …>, <w:p/>) in a part: a bound on what python-docx builds."""
    return xml.count(b"<w:p>") + xml.count(b"<w:p ") + xml.count(b"<w:p/>")


def read_stdin_draft(stream: Any) -> str:
    """`check -`: the bytes on stdin decoded strictly (whatever the locale makes of them), at most
    the size of a draft file."""
    raw = stream.buffer.read(MAX_DRAFT_BYTES + 1) if hasattr(stream, "buffer") else stream.read().encode()
    if len(raw) > MAX_DRAFT_BYTES:
        raise UserError(
            f"文稿过大(上限 {MAX_DRAFT_CHARS} 字符):stdin",
            f"Draft too large (limit {MAX_DRAFT_CHARS} characters): stdin",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeError:
        raise UserError("文稿不是 UTF-8 文本:stdin", "The draft is not UTF-8 text: stdin") from None
    return check_draft_text(text, "stdin")


def check_draft_text(text: str, where: str = "") -> str:
    """Pasted or read text: not empty, not over the limit."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    where = f":{shown(where)}" if where else ""
    if has_surrogates(text):
        raise UserError(
            f"文稿不是有效的 UTF-8 文本{where}", f"The draft is not valid UTF-8 text{where.replace(':', ': ', 1)}"
        )
    if not text.strip():
        raise UserError(f"文稿为空{where}", f"The draft is empty{where.replace(':', ': ', 1)}")
    if len(text) > MAX_DRAFT_CHARS:
        raise UserError(
            f"文稿过长({len(text)} 字符,上限 {MAX_DRAFT_CHARS}){where}",
            f"The draft is too long ({len(text)} characters, limit {MAX_DRAFT_CHARS}){where}",
        )
    return text


# ---------------------------------------------------------------------------- sentences
_ABBREV = re.compile(r"(?:\bet al|\be\.g|\bi\.e|\betc|\bvs|\bcf|\bFig|\bNo|\bpp|\b[A-Z])\.$")


def split_draft(text: str) -> list[tuple[str, int, int]]:
    """Sentences with their offsets. Headings and list markers are not sentences; a period inside
    parentheses ("et al., 2024") or after an abbreviation does not end one."""
    out: list[tuple[str, int, int]] = []
    pos = 0
    for line in text.split("\n"):
        ln_start = pos
        pos += len(line) + 1
        body = line.strip()
        if not body or body.startswith("#") or re.fullmatch(r"[-*_=|:\s]+", body):
            continue
        lead = len(line) - len(line.lstrip())
        m = re.match(r"(?:[-*+]\s+|\d+[.)、]\s*|[(（]\d+[)）]\s*)", line[lead:])
        start = ln_start + lead + (m.end() if m else 0)
        depth, i, end = 0, start, ln_start + len(line)
        seg = start
        while i < end:
            ch = text[i]
            if ch in "(（":
                depth += 1
            elif ch in ")）":
                depth = max(0, depth - 1)
            elif depth == 0 and (
                ch in "。！？!?"
                or ch == "."
                and (i + 1 >= end or text[i + 1].isspace())
                and not _ABBREV.search(text[seg : i + 1])
            ):
                j = i + 1
                while j < end and text[j] in "”’\"')）":
                    j += 1
                _add(out, text, seg, j)
                seg = i = j
                continue
            i += 1
        _add(out, text, seg, end)
    return out


def _add(out: list[tuple[str, int, int]], text: str, a: int, b: int) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b - a >= 4 and re.search(rf"[{CJK_CHARS}A-Za-z]", text[a:b]):
        out.append((text[a:b], a, b))


def strip_citations(sentence: str) -> str:
    """The sentence's own statement, without its parenthetical citations."""
    from assistant.answering.meaning import strip_citations as drop

    return re.sub(r"\s+([。.,，;；])", r"\1", drop(sentence)).strip()


# ---------------------------------------------------------------------------- citations
def resolve_citation(c: Citation, doc: Document) -> DraftCitation:
    """Resolve one draft citation and say what is wrong with it."""
    linked = link_one(c, doc.references)
    if linked.refs:
        problem = {"typo": "author", "ambiguous": "ambiguous"}.get(linked.how)
        return DraftCitation(c.text, list(linked.refs), problem)
    if LATIN_NAME.match(c.author):  # a Chinese author written in pinyin ("Han Minchun et al., 2024")
        hits = _pinyin_hits(c.author, doc)
        same_year = [n for n in hits if doc.reference(n).year == c.year]
        if same_year:
            return DraftCitation(c.text, same_year, "ambiguous" if len(same_year) > 1 else None)
        if hits:
            return DraftCitation(c.text, hits, "year" if len(hits) == 1 else "ambiguous")
        sur = c.author.split()[0].lower()
        hits = [r.n for r in doc.references if r.authors and r.authors[0].split()[0].lower() == sur]
    else:
        first = _first_authors(c.author)[0]
        hits = [r.n for r in doc.references if r.authors and r.authors[0] == first]
        if not hits:  # a typo and a wrong year at once is too far to guess
            return DraftCitation(c.text, [], "not_in_review")
    if not hits:
        return DraftCitation(c.text, [], "not_in_review")
    return DraftCitation(c.text, hits, "year" if len(hits) == 1 else "ambiguous")


def _pinyin_hits(name: str, doc: Document) -> list[int]:
    from assistant.answering.questions import _pinyin_names

    key = " ".join(name.lower().split())
    names = _pinyin_names(doc)
    if " " not in key:  # a surname alone ("Han et al., 2024")
        return [n for n, forms in names.items() if any(key in f.split() for f in forms)]
    return [n for n, forms in names.items() if key in forms]


# ---------------------------------------------------------------------------- the check
class DraftChecker:
    """Checks drafts with a Citer (its LLM judge included when it has one)."""

    def __init__(self, citer: Any) -> None:
        self.citer = citer
        self.doc: Document = citer.index.doc

    def check(self, text: str, progress: Callable[[int, int], None] | None = None) -> list[DraftSentence]:
        sentences = split_draft(text)
        out: list[DraftSentence] = []
        for i, (s, a, b) in enumerate(sentences):
            out.append(self.check_sentence(s, a, b))
            if progress:
                progress(i + 1, len(sentences))
        return out

    def check_sentence(self, s: str, a: int, b: int) -> DraftSentence:
        cites = [resolve_citation(c, self.doc) for c in find_citations(s)]
        claim = strip_citations(s)
        if len(re.sub(r"\W", "", claim)) < 4:  # a citation on its own, a caption
            return DraftSentence(s, a, b, "not_found", None, cites, [])
        r = self.citer.cite(claim)
        # what the review cites for this point: the best quote's own references (not every quote's)
        suggest = (list(r.quotes[0].refs) if r.quotes else list(r.references)) if r.verdict != "not_found" else []
        if r.verdict in ("supported", "partial") and suggest:
            for c in cites:
                if c.refs and not set(c.refs) & set(suggest):
                    c.flag = "other_source"
        return DraftSentence(s, a, b, r.verdict, r, cites, suggest)

    def references(self, checked: list[DraftSentence]) -> list[int]:
        """Every reference the draft cites (resolved) or should cite, in order of first mention."""
        seen: dict[int, None] = {}
        for d in checked:
            for c in d.citations:
                for n in c.refs:
                    if c.problem != "ambiguous":
                        seen.setdefault(n)
            for n in d.suggest:
                seen.setdefault(n)
        return list(seen)
