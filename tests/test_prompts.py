"""Prompt files and their callers agree on the fields (no model needed)."""

from __future__ import annotations

import pytest

from assistant.answering.prompts import PROMPT_VARIABLES, PROMPTS_DIR, chat_prompt, load_messages


def _files() -> list[tuple[str, str]]:
    return sorted(tuple(p.name.split(".")[:2]) for p in PROMPTS_DIR.glob("*.txt"))


@pytest.mark.parametrize("name, lang", _files())
def test_every_prompt_file_takes_what_its_callers_fill(name, lang):
    assert name in PROMPT_VARIABLES, f"{name}.{lang}.txt has no declared fields"
    assert set(chat_prompt(name, lang).input_variables) == PROMPT_VARIABLES[name]


def test_every_declared_prompt_has_a_file_and_the_answer_prompts_define_not_found():
    names = {n for n, _ in _files()}
    assert set(PROMPT_VARIABLES) == names
    for lang in ("zh", "en"):  # the chain reads this reply as "the passages do not answer"
        assert "NOT_FOUND" in load_messages("answer", lang)[0][1]


def test_a_prompt_asking_for_another_field_is_refused_when_loaded(tmp_path, monkeypatch):
    from assistant.answering import prompts

    (tmp_path / "answer.en.txt").write_text("### system\nAnswer.\n### user\n{passages}\n{query}\n", encoding="utf-8")
    real = prompts.load_messages
    monkeypatch.setattr(prompts, "load_messages", lambda name, lang: real(name, lang, tmp_path))
    with pytest.raises(ValueError, match="callers fill"):
        prompts.chat_prompt("answer", "en")
