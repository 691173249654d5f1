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
from assistant.service.guard import Guard, add_login
from assistant.service.guard import json_error as _error
from assistant.streams import close_generator

MODEL_ID = "reviewqa"


def _history(messages: list[dict[str, Any]]) -> tuple[str, list[tuple[str, str]]]:
    """The last user message is the question; earlier user/assistant pairs are the history."""
    if not messages or not isinstance(messages, list):
        raise UserError("messages 不能为空。", "messages must be a non-empty list.")
    turns = [(str(m.get("role", "")), _text(m.get("content", ""))) for m in messages if isinstance(m, dict)]
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
    if isinstance(content, list):  # OpenAI content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content or "")


def build_api(assistant: Any, app_ui: Any, api_key: str = "") -> Any:
    """The FastAPI app: /v1, /api, /healthz, /login with a key (Gradio is mounted on it afterwards)."""
    from fastapi import FastAPI
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import Response, StreamingResponse
    from starlette.background import BackgroundTask

    from assistant.answering.results import DoneEvent, SentenceEvent
    from assistant.errors import check_query
    from assistant.serialize import ask_json

    api = FastAPI(title="reviewqa API", version="1", docs_url="/api/docs", openapi_url="/api/openapi.json")

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
        return _error(400, e.message("en"))

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

    @api.get("/healthz")
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

    @api.get("/v1/models")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "reviewqa"}]}

    @api.post("/v1/chat/completions")
    def chat_completions(body: dict[str, Any], request: Request):
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

    @api.post("/api/retrieve")
    def retrieve(body: dict[str, Any]) -> dict[str, Any]:
        from assistant.serialize import passage_json

        q, k = check_query(str(body.get("query", ""))), _k(body)
        hits = assistant.retriever.search(q, k)
        return {"query": q, "passages": [passage_json(h.passage, assistant.index.doc, h.score) for h in hits]}

    @api.post("/api/cite")
    def cite(body: dict[str, Any]) -> dict[str, Any]:
        from assistant.errors import check_claim
        from assistant.serialize import cite_json
        from assistant.text import detect_lang

        claim = check_claim(str(body.get("claim", "")))
        with admission:
            verdict = assistant.citer.cite(claim, _k(body))
        return cite_json(
            verdict,
            assistant.index.doc,
            assistant.glosser if assistant.settings.glosses else None,
            detect_lang(claim),
        )

    @api.post("/api/summarize")
    def summarize(body: dict[str, Any]) -> dict[str, Any]:
        from assistant.answering.summarize import summarize as run

        section = str(body.get("section", "all"))
        if section != "all" and not any(s.id == section for s in assistant.index.doc.sections):
            raise UserError(f"没有章节 {section}。", f"No section {section}.")
        with admission:
            return run(assistant, section, ("zh", "en"))

    @api.get("/api/refs/export")  # before /api/refs/{n}, which would read "export" as a number
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

    @api.get("/api/refs/{n}")
    def refs(n: int) -> dict[str, Any]:
        from assistant.research.dossier import dossier
        from assistant.serialize import dossier_json

        return dossier_json(dossier(assistant.index, n, assistant.glosser), assistant.index.doc)

    @api.post("/api/check")
    def check(body: dict[str, Any]) -> list[dict[str, Any]] | dict[str, Any]:
        from assistant.research.draft import DraftChecker, check_draft_text
        from assistant.serialize import references_json, sentence_json

        checker = DraftChecker(assistant.citer)
        text = check_draft_text(str(body.get("text", "")))
        with admission:
            checked = checker.check(text)
        return {
            "sentences": [sentence_json(d, checker.doc) for d in checked],
            **references_json(checker.references(checked), checker.doc),
        }

    return api


def _k(body: dict[str, Any]) -> int:
    k = body.get("k", 5)
    if not isinstance(k, int) or not 1 <= k <= 50:
        raise UserError("k 必须是 1–50 的整数。", "k must be an integer from 1 to 50.")
    return k
