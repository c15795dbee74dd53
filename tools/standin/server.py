"""The server: the provider endpoints, the control API, and how to run them."""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import logging
import socket
import struct
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tools.standin import decisions, embeddings, memory, quickadd, stripe, studio
from tools.standin.errors import StandinRequestError, anthropic_error_body, openai_error_body
from tools.standin.faults import ENDPOINTS, PROVIDERS, Behaviour, parse_directives, parse_settings
from tools.standin.mail import MailServer
from tools.standin.replies import answer_tokens
from tools.standin.schema import generate_from_schema
from tools.standin.state import LogEntry, StandinState
from tools.standin.text import estimate_tokens, split_tokens
from tools.standin.wire import Exchange, Frame, generation_ms, install_cut_filter, stream_frames

log = logging.getLogger("aura.ai_standin")

LOGGED_PROMPT_CHARS = 200


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def structured_value(schema: Mapping[str, Any], prompt: str, behaviour: Behaviour) -> Any:
    """The JSON a structured-output request gets: Aura's quick-add reading from its own
    parser when the schema is that one, else a value generated from the schema."""
    if quickadd.matches(schema):
        return quickadd.answer(prompt, mode=behaviour.quickadd)
    if memory.matches(schema):
        return memory.answer(prompt, mode=behaviour.memory)
    if decisions.matches(schema):
        return decisions.answer(prompt, confidence=behaviour.confidence)
    return generate_from_schema(schema, prompt=prompt, label=behaviour.label)


# --- request helpers -------------------------------------------------------------------


def text_of(content: Any) -> str:
    """The text in a message's content: a string or a list of content blocks/parts."""
    if isinstance(content, str):
        text = content
    elif isinstance(content, list):
        text = "\n".join(t for t in (text_of(part) for part in content) if t)
    elif isinstance(content, Mapping):
        if isinstance(content.get("text"), str):
            text = str(content["text"])
        elif "content" in content:
            text = text_of(content["content"])
        else:
            text = _dumps(content["input"]) if "input" in content else ""
    else:
        text = "" if content is None else str(content)
    return text


def last_user_text(messages: Sequence[Any]) -> str:
    for message in reversed(messages):
        if isinstance(message, Mapping) and message.get("role") == "user":
            return text_of(message.get("content"))
    return ""


def system_text(messages: Sequence[Any]) -> str:
    """OpenAI's system prompt: the text of its system (or developer) messages."""
    return "\n".join(
        text_of(m.get("content"))
        for m in messages
        if isinstance(m, Mapping) and m.get("role") in {"system", "developer"}
    )


