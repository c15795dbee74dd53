"""The generation pipeline: `generate` queues, `rungeneration` runs, the rest reads or stops.

generate (callable): the command is resolved (defaults per kind; `regenerateFrom` fills
what is left out from that generation and becomes `parentId`), the limits are checked
(ACTIVE_GENERATIONS running, GENERATIONS_PER_DAY by plan), the generation is created
`queued` and the Cloud Task `rungeneration` {uid, generationId} is queued under a name
derived from the generation. With a `requestId` the generation's id derives from it, so
a retried call finds it (created false) and queues nothing new.

run (the task), one generation per id:

    claim        read + a write conditional on what was read: a finished, cancelled or
                 deleted generation, or one whose lease is live, is left alone (a
                 duplicate delivery does nothing); a stale lease is claimed again
                 (`attempt` + 1) and the generation starts again from the start.
    planning     the request is built; quota is reserved by the gateway (strong tier).
    generating   the answer streams into `draft`: the first delta at once, then at most
                 every Pace.write_interval_s (the chat reply's throttle), each write
                 conditional on our previous one, so the write after a cancel, a delete
                 or another claim sees it and closes the stream. `progress.percent`
                 follows the output's size against MAX_OUTPUT_TOKENS. Past
                 MAX_OUTPUT_CHARS the stream is closed: failed "too-large".
    checking     the whole text (the last streamed write), parsed (`protocol`) and
                 checked by the gate; nothing generated is ever run.
    repairing    the gate failed and repairs are left (options.maxRepairs): the round's
                 files are stored, and the errors and files go back to the model; its
                 usage is kept apart in `repair`.
    done | failed  the last round's files, explanation and validation are stored in one
                 batch with the final state (failed "validation-failed" keeps them, so
                 the user sees what remained wrong); `draft` is emptied.

Cancel (`cancel_generation`) sets `cancelRequested` (a queued one is cancelled at once);
delete removes the generation first, so a running task's next write finds it gone.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Protocol

from shared.ai.models import AIRequest, Message, Usage
from shared.chat.streaming import PACE, AnswerStream, Pace
from shared.errors import AuraError, InvalidArgument, NotFound, ResourceExhausted, Unavailable
from shared.ids import check_doc_id
from shared.platform import logs
from shared.platform.cloud_tasks import Enqueuer, task_name
from shared.studio import repository
from shared.studio.models import (
    ACTIVE_GENERATIONS,
    ACTIVE_STATUSES,
    DEFAULT_CODE_LANGUAGE,
    DEFAULT_REPAIRS,
    FINAL_STATUSES,
    GENERATIONS_PER_DAY,
    KIND_FRAMEWORKS,
    KIND_LANGUAGE,
    MAX_OUTPUT_CHARS,
    MAX_OUTPUT_TOKENS,
    RUNNING_STATUSES,
    CancelGenerationResult,
    DeleteGenerationResult,
    File,
    GateError,
    Generate,
    GeneratedFile,
    GenerateResult,
    GenerationPublic,
    GenerationSummary,
    GenerationTask,
    ListGenerations,
    ListGenerationsResult,
    Spec,
    Validation,
)
from shared.studio.protocol import Parser, planned_files
from shared.studio.repository import GenerationStore, Seen

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client

GENERATION_QUEUE: Final = "rungeneration"
# A running task renews its lease with every write; one that stops writing for this long
# (its instance died) may be claimed by a redelivery, which starts again.
LEASE_S: Final = 120.0
DAY_SECONDS: Final = 86_400
CHARS_PER_TOKEN: Final = 4
MAX_REPAIR_ERRORS: Final = 50  # errors quoted in a repair request

SYSTEM: Final = """You are Aura Studio, a generator of source code, OpenAPI specs, UI \
components and command-line tools. Answer with an explanation and complete files in \
exactly this format, each marker alone on its line:

<<<EXPLANATION>>>
A few sentences on what was generated.
Files: `relative/path.ext`, `another/file.ext`.
<<<END>>>
<<<FILE path="relative/path.ext" language="<language>">>>
the whole file, verbatim
<<<END>>>

