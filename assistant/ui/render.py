"""HTML for the web app. Every piece of corpus, user or model text goes through `esc`, so a
passage, a question or an answer containing `<script>` or other HTML is shown, never run."""

from __future__ import annotations

import html
import re
from typing import Any

from assistant.corpus.document import Document, Paragraph
from assistant.ui.i18n import t

MARKER = re.compile(r"\[(\d{1,2})\]")

CSS = """
:root, .gradio-container, .prose, textarea, input, button, .message, .md {
  font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
    "PingFang SC", "Microsoft YaHei", "Noto Sans", ui-sans-serif, system-ui, sans-serif !important;
}
.rq-status { font-size: 0.85em; opacity: 0.8; }
.rq-badge { display: inline-block; padding: 2px 8px; border-radius: 10px; font-size: 0.85em; }
.rq-ok { background: #e6f4ea; color: #1e6b34; }
.rq-no { background: #fdecea; color: #8a1c14; }
.rq-src { border: 1px solid #ddd; border-radius: 8px; padding: 6px 10px; margin: 6px 0; }
.rq-src summary { cursor: pointer; font-weight: 600; }
.rq-src.rq-flash, .rq-src:target { outline: 3px solid #f5b400; }
.rq-passage { line-height: 1.7; margin: 6px 0; }
.rq-passage mark { background: #fff3a3; padding: 0 1px; }
.rq-refs { font-size: 0.9em; margin: 4px 0 0 0; padding-left: 1.2em; }
.rq-cite { color: #1a56db; text-decoration: none; border-bottom: 1px dotted; }
.rq-section h3 { margin-top: 1em; }
a.rq-marker { font-weight: 600; text-decoration: none; }
table.rq-draft { border-collapse: collapse; width: 100%; font-size: 0.92em; }
table.rq-draft td, table.rq-draft th { border: 1px solid #ddd; padding: 4px 6px; vertical-align: top; }
.rq-quote { margin-top: 4px; color: #444; }
.rq-gloss { font-style: italic; color: #333; margin: 2px 0 4px 0; }
"""

# Clicking a marker in an answer opens and highlights its source instead of following the link.
HEAD_JS = """
<script>
document.addEventListener('click', function (e) {
  var a = e.target.closest && e.target.closest('a[href^="#src-"], a[href^="#sum-"], a[href^="#ref-"]');
  if (!a) return;
  var el = document.getElementById(a.getAttribute('href').slice(1));
  if (!el) return;
  e.preventDefault(); e.stopPropagation();
  for (var d = el; d; d = d.parentElement) if (d.tagName === 'DETAILS') d.open = true;  // an earlier turn's too
  el.scrollIntoView({behavior: 'smooth', block: 'center'});
  el.classList.add('rq-flash'); setTimeout(function () { el.classList.remove('rq-flash'); }, 1600);
}, true);
</script>
"""


def esc(s: Any) -> str:
    return html.escape(str(s), quote=True)


# every ASCII character that starts markdown syntax (images, links, emphasis, code, headings, tables,
# math, autolinks); a backslash before it makes the renderer print it as it is
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$:])")  # ':' too: no bare-URL autolinks


def plain(s: Any) -> str:
    """Text for a markdown component (chat bubble, summary) shown as text: HTML escaped, markdown
    syntax neutralised, so `![x](http://…)` in a question or an answer loads nothing and `**b**`
    stays as typed. Only markup the app writes itself (marker links) is added after this."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(s), quote=False))  # quotes stay: never in an attribute


def answer_markdown(text: str, prefix: str = "src") -> str:
    """An answer for the chat bubble: shown as text, markers turned into links to their sources; a
    composed answer's points ("\n- ", see results.POINT) become a list."""
    lines = text.split("\n- ")

    def line(s: str) -> str:
        parts = MARKER.split(s)  # text, marker number, text, …
        return "".join(
            plain(x) if i % 2 == 0 else f'<a class="rq-marker" href="#{prefix}-{x}">[{x}]</a>'
            for i, x in enumerate(parts)
        )

    return line(lines[0]) + "".join("\n- " + line(x) for x in lines[1:]) + ("\n" if len(lines) > 1 else "")


