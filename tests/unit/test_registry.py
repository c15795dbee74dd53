"""The registry of user data is exactly what the rules and the code name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore

from shared import registry

ROOT = Path(__file__).resolve().parents[2]
MATCH = re.compile(r"match\s+(/\S+)\s*\{")


def rule_paths() -> list[str]:
    """Every `match` path in firestore.rules, joined with its enclosing matches."""
    text = (ROOT / "firestore.rules").read_text()
    text = re.sub(r"//[^\n]*", "", text)
    stack: list[tuple[int, str]] = []  # (brace depth at which the match opened, path)
    found: list[str] = []
    depth = 0
    i = 0
    while i < len(text):
        m = MATCH.match(text, i)
        if m:
            outer = stack[-1][1] if stack else ""
            path = outer + m.group(1)
            depth += 1
            stack.append((depth, path))
            found.append(path)
            i = m.end()
            continue
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            if stack and stack[-1][0] == depth:
                stack.pop()
            depth -= 1
        i += 1
    return [p.removeprefix("/databases/{database}/documents") for p in found]


def collection_of(path: str) -> str:
    """`/users/{uid}/executions/{eid}/logs/{lid}` -> `executions/*/logs`."""
    parts = path.strip("/").split("/")[2:]  # below users/{uid}
    return "/".join("*" if p.startswith("{") else p for p in parts[:-1])


def test_the_user_collections_the_rules_open_are_the_registered_readable_ones() -> None:
    under_user = {collection_of(p) for p in rule_paths() if p.startswith("/users/{uid}/")}
    readable = {c.path for c in registry.USER_COLLECTIONS if c.client_readable}
    assert under_user == readable


def test_the_top_level_collections_the_rules_open_are_the_registered_readable_ones() -> None:
    top = {p.strip("/").split("/")[0] for p in rule_paths() if p.count("/") == 2}
    readable = {c.name for c in registry.SERVER_COLLECTIONS if c.client_read != "none"}
    assert top - {"users"} == readable
    closed = {c.name for c in registry.SERVER_COLLECTIONS if c.client_read == "none"}
    assert not closed & top  # server-only collections match no rule


def test_every_collection_the_code_names_is_registered() -> None:
    """Literal collection names in shared/ (`collection("_x")`, `X = "_x"` constants)."""
    names: set[str] = set()
    for source in (ROOT / "shared").rglob("*.py"):
        text = source.read_text()
        names |= set(re.findall(r'\.collection\(\s*"([A-Za-z_]\w*)"', text))
        names |= set(re.findall(r'^[A-Z_]+ = "(_[A-Za-z]\w*)"', text, flags=re.M))
    registered = (
        {c.name for c in registry.SERVER_COLLECTIONS}
        | {registry.USERS}
        | {c.path.rsplit("/", 1)[-1] for c in registry.USER_COLLECTIONS}
    )
    assert names - registered == set()


def test_user_collections_refuse_unregistered_names() -> None:
    db = firestore.Client(project="demo-aura", credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]
    tasks = registry.user_collection(db, "u1", "tasks")
    assert (tasks.parent.path if tasks.parent else None, tasks.id) == ("users/u1", "tasks")
    with pytest.raises(KeyError, match="not a registered user collection"):
        registry.user_collection(db, "u1", "secrets")
