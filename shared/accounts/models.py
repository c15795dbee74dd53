"""Account payloads: what callers send, what is stored at `users/{uid}`, what is returned."""

from __future__ import annotations

import functools
import zoneinfo
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    model_validator,
)
from pydantic.alias_generators import to_camel

from shared.validation import Command, Public

Role = Literal["user", "admin"]
Plan = Literal["free", "pro"]

# The models a user may prefer; "auto" lets the AI gateway route by purpose.
ALLOWED_MODELS: tuple[str, ...] = (
    "auto",
    "gpt-4o-mini",
    "gpt-4o",
    "claude-haiku-4-5",
    "claude-sonnet-4-6",
)
DEFAULT_TIMEZONE = "UTC"
DEFAULT_MODEL = "auto"
DEFAULT_BRIEFING_TIME = "07:00"
# A wall-clock time "HH:MM" (the same pattern as `shared.localtime.HHMM`, which imports
# this module and so cannot be imported here).
CLOCK_TIME = r"^(?:[01]\d|2[0-3]):[0-5]\d$"


@functools.cache
def _iana_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def check_timezone(value: str) -> str:
    """Accept only real IANA zone names (`Europe/Berlin`), not paths or abbreviations."""
    if value not in _iana_zones():
        msg = f"'{value}' is not an IANA time zone (for example 'Europe/Berlin' or 'UTC')"
        raise ValueError(msg)
    return value


def check_model(value: str) -> str:
    if value not in ALLOWED_MODELS:
        msg = f"'{value}' is not an allowed model (one of: {', '.join(ALLOWED_MODELS)})"
        raise ValueError(msg)
    return value


Timezone = Annotated[str, Field(max_length=64), AfterValidator(check_timezone)]
PreferredModel = Annotated[str, Field(max_length=64), AfterValidator(check_model)]
Uid = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]


class Caller(BaseModel):
    """The signed-in user behind a request, from a verified ID token."""

    model_config = ConfigDict(frozen=True)

    uid: str
    email: str | None = None
    name: str | None = None
    picture: str | None = None
    claims: dict[str, Any] = Field(default_factory=dict)
    # When the user last signed in (the token's `auth_time`, Unix seconds): refreshed
    # tokens keep it, so it tells a recent sign-in (account deletion needs one).
    auth_time: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.claims.get("role") == "admin"


class BriefingSettings(BaseModel):
    """The daily briefing: on or off, and the local wall-clock time it arrives at (in
    `settings.timezone`)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    enabled: bool = True
    time: str = DEFAULT_BRIEFING_TIME


class MemorySettings(BaseModel):
    """Long-term memory: whether chat extracts memories from the user's messages after
    each turn (explicit `remember` works either way)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    auto_extract: bool = True


DEFAULT_ASK_THRESHOLD = 0.6


class DecisionSettings(BaseModel):
    """The decision engine: below `askThreshold` (calibrated confidence, 0..1) a decision
    asks the user instead of acting."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    ask_threshold: float = DEFAULT_ASK_THRESHOLD


# The kinds of email a user can turn on and off (shared/email/models.py maps each
# notification kind to one of them; an unsubscribe link turns one off).
EMAIL_KINDS: tuple[str, ...] = ("reminders", "briefing", "exports", "workflows")


class EmailKinds(BaseModel):
    """Which notifications also go by email once email is on. Workflow `notify` nodes
    are off until asked for: an automation can notify far more often than a person."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    reminders: bool = True
    briefing: bool = True
    exports: bool = True
    workflows: bool = False


class EmailSettings(BaseModel):
    """Email delivery (docs/platform.md "Email"): off until the user turns it on, and
    only ever to the account's verified address."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    enabled: bool = False
    kinds: EmailKinds = Field(default_factory=EmailKinds)


class Settings(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    timezone: str = DEFAULT_TIMEZONE
    preferred_model: str = DEFAULT_MODEL
    briefing: BriefingSettings = Field(default_factory=BriefingSettings)
    memory: MemorySettings = Field(default_factory=MemorySettings)
    decisions: DecisionSettings = Field(default_factory=DecisionSettings)
    email: EmailSettings = Field(default_factory=EmailSettings)


class ProfileDoc(BaseModel):
    """The document at `users/{uid}` (field names as stored: camelCase)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    email: str | None = None
    display_name: str | None = None
    photo_url: str | None = Field(default=None, alias="photoURL")
    role: Role = "user"
    plan: Plan = "free"
    settings: Settings = Field(default_factory=Settings)
    created_at: datetime
    last_seen_at: datetime

    def to_firestore(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)


