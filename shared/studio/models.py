"""Studio types.

The three dataclasses at the top are the contract between the output parser
(`shared.studio.protocol`), the static gate (`shared.studio.gate`) and the pipeline; the
gate imports only these.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class File:
    """One generated file, verbatim."""

    path: str
    language: str
    content: str


@dataclass(frozen=True)
class GateError:
    """One problem the gate found; `line`/`column` are 1-based, None when not located."""

    file: str | None
    line: int | None
    column: int | None
    code: str
    message: str


@dataclass(frozen=True)
class Validation:
    """The gate's verdict; `usage` holds a CLI's statically extracted usage lines."""

    ok: bool
    errors: tuple[GateError, ...]
    usage: tuple[str, ...] = ()


# --- the pipeline's models (commands, results, the stored document) ---------------------
# (below the gate's dataclasses, which stay first and unchanged)

import re  # noqa: E402
from datetime import datetime  # noqa: E402
from typing import Annotated, Any, Final, Literal  # noqa: E402

from pydantic import AfterValidator, BaseModel, ConfigDict, Field  # noqa: E402

from shared.ids import DocId  # noqa: E402
from shared.validation import Command, Public  # noqa: E402

Kind = Literal["code", "api", "ui", "cli"]
Status = Literal[
    "queued", "planning", "generating", "checking", "repairing", "done", "failed", "cancelled"
]
ACTIVE_STATUSES: Final[tuple[str, ...]] = (
    "queued",
    "planning",
    "generating",
    "checking",
    "repairing",
)
RUNNING_STATUSES: Final[frozenset[str]] = frozenset(ACTIVE_STATUSES) - {"queued"}
FINAL_STATUSES: Final[frozenset[str]] = frozenset({"done", "failed", "cancelled"})

# --- limits (docs/security.md, "Studio") ----------------------------------------------------
MAX_PROMPT_CHARS: Final = 8_000
MAX_REPAIRS: Final = 2  # options.maxRepairs is 0..MAX_REPAIRS
DEFAULT_REPAIRS: Final = 1
MAX_DEPENDENCIES: Final = 20
MAX_DEPENDENCY_CHARS: Final = 100
MAX_FRAMEWORK_CHARS: Final = 40
GENERATIONS_PER_DAY: Final[dict[str, int]] = {"free": 20, "pro": 200}
ACTIVE_GENERATIONS: Final = 2  # per user, queued..repairing
# What one answer may be: the model is asked for at most MAX_OUTPUT_TOKENS, and the text
# is cut (the generation fails "too-large") past MAX_OUTPUT_CHARS, which also caps the
# streamed `draft` so the generation document stays far below Firestore's 1 MiB.
MAX_OUTPUT_TOKENS: Final = 16_000
MAX_OUTPUT_CHARS: Final = 200_000
LIST_LIMIT_DEFAULT: Final = 20
LIST_LIMIT_MAX: Final = 50

# The language each kind is generated in (code: one of the gate's code languages).
KIND_LANGUAGE: Final[dict[str, str]] = {"api": "openapi", "ui": "tsx", "cli": "python"}
KIND_FRAMEWORKS: Final[dict[str, tuple[str, ...]]] = {
    "ui": ("react",),
    "cli": ("argparse", "click"),
    "api": (),
}
DEFAULT_CODE_LANGUAGE: Final = "python"

# npm (`@scope/name`) or PyPI style, lower case, optionally `@version` (a range or tag).
_PACKAGE = re.compile(r"(@[a-z0-9~][a-z0-9._~-]*/)?[a-z0-9~][a-z0-9._~-]*(@[A-Za-z0-9.^~<>=*+-]+)?")
_FRAMEWORK = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .+#_-]*")


def _declared_path(path: str) -> str:
    from shared.studio.protocol import path_problem

    problem = path_problem(path)
    if problem is not None:
        msg = f"'{path[:80]}' {problem}"
        raise ValueError(msg)
    return path


def _unique(paths: list[str] | None) -> list[str] | None:
    if paths is not None and len(set(paths)) != len(paths):
        msg = "paths must be unique"
        raise ValueError(msg)
    return paths


def _package(name: str) -> str:
    if not _PACKAGE.fullmatch(name):
        msg = f"'{name[:80]}' is not a package name (npm or PyPI style, lower case)"
        raise ValueError(msg)
    return name


def _framework(name: str | None) -> str | None:
    if name is not None and not _FRAMEWORK.fullmatch(name):
        msg = "use letters, digits, spaces and . + # _ -"
        raise ValueError(msg)
    return name


DeclaredPath = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_declared_path)]
PackageName = Annotated[
    str, Field(min_length=1, max_length=MAX_DEPENDENCY_CHARS), AfterValidator(_package)
]


class GenerateOptions(Command):
    max_repairs: int = Field(default=DEFAULT_REPAIRS, ge=0, le=MAX_REPAIRS)
    # The files the artefact must consist of (the gate refuses any other), or None.
    files: Annotated[
        list[DeclaredPath] | None, Field(min_length=1, max_length=20), AfterValidator(_unique)
    ] = None
    dependencies: list[PackageName] = Field(default_factory=list, max_length=MAX_DEPENDENCIES)


class Generate(Command):
    """`generate`. Without `regenerateFrom`, `type` and `prompt` are required; with it,
    what is left out is taken from that generation."""

    type: Kind | None = None
    prompt: str | None = Field(default=None, min_length=1, max_length=MAX_PROMPT_CHARS)
    language: str | None = Field(default=None, min_length=1, max_length=40)
    framework: Annotated[
        str | None, Field(min_length=1, max_length=MAX_FRAMEWORK_CHARS), AfterValidator(_framework)
    ] = None
    options: GenerateOptions | None = None
    request_id: DocId | None = None
    regenerate_from: DocId | None = None


class GenerateResult(Public):
    generation_id: str
    created: bool


class GenerationRef(Command):
    """`cancel_generation`, `delete_generation`, `get_generation`."""

    id: DocId


class CancelGenerationResult(Public):
    cancelled: bool


class DeleteGenerationResult(Public):
    deleted: bool


class ListGenerations(Command):
    type: Kind | None = None
    limit: int = Field(default=LIST_LIMIT_DEFAULT, ge=1, le=LIST_LIMIT_MAX)
    cursor: str | None = Field(default=None, min_length=1, max_length=300)


class GenerationTask(BaseModel):
    """The Cloud Tasks payload of `rungeneration`: ids only."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    uid: str = Field(min_length=1, max_length=128)
    generation_id: DocId = Field(alias="generationId")


