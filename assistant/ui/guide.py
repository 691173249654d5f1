"""The guide's HTML: the abstract's findings, then the framework as a map of nested <details>, each
node opening its key sentences and the references cited in it (hover: the reference entry)."""

from __future__ import annotations

from assistant.corpus.document import Document
from assistant.research.guide import Guide, GuideNode, english_title
from assistant.ui.i18n import t
from assistant.ui.render import esc


def _node(n: GuideNode, doc: Document, lang: str) -> str:
    title = n.title if lang == "zh" else english_title(n.title)
    quotes = "".join(f"<li>“{esc(u.text.strip())}”</li>" for u in n.key)
    refs = " ".join(f'<span class="rq-guide-ref" title="{esc(doc.reference(r).entry)}">[{r}]</span>' for r in n.refs)
    cited = f'<p class="rq-guide-refs">{esc(t("guide_cited", lang))} {refs}</p>' if refs else ""
    children = "".join(_node(c, doc, lang) for c in n.children)
    return (
        f'<details class="rq-guide-node" id="guide-{esc(n.section_id)}"><summary>{esc(title)}</summary>'
        f"<ul>{quotes}</ul>{cited}{children}</details>"
    )


def guide_html(g: Guide, doc: Document, lang: str) -> str:
    lang = "zh" if lang == "zh" else "en"
    findings = "".join(f"<li>{esc(u.text.strip())}</li>" for u in g.findings.get(lang, []))
    nodes = "".join(_node(n, doc, lang) for n in g.nodes)
    return (
        f'<div id="rq-guide-map"><h4>{esc(t("guide_findings", lang))}</h4><ul class="rq-guide-findings">{findings}</ul>'
        f"<h4>{esc(t('guide_map', lang))}</h4>{nodes}</div>"
    )
