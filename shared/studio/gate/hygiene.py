"""Checks for every kind and language: paths, sizes, the declared file set,
placeholder phrases and secrets-looking strings. Text scanning only."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from shared.studio.gate.limits import MAX_FILE_BYTES, MAX_FILES, MAX_PATH_CHARS, MAX_TOTAL_BYTES
from shared.studio.models import File, GateError

_PATH_CHARS = re.compile(r"[A-Za-z0-9._/-]+")


def path_problem(path: str) -> str | None:
    """Why `path` is not a safe relative POSIX path, or None when it is."""
    if not path or len(path) > MAX_PATH_CHARS:
        return f"path must be 1-{MAX_PATH_CHARS} characters"
    if not _PATH_CHARS.fullmatch(path):
        return "path may use only letters, digits, '.', '_', '-' and '/'"
    if path.startswith("/") or path.endswith("/"):
        return "path must be relative and name a file"
    if any(part in {"", ".", ".."} for part in path.split("/")):
        return "path may not contain empty, '.' or '..' segments"
    return None


def structure(files: Sequence[File], declared: Sequence[str] | None) -> list[GateError]:
    """Counts, sizes, paths, duplicates and files outside `declared`."""
    errors: list[GateError] = []
    if len(files) > MAX_FILES:
        errors.append(
            GateError(
                None, None, None, "too-many-files", f"{len(files)} files; at most {MAX_FILES}"
            )
        )
    total = sum(len(f.content.encode("utf-8")) for f in files)
    if total > MAX_TOTAL_BYTES:
        errors.append(
            GateError(
                None, None, None, "too-large", f"{total} bytes in all; at most {MAX_TOTAL_BYTES}"
            )
        )
    allowed = set(declared) if declared is not None else None
    seen: set[str] = set()
    for f in files:
        problem = path_problem(f.path)
        if problem:
            errors.append(GateError(f.path, None, None, "invalid-path", problem))
        if f.path in seen:
            errors.append(GateError(f.path, None, None, "duplicate-file", "path appears twice"))
        seen.add(f.path)
        size = len(f.content.encode("utf-8"))
        if size > MAX_FILE_BYTES:
            errors.append(
                GateError(
                    f.path, None, None, "too-large", f"{size} bytes; at most {MAX_FILE_BYTES}"
                )
            )
        if allowed is not None and f.path not in allowed:
            errors.append(
                GateError(f.path, None, None, "undeclared-file", "file is not in the declared set")
            )
    return errors


# --- placeholders --------------------------------------------------------------------

_PLACEHOLDER_PHRASES = re.compile(
    r"rest of (?:the |your |this )?(?:code|implementation|file|component|function|logic|methods?)"
    r"|\.\.\.\s*(?:existing|previous|remaining|other|same|unchanged)\s+code\s*\.\.\."
    r"|(?:existing|previous|remaining|unchanged) code (?:here|goes here|remains|stays|unchanged)"
    r"|\bTODO\b\s*:?\s*implement"
    r"|(?:your|the) (?:code|logic|implementation) goes here"
    r"|implementation (?:goes )?here\b",
    re.IGNORECASE,
)
# A line that is only an ellipsis comment: `# ...`, `// ...`, `/* ... */`, `{/* ... */}`,
# `<!-- ... -->`, or (in brace languages) a bare `...`.
_ELLIPSIS_COMMENT = re.compile(r"^\s*(?:#|//|/\*|\{/\*|<!--)\s*(?:\.\.\.|…)\s*(?:\*/\}?|-->)?\s*$")
_BARE_ELLIPSIS = re.compile(r"^\s*(?:\.\.\.|…)\s*$")
_RUST_TODO = re.compile(r"\b(?:todo|unimplemented)!\s*\(")

_CODE = frozenset({"python", "typescript", "tsx", "javascript", "jsx", "go", "rust", "java"})
_BRACES = frozenset({"typescript", "tsx", "javascript", "jsx", "go", "rust", "java"})


def placeholders(f: File) -> list[GateError]:
    """Phrases that stand in for code ("rest of the code", "... existing code ...",
    "TODO: implement"), ellipsis-only comment lines, and Rust's `todo!()`."""
    errors: list[GateError] = []
    for number, line in enumerate(f.content.splitlines(), start=1):
        match = _PLACEHOLDER_PHRASES.search(line)
        if match:
            errors.append(
                GateError(
                    f.path,
                    number,
                    match.start() + 1,
                    "placeholder",
                    f"placeholder text {match.group(0)!r}",
                )
            )
            continue
        if f.language in _CODE and _ELLIPSIS_COMMENT.match(line):
            column = len(line) - len(line.lstrip()) + 1
            errors.append(
                GateError(f.path, number, column, "placeholder", "'...' stands in for code")
            )
            continue
        if f.language in _BRACES and _BARE_ELLIPSIS.match(line):
            column = len(line) - len(line.lstrip()) + 1
            errors.append(
                GateError(f.path, number, column, "placeholder", "'...' stands in for code")
            )
            continue
        if f.language == "rust":
            rust = _RUST_TODO.search(line)
            if rust:
                errors.append(
                    GateError(
                        f.path,
                        number,
                        rust.start() + 1,
                        "placeholder",
                        f"{rust.group(0).rstrip('( ')}() left in the code",
                    )
                )
    return errors