The explanation's last line names every file you write, in backticks: nothing else is \
accepted. Rules: every file complete (no placeholders such as "rest of the code" or "TODO: \
implement"); every import of a local module names a file you generate; no secrets, keys \
or passwords in the code; paths are relative, of letters, digits, '.', '_', '-' and '/'. \
code: idiomatic code in the requested language. api: one OpenAPI 3.1 YAML document \
(openapi.yaml) whose $refs resolve and whose operations each have an operationId and \
responses. ui: a React component in TSX, importing only react and the listed \
dependencies. cli: a Python command-line tool using argparse or click. Nothing you write \
is executed; it is checked statically."""


class StudioGateway(Protocol):
    """What the pipeline asks of the AI gateway (`shared.ai.gateway.Gateway`)."""

    def stream(self, request: AIRequest, *, plan: str) -> AnswerStream: ...


Gate = Callable[..., Validation]


def _default_gate(*args: Any, **kwargs: Any) -> Validation:
    from shared.studio import gate

    return gate.check(*args, **kwargs)


# --- requests -----------------------------------------------------------------------------


def user_message(spec: Spec) -> str:
    return (
        f"Kind: {spec.type}\n"
        f"Language: {spec.language or 'none'}\n"
        f"Framework: {spec.framework or 'none'}\n"
        f"Request:\n{spec.prompt}"
    )


def render_files(files: Sequence[File]) -> str:
    return "".join(
        f'<<<FILE path="{f.path}" language="{f.language}">>>\n'
        f"{f.content}{'' if f.content.endswith(chr(10)) else chr(10)}<<<END>>>\n"
        for f in files
    )


def error_line(error: GateError) -> str:
    where = ":".join(
        str(part) for part in (error.file or "-", error.line or "-", error.column or "-")
    )
    return f"- {where} {error.code} {error.message}"


def repair_message(spec: Spec, files: Sequence[File], validation: Validation) -> str:
    errors = "\n".join(error_line(e) for e in validation.errors[:MAX_REPAIR_ERRORS])
    return (
        f"{user_message(spec)}\n"
        "Repair: the files failed these checks; answer again with every file, corrected.\n"
        f"{errors}\n"
        f"Files:\n{render_files(files)}"
    )


def request_for(uid: str, message: str) -> AIRequest:
    return AIRequest(
        uid=uid,
        purpose="generate",
        system=SYSTEM,
        messages=(Message(role="user", content=message),),
        max_tokens=MAX_OUTPUT_TOKENS,
        temperature=0.2,
    )


def percent(stage: str, chars: int) -> int:
    """Progress through the whole generation: a share per stage, and while an answer
    streams, its size against the most it may be (MAX_OUTPUT_TOKENS)."""
    share = min(1.0, chars / (MAX_OUTPUT_TOKENS * CHARS_PER_TOKEN))
    match stage:
        case "planning":
            return 2
        case "generating":
            return 5 + math.floor(75 * share)
        case "checking":
            return 85
        case "repairing":
            return 85 + math.floor(10 * share)
    return 100


def gate_language(spec: Spec) -> str | None:
    """The language the gate is told: an OpenAPI spec is YAML/JSON, checked by kind."""
    return None if spec.type == "api" else spec.language


# --- running one generation --------------------------------------------------------------


class _Stop(Exception):
    """A write found the generation cancelled, deleted or claimed by another task."""

    def __init__(self, seen: Seen) -> None:
        super().__init__(seen)
        self.seen = seen


class _TooLarge(Exception):
    def __init__(self, text: str, usage: Usage | None) -> None:
        super().__init__("too large")
        self.text = text
        self.usage = usage


