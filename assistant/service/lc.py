"""LangChain seams: the review as pieces of your own LCEL chain.

- `ReviewRetriever` — a `BaseRetriever` over the hybrid retrieval: `Document`s whose metadata hold
  the passage id, section, source offsets and the references the passage cites.
- `answer_runnable(assistant)` — the answering chain (retrieve → LLM → per-sentence checks) as a
  `Runnable`: a question (str, or {"question", "lang"}) in, the `ask --json` object out.

    from assistant.answering.chain import Assistant
    from assistant.service.lc import ReviewRetriever, answer_runnable
    a = Assistant(Settings.from_env())
    docs = ReviewRetriever(assistant=a, k=4).invoke("智能鸿沟是什么?")
    answer = answer_runnable(a).invoke("What is the intelligence divide?")["answer"]
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda


class ReviewRetriever(BaseRetriever):
    """Hybrid (dense + BM25, cross-lingual) retrieval over the review as a LangChain retriever."""

    assistant: Any
    k: int = 5

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        from assistant.serialize import reference_json

        doc = self.assistant.index.doc
        out = []
        for h in self.assistant.retriever.search(query, self.k):
            p = h.passage
            out.append(
                Document(
                    page_content=p.text,
                    metadata={
                        "id": p.id,
                        "section": p.section,
                        "kind": p.kind,
                        "lang": p.lang,
                        "start": p.start,
                        "end": p.end,
                        "score": round(float(h.score), 6),
                        "references": [reference_json(doc.reference(n)) for n in p.refs],
                    },
                )
            )
        return out


def answer_runnable(assistant: Any) -> Runnable:
    """The grounded answering chain as a Runnable: str or {"question", "lang"?} → the ask JSON."""
    from assistant.serialize import ask_json

    def run(inp: Any) -> dict[str, Any]:
        if isinstance(inp, dict):
            return ask_json(assistant.ask(str(inp.get("question", "")), inp.get("lang", "auto")))
        return ask_json(assistant.ask(str(inp)))

    return RunnableLambda(run, name="reviewqa_answer")
