"""Pick the answering backend from settings; all LLMs sit behind LangChain's chat-model interface.

- `local` (default): the bundled GGUF run in-process by xllamacpp; no keys, offline.
- `openai`: any OpenAI-compatible endpoint (OpenAI, DeepSeek, DashScope, vLLM, Ollama, llama.cpp).
- `extractive`: no LLM; answers quote the best supporting sentences.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from assistant.errors import ModelError, UserError
from assistant.settings import CHOICES, Settings

BACKENDS = CHOICES["llm_backend"]


@dataclass
class Backend:
    name: str  # local | openai | extractive
    model: str  # model name shown to the user
    chat: Any = None  # a LangChain BaseChatModel, None for extractive
    endpoint: str = ""  # for openai: the base URL (never the key)


class LLMUnavailable(UserError):
    """The LLM cannot answer now (endpoint unreachable, timeout, bad key, model missing)."""


def openai_config(s: Settings) -> tuple[str, str, str]:
    base = s.openai_base_url or os.environ.get("OPENAI_BASE_URL", "") or "https://api.openai.com/v1"
    key = s.openai_api_key or os.environ.get("OPENAI_API_KEY", "")
    model = s.openai_model or os.environ.get("OPENAI_MODEL", "") or "gpt-4o-mini"
    return base, key, model


def get_backend(s: Settings, name: str | None = None) -> Backend:
    """Build the chat model for a backend (the local model loads lazily on first call)."""
    name = (name or s.llm_backend).lower()
    if name not in BACKENDS:
        raise UserError(
            f"未知的后端 {name!r}(可选:local、openai、extractive)。",
            f"Unknown backend {name!r} (choose local, openai or extractive).",
        )
    if name == "extractive":
        return Backend("extractive", "extractive")
    if name == "openai":
        base, key, model = openai_config(s)
        return _openai_backend(s, base, key, model, max_tokens=s.llm_max_tokens, streaming=True)
    from assistant.llm.gguf import FILENAME, ensure_gguf
    from assistant.llm.local import ChatLocalLlama

    path = s.llm_model_path or str(ensure_gguf(s.cache_dir))
    label = FILENAME.removesuffix(".gguf") if not s.llm_model_path else os.path.basename(path)
    chat = ChatLocalLlama(
        model_path=path, model_name=label, n_ctx=s.llm_ctx, threads=s.llm_threads, max_tokens=s.llm_max_tokens
    )
    return Backend("local", label, chat)


def describe_failure(b: Backend, e: BaseException) -> LLMUnavailable:
    """A one-line, key-free description of why a backend failed."""
    if isinstance(e, UserError):
        return LLMUnavailable(e.zh, e.en)
    kind = type(e).__name__
    if b.name == "openai":
        names = {c.__name__ for c in type(e).__mro__}  # openai's errors subclass each other
        cause = e.__cause__ or e.__context__
        if cause is not None:
            names |= {c.__name__ for c in type(cause).__mro__}
        if names & {"AuthenticationError", "PermissionDeniedError"}:
            what = ("拒绝了密钥", "refused the key")
        elif names & {"APITimeoutError", "TimeoutException", "ReadTimeout", "TimeoutError"}:
            what = ("请求超时", "timed out")
        elif names & {"APIConnectionError", "ConnectError", "ConnectionError"}:
            what = ("无法连接", "cannot connect")
        elif "NotFoundError" in names:
            what = ("找不到模型", "does not have the model")
        elif "RateLimitError" in names:
            what = ("请求过于频繁", "is rate limiting")
        else:
            what = ("返回了无效的响应", "returned an invalid response")
        return LLMUnavailable(
            f"OpenAI 兼容接口 {b.endpoint} {what[0]}", f"The OpenAI-compatible endpoint {b.endpoint} {what[1]}"
        )
    if isinstance(e, ModelError):
        return LLMUnavailable(e.zh, e.en)
    return LLMUnavailable(f"本地模型出错:{kind}", f"The local model failed: {kind}")


def get_judge_backend(s: Settings, answering: Backend) -> Backend | None:
    """The entailment judge's model: by default the answering LLM; or the bundled model, or another
    OpenAI-compatible endpoint (answer locally, judge with a stronger hosted model, or the reverse);
    None for `none` (then only near-verbatim restatements are certified)."""
    name = s.judge_backend
    if name == "none":
        return None
    if name == "auto":
        return answering if answering.chat is not None else None
    if name == "local":
        return answering if answering.name == "local" else get_backend(s, "local")
    base, key, model = openai_config(s)
    base, key, model = s.judge_base_url or base, s.judge_api_key or key, s.judge_model or model
    return _openai_backend(s, base, key, model, max_tokens=1, streaming=False)


def _openai_backend(s: Settings, base: str, key: str, model: str, max_tokens: int, streaming: bool) -> Backend:
    """A chat model over an OpenAI-compatible endpoint, with the configured timeout and retries."""
    from langchain_openai import ChatOpenAI

    # every try of a request fits in the answer bound: a hanging endpoint costs at most that, not
    # timeout × (retries + 1) per call
    timeout = min(s.openai_timeout, s.answer_seconds / (s.openai_max_retries + 1))
    chat = ChatOpenAI(
        model=model,
        base_url=base,
        api_key=key or "not-needed",
        timeout=timeout,
        max_retries=s.openai_max_retries,
        temperature=0,
        max_tokens=max_tokens,
        streaming=streaming,
    )
    from assistant.text import mask_userinfo

    return Backend("openai", model, chat, mask_userinfo(base))  # what is shown never holds credentials
