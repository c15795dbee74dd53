"""The studio's output protocol: whole texts, and the same texts fed in every split."""

from __future__ import annotations

import pytest

from shared.studio.models import File
from shared.studio.protocol import MAX_PATH_CHARS, Parser, parse, path_problem

ANSWER = (
    "Sure! Here it is.\n"
    "<<<EXPLANATION>>>\n"
    "A slug function.\n"
    "<<<END>>>\n"
    '<<<FILE path="src/slug.py" language="python">>>\n'
    "def slug(s):\n"
    "    return s.lower()\n"
    "<<<END>>>\n"
    '<<<FILE path="README.md" language="markdown">>>\n'
    "# Slug\n"
    "\n"
    "<<<END>>>\n"
)
FILES = [
    File("src/slug.py", "python", "def slug(s):\n    return s.lower()\n"),
    File("README.md", "markdown", "# Slug\n\n"),
]


def fed(text: str, sizes: int) -> Parser:
    parser = Parser()
    for i in range(0, len(text), sizes):
        parser.feed(text[i : i + sizes])
    return parser


def test_a_whole_answer() -> None:
    parsed = parse(ANSWER, True)
    assert parsed.explanation == "A slug function."
    assert parsed.files == FILES
    assert parsed.partial is None
    assert parsed.errors == []


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 11, 64])
def test_chunks_of_any_size_split_markers_anywhere(size: int) -> None:
    assert fed(ANSWER, size).parsed(final=True) == parse(ANSWER, True)


def test_every_split_point_of_a_marker() -> None:
    marker_at = ANSWER.index("<<<FILE")
    for cut in range(marker_at, marker_at + 50):
        parser = Parser()
        parser.feed(ANSWER[:cut])
        parser.feed(ANSWER[cut:])
        assert parser.parsed(final=True).files == FILES, cut


def test_partial_file_while_streaming() -> None:
    cut = ANSWER.index("    return")
    parsed = parse(ANSWER[: cut + 10], False)
    assert parsed.files == []
    assert parsed.partial == File("src/slug.py", "python", "def slug(s):\n    return")
    assert parsed.errors == []
    assert parsed.explanation == "A slug function."


def test_partial_explanation_while_streaming() -> None:
    parsed = parse("<<<EXPLANATION>>>\nHalf a sent", False)
    assert parsed.explanation == "Half a sent"
    assert parsed.errors == []


def test_a_marker_not_yet_whole_is_content_so_far_not_an_end() -> None:
    text = '<<<FILE path="a.py" language="python">>>\nx = 1\n<<<EN'
    streaming = parse(text, False)
    assert streaming.partial is not None
    assert streaming.partial.content.startswith("x = 1\n")
    assert parse(text + "D>>>\n", True).files == [File("a.py", "python", "x = 1\n")]


def test_unterminated_file_is_an_error_when_final_and_not_a_file() -> None:
    text = '<<<FILE path="a.py" language="python">>>\nx = 1\n'
    parsed = parse(text, True)
    assert parsed.files == []
    assert parsed.partial == File("a.py", "python", "x = 1\n")
    assert len(parsed.errors) == 1
    assert "a.py" in parsed.errors[0]
    assert "<<<END>>>" in parsed.errors[0]
    assert parse(text, False).errors == []  # still streaming: not an error yet


def test_unterminated_explanation() -> None:
    parsed = parse("<<<EXPLANATION>>>\nHi\n", True)
    assert parsed.errors
    assert "explanation" in parsed.errors[0]


def test_last_line_without_newline_is_read_when_final() -> None:
    text = '<<<FILE path="a.py" language="python">>>\nx = 1\n<<<END>>>'
    assert parse(text, True).files == [File("a.py", "python", "x = 1\n")]
    assert parse(text, True).errors == []


def test_crlf_and_trailing_spaces_around_markers() -> None:
    text = '<<<FILE path="a.py" language="python">>>  \r\nx = 1\r\n<<<END>>> \r\n'
    assert parse(text, True).files == [File("a.py", "python", "x = 1\r\n")]


@pytest.mark.parametrize(
    "path",
    [
        "../etc/passwd",
        "/abs.py",
        "a/../b.py",
        "a//b.py",
        "./a.py",
        "a b.py",
        "a\\b.py",
        "é.py",
        "",
        "x" * (MAX_PATH_CHARS + 1),
        "dir/",
    ],
)
def test_bad_paths_are_refused_and_the_file_dropped(path: str) -> None:
    text = f'<<<FILE path="{path}" language="python">>>\nx = 1\n<<<END>>>\n'
    text += '<<<FILE path="ok.py" language="python">>>\ny = 2\n<<<END>>>\n'
    parsed = parse(text, True)
    assert [f.path for f in parsed.files] == ["ok.py"]
    assert len(parsed.errors) == 1
    assert "line 1" in parsed.errors[0]


@pytest.mark.parametrize("path", ["a.py", "src/app.tsx", "pkg/sub-dir/x_y.test.ts", ".env.example"])
def test_good_paths(path: str) -> None:
    assert path_problem(path) is None


def test_duplicate_paths_keep_the_first() -> None:
    text = (
        '<<<FILE path="a.py" language="python">>>\nfirst\n<<<END>>>\n'
        '<<<FILE path="a.py" language="python">>>\nsecond\n<<<END>>>\n'
    )
    parsed = parse(text, True)
    assert parsed.files == [File("a.py", "python", "first\n")]
    assert len(parsed.errors) == 1
    assert "twice" in parsed.errors[0]


def test_a_new_block_inside_a_file_is_an_error_and_drops_the_open_file() -> None:
    text = (
        '<<<FILE path="a.py" language="python">>>\nx\n'
        '<<<FILE path="b.py" language="python">>>\ny\n<<<END>>>\n'
    )
    parsed = parse(text, True)
    assert parsed.files == [File("b.py", "python", "y\n")]
    assert len(parsed.errors) == 1
    assert "a.py" in parsed.errors[0]


def test_malformed_marker_outside_blocks() -> None:
    parsed = parse("<<<FILE path=a.py>>>\n", True)
    assert parsed.files == []
    assert "not a marker" in parsed.errors[0]


def test_marker_lookalikes_inside_content_are_content() -> None:
    content = 'x = "<<<END>>> is not alone"\n  <<<EN D>>>\n'
    text = f'<<<FILE path="a.py" language="python">>>\n{content}<<<END>>>\n'
    assert parse(text, True).files == [File("a.py", "python", content)]


def test_no_feeding_after_final() -> None:
    parser = Parser()
    parser.feed("x")
    parser.parsed(final=True)
    with pytest.raises(RuntimeError):
        parser.feed("y")


def test_errors_are_capped() -> None:
    parsed = parse("<<<bogus>>>\n" * 80, True)
    assert len(parsed.errors) == 51
    assert "30 more" in parsed.errors[-1]


def test_the_explanations_files_line_is_the_models_plan() -> None:
    from shared.studio.protocol import planned_files

    explanation = "Generated a slug function.\nFiles: `slugify.py`, `tests/test_slugify.py`.\n"
    assert planned_files(explanation) == ["slugify.py", "tests/test_slugify.py"]
    assert planned_files("No plan here.") is None
    assert planned_files("Files: none listed") is None
    assert planned_files("") is None
