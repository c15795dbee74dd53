"""Where the code runs (emulator or production) and its lazily created clients.

Nothing here connects at import time: the Firebase CLI imports `main.py` to discover
functions without credentials and under a short timeout, and every cold start pays for
what importing does. Each client is created once per instance, on first use.
"""

from __future__ import annotations

import functools
import json
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from firebase_admin import App
    from google.cloud.firestore import Client as FirestoreClient
    from google.cloud.pubsub_v1 import PublisherClient


def project_id() -> str:
    """The Google Cloud project, from the environment Cloud Functions (or the emulator) sets."""
    for key in ("GCLOUD_PROJECT", "GOOGLE_CLOUD_PROJECT"):
        if value := os.environ.get(key):
            return value
    if config := os.environ.get("FIREBASE_CONFIG"):
        with_project: dict[str, Any] = json.loads(config) if config.startswith("{") else {}
        if value := with_project.get("projectId"):
            return str(value)
    msg = "No project id: set GOOGLE_CLOUD_PROJECT (the emulator and Cloud Functions do)."
    raise RuntimeError(msg)


def in_emulator() -> bool:
    """True inside the Functions emulator (it sets FUNCTIONS_EMULATOR=true)."""
    return os.environ.get("FUNCTIONS_EMULATOR") == "true"


def tokens_unverified() -> bool:
    """True when ID tokens would be accepted unsigned outside the emulator.

    With FIREBASE_AUTH_EMULATOR_HOST set, the Admin SDK skips the signature and expiry
    checks of every ID token: right in the emulator, and in a deployed function a way for
    anyone to act as anyone. Callables refuse to serve then, and health reports it.
    """
    return bool(os.environ.get("FIREBASE_AUTH_EMULATOR_HOST")) and not in_emulator()


def environment() -> str:
    return "emulator" if in_emulator() else os.environ.get("AURA_ENV", "production")


@functools.cache
def get_app() -> App:
    """The default Firebase Admin app, initialised once.

    Cheap and offline: credentials and the project id are resolved on first real use,
    so this is safe at import time (the callable SDK needs the default app to exist
    before it verifies ID tokens, which happens before any `init` hook runs).
    """
    import firebase_admin

    try:
        return firebase_admin.get_app()
    except ValueError:
        return firebase_admin.initialize_app()


@functools.cache
def get_db() -> FirestoreClient:
    """The Firestore client: anonymous credentials under the emulator, ADC in production.

    The Admin SDK's `firestore.client()` insists on credentials even when
    FIRESTORE_EMULATOR_HOST is set, so build the client directly.
    """
    from google.cloud import firestore

    if os.environ.get("FIRESTORE_EMULATOR_HOST"):
        from google.auth.credentials import AnonymousCredentials

        return firestore.Client(project=project_id(), credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]
    return firestore.Client(project=project_id())


@functools.cache
def get_publisher() -> PublisherClient:
    """The Pub/Sub publisher (its grpc stack is heavy, so only on first use)."""
    from google.cloud import pubsub_v1

    return pubsub_v1.PublisherClient()
