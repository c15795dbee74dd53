"""The studio's output protocol, parsed as it streams.

The model answers in plain text, markers alone on their line::

    <<<EXPLANATION>>>
    A few sentences on what was generated.
    <<<END>>>
    <<<FILE path="src/app.py" language="python">>>
    ...file content, verbatim...
    <<<END>>>

`Parser` takes the text chunk by chunk (a marker may be split across chunks: a line is
read only once its newline has arrived, or at the end) and costs time in proportion to
the new text; `parse(text, final)` parses a whole text at once. A file's content is the
text between its marker line and its `<<<END>>>` line, byte for byte (the newline that
ends its last line included).

What the parser refuses, each as one line in `errors` (the file is left out of `files`):
a path that is not a relative POSIX path of [A-Za-z0-9._/-] (no `..`, `.` or empty
segment, no leading `/`, at most MAX_PATH_CHARS), a path seen before, a line that looks
like a marker but is none, a new block opened inside a file, and, when `final`, a block
never closed. Text outside blocks is ignored (a model's preamble). The file's `language`
is not checked here: the gate reports one it does not know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shared.studio.models import File

MAX_PATH_CHARS = 200
MAX_ERRORS = 50  # parse errors kept (the rest are counted in the last one)

EXPLANATION = "<<<EXPLANATION>>>"
END = "<<<END>>>"
_FILE = re.compile(r'<<<FILE path="(?P<path>[^"]*)" language="(?P<language>[^"]*)">>>')
_PATH = re.compile(r"[A-Za-z0-9._/-]+")


@dataclass(frozen=True)
class Parsed:
    """What the text says so far: the explanation, the files closed, the file still being
    written (`partial`, its content so far; when `final`, an unterminated one, which is
    not in `files`), and what was wrong."""

    explanation: str
    files: list[File]
    partial: File | None
    errors: list[str]


_PLAN = re.compile(r"^Files:\s*(?P<list>.+?)\s*$", re.MULTILINE)
_PLANNED = re.compile(r"`([^`]+)`")


def planned_files(explanation: str) -> list[str] | None:
    """The files the explanation's `Files:` line says the answer holds (the model's plan,
    in backticks), or None when it has no such line."""
    found = _PLAN.findall(explanation) if explanation else []
    if not found:
        return None
    return _PLANNED.findall(found[-1]) or None


def path_problem(path: str) -> str | None:
    """Why `path` is not a path a generated file may have, or None when it is fine."""
    if not path:
        return "is empty"
    if len(path) > MAX_PATH_CHARS:
        return f"is longer than {MAX_PATH_CHARS} characters"
    if not _PATH.fullmatch(path):
        return "may hold only letters, digits, '.', '_', '-' and '/'"
    if path.startswith("/"):
        return "must be relative (no leading '/')"
    if any(part in ("", ".", "..") for part in path.split("/")):
        return "may not have empty, '.' or '..' segments"
    return None


@dataclass
class _Open:
    kind: str  # "explanation" | "file"
    line: int  # where it was opened (1-based)
    path: str = ""
    language: str = ""
    parts: list[str] = field(default_factory=list)
    refused: bool = False  # a file whose path was refused: read to its END, then dropped


class Parser:
    """The protocol, parsed incrementally: `feed` chunks, read `parsed(final)`."""

    def __init__(self) -> None:
        self._pending = ""  # the current line, until its newline arrives
        self._line = 0  # lines read whole
        self._open: _Open | None = None
        self._explanation: list[str] = []
        self._files: list[File] = []
        self._paths: set[str] = set()
        self._errors: list[str] = []
        self._dropped = 0
        self._finished = False

    def feed(self, chunk: str) -> None:
        if self._finished:
            msg = "the text was finalised: nothing may be fed after it"
            raise RuntimeError(msg)
        text = self._pending + chunk
        start = 0
        while (newline := text.find("\n", start)) != -1:
            self._read_line(text[start : newline + 1])
            start = newline + 1
        self._pending = text[start:]

    def parsed(self, *, final: bool) -> Parsed:
        """The state after what was fed. `final`: the text is complete, so its last line
        (without a newline) is read and a block still open is an error; nothing may be
        fed after that."""
        if not final:
            return self._snapshot(self._pending, [])
        if self._pending:
            self._read_line(self._pending)
            self._pending = ""
        extra: list[str] = []
        if self._open is not None:
            what = (
                "the explanation"
                if self._open.kind == "explanation"
                else f"file '{self._open.path}'"
            )
            extra.append(f"line {self._open.line}: {what} has no {END} (the answer was cut)")
        self._finished = True
        return self._snapshot("", extra, final=True)

    # --- lines --------------------------------------------------------------------------

    def _error(self, message: str) -> None:
        if len(self._errors) < MAX_ERRORS:
            self._errors.append(message)
        else:
            self._dropped += 1

    def _read_line(self, raw: str) -> None:
        self._line += 1
        marker = raw.rstrip("\r\n").strip()
        current = self._open
        if current is not None and current.kind == "file":
            if marker == END:
                self._close_file(current)
            elif marker.startswith("<<<FILE") or marker == EXPLANATION:
                self._error(
                    f"line {self._line}: a new block starts inside file '{current.path}' "
                    f"(opened on line {current.line}) before its {END}"
                )
                self._open = None
                self._start(marker)
            else:
                current.parts.append(raw)
            return
        if current is not None:  # the explanation
            if marker == END:
                self._explanation.append("".join(current.parts).strip())
                self._open = None
            elif marker.startswith("<<<"):
                self._error(f"line {self._line}: a marker inside the explanation")
                self._open = None
                self._start(marker)
            else:
                current.parts.append(raw)
            return
        if marker.startswith("<<<"):
            self._start(marker)

    def _start(self, marker: str) -> None:
        if marker == EXPLANATION:
            self._open = _Open("explanation", self._line)
            return
        match = _FILE.fullmatch(marker)
        if match is None:
            self._error(f"line {self._line}: not a marker of the protocol: {marker[:80]!r}")
            return
        path, language = match["path"], match["language"]
        opened = _Open("file", self._line, path=path, language=language)
        problem = path_problem(path)
        if problem is not None:
            self._error(f"line {self._line}: file path '{path[:MAX_PATH_CHARS]}' {problem}")
            opened.refused = True
        elif path in self._paths:
            self._error(f"line {self._line}: file '{path}' appears twice (the first is kept)")
            opened.refused = True
        self._open = opened

    def _close_file(self, current: _Open) -> None:
        self._open = None
        if current.refused:
            return
        self._paths.add(current.path)
        self._files.append(File(current.path, current.language, "".join(current.parts)))

    def _snapshot(self, pending: str, extra: list[str], *, final: bool = False) -> Parsed:
        current = self._open
        partial: File | None = None
        explanation = "\n\n".join(self._explanation)
        if current is not None and current.kind == "file" and not current.refused:
            partial = File(current.path, current.language, "".join(current.parts) + pending)
        elif current is not None and current.kind == "explanation" and not final:
            sofar = ("".join(current.parts) + pending).strip()
            explanation = "\n\n".join([*self._explanation, sofar]) if sofar else explanation
        errors = [*self._errors, *extra]
        if self._dropped:
            errors.append(f"... and {self._dropped} more protocol errors")
        return Parsed(
            explanation=explanation, files=list(self._files), partial=partial, errors=errors
        )


def parse(text: str, final: bool) -> Parsed:
    """Parse a whole protocol text (see the module docstring)."""
    parser = Parser()
    parser.feed(text)
    return parser.parsed(final=final)
