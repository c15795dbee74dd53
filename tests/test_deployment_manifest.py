"""What `firebase deploy` would deploy, read back from each function's endpoint."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from firebase_functions.params import SecretParam
from firebase_functions.private import serving

import main
from functions.params import CONCURRENCY, REGION

ROOT = Path(__file__).resolve().parent.parent

# name -> (trigger, secrets, retry). Retry is None for HTTP and callables (no retries).
# A secret is bound only where it is read: the AI keys by the functions that call a model
# (runstep runs `ai` and `decision` nodes) and by health, which reports which providers
# have a key. Starting a run (run_workflow, retry_execution, webhook, firetimer) only
# queues steps, so those functions never hold the keys.
EXPECTED: dict[str, tuple[str, set[str], bool | None]] = {
    "health": ("https", {"OPENAI_API_KEY", "ANTHROPIC_API_KEY"}, None),
    "ensure_profile": ("callable", set(), None),
    "update_settings": ("callable", set(), None),
    "set_role": ("callable", set(), None),
    "set_flag": ("callable", set(), None),
    "evaluate_flags": ("callable", set(), None),
    "export_my_data": ("callable", set(), None),
    "list_flags": ("callable", set(), None),
    "query_audit": ("callable", set(), None),
    "query_analytics": ("callable", set(), None),
    "delete_conversation": ("callable", set(), None),
    "delete_my_account": ("callable", set(), None),
    "retry_reply": ("callable", {"OPENAI_API_KEY", "ANTHROPIC_API_KEY"}, None),
    "quick_add": ("callable", {"OPENAI_API_KEY", "ANTHROPIC_API_KEY"}, None),
    "publish_event": ("callable", set(), None),
    "mark_notifications_read": ("callable", set(), None),
    "save_workflow": ("callable", set(), None),
    "delete_workflow": ("callable", set(), None),
    "test_workflow_node": ("callable", {"OPENAI_API_KEY", "ANTHROPIC_API_KEY"}, None),
    "save_task": ("callable", set(), None),
    "delete_task": ("callable", set(), None),
    "save_calendar_event": ("callable", set(), None),
    "delete_calendar_event": ("callable", set(), None),
    "rotate_calendar_feed": ("callable", set(), None),
    "import_calendar": ("callable", set(), None),
    "run_workflow": ("callable", set(), None),
    "pause_execution": ("callable", set(), None),
    "resume_execution": ("callable", set(), None),
    "cancel_execution": ("callable", set(), None),
    "retry_execution": ("callable", set(), None),
    "remember": ("callable", {"OPENAI_API_KEY", "ANTHROPIC_API_KEY"}, None),
    "recall": ("callable", {"OPENAI_API_KEY", "ANTHROPIC_API_KEY"}, None),
    "update_memory": ("callable", {"OPENAI_API_KEY", "ANTHROPIC_API_KEY"}, None),
    "forget": ("callable", set(), None),
    "forget_all_memories": ("callable", set(), None),
    "decide": ("callable", {"OPENAI_API_KEY", "ANTHROPIC_API_KEY"}, None),
    "record_outcome": ("callable", set(), None),
    "generate": ("callable", set(), None),
    "cancel_generation": ("callable", set(), None),
    "delete_generation": ("callable", set(), None),
    "list_generations": ("callable", set(), None),
    "get_generation": ("callable", set(), None),
    "webhook": ("https", set(), None),
    # Billing: only these three hold the Stripe key and the webhook signing secret.
    "start_checkout": ("callable", {"STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"}, None),
    "open_billing_portal": ("callable", {"STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"}, None),
    "stripe_webhook": ("https", {"STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"}, None),
    "ical": ("https", set(), None),
    # Email: the link key where links are written and checked, the SMTP password where
    # mail is sent; nothing else holds either.
    "unsubscribe": ("https", {"EMAIL_LINK_KEY"}, None),
    "sendemail": ("task-queue", {"SMTP_PASSWORD"}, None),
    "runstep": ("task-queue", {"OPENAI_API_KEY", "ANTHROPIC_API_KEY"}, None),
    "firetimer": ("task-queue", set(), None),
    "rearm": ("task-queue", set(), None),
    "rungeneration": ("task-queue", {"OPENAI_API_KEY", "ANTHROPIC_API_KEY"}, None),
    # The erasure receipt's subject is a keyed hash: only the erasing task holds the key.
    "eraseaccount": (
        "task-queue",
        {"AUDIT_SUBJECT_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"},
        None,
    ),
    "runexport": ("task-queue", set(), None),
    "sweep": ("schedule", set(), None),
    "cleanup_retention": ("schedule", set(), None),
    "send_briefings": ("schedule", {"OPENAI_API_KEY", "ANTHROPIC_API_KEY"}, None),
    "on_event_published": ("google.cloud.pubsub.topic.v1.messagePublished", set(), True),
    "on_task_written": ("google.cloud.firestore.document.v1.written", set(), False),
    "on_notification_created": (
        "google.cloud.firestore.document.v1.created",
        {"EMAIL_LINK_KEY"},
        False,
    ),
    "on_calendar_event_written": ("google.cloud.firestore.document.v1.written", set(), False),
    "on_chat_message_created": (
        "google.cloud.firestore.document.v1.created",
        {"OPENAI_API_KEY", "ANTHROPIC_API_KEY"},
        False,
    ),
}


def exported() -> dict[str, Any]:
    return {
        name: fn
        for name, fn in inspect.getmembers(main, inspect.isfunction)
        if hasattr(fn, "__firebase_endpoint__")
    }


def trigger_of(endpoint: Any) -> tuple[str, bool | None]:
    if endpoint.callableTrigger is not None:
        return "callable", None
    if endpoint.httpsTrigger is not None:
        return "https", None
    if endpoint.eventTrigger is not None:
        return endpoint.eventTrigger["eventType"], bool(endpoint.eventTrigger.get("retry"))
    if endpoint.taskQueueTrigger is not None:
        return "task-queue", None
    if endpoint.scheduleTrigger is not None:
        return "schedule", None
    raise AssertionError(f"unknown trigger: {endpoint}")


def test_exactly_the_expected_functions_are_exported() -> None:
    assert set(exported()) == set(EXPECTED)
    assert sorted(main.__all__) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_trigger_region_secrets_and_retry(name: str) -> None:
    endpoint = exported()[name].__firebase_endpoint__
    trigger, retry = trigger_of(endpoint)
    want_trigger, want_secrets, want_retry = EXPECTED[name]

    assert endpoint.entryPoint == name
    assert trigger == want_trigger
    assert endpoint.region == [REGION]
    assert {s["key"] for s in endpoint.secretEnvironmentVariables or []} == want_secrets
    assert retry == want_retry


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cpu_and_concurrency_match_the_framework_threads(name: str) -> None:
    """cpu must be explicit (the 1st-gen default forces concurrency 1) and THREADS in .env
    must equal the concurrency, or requests queue behind each other in one instance."""
    endpoint = exported()[name].__firebase_endpoint__
    env = dict(
        line.split("=", 1)
        for line in (ROOT / ".env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert endpoint.cpu == 1
    assert endpoint.concurrency == CONCURRENCY
    assert int(env["THREADS"]) == CONCURRENCY


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_function_declares_every_secret_its_module_reads(name: str) -> None:
    """An undeclared SecretParam reads as '' in production (the emulator hides this)."""
    fn = exported()[name]
    module = sys.modules[fn.__module__]
    used: set[str] = set()
    for value in vars(module).values():
        candidates = value if isinstance(value, list) else [value]
        used |= {v.name for v in candidates if isinstance(v, SecretParam)}
    declared = {s["key"] for s in fn.__firebase_endpoint__.secretEnvironmentVariables or []}
    assert used <= declared


def test_manifest_renders_as_deploy_reads_it() -> None:
    spec = yaml.safe_load(serving.functions_as_yaml(serving.get_functions()))
    assert set(spec["endpoints"]) == set(EXPECTED)
    assert {p["name"] for p in spec["params"]} >= {"OPENAI_API_KEY", "ANTHROPIC_API_KEY"}