async def read_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise StandinRequestError(400, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise StandinRequestError(400, "The request body must be a JSON object.")
    return body


# --- the service -----------------------------------------------------------------------


class Standin:
    """The HTTP handlers; one instance per app."""

    def __init__(self, state: StandinState) -> None:
        self.state = state

    # plumbing

    def _request_id(self, entry: LogEntry) -> str:
        return f"req_standin_{entry.id:08d}"

    def _headers(self, provider: str, entry: LogEntry) -> dict[str, str]:
        name = "request-id" if provider == "anthropic" else "x-request-id"
        return {name: self._request_id(entry)}

    def _error(
        self, provider: str, entry: LogEntry, status: int, message: str, *, head_delay_ms: int = 0
    ) -> Exchange:
        if provider == "anthropic":
            body = anthropic_error_body(status, message, self._request_id(entry))
        else:
            body = openai_error_body(status, message)
        headers = {**self._headers(provider, entry), "x-should-retry": "false"}
        return Exchange(
            state=self.state,
            entry=entry,
            status_code=status,
            headers=headers,
            media_type="application/json",
            frames=[Frame(_dumps(body).encode())],
            head_delay_ms=head_delay_ms,
        )

    def _json(
        self, provider: str, entry: LogEntry, payload: Any, *, tokens: int, head_delay_ms: int
    ) -> Exchange:
        return Exchange(
            state=self.state,
            entry=entry,
            status_code=200,
            headers=self._headers(provider, entry),
            media_type="application/json",
            frames=[Frame(_dumps(payload).encode(), tokens=tokens)],
            head_delay_ms=head_delay_ms,
        )

    def _sse(
        self, provider: str, entry: LogEntry, frames: list[Frame], *, broken: bool, hang_ms: int
    ) -> Exchange:
        return Exchange(
            state=self.state,
            entry=entry,
            status_code=200,
            headers=self._headers(provider, entry),
            media_type="text/event-stream; charset=utf-8",
            frames=frames,
            head_delay_ms=hang_ms,
            streaming=True,
            broken=broken,
        )

    def _prepare(
        self, provider: str, endpoint: str, entry: LogEntry, body: Mapping[str, Any], raw: str
    ) -> tuple[str, Behaviour]:
        """Directives from the prompt, the next matching fault, and the resulting behaviour."""
        prompt, directives = parse_directives(raw)
        fault = self.state.take_fault(provider, endpoint)
        behaviour = self.state.defaults
        if fault is not None:
            behaviour = behaviour.overridden(fault.settings)
        behaviour = behaviour.overridden(directives)
        self.state.update(
            entry,
            model=str(body.get("model")) if body.get("model") is not None else None,
            stream=bool(body.get("stream")),
            prompt=prompt[:LOGGED_PROMPT_CHARS],
            fault=fault.id if fault else None,
            directives=directives,
        )
        return prompt, behaviour

    async def _handle(
        self,
        provider: str,
        endpoint: str,
        request: Request,
        handler: Callable[[LogEntry, dict[str, Any]], Awaitable[Exchange]],
    ) -> Response:
        entry = self.state.open_entry(provider, endpoint)
        try:
            body = await read_body(request)
            return await handler(entry, body)
        except StandinRequestError as exc:
            return self._error(provider, entry, exc.status, exc.message)
        except Exception:
            log.exception("request %s failed", entry.id)
            return self._error(provider, entry, 500, "The stand-in failed; see its log.")

    # OpenAI

    async def openai_chat(self, request: Request) -> Response:
        return await self._handle("openai", "chat", request, self._openai_chat)

    async def openai_embeddings(self, request: Request) -> Response:
        return await self._handle("openai", "embeddings", request, self._openai_embeddings)

    async def _openai_chat(self, entry: LogEntry, body: dict[str, Any]) -> Exchange:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise StandinRequestError(400, "Missing required parameter: 'messages'.")
        if not body.get("model"):
            raise StandinRequestError(400, "Missing required parameter: 'model'.")
        prompt, behaviour = self._prepare("openai", "chat", entry, body, last_user_text(messages))
        if behaviour.status is not None:
            return self._error(
                "openai",
                entry,
                behaviour.status,
                f"Stand-in injected error (status {behaviour.status}).",
                head_delay_ms=behaviour.hang_ms,
            )
        prompt_tokens = estimate_tokens(
            sum(len(text_of(m.get("content"))) for m in messages if isinstance(m, Mapping))
        )
        tokens, finish_reason = self._openai_output(body, prompt, behaviour)
        model = str(body["model"])
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(tokens),
            "total_tokens": prompt_tokens + len(tokens),
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        }
        completion_id = f"chatcmpl-standin{entry.id:08d}"
        created = int(time.time())
        if not body.get("stream"):
            payload = {
                "id": completion_id,
                "object": "chat.completion",
                "created": created,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": "".join(tokens),
                            "refusal": None,
                            "annotations": [],
                        },
                        "logprobs": None,
                        "finish_reason": finish_reason,
                    }
                ],
                "usage": usage,
                "service_tier": "default",
                "system_fingerprint": "fp_standin",
            }
            delay = behaviour.hang_ms + generation_ms(behaviour, len(tokens))
            return self._json("openai", entry, payload, tokens=len(tokens), head_delay_ms=delay)

        options = body.get("stream_options")
        include_usage = isinstance(options, Mapping) and bool(options.get("include_usage"))

        def chunk(choices: list[dict[str, Any]], **extra: Any) -> bytes:
            data = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "service_tier": "default",
                "system_fingerprint": "fp_standin",
                "choices": choices,
                **({"usage": None} if include_usage else {}),
                **extra,
            }
            return f"data: {_dumps(data)}\n\n".encode()

        def delta(content: dict[str, Any], finish: str | None = None) -> list[dict[str, Any]]:
            return [{"index": 0, "delta": content, "logprobs": None, "finish_reason": finish}]

        epilogue = [chunk(delta({}, finish_reason))]
        if include_usage:
            epilogue.append(chunk([], usage=usage))
        epilogue.append(b"data: [DONE]\n\n")
        frames, broken = stream_frames(
            preamble=[chunk(delta({"role": "assistant", "content": "", "refusal": None}))],
            tokens=[chunk(delta({"content": token})) for token in tokens],
            epilogue=epilogue,
            malformed=b'data: {"id": "' + completion_id.encode() + b'", "choices": [{"delta": \n\n',
            behaviour=behaviour,
        )
        return self._sse("openai", entry, frames, broken=broken, hang_ms=behaviour.hang_ms)

    def _openai_output(
        self, body: Mapping[str, Any], prompt: str, behaviour: Behaviour
    ) -> tuple[list[str], str]:
        """The completion's tokens and finish reason."""
        response_format = body.get("response_format")
        kind = response_format.get("type") if isinstance(response_format, Mapping) else None
        if kind == "json_schema":
            spec = response_format.get("json_schema") if response_format else None
            schema = spec.get("schema") if isinstance(spec, Mapping) else None
            if not isinstance(schema, Mapping):
                raise StandinRequestError(
                    400, "Missing required parameter: 'response_format.json_schema.schema'."
                )
            value = structured_value(schema, prompt, behaviour)
            return self._json_tokens(value, behaviour), "stop"
        if kind == "json_object":
            answer = "".join(answer_tokens(prompt, behaviour.tokens))
            return self._json_tokens({"answer": answer}, behaviour), "stop"
        messages = body.get("messages") or []
        # A studio request gets its artefact whole (no default length), cut only by a limit.
        tokens = studio.answer_tokens(
            system_text(messages), last_user_text(messages), behaviour.studio
        ) or answer_tokens(prompt, behaviour.tokens)
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        if isinstance(limit, int) and 0 < limit < len(tokens):
            return tokens[:limit], "length"
        return tokens, "stop"

    @staticmethod
    def _json_tokens(value: Any, behaviour: Behaviour) -> list[str]:
        text = _dumps(value)
        if behaviour.invalid_json:
            text += "}}"
        return split_tokens(text)

    async def _openai_embeddings(self, entry: LogEntry, body: dict[str, Any]) -> Exchange:
        raw_input = body.get("input")
        if isinstance(raw_input, str):
            texts = [raw_input]
        elif isinstance(raw_input, list) and raw_input:
            texts = [t if isinstance(t, str) else _dumps(t) for t in raw_input]
            if all(isinstance(t, int) for t in raw_input):  # one array of token ids
                texts = [_dumps(raw_input)]
        else:
            raise StandinRequestError(400, "'input' must be a string or a non-empty array.")
        if not body.get("model"):
            raise StandinRequestError(400, "Missing required parameter: 'model'.")
        if any(not t for t in texts):
            raise StandinRequestError(400, "'$.input' is invalid: a text cannot be empty.")
        dimensions = body.get("dimensions", embeddings.DEFAULT_DIMENSIONS)
        if not isinstance(dimensions, int) or isinstance(dimensions, bool) or dimensions < 1:
            raise StandinRequestError(400, "'dimensions' must be a positive integer.")
        largest = await asyncio.to_thread(embeddings.max_dimensions)  # loads WordLlama once
        if largest is not None and dimensions > largest:
            raise StandinRequestError(
                400, f"This stand-in's offline model gives at most {largest} dimensions."
            )
        _, behaviour = self._prepare("openai", "embeddings", entry, body, texts[0])
        if behaviour.status is not None:
            message = f"Stand-in injected error (status {behaviour.status})."
            return self._error(
                "openai", entry, behaviour.status, message, head_delay_ms=behaviour.hang_ms
            )
        vectors = await asyncio.to_thread(embeddings.embed_texts, texts, dimensions)
        as_base64 = body.get("encoding_format") == "base64"
        data = []
        for index, vector in enumerate(vectors):
            encoded: Any = vector
            if as_base64:
                encoded = base64.b64encode(struct.pack(f"<{dimensions}f", *vector)).decode()
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        prompt_tokens = sum(estimate_tokens(len(t)) for t in texts)
        payload = {
            "object": "list",
            "data": data,
            "model": str(body["model"]),
            "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
        }
        return self._json("openai", entry, payload, tokens=0, head_delay_ms=behaviour.hang_ms)

    # Anthropic

    async def anthropic_messages(self, request: Request) -> Response:
        return await self._handle("anthropic", "messages", request, self._anthropic_messages)

    async def _anthropic_messages(self, entry: LogEntry, body: dict[str, Any]) -> Exchange:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise StandinRequestError(400, "messages: Field required")
        if not body.get("model"):
            raise StandinRequestError(400, "model: Field required")
        max_tokens = body.get("max_tokens")
        if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
            raise StandinRequestError(400, "max_tokens: Field required (a positive integer)")
        prompt, behaviour = self._prepare(
            "anthropic", "messages", entry, body, last_user_text(messages)
        )
        if behaviour.status is not None:
            return self._error(
                "anthropic",
                entry,
                behaviour.status,
                f"Stand-in injected error (status {behaviour.status}).",
                head_delay_ms=behaviour.hang_ms,
            )
        characters = len(text_of(body.get("system"))) + sum(
            len(text_of(m.get("content"))) for m in messages if isinstance(m, Mapping)
        )
        input_tokens = estimate_tokens(characters)
        tool = self._forced_tool(body)
        message_id = f"msg_standin{entry.id:08d}"
        if tool is not None:
            schema = tool.get("input_schema")
            value = structured_value(
                schema if isinstance(schema, Mapping) else {}, prompt, behaviour
            )
            tokens = split_tokens(_dumps(value))
            block: dict[str, Any] = {
                "type": "tool_use",
                "id": f"toolu_standin{entry.id:08d}",
                "name": str(tool.get("name")),
                "input": value,
            }
            stop_reason = "tool_use"
        else:
            tokens, stop_reason = self._anthropic_text(body, prompt, behaviour, max_tokens)
            block = {"type": "text", "text": "".join(tokens)}
        message: dict[str, Any] = {
            "id": message_id,
            "type": "message",
            "role": "assistant",
            "model": str(body["model"]),
            "content": [block],
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {
                "input_tokens": input_tokens,
                "output_tokens": len(tokens),
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
                "service_tier": "standard",
            },
        }
        if not body.get("stream"):
            if block["type"] == "tool_use" and behaviour.invalid_json:
                # The body itself must stay JSON: the broken document travels as a string,
                # which the SDK passes through, and which no object schema accepts.
                message["content"] = [{**block, "input": _dumps(block["input"]) + "}}"}]
            delay = behaviour.hang_ms + generation_ms(behaviour, len(tokens))
            return self._json("anthropic", entry, message, tokens=len(tokens), head_delay_ms=delay)

        if block["type"] == "tool_use":
            start_block = {**block, "input": {}}
            if behaviour.invalid_json:
                tokens = [*tokens, "}}"]
            deltas = [{"type": "input_json_delta", "partial_json": t} for t in tokens]
        else:
            start_block = {"type": "text", "text": ""}
            deltas = [{"type": "text_delta", "text": t} for t in tokens]
        start = {
            **message,
            "content": [],
            "stop_reason": None,
            "usage": {**message["usage"], "output_tokens": 0},
        }

        def event(kind: str, **data: Any) -> bytes:
            return f"event: {kind}\ndata: {_dumps({'type': kind, **data})}\n\n".encode()

        frames, broken = stream_frames(
            preamble=[
                event("message_start", message=start),
                event("content_block_start", index=0, content_block=start_block),
                event("ping"),
            ],
            tokens=[event("content_block_delta", index=0, delta=d) for d in deltas],
            epilogue=[
                event("content_block_stop", index=0),
                event(
                    "message_delta",
                    delta={"stop_reason": stop_reason, "stop_sequence": None},
                    usage={"output_tokens": len(tokens)},
                ),
                event("message_stop"),
            ],
            malformed=(
                b"event: content_block_delta\n"
                b'data: {"type": "content_block_delta", "index": 0, "delta": \n\n'
            ),
            behaviour=behaviour,
        )
        return self._sse("anthropic", entry, frames, broken=broken, hang_ms=behaviour.hang_ms)

    @staticmethod
    def _forced_tool(body: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The tool the request forces (`tool_choice` of type tool or any), if any."""
        tools = [t for t in body.get("tools") or [] if isinstance(t, Mapping)]
        choice = body.get("tool_choice")
        if not tools or not isinstance(choice, Mapping):
            return None
        if choice.get("type") == "any":
            return tools[0]
        if choice.get("type") != "tool":
            return None
        for tool in tools:
            if tool.get("name") == choice.get("name"):
                return tool
        raise StandinRequestError(
            400, f"tool_choice: tool {choice.get('name')!r} is not in 'tools'"
        )

    def _anthropic_text(
        self, body: Mapping[str, Any], prompt: str, behaviour: Behaviour, max_tokens: int
    ) -> tuple[list[str], str]:
        config = body.get("output_config")
        output_format = config.get("format") if isinstance(config, Mapping) else None
        if isinstance(output_format, Mapping) and output_format.get("type") == "json_schema":
            schema = output_format.get("schema")
            value = structured_value(
                schema if isinstance(schema, Mapping) else {}, prompt, behaviour
            )
            return self._json_tokens(value, behaviour), "end_turn"
        tokens = studio.answer_tokens(
            text_of(body.get("system")),
            last_user_text(body.get("messages") or []),
            behaviour.studio,
        ) or answer_tokens(prompt, behaviour.tokens)
        if max_tokens < len(tokens):
            return tokens[:max_tokens], "max_tokens"
        return tokens, "end_turn"

    # fallbacks for unknown provider paths

    async def openai_unknown(self, request: Request) -> Response:
        body = openai_error_body(404, f"Unknown request URL: {request.method} {request.url.path}")
        return JSONResponse(body, status_code=404, headers={"x-should-retry": "false"})

    async def anthropic_unknown(self, request: Request) -> Response:
        message = f"Not found: {request.method} {request.url.path}"
        body = anthropic_error_body(404, message, "req_standin_unknown")
        return JSONResponse(body, status_code=404, headers={"x-should-retry": "false"})

    # control API

    async def health(self, request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def add_fault(self, request: Request) -> Response:
        try:
            body = await read_body(request)
            provider = body.pop("provider", "*")
            endpoint = body.pop("endpoint", "*")
            count = body.pop("count", 1)
            if provider not in {*PROVIDERS, "*"}:
                raise StandinRequestError(400, "provider must be 'openai', 'anthropic' or '*'")
            if endpoint not in {*ENDPOINTS, "*"}:
                raise StandinRequestError(400, f"endpoint must be one of {[*ENDPOINTS, '*']}")
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                raise StandinRequestError(400, "count must be a positive integer")
            settings = parse_settings(body)
        except StandinRequestError as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        fault = self.state.add_fault(provider, endpoint, count, settings)
        log.info("fault %s armed: %s", fault.id, fault.to_json())
        return JSONResponse(fault.to_json())

    async def list_faults(self, request: Request) -> Response:
        return JSONResponse(self.state.faults())

    async def clear_faults(self, request: Request) -> Response:
        return JSONResponse({"cleared": self.state.clear_faults()})

    async def list_requests(self, request: Request) -> Response:
        return JSONResponse(self.state.entries())

    async def clear_requests(self, request: Request) -> Response:
        return JSONResponse({"cleared": self.state.clear_entries()})


def create_app(
    *,
    first_token_delay_ms: int = 30,
    token_delay_ms: int = 10,
    stripe_webhook_url: str | None = None,
) -> Starlette:
    """The stand-in as an ASGI app; `app.state.standin` is its `StandinState`, and
    `app.state.stripe` the Stripe stand-in's (tools/standin/stripe.py), which sends its
    events to `stripe_webhook_url`."""
    install_cut_filter()
    state = StandinState(
        Behaviour(first_token_delay_ms=first_token_delay_ms, token_delay_ms=token_delay_ms)
    )
    service = Standin(state)
    any_method = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    routes = [
        Route("/openai/v1/chat/completions", service.openai_chat, methods=["POST"]),
        Route("/openai/v1/embeddings", service.openai_embeddings, methods=["POST"]),
        Route("/openai/{path:path}", service.openai_unknown, methods=any_method),
        Route("/anthropic/v1/messages", service.anthropic_messages, methods=["POST"]),
        Route("/anthropic/{path:path}", service.anthropic_unknown, methods=any_method),
        Route("/_standin/health", service.health, methods=["GET"]),
        Route("/_standin/faults", service.add_fault, methods=["POST"]),
        Route("/_standin/faults", service.list_faults, methods=["GET"]),
        Route("/_standin/faults", service.clear_faults, methods=["DELETE"]),
        Route("/_standin/requests", service.list_requests, methods=["GET"]),
        Route("/_standin/requests", service.clear_requests, methods=["DELETE"]),
    ]
    stripe_state = stripe.StripeState(webhook_url=stripe_webhook_url)
    routes += stripe.routes(stripe_state)
    app = Starlette(routes=routes)
    app.state.standin = state
    app.state.stripe = stripe_state
    return app


def _server_config(app: Starlette, **options: Any) -> uvicorn.Config:
    return uvicorn.Config(app, http="h11", ws="none", lifespan="off", loop="asyncio", **options)


def serve_in_thread(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    first_token_delay_ms: int = 30,
    token_delay_ms: int = 10,
) -> tuple[str, Callable[[], None]]:
    """Run the stand-in in a daemon thread; returns its base URL and a function to stop it."""
    app = create_app(first_token_delay_ms=first_token_delay_ms, token_delay_ms=token_delay_ms)
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose proto says TCP,
    # and without it every response pays a 40 ms delayed-ACK stall.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    config = _server_config(app, log_config=None, access_log=False, timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="ai-standin", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the AI stand-in did not start")
        time.sleep(0.01)
    bound_port = sock.getsockname()[1]

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=5)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout=5)
        sock.close()

    return f"http://{host}:{bound_port}", stop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.standin",
        description="Serve a deterministic stand-in for the OpenAI and Anthropic APIs.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--first-token-delay-ms", type=int, default=30)
    parser.add_argument("--token-delay-ms", type=int, default=10)
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    parser.add_argument("--stripe-webhook-url", default=None, help="where Stripe events go")
    parser.add_argument(
        "--mail-port", type=int, default=0, help="run the SMTP capture server on this port"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="[ai-standin] %(levelname)s %(name)s: %(message)s"
    )
    app = create_app(
        first_token_delay_ms=args.first_token_delay_ms,
        token_delay_ms=args.token_delay_ms,
        stripe_webhook_url=args.stripe_webhook_url,
    )
    log.info(
        "OpenAI base_url http://%s:%s/openai/v1, Anthropic base_url http://%s:%s/anthropic",
        args.host,
        args.port,
        args.host,
        args.port,
    )
    config = _server_config(
        app, host=args.host, port=args.port, log_config=None, log_level=args.log_level
    )
    # The local mail server (tools/standin/mail.py): its own thread, routes in this app.
    mail = MailServer(host=args.host, port=args.mail_port) if args.mail_port else None
    if mail is not None:
        app.router.routes.extend(mail.routes())
        mail.start()
        log.info("SMTP capture server on %s:%s", args.host, args.mail_port)
    try:
        uvicorn.Server(config).run()
    finally:
        if mail is not None:
            mail.stop()
    return 0