def run(
    *,
    store: GenerationStore,
    gateway: StudioGateway,
    plan: str,
    now: Callable[[], datetime],
    pace: Pace = PACE,
    gate: Gate = _default_gate,
    lease_s: float = LEASE_S,
) -> str:
    """Run one generation (the `rungeneration` task). Never raises for what the model or
    the gate do: the generation ends done, failed or cancelled.

    Returns:
        What happened: "done", "failed", "cancelled"; "finished" (it had ended: a
        duplicate delivery), "running" (another task holds a live lease: try later),
        "gone" (deleted), "superseded" (another task claimed it meanwhile).
    """
    claim = store.claim(now=now(), lease_s=lease_s)
    if claim.outcome != "claimed":
        return claim.outcome
    spec = spec_of(claim.doc)
    runner = _Run(
        store=store,
        gateway=gateway,
        plan=plan,
        now=now,
        pace=pace,
        gate=gate,
        lease_s=lease_s,
        spec=spec,
    )
    try:
        return runner.go()
    except _Stop as stop:
        return runner.stopped(stop.seen)
    except _TooLarge as large:
        return runner.fail(
            "too-large",
            f"The answer passed {MAX_OUTPUT_CHARS} characters; ask for something smaller.",
            draft=large.text,
            usage=large.usage,
        )
    except AuraError as exc:  # quota, providers, an interrupted stream
        logs.warning("generation failed", code=exc.code, error=exc.message)
        return runner.fail(exc.code, exc.message)
    except Exception as exc:
        logs.error("generation crashed", error=repr(exc), trace=traceback.format_exc())
        return runner.fail("internal", "Something went wrong while generating; try again.")


