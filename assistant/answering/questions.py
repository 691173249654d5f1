"""What kind of question is this? Premises to check first, references to resolve, lists to gather.

A question that presupposes a claim ("why does the review say X", "综述为什么认为X", "does AI make
…") has X checked by the same verdict as `cite` before anything is answered; a question about a
reference ("文献[24]", "reference 24", "王如玉等(2018)", "Ma Shuzhong et al. (2024)") is answered
from the sentences that cite it, through the citation links.
"""

from __future__ import annotations

import re

from assistant.corpus.document import Document
from assistant.text import CJK_CHARS

_WHY_ZH = re.compile(
    r"^(?:这篇)?(?:综述|文章|本文|作者)?(?:为什么|为何|凭什么)(?:会)?(?:认为|说|指出|主张|提出|断言)"
    r"(.{4,}?)[?？。]?$"
)
_WHY_ZH2 = re.compile(
    r"^(?:为什么|为何)(?:这篇)?(?:综述|文章|本文|作者)(?:会)?(?:认为|说|指出|主张|提出)(.{4,}?)[?？。]?$"
)
_WHETHER_ZH = re.compile(r"^(?:这篇)?(?:综述|文章|本文|作者)(?:是否|是不是)(?:认为|说|指出|主张|提出)(.{4,}?)[?？。]?$")
_YESNO_ZH = re.compile(r"^(?:根据综述,?|综述中,?)?(.{6,}?)(?:吗|么|嘛)[?？]?$")
_WHY_EN = re.compile(
    r"^why (?:does|do|did) (?:the )?(?:review|article|paper|authors?) (?:say|claim|argue|state|think|find)s? "
    r"(?:that )?(.{8,}?)\??$",
    re.I,
)
_YESNO_EN = re.compile(r"^(?:according to the review,?\s*)?(does|do|did|is|are|can|will|has|have) (.{8,}?)\??$", re.I)


def premise(question: str) -> str:
    """The claim a question takes for granted, or ''."""
    q = question.strip()
    for rx in (_WHY_ZH2, _WHY_ZH, _WHY_EN, _WHETHER_ZH):
        m = rx.match(q)
        if m:
            return m.group(1).strip(" ,，")
    m = _YESNO_ZH.match(q)
    if m and not re.search(r"哪|什么|如何|怎样|多少|几|还是", m.group(1)):
        return re.sub(r"^(?:是否|是不是)", "", m.group(1)).replace("是否", "")
    m = _YESNO_EN.match(q)
    # "does AI promote or hinder X?" asks which, it takes neither for granted
    if m and not re.search(r"\b(what|which|how|why|who|where|when|or)\b", m.group(2), re.I):
        body = re.sub(
            r"^(?:the )?(?:review|article|paper|authors?) (?:says?|claims?|argues?|states?|thinks?|finds?|shows?) "
            r"(?:that )?",
            "",
            m.group(2),
            flags=re.I,
        )
        if body != m.group(2):
            return body  # "does the review say that X": X as stated
        aux = m.group(1).lower()
        if aux in ("is", "are", "can", "will", "has", "have"):
            parts = body.split(" ", 1)
            return f"{parts[0]} {aux} {parts[1]}" if len(parts) == 2 else body
        return body  # "AI make distance irrelevant": cite does not need the grammar
    return ""


_REF_NUM = re.compile(r"(?:文献|参考文献|引文|reference|ref\.?)\s*[\[［【(（]?\s*(\d{1,2})\s*[\]］】)）]?", re.I)
_REF_ZH = re.compile(rf"([{CJK_CHARS}]{{2,4}}(?:等|和[{CJK_CHARS}]{{2,4}})?)\s*[(（,，]\s*((?:19|20)\d\d)\s*[)）]?")
_REF_EN = re.compile(
    r"([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?(?:\s+[A-Z]{1,2})?)(?:\s+et al\.?)?,?\s*[(（]?\s*((?:19|20)\d\d)\s*[)）]?"
)


_PINYIN: dict[int, dict[int, set[str]]] = {}


def _pinyin_names(doc: Document) -> dict[int, set[str]]:
    """First authors' names in pinyin ("ma shuzhong", "shuzhong ma"), so English questions find them."""
    if id(doc) not in _PINYIN:
        from pypinyin import lazy_pinyin

        out: dict[int, set[str]] = {}
        for r in doc.references:
            name = r.authors[0] if r.authors else ""
            if re.fullmatch(rf"[{CJK_CHARS}]{{2,4}}", name):
                py = lazy_pinyin(name)
                out[r.n] = {(py[0] + " " + "".join(py[1:])).lower(), ("".join(py[1:]) + " " + py[0]).lower()}
        _PINYIN[id(doc)] = out
    return _PINYIN[id(doc)]


def referenced(question: str, doc: Document) -> list[int]:
    """Reference numbers a question asks about, resolved through the review's citation links."""
    from assistant.corpus.citations import resolve_text

    nums = [int(n) for n in _REF_NUM.findall(question) if 1 <= int(n) <= len(doc.references)]
    if nums:
        return list(dict.fromkeys(nums))
    for m in _REF_ZH.finditer(question):
        got = resolve_text(f"{m.group(1)},{m.group(2)}", doc)
        if got:
            return got
    for m in _REF_EN.finditer(question):
        name, year = m.group(1), m.group(2)
        got = resolve_text(f"{name} et al., {year}", doc) or resolve_text(f"{name}, {year}", doc)
        if got:
            return got
        key = name.lower()
        hits = [n for n, names in _pinyin_names(doc).items() if key in names and str(doc.reference(n).year) == year]
        if hits:
            return hits
    return []


