"""Aura's deployment manifest: every deployed Cloud Function, re-exported by name.

`functions` is imported first: it sets the global options every function inherits.
The Python name of each export is the deployed function's name. No logic lives here.
"""

import functions  # noqa: F401  (sets global options before any function is declared)
from functions.callables.cancel_execution import cancel_execution
from functions.callables.cancel_generation import cancel_generation

# Callables
from functions.callables.decide import decide
from functions.callables.delete_calendar_event import delete_calendar_event
from functions.callables.delete_conversation import delete_conversation
from functions.callables.delete_generation import delete_generation
from functions.callables.delete_my_account import delete_my_account
from functions.callables.delete_task import delete_task
from functions.callables.delete_workflow import delete_workflow
from functions.callables.ensure_profile import ensure_profile
from functions.callables.evaluate_flags import evaluate_flags
from functions.callables.export_my_data import export_my_data
from functions.callables.forget import forget
from functions.callables.forget_all_memories import forget_all_memories
from functions.callables.generate import generate
from functions.callables.get_generation import get_generation
from functions.callables.import_calendar import import_calendar
from functions.callables.list_flags import list_flags
from functions.callables.list_generations import list_generations
from functions.callables.mark_notifications_read import mark_notifications_read
from functions.callables.open_billing_portal import open_billing_portal
from functions.callables.pause_execution import pause_execution
from functions.callables.publish_event import publish_event
from functions.callables.query_analytics import query_analytics
from functions.callables.query_audit import query_audit
from functions.callables.quick_add import quick_add
from functions.callables.recall import recall
from functions.callables.record_outcome import record_outcome
from functions.callables.remember import remember
from functions.callables.resume_execution import resume_execution
from functions.callables.retry_execution import retry_execution
from functions.callables.retry_reply import retry_reply
from functions.callables.rotate_calendar_feed import rotate_calendar_feed
from functions.callables.run_workflow import run_workflow
from functions.callables.save_calendar_event import save_calendar_event
from functions.callables.save_task import save_task
from functions.callables.save_workflow import save_workflow
from functions.callables.set_flag import set_flag
from functions.callables.set_role import set_role
from functions.callables.start_checkout import start_checkout
from functions.callables.test_workflow_node import test_workflow_node
from functions.callables.update_memory import update_memory
from functions.callables.update_settings import update_settings

# Firestore triggers
from functions.firestore.on_calendar_event_written import on_calendar_event_written
from functions.firestore.on_chat_message_created import on_chat_message_created
from functions.firestore.on_notification_created import on_notification_created
from functions.firestore.on_task_written import on_task_written

# HTTP
from functions.http.health import health
from functions.http.ical import ical
from functions.http.stripe_webhook import stripe_webhook
from functions.http.unsubscribe import unsubscribe
from functions.http.webhook import webhook

# Pub/Sub
from functions.pubsub.on_event_published import on_event_published

# Task queues
from functions.queues.eraseaccount import eraseaccount
from functions.queues.firetimer import firetimer
from functions.queues.rearm import rearm
from functions.queues.runexport import runexport
from functions.queues.rungeneration import rungeneration
from functions.queues.runstep import runstep
from functions.queues.sendemail import sendemail

# Scheduled
from functions.scheduled.cleanup_retention import cleanup_retention
from functions.scheduled.send_briefings import send_briefings
from functions.scheduled.sweep import sweep

__all__ = [
    "cancel_execution",
    "cancel_generation",
    "cleanup_retention",
    "decide",
    "delete_calendar_event",
    "delete_conversation",
    "delete_generation",
    "delete_my_account",
    "delete_task",
    "delete_workflow",
    "ensure_profile",
    "eraseaccount",
    "evaluate_flags",
    "export_my_data",
    "firetimer",
    "forget",
    "forget_all_memories",
    "generate",
    "get_generation",
    "health",
    "ical",
    "import_calendar",
    "list_flags",
    "list_generations",
    "mark_notifications_read",
    "on_calendar_event_written",
    "on_chat_message_created",
    "on_event_published",
    "on_notification_created",
    "on_task_written",
    "open_billing_portal",
    "pause_execution",
    "publish_event",
    "query_analytics",
    "query_audit",
    "quick_add",
    "rearm",
    "recall",
    "record_outcome",
    "remember",
    "resume_execution",
    "retry_execution",
    "retry_reply",
    "rotate_calendar_feed",
    "run_workflow",
    "runexport",
    "rungeneration",
    "runstep",
    "save_calendar_event",
    "save_task",
    "save_workflow",
    "send_briefings",
    "sendemail",
    "set_flag",
    "set_role",
    "start_checkout",
    "stripe_webhook",
    "sweep",
    "test_workflow_node",
    "unsubscribe",
    "update_memory",
    "update_settings",
    "webhook",
]