# --- secrets -------------------------------------------------------------------------

_SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b")),
    (
        "AWS secret access key",
        re.compile(
            r"(?i)aws_?secret_?access_?key['\"]?\s*[:=]+\s*['\"]?[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])"
        ),
    ),
    ("private key block", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
    ("API key (sk-...)", re.compile(r"\bsk-(?:[A-Za-z0-9]+-)*[A-Za-z0-9_-]{20,}")),
    ("Stripe secret key", re.compile(r"\b[rs]k_live_[0-9A-Za-z]{16,}")),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("Slack token", re.compile(r"\bxox[abposr]-[0-9A-Za-z-]{10,}")),
)

_SENSITIVE_ASSIGNMENT = re.compile(
    r"(?i)\b(?P<name>[A-Za-z0-9_]*(?:password|passwd|pwd|secret|token|api_?key|apikey"
    r"|access_?key|private_?key)[A-Za-z0-9_]*)['\"]?"
    r"\s*(?::=|=|:)\s*[bru]?(?P<q>['\"`])(?P<value>[^'\"`\s]{12,})(?P=q)"
)
_NOT_A_SECRET = re.compile(
    r"(?i)your|example|sample|changeme|change_me|placeholder|dummy|redacted|xxxx|\*\*\*"
    r"|<[^>]*>|\$\{|\{\{|%\(|process\.env|os\.environ|getenv|secretmanager|projects/|://|^/"
)
_DIGIT = re.compile(r"[0-9]")
_LETTER = re.compile(r"[A-Za-z]")
# A literal counts as random-looking when it mixes letters and digits and has at least this
# much Shannon entropy per character.
MIN_ENTROPY_BITS = 3.0


def shannon_entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _mask(value: str) -> str:
    return value[:4] + "…" if len(value) > 4 else "…"


def secrets(f: File) -> list[GateError]:
    """Known credential shapes anywhere, and random-looking string literals assigned to a
    name like password/secret/token/api_key. The message never repeats the value."""
    errors: list[GateError] = []
    for number, line in enumerate(f.content.splitlines(), start=1):
        found = False
        for label, pattern in _SECRET_PATTERNS:
            match = pattern.search(line)
            if match:
                errors.append(
                    GateError(
                        f.path,
                        number,
                        match.start() + 1,
                        "secret",
                        f"looks like a {label} ({_mask(match.group(0))}); read it from "
                        "configuration instead",
                    )
                )
                found = True
                break
        if found:
            continue
        for match in _SENSITIVE_ASSIGNMENT.finditer(line):
            value = match.group("value")
            if (
                _NOT_A_SECRET.search(value)
                or not _DIGIT.search(value)
                or not _LETTER.search(value)
                or shannon_entropy(value) < MIN_ENTROPY_BITS
            ):
                continue
            errors.append(
                GateError(
                    f.path,
                    number,
                    match.start("value") + 1,
                    "secret",
                    f"{match.group('name')!r} is assigned a secret-looking literal "
                    f"({_mask(value)}); read it from configuration instead",
                )
            )
            break
    return errors
