"""The Gradio app: chat with cited passages, claim check, bilingual summaries, browse.

One Assistant (one local model) serves every session; each browser session keeps its own chat
history in `gr.State`, and the queue limits how many requests run at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.answering.chain import Assistant
from assistant.answering.results import DoneEvent, SentenceEvent
from assistant.errors import MAX_QUERY_CHARS
from assistant.log import log
from assistant.serialize import check_json
from assistant.streams import close_generator
from assistant.text import detect_lang
from assistant.ui.i18n import t
from assistant.ui.render import (
    CSS,
    HEAD_JS,
    MAX_PANELS,
    answer_markdown,
    badge,
    checks_html,
    claim_html,
    dossier_html,
    draft_html,
    earlier_sources_html,
    esc,
    plain,
    section_html,
    sources_html,
)


def _session(request: Any) -> str:
    """The browser session a handler serves (Gradio passes a gr.Request); one key without one."""
    return str(getattr(request, "session_hash", None) or "")


def _ui(lang: str) -> str:
    return "zh" if lang == "zh" else "en"


class App:
    """Handlers, kept apart from the layout so tests can call them directly."""

    def __init__(self, assistant: Assistant) -> None:
        import threading

        self.a = assistant
        self._citer: Any = None
        self._guider: Any = None
        # each session's running answer and its stop flag: Stop closes that answer, and only it
        self._running: dict[str, tuple[Iterator[Any], threading.Event]] = {}
        self._lock = threading.Lock()

    @property
    def citer(self) -> Any:
        if self._citer is None:
            from assistant.answering.claims import make_citer

            self._citer = make_citer(self.a)
        return self._citer

    # ---------------------------------------------------------------------------- guide
    @property
    def guider(self) -> Any:
        if self._guider is None:
            from assistant.research.guide import GuideBuilder

            self._guider = GuideBuilder(self.a)
        return self._guider

    def guide_html(self, ui_lang: str) -> str:
        from assistant.ui.guide import guide_html

        return guide_html(self.guider.guide(), self.a.index.doc, _ui(ui_lang))

    def starters(self, ui_lang: str) -> list[list[str]]:
        return [[q] for q in self.guider.guide().starters(_ui(ui_lang))]

    def suggest(self, conv: list[tuple[str, str]], answer_lang: str) -> Any:
        """Two or three follow-ups after an answer, from the sections next to the one it came from."""
        if not conv:
            return gr.Dataset(samples=[], visible=False)
        question = conv[-1][0]
        lang = answer_lang if answer_lang in ("zh", "en") else detect_lang(question)
        samples = [[q] for q in self.guider.follow_ups(question, lang)]
        return gr.Dataset(samples=samples, visible=bool(samples))

    def stop(self, request: gr.Request | None = None) -> None:
        """Stop this session's running answer: the model stops at its next token (what is shown
        stays). Gradio's own cancel may leave the answer suspended rather than closed, so the
        answer is closed here, from the session that asked for it."""
        with self._lock:
            running = self._running.pop(_session(request), None)
        if running is not None:
            gen, flag = running
            flag.set()
            close_generator(gen)

    def status(self, lang: str) -> str:
        idx = self.a.index
        return t("status", lang).format(
            backend=self.a.backend.name,
            model=self.a.backend.model,
            chunks=len(idx.chunks),
            sentences=len(idx.sentences),
            refs=len(idx.doc.references),
        )

    # ---------------------------------------------------------------------------- chat
    def chat(
        self,
        message: str,
        chat: list[dict],
        answer_lang: str,
        ui_lang: str,
        conv: list[tuple[str, str]],
        transcript: list[str] | None = None,
        panels: list[str] | None = None,
        request: gr.Request | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Streams (chatbot, sources, badge, conversation, textbox, panels, transcript) updates; the
        transcript keeps each answered turn as Markdown for the export button; `panels` each
        answered turn's sources, so an earlier answer's markers still open its own sources."""
        chat = list(chat or [])
        conv = list(conv or [])
        transcript = list(transcript or [])
        panels = list(panels or [])
        prefix = f"src-t{len(transcript) + 1}"  # markers of this turn open this turn's sources
        text = (message or "").strip()
        # the answer follows the question (or the chosen answer language); labels follow the interface
        lang = answer_lang if answer_lang in ("zh", "en") else (detect_lang(text) if text else _ui(ui_lang))
        ui = _ui(ui_lang)
        if not text:
            yield chat, t("no_sources", ui), badge(False, False, ui, t("empty", ui)), conv, "", panels, transcript
            return
        chat.append({"role": "user", "content": plain(text[: MAX_QUERY_CHARS + 50])})
        if len(text) > MAX_QUERY_CHARS:
            chat.append({"role": "assistant", "content": plain(t("too_long", lang))})
            yield chat, "", badge(False, False, ui, t("too_long", ui)), conv, "", panels, transcript
            return
        chat.append({"role": "assistant", "content": plain(t("thinking", lang))})
        yield chat, "", "", conv, "", panels, transcript
        answer = ""
        import threading

        stopped, session = threading.Event(), _session(request)
        gen = self.a.ask_stream(text, lang, conv, stop=stopped)
        with self._lock:
            self._running[session] = (gen, stopped)
        try:
            for ev in gen:
                if stopped.is_set():
                    break
                if isinstance(ev, SentenceEvent):
                    answer += ev.text + ("" if lang == "zh" else " ")
                    chat[-1] = {"role": "assistant", "content": answer_markdown(answer, prefix)}
                    yield chat, "", "", conv, "", panels, transcript
                elif isinstance(ev, DoneEvent):
                    from assistant.research.export import turn_markdown

                    r = ev.result
                    shown = answer_markdown(r.answer, prefix)
                    if r.standalone_question:  # a condensed follow-up: say what was answered
                        shown += "\n\n" + plain(t("read_as", lang).format(q=r.standalone_question))
                    chat[-1] = {"role": "assistant", "content": shown}
                    conv.append((text, r.answer))
                    transcript.append(turn_markdown(text, r.answer, r.citations, lang, r.note))
                    panel = sources_html(r.citations, ui, prefix)
                    earlier = earlier_sources_html(panels, ui)
                    panels.append(panel)
                    yield (
                        chat,
                        panel + checks_html([check_json(c) for c in r.checks], ui) + earlier,
                        badge(r.grounded, r.refused, ui, r.note),
                        conv[-5:],
                        "",
                        panels[-MAX_PANELS:],
                        transcript,
                    )
        except Exception as e:  # one line in the page, never a stack trace
            log.error(f"chat error: {type(e).__name__}: {e}")
            msg = getattr(e, "message", None)
            line = msg(lang) if callable(msg) else type(e).__name__
            chat[-1] = {"role": "assistant", "content": plain(t("error", lang) + line)}
            yield chat, "", badge(False, False, ui), conv, "", panels, transcript
        finally:
            with self._lock:
                if self._running.get(session, (None,))[0] is gen:
                    del self._running[session]
            close_generator(gen)  # stopped, finished or left by the page: the model stops here

    def export(self, transcript: list[str], ui_lang: str) -> str | None:
        """The conversation so far as a Markdown file to download (None when nothing was answered)."""
        import tempfile

        from assistant.research.export import transcript_markdown

        if not transcript:
            return None
        path = Path(tempfile.mkdtemp(prefix="reviewqa-chat-")) / "reviewqa-chat.md"
        path.write_text(transcript_markdown(transcript, _ui(ui_lang)), encoding="utf-8")
        return str(path)

    # ---------------------------------------------------------------------------- claim
    def claim(self, claim: str, ui_lang: str) -> tuple[str, str, str]:
        from assistant.corpus.bibformat import bibtex, gbt7714
        from assistant.serialize import cite_json

        text = (claim or "").strip()
        lang = detect_lang(text) if text else _ui(ui_lang)
        if not text:
            return f"<p>{esc(t('empty', lang))}</p>", "", ""
        if len(text) > MAX_QUERY_CHARS:
            return f"<p>{esc(t('too_long', lang))}</p>", "", ""
        try:
            obj = cite_json(
                self.citer.cite(text), self.a.index.doc, self.a.glosser if self.a.settings.glosses else None, lang
            )
        except Exception as e:
            msg = getattr(e, "message", None)
            return f"<p>{esc(t('error', lang) + (msg(lang) if callable(msg) else type(e).__name__))}</p>", "", ""
        doc = self.a.index.doc
        refs = [doc.reference(r["n"]) for r in obj["references"]]
        return claim_html(obj, lang), gbt7714(refs), bibtex(refs, doc.references)

    # ---------------------------------------------------------------------------- draft check
    def draft(self, text: str, upload: str | None, ui_lang: str, progress: Any = None) -> tuple[str, str, str | None]:
        """(report table, GB/T 7714 list, BibTeX file to download) for pasted text or an uploaded file."""
        import tempfile

        from assistant.research.draft import DraftChecker, check_draft_text, read_draft
        from assistant.serialize import references_json, sentence_json

        lang = _ui(ui_lang)
        try:
            body = read_draft(upload) if upload else check_draft_text(text or "")
            checker = DraftChecker(self.citer)

            def tick(i: int, n: int) -> None:
                if progress is not None:
                    progress(i / n, desc=t("draft_progress", lang).format(i=i, n=n))

            checked = checker.check(body, progress=tick)
        except Exception as e:
            msg = getattr(e, "message", None)
            return f"<p>{esc(t('error', lang) + (msg(lang) if callable(msg) else type(e).__name__))}</p>", "", None
        doc = self.a.index.doc
        refs = references_json(checker.references(checked), doc)
        bib = None
        if refs["bibtex"]:
            bib = str(Path(tempfile.mkdtemp(prefix="reviewqa-draft-")) / "references.bib")
            Path(bib).write_text(refs["bibtex"] + "\n", encoding="utf-8")
        return draft_html([sentence_json(d, doc) for d in checked], lang), refs["gbt7714"], bib

    # ---------------------------------------------------------------------------- summaries
    def summary(self, section: str, ui_lang: str) -> tuple[str, str, str]:
        from assistant.answering.summarize import summarize

        lang = _ui(ui_lang)
        try:
            out = summarize(self.a, section or "all", ("zh", "en"))
        except Exception as e:
            msg = getattr(e, "message", None)
            line = esc(t("error", lang) + (msg(lang) if callable(msg) else type(e).__name__))
            return line, line, ""
        note = f" {t('cached', lang)}" if out.get("cached") else ""
        head = f"**{plain(out['title'])}**{plain(note)}\n\n"
        return (
            head + answer_markdown(out["zh"], "sum"),
            head + answer_markdown(out["en"], "sum"),
            sources_html(out["citations"], lang, prefix="sum"),
        )

    def section_choices(self, lang: str) -> list[tuple[str, str]]:
        return [(t("whole", lang), "all")] + [
            (s.title if s.level == 1 else f"  {s.title}", s.id) for s in self.a.index.doc.sections
        ]

    def browse(self, section: str, ui_lang: str) -> str:
        return section_html(self.a.index.doc, section or "1", _ui(ui_lang))

    def reference_choices(self) -> list[tuple[str, int]]:
        from assistant.research.dossier import by_citations

        doc = self.a.index.doc
        return [
            (f"[{n}] {(doc.reference(n).authors or ['?'])[0]}, {doc.reference(n).year} — {k}×", n)
            for n, k in by_citations(doc)
        ]

    def dossier(self, n: int | None, ui_lang: str) -> str:
        from assistant.research.dossier import dossier
        from assistant.serialize import dossier_json

        lang = _ui(ui_lang)
        if not n:
            return ""
        try:
            return dossier_html(dossier_json(dossier(self.a.index, int(n), self.a.glosser), self.a.index.doc), lang)
        except Exception as e:
            msg = getattr(e, "message", None)
            return f"<p>{esc(t('error', lang) + (msg(lang) if callable(msg) else type(e).__name__))}</p>"


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def check_bind(host: str, api_key: str, insecure: bool) -> None:
    """A non-loopback address serves the API to the network: only with a key, or when told to."""
    from assistant.errors import UserError

    if host not in LOOPBACK and not api_key.strip() and not insecure:  # a blank key is no key
        raise UserError(
            f"拒绝在 {host} 上无密钥提供服务:请设置 REVIEWQA_API_KEY,或加 --insecure。",
            f"Refusing to serve on {host} without a key: set REVIEWQA_API_KEY, or pass --insecure.",
        )