class ProfilePublic(Public):
    uid: str
    email: str | None
    display_name: str | None
    photo_url: str | None = Field(alias="photoURL")
    role: Role
    plan: Plan
    settings: Settings
    created_at: datetime
    last_seen_at: datetime

    @classmethod
    def of(cls, uid: str, doc: ProfileDoc) -> ProfilePublic:
        return cls.model_validate({"uid": uid, **doc.model_dump()})


class EnsureProfile(Command):
    """Sent by the client after each sign-in; `timezone` seeds a new profile's settings."""

    timezone: Timezone | None = None


class EnsureProfileResult(Public):
    profile: ProfilePublic
    created: bool
    claims_updated: bool


class UpdateBriefing(Command):
    """`{enabled?, time?: "HH:MM"}`: only the fields given change."""

    enabled: StrictBool | None = None
    time: str | None = Field(default=None, pattern=CLOCK_TIME)

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if self.enabled is None and self.time is None:
            msg = "give at least one of: enabled, time"
            raise ValueError(msg)
        return self


class UpdateMemorySettings(Command):
    """`{autoExtract}`: turn automatic extraction of memories from chat on or off."""

    auto_extract: StrictBool


class UpdateDecisionSettings(Command):
    """`{askThreshold}`: below it (0..1) a decision asks instead of acting."""

    ask_threshold: StrictFloat = Field(ge=0.0, le=1.0, allow_inf_nan=False)


class UpdateEmailKinds(Command):
    """`{reminders?, briefing?, exports?, workflows?}`: only the kinds given change."""

    reminders: StrictBool | None = None
    briefing: StrictBool | None = None
    exports: StrictBool | None = None
    workflows: StrictBool | None = None


class UpdateEmailSettings(Command):
    """`{enabled?, kinds?}`: email delivery on or off, and which kinds; only the fields
    given change."""

    enabled: StrictBool | None = None
    kinds: UpdateEmailKinds | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if self.enabled is None and self.kinds is None:
            msg = "give at least one of: enabled, kinds"
            raise ValueError(msg)
        return self


class UpdateSettings(Command):
    timezone: Timezone | None = None
    preferred_model: PreferredModel | None = None
    briefing: UpdateBriefing | None = None
    memory: UpdateMemorySettings | None = None
    decisions: UpdateDecisionSettings | None = None
    email: UpdateEmailSettings | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if all(getattr(self, name) is None for name in type(self).model_fields):
            names = ", ".join(to_camel(name) for name in type(self).model_fields)
            msg = f"give at least one of: {names}"
            raise ValueError(msg)
        return self

    def changes(self) -> dict[str, Any]:
        """The fields to set, as Firestore field paths under the profile
        (`settings.briefing.time`), so a field left out keeps its stored value."""
        given = self.model_dump(exclude_none=True, by_alias=True)
        briefing = given.pop("briefing", {})
        memory = given.pop("memory", {})
        decisions = given.pop("decisions", {})
        email = given.pop("email", {})
        email_kinds = email.pop("kinds", {})
        return {
            **{f"settings.{key}": value for key, value in given.items()},
            **{f"settings.briefing.{key}": value for key, value in briefing.items()},
            **{f"settings.memory.{key}": value for key, value in memory.items()},
            **{f"settings.decisions.{key}": value for key, value in decisions.items()},
            **{f"settings.email.{key}": value for key, value in email.items()},
            **{f"settings.email.kinds.{key}": value for key, value in email_kinds.items()},
        }

    def applied_to(self, settings: Settings) -> Settings:
        """`settings` with this command's changes."""
        briefing = settings.briefing
        if self.briefing is not None:
            briefing = briefing.model_copy(update=self.briefing.model_dump(exclude_none=True))
        memory = settings.memory
        if self.memory is not None:
            memory = memory.model_copy(update=self.memory.model_dump(exclude_none=True))
        decisions = settings.decisions
        if self.decisions is not None:
            decisions = decisions.model_copy(update=self.decisions.model_dump(exclude_none=True))
        email = settings.email
        if self.email is not None:
            kinds = email.kinds
            if self.email.kinds is not None:
                kinds = kinds.model_copy(update=self.email.kinds.model_dump(exclude_none=True))
            enabled = email.enabled if self.email.enabled is None else self.email.enabled
            email = email.model_copy(update={"enabled": enabled, "kinds": kinds})
        top = self.model_dump(
            exclude_none=True, exclude={"briefing", "memory", "decisions", "email"}
        )
        return settings.model_copy(
            update={
                **top,
                "briefing": briefing,
                "memory": memory,
                "decisions": decisions,
                "email": email,
            }
        )


class SettingsPublic(Public):
    settings: Settings


class SetRole(Command):
    uid: Uid
    role: Role


class SetRoleResult(Public):
    uid: str
    role: Role
    changed: bool
    claims_updated: bool
