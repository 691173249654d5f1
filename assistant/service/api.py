"""The HTTP API beside the web app, in the same `reviewqa serve` process (FastAPI; the Gradio app is
mounted at /). An OpenAI-compatible `/v1` makes the review usable as a "model" from any OpenAI
client or chat front-end: the answer text carries the markers, the citations come in a
`citations` field. `/api/*` serves the other jobs as JSON (the reference list as a file:
/api/refs/export). With `REVIEWQA_API_KEY` set, both
need `Authorization: Bearer <key>` and the web app a login (guard.py, which also bounds every
request body). Errors are JSON with a message, never a trace."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

from starlette.requests import Request  # at module level: FastAPI resolves the route's annotation here

from assistant.errors import UserError
from assistant.service.admission import Admission, Busy
from assistant.service.guard import MAX_BODY, Guard, add_login
from assistant.service.guard import json_error as _error
from assistant.streams import close_generator
from assistant.text import has_surrogates, shown

MODEL_ID = "reviewqa"
_ERROR_BODY = {
    "type": "object",
    "properties": {"error": {"type": "object", "description": "message, type"}},
}
_CODES = {
    400: "输入无效(为空、过长、类型不对)/ invalid input (empty, too long, wrong type)",
    401: "缺少或错误的密钥(设置了 REVIEWQA_API_KEY 时)/ missing or wrong key (with REVIEWQA_API_KEY set)",
    413: f"请求体超过 {MAX_BODY} 字节 / body over {MAX_BODY} bytes",
    422: "格式不对(不是 JSON 对象,或参数类型不对)/ malformed (not a JSON object, or a parameter of the wrong type)",
    503: "模型繁忙,见 Retry-After / the model is busy: see Retry-After",
}


def _responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error codes a route answers, each with the one error shape, for the docs."""
    errors = {c: {"description": _CODES[c], "content": {"application/json": {"schema": _ERROR_BODY}}} for c in codes}
    return {200: {"description": "成功 / OK"}, **errors}


def _body(required: tuple[str, ...], **fields: tuple[str, str]) -> dict[str, Any]:
    """A JSON body's fields for the docs (`openapi_extra`): the routes take a dict and check each
    field themselves, so that a wrong one is a 400 with our message."""
    props = {name: {"type": t, "description": d} for name, (t, d) in fields.items()}
    schema = {"type": "object", "required": list(required), "properties": props}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


HTTP_MESSAGES = {  # FastAPI's own refusals, in both languages like ours
    400: "请求体无法解析(须为 UTF-8 编码的 JSON)。 / The body could not be parsed (it must be UTF-8 JSON).",
    404: "没有这个地址。 / Not found.",
    405: "此地址不接受该请求方法。 / Method not allowed here.",
}
K_FIELD = ("integer", "1–50, default 5 / 默认 5")


def _history(messages: list[dict[str, Any]]) -> tuple[str, list[tuple[str, str]]]:
    """The last user message is the question; earlier user/assistant pairs are the history."""
    if not messages or not isinstance(messages, list):
        raise UserError("messages 不能为空。", "messages must be a non-empty list.")
    turns = [(str(m.get("role", "")), _text(m.get("content", ""))) for m in messages if isinstance(m, dict)]
    if any(has_surrogates(text) for _, text in turns):  # "\ud800" in the JSON: not text we can use
        raise UserError("消息不是有效的 UTF-8 文本。", "A message is not valid UTF-8 text.")
    if not turns or turns[-1][0] != "user" or not turns[-1][1].strip():
        raise UserError("最后一条消息必须是用户的问题。", "The last message must be the user's question.")
    history, pending = [], None
    for role, text in turns[:-1]:
        if role == "user":
            pending = text
        elif role == "assistant" and pending is not None:
            history.append((pending, text))
            pending = None
    return turns[-1][1], history


def _text(content: Any) -> str:
    """A message's text: a string, or OpenAI content parts whose text parts are read (an image
    part is skipped). Anything else is a 400, never str()'d into a question."""
    if content is None or isinstance(content, str):
        return content or ""
    not_text = UserError(
        "消息内容必须是文本,或由文本片段组成的列表。", "A message's content must be text or a list of text parts."
    )
    if not isinstance(content, list):
        raise not_text
    texts = []
    for part in content:
        if not isinstance(part, dict):
            raise not_text
        if part.get("type", "text") == "text":
            if not isinstance(part.get("text"), str):
                raise not_text
            texts.append(part["text"])
    return "".join(texts)


def _string(body: dict[str, Any], name: str, default: str = "") -> str:
    """A text field of a JSON body: a wrong type is a 400 (`{"query": null}` is not "None")."""
    value = body.get(name, default)
    if not isinstance(value, str):
        raise UserError(f"{name} 必须是文本。", f"{name} must be text.")
    return value


