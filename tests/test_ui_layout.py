"""The web app's layout without a model (fast): every tab builds, and the interface-language switch
has one update per labelled component, each of which really changes with the language."""

from __future__ import annotations


class FakeApp:
    """The handlers' surface that the layout reads while building (no index, no model)."""

    def status(self, lang: str) -> str:
        return {"zh": "状态", "en": "status"}[lang]

    def section_choices(self, lang: str) -> list[tuple[str, str]]:
        return [({"zh": "全文", "en": "Whole review"}[lang], "all"), ("1", "1")]

    def reference_choices(self) -> list[tuple[str, int]]:
        return [("[1] 某文献", 1)]

    def browse(self, section: str, lang: str) -> str:
        return "<p>text</p>"

    def guide_html(self, lang: str) -> str:
        return {"zh": "<p>导读</p>", "en": "<p>guide</p>"}[lang]

    def starters(self, lang: str) -> list[list[str]]:
        return [[{"zh": "问题?", "en": "question?"}[lang]]]

    def __getattr__(self, name: str):  # event handlers are only referenced, never called here
        return lambda *a, **k: None


def test_every_labelled_component_changes_with_the_interface_language():
    import gradio as gr

    from assistant.ui.layout import TABS, Labels, header

    labels = Labels()
    with gr.Blocks():
        lang_ui = header(FakeApp(), labels, "zh")
        for tab in TABS:
            tab(FakeApp(), labels, "zh", lang_ui)
    zh, en = labels.updates("zh"), labels.updates("en")
    assert len(zh) == len(en) == len(labels.components) >= 19
    for component, a, b in zip(labels.components, zh, en, strict=True):
        assert a != b, f"{type(component).__name__} {a} does not change with the language"
    tabs = [b["label"] for c, b in zip(labels.components, en, strict=True) if isinstance(c, gr.Tab)]
    assert tabs == ["Chat", "Claim check", "Draft check", "Summaries", "Browse"]
