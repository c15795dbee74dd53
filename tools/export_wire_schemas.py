"""Write the JSON Schema of the wire models the web app uses, from which it generates its types.

For each feature, one file `hosting/src/wire/schemas/<feature>.json`: its callables that
the web app calls, each one's request (the command model, as the server validates it) and
result (the response model, as the server serialises it), with every model under `$defs`.
`cd hosting && npm run gen:wire` turns them into `hosting/src/wire/<feature>.ts` with
json-schema-to-typescript; `make wire-check` regenerates both into a temporary folder
and fails when the committed files differ.

    venv/bin/python -m tools.export_wire_schemas [OUT_DIR]

Two choices make the generated types read like hand-written ones:

- Results are serialised whole (`Public.to_wire` dumps every field), so in serialization
  mode every field is required, defaults included: `nextRunAt: string | null`, not
  `nextRunAt?: ...`. Commands keep pydantic's rule: a field with a default may be left out.
- Fields carry no `title`: json-schema-to-typescript would make a type alias of each
  (`export type Timezone = string | null`). Models keep theirs: they name the interfaces.

Closed lists that a validator checks but no field's schema shows (`ALLOWED_MODELS`) go to
`vocabularies.json` as string enums (`AllowedModel`), so that the web app's lists of them
(with their labels) are checked by the compiler too.

The workflow editor's forms come from the same models: `workflow-forms.json` holds the
JSON Schema of each node type's `config`, of each trigger, of the fields every node has
and of the whole definition, each one self-contained (its own `$defs`), with readable
field titles for form labels. gen:wire makes no types of it: it compiles each schema into
a standalone ajv validator (`src/wire/validators/workflowForms.js`), since the app's CSP
refuses code compiled at run time. The workflow gallery (`shared/workflows/gallery/*.json`)
is written beside the schemas' folder as `gallery.json`, and each plan's daily AI quota
as `plans.json`.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema
from pydantic_core import core_schema

from shared.accounts.models import (
    ALLOWED_MODELS,
    EnsureProfile,
    EnsureProfileResult,
    SettingsPublic,
    UpdateSettings,
)
from shared.audit import QueryAudit, QueryAuditResult
from shared.billing.models import (
    OpenBillingPortal,
    OpenBillingPortalResult,
    StartCheckout,
    StartCheckoutResult,
)
from shared.calendar.models import (
    DeleteCalendarEvent,
    DeleteCalendarEventResult,
    ImportCalendar,
    ImportCalendarResult,
    RotateCalendarFeed,
    RotateCalendarFeedResult,
    SaveCalendarEvent,
    SaveCalendarEventResult,
)
from shared.chat.models import (
    DeleteConversation,
    DeleteConversationResult,
    RetryReply,
    RetryReplyResult,
)
from shared.decisions.models import Decide, DecisionResult, RecordOutcome, RecordOutcomeResult
from shared.memory.models import (
    Forget,
    ForgetAllMemories,
    ForgetResult,
    Recall,
    RecallResult,
    Remember,
    RememberResult,
    UpdateMemory,
    UpdateMemoryResult,
)
from shared.notifications.models import MarkNotificationsRead, MarkNotificationsReadResult
from shared.platform.analytics import QueryAnalytics, QueryAnalyticsResult
from shared.platform.erasure import DeleteMyAccount, DeleteMyAccountResult
from shared.platform.export_models import ExportMyData, ExportMyDataResult
from shared.platform.flags import (
    EvaluateFlags,
    EvaluateFlagsResult,
    ListFlags,
    ListFlagsResult,
    SetFlag,
    SetFlagResult,
)
from shared.quickadd.models import QuickAdd, QuickAddResult
from shared.studio.gate.languages import CODE_LANGUAGES
from shared.studio.models import (
    CancelGenerationResult,
    DeleteGenerationResult,
    Generate,
    GenerateResult,
    GenerationPublic,
    GenerationRef,
    ListGenerations,
    ListGenerationsResult,
)
from shared.tasks.models import DeleteTask, DeleteTaskResult, SaveTask, SaveTaskResult
from shared.workflows.control import ExecutionCommand, ExecutionStatus, RetryExecution
from shared.workflows.executions import RunWorkflow, RunWorkflowResult
from shared.workflows.models import (
    Definition,
    DeleteWorkflow,
    DeleteWorkflowResult,
    NodeBase,
    SaveWorkflow,
    SaveWorkflowResult,
)
from shared.workflows.models import Node as WorkflowNode
from shared.workflows.models import Trigger as WorkflowTrigger
from shared.workflows.stepper import StepTest, StepTestResult

OUT_DIR = Path(__file__).resolve().parent.parent / "hosting" / "src" / "wire" / "schemas"
REF_TEMPLATE = "#/$defs/{model}"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class WireCallable:
    """A callable the web app calls: its deployed name, command and result models."""

    name: str
    request: type[BaseModel]
    result: type[BaseModel]


@dataclass(frozen=True)
class Feature:
    """One schema file: `name.json`, its root titled `title`."""

    name: str
    title: str
    callables: tuple[WireCallable, ...]


@dataclass(frozen=True)
class Vocabulary:
    """A closed list of values that a validator checks, which no field's schema shows."""

    name: str
    description: str
    values: tuple[str, ...]


