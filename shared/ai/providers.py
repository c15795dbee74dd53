"""The two providers behind one small interface, through their official SDKs.

The SDKs are imported on first use (together they add ~2 s to an import) and each
client is created once per instance. SDK retries are off: the gateway owns retries and
fallback, so one policy covers both providers.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from typing import Any, Protocol, runtime_checkable

from shared.ai.config import GatewayConfig, ProviderConfig
from shared.ai.errors import ProviderError
from shared.ai.models import AIRequest, Provider

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
SCHEMA_TOOL = "result"


class TextStream(Protocol):
    """Text deltas of one streamed answer; `close()` stops generation (and billing)."""

    def __iter__(self) -> Iterator[str]: ...

    def close(self) -> None: ...

    @property
    def usage(self) -> tuple[int | None, int | None]:
        """(input, output) tokens as reported by the provider, when it reported them."""


class ProviderClient(Protocol):
    name: Provider

    def complete(
        self, request: AIRequest, model: str, json_schema: dict[str, Any] | None = None
    ) -> tuple[str, int, int]:
        """Returns (text, input tokens, output tokens)."""

    def stream(self, request: AIRequest, model: str) -> TextStream: ...


@runtime_checkable
class EmbeddingClient(Protocol):
    """A provider with an embeddings API (OpenAI; Anthropic has none)."""

    name: Provider

    def embed(self, texts: list[str], model: str, dimensions: int) -> tuple[list[list[float]], int]:
        """Returns (a vector per text, in order; input tokens)."""


SDK_MODULES = frozenset({"openai", "anthropic", "httpx", "httpx2", "httpcore", "h11", "json"})


def classify(provider: str, exc: Exception) -> ProviderError:
    """Turn an SDK (or transport) exception into a ProviderError that says if a retry helps.

    Anything else (a TypeError from a wrong argument, say) is a bug and is re-raised.
    """
    if type(exc).__module__.split(".")[0] not in SDK_MODULES:
        raise exc
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return ProviderError(
            provider, f"HTTP {status}", retryable=status in RETRYABLE_STATUS, status=status
        )
    # Connection failures, timeouts, broken or malformed streams: worth another attempt.
    return ProviderError(provider, f"{type(exc).__name__}: {exc}"[:300], retryable=True)


class _SDKStream:
    """Adapts an SDK stream: iterates text, remembers usage, closes from any thread."""

    def __init__(self, provider: Provider, raw: Any, extract: Any) -> None:
        self._provider = provider
        self._raw = raw
        self._extract = extract
        self._usage: list[int | None] = [None, None]
        self._lock = threading.Lock()
        self._closed = False

    def __iter__(self) -> Iterator[str]:
        try:
            for event in self._raw:
                text = self._extract(event, self._usage)
                if text:
                    yield text
        except Exception as exc:
            if self._closed:
                return  # closed on purpose (stop, cap): not a failure
            raise classify(self._provider, exc) from exc

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        # Closing a broken stream may fail too; either way it is closed.
        with contextlib.suppress(Exception):
            self._raw.close()

    @property
    def usage(self) -> tuple[int | None, int | None]:
        return self._usage[0], self._usage[1]


class _LazySDK:
    """Creates the provider's SDK client on first use, once, whatever the thread."""

    def __init__(self, config: ProviderConfig, timeout_s: float, stall_s: float) -> None:
        self._config = config
        self._timeout_s = timeout_s
        self._stall_s = stall_s
        self._sdk: Any = None
        self._lock = threading.Lock()

    def _sdk_module(self) -> Any:
        """The SDK's module, imported on first use."""
        raise NotImplementedError

    def _client(self) -> Any:
        with self._lock:
            if self._sdk is None:
                self._sdk = self._sdk_module().Client(
                    api_key=self._config.api_key,
                    base_url=self._config.base_url,
                    max_retries=0,  # the gateway owns retries and fallback
                    timeout=self._timeout_s,
                )
            return self._sdk

    def _stream_timeout(self) -> Any:
        """The overall timeout, but at most `stall_s` between two chunks of a stream."""
        return self._sdk_module().Timeout(self._timeout_s, read=self._stall_s)


