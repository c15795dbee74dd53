"""Decisions: what `decide` / `record_outcome` accept, what the model is asked for, what
`users/{uid}/decisions/{did}` and `users/{uid}/decisionStats/current` hold, and what the
callables answer.

Stored documents (camelCase as stored)::

    decisions/{did}     question, context, options[], kind, action, confidence (calibrated),
                        rawConfidence, reasoning, alternatives[{action, confidence,
                        rawConfidence}], risk{level, factors[]}, ask, threshold,
                        calibration{scope, count}, memoryIds[], exampleIds[],
                        embedding (Vector(256), top level; absent without embeddings),
                        hasOutcome, outcome{value, notes, recordedAt, replaced} | null,
                        origin{workflowId, executionId, nodeId} | null, requestId, model,
                        createdAt, updatedAt
    decisionStats/current
                        count, byKind{kind: n}, brier, ece, brierRaw, eceRaw,
                        calibration (CalibrationSet.to_dict()), reliability{calibrated:
                        [{bin, predicted, observed, count}], raw: [...]},
                        pairs{did: [raw, value, kind, recordedAtMillis, shown]}, updatedAt
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from pydantic.alias_generators import to_camel

from shared.ids import DocId
from shared.validation import Command, Public

MAX_QUESTION_CHARS: Final = 2_000
MAX_CONTEXT_CHARS: Final = 8_000
MAX_OPTIONS: Final = 10
MAX_OPTION_CHARS: Final = 100
MAX_KIND_CHARS: Final = 40
MAX_ACTION_CHARS: Final = 200
MAX_REASONING_CHARS: Final = 4_000
MAX_ALTERNATIVES: Final = 10
MAX_RISK_FACTORS: Final = 10
MAX_RISK_FACTOR_CHARS: Final = 200
MAX_NOTES_CHARS: Final = 2_000
MAX_REQUEST_ID_CHARS: Final = 200
DEFAULT_KIND: Final = "general"
# Decisions a user may make per UTC day, by plan (each one is a model call).
DECISIONS_PER_DAY: Final[dict[str, int]] = {"free": 50, "pro": 500}

Kind = Annotated[
    str,
    Field(min_length=1, max_length=MAX_KIND_CHARS, pattern=r"^[a-z0-9][a-z0-9_-]*$"),
]
Option = Annotated[str, Field(min_length=1, max_length=MAX_OPTION_CHARS)]
OutcomeValue = Literal["success", "failure", "partial"]
RiskLevel = Literal["low", "medium", "high"]
Scope = Literal["kind", "global", "none"]
Confidence = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


# --- commands --------------------------------------------------------------------------


class Decide(Command):
    """`{question, context?, options?, kind?, requestId?}`: decide, and say how sure."""

    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    context: str | None = Field(default=None, max_length=MAX_CONTEXT_CHARS)
    options: list[Option] = Field(default_factory=list, max_length=MAX_OPTIONS)
    kind: Kind = DEFAULT_KIND
    # Printable ASCII without spaces: a retried call with the same id decides once.
    request_id: str | None = Field(
        default=None, min_length=1, max_length=MAX_REQUEST_ID_CHARS, pattern=r"^[!-~]+$"
    )

    @field_validator("options")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for option in value:
            if option.casefold() in seen:
                msg = f"'{option}' is listed twice"
                raise ValueError(msg)
            seen.add(option.casefold())
        return value


class RecordOutcome(Command):
    """`{decisionId, outcome, notes?, replace?}`: once per decision unless `replace`."""

    decision_id: DocId
    outcome: OutcomeValue
    notes: str | None = Field(default=None, max_length=MAX_NOTES_CHARS)
    replace: StrictBool = False


# --- what the model is asked for -------------------------------------------------------


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class AnswerAlternative(_Answer):
    action: str = Field(min_length=1, max_length=MAX_ACTION_CHARS)
    confidence: Confidence


class Risk(_Answer):
    level: RiskLevel
    factors: list[Annotated[str, Field(max_length=MAX_RISK_FACTOR_CHARS)]] = Field(
        default_factory=list, max_length=MAX_RISK_FACTORS
    )


class DecisionAnswer(_Answer):
    """The model's structured answer (its schema's title names it: the AI stand-in answers
    this schema). `confidence` is the model's own word: the raw confidence."""

    action: str = Field(min_length=1, max_length=MAX_ACTION_CHARS)
    confidence: Confidence
    reasoning: str = Field(max_length=MAX_REASONING_CHARS)
    alternatives: list[AnswerAlternative] = Field(default_factory=list, max_length=MAX_ALTERNATIVES)
    risk: Risk


