"""Cloud Storage in the local stack: Admin SDK writes (streamed, resumable), download-token
URLs, and storage.rules denying every client request (the deny-all rules runtime)."""

from __future__ import annotations

import gzip
import hashlib
import os
import uuid

import pytest
import requests

from shared.platform import clients
from tests.support import emulators as emu
from tools.stack import LOG_DIR, STORAGE_BUCKET

CHUNK = 256 * 1024  # resumable uploads go in multiples of 256 KiB


def put(path: str, data: bytes, token: str | None = None) -> None:
    blob = clients.get_bucket().blob(path)
    if token:
        blob.metadata = {"firebaseStorageDownloadTokens": token}
    blob.upload_from_string(data, content_type="application/octet-stream")


def test_the_default_bucket_is_the_projects() -> None:
    assert clients.get_bucket().name == STORAGE_BUCKET == "demo-aura.appspot.com"


def test_a_streamed_gzip_upload_of_several_mb_downloads_through_its_token_url() -> None:
    """What an export does: gzip streamed into blob.open("wb") (a resumable upload), then
    fetched by whoever holds the token URL."""
    path = f"users/{uuid.uuid4().hex}/exports/{uuid.uuid4().hex}.json.gz"
    token = str(uuid.uuid4())
    original = hashlib.sha256()
    blob = clients.get_bucket().blob(path)
    blob.metadata = {"firebaseStorageDownloadTokens": token}
    chunk_size = clients.upload_chunk_size(4 * CHUNK)  # one chunk under the emulator
    with (
        blob.open("wb", chunk_size=chunk_size, content_type="application/gzip") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb") as archive,
    ):
        for _ in range(24):  # 6 MiB in, about as much out: random bytes do not compress
            piece = os.urandom(CHUNK)
            original.update(piece)
            archive.write(piece)

    blob.reload()
    assert blob.size > 6 * 1024 * 1024
    assert blob.content_type == "application/gzip"

    resp = requests.get(clients.storage_download_url(STORAGE_BUCKET, path, token), timeout=30)
    assert resp.status_code == 200
    assert len(resp.content) == blob.size
    assert hashlib.sha256(gzip.decompress(resp.content)).digest() == original.digest()


def test_the_emulator_still_cannot_take_a_resumable_upload_in_several_chunks() -> None:
    """Why clients.upload_chunk_size() sends one chunk under the emulator. When
    firebase-tools learns multi-chunk uploads (firebase-tools#10325), this fails: then
    drop EMULATOR_UPLOAD_CHUNK_BYTES and this test."""
    path = f"users/{uuid.uuid4().hex}/exports/chunked.bin"
    blob = clients.get_bucket().blob(path)
    with blob.open("wb", chunk_size=CHUNK) as raw:
        raw.write(os.urandom(CHUNK))  # chunk 1 of an upload of unknown size: 200, not 308
        with pytest.raises(ValueError, match="Upload has finished"):
            raw.write(os.urandom(CHUNK))
        raw.terminate()  # what the writer does on an error (close() would send again)
    blob.reload()
    assert blob.size == CHUNK  # the first chunk alone became the object


def test_a_wrong_or_missing_token_is_refused() -> None:
    path = f"users/{uuid.uuid4().hex}/exports/a.json.gz"
    put(path, b"secret", token="right-token")
    assert requests.get(clients.storage_download_url(STORAGE_BUCKET, path, "right-token")).ok
    wrong = requests.get(clients.storage_download_url(STORAGE_BUCKET, path, "wrong-token"))
    assert wrong.status_code == 403
    assert b"secret" not in wrong.content
    assert emu.storage_client_get(path, token=None).status_code == 403


def test_a_signed_in_client_can_neither_read_nor_write_even_its_own_objects() -> None:
    owner = emu.sign_up()
    path = f"users/{owner.uid}/exports/mine.json.gz"
    put(path, b"mine", token="t")

    read = emu.storage_client_get(path, owner.id_token)
    assert read.status_code == 403
    assert b"mine" not in read.content
    listing = emu.session.get(
        f"{emu.STORAGE}/v0/b/{STORAGE_BUCKET}/o",
        params={"prefix": f"users/{owner.uid}/"},
        headers={"Authorization": f"Firebase {owner.id_token}"},
        timeout=10,
    )
    assert listing.status_code == 403
    write = emu.session.post(
        f"{emu.STORAGE}/v0/b/{STORAGE_BUCKET}/o",
        params={"name": f"users/{owner.uid}/planted.txt"},
        data=b"planted",
        headers={"Authorization": f"Firebase {owner.id_token}", "Content-Type": "text/plain"},
        timeout=10,
    )
    assert write.status_code == 403
    assert not clients.get_bucket().blob(f"users/{owner.uid}/planted.txt").exists()
    # The same request with the emulator's admin credential passes: the 403s are the rules.
    admin = emu.storage_client_get(path, "owner")
    assert admin.status_code == 200
    assert admin.content == b"mine"


def test_deleting_a_users_prefix_deletes_only_that_user() -> None:
    uid, other = uuid.uuid4().hex, uuid.uuid4().hex
    for name in ("exports/1.json.gz", "exports/2.json.gz", "avatar/x.png"):
        put(f"users/{uid}/{name}", b"x")
    put(f"users/{other}/exports/1.json.gz", b"y")
    bucket = clients.get_bucket()

    doomed = list(bucket.list_blobs(prefix=f"users/{uid}/"))
    assert len(doomed) == 3
    bucket.delete_blobs(doomed)

    assert list(bucket.list_blobs(prefix=f"users/{uid}/")) == []
    assert [b.name for b in bucket.list_blobs(prefix="users/")] == [
        f"users/{other}/exports/1.json.gz"
    ]


def test_storage_rules_run_on_the_local_deny_all_runtime_without_grants() -> None:
    """The emulator started our rules runtime (no download) and storage.rules grants
    nothing it would have to evaluate (it warns about every grant)."""
    log = (LOG_DIR / "emulators.log").read_text(errors="replace")
    assert "Aura local Storage rules runtime" in log
    assert "grants access" not in log


@pytest.mark.parametrize("path", ["users/u1/exports/a b.json.gz", "users/ü/#?&.txt"])
def test_token_urls_work_for_awkward_names(path: str) -> None:
    put(path, b"ok", token="tok")
    resp = requests.get(clients.storage_download_url(STORAGE_BUCKET, path, "tok"), timeout=10)
    assert resp.status_code == 200
    assert resp.content == b"ok"