class OpenAIClient(_LazySDK):
    name: Provider = "openai"

    def _sdk_module(self) -> Any:
        import openai

        return openai

    def _messages(self, request: AIRequest) -> list[dict[str, str]]:
        system = [{"role": "system", "content": request.system}] if request.system else []
        return system + [m.model_dump() for m in request.messages]

    def complete(
        self, request: AIRequest, model: str, json_schema: dict[str, Any] | None = None
    ) -> tuple[str, int, int]:
        extra: dict[str, Any] = {}
        if json_schema is not None:
            extra["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": SCHEMA_TOOL, "schema": json_schema},
            }
        try:
            response = self._client().chat.completions.create(
                model=model,
                messages=self._messages(request),
                max_tokens=request.max_tokens,
                temperature=request.temperature,
                **extra,
            )
        except Exception as exc:
            raise classify(self.name, exc) from exc
        usage = response.usage
        text = response.choices[0].message.content or "" if response.choices else ""
        return text, usage.prompt_tokens if usage else 0, usage.completion_tokens if usage else 0

    def stream(self, request: AIRequest, model: str) -> TextStream:
        try:
            raw = self._client().chat.completions.create(
                model=model,
                messages=self._messages(request),
                max_tokens=request.max_tokens,
                temperature=request.temperature,
                stream=True,
                stream_options={"include_usage": True},
                timeout=self._stream_timeout(),
            )
        except Exception as exc:
            raise classify(self.name, exc) from exc

        def extract(chunk: Any, usage: list[int | None]) -> str:
            if chunk.usage is not None:
                usage[0], usage[1] = chunk.usage.prompt_tokens, chunk.usage.completion_tokens
            return "".join(c.delta.content or "" for c in chunk.choices if c.delta)

        return _SDKStream(self.name, raw, extract)

    def embed(self, texts: list[str], model: str, dimensions: int) -> tuple[list[list[float]], int]:
        # The SDK asks for base64 (a quarter of the JSON's size) and decodes it to floats.
        try:
            response = self._client().embeddings.create(
                model=model, input=texts, dimensions=dimensions
            )
        except Exception as exc:
            raise classify(self.name, exc) from exc
        rows = sorted(response.data, key=lambda row: row.index)
        if len(rows) != len(texts) or any(len(r.embedding) != dimensions for r in rows):
            raise ProviderError(
                self.name,
                f"embeddings answer has {len(rows)} vectors for {len(texts)} texts",
                retryable=True,
            )
        vectors = [[float(v) for v in row.embedding] for row in rows]
        return vectors, response.usage.prompt_tokens if response.usage else 0


class AnthropicClient(_LazySDK):
    name: Provider = "anthropic"

    def _sdk_module(self) -> Any:
        import anthropic

        return anthropic

    def _params(self, request: AIRequest, model: str) -> dict[str, Any]:
        # The Messages API of this SDK takes no sampling temperature; determinism for the
        # cache comes from the request, not from the provider.
        params: dict[str, Any] = {
            "model": model,
            "max_tokens": request.max_tokens,
            "messages": [m.model_dump() for m in request.messages],
        }
        if request.system:
            params["system"] = request.system
        return params

    def complete(
        self, request: AIRequest, model: str, json_schema: dict[str, Any] | None = None
    ) -> tuple[str, int, int]:
        params = self._params(request, model)
        if json_schema is not None:
            params["tools"] = [
                {
                    "name": SCHEMA_TOOL,
                    "description": "Return the result.",
                    "input_schema": json_schema,
                }
            ]
            params["tool_choice"] = {"type": "tool", "name": SCHEMA_TOOL}
        try:
            response = self._client().messages.create(**params)
        except Exception as exc:
            raise classify(self.name, exc) from exc
        parts = []
        for block in response.content:
            if block.type == "tool_use":
                parts.append(json.dumps(block.input))
            elif block.type == "text":
                parts.append(block.text)
        return "".join(parts), response.usage.input_tokens, response.usage.output_tokens

    def stream(self, request: AIRequest, model: str) -> TextStream:
        try:
            raw = self._client().messages.create(
                **self._params(request, model), stream=True, timeout=self._stream_timeout()
            )
        except Exception as exc:
            raise classify(self.name, exc) from exc

        def extract(event: Any, usage: list[int | None]) -> str:
            match event.type:
                case "message_start":
                    usage[0] = event.message.usage.input_tokens
                case "message_delta":
                    usage[1] = event.usage.output_tokens
                case "content_block_delta" if event.delta.type == "text_delta":
                    return str(event.delta.text)
            return ""

        return _SDKStream(self.name, raw, extract)


def build_clients(config: GatewayConfig) -> dict[Provider, ProviderClient]:
    """A client per configured provider."""
    factories: dict[Provider, type[OpenAIClient] | type[AnthropicClient]] = {
        "openai": OpenAIClient,
        "anthropic": AnthropicClient,
    }
    return {
        name: factories[name](provider, config.timeout_s, config.stall_s)
        for name, provider in config.providers.items()
        if provider.configured
    }
