"""The review inside a user's own LCEL chain: the retriever and the answering Runnable."""

from __future__ import annotations

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from assistant.service.lc import ReviewRetriever, answer_runnable


def test_retriever_in_an_lcel_chain(fake_assistant_factory):
    a = fake_assistant_factory("x")
    retriever = ReviewRetriever(assistant=a, k=3)
    docs = retriever.invoke("智能鸿沟是什么?")
    assert len(docs) == 3 and "智能鸿沟" in "".join(d.page_content for d in docs)
    m = docs[0].metadata
    assert {"id", "section", "start", "end", "references", "score"} <= set(m)
    assert a.index.doc.source[m["start"] : m["end"]].replace("\n\n", "") == docs[0].page_content.replace("\n\n", "")
    seen: list[str] = []

    def context(ds):
        text = "\n".join(f"[{d.metadata['id']}] {d.page_content[:80]}" for d in ds)
        seen.append(text)
        return text

    prompt = ChatPromptTemplate.from_messages([("human", "{context}\n\nQ: {question}")])
    chain = (
        {"context": retriever | RunnableLambda(context), "question": RunnablePassthrough()}
        | prompt
        | FakeListChatModel(responses=["智能鸿沟是要素积累的结构失衡。"])
        | StrOutputParser()
    )
    assert chain.invoke("智能鸿沟是什么?") == "智能鸿沟是要素积累的结构失衡。"
    assert seen and seen[0].startswith("[s")  # the user's prompt received our passages with their ids


def test_answer_runnable_returns_the_ask_json(fake_assistant_factory):
    q = "人工智能要素集聚的“双刃剑”效应是什么?"
    a = fake_assistant_factory("要素高度集聚有利于促进本地区人工智能技术的迭代升级[1]。巴黎是法国的首都[1]。")
    chain = answer_runnable(a) | RunnableLambda(lambda r: (r["answer"], r["citations"], r["grounded"]))
    answer, citations, grounded = chain.invoke({"question": q, "lang": "zh"})
    assert grounded and "巴黎" not in answer and citations and citations[0]["quotes"]