class Running:
    """A server started with block=False: `close()` stops it."""

    def __init__(self, server: Any, thread: Any) -> None:
        self.server, self.thread = server, thread

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def serve(
    assistant: Assistant,
    host: str = "127.0.0.1",
    port: int = 7860,
    block: bool = True,
    ui_lang: str = "zh",
    api_key: str = "",
    insecure: bool = False,
) -> Running | None:
    """The web app at / and the HTTP API (/v1 OpenAI-compatible, /api/*, /healthz) in one uvicorn
    server on host:port. A non-loopback address needs an API key unless `insecure`; with a key,
    the web app too needs it (a login page, service/guard.py)."""
    import threading

    import uvicorn

    from assistant.research.draft import MAX_DOCX_BYTES
    from assistant.service.api import build_api

    check_bind(host, api_key, insecure)
    app_ui = App(assistant)
    from assistant.ui.layout import build

    demo = build(app_ui, ui_lang)
    demo.queue(default_concurrency_limit=2, max_size=64)
    theme = gr.themes.Base(
        font=["Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "ui-sans-serif", "system-ui", "sans-serif"],
        font_mono=["Noto Sans Mono CJK SC", "ui-monospace", "monospace"],
    )
    app = gr.mount_gradio_app(
        build_api(assistant, app_ui, api_key),
        demo,
        path="",
        theme=theme,
        css=CSS,
        head=HEAD_JS,
        footer_links=[],
        ssr_mode=False,
        show_error=False,
        max_file_size=MAX_DOCX_BYTES,  # a draft .docx; the guard bounds the upload request too
    )
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False))
    if block:
        server.run()
        return None
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(600):
        if server.started:
            break
        threading.Event().wait(0.05)
    return Running(server, thread)