# --- results ---------------------------------------------------------------------------


class Alternative(Public):
    action: str
    confidence: float
    raw_confidence: float


class RiskPublic(Public):
    level: RiskLevel
    factors: list[str]


class CalibrationUsed(Public):
    """Which calibration mapped the raw confidence: the kind's own, the user's global one,
    or none yet (fewer than MIN_SAMPLES outcomes); `count` is the outcomes it rests on."""

    scope: Scope
    count: int


class DecisionResult(Public):
    decision_id: str
    action: str
    confidence: float
    raw_confidence: float
    reasoning: str
    alternatives: list[Alternative]
    risk: RiskPublic
    ask: bool
    threshold: float
    calibration: CalibrationUsed
    memory_ids: list[str]
    example_ids: list[str]
    created: bool


class OutcomePublic(Public):
    value: OutcomeValue
    notes: str | None
    recorded_at: datetime
    replaced: int


class StatsSummary(Public):
    """The user's calibration figures after this outcome (null while there are none)."""

    count: int
    brier: float | None
    ece: float | None
    brier_raw: float | None
    ece_raw: float | None


class RecordOutcomeResult(Public):
    decision_id: str
    outcome: OutcomePublic
    replaced: bool
    stats: StatsSummary


# --- stored ----------------------------------------------------------------------------


class DecisionDoc(BaseModel):
    """`users/{uid}/decisions/{did}` as read back (without its embedding)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    question: str = ""
    context: str | None = None
    options: list[str] = Field(default_factory=list)
    kind: str = DEFAULT_KIND
    action: str = ""
    confidence: float = 0.0
    raw_confidence: float = 0.0
    reasoning: str = ""
    alternatives: list[dict[str, Any]] = Field(default_factory=list)
    risk: dict[str, Any] = Field(default_factory=lambda: {"level": "medium", "factors": []})
    ask: bool = True
    threshold: float = 0.0
    calibration: dict[str, Any] = Field(default_factory=lambda: {"scope": "none", "count": 0})
    memory_ids: list[str] = Field(default_factory=list)
    example_ids: list[str] = Field(default_factory=list)
    has_outcome: bool = False
    outcome: dict[str, Any] | None = None
    origin: dict[str, Any] | None = None
    request_id: str | None = None
    model: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def result(self, decision_id: str, *, created: bool) -> DecisionResult:
        return DecisionResult.model_validate(
            {
                "decision_id": decision_id,
                "action": self.action,
                "confidence": self.confidence,
                "raw_confidence": self.raw_confidence,
                "reasoning": self.reasoning,
                "alternatives": self.alternatives,
                "risk": self.risk,
                "ask": self.ask,
                "threshold": self.threshold,
                "calibration": self.calibration,
                "memory_ids": self.memory_ids,
                "example_ids": self.example_ids,
                "created": created,
            }
        )


class ReliabilityBin(Public):
    bin: int  # 0..9: confidences in [bin/10, (bin+1)/10) (the last bin closed)
    predicted: float  # mean confidence in the bin
    observed: float  # mean outcome in the bin (success 1, partial 0.5, failure 0)
    count: int


class Reliability(Public):
    calibrated: list[ReliabilityBin]
    raw: list[ReliabilityBin]


class DecisionStats(Public):
    """`users/{uid}/decisionStats/current` (the owner reads it; only the server writes).

    `brier`/`ece` score the confidence each decision showed when it was made (calibrated
    with what was known then: an honest, out-of-sample figure); `brierRaw`/`eceRaw` the
    model's own. `pairs` keeps the newest MAX_PAIRS outcomes the calibration is refitted
    from: did -> [raw, value, kind, recordedAtMillis, shown confidence]."""

    count: int = 0
    by_kind: dict[str, int] = Field(default_factory=dict)
    brier: float | None = None
    ece: float | None = None
    brier_raw: float | None = None
    ece_raw: float | None = None
    calibration: dict[str, Any] = Field(default_factory=dict)
    reliability: Reliability = Field(default_factory=lambda: Reliability(calibrated=[], raw=[]))
    pairs: dict[str, list[Any]] = Field(default_factory=dict)
    updated_at: datetime | None = None
