"""After a reply: what the fast tier adds to the conversation (best effort).

The user message gets an intent (`{label, confidence}`) and entities; an untitled
conversation gets a title; and when older turns no longer fit the reply's context, the
conversation's running summary is refreshed to stand for them. A failure here is logged
and never fails the reply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from pydantic import BaseModel

from shared.ai.gateway import Tab
from shared.ai.models import AIRequest, AIResult, Message
from shared.chat.context import SYSTEM_PROMPT, build_context, history_turns
from shared.chat.models import (
    CONTEXT_BUDGET_TOKENS,
    ConversationDoc,
    IntentResult,
    MessageDoc,
    TitleResult,
)
from shared.chat.repository import ChatRepository
from shared.errors import AuraError
from shared.platform import logs

M = TypeVar("M", bound=BaseModel)


class Labeller(Protocol):
    """What enrichment asks of the AI gateway: structured and plain answers."""

    def structured(
        self,
        request: AIRequest,
        output: type[M],
        *,
        plan: str,
        tab: Tab | None = None,
        cache: bool = True,
    ) -> tuple[M, AIResult]: ...

    def complete(self, request: AIRequest, *, plan: str) -> AIResult: ...


@dataclass(frozen=True)
class Enrichment:
    """What enrichment found for the conversation document (written with the turn's
    usage, in one write: `ChatRepository.conclude`)."""

    title: str | None = None
    summary: tuple[str, int] | None = None  # the text, and how many turns it covers


def requests(*, uid: str, text: str, titled: bool) -> list[AIRequest]:
    """The fast-tier calls enrichment makes for a user message whose text is `text`: its
    intent, and a title when the conversation has none (`titled`). The turn reserves
    quota for them with its reply, on one tab."""
    intent = AIRequest(
        uid=uid,
        purpose="classify",
        temperature=0.0,
        max_tokens=300,
        system="Classify the user's message: intent label, confidence and entities.",
        messages=(Message(role="user", content=text[:4000]),),
    )
    if titled:
        return [intent]
    title = AIRequest(
        uid=uid,
        purpose="title",
        temperature=0.0,
        max_tokens=60,
        system="Give this conversation a short title (at most six words).",
        messages=(Message(role="user", content=text[:2000]),),
    )
    return [intent, title]


def enrich(
    *,
    chat: ChatRepository,
    gateway: Labeller,
    mid: str,
    calls: Sequence[AIRequest],
    plan: str,
    known: ConversationDoc,
    messages: Sequence[MessageDoc],
    tab: Tab | None,
) -> Enrichment:
    """Label user message `mid` and title the conversation (`calls`, from `requests`, on
    the turn's `tab`), and summarise the turns that left the context window.

    `known` is the conversation as the turn read it, `messages` its newest messages
    (with the reply just written): nothing is read again. Not cached: the texts are one
    message's, so a cache read and write would rarely save a call.

    Raises:
        ConversationGone: the conversation was deleted meanwhile. Domain errors (quota,
        providers, invalid output) are logged and swallowed: what was found is returned.
    """
    found = Enrichment()
    try:
        intent, _ = gateway.structured(calls[0], IntentResult, plan=plan, tab=tab, cache=False)
        chat.label_message(mid, intent)
        if len(calls) > 1:
            title, _ = gateway.structured(calls[1], TitleResult, plan=plan, tab=tab, cache=False)
            found = Enrichment(title=title.title.strip()[:80])
        uid = calls[0].uid
        summary = _summary_if_needed(
            gateway=gateway, uid=uid, plan=plan, known=known, messages=messages
        )
        return Enrichment(title=found.title, summary=summary)
    except AuraError as exc:
        logs.warning("chat enrichment skipped", code=exc.code, error=exc.message)
    return found


def _summary_if_needed(
    *,
    gateway: Labeller,
    uid: str,
    plan: str,
    known: ConversationDoc,
    messages: Sequence[MessageDoc],
) -> tuple[str, int] | None:
    """A new summary of the turns a reply's context drops, once more of them drop than
    the summary `known` covers."""
    turns = history_turns(messages, answering="")
    context = build_context(turns, budget_tokens=CONTEXT_BUDGET_TOKENS, summary=None)
    if context.dropped <= known.summary_covers:
        return None
    older = turns[: context.dropped]
    transcript = "\n".join(f"{t.role}: {t.text[:2000]}" for t in older)[-24_000:]
    previous = known.summary or ""
    result = gateway.complete(
        AIRequest(
            uid=uid,
            purpose="summarize",
            temperature=0.0,
            max_tokens=400,
            system=f"{SYSTEM_PROMPT}\nSummarise the conversation so far in a few sentences.",
            messages=(Message(role="user", content=f"{previous}\n\n{transcript}".strip()),),
        ),
        plan=plan,
    )
    return result.text[:4000], context.dropped
