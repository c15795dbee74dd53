"""Where the code runs (emulator or production) and its lazily created clients.

Nothing here connects at import time: the Firebase CLI imports `main.py` to discover
functions without credentials and under a short timeout, and every cold start pays for
what importing does. Each client is created once per instance, on first use.
"""

from __future__ import annotations

import functools
import json
import os
import urllib.parse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from firebase_admin import App
    from google.cloud.firestore import Client as FirestoreClient
    from google.cloud.pubsub_v1 import PublisherClient
    from google.cloud.storage import Bucket
    from google.cloud.storage import Client as StorageClient


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


def storage_bucket_name() -> str:
    """The default bucket: `AURA_STORAGE_BUCKET`; else the project's default bucket, which
    Cloud Functions (and the Functions emulator) put in FIREBASE_CONFIG `storageBucket`
    (projects made since late 2024 have `{project}.firebasestorage.app`); else
    `{project}.appspot.com`, the Storage emulator's default (tests and tools)."""
    if name := os.environ.get("AURA_STORAGE_BUCKET"):
        return name
    config = os.environ.get("FIREBASE_CONFIG", "")
    if config.startswith("{") and (name := json.loads(config).get("storageBucket")):
        return str(name)
    return f"{project_id()}.appspot.com"


@functools.cache
def _storage_client() -> StorageClient:
    """The Cloud Storage client: anonymous credentials under the emulator, ADC in production.

    STORAGE_EMULATOR_HOST is a base URL (`http://127.0.0.1:9199`): the Functions emulator
    sets it for functions, tools/stack.py for tests and tools.
    """
    from google.cloud import storage

    if os.environ.get("STORAGE_EMULATOR_HOST"):
        from google.auth.credentials import AnonymousCredentials

        return storage.Client(project=project_id(), credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]
    return storage.Client(project=project_id())


def get_bucket() -> Bucket:
    """The default bucket (`storage_bucket_name()`); no request is made until first use.

    Every object is written, read and deleted here, through the Admin credentials:
    storage.rules deny all client access. Everything about a user lives under
    `users/{uid}/`, so erasing a user deletes that prefix.
    """
    return _storage_client().bucket(storage_bucket_name())


# The Storage emulator (firebase-tools 15) finalises a resumable upload on its FIRST chunk
# (answers 200, not 308), so the next chunk fails with "Upload has finished"
# (firebase/firebase-tools#9047, reverted; #10325 open). Under it, uploads go as one
# chunk of up to this size (the emulator takes request bodies up to 130 MB).
EMULATOR_UPLOAD_CHUNK_BYTES = 128 * 1024 * 1024


def upload_chunk_size(chunk_bytes: int) -> int:
    """The `chunk_size` for `blob.open("wb", chunk_size=...)`: `chunk_bytes` (a multiple
    of 256 KiB) in production; under the Storage emulator one chunk for the whole object
    (held in memory), see EMULATOR_UPLOAD_CHUNK_BYTES."""
    if os.environ.get("STORAGE_EMULATOR_HOST"):
        return max(chunk_bytes, EMULATOR_UPLOAD_CHUNK_BYTES)
    return chunk_bytes


def storage_download_url(bucket_name: str, path: str, token: str) -> str:
    """A Firebase download-token URL for object `path`: whoever holds it can GET the bytes.

    The object must carry `token` in its metadata `firebaseStorageDownloadTokens`; the
    Firebase Storage API checks it before (and instead of) the security rules. The path
    is one URL segment (`/` encoded), as the Firebase SDKs' getDownloadURL makes it.
    Under the emulator the URL points at it (http://{host}/v0/b/...).
    """
    origin = "https://firebasestorage.googleapis.com"
    if emulator := os.environ.get("FIREBASE_STORAGE_EMULATOR_HOST") or os.environ.get(
        "STORAGE_EMULATOR_HOST"
    ):
        host = emulator.split("://", 1)[-1].rstrip("/")
        origin = f"http://{host}"
    bucket = urllib.parse.quote(bucket_name, safe="")
    obj = urllib.parse.quote(path, safe="")
    query = urllib.parse.urlencode({"alt": "media", "token": token})
    return f"{origin}/v0/b/{bucket}/o/{obj}?{query}"
