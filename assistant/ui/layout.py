"""The web app's layout: one builder per tab, each laying out its components and wiring them to
the `App` handlers, and one map of which component shows which interface text, so switching the
interface language relabels everything the map holds (nothing matched by position)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assistant.ui.i18n import LANG_CHOICES, t
from assistant.ui.render import esc

Text = str | Callable[[str], Any]  # a text key of ui/i18n.py, or a function of the interface language


class Labels:
    """Component → {property: text}: what the interface-language switch updates."""

    def __init__(self) -> None:
        self.entries: list[tuple[Any, dict[str, Text]]] = []

    def add(self, component: Any, **props: Text) -> Any:
        self.entries.append((component, props))
        return component

    @property
    def components(self) -> list[Any]:
        return [c for c, _ in self.entries]

    def updates(self, lang: str) -> list[Any]:
        import gradio as gr

        return [
            gr.update(**{prop: (text(lang) if callable(text) else t(text, lang)) for prop, text in props.items()})
            for _, props in self.entries
        ]


def header(app: Any, labels: Labels, ui_lang: str) -> Any:
    """Title, interface-language switch and status line; returns the switch."""
    import gradio as gr

    def title(lang: str) -> str:
        return f"## {t('title', lang)}\n{t('subtitle', lang)}"

    def status(lang: str) -> str:
        return f'<span class="rq-status">{esc(app.status(lang))}</span>'

    labels.add(gr.Markdown(title(ui_lang)), value=title)
    with gr.Row():
        lang_ui = gr.Radio([("中文", "zh"), ("English", "en")], value=ui_lang, label=t("ui_lang", ui_lang), scale=1)
        labels.add(gr.Markdown(status(ui_lang), elem_id="rq-status"), value=status)
    return labels.add(lang_ui, label="ui_lang")


def chat_tab(app: Any, labels: Labels, ui_lang: str, lang_ui: Any) -> None:
    import gradio as gr

    conv = gr.State([])
    transcript = gr.State([])
    with labels.add(gr.Tab(t("tab_chat", ui_lang)), label="tab_chat"):
        with labels.add(gr.Accordion(t("guide", ui_lang), open=True, elem_id="rq-guide"), label="guide"):
            with gr.Row():
                with gr.Column(scale=3):
                    labels.add(gr.HTML(app.guide_html(ui_lang)), value=app.guide_html)
                with gr.Column(scale=2):
                    starters = gr.Dataset(
                        components=[gr.Textbox(visible=False)],
                        samples=app.starters(ui_lang),
                        label=t("starters", ui_lang),
                        elem_id="rq-starters",
                        samples_per_page=20,
                    )
                    labels.add(starters, label="starters", samples=app.starters)
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    height=460,
                    label=t("tab_chat", ui_lang),
                    elem_id="rq-chat",
                    sanitize_html=True,
                    feedback_options=None,
                )
                badge_box = gr.HTML("", elem_id="rq-badge")
                with gr.Row():
                    question = gr.Textbox(
                        label=t("question", ui_lang),
                        placeholder=t("placeholder", ui_lang),
                        scale=4,
                        elem_id="rq-question",
                        max_lines=6,
                    )
                    labels.add(question, label="question", placeholder="placeholder")
                    answer_lang = gr.Radio(LANG_CHOICES, value="auto", label=t("answer_lang", ui_lang), scale=2)
                    labels.add(answer_lang, label="answer_lang")
                with gr.Row():
                    send = labels.add(gr.Button(t("send", ui_lang), variant="primary", elem_id="rq-send"), value="send")
                    stop = labels.add(gr.Button(t("stop", ui_lang), variant="stop", elem_id="rq-stop"), value="stop")
                    clear = labels.add(gr.Button(t("clear", ui_lang)), value="clear")
                    export = labels.add(gr.Button(t("export", ui_lang), elem_id="rq-export"), value="export")
                follow_ups = gr.Dataset(
                    components=[gr.Textbox(visible=False)],
                    samples=[],
                    label=t("follow_ups", ui_lang),
                    elem_id="rq-follow-ups",
                    visible=False,
                )
                labels.add(follow_ups, label="follow_ups")
                export_file = gr.File(label=t("export_file", ui_lang), elem_id="rq-export-file", interactive=False)
            with gr.Column(scale=2):
                gr.Markdown(f"### {t('sources', 'zh')} / {t('sources', 'en')}")
                sources = gr.HTML(f"<p>{esc(t('no_sources', ui_lang))}</p>", elem_id="rq-sources")
    panels = gr.State([])  # each answered turn's sources: earlier markers keep opening them
    outputs = [chatbot, sources, badge_box, conv, question, panels, transcript]
    inputs = [question, chatbot, answer_lang, lang_ui, conv, transcript, panels]
    asked = send.click(app.chat, inputs, outputs, api_name="chat", concurrency_id="llm")
    typed = question.submit(app.chat, inputs, outputs, api_name=False, concurrency_id="llm")
    for picked in (starters, follow_ups):  # a suggested question goes to the box, to send or edit
        picked.click(lambda v: v[0] if v else "", picked, question, api_name=False)
    for event in (asked, typed):
        event.then(app.suggest, [conv, answer_lang], follow_ups, api_name=False)
    # Stop closes the running answer, which stops the model (what is already shown stays)
    stop.click(app.stop, None, None, cancels=[asked, typed], api_name=False)
    clear.click(
        lambda: ([], "", "", [], [], [], None),
        None,
        [chatbot, sources, badge_box, conv, transcript, panels, export_file],
        api_name=False,
    )
    export.click(app.export, [transcript, lang_ui], export_file, api_name=False)


def claim_tab(app: Any, labels: Labels, ui_lang: str, lang_ui: Any) -> None:
    import gradio as gr

    with labels.add(gr.Tab(t("tab_claim", ui_lang)), label="tab_claim"):
        claim = gr.Textbox(
            label=t("claim", ui_lang), placeholder=t("claim_placeholder", ui_lang), elem_id="rq-claim", max_lines=6
        )
        labels.add(claim, label="claim", placeholder="claim_placeholder")
        check = labels.add(gr.Button(t("check", ui_lang), variant="primary", elem_id="rq-check"), value="check")
        claim_out = gr.HTML(elem_id="rq-claim-out")
        with gr.Row():
            gbt = gr.Code(label=t("gbt", ui_lang), language=None, elem_id="rq-gbt")
            bib = gr.Code(label=t("bibtex", ui_lang), language=None, elem_id="rq-bibtex")
    check.click(app.claim, [claim, lang_ui], [claim_out, gbt, bib], api_name="claim", concurrency_id="llm")
    claim.submit(app.claim, [claim, lang_ui], [claim_out, gbt, bib], api_name=False, concurrency_id="llm")


def draft_tab(app: Any, labels: Labels, ui_lang: str, lang_ui: Any) -> None:
    import gradio as gr

    with labels.add(gr.Tab(t("tab_draft", ui_lang)), label="tab_draft"):
        with gr.Row():
            draft_text = gr.Textbox(label=t("draft", ui_lang), lines=8, max_lines=20, elem_id="rq-draft", scale=3)
            draft_file = gr.File(
                label=t("draft_file", ui_lang),
                file_types=[".md", ".txt", ".docx"],
                type="filepath",
                elem_id="rq-draft-file",
                scale=1,
            )
        run = gr.Button(t("draft_run", ui_lang), variant="primary", elem_id="rq-draft-run")
        labels.add(run, value="draft_run")
        draft_out = gr.HTML(elem_id="rq-draft-out")
        with gr.Row():
            draft_gbt = gr.Code(label=t("draft_refs", ui_lang), language=None, elem_id="rq-draft-gbt")
            draft_bib = gr.File(label=t("draft_bib", ui_lang), elem_id="rq-draft-bib", interactive=False)

    def run_draft(text: str, upload: str | None, lang: str, progress=gr.Progress()):  # noqa: B008 (Gradio's way to ask for a progress bar)
        return app.draft(text, upload, lang, progress)

    run.click(
        run_draft,
        [draft_text, draft_file, lang_ui],
        [draft_out, draft_gbt, draft_bib],
        api_name="draft",
        concurrency_id="llm",
    )


def summary_tab(app: Any, labels: Labels, ui_lang: str, lang_ui: Any) -> None:
    import gradio as gr

    with labels.add(gr.Tab(t("tab_summary", ui_lang)), label="tab_summary"):
        with gr.Row():
            section = gr.Dropdown(
                app.section_choices(ui_lang),
                value="all",
                label=t("section", ui_lang),
                scale=3,
                elem_id="rq-sum-section",
            )
            labels.add(section, choices=app.section_choices, label="section")
            run = gr.Button(t("summarize", ui_lang), variant="primary", scale=1, elem_id="rq-summarize")
            labels.add(run, value="summarize")
        with gr.Row():
            sum_zh = gr.Markdown(label=t("summary_zh", ui_lang), elem_id="rq-sum-zh")
            sum_en = gr.Markdown(label=t("summary_en", ui_lang), elem_id="rq-sum-en")
        sum_src = gr.HTML()
    run.click(app.summary, [section, lang_ui], [sum_zh, sum_en, sum_src], api_name="summary", concurrency_id="llm")


def browse_tab(app: Any, labels: Labels, ui_lang: str, lang_ui: Any) -> None:
    import gradio as gr

    with labels.add(gr.Tab(t("tab_browse", ui_lang)), label="tab_browse"):
        with gr.Row():
            outline = gr.Dropdown(app.section_choices(ui_lang), value="1", label=t("outline", ui_lang))
            labels.add(outline, choices=app.section_choices, label="outline")
            ref_pick = gr.Dropdown(
                app.reference_choices(), value=None, label=t("dossier", ui_lang), elem_id="rq-ref-pick"
            )
        dossier_box = gr.HTML(elem_id="rq-dossier")
        reader = gr.HTML(app.browse("1", ui_lang), elem_id="rq-reader")
    outline.change(app.browse, [outline, lang_ui], reader, api_name="browse")
    ref_pick.change(app.dossier, [ref_pick, lang_ui], dossier_box, api_name="dossier", concurrency_id="llm")


TABS = (chat_tab, claim_tab, draft_tab, summary_tab, browse_tab)


def build(app: Any, ui_lang: str = "zh") -> Any:
    """The gr.Blocks: header, then each tab; the language switch relabels what `Labels` holds."""
    import gradio as gr

    labels = Labels()
    with gr.Blocks(title="reviewqa") as demo:
        lang_ui = header(app, labels, ui_lang)
        for tab in TABS:
            tab(app, labels, ui_lang, lang_ui)
        lang_ui.change(labels.updates, lang_ui, labels.components, api_name=False)
    return demo
