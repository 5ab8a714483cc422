"""LLM providers behind LangChain's ``BaseChatModel``, and a deadline-guarded streaming call."""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

if TYPE_CHECKING:
    from app.settings import AnswerSettings


_MAX_FIRST_TOKEN_S = 300.0
CHARS_PER_TOKEN = 3.5  # Indonesian and English text in the tokenizers of small chat models


class LLMError(RuntimeError):
    """The provider failed, refused or timed out."""


def estimate_tokens(messages: list[BaseMessage]) -> int:
    """An estimate of a prompt's tokens (characters / 3.5; no tokenizer is loaded)."""
    chars = sum(len(str(m.content)) for m in messages)
    return math.ceil(chars / CHARS_PER_TOKEN)


def first_token_deadline(cfg: AnswerSettings, prompt_tokens: int) -> float:
    """Seconds to wait for the first token: the setting, or the time the provider needs to read
    the prompt at its measured speed, with room to spare."""
    if cfg.first_token_timeout_s is not None:
        return cfg.first_token_timeout_s
    reading = prompt_tokens / max(cfg.prompt_tokens_per_s, 1.0)
    return min(_MAX_FIRST_TOKEN_S, cfg.connect_timeout_s + 5.0 + 1.5 * reading)


def make_chat_model(cfg: AnswerSettings) -> BaseChatModel:
    """Build the configured chat model (nothing is contacted until it is called)."""
    if cfg.provider == "openai":
        if not cfg.base_url:  # an offline tool never falls back to a hosted API
            raise LLMError(
                "no language model is configured: set its server address "
                "(TELAAH_ANSWER__BASE_URL, e.g. http://127.0.0.1:8080/v1)"
            )
        from langchain_openai import ChatOpenAI

        params: dict[str, Any] = {  # ChatOpenAI's aliases, as documented
            "model": cfg.model,
            "base_url": cfg.base_url,
            "api_key": cfg.api_key or "not-needed",  # local servers ignore it
            "temperature": cfg.temperature,
            "max_tokens": cfg.max_tokens,
            "max_retries": cfg.max_retries,
            # Silence and the first-token wait are guarded by stream_with_deadline, which
            # knows the prompt's size; the client only bounds connecting and the whole call.
            # A plain (connect, read, write, pool) tuple: the openai client's HTTP library
            # (httpx, or its fork httpx2 since openai 3.63) reads it, and neither takes the
            # other's Timeout object.
            "timeout": (cfg.connect_timeout_s, *(cfg.timeout_s + _MAX_FIRST_TOKEN_S,) * 3),
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
            client_kwargs={"timeout": cfg.timeout_s + _MAX_FIRST_TOKEN_S},
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
            if not Path(self.model_path).is_file():
                raise LLMError(
                    f"no GGUF model at {self.model_path}: run `telaah llm setup` (or set "
                    "TELAAH_ANSWER__MODEL to a .gguf file)"
                )
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise LLMError(
                    "llama-cpp-python is not installed: pip install -e '.[gguf]' (it builds "
                    "from source, about 13 minutes on two cores)"
                ) from exc
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

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **_: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """Tokens as the model writes them (the chat shows them at once)."""
        for part in self._client().create_chat_completion(
            messages=self._messages(messages),
            max_tokens=self.max_tokens,
            temperature=self.temperature,
            stop=stop,
            stream=True,
        ):
            token = part["choices"][0].get("delta", {}).get("content") or ""
            if token:
                yield ChatGenerationChunk(message=AIMessageChunk(content=token))


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
    first_token_s: float,
    read_timeout_s: float,
    total_timeout_s: float,
    on_token: Callable[[str], None] | None = None,
) -> StreamOutcome:
    """Stream a reply: wait up to ``first_token_s`` for the first token (the model reads the
    prompt meanwhile), then cut it after ``read_timeout_s`` of silence or ``total_timeout_s``
    after the first token.

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
    deadline = time.monotonic() + first_token_s + total_timeout_s
    while True:
        silence = read_timeout_s if text else first_token_s
        wait = min(silence, deadline - time.monotonic())
        if wait <= 0:
            return StreamOutcome(
                "".join(text), incomplete=True, error="the model exceeded the deadline"
            )
        try:
            item = pieces.get(timeout=wait)
        except queue.Empty:
            why = "the model stopped responding" if text else "the model did not start answering"
            return StreamOutcome("".join(text), incomplete=True, error=why)
        if item is _DONE:
            return StreamOutcome("".join(text))
        if isinstance(item, Exception):
            message = str(item).splitlines()[0][:200] if str(item) else type(item).__name__
            return StreamOutcome("".join(text), incomplete=bool(text), error=message)
        text.append(item)
        if on_token:
            on_token(item)
