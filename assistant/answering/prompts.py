"""Prompt templates live as text files in `assistant/data/prompts/` (NAME.zh.txt / NAME.en.txt), inside
the package so an installed wheel has them.

A file is a sequence of `### system|user|assistant` sections; the assistant turns before the last
user turn are one-shot examples. `{name}` fields are filled at call time (LangChain f-strings).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "data" / "prompts"
# what each prompt's last (user) section takes, as its callers fill it; a file that asks for other
# fields is refused when loaded, not when a user's question first reaches it
PROMPT_VARIABLES: dict[str, frozenset[str]] = {
    "answer": frozenset({"passages", "question"}),  # chain._generate, lc.answer_runnable
    "condense": frozenset({"history", "question"}),  # chain.condense
    "gloss": frozenset({"glossary", "text"}),  # gloss.Glosser.gloss
    "glossary": frozenset({"terms"}),  # translate.build_glossary, english.EnglishWriter
    "entail": frozenset({"claim", "passage"}),  # verify.judge.EntailmentJudge.score
    "relevant": frozenset({"question", "passage"}),  # verify.judge.EntailmentJudge.relevance
    "ref_use": frozenset({"reference", "sentence"}),  # gloss.Glosser.use_line
    "translate": frozenset({"glossary", "question"}),  # translate.LLMTranslator
}
_ROLE = {"system": "system", "user": "human", "assistant": "ai"}


@lru_cache(maxsize=64)
def load_messages(name: str, lang: str, directory: Path = PROMPTS_DIR) -> tuple[tuple[str, str], ...]:
    path = directory / f"{name}.{lang}.txt"
    text = path.read_text(encoding="utf-8")
    parts = re.split(r"^### (system|user|assistant)\s*$", text, flags=re.M)
    msgs = []
    for role, body in zip(parts[1::2], parts[2::2]):
        msgs.append((_ROLE[role], body.strip("\n")))
    if not msgs or msgs[-1][0] != "human":
        raise ValueError(f"{path}: a prompt must end with a ### user section")
    return tuple(msgs)


def chat_prompt(name: str, lang: str):  # -> ChatPromptTemplate
    """The template as a LangChain ChatPromptTemplate; only the last (user) section takes variables."""
    from langchain_core.prompts import ChatPromptTemplate

    msgs = list(load_messages(name, lang))
    last = len(msgs) - 1
    escaped = [
        (role, body if i == last else body.replace("{", "{{").replace("}", "}}")) for i, (role, body) in enumerate(msgs)
    ]
    template = ChatPromptTemplate.from_messages(escaped)
    wanted = PROMPT_VARIABLES.get(name)
    if wanted is not None and set(template.input_variables) != wanted:
        raise ValueError(
            f"{PROMPTS_DIR / f'{name}.{lang}.txt'}: fields {sorted(template.input_variables)}, "
            f"its callers fill {sorted(wanted)}"
        )
    return template