def highlight(passage_text: str, quotes: list[str]) -> str:
    """The passage with its supporting sentences in <mark> (escaped)."""
    spans = []
    for q in quotes:
        i = passage_text.find(q)
        if i >= 0:
            spans.append((i, i + len(q)))
    spans.sort()
    out, pos = [], 0
    for a, b in spans:
        if a < pos:
            continue
        out.append(esc(passage_text[pos:a]))
        out.append(f"<mark>{esc(passage_text[a:b])}</mark>")
        pos = b
    out.append(esc(passage_text[pos:]))
    return "".join(out)


def references_html(refs: list[dict[str, Any]]) -> str:
    if not refs:
        return ""
    items = "".join(f"<li>[{esc(r['n'])}] {esc(r['entry'])}</li>" for r in refs)
    return f'<ul class="rq-refs">{items}</ul>'


MAX_PANELS = 5  # earlier turns whose sources stay in the page (as many as the chat history condensed)


def earlier_sources_html(panels: list[str], lang: str) -> str:
    """Earlier turns' sources, newest first, folded: their answers' markers still open them."""
    if not panels:
        return ""
    return (
        f'<details class="rq-earlier"><summary>{esc(t("earlier_sources", lang))} ({len(panels)})</summary>'
        + "".join(reversed(panels))
        + "</details>"
    )


def sources_html(citations: list[dict[str, Any]], lang: str, prefix: str = "src") -> str:
    if not citations:
        return f"<p>{esc(t('no_sources', lang))}</p>"
    parts = []
    for c in citations:
        p = c["passage"]
        quotes = [q["text"] for q in c.get("quotes", [])]
        own = c.get("quote_references") or []
        own_n = {r["n"] for r in own}
        others = [r for r in p.get("references", []) if r["n"] not in own_n]
        if own:  # the references cited at the supporting sentence, then the rest of the passage's
            refs = f"<div><small>{esc(t('refs_here', lang))}</small>{references_html(own)}</div>" + (
                f"<details><summary><small>{esc(t('refs_passage', lang))} ({len(others)})</small></summary>"
                f"{references_html(others)}</details>"
                if others
                else ""
            )
        elif others:
            refs = f"<div><small>{esc(t('refs_passage', lang))}</small>{references_html(others)}</div>"
        else:
            refs = ""
        parts.append(
            f'<details class="rq-src" id="{prefix}-{esc(c["marker"])}" open>'
            f"<summary>[{esc(c['marker'])}] {esc(p['section'])} "
            f"<small>({esc(p['id'])}, {esc(p['start'])}–{esc(p['end'])})</small></summary>"
            f'<div class="rq-passage">{highlight(p["text"], quotes)}</div>'
            f"{glosses_html(c.get('quotes', []), lang)}{refs}</details>"
        )
    return "".join(parts)


def checks_html(checks: list[dict[str, Any]], lang: str) -> str:
    """The answer's trace, collapsed: every sentence the model wrote, kept or dropped, with the
    verifier's verdict, its reason and scores."""
    from assistant.ui.i18n import REASON_LABELS, VERDICT_LABELS

    if not checks:
        return ""
    rows = []
    for c in checks:
        kept = t("check_kept" if c["kept"] else "check_dropped", lang)
        verdict = VERDICT_LABELS.get(c["verdict"], {}).get(lang, c["verdict"])
        reason = REASON_LABELS.get(c["reason"], {}).get(lang, c["reason"])
        scores = ", ".join(f"{k} {v:.2f}" for k, v in c.get("scores", {}).items())
        rows.append(
            f'<tr><td><span class="rq-badge {"rq-ok" if c["kept"] else "rq-no"}">{esc(kept)}</span></td>'
            f"<td>{esc(c['sentence'])}</td><td>{esc(verdict)}</td><td>{esc(reason)}"
            f"{f'<br><small>{esc(scores)}</small>' if scores else ''}</td></tr>"
        )
    return (
        f'<details class="rq-checks"><summary>{esc(t("checks", lang))} ({len(checks)})</summary>'
        f"<table>{''.join(rows)}</table></details>"
    )