class _Run:
    def __init__(
        self,
        *,
        store: GenerationStore,
        gateway: StudioGateway,
        plan: str,
        now: Callable[[], datetime],
        pace: Pace,
        gate: Gate,
        lease_s: float,
        spec: Spec,
    ) -> None:
        self.store, self.gateway, self.plan, self.now = store, gateway, plan, now
        self.pace, self.gate, self.lease_s, self.spec = pace, gate, lease_s, spec
        self.usage: Usage | None = None

    def _write(self, fields: dict[str, Any]) -> None:
        seen = self.store.write(self._stamped(fields))
        if seen != "ok":
            raise _Stop(seen)

    def _stamped(self, fields: dict[str, Any]) -> dict[str, Any]:
        from datetime import timedelta

        at = self.now()
        return {**fields, "updatedAt": at, "leaseUntil": at + timedelta(seconds=self.lease_s)}

    def go(self) -> str:
        spec = self.spec
        text, self.usage = self._answer(user_message(spec), "generating")
        files, validation, explanation = self._check(text)
        errors_before = len(validation.errors)
        repairs, repair_usage = 0, Usage()
        while not validation.ok and repairs < spec.max_repairs:
            self._store(
                files,
                explanation,
                validation,
                {"status": "repairing", "progress": _progress("repairing", 0)},
            )
            repairs += 1
            text, used = self._answer(repair_message(spec, files, validation), "repairing")
            repair_usage = _add(repair_usage, used)
            files, validation, explanation = self._check(text)
        status = "done" if validation.ok else "failed"
        final: dict[str, Any] = {
            "status": status,
            "progress": _progress(status, 0),
            "finishedAt": self.now(),
            "leaseUntil": None,
            "repair": (
                {
                    "attempts": repairs,
                    "usage": repair_usage.to_firestore(),
                    "fixed": validation.ok,
                    "errorsBefore": errors_before,
                }
                if repairs
                else None
            ),
            "error": (
                None
                if validation.ok
                else {
                    "code": "validation-failed",
                    "message": f"The files still fail {len(validation.errors)} checks "
                    f"after {repairs} repair{'s' if repairs != 1 else ''}.",
                }
            ),
        }
        self._store(files, explanation, validation, final)
        logs.info(
            f"generation {status}",
            kind=spec.type,
            files=len(files),
            repairs=repairs,
            errors=len(validation.errors),
        )
        return status

    def _answer(self, message: str, stage: str) -> tuple[str, Usage]:
        """Stream one answer into `draft`; the last write (the whole text) moves on to
        `checking`."""
        stream = self.gateway.stream(request_for(self.store.uid, message), plan=self.plan)
        text = ""
        last_write: float | None = None
        clock, interval = self.pace.clock, self.pace.write_interval_s
        try:
            for delta in stream:
                text += delta
                if len(text) > MAX_OUTPUT_CHARS:
                    stream.close()
                    raise _TooLarge(text[:MAX_OUTPUT_CHARS], _spent(stream))
                if last_write is None or clock() - last_write >= interval:
                    seen = self.store.write(
                        self._stamped(
                            {
                                "draft": text,
                                "status": stage,
                                "progress": _progress(stage, len(text)),
                            }
                        )
                    )
                    last_write = clock()
                    if seen != "ok":
                        stream.close()
                        _spent(stream)
                        raise _Stop(seen)
            usage = stream.finish()
        except (_Stop, _TooLarge):
            raise
        except BaseException:
            _spent(stream)
            raise
        finally:
            stream.close()  # a no-op after a whole answer; stops generating otherwise
        self._write({"draft": text, "status": "checking", "progress": _progress("checking", 0)})
        return text, usage

    def _check(self, text: str) -> tuple[list[File], Validation, str]:
        """Parse the whole answer and check it with the gate (never run)."""
        parser = Parser()
        parser.feed(text)
        parsed = parser.parsed(final=True)
        from shared.studio.gate.limits import MAX_FILES

        files = parsed.files[:MAX_FILES]
        validation = self.gate(
            self.spec.type,
            files,
            language=gate_language(self.spec),
            # The user's list, else the model's own plan (the explanation's `Files:` line).
            declared=self.spec.files or planned_files(parsed.explanation),
            dependencies=self.spec.dependencies,
        )
        if parsed.errors or len(parsed.files) > MAX_FILES:
            protocol = [GateError(None, None, None, "protocol", e) for e in parsed.errors]
            if len(parsed.files) > MAX_FILES:
                protocol.append(
                    GateError(
                        None,
                        None,
                        None,
                        "too-many-files",
                        f"{len(parsed.files)} files; at most {MAX_FILES}",
                    )
                )
            validation = Validation(
                ok=False, errors=(*protocol, *validation.errors), usage=validation.usage
            )
        return files, validation, parsed.explanation

    def _store(
        self,
        files: Sequence[File],
        explanation: str,
        validation: Validation,
        fields: dict[str, Any],
    ) -> None:
        stored = {
            **fields,
            "draft": "",
            "explanation": explanation,
            "files": repository.file_index(files),
            "validation": validation_doc(validation),
            "usage": self.usage.to_firestore() if self.usage else None,
        }
        stamped = self._stamped(stored)
        if "leaseUntil" in fields:  # the last write lets the lease go
            stamped["leaseUntil"] = fields["leaseUntil"]
        seen = self.store.store(files, stamped)
        if seen != "ok":
            raise _Stop(seen)

    def stopped(self, seen: Seen) -> str:
        if seen == "cancel":
            at = self.now()
            self.store.write(repository.cancelled_fields(at))
            logs.info("generation cancelled")
            return "cancelled"
        if seen == "gone":
            logs.info("generation deleted while running")
            return "gone"
        logs.info("generation claimed by another task; this one stops")
        return "superseded"

    def fail(
        self, code: str, message: str, *, draft: str | None = None, usage: Usage | None = None
    ) -> str:
        at = self.now()
        fields: dict[str, Any] = {
            "status": "failed",
            "progress": _progress("failed", 0),
            "error": {"code": code, "message": message},
            "updatedAt": at,
            "finishedAt": at,
            "leaseUntil": None,
        }
        if draft is not None:
            fields["draft"] = draft
        if usage is not None or self.usage is not None:
            fields["usage"] = (self.usage or usage or Usage()).to_firestore()
        try:
            seen = self.store.write(fields)
        except Exception as exc:  # the task's retry will find a stale lease and start again
            logs.error("generation failure not recorded", error=repr(exc))
            raise
        if seen != "ok":
            return self.stopped(seen)
        return "failed"


def _spent(stream: AnswerStream) -> Usage | None:
    try:
        return stream.finish()
    except Exception as exc:
        logs.error("generation usage not recorded", error=repr(exc))
        return None