FEATURES = (
    Feature(
        name="accounts",
        title="AccountsCallables",
        callables=(
            WireCallable("ensure_profile", EnsureProfile, EnsureProfileResult),
            WireCallable("update_settings", UpdateSettings, SettingsPublic),
        ),
    ),
    Feature(
        name="chat",
        title="ChatCallables",
        callables=(
            WireCallable("delete_conversation", DeleteConversation, DeleteConversationResult),
            WireCallable("retry_reply", RetryReply, RetryReplyResult),
        ),
    ),
    Feature(
        name="workflows",
        title="WorkflowsCallables",
        callables=(
            WireCallable("save_workflow", SaveWorkflow, SaveWorkflowResult),
            WireCallable("delete_workflow", DeleteWorkflow, DeleteWorkflowResult),
            WireCallable("test_workflow_node", StepTest, StepTestResult),
        ),
    ),
    Feature(
        name="tasks",
        title="TasksCallables",
        callables=(
            WireCallable("save_task", SaveTask, SaveTaskResult),
            WireCallable("delete_task", DeleteTask, DeleteTaskResult),
        ),
    ),
    Feature(
        name="calendar",
        title="CalendarCallables",
        callables=(
            WireCallable("save_calendar_event", SaveCalendarEvent, SaveCalendarEventResult),
            WireCallable("delete_calendar_event", DeleteCalendarEvent, DeleteCalendarEventResult),
            WireCallable("rotate_calendar_feed", RotateCalendarFeed, RotateCalendarFeedResult),
            WireCallable("import_calendar", ImportCalendar, ImportCalendarResult),
        ),
    ),
    Feature(
        name="quickadd",
        title="QuickAddCallables",
        callables=(WireCallable("quick_add", QuickAdd, QuickAddResult),),
    ),
    Feature(
        name="flags",
        title="FlagsCallables",
        callables=(
            WireCallable("evaluate_flags", EvaluateFlags, EvaluateFlagsResult),
            WireCallable("list_flags", ListFlags, ListFlagsResult),
            WireCallable("set_flag", SetFlag, SetFlagResult),
        ),
    ),
    Feature(
        name="audit",
        title="AuditCallables",
        callables=(WireCallable("query_audit", QueryAudit, QueryAuditResult),),
    ),
    Feature(
        name="analytics",
        title="AnalyticsCallables",
        callables=(WireCallable("query_analytics", QueryAnalytics, QueryAnalyticsResult),),
    ),
    Feature(
        name="export",
        title="ExportCallables",
        callables=(WireCallable("export_my_data", ExportMyData, ExportMyDataResult),),
    ),
    Feature(
        name="billing",
        title="BillingCallables",
        callables=(
            WireCallable("start_checkout", StartCheckout, StartCheckoutResult),
            WireCallable("open_billing_portal", OpenBillingPortal, OpenBillingPortalResult),
        ),
    ),
    Feature(
        name="erasure",
        title="ErasureCallables",
        callables=(WireCallable("delete_my_account", DeleteMyAccount, DeleteMyAccountResult),),
    ),
    Feature(
        name="notifications",
        title="NotificationsCallables",
        callables=(
            WireCallable(
                "mark_notifications_read", MarkNotificationsRead, MarkNotificationsReadResult
            ),
        ),
    ),
    Feature(
        name="decisions",
        title="DecisionsCallables",
        callables=(
            WireCallable("decide", Decide, DecisionResult),
            WireCallable("record_outcome", RecordOutcome, RecordOutcomeResult),
        ),
    ),
    Feature(
        name="memory",
        title="MemoryCallables",
        callables=(
            WireCallable("remember", Remember, RememberResult),
            WireCallable("recall", Recall, RecallResult),
            WireCallable("update_memory", UpdateMemory, UpdateMemoryResult),
            WireCallable("forget", Forget, ForgetResult),
            WireCallable("forget_all_memories", ForgetAllMemories, ForgetResult),
        ),
    ),
    Feature(
        name="executions",
        title="ExecutionsCallables",
        callables=(
            WireCallable("run_workflow", RunWorkflow, RunWorkflowResult),
            WireCallable("pause_execution", ExecutionCommand, ExecutionStatus),
            WireCallable("resume_execution", ExecutionCommand, ExecutionStatus),
            WireCallable("cancel_execution", ExecutionCommand, ExecutionStatus),
            WireCallable("retry_execution", RetryExecution, RunWorkflowResult),
        ),
    ),
    Feature(
        name="studio",
        title="StudioCallables",
        callables=(
            WireCallable("generate", Generate, GenerateResult),
            WireCallable("cancel_generation", GenerationRef, CancelGenerationResult),
            WireCallable("delete_generation", GenerationRef, DeleteGenerationResult),
            WireCallable("list_generations", ListGenerations, ListGenerationsResult),
            WireCallable("get_generation", GenerationRef, GenerationPublic),
        ),
    ),
)