def glosses_html(quotes: list[dict[str, Any]], lang: str) -> str:
    """Machine renderings of the quoted sentences, marked as such."""
    items = [
        f'<div class="rq-gloss">≈ {esc(q["gloss"])} <small>({esc(t("machine_translation", lang))})</small></div>'
        for q in quotes
        if q.get("gloss")
    ]
    return "".join(items)


def badge(grounded: bool, refused: bool, lang: str, note: str = "") -> str:
    if refused:
        b = f'<span class="rq-badge rq-no">{esc(t("refused", lang))}</span>'
    elif grounded:
        b = f'<span class="rq-badge rq-ok">{esc(t("grounded", lang))}</span>'
    else:
        b = ""
    return b + (f' <span class="rq-status">{esc(note)}</span>' if note else "")


def claim_html(obj: dict[str, Any], lang: str) -> str:
    verdict = obj["verdict"]
    cls = "rq-ok" if verdict == "supported" else "rq-no"
    parts = [f'<p><b>{esc(t("verdict", lang))}:</b> <span class="rq-badge {cls}">{esc(t(verdict, lang))}</span></p>']
    for i, s in enumerate(obj["support"], 1):
        p = s["passage"]
        parts.append(
            f'<details class="rq-src" id="claim-src-{i}" open><summary>{esc(p["section"])} '
            f"<small>({esc(p['id'])}, {esc(s['start'])}–{esc(s['end'])}, {s['score']:.3f})</small></summary>"
            f'<div class="rq-passage">{highlight(p["text"], [s.get("clause") or s["quote"]])}</div>'
            f"{glosses_html([s], lang)}{references_html([r for r in p['references'] if r['n'] in s['references']])}</details>"
        )
    return "".join(parts)


def _linked_paragraph(p: Paragraph) -> str:
    """A paragraph with each in-text citation linked to its entry in the reference list."""
    out, pos = [], 0
    for c in sorted(p.citations, key=lambda c: c.start):
        out.append(esc(p.text[pos : c.start]))
        target = c.refs[0] if c.refs else None
        title = ", ".join(f"[{n}]" for n in c.refs)
        if target:
            out.append(
                f'<a class="rq-cite" href="#ref-{target}" title="{esc(title)}">{esc(p.text[c.start : c.end])}</a>'
            )
        else:
            out.append(esc(p.text[c.start : c.end]))
        pos = c.end
    out.append(esc(p.text[pos:]))
    return "".join(out)


def section_html(doc: Document, section_id: str, lang: str) -> str:
    """A section (with its subsections) to read, citations linked to the reference list below."""
    parts = []
    for s in doc.sections:
        if not s.within(section_id):
            continue
        level = "h3" if s.level == 1 else "h4"
        parts.append(f'<{level} id="sec-{esc(s.id)}">{esc(s.title)}</{level}>')
        for p in s.paragraphs:
            parts.append(f'<p class="rq-passage" id="{esc(p.id)}">{_linked_paragraph(p)}</p>')
    cited = sorted({n for s in doc.sections if s.within(section_id) for p in s.paragraphs for n in p.refs})
    refs = [doc.reference(n) for n in cited] if section_id != "all" else doc.references
    parts.append(f"<h3>{esc(t('references', lang))}</h3><ol class='rq-refs' style='list-style:none'>")
    for r in refs:
        where = ", ".join(r.cited_in) or "—"
        parts.append(
            f'<li id="ref-{r.n}">[{r.n}] {esc(r.entry)} <small>· {esc(t("cited_in", lang))}: '
            f"{esc(where)} · {esc('; '.join(r.cited_as))}</small></li>"
        )
    parts.append("</ol>")
    return f'<div class="rq-section">{"".join(parts)}</div>'