def _add(a: Usage, b: Usage) -> Usage:
    return Usage(
        input_tokens=a.input_tokens + b.input_tokens,
        output_tokens=a.output_tokens + b.output_tokens,
        cost_usd=round(a.cost_usd + b.cost_usd, 8),
    )


def _progress(stage: str, chars: int) -> dict[str, Any]:
    return {"stage": stage, "percent": percent(stage, chars)}


def validation_doc(validation: Validation) -> dict[str, Any]:
    return {
        "ok": validation.ok,
        "errors": [
            {
                "file": e.file,
                "line": e.line,
                "column": e.column,
                "code": e.code,
                "message": e.message,
            }
            for e in validation.errors
        ],
        "usage": list(validation.usage),
    }


def spec_of(doc: dict[str, Any]) -> Spec:
    options = doc.get("options") or {}
    return Spec(
        type=doc["type"],
        prompt=doc["prompt"],
        language=doc["language"],
        framework=doc.get("framework"),
        max_repairs=int(options.get("maxRepairs", DEFAULT_REPAIRS)),
        files=options.get("files"),
        dependencies=list(options.get("dependencies") or []),
    )


def run_task(
    *, db: Client, gateway: StudioGateway, task: GenerationTask, now: Callable[[], datetime]
) -> str:
    """The task's whole work over Firestore (the adapter's one call)."""
    store = repository.FirestoreGeneration(db, task.uid, task.generation_id)
    return run(store=store, gateway=gateway, plan=repository.plan_of(db, task.uid), now=now)


# --- the callables --------------------------------------------------------------------------


def resolve(command: Generate, parent: dict[str, Any] | None) -> Spec:
    """The command with its defaults (and, regenerating, its parent's fields).

    Raises:
        InvalidArgument: a missing type or prompt, or a language or framework the type
            does not take (the field named).
    """
    from shared.studio.gate.languages import CODE_LANGUAGES

    parent = parent or {}
    kind = command.type or parent.get("type")
    if kind is None:
        raise InvalidArgument("type: is required", field="type")
    prompt = command.prompt or parent.get("prompt")
    if prompt is None:
        raise InvalidArgument("prompt: is required", field="prompt")
    same_kind = parent.get("type") == kind
    language = command.language or (parent.get("language") if same_kind else None)
    if kind == "code":
        language = language or DEFAULT_CODE_LANGUAGE
        if language not in CODE_LANGUAGES:
            raise InvalidArgument(
                f"language: must be one of {', '.join(CODE_LANGUAGES)}", field="language"
            )
    else:
        expected = KIND_LANGUAGE[kind]
        if language not in (None, expected):
            raise InvalidArgument(f"language: {kind} is generated in {expected}", field="language")
        language = expected
    framework = command.framework
    if framework is None and same_kind:
        framework = parent.get("framework")
    if kind == "ui" and framework is None:
        framework = "react"
    allowed = KIND_FRAMEWORKS.get(kind)
    if allowed is not None and framework is not None and framework not in allowed:
        choices = ", ".join(allowed) if allowed else "none"
        raise InvalidArgument(f"framework: {kind} takes {choices}", field="framework")
    stored = parent.get("options") or {}
    if command.options is not None:
        options = command.options
        max_repairs, files, deps = options.max_repairs, options.files, options.dependencies
    else:
        max_repairs = int(stored.get("maxRepairs", DEFAULT_REPAIRS))
        files, deps = stored.get("files"), list(stored.get("dependencies") or [])
    return Spec(
        type=kind,
        prompt=prompt,
        language=language,
        framework=framework,
        max_repairs=max_repairs,
        files=files,
        dependencies=deps,
    )


def daily_limit(plan: str) -> int:
    return GENERATIONS_PER_DAY.get(plan, GENERATIONS_PER_DAY["free"])


