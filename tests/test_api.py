"""The HTTP API of `reviewqa serve`: OpenAI-compatible /v1 (the real `openai` client and LangChain's
ChatOpenAI), the /api endpoints, the key, and raw bad requests."""

from __future__ import annotations

import httpx
import pytest

from .helpers import free_port, run_cli

pytestmark = pytest.mark.slow
KEY = "test-key-123"


@pytest.fixture(scope="module")
def api(local_assistant):
    from assistant.ui.app import serve

    port = free_port()
    server = serve(local_assistant, "127.0.0.1", port, block=False, api_key=KEY)
    yield f"http://127.0.0.1:{port}"
    server.close()


def _auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {KEY}"}


def test_openai_client_gets_cited_answers(api):
    from openai import OpenAI

    client = OpenAI(base_url=api + "/v1", api_key=KEY)
    assert [m.id for m in client.models.list()] == ["reviewqa"]
    r = client.chat.completions.create(
        model="reviewqa", messages=[{"role": "user", "content": "人工智能如何提升区域治理效能?"}]
    )
    text, cites = r.choices[0].message.content, r.model_extra["citations"]
    assert cites and all(f"[{c['marker']}]" in text for c in cites) and cites[0]["quotes"]
    stream = client.chat.completions.create(
        model="reviewqa",
        stream=True,
        messages=[{"role": "user", "content": "What risks does the city brain bring to urban governance?"}],
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    final = chunks[-1]
    assert len(chunks) >= 3 and final.choices[0].finish_reason == "stop"
    assert final.model_extra["citations"] and all(f"[{c['marker']}]" in text for c in final.model_extra["citations"])


def test_langchain_chat_openai_against_the_server(api):
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(base_url=api + "/v1", api_key=KEY, model="reviewqa", max_retries=0, timeout=300)
    msg = llm.invoke(
        [
            ("human", "城市大脑有哪些风险?"),
        ]
    )
    assert "[" in msg.content and any("\u4e00" <= ch <= "\u9fff" for ch in msg.content)


def test_wrong_or_missing_key_is_401(api):
    from openai import AuthenticationError, OpenAI

    with pytest.raises(AuthenticationError):
        OpenAI(base_url=api + "/v1", api_key="wrong", max_retries=0).models.list()
    r = httpx.post(api + "/api/retrieve", json={"query": "智能鸿沟"})
    assert r.status_code == 401 and "key" in r.json()["error"]["message"]
    assert httpx.get(api + "/healthz").json()["status"] == "ok"  # health needs no key


def test_api_endpoints_and_bad_requests(api):
    r = httpx.post(api + "/api/retrieve", json={"query": "智能鸿沟是什么?", "k": 2}, headers=_auth())
    assert r.status_code == 200 and len(r.json()["passages"]) == 2 and r.json()["passages"][0]["references"]
    r = httpx.post(
        api + "/api/cite", json={"claim": "新型数字基础设施建设能够提升乡村产业链供应链韧性。"}, headers=_auth()
    )
    assert r.json()["verdict"] == "supported" and r.json()["references"]
    d = httpx.get(api + "/api/refs/24", headers=_auth(), timeout=300).json()
    assert d["n"] == 24 and d["citing"]
    r = httpx.post(
        api + "/api/check",
        json={"text": "数字技术已经彻底打破了本地根植性的贸易地理结构(耿勇等,2023)。"},
        headers=_auth(),
        timeout=300,
    )
    row = r.json()["sentences"][0]
    assert row["verdict"] == "contradicted" and row["citations"][0]["problem"] == "year"
    bad = [
        httpx.post(api + "/api/retrieve", json={"query": "智能鸿沟", "k": 0}, headers=_auth()),
        httpx.post(api + "/api/retrieve", json={"query": "   "}, headers=_auth()),
        httpx.get(api + "/api/refs/99", headers=_auth()),
        httpx.post(api + "/v1/chat/completions", json={"messages": []}, headers=_auth()),
    ]
    assert [b.status_code for b in bad] == [400, 400, 400, 400]
    assert all(b.json()["error"]["message"] and "Traceback" not in b.text for b in bad)
    r = httpx.post(api + "/api/retrieve", content=b"{not json", headers={**_auth(), "content-type": "application/json"})
    assert r.status_code == 422 and "error" in r.json()
    r = httpx.post(
        api + "/api/retrieve", content=b"x" * 1_200_000, headers={**_auth(), "content-type": "application/json"}
    )
    assert r.status_code == 413
    assert httpx.get(api + "/api/openapi.json").json()["info"]["title"] == "reviewqa API"


def test_serve_refuses_a_public_address_without_a_key():
    r = run_cli("serve", "--host", "0.0.0.0", "--port", str(free_port()), timeout=60, env={"REVIEWQA_API_KEY": ""})
    assert r.returncode == 2 and "REVIEWQA_API_KEY" in r.stderr and len(r.stderr.strip().splitlines()) == 1