def draft_html(rows: list[dict[str, Any]], lang: str) -> str:
    """The draft check as a table: sentence, verdict with its quote, each citation and its problem,
    the references the review cites for the point. `rows` are `serialize.sentence_json` objects."""
    from assistant.research.draft import PROBLEM_LABELS

    if not rows:
        return f"<p>{esc(t('draft_none', lang))}</p>"
    head = "".join(
        f"<th>{esc(t(k, lang))}</th>" for k in ("draft_sentence", "verdict", "draft_citations", "draft_suggest")
    )
    body = []
    for i, r in enumerate(rows, 1):
        ok = r["verdict"] == "supported"
        quote = ""
        if r["support"] and r["verdict"] != "not_found":
            s = r["support"][0]
            quote = (
                f'<div class="rq-quote">“{esc(s["quote"])}”<br><small>{esc(s["passage"]["section"])} '
                f"({esc(s['start'])}–{esc(s['end'])})</small></div>"
            )
        cites = []
        for c in r["citations"]:
            problems = [p for p in (c["problem"], c.get("flag")) if p]
            refs = ",".join(f"[{n}]" for n in c["refs"]) or "—"
            what = "; ".join(PROBLEM_LABELS[p][lang] for p in problems) or t("draft_ok", lang)
            cls = "rq-no" if problems else "rq-ok"
            cites.append(
                f'<div>({esc(c["as"])}) → {esc(refs)} <span class="rq-badge {cls} rq-problem" '
                f'data-problem="{esc(" ".join(problems))}">{esc(what)}</span></div>'
            )
        suggest = ", ".join(f"[{n}]" for n in r["suggest"])
        body.append(
            f'<tr class="rq-draft-row" data-verdict="{esc(r["verdict"])}"><td>{i}. {esc(r["sentence"])}</td>'
            f'<td><span class="rq-badge {"rq-ok" if ok else "rq-no"}">{esc(t(r["verdict"], lang))}</span>'
            f"{quote}</td><td>{''.join(cites)}</td><td>{esc(suggest)}</td></tr>"
        )
    return f'<table class="rq-draft"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def dossier_html(d: dict[str, Any], lang: str) -> str:
    """One reference's dossier: entry, each citing sentence (its clause highlighted) with the
    generated one-line use in both languages, the references cited alongside, BibTeX."""
    parts = [
        f'<div class="rq-dossier" id="dossier-{esc(d["n"])}"><p><b>[{esc(d["n"])}]</b> {esc(d["gbt7714"])}</p>',
        f"<p><small>{esc(t('times_cited', lang).format(k=d['times_cited']))} · "
        f"{esc('; '.join(d['cited_as']) or '—')}</small></p>",
    ]
    for c in d["citing"]:
        use = ""
        if c["use"]["generated"] and (c["use"]["zh"] or c["use"]["en"]):
            use = (
                f'<div class="rq-gloss">{esc(t("used_for", lang))}: {esc(c["use"]["zh"])} / {esc(c["use"]["en"])} '
                f"<small>({esc(t('generated', lang))})</small></div>"
            )
        parts.append(
            f'<details class="rq-src" open><summary>{esc(c["section"])} <small>({esc(c["passage"])}, '
            f"{esc(c['start'])}–{esc(c['end'])}) · {esc('; '.join(c['as']))}</small></summary>"
            f'<div class="rq-passage">{highlight(c["sentence"], [c["clause"]])}</div>{use}</details>'
        )
    if d["co_cited"]:
        parts.append(
            f"<p><small>{esc(t('cited_with', lang))}: "
            + ", ".join(f"[{esc(c['n'])}]×{esc(c['count'])}" for c in d["co_cited"])
            + "</small></p>"
        )
    parts.append(f'<pre class="rq-bib">{esc(d["bibtex"])}</pre></div>')
    return "".join(parts)
