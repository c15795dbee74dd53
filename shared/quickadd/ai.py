"""Quick add read by the model, checked by the parser.

The model (fast tier, structured output) is asked for the parts of speech only: the
title, the kind, and the phrases that name a day, a time and a repetition, each as the
user wrote it, with its own reading of the day and time. Aura never trusts the model's
date arithmetic ("day after tomorrow" read as tomorrow, "next Monday" as last Monday are
the classic slips): every phrase is read again by the deterministic parser, and where the
two disagree the parser's reading wins and the confidence drops; a day the parser cannot
read at all becomes a question ("Did you mean ...?"). Repetitions are built by the parser
from the phrase, never taken from the model. When the gateway fails (no provider, quota,
timeout, invalid output) the parser alone answers: quick add works with no AI.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from shared import localtime
from shared.accounts.models import check_timezone
from shared.ai.gateway import Tab
from shared.ai.models import AIRequest, AIResult, Message
from shared.errors import AuraError
from shared.localtime import HHMM
from shared.quickadd import parser
from shared.quickadd.models import MAX_TAG_CHARS, MAX_TAGS, MAX_TITLE_CHARS, Interpretation

M = TypeVar("M", bound=BaseModel)
PHRASE_CHARS = 120
AGREED = 0.95  # the model and the parser read every phrase alike
DISAGREED = 0.6  # the parser's reading was kept over the model's

SYSTEM = (
    "You split one line a user typed into a to-do app into its parts. Return JSON only. "
    "kind: 'reminder' when they ask to be reminded, 'event' for a meeting or appointment "
    "or anything with a start and end time, else 'task'. title: what to do, in their "
    "words, without the date, time, repetition, priority (p1-p4) or tags. datePhrase, "
    "timePhrase, recurrencePhrase: copy the words that name the day, the time and the "
    "repetition exactly as written (null when absent). date (YYYY-MM-DD) and time (HH:MM, "
    "24-hour) are your reading of those phrases, relative to 'now' in the user's zone. "
    "endTime or durationMinutes for events. timezone: an IANA zone only if the text names "
    "one. priority: p1=3, p2=2, p3=1, p4=0. tags: words written with # or @."
)


class QuickAddReading(BaseModel):
    """What the model is asked for (its schema's title names it: the AI stand-in answers
    this schema from Aura's own parser)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    kind: Literal["task", "event", "reminder"]
    title: str = Field(max_length=MAX_TITLE_CHARS)
    date_phrase: str | None = Field(default=None, alias="datePhrase", max_length=PHRASE_CHARS)
    date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    time_phrase: str | None = Field(default=None, alias="timePhrase", max_length=PHRASE_CHARS)
    time: str | None = Field(default=None, pattern=HHMM)
    end_time: str | None = Field(default=None, alias="endTime", pattern=HHMM)
    duration_minutes: int | None = Field(
        default=None, alias="durationMinutes", ge=1, le=parser.MAX_DURATION_MINUTES
    )
    recurrence_phrase: str | None = Field(
        default=None, alias="recurrencePhrase", max_length=PHRASE_CHARS
    )
    timezone: str | None = Field(default=None, max_length=64)
    priority: int | None = Field(default=None, ge=0, le=3)
    tags: list[str] = Field(default_factory=list, max_length=MAX_TAGS)


class Structured(Protocol):
    """What quick add asks of the AI gateway (`shared.ai.gateway.Gateway`)."""

    def structured(
        self,
        request: AIRequest,
        output: type[M],
        *,
        plan: str,
        tab: Tab | None = None,
        cache: bool = True,
    ) -> tuple[M, AIResult]: ...


def prompt(text: str, *, now: datetime, zone: str) -> str:
    """The user message: the line, and `now` in the user's zone (one line: the stand-in
    reads it back)."""
    local = now.astimezone(localtime.zone(zone))
    return f"Now: {local:%Y-%m-%dT%H:%M} ({local:%A}). Zone: {zone}. Text: {text}"


def request(*, uid: str, text: str, now: datetime, zone: str) -> AIRequest:
    return AIRequest(
        uid=uid,
        purpose="parse",
        temperature=0.0,
        max_tokens=400,
        system=SYSTEM,
        messages=(Message(role="user", content=prompt(text, now=now, zone=zone)),),
    )


def interpret(
    *,
    gateway: Structured | None,
    uid: str,
    plan: str,
    text: str,
    now: datetime,
    zone: str,
) -> Interpretation:
    """The line read by the model and cross-checked, or by the parser alone when there is
    no gateway or it fails (any domain error: no provider, quota, timeout, bad output)."""
    parsed = parser.parse(text, now=now, zone=zone)
    if gateway is None:
        return parser.interpret(parsed, text=text, now=now, zone=zone)
    try:
        reading, _ = gateway.structured(
            request(uid=uid, text=text, now=now, zone=zone),
            QuickAddReading,
            plan=plan,
            cache=False,  # the prompt holds `now`: a cache entry would never be read
        )
    except AuraError as exc:
        return parser.interpret(
            parsed,
            text=text,
            now=now,
            zone=zone,
            notes=[f"Read without AI ({exc.code}): {exc.message}"[:300]],
        )
    return cross_check(reading, parsed, text=text, now=now, zone=zone)


def cross_check(
    reading: QuickAddReading, parsed: parser.Reading, *, text: str, now: datetime, zone: str
) -> Interpretation:
    """Merge the model's parts of speech with the parser's readings of the same phrases.

    Title and kind come from the model; every day, time and repetition from the parser
    (of the model's phrase, else of the whole line). A model's day or time the parser
    reads differently is replaced (confidence DISAGREED); one the parser cannot read at
    all is kept but asked about.
    """
    notes: list[str] = []
    confidence = AGREED
    merged = replace(parsed, questions=list(parsed.questions))
    if reading.title.strip():
        merged.title = " ".join(reading.title.split())[:MAX_TITLE_CHARS]
    merged.kind = "reminder" if parsed.reminder_words else reading.kind

    phrase_date, phrase_time = _phrase_reading(reading, now=now, zone=zone)
    confidence = min(confidence, _check_day(reading, merged, phrase_date or parsed.date, notes))
    confidence = min(confidence, _check_time(reading, merged, phrase_time or parsed.time, notes))
    if reading.recurrence_phrase and parsed.recurrence is None:
        again = parser.parse(reading.recurrence_phrase, now=now, zone=zone)
        if again.recurrence is None:
            merged.questions.append(f"How often should it repeat ({reading.recurrence_phrase!r})?")
        else:
            merged.recurrence = again.recurrence
    if merged.end_time is None and merged.duration is None:
        merged.end_time = reading.end_time
        merged.duration = reading.duration_minutes
    if merged.timezone is None and reading.timezone and reading.timezone in text:
        try:
            merged.timezone = check_timezone(reading.timezone)
        except ValueError:
            notes.append(f"The AI named an unknown zone ({reading.timezone!r}); ignored.")
    if not parsed.priority and reading.priority is not None and f"p{4 - reading.priority}" in text:
        merged.priority = reading.priority
    written = text.lower()
    extra = [t for t in reading.tags if f"#{t.lower()}" in written or f"@{t.lower()}" in written]
    merged.tags = list(dict.fromkeys([*parsed.tags, *(t[:MAX_TAG_CHARS] for t in extra)]))
    merged.tags = merged.tags[:MAX_TAGS]
    return parser.interpret(
        merged, text=text, now=now, zone=zone, source="ai", confidence=confidence, notes=notes
    )


def _check_day(
    reading: QuickAddReading, merged: parser.Reading, expected: date | None, notes: list[str]
) -> float:
    """Keep the parser's day over the model's; ask about a day only the model read.
    Returns the confidence this leaves."""
    model_date = _date(reading.date)
    merged.date = expected
    if reading.date is not None and model_date is None:
        notes.append(f"The AI gave no valid day ({reading.date!r}); ignored.")
        return DISAGREED
    if model_date is None or model_date == expected:
        return AGREED
    if expected is None:
        merged.date = model_date
        merged.questions.append(
            f"Did you mean {model_date:%a} {model_date.day} {model_date:%b %Y}?"
        )
        return AGREED
    notes.append(
        f"The AI read {reading.date_phrase or 'the day'!r} as {model_date}; "
        f"Aura reads it as {expected}, which is used."
    )
    return DISAGREED


def _check_time(
    reading: QuickAddReading, merged: parser.Reading, expected: str | None, notes: list[str]
) -> float:
    """As `_check_day`, for the time of day."""
    merged.time = expected
    if reading.time is None or reading.time == expected:
        return AGREED
    if expected is None:
        merged.time = reading.time
        merged.questions.append(f"Did you mean {reading.time}?")
        return AGREED
    notes.append(
        f"The AI read {reading.time_phrase or 'the time'!r} as {reading.time}; "
        f"Aura reads it as {expected}, which is used."
    )
    return DISAGREED


def _phrase_reading(
    reading: QuickAddReading, *, now: datetime, zone: str
) -> tuple[date | None, str | None]:
    """The parser's day and time for the model's phrases (None where it reads none)."""
    day = time = None
    if reading.date_phrase:
        day = parser.parse(reading.date_phrase, now=now, zone=zone).date
    if reading.time_phrase:
        again = parser.parse(reading.time_phrase, now=now, zone=zone)
        time = again.time
        day = day or (again.date if reading.time_phrase != reading.date_phrase else None)
    return day, time


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