LIST_Q = re.compile(
    r"哪些|哪几|几个|哪[一二三四五六七八九十两]+[个项类点条方面部分]|分点|列举|"
    r"\bwhat are the\b|\blist\b|\bwhich\b|\b(?:by|through|in) what\b|\bthe (?:two|three|four|five|six|seven) ",
    re.I,
)


def is_list_question(question: str) -> bool:
    return bool(LIST_Q.search(question))


ENUM = re.compile(
    r"^(?:第[一二三四五六七八九十]+(?:[,，、:：]|部分|类|是)|[一二三四五六七八九十]是|首先|其次|再次|最后|"
    r"[(（]?\d[)）.、])"
)

_ORDINALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
LAST = 99  # 最后: closes an enumeration whatever its length


def ordinal(sentence: str) -> int | None:
    """The place an enumeration item announces (第二, 二是, 其次 → 2; 最后 → LAST), else None. Also
    after a colon: "…梳理:第一部分讨论…"."""
    head = re.sub(r"^[\s(（]*", "", sentence)
    for text in (head, re.split(r"[:：]", head, maxsplit=1)[-1].lstrip()):
        if not ENUM.match(text):
            continue
        m = re.match(r"第?([一二三四五六七八九十])", text)
        if m:
            return _ORDINALS[m.group(1)]
        if text.startswith("首先"):
            return 1
        if text.startswith("其次"):
            return 2
        if text.startswith("再次"):
            return 3
        if text.startswith("最后"):
            return LAST
        m = re.match(r"[(（]?(\d)", text)
        if m:
            return int(m.group(1))
    return None


_DEFINITION = re.compile(
    r"是什么|什么是|指什么|含义|定义|^what (?:is|are|does) (?:an? |the )?\S+(?: \S+){0,3}\??$|\bdefin|\bmean", re.I
)
_COMPARE = re.compile(r"比较|区别|异同|相比|对比|\bcompar|\bdiffer|\bversus\b|\bvs\.?\b", re.I)
_BROAD = re.compile(
    r"如何|怎样|怎么|哪些|有何|什么(?:作用|影响|机制|路径|条件|结论|判断|观点|方向|风险|问题|挑战|启示|因素|要素)|"
    r"评价|总结|概括|归纳|梳理|主要(?:结论|观点|内容|发现)|"
    r"^(?:how|in what ways?|by what|through wh|what (?:\w+ ){0,2}(?:roles?|effects?|impacts?|risks?|conditions?|preconditions?|"
    r"mechanisms?|pathways?|paths?|conclusions?|findings?|directions?|agenda|limits?|factors?|priorities|lessons?))\b|"
    r"\bsummari[sz]e|\boverview\b|\bwhat do(?:es)? the (?:review|article|paper|abstract|authors?) "
    r"(?:say|find|conclude|argue|identify|suggest|propose|recommend)",
    re.I,
)


# "According to the review, …", "按照这篇综述, …": who says it, not what is asked
_ATTRIBUTION = re.compile(
    r"^(?:(?:according to|in|as (?:told|described) (?:in|by)) (?:the|this) (?:review|article|paper|abstract|authors?)(?:'s?)?"
    r"(?: view)?|in the authors'? view)\s*[,:]?\s*|"
    r"^(?:按照|根据|依照|在)?(?:这篇|本篇|该)?(?:综述|文章|本文|作者)(?:的观点|看来|中|里|来看)?[,，:：]\s*",
    re.I,
)


def question_kind(question: str) -> str:
    """list | broad | compare | definition | fact: what shape of answer the question asks for.
    Premises and references are recognised before this (`premise`, `referenced`)."""
    q = _ATTRIBUTION.sub("", question.strip())
    if _COMPARE.search(q):
        return "compare"
    if is_list_question(q):
        return "list"
    if _DEFINITION.search(q) and not _BROAD.search(q):
        return "definition"
    return "broad" if _BROAD.search(q) else "fact"


# 这篇综述/本文 name the review, not an earlier turn; 因此/其中/应该 hold no pronoun
_BACK_ZH = re.compile(
    r"这(?!篇)|那(?!么)|它|上述|上面|前面|刚才|(?<!应)该(?!综述|文)|他们|她们|^(?:为什么|为何|怎么说|具体呢|还有呢|然后呢)"
)
_BACK_EN = re.compile(
    r"\b(?:it|its|this|that|these|those|they|them|their|such|the above|above|mentioned|earlier|previous|else)\b"
    r"|^(?:why|how so|and|what about|examples?)\b",
    re.I,
)


def refers_back(question: str) -> bool:
    """Does a follow-up lean on the earlier turns (a pronoun, "why?", an ellipsis too short to stand
    alone)? Only then is it condensed with the history: a new question stands as asked."""
    q = question.strip()
    if re.search(rf"[{CJK_CHARS}]", q):
        body = re.sub(r"[^\w]", "", q)
        return len(body) <= 6 or bool(_BACK_ZH.search(q))
    return len(q.split()) <= 3 or bool(_BACK_EN.search(q))