VOCABULARIES = (
    Vocabulary(
        "AllowedModel",
        "A model a user may prefer (`ALLOWED_MODELS`, checked by `UpdateSettings`); 'auto' "
        "lets the AI gateway choose.",
        ALLOWED_MODELS,
    ),
    Vocabulary(
        "StudioCodeLanguage",
        "A language a `code` generation may be asked for (the gate's `CODE_LANGUAGES`, "
        "checked by `generate`).",
        CODE_LANGUAGES,
    ),
)


class WireSchema(GenerateJsonSchema):
    """pydantic's JSON Schema, with every result field required and no field titles."""

    def field_is_required(
        self,
        field: core_schema.ModelField | core_schema.DataclassField | core_schema.TypedDictField,
        total: bool,
    ) -> bool:
        if self.mode == "serialization":
            return field.get("serialization_exclude_if") is None
        return super().field_is_required(field, total)

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def _modes(call: WireCallable) -> tuple[tuple[type[BaseModel], JsonSchemaMode], ...]:
    return ((call.request, "validation"), (call.result, "serialization"))


def feature_schema(feature: Feature) -> dict[str, Any]:
    """One feature's callables as a JSON Schema object: name -> {request, result}."""
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = []
    for call in feature.callables:
        for pair in _modes(call):
            if pair not in wanted:
                wanted.append(pair)
    refs, top = models_json_schema(
        wanted, by_alias=True, ref_template=REF_TEMPLATE, schema_generator=WireSchema
    )
    defs: dict[str, Any] = top.get("$defs", {})
    names = [call.name for call in feature.callables]
    return {
        "$schema": SCHEMA_DIALECT,
        "title": feature.title,
        "description": (
            f"The {feature.name} callables the web app calls, by name: each one's request "
            "(as the server validates it) and result (as the server serialises it)."
        ),
        "type": "object",
        "properties": {
            call.name: {
                "type": "object",
                "properties": {
                    "request": refs[(call.request, "validation")],
                    "result": refs[(call.result, "serialization")],
                },
                "required": ["request", "result"],
                "additionalProperties": False,
            }
            for call in feature.callables
        },
        "required": names,
        "additionalProperties": False,
        "$defs": dict(sorted(defs.items())),
    }