def generate(
    *,
    db: Client,
    enqueuer: Enqueuer,
    uid: str,
    plan: str,
    command: Generate,
    now: datetime,
) -> GenerateResult:
    """Create a generation and queue its task (the work never runs here).

    Raises:
        InvalidArgument: a bad or missing field; nothing is written.
        NotFound: `regenerateFrom` names no generation of the caller's.
        ResourceExhausted: ACTIVE_GENERATIONS still running, or GENERATIONS_PER_DAY
            reached (details: reason, limit, retryAfterSeconds); nothing is created.
        Unavailable: the task could not be queued (the generation is marked failed).
    """
    from google.api_core.exceptions import AlreadyExists
    from google.cloud.firestore_v1.base_query import FieldFilter

    from shared.platform import ratelimit

    parent: dict[str, Any] | None = None
    if command.regenerate_from:
        snapshot = repository.generation_ref(db, uid, command.regenerate_from).get()
        if not snapshot.exists:
            raise NotFound("No such generation.", details={"field": "regenerateFrom"})
        parent = snapshot.to_dict() or {}
    spec = resolve(command, parent)

    generations = repository.generations_of(db, uid)
    if command.request_id:
        ref = generations.document(repository.generation_id_for(uid, command.request_id))
        snapshot = ref.get()
        if snapshot.exists:
            _queue(enqueuer, uid, ref.id, snapshot.to_dict() or {})
            return GenerateResult(generation_id=ref.id, created=False)
    else:
        ref = generations.document()

    active: Any = generations.where(filter=FieldFilter("status", "in", list(ACTIVE_STATUSES)))
    running = int(active.count().get()[0][0].value)
    if running >= ACTIVE_GENERATIONS:
        raise ResourceExhausted(
            f"{running} generations are still running; wait for one to finish or cancel it.",
            details={"reason": "active-generations", "limit": ACTIVE_GENERATIONS},
        )
    limit = daily_limit(plan)
    verdict = ratelimit.hit(
        db, key=f"generate:{uid}", limit=limit, window_s=DAY_SECONDS, now=now, subject=uid
    )
    if not verdict.allowed:
        raise ResourceExhausted(
            f"You have made {limit} generations today, the most your plan allows; "
            "try again tomorrow.",
            details={
                "reason": "generations-per-day",
                "limit": limit,
                "retryAfterSeconds": max(1, math.ceil(verdict.retry_after_s)),
            },
        )
    doc = new_doc(spec, parent_id=command.regenerate_from, request_id=command.request_id, now=now)
    try:
        ref.create(doc)
    except AlreadyExists:  # the same requestId, concurrently
        return GenerateResult(generation_id=ref.id, created=False)
    _queue(enqueuer, uid, ref.id, doc)
    return GenerateResult(generation_id=ref.id, created=True)


def new_doc(
    spec: Spec, *, parent_id: str | None, request_id: str | None, now: datetime
) -> dict[str, Any]:
    return {
        "type": spec.type,
        "prompt": spec.prompt,
        "language": spec.language,
        "framework": spec.framework,
        "options": {
            "maxRepairs": spec.max_repairs,
            "files": spec.files,
            "dependencies": spec.dependencies,
        },
        "parentId": parent_id,
        "requestId": request_id,
        "status": "queued",
        "progress": {"stage": "queued", "percent": 0},
        "draft": "",
        "explanation": "",
        "files": [],
        "validation": None,
        "repair": None,
        "usage": None,
        "cancelRequested": False,
        "error": None,
        "attempt": 0,
        "leaseUntil": None,
        "createdAt": now,
        "updatedAt": now,
        "startedAt": None,
        "finishedAt": None,
    }


def _queue(enqueuer: Enqueuer, uid: str, gid: str, doc: dict[str, Any]) -> None:
    """Queue the generation's task (a name already used is refused: queued once)."""
    if doc.get("status") != "queued":
        return
    payload = GenerationTask(uid=uid, generation_id=gid).model_dump(by_alias=True)
    try:
        enqueuer.enqueue(GENERATION_QUEUE, payload, name=task_name("generation", uid, gid))
    except Exception as exc:
        logs.error("generation task not queued", error=repr(exc))
        raise Unavailable("The generation could not be started; try again.") from exc