def build_api(assistant: Any, app_ui: Any, api_key: str = "") -> Any:
    """The FastAPI app: /v1, /api, /healthz, /login with a key (Gradio is mounted on it afterwards)."""
    from fastapi import FastAPI
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import HTMLResponse, Response, StreamingResponse
    from starlette.background import BackgroundTask
    from starlette.exceptions import HTTPException

    from assistant.answering.results import DoneEvent, SentenceEvent
    from assistant.errors import check_query
    from assistant.serialize import ask_json

    # the docs are our own page (docs.py): Swagger UI and ReDoc load from a CDN, blank offline
    api = FastAPI(title="reviewqa API", version="1", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")

    @api.middleware("http")
    async def no_trace(request: Request, call_next):
        try:
            return await call_next(request)
        except Exception as e:  # never a trace
            return _error(500, f"internal error: {type(e).__name__}", "server_error")

    api.add_middleware(Guard, api_key=api_key)  # outermost: before any route, Gradio's included
    if api_key:
        add_login(api, api_key)

    @api.exception_handler(UserError)
    async def user_error(request: Request, e: UserError):
        return _error(400, shown(e.message("en"), None))  # whatever it echoes can be sent as UTF-8

    admission = Admission(assistant.settings.queue_depth)
    api.state.admission = admission

    @api.exception_handler(Busy)
    async def busy(request: Request, e: Busy):
        r = _error(
            503, f"the model is busy ({admission.depth} requests queued); retry in {e.retry_after} s", "server_busy"
        )
        r.headers["Retry-After"] = str(e.retry_after)
        return r

    @api.exception_handler(RequestValidationError)
    async def bad_body(request: Request, e: RequestValidationError):
        first = e.errors()[0] if e.errors() else {}
        return _error(
            422, f"invalid request: {'.'.join(map(str, first.get('loc', [])))} {first.get('msg', '')}".strip()
        )

    @api.exception_handler(HTTPException)
    async def http_error(request: Request, e: HTTPException):
        """FastAPI's own refusals (a body it cannot parse, an unknown route) in the one error shape."""
        return _error(e.status_code, HTTP_MESSAGES.get(e.status_code, str(e.detail)))

    @api.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        from assistant.service.docs import docs_page

        return HTMLResponse(docs_page(api.openapi()))

    @api.get("/healthz", summary="服务是否在运行 / Is the server up")
    def healthz() -> dict[str, Any]:
        """Open to anyone: with a key set, it says only that the server is up."""
        if api_key:
            return {"status": "ok"}
        return {
            "status": "ok",
            "backend": assistant.backend.name,
            "model": assistant.backend.model,
            "passages": len(assistant.index.chunks),
        }

    @api.get("/v1/models", summary="模型列表(OpenAI 兼容)/ The one model (OpenAI-compatible)")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "reviewqa"}]}

    @api.post(
        "/v1/chat/completions",
        summary="有据可查的回答(OpenAI 兼容)/ A cited answer (OpenAI-compatible)",
        responses=_responses(400, 401, 413, 422, 503),
        openapi_extra=_body(
            ("messages",),
            messages=("array", "OpenAI chat messages; the last is the user's question / 最后一条是用户的问题"),
            stream=("boolean", "server-sent events, one sentence at a time / 逐句流式返回"),
            model=("string", "reviewqa (any value is answered by the review) / 任意值"),
        ),
    )
    def chat_completions(body: dict[str, Any], request: Request):
        """The answer text carries [n] markers; `citations` holds their passages and quotes."""
        question, history = _history(body.get("messages"))
        question = check_query(question)
        cid, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        admission.enter()  # held until the answer is complete (a stream: until it ends)
        if not body.get("stream"):
            try:
                r = ask_json(assistant.ask(question, "auto", history))
            finally:
                admission.leave()
            return {
                "id": cid,
                "object": "chat.completion",
                "created": created,
                "model": MODEL_ID,
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": r["answer"]}, "finish_reason": "stop"}
                ],
                "citations": r["citations"],
                "grounded": r["grounded"],
                "refused": r["refused"],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            }

        def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
            obj = {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": MODEL_ID,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                **extra,
            }
            return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n"

        def events() -> Iterator[str]:
            try:
                yield chunk({"role": "assistant", "content": ""})
                yield from answer()
            finally:
                release()

        def answer() -> Iterator[str]:
            lang = "auto"
            try:
                for ev in assistant.ask_stream(question, lang, history):
                    if isinstance(ev, SentenceEvent):
                        sep = "" if ev.text[-1:] in "。！？" else " "
                        yield chunk({"content": ev.text + sep})
                    elif isinstance(ev, DoneEvent):
                        r = ask_json(ev.result)
                        yield chunk({}, "stop", citations=r["citations"], grounded=r["grounded"], refused=r["refused"])
            except UserError as e:
                yield f"data: {json.dumps({'error': {'message': e.message('en')}})}\n\n"
            yield "data: [DONE]\n\n"

        release = admission.releaser()  # once, whether the stream ends or is never read

        async def until_gone() -> AsyncIterator[str]:
            """The stream while the client listens: once it has gone the answer is closed, which
            stops the model (nobody reads the rest). A watcher does it: a cancelled response leaves
            this generator suspended, never finished."""
            import asyncio

            from starlette.concurrency import run_in_threadpool

            gen = events()
            finished = asyncio.Event()

            async def watch() -> None:
                while not finished.is_set():
                    if await request.is_disconnected():
                        close_generator(gen)
                        release()
                        return
                    await asyncio.sleep(0.25)

            watcher = asyncio.get_running_loop().create_task(watch())
            try:
                while (item := await run_in_threadpool(next, gen, None)) is not None:
                    yield item
            finally:
                finished.set()
                watcher.cancel()
                close_generator(gen)
                release()

        return StreamingResponse(until_gone(), media_type="text/event-stream", background=BackgroundTask(release))

    @api.post(
        "/api/retrieve",
        summary="检索段落(不用大模型)/ Passages for a question (no LLM)",
        responses=_responses(400, 401, 413, 422),
        openapi_extra=_body(("query",), query=("string", "question or keywords / 问题或关键词"), k=K_FIELD),
    )
    def retrieve(body: dict[str, Any]) -> dict[str, Any]:
        from assistant.serialize import passage_json

        q, k = check_query(body.get("query", "")), _k(body)
        hits = assistant.retriever.search(q, k)
        return {"query": q, "passages": [passage_json(h.passage, assistant.index.doc, h.score) for h in hits]}

    @api.post(
        "/api/cite",
        summary="论断的依据与文献 / Supporting quotes and references for a claim",
        responses=_responses(400, 401, 413, 422, 503),
        openapi_extra=_body(("claim",), claim=("string", "a statement to check / 待核查的论断"), k=K_FIELD),
    )
    def cite(body: dict[str, Any]) -> dict[str, Any]:
        from assistant.errors import check_claim
        from assistant.serialize import cite_json
        from assistant.text import detect_lang

        claim = check_claim(body.get("claim", ""))
        with admission:
            verdict = assistant.citer.cite(claim, _k(body))
        return cite_json(
            verdict,
            assistant.index.doc,
            assistant.glosser if assistant.settings.glosses else None,
            detect_lang(claim),
        )

    @api.post(
        "/api/summarize",
        summary="双语摘要 / Bilingual summary of the review or a section",
        responses=_responses(400, 401, 413, 422, 503),
        openapi_extra=_body((), section=("string", "a section id such as 3.1, or all (default) / 章节编号或 all")),
    )
    def summarize(body: dict[str, Any]) -> dict[str, Any]:
        from assistant.answering.summarize import check_section
        from assistant.answering.summarize import summarize as run

        section = check_section(assistant.index.doc, _string(body, "section", "all"))
        with admission:
            return run(assistant, section, ("zh", "en"))

    @api.get(
        "/api/refs/export",
        summary="参考文献导出 / Export references (ris, csljson, bibtex, gbt7714, gbt7714-ay)",
        responses=_responses(400, 401, 422),
        response_model=None,  # a file, not JSON (and its annotation is imported inside this function)
    )  # before /api/refs/{n}, which would read "export" as a number
    def refs_export(format: str = "ris", refs: str = "", note: bool = False) -> Response:
        """The reference list, or `refs=3,16,20-25`, as a file: ris, csljson, bibtex, gbt7714, gbt7714-ay."""
        from assistant.corpus.exports import check_format, export, select

        fmt = check_format(format)
        doc = assistant.index.doc
        text = export(format, select(doc, refs), doc.references, note)
        return Response(
            text,
            media_type=f"{fmt.media_type}; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="reviewqa-references.{fmt.suffix}"'},
        )

    @api.get(
        "/api/refs/{n}",
        summary="一篇参考文献的档案 / One reference's dossier",
        responses=_responses(400, 401, 422),
    )
    def refs(n: int) -> dict[str, Any]:
        from assistant.research.dossier import dossier
        from assistant.serialize import dossier_json

        return dossier_json(dossier(assistant.index, n, assistant.glosser), assistant.index.doc)

    @api.post(
        "/api/check",
        summary="文稿核查 / Check a draft's statements and citations",
        responses=_responses(400, 401, 413, 422, 503),
        openapi_extra=_body(("text",), text=("string", "the draft's text / 文稿全文")),
    )
    def check(body: dict[str, Any]) -> list[dict[str, Any]] | dict[str, Any]:
        from assistant.research.draft import DraftChecker, check_draft_text
        from assistant.serialize import references_json, sentence_json

        text = check_draft_text(_string(body, "text"))  # before the checker is built
        checker = DraftChecker(assistant.citer)
        with admission:
            checked = checker.check(text)
        return {
            "sentences": [sentence_json(d, checker.doc) for d in checked],
            **references_json(checker.references(checked), checker.doc),
        }

    return api


def _k(body: dict[str, Any]) -> int:
    k = body.get("k", 5)
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 50:  # true is not 1
        raise UserError("k 必须是 1–50 的整数。", "k must be an integer from 1 to 50.")
    return k
