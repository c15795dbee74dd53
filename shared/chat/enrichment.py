"""After a reply: what the fast tier adds to the conversation (best effort).

The user message gets an intent (`{label, confidence}`) and entities; an untitled
conversation gets a title; and when older turns no longer fit the reply's context, the
conversation's running summary is refreshed to stand for them. A failure here is logged
and never fails the reply.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from pydantic import BaseModel

from shared.ai.models import AIRequest, AIResult, Message
from shared.chat.context import SYSTEM_PROMPT, build_context, history_turns
from shared.chat.models import CONTEXT_BUDGET_TOKENS, ConversationDoc, IntentResult, TitleResult
from shared.chat.repository import ChatRepository
from shared.errors import AuraError
from shared.platform import logs

M = TypeVar("M", bound=BaseModel)


class Labeller(Protocol):
    """What enrichment asks of the AI gateway: structured and plain answers."""

    def structured(
        self, request: AIRequest, output: type[M], *, plan: str
    ) -> tuple[M, AIResult]: ...

    def complete(self, request: AIRequest, *, plan: str) -> AIResult: ...


def enrich(
    *, chat: ChatRepository, gateway: Labeller, uid: str, mid: str, text: str, plan: str
) -> None:
    """Label user message `mid` (whose text is `text`), title the conversation if it has
    no title, and summarise the turns that left the context window.

    Raises:
        ConversationGone: the conversation was deleted meanwhile. Domain errors (quota,
        providers, invalid output) are logged and swallowed.
    """
    try:
        intent, _ = gateway.structured(
            AIRequest(
                uid=uid,
                purpose="classify",
                temperature=0.0,
                max_tokens=300,
                system="Classify the user's message: intent label, confidence and entities.",
                messages=(Message(role="user", content=text[:4000]),),
            ),
            IntentResult,
            plan=plan,
        )
        chat.label_message(mid, intent)
        conversation = chat.conversation()
        if not conversation.title:
            title, _ = gateway.structured(
                AIRequest(
                    uid=uid,
                    purpose="title",
                    temperature=0.0,
                    max_tokens=60,
                    system="Give this conversation a short title (at most six words).",
                    messages=(Message(role="user", content=text[:2000]),),
                ),
                TitleResult,
                plan=plan,
            )
            chat.set_title(title.title.strip()[:80])
        _summarize_if_needed(chat=chat, gateway=gateway, uid=uid, plan=plan, known=conversation)
    except AuraError as exc:
        logs.warning("chat enrichment skipped", code=exc.code, error=exc.message)


def _summarize_if_needed(
    *, chat: ChatRepository, gateway: Labeller, uid: str, plan: str, known: ConversationDoc
) -> None:
    """Summarise the turns a reply's context drops, once more of them drop than the
    summary `known` covers."""
    turns = history_turns(chat.recent_messages(), answering="")
    context = build_context(turns, budget_tokens=CONTEXT_BUDGET_TOKENS, summary=None)
    if context.dropped <= known.summary_covers:
        return
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
    chat.set_summary(result.text[:4000], covers=context.dropped)
