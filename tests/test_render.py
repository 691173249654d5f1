"""What the web app puts in markdown components: user and model text shown as text (rendered here
with a CommonMark renderer), only the app's own marker links turned into markup."""

from __future__ import annotations

from markdown_it import MarkdownIt

from assistant.ui.render import answer_markdown, plain

MD = MarkdownIt("commonmark")


def test_user_markdown_stays_text():
    typed = "![t](http://127.0.0.1:9/track.png) **bold** [link](http://x.org) `code` # title <img src=x>"
    html = MD.render(plain(typed))
    assert "<img" not in html and "<strong>" not in html and "<a " not in html and "<code>" not in html
    assert "<h1>" not in html and "![t](http://127.0.0.1:9/track.png)" in html and "**bold**" in html


def test_answer_keeps_only_marker_links():
    html = MD.render(answer_markdown("AI **reshapes** layout [1]. ![i](http://e/x.png) <script>x</script> [2]."))
    assert html.count("<a ") == 2 and 'href="#src-1"' in html and 'href="#src-2"' in html
    assert "<img" not in html and "<strong>" not in html and "<script>" not in html
    assert "**reshapes**" in html and "![i](http://e/x.png)" in html


def test_plain_is_identity_for_ordinary_text():
    for s in ["人工智能促进产业结构升级。", "AI raises productivity by 1.5% (2024)."]:
        assert MD.render(plain(s)).strip() == f"<p>{s}</p>"


def test_the_checks_panel_shows_every_sentence_in_the_interface_language_escaped():
    from assistant.ui.render import checks_html

    checks = [
        {"sentence": "<b>甲</b>", "kept": True, "verdict": "supported", "reason": "restates", "scores": {}},
        {"sentence": "乙", "kept": False, "verdict": "contradicted", "reason": "cue_conflict", "scores": {"p": 0.5}},
    ]
    zh, en = checks_html(checks, "zh"), checks_html(checks, "en")
    assert "核查过程" in zh and "撤下" in zh and "与综述相矛盾" in zh and "Contradicted" not in zh
    assert "How this answer was checked" in en and "dropped" in en and "restates the quote" in en
    assert "<b>甲" not in en and "&lt;b&gt;" in en
    assert checks_html([], "en") == ""


def test_a_composed_answer_is_a_list_of_points_each_with_its_link():
    from assistant.answering.results import POINT

    text = "综述就此提出的要点如下:" + POINT + "第一,高铁压缩了时空距离[1]。" + POINT + "第二,港口**降低**成本[2]。"
    html = MD.render(answer_markdown(text))
    assert html.count("<li>") == 2 and 'href="#src-1"' in html and 'href="#src-2"' in html
    assert "<strong>" not in html and "- 第" not in html
