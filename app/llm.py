"""LLM providers behind LangChain's ``BaseChatModel``, and a deadline-guarded streaming call."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

if TYPE_CHECKING:
    from app.settings import AnswerSettings


class LLMError(RuntimeError):
    """The provider failed, refused or timed out."""


def make_chat_model(cfg: AnswerSettings) -> BaseChatModel:
    """Build the configured chat model (nothing is contacted until it is called)."""
    if cfg.provider == "openai":
        if not cfg.base_url:  # an offline tool never falls back to a hosted API
            raise LLMError(
                "no language model is configured: set its server address "
                "(TELAAH_ANSWER__BASE_URL, e.g. http://127.0.0.1:8080/v1)"
            )
        import httpx
        from langchain_openai import ChatOpenAI

        params: dict[str, Any] = {  # ChatOpenAI's aliases, as documented
            "model": cfg.model,
            "base_url": cfg.base_url,
            "api_key": cfg.api_key or "not-needed",  # local servers ignore it
            "temperature": cfg.temperature,
            "max_tokens": cfg.max_tokens,
            "max_retries": cfg.max_retries,
            "timeout": httpx.Timeout(
                cfg.timeout_s, connect=cfg.connect_timeout_s, read=cfg.read_timeout_s
            ),
            "streaming": True,
        }
        return ChatOpenAI(**params)
    if cfg.provider == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(
            model=cfg.model,
            base_url=cfg.base_url,
            temperature=cfg.temperature,
            num_predict=cfg.max_tokens,
            client_kwargs={"timeout": cfg.read_timeout_s},
        )
    if cfg.provider == "llamacpp":
        return LlamaCppChat(
            model_path=cfg.model, max_tokens=cfg.max_tokens, temperature=cfg.temperature
        )
    raise LLMError(f"unknown LLM provider {cfg.provider!r}")


class LlamaCppChat(BaseChatModel):
    """A local GGUF model through llama-cpp-python (optional extra: pip install '.[gguf]')."""

    model_path: str
    max_tokens: int = 400
    temperature: float = 0.0
    n_ctx: int = 4096
    _llm: Any = None

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _client(self) -> Any:
        if self._llm is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise LLMError("llama-cpp-python is not installed (pip install '.[gguf]')") from exc
            self._llm = Llama(model_path=self.model_path, n_ctx=self.n_ctx, verbose=False)
        return self._llm

    def _messages(self, messages: list[BaseMessage]) -> list[dict[str, str]]:
        roles = {"human": "user", "ai": "assistant", "system": "system"}
        return [{"role": roles.get(m.type, "user"), "content": str(m.content)} for m in messages]

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **_: Any,
    ) -> ChatResult:
        out = self._client().create_chat_completion(
            messages=self._messages(messages),
            max_tokens=self.max_tokens,
            temperature=self.temperature,
            stop=stop,
        )
        text = out["choices"][0]["message"]["content"] or ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


@dataclass
class StreamOutcome:
    """What a guarded stream produced."""

    text: str
    incomplete: bool = False
    error: str | None = None


_DONE = object()


def stream_with_deadline(
    model: BaseChatModel,
    messages: list[BaseMessage],
    read_timeout_s: float,
    total_timeout_s: float,
    on_token: Callable[[str], None] | None = None,
) -> StreamOutcome:
    """Stream a reply; cut it at the read deadline (silence) or the total deadline.

    The provider runs in a daemon thread, so a stalled connection never blocks the caller
    (or another user's request) beyond the deadline.
    """
    pieces: queue.Queue[Any] = queue.Queue()

    def worker() -> None:
        try:
            for chunk in model.stream(messages):
                pieces.put(str(chunk.content))
        except Exception as exc:  # noqa: BLE001 - reported to the caller as an outcome
            pieces.put(exc)
        pieces.put(_DONE)

    threading.Thread(target=worker, daemon=True, name="llm-stream").start()
    text: list[str] = []
    deadline = time.monotonic() + total_timeout_s
    while True:
        wait = min(read_timeout_s, deadline - time.monotonic())
        if wait <= 0:
            return StreamOutcome(
                "".join(text), incomplete=True, error="the model exceeded the deadline"
            )
        try:
            item = pieces.get(timeout=wait)
        except queue.Empty:
            return StreamOutcome(
                "".join(text), incomplete=True, error="the model stopped responding"
            )
        if item is _DONE:
            return StreamOutcome("".join(text))
        if isinstance(item, Exception):
            message = str(item).splitlines()[0][:200] if str(item) else type(item).__name__
            return StreamOutcome("".join(text), incomplete=bool(text), error=message)
        text.append(item)
        if on_token:
            on_token(item)