def cancel_generation(*, db: Client, uid: str, gid: str, now: datetime) -> CancelGenerationResult:
    """Ask a generation to stop: a queued one is cancelled at once, a running one at its
    task's next write. Idempotent; a finished one answers `cancelled: false`.

    Raises:
        NotFound: no such generation of the caller's.
    """
    from google.api_core.exceptions import FailedPrecondition
    from google.api_core.exceptions import NotFound as Missing

    ref = repository.generation_ref(db, uid, gid)
    for _ in range(repository.CLAIM_TRIES):
        snapshot = ref.get()
        if not snapshot.exists:
            raise NotFound("No such generation.", details={"field": "id"})
        doc = snapshot.to_dict() or {}
        status = doc.get("status")
        if status in FINAL_STATUSES:
            return CancelGenerationResult(cancelled=status == "cancelled")
        if doc.get("cancelRequested"):
            return CancelGenerationResult(cancelled=True)
        fields = (
            repository.cancelled_fields(now)
            if status not in RUNNING_STATUSES
            else {"cancelRequested": True, "updatedAt": now}
        )
        try:
            ref.update(fields, option=db.write_option(last_update_time=snapshot.update_time))
        except (FailedPrecondition, Missing):
            continue  # the task wrote meanwhile: look again
        return CancelGenerationResult(cancelled=True)
    raise Unavailable("The generation is busy; try cancelling again.")


def delete_generation(*, db: Client, uid: str, gid: str) -> DeleteGenerationResult:
    """Delete a generation and its files. A running one stops at its next write (it finds
    the generation gone). Idempotent: an id that names nothing answers `deleted: false`."""
    ref = repository.generation_ref(db, uid, gid)
    snapshot = ref.get(field_paths=["status"])
    if not snapshot.exists:
        return DeleteGenerationResult(deleted=False)
    ref.delete()  # first: the task's conditional writes (and its file batch) now fail
    db.recursive_delete(repository.files_of(ref))
    return DeleteGenerationResult(deleted=True)


def list_generations(*, db: Client, uid: str, command: ListGenerations) -> ListGenerationsResult:
    """The caller's generations, newest first, `limit` a page; `cursor` is the last id of
    the page before (`nextCursor`).

    Raises:
        InvalidArgument: a cursor that names no generation of the caller's (`cursor`).
    """
    from google.cloud.firestore_v1.base_query import FieldFilter

    query: Any = repository.generations_of(db, uid)
    if command.type is not None:
        query = query.where(filter=FieldFilter("type", "==", command.type))
    query = query.order_by("createdAt", direction="DESCENDING")
    if command.cursor is not None:
        try:
            check_doc_id(command.cursor)
        except ValueError:
            raise InvalidArgument("cursor: is not a cursor of this list", field="cursor") from None
        after = repository.generation_ref(db, uid, command.cursor).get()
        if not after.exists:
            raise InvalidArgument("cursor: is not a cursor of this list", field="cursor")
        query = query.start_after(after)
    docs = list(query.limit(command.limit + 1).stream())
    page = docs[: command.limit]
    items = [GenerationSummary.of(d.id, d.to_dict() or {}) for d in page]
    more = len(docs) > command.limit
    return ListGenerationsResult(items=items, next_cursor=page[-1].id if more and page else None)


def get_generation(*, db: Client, uid: str, gid: str) -> GenerationPublic:
    """One generation with its draft and its files' contents.

    Raises:
        NotFound: no such generation of the caller's.
    """
    ref = repository.generation_ref(db, uid, gid)
    snapshot = ref.get()
    if not snapshot.exists:
        raise NotFound("No such generation.", details={"field": "id"})
    doc = snapshot.to_dict() or {}
    contents = [
        GeneratedFile(
            id=d.id,
            path=data["path"],
            language=data["language"],
            size=int(data.get("size") or 0),
            content=data["content"],
        )
        for d in repository.files_of(ref).order_by("order").stream()
        if (data := d.to_dict() or {})
    ]
    summary = GenerationSummary.of(gid, doc)
    return GenerationPublic(
        **summary.model_dump(), draft=str(doc.get("draft") or ""), contents=contents
    )