class Spec(BaseModel):
    """What is generated: the command resolved (defaults, a regenerated one's fields)."""

    model_config = ConfigDict(frozen=True)

    type: Kind
    prompt: str
    language: str
    framework: str | None
    max_repairs: int
    files: list[str] | None
    dependencies: list[str]


# --- wire shapes of the stored document ----------------------------------------------------


class Progress(Public):
    stage: Status
    percent: int = Field(ge=0, le=100)


class FileEntry(Public):
    id: str
    path: str
    language: str
    size: int


class GateErrorPublic(Public):
    file: str | None
    line: int | None
    column: int | None
    code: str
    message: str


class ValidationPublic(Public):
    ok: bool
    errors: list[GateErrorPublic]
    usage: list[str] = Field(default_factory=list)


class UsagePublic(Public):
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


class RepairPublic(Public):
    attempts: int
    usage: UsagePublic
    fixed: bool
    errors_before: int


class ErrorPublic(Public):
    code: str
    message: str


class GenerationOptionsPublic(Public):
    max_repairs: int
    files: list[str] | None
    dependencies: list[str]


class GenerationSummary(Public):
    """One generation as listed (no draft, no file contents)."""

    id: str
    type: Kind
    prompt: str
    language: str
    framework: str | None
    options: GenerationOptionsPublic
    parent_id: str | None
    status: Status
    progress: Progress
    explanation: str
    files: list[FileEntry]
    validation: ValidationPublic | None
    repair: RepairPublic | None
    usage: UsagePublic | None
    error: ErrorPublic | None
    created_at: datetime | None
    updated_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, gid: str, doc: dict[str, Any]) -> GenerationSummary:
        return cls.model_validate({**_summary_fields(doc), "id": gid})


class GeneratedFile(Public):
    id: str
    path: str
    language: str
    size: int
    content: str


class GenerationPublic(GenerationSummary):
    """`get_generation`: the generation, its draft, and its files with their contents."""

    draft: str
    contents: list[GeneratedFile]


class ListGenerationsResult(Public):
    items: list[GenerationSummary]
    next_cursor: str | None


def _summary_fields(doc: dict[str, Any]) -> dict[str, Any]:
    keys = GenerationSummary.model_fields
    aliases = {info.alias or name for name, info in keys.items()}
    return {k: v for k, v in doc.items() if k in aliases}