def vocabularies_schema() -> dict[str, Any]:
    """The vocabularies, each a string enum under `$defs`, named by the root object."""
    defs = {
        item.name: {
            "title": item.name,
            "description": item.description,
            "enum": list(item.values),
            "type": "string",
        }
        for item in VOCABULARIES
    }
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "Vocabularies",
        "description": "Closed lists of values that a server validator checks.",
        "type": "object",
        "properties": {name: {"$ref": REF_TEMPLATE.format(model=name)} for name in defs},
        "required": list(defs),
        "additionalProperties": False,
        "$defs": defs,
    }


FORMS_NAME = "workflow-forms"
GALLERY_FILE = "gallery.json"
PLANS_FILE = "plans.json"


class FormSchema(GenerateJsonSchema):
    """pydantic's JSON Schema with field titles a form can show ("timeoutSeconds" ->
    "Timeout seconds")."""

    def get_title_from_name(self, name: str) -> str:
        words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").strip().lower()
        return words[:1].upper() + words[1:]


def _form(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(
        by_alias=True, ref_template=REF_TEMPLATE, schema_generator=FormSchema
    )
    if "$defs" in schema:
        schema["$defs"] = dict(sorted(schema["$defs"].items()))
    return schema


def _members(union: Any) -> dict[str, type[BaseModel]]:
    """A discriminated union's models by their `type` tag."""
    models: tuple[type[BaseModel], ...] = get_args(get_args(union)[0])
    return {get_args(model.model_fields["type"].annotation)[0]: model for model in models}


def forms_schema() -> dict[str, Any]:
    """The workflow editor's form schemas (see the module docstring)."""
    nodes = {
        tag: _form(model.model_fields["config"].annotation)  # type: ignore[arg-type]
        for tag, model in _members(WorkflowNode).items()
    }
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "WorkflowForms",
        "description": (
            "JSON Schemas of the workflow definition's parts, for the editor's forms: each "
            "node type's config, each trigger, the fields every node has, and the whole "
            "definition. Generated from the server's pydantic models; checks that need more "
            "than one value (templates, graph, cron) stay the server's."
        ),
        "nodes": nodes,
        "nodeBase": _form(NodeBase),
        "triggers": {tag: _form(model) for tag, model in _members(WorkflowTrigger).items()},
        "definition": _form(Definition),
    }


def gallery() -> list[dict[str, Any]]:
    """The workflow gallery (`shared/workflows/gallery`), as the web app lists it."""
    from shared.workflows.gallery import templates

    return [template.to_wire() for template in templates()]


def plans() -> dict[str, dict[str, int]]:
    """Each plan's daily AI quota (`shared/ai/quotas.QUOTAS`), for the Plan page."""
    from shared.ai.quotas import QUOTAS

    return {name: {"requests": q.requests, "tokens": q.tokens} for name, q in QUOTAS.items()}


def export(out_dir: Path) -> list[Path]:
    """Write one schema per feature into `out_dir` (removing any other `*.json` there),
    and beside it the workflow gallery (`../gallery.json`) and the plans' quotas
    (`../plans.json`)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    schemas = {feature.name: feature_schema(feature) for feature in FEATURES}
    schemas["vocabularies"] = vocabularies_schema()
    schemas[FORMS_NAME] = forms_schema()
    written = []
    for name, schema in schemas.items():
        path = out_dir / f"{name}.json"
        text = json.dumps(schema, indent=2, ensure_ascii=False)
        path.write_text(f"{text}\n", encoding="utf-8")
        written.append(path)
    for stale in set(out_dir.glob("*.json")) - set(written):
        stale.unlink()
    gallery_path = out_dir.parent / GALLERY_FILE
    text = json.dumps(gallery(), indent=2, ensure_ascii=False)
    gallery_path.write_text(f"{text}\n", encoding="utf-8")
    written.append(gallery_path)
    plans_path = out_dir.parent / PLANS_FILE
    plans_path.write_text(f"{json.dumps(plans(), indent=2)}\n", encoding="utf-8")
    written.append(plans_path)
    return written


def main(argv: list[str]) -> int:
    out_dir = Path(argv[0]) if argv else OUT_DIR
    for path in export(out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
