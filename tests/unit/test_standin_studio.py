"""The stand-in's studio answers: artefacts per kind and language that pass the studio
gate, each broken mode caught by the gate and fixed by a repair request (unless
`-always`), determinism, and the protocol text intact through the running stand-in."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

import anthropic
import openai
import pytest

from shared.studio.gate import check
from shared.studio.models import File, Validation
from tools import standin
from tools.standin import StandinRequestError, parse_directives, split_tokens, studio

SYSTEM = "You are Aura Studio, a code generator. Answer in the output protocol."
BLOCK_RE = re.compile(
    r'<<<(?:EXPLANATION|FILE path="(?P<path>[^"]+)" language="(?P<language>[^"]+)")>>>\n'
    r"(?P<body>.*?)^<<<END>>>\n",
    re.M | re.S,
)

# (kind, language, framework, prompt, the files expected)
CASES = [
    ("code", "python", None, "a function that slugifies titles", ["slugify.py"]),
    (
        "code",
        "typescript",
        None,
        "a function that slugifies titles",
        ["src/slugify.ts", "src/index.ts"],
    ),
    (
        "code",
        "javascript",
        None,
        "a function that slugifies titles",
        ["src/slugify.js", "src/index.js"],
    ),
    ("code", "go", None, "a function that normalizes usernames", ["normalize.go"]),
    ("code", "rust", None, "a function that slugifies titles", ["src/main.rs", "src/slugify.rs"]),
    ("code", "java", None, "a function that cleans product names", ["Clean.java"]),
    ("api", None, None, "an API for managing books with title, author and year", ["openapi.yaml"]),
    (
        "ui",
        "typescript",
        "react",
        "a todo list component",
        [
            "src/components/TodoList.tsx",
            "src/components/ListEntryRow.tsx",
            "src/components/types.ts",
        ],
    ),
    ("cli", "python", "argparse", "a CLI tool that tracks expenses", ["track_expense.py"]),
    ("cli", "python", "click", "a command-line tool for recipes", ["recipe.py"]),
]
IDS = [
    f"{kind}-{language or 'none'}-{framework or 'none'}" for kind, language, framework, *_ in CASES
]


def user_message(kind: str, language: str | None, framework: str | None, prompt: str) -> str:
    return (
        f"Kind: {kind}\nLanguage: {language or 'none'}\nFramework: {framework or 'none'}\n"
        f"Request:\n{prompt}\n"
    )


def parse_protocol(text: str) -> tuple[str, list[File]]:
    """The explanation and files; the whole text must be blocks of the protocol."""
    blocks = list(BLOCK_RE.finditer(text))
    assert blocks, text[:200]
    assert "".join(m.group(0) for m in blocks) == text, "text outside the protocol's blocks"
    assert blocks[0].group("path") is None, "the explanation comes first"
    files = [File(m.group("path"), m.group("language"), m.group("body")) for m in blocks[1:]]
    return blocks[0].group("body"), files


def declared_in(explanation: str) -> list[str]:
    line = next(line for line in explanation.splitlines() if line.startswith("Files: "))
    return re.findall(r"`([^`]+)`", line)


def gate(kind: str, language: str | None, text: str) -> tuple[Validation, list[File]]:
    explanation, files = parse_protocol(text)
    language = language or ("python" if kind == "cli" else None)
    validation = check(kind, files, language=language, declared=declared_in(explanation))  # type: ignore[arg-type]
    return validation, files


def repair_message(first: str, validation: Validation, files: list[File]) -> str:
    errors = "".join(
        f"- {e.file}:{e.line}:{e.column} {e.code} {e.message}\n" for e in validation.errors
    )
    blocks = "".join(
        f'<<<FILE path="{f.path}" language="{f.language}">>>\n{f.content}<<<END>>>\n' for f in files
    )
    return (
        f"{first}Repair: the files failed these checks; answer again with every file, "
        f"corrected.\n{errors}Files:\n{blocks}"
    )


# --- artefacts -----------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "language", "framework", "prompt", "paths"), CASES, ids=IDS)
def test_every_kind_and_language_passes_the_gate(
    kind: str, language: str | None, framework: str | None, prompt: str, paths: list[str]
) -> None:
    text = studio.answer_text(user_message(kind, language, framework, prompt))
    validation, files = gate(kind, language, text)
    assert validation.ok, validation.errors
    assert [f.path for f in files] == paths
    for f in files:
        if f.language == "python":
            ast.parse(f.content)
    if kind == "cli":
        assert validation.usage, "the gate finds the commands"
        assert any("add" in line for line in validation.usage)
        assert any("list" in line for line in validation.usage)


def test_the_pipelines_protocol_parser_reads_the_same_files() -> None:
    from shared.studio import protocol

    for kind, language, framework, prompt, paths in CASES:
        text = studio.answer_text(user_message(kind, language, framework, prompt))
        explanation, files = parse_protocol(text)
        parsed = protocol.parse(text, True)
        assert not parsed.errors
        assert parsed.partial is None
        assert [(f.path, f.language, f.content) for f in parsed.files] == [
            (f.path, f.language, f.content) for f in files
        ]
        assert parsed.explanation.strip() == explanation.strip()
        assert [f.path for f in parsed.files] == paths


def test_names_and_bodies_come_from_the_prompt() -> None:
    text = studio.answer_text(
        user_message("code", "python", None, "a function that slugifies titles")
    )
    _, files = parse_protocol(text)
    [module] = files
    tree = ast.parse(module.content)
    [function] = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert (module.path, function.name, function.args.args[0].arg) == (
        "slugify.py",
        "slugify",
        "title",
    )
    assert len(function.body) > 3  # a body, not a stub

    _, [spec] = parse_protocol(
        studio.answer_text(user_message("api", None, None, "an API for books"))
    )
    assert "operationId: listBooks" in spec.content
    assert "/books/{bookId}:" in spec.content
    assert "$ref: '#/components/schemas/Book'" in spec.content

    _, ui = parse_protocol(
        studio.answer_text(user_message("ui", "typescript", None, "a todo list component"))
    )
    main = ui[0].content
    assert 'from "react"' in main
    assert 'from "./ListEntryRow"' in main
    imported = {m for f in ui for m in re.findall(r' from "([^"]+)"', f.content)}
    assert imported == {"react", "./ListEntryRow", "./types"}


def test_cli_framework_follows_the_request() -> None:
    for framework, marker in (("argparse", "add_subparsers"), ("click", "@click.group()")):
        text = studio.answer_text(user_message("cli", "python", framework, "a tool for notes"))
        _, [tool] = parse_protocol(text)
        assert marker in tool.content
        assert tool.content.count("\ndef ") >= 2
    # Without a framework, the prompt's hash picks one, the same one every time.
    one = studio.answer_text(user_message("cli", "python", None, "a tool for notes"))
    assert one == studio.answer_text(user_message("cli", "python", None, "a tool for notes"))


def test_answers_are_deterministic_and_differ_by_prompt() -> None:
    for kind, language, framework, prompt, _ in CASES:
        message = user_message(kind, language, framework, prompt)
        assert studio.answer_text(message).encode() == studio.answer_text(message).encode()
    books = studio.answer_text(user_message("api", None, None, "an API for books"))
    films = studio.answer_text(user_message("api", None, None, "an API for films"))
    assert books != films
    assert "/films:" in films


def test_reading_the_request() -> None:
    message = user_message("ui", "TypeScript", "None", "a card [[standin studio=syntax]] list")
    request = studio.read_request(message)
    assert (request.kind, request.language, request.framework) == ("ui", "typescript", None)
    assert (request.prompt, request.repair) == ("a card list", False)
    repair = studio.read_request(message + "Repair: the files failed these checks.\n- x\nFiles:\n")
    assert repair.repair
    assert repair.prompt == "a card list"
    assert studio.subject_words("a function that slugifies titles") == ["slugify", "title"]
    assert studio.subject_words("an API for managing books") == ["book"]
    assert studio.matches(SYSTEM)
    assert not studio.matches("You are Aura, a helpful assistant.")
    assert studio.answer_tokens("You are Aura.", message) is None


# --- broken modes and repair -----------------------------------------------------------


def expected_code(kind: str, mode: str) -> str:
    if kind == "api" and mode == "dangling-import":
        return "dangling-ref"  # the spec's import is a $ref into a file never generated
    if kind != "api" and mode == "bad-ref":
        return "unresolved-import"  # code has no $refs: a reference to a missing file
    return studio.EXPECTED_CODES[mode]


UNRESOLVED_LANGUAGES = {"go", "java", "rust"}
BROKEN_CASES = [
    (case, mode)
    for case in CASES
    for mode in studio.BREAKS
    # Go and Java import packages, not files, and the gate does not follow Rust's `mod`:
    # a dangling import in them is generated (tested below) but not caught.
    if not (case[1] in UNRESOLVED_LANGUAGES and mode in {"dangling-import", "bad-ref"})
]


@pytest.mark.parametrize(
    ("case", "mode"), BROKEN_CASES, ids=[f"{IDS[CASES.index(c)]}-{m}" for c, m in BROKEN_CASES]
)
def test_broken_modes_are_caught_then_repaired(
    case: tuple[str, str | None, str | None, str, list[str]], mode: str
) -> None:
    kind, language, framework, prompt, _ = case
    first = user_message(kind, language, framework, f"{prompt} [[standin studio={mode}]]")
    _, settings = parse_directives(first)
    assert settings == {"studio": mode}
    broken, files = gate(kind, language, studio.answer_text(first, mode))
    assert not broken.ok
    codes = {e.code for e in broken.errors}
    assert expected_code(kind, mode) in codes, broken.errors
    located = [e for e in broken.errors if e.code == expected_code(kind, mode)]
    assert all(e.file for e in located)
    if mode != "undeclared":
        assert all(e.line for e in located), located

    repair = repair_message(first, broken, files)
    fixed, _ = gate(kind, language, studio.answer_text(repair, mode))
    assert fixed.ok, fixed.errors
    correct = studio.answer_text(user_message(kind, language, framework, prompt))
    assert parse_protocol(studio.answer_text(repair, mode))[1] == parse_protocol(correct)[1]

    still, _ = gate(kind, language, studio.answer_text(repair, f"{mode}-always"))
    assert expected_code(kind, mode) in {e.code for e in still.errors}


def test_the_studio_setting_is_validated() -> None:
    assert parse_directives("x [[standin studio=secret-always]]")[1] == {"studio": "secret-always"}
    with pytest.raises(StandinRequestError, match="studio must be one of"):
        parse_directives("x [[standin studio=typo]]")


# --- through the running stand-in ------------------------------------------------------


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    url, stop = standin.serve_in_thread(first_token_delay_ms=0, token_delay_ms=0)
    try:
        yield url
    finally:
        stop()


@pytest.fixture(scope="module")
def oai(base_url: str) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(
        api_key="standin", base_url=f"{base_url}/openai/v1", max_retries=0, timeout=10
    ) as client:
        yield client


@pytest.fixture(scope="module")
def claude(base_url: str) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(
        api_key="standin", base_url=f"{base_url}/anthropic", max_retries=0, timeout=10
    ) as client:
        yield client


UI_MESSAGE = user_message("ui", "typescript", "react", "a todo list component")


def test_openai_stream_carries_the_protocol_intact(oai: openai.OpenAI) -> None:
    expected = studio.answer_text(UI_MESSAGE)
    chunks: list[str] = []
    finish = None
    for chunk in oai.chat.completions.create(
        model="gpt-standin",
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": UI_MESSAGE}],
        stream=True,
        max_completion_tokens=8000,
    ):
        if chunk.choices:
            chunks.append(chunk.choices[0].delta.content or "")
            finish = chunk.choices[0].finish_reason or finish
    assert "".join(chunks) == expected
    assert finish == "stop"
    # Small chunks, many of them: well past the chat replies' default length.
    assert len([c for c in chunks if c]) == len(split_tokens(expected)) > 200
    assert max(len(c) for c in chunks) < 120
    assert gate("ui", "typescript", "".join(chunks))[0].ok


def test_anthropic_stream_carries_the_protocol_intact(claude: anthropic.Anthropic) -> None:
    message = user_message("api", None, None, "an API for books [[standin studio=bad-ref]]")
    expected = studio.answer_text(message, "bad-ref")
    deltas: list[str] = []
    with claude.messages.stream(
        model="claude-standin",
        system=[{"type": "text", "text": SYSTEM}],
        messages=[{"role": "user", "content": message}],
        max_tokens=8000,
    ) as stream:
        deltas.extend(stream.text_stream)
        final = stream.get_final_message()
    assert "".join(deltas) == expected
    assert final.stop_reason == "end_turn"
    assert len(deltas) > 100
    validation, _ = gate("api", None, "".join(deltas))
    assert "dangling-ref" in {e.code for e in validation.errors}


def test_not_streamed_and_cut_by_max_tokens(
    oai: openai.OpenAI, claude: anthropic.Anthropic
) -> None:
    message = user_message("code", "go", None, "a function that normalizes usernames")
    expected = studio.answer_text(message)
    whole = oai.chat.completions.create(
        model="gpt-standin",
        messages=[{"role": "developer", "content": SYSTEM}, {"role": "user", "content": message}],
    )
    assert whole.choices[0].message.content == expected
    assert whole.usage is not None
    assert whole.usage.completion_tokens == len(split_tokens(expected))

    cut = oai.chat.completions.create(
        model="gpt-standin",
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": message}],
        max_tokens=20,
    )
    assert cut.choices[0].finish_reason == "length"
    assert cut.choices[0].message.content == "".join(split_tokens(expected)[:20])

    reply = claude.messages.create(
        model="claude-standin", system=SYSTEM, messages=[{"role": "user", "content": message}],
        max_tokens=30,
    )  # fmt: skip
    assert reply.stop_reason == "max_tokens"
    assert reply.content[0].type == "text"
    assert reply.content[0].text == "".join(split_tokens(expected)[:30])


def test_other_requests_keep_their_replies(oai: openai.OpenAI) -> None:
    reply = oai.chat.completions.create(
        model="gpt-standin",
        messages=[
            {"role": "system", "content": "You are Aura."},
            {"role": "user", "content": UI_MESSAGE},
        ],
    )
    content = reply.choices[0].message.content or ""
    assert content.startswith("Aura stand-in reply to:")
    assert "<<<FILE" not in content


@pytest.mark.parametrize("language", sorted(UNRESOLVED_LANGUAGES))
def test_a_dangling_import_is_generated_where_the_gate_cannot_follow_it(language: str) -> None:
    message = user_message("code", language, None, "a function that slugifies titles")
    correct = parse_protocol(studio.answer_text(message))[1]
    broken = parse_protocol(studio.answer_text(message, "dangling-import"))[1]
    assert broken[0].content != correct[0].content
    assert "helpers" in broken[0].content
    assert broken[1:] == correct[1:]
    assert check("code", broken, language=language).ok  # still parses: only the import dangles
