"""The studio's static gate (shared/studio/gate): each check catches what it is for, with
its location, and passes good output; nothing on the gate's path runs generated code."""

from __future__ import annotations

import ast
import builtins
import importlib
import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from shared.studio import gate
from shared.studio.gate import (
    ALLOWED_UI_PACKAGES,
    LANGUAGES,
    MAX_ERRORS,
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_TOTAL_BYTES,
    check,
)
from shared.studio.models import File, GateError, Validation


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def codes(result: Validation) -> list[str]:
    return [e.code for e in result.errors]


def only(result: Validation, code: str) -> GateError:
    found = [e for e in result.errors if e.code == code]
    assert len(found) == 1, result.errors
    return found[0]


def run(
    kind: str,
    files: Sequence[File],
    *,
    language: str | None = None,
    declared: Sequence[str] | None = None,
    dependencies: Sequence[str] = (),
) -> Validation:
    return check(
        kind,  # type: ignore[arg-type]
        files,
        language=language,
        declared=declared,
        dependencies=dependencies,
    )


# --- code: syntax per language ---------------------------------------------------------

GOOD = {
    "python": ("app.py", "def add(a: int, b: int) -> int:\n    return a + b\n"),
    "typescript": (
        "src/add.ts",
        "export function add(a: number, b: number): number {\n  return a + b;\n}\n",
    ),
    "tsx": ("src/App.tsx", "export default function App() {\n  return <p>hi</p>;\n}\n"),
    "javascript": ("add.js", "export function add(a, b) {\n  return a + b;\n}\n"),
    "jsx": ("App.jsx", 'export const App = () => <div className="x">hi</div>;\n'),
    "go": ("main.go", 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hi")\n}\n'),
    "rust": ("src/main.rs", 'fn main() {\n    println!("{}", 1 + 2);\n}\n'),
    "java": (
        "Main.java",
        "public class Main {\n  public static void main(String[] a) {\n"
        '    System.out.println("hi");\n  }\n}\n',
    ),
    "json": ("package.json", '{"name": "x", "version": "1.0.0"}\n'),
    "yaml": ("config.yaml", "name: x\nitems:\n  - 1\n  - 2\n"),
    "toml": ("pyproject.toml", '[project]\nname = "x"\n'),
    "markdown": ("README.md", "# Title\n\nRun it.\n"),
}

# (path, content, line, column) of the first syntax error.
BROKEN = {
    "python": ("app.py", "def add(a, b):\n    return a +\n", 2, 15),
    "typescript": (
        "src/add.ts",
        "export function add(a: number, b: number): number {\n  return a + b;\n",
        2,
        16,
    ),
    "tsx": ("src/App.tsx", "export default function App() {\n  return <p>hi</p>;\n", 2, 20),
    "javascript": ("add.js", "const x = ;\n", 1, 9),
    "go": ("main.go", "package main\n\nfunc main() {\n\tx := \n}\n", 4, 6),
    "rust": ("src/main.rs", "fn main() {\n    let x = 1\n    let y = 2;\n}\n", 2, 14),
    "java": ("Main.java", "public class Main {\n  int x = 1\n}\n", 2, 12),
    "json": ("package.json", '{"name": "x",\n "version": }\n', 2, 13),
    "yaml": ("config.yaml", "name: x\nitems: [1, 2\n", 3, 1),
    "toml": ("pyproject.toml", "[project]\nname = \n", 2, 8),
}


@pytest.mark.parametrize("language", sorted(GOOD))
def test_good_files_pass_in_every_language(language: str) -> None:
    path, content = GOOD[language]
    result = run("code", [File(path, language, content)], language=None)
    assert result == Validation(ok=True, errors=())


@pytest.mark.parametrize("language", sorted(BROKEN))
def test_a_syntax_error_names_file_line_and_column(language: str) -> None:
    path, content, line, column = BROKEN[language]
    result = run("code", [File(path, language, content)], language=None)
    error = only(result, "syntax")
    assert (error.file, error.line, error.column) == (path, line, column), error
    assert not result.ok


def test_typescript_missing_brace_is_reported_as_missing() -> None:
    _, content, _, _ = BROKEN["typescript"]
    error = only(run("code", [File("a.ts", "typescript", content)]), "syntax")
    assert "missing '}'" in error.message


def test_tree_sitter_columns_count_characters_not_bytes() -> None:
    result = run(
        "code", [File("a.ts", "typescript", 'const s = "äöü";\nconst x = ;\nconst ü = ;\n')]
    )
    assert only(result, "syntax").line == 2
    result = run("code", [File("a.ts", "typescript", 'const ü = "é", x = ;\n')])
    assert only(result, "syntax").column == 18  # in bytes it would be 20


def test_every_language_in_the_list_is_checked() -> None:
    assert set(LANGUAGES) == set(GOOD) | {"text"}
    assert set(BROKEN) >= set(LANGUAGES) - {"markdown", "text"} - {"jsx"}


def test_an_unknown_file_language_and_an_unknown_requested_language_are_refused() -> None:
    result = run("code", [File("a.cob", "cobol", "DISPLAY 'HI'.\n")], language="cobol")
    assert codes(result) == ["unsupported-language", "unsupported-language"]
    assert result.errors[1].file == "a.cob"


def test_code_in_the_requested_language_must_be_present() -> None:
    result = run("code", [File("README.md", "markdown", "# x\n")], language="go")
    assert only(result, "empty").message == "no go file was generated"


def test_no_files_is_empty() -> None:
    assert codes(run("code", [], language="python")) == ["empty"]


def test_an_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="kind"):
        run("poem", [File("a.md", "markdown", "x")])


def test_python_relative_imports_must_resolve_to_generated_modules() -> None:
    files = [
        File("pkg/__init__.py", "python", ""),
        File("pkg/app.py", "python", "from .models import Todo\nfrom .store import save\n"),
        File("pkg/models.py", "python", "class Todo:\n    pass\n"),
    ]
    error = only(run("code", files, language="python"), "unresolved-import")
    assert (error.file, error.line, error.column) == ("pkg/app.py", 2, 1)
    assert "'.store'" in error.message
    files.append(File("pkg/store/__init__.py", "python", "def save() -> None:\n    return None\n"))
    assert run("code", files, language="python").ok


def test_ts_relative_imports_must_resolve_in_code_too() -> None:
    files = [
        File(
            "src/index.ts", "typescript", "import { add } from './math';\nimport x from 'lodash';\n"
        ),
    ]
    error = only(run("code", files, language="typescript"), "unresolved-import")
    assert (error.line, error.column) == (1, 21)
    files.append(File("src/math.ts", "typescript", "export const add = (a: number) => a;\n"))
    assert run("code", files, language="typescript").ok  # packages are not policed in `code`


# --- api -------------------------------------------------------------------------------

GOOD_SPEC = src(
    """
    openapi: 3.1.0
    info:
      title: Todos
      version: 1.0.0
    paths:
      /todos/{id}:
        get:
          operationId: getTodo
          parameters:
            - {name: id, in: path, required: true, schema: {type: string}}
          responses:
            200:
              description: The todo
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Todo'
    components:
      schemas:
        Todo:
          type: object
          properties:
            id: {type: string}
            due: {type: string, format: date, example: 2026-01-31}
    """
)


def spec(text: str = GOOD_SPEC, path: str = "openapi.yaml") -> list[File]:
    return [File(path, "yaml", text)]


def test_a_valid_openapi_31_spec_passes_in_yaml_and_json() -> None:
    assert run("api", spec()) == Validation(ok=True, errors=())
    data = json.loads(json.dumps(_yaml_load(GOOD_SPEC), default=str))
    assert run("api", [File("openapi.json", "json", json.dumps(data, indent=2))]).ok


def _yaml_load(text: str) -> Any:
    import yaml

    return yaml.safe_load(text)


def test_a_spec_without_info_version_fails_at_info() -> None:
    result = run("api", spec(GOOD_SPEC.replace("  version: 1.0.0\n", "")))
    error = only(result, "openapi")
    assert "'version' is a required property" in error.message
    assert (error.line, error.column) == (2, 1)


def test_a_dangling_ref_is_located_by_pointer_and_line() -> None:
    result = run("api", spec(GOOD_SPEC.replace("schemas/Todo'", "schemas/Task'")))
    error = only(result, "dangling-ref")
    assert (error.file, error.line, error.column) == ("openapi.yaml", 17, 17)
    assert "/paths/~1todos~1{id}/get/responses/200/content/application~1json/schema" in (
        error.message
    )
    assert "'#/components/schemas/Task'" in error.message


def test_a_dangling_ref_in_json_is_located_too() -> None:
    data = json.loads(json.dumps(_yaml_load(GOOD_SPEC), default=str))
    data["components"]["schemas"] = {}
    text = json.dumps(data, indent=2)
    error = only(run("api", [File("openapi.json", "json", text)]), "dangling-ref")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if '"$ref"' in ln)
    assert error.line == line


def test_an_external_ref_is_reported_and_not_followed() -> None:
    text = GOOD_SPEC.replace("'#/components/schemas/Todo'", "'https://example.com/todo.json'")
    error = only(run("api", spec(text)), "dangling-ref")
    assert "leaves the spec" in error.message


def test_an_operation_without_operation_id_is_located() -> None:
    error = only(
        run("api", spec(GOOD_SPEC.replace("      operationId: getTodo\n", ""))),
        "missing-operation-id",
    )
    assert (error.line, error.message) == (7, "GET /todos/{id} has no operationId")


def test_an_operation_without_responses_is_located() -> None:
    text = GOOD_SPEC.replace("    get:\n", "    post:\n      operationId: addTodo\n    get:\n")
    error = only(run("api", spec(text)), "missing-responses")
    assert (error.line, error.message) == (7, "POST /todos/{id} has no responses")


def test_a_spec_that_is_not_31_or_not_there_fails() -> None:
    result = run("api", spec(GOOD_SPEC.replace("3.1.0", "3.0.3")))
    assert "3.1" in only(result, "openapi").message
    result = run("api", [File("notes.yaml", "yaml", "a: 1\n")])
    assert "no OpenAPI document" in only(result, "openapi").message


def test_yaml_aliases_and_python_tags_are_refused() -> None:
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    assert "aliases" in only(run("api", spec(bomb)), "syntax").message
    tagged = "openapi: !!python/object/apply:os.getcwd []\n"
    error = only(run("api", spec(tagged)), "syntax")
    assert error.line == 1


# --- ui --------------------------------------------------------------------------------

APP = src(
    """
    import React, { useState } from "react";
    import { createRoot } from "react-dom/client";
    import clsx from "clsx";
    import { Counter } from "./Counter";
    import type { Props } from "./types";

    export default function App(): JSX.Element {
      const [n, setN] = useState(0);
      return <div className={clsx("app")}><Counter n={n} onClick={() => setN(n + 1)} /></div>;
    }
    """
)
COUNTER = (
    "export function Counter(p: { n: number; onClick(): void }) {\n  return <b>{p.n}</b>;\n}\n"
)


def ui_files(app: str = APP) -> list[File]:
    return [
        File("src/App.tsx", "tsx", app),
        File("src/Counter.tsx", "tsx", COUNTER),
        File("src/types/index.ts", "typescript", "export type Props = { n: number };\n"),
    ]


def test_a_component_with_resolving_imports_and_allowed_packages_passes() -> None:
    assert run("ui", ui_files(), language="tsx").ok
    assert {"react", "react-dom"} <= ALLOWED_UI_PACKAGES


def test_a_relative_import_of_a_file_never_generated_is_located() -> None:
    app = APP.replace('"./Counter"', '"./components/Counter"')
    error = only(run("ui", ui_files(app), language="tsx"), "unresolved-import")
    assert (error.file, error.line, error.column) == ("src/App.tsx", 4, 25)


def test_an_import_escaping_the_project_does_not_resolve() -> None:
    app = APP.replace('"./Counter"', '"../../Counter"')
    assert "unresolved-import" in codes(run("ui", ui_files(app), language="tsx"))


def test_a_disallowed_package_is_refused_unless_declared() -> None:
    app = APP.replace('"clsx"', '"left-pad"')
    error = only(run("ui", ui_files(app), language="tsx"), "disallowed-import")
    assert (error.line, error.column) == (3, 18)
    assert "'left-pad'" in error.message
    assert run("ui", ui_files(app), language="tsx", dependencies=["left-pad@1.3.0"]).ok


def test_scoped_and_dynamic_imports_are_checked() -> None:
    app = APP + 'const lazy = import("@acme/widgets/button");\nconst fs = require("node:fs");\n'
    result = run("ui", ui_files(app), language="tsx", dependencies=["@acme/widgets"])
    error = only(result, "disallowed-import")
    assert "'node:fs'" in error.message


def test_path_alias_imports_resolve_from_root_or_src() -> None:
    app = APP.replace('"./Counter"', '"@/Counter"')
    assert run("ui", ui_files(app), language="tsx").ok
    app = APP.replace('"./Counter"', '"@/widgets/Counter"')
    assert "unresolved-import" in codes(run("ui", ui_files(app), language="tsx"))


def test_ui_needs_a_component() -> None:
    result = run("ui", [File("src/x.ts", "typescript", "export const x = 1;\n")], language="tsx")
    assert codes(result) == ["empty"]


# --- cli -------------------------------------------------------------------------------

ARGPARSE_CLI = src(
    """
    import argparse


    def build() -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(prog="todo", description="Manage tasks.")
        parser.add_argument("-v", "--verbose", action="store_true")
        sub = parser.add_subparsers(dest="command", required=True)
        add = sub.add_parser("add", help="Add a task")
        add.add_argument("title")
        add.add_argument("--due", metavar="DATE", required=True)
        listing = sub.add_parser("list", help="List tasks")
        listing.add_argument("--limit", type=int, default=10)
        listing.add_argument("tags", nargs="*")
        return parser


    if __name__ == "__main__":
        build().parse_args()
    """
)

CLICK_CLI = src(
    '''
    import click


    @click.group()
    @click.version_option("1.0")
    def cli() -> None:
        """Manage tasks."""


    @cli.command()
    @click.argument("title")
    @click.option("--due", help="Due date")
    @click.option("--urgent/--not-urgent", default=False)
    def add(title: str, due: str | None, urgent: bool) -> None:
        """Add a task."""
        click.echo(title)


    @cli.command(name="ls")
    @click.option("-n", "--limit", type=int, required=True)
    def list_tasks(limit: int) -> None:
        click.echo(limit)


    if __name__ == "__main__":
        cli()
    '''
)


def test_argparse_usage_is_extracted_statically() -> None:
    result = run("cli", [File("todo.py", "python", ARGPARSE_CLI)], language="python")
    assert result.ok, result.errors
    assert result.usage == (
        "todo [-v] {add,list} ...    Manage tasks.",
        "todo add --due DATE title    Add a task",
        "todo list [--limit LIMIT] [tags ...]    List tasks",
    )


def test_click_usage_is_extracted_statically() -> None:
    result = run("cli", [File("tasks/cli.py", "python", CLICK_CLI)], language="python")
    assert result.ok, result.errors
    assert result.usage == (
        "tasks [--version] {add,ls} ...    Manage tasks.",
        "tasks add [--due DUE] [--urgent] TITLE    Add a task.",
        "tasks ls -n LIMIT",
    )


def test_click_imported_names_and_add_command_are_followed() -> None:
    code = src(
        """
        from click import argument, command, group


        @group()
        def main() -> None:
            pass


        @command()
        @argument("path")
        def show(path: str) -> None:
            pass


        main.add_command(show, name="view")
        """
    )
    result = run("cli", [File("viewer.py", "python", code)], language="python")
    assert result.usage == ("viewer {view} ...", "viewer view PATH")


def test_a_cli_without_commands_fails_with_no_commands() -> None:
    code = "import sys\n\n\ndef main() -> None:\n    sys.stdout.write(' '.join(sys.argv))\n"
    result = run("cli", [File("tool.py", "python", code)], language="python")
    error = only(result, "no-commands")
    assert error.file == "tool.py"
    assert result.usage == ()


def test_a_cli_that_does_not_parse_reports_syntax_not_no_commands() -> None:
    result = run("cli", [File("tool.py", "python", "import argparse\nargparse.(\n")])
    assert codes(result) == ["syntax"]


# --- placeholders ------------------------------------------------------------------------

PLACEHOLDERS = [
    (
        "app.py",
        "python",
        "def f() -> int:\n    x = 1\n    # rest of the code here\n    return x\n",
        3,
    ),
    ("app.ts", "typescript", "function f() {\n  // ... existing code ...\n  return 1;\n}\n", 2),
    ("app.py", "python", "def f() -> None:\n    # TODO: implement\n    return None\n", 2),
    ("App.tsx", "tsx", "export function A() {\n  {/* ... */}\n  return null;\n}\n", 2),
    ("app.py", "python", "def f() -> int:\n    ...\n", 2),
    ("app.py", "python", "def f() -> None:\n    pass  # TODO\n", 2),
    ("app.py", "python", "def f() -> int:\n    x = 1\n    ...\n    return x\n", 3),
    ("main.go", "go", "package main\n\nfunc main() {\n\t// ...\n}\n", 4),
    ("src/main.rs", "rust", "fn main() {\n    todo!()\n}\n", 2),
    ("README.md", "markdown", "# X\n\nThe rest of the implementation is left to you.\n", 3),
]


@pytest.mark.parametrize(("path", "language", "content", "line"), PLACEHOLDERS)
def test_placeholders_of_each_form_are_located(
    path: str, language: str, content: str, line: int
) -> None:
    result = run("code", [File(path, language, content)])
    error = only(result, "placeholder")
    assert (error.file, error.line) == (path, line)


def test_stubs_that_are_meant_to_be_empty_are_not_placeholders() -> None:
    code = src(
        """
        from abc import ABC, abstractmethod
        from typing import Protocol, overload


        class Store(Protocol):
            def get(self, key: str) -> str: ...


        class Base(ABC):
            @abstractmethod
            def run(self) -> None: ...


        class Empty(Exception):
            ...


        @overload
        def f(x: int) -> int: ...
        @overload
        def f(x: str) -> str: ...
        def f(x: object) -> object:
            return x


        def noop() -> None:
            pass
        """
    )
    assert run("code", [File("stubs.py", "python", code)]).ok


# --- secrets ----------------------------------------------------------------------------

SECRETS = [
    ('AWS_KEY = "AKIAZ5QXM3P7RTWK2JDE"\n', 1, 12),
    ('aws_secret_access_key = "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"\n', 1, 1),
    (
        "KEY = '''\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n'''\n",
        2,
        1,
    ),
    ('client = OpenAI(api_key="sk-proj-4fQ8zR2mT7xWp1Ls9Kd3Vb6Nc0Hy5Ju")\n', 1, 26),
    ('DB_PASSWORD = "q7R!x2Lp9#vTm4Zk"\n', 1, 16),
    ('config = {"auth_token": "e3b0c44298fc1c149afbf4c8996fb924"}\n', 1, 26),
]


@pytest.mark.parametrize(("content", "line", "column"), SECRETS)
def test_secrets_of_each_form_are_located_and_not_echoed(
    content: str, line: int, column: int
) -> None:
    error = only(run("code", [File("settings.py", "python", content)]), "secret")
    assert (error.line, error.column) == (line, column)
    assert "wJalrXUtnFEMI/K7MDENG" not in error.message
    assert "4fQ8zR2mT7xWp1Ls9Kd3" not in error.message


@pytest.mark.parametrize(
    "content",
    [
        'password = os.environ["DB_PASSWORD"]\n',
        'token = "your-api-token-here"\n',
        'secret_name = "projects/p/secrets/db/versions/latest"\n',
        'token_url = "https://oauth2.example.com/token"\n',
        'password_field = "password_confirmation"\n',
        'api_key = process.env.API_KEY ?? ""\n',
    ],
)
def test_configuration_lookups_and_obvious_placeholders_are_not_secrets(content: str) -> None:
    assert "secret" not in codes(run("code", [File("settings.py", "python", content)]))


# --- structure ---------------------------------------------------------------------------


def test_a_file_outside_the_declared_set_is_reported() -> None:
    files = [File("a.py", "python", "A = 1\n"), File("b.py", "python", "B = 2\n")]
    result = run("code", files, language="python", declared=["a.py"])
    error = only(result, "undeclared-file")
    assert error.file == "b.py"
    assert run("code", files, language="python", declared=["a.py", "b.py"]).ok


def test_too_many_files_is_refused_before_parsing() -> None:
    files = [File(f"m{i}.py", "python", "def (\n") for i in range(MAX_FILES + 1)]
    assert codes(run("code", files)) == ["too-many-files"]
    assert run("code", files[:MAX_FILES]).errors[0].code == "syntax"


def test_a_file_too_big_is_reported_and_not_parsed() -> None:
    big = "x = 1\n" * (MAX_FILE_BYTES // 6 + 1) + "def (\n"
    result = run("code", [File("big.py", "python", big)])
    assert codes(result) == ["too-large"]
    assert result.errors[0].file == "big.py"


def test_too_many_bytes_in_all_is_refused() -> None:
    part = "x = 1\n" * (MAX_FILE_BYTES // 6 - 1)
    files = [File(f"m{i}.py", "python", part) for i in range(MAX_TOTAL_BYTES // len(part) + 1)]
    assert codes(run("code", files)) == ["too-large"]


def test_bad_and_duplicate_paths_are_reported() -> None:
    files = [
        File("../x.py", "python", "A = 1\n"),
        File("a.py", "python", "A = 1\n"),
        File("a.py", "python", "A = 1\n"),
    ]
    assert codes(run("code", files)) == ["invalid-path", "duplicate-file"]


def test_at_most_max_errors_are_reported() -> None:
    content = "".join(f"# TODO: implement step {i}\n" for i in range(MAX_ERRORS * 2))
    result = run("code", [File("a.py", "python", content)])
    assert len(result.errors) == MAX_ERRORS
    assert result.errors[-1].code == "too-many-errors"


# --- never executed --------------------------------------------------------------------

IMPORTING = "shared.studio.gate"


def test_importing_the_gate_loads_no_parser_library() -> None:
    probe = (
        f"import sys, {IMPORTING}; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'yaml', 'tree_sitter', 'tree_sitter_typescript', 'openapi_spec_validator',"
        " 'jsonschema'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.strip() == "[]"


def _side_effect_samples(marker: Path) -> list[tuple[str, list[File], str | None]]:
    """Generated files that would create `marker` if anything ran them."""
    m = str(marker)
    py = f"open({m!r}, 'w').write('ran')\n"
    cli = src(
        f"""
        import argparse, click, os, subprocess
        open({m!r}, "w").write("ran")
        os.system("touch {m}")
        parser = argparse.ArgumentParser(prog=open({m!r}, "w").name)
        parser.add_argument(open({m!r}, "w").name)

        @click.command(name=__import__("os").system("touch {m}"))
        @click.option(exec("open({m!r}, 'w')"))
        def main() -> None:
            eval("open({m!r}, 'w')")
        """
    )
    spec_text = src(
        f"""
        openapi: 3.1.0
        info: {{title: x, version: "1"}}
        paths:
          /a:
            get:
              operationId: a
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema: {{$ref: 'http://127.0.0.1:9/{marker.name}.json'}}
          /b:
            get:
              operationId: b
              responses:
                '200': {{$ref: 'file://{m}'}}
        x-run: !!python/object/apply:os.system ["touch {m}"]
        """
    )
    ref_spec = spec_text.replace(f'x-run: !!python/object/apply:os.system ["touch {m}"]\n', "")
    ts = f'import {{ writeFileSync }} from "fs";\nwriteFileSync({json.dumps(m)}, "ran");\n'
    go = (
        'package main\n\nimport "os"\n\nfunc main() {\n'
        f'\tos.WriteFile({json.dumps(m)}, []byte("ran"), 0o644)\n}}\n'
    )
    return [
        ("code", [File("app.py", "python", py), File("pkg/__init__.py", "python", py)], "python"),
        ("code", [File("a.ts", "typescript", ts), File("main.go", "go", go)], None),
        ("cli", [File("tool.py", "python", cli)], "python"),
        ("api", [File("openapi.yaml", "yaml", spec_text)], None),
        ("api", [File("openapi.yaml", "yaml", ref_spec)], None),
        ("ui", [File("App.tsx", "tsx", ts + "export default () => <p/>;\n")], "tsx"),
    ]


def test_nothing_on_the_gate_path_executes_generated_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "ran"
    samples = _side_effect_samples(marker)
    # Warm the lazy imports (grammars, YAML, the validator) with harmless input first,
    # so the traps below only see what the gate does with generated text.
    for kind, files, language in _side_effect_samples(tmp_path / "warm"):
        check(kind, [File(f.path, f.language, "") for f in files], language=language)  # type: ignore[arg-type]
    check("api", [File("o.yaml", "yaml", GOOD_SPEC)], language=None)
    check("ui", ui_files(), language="tsx")

    calls: list[str] = []

    def trap(name: str) -> Any:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            raise AssertionError(f"the gate called {name}")

        return refuse

    real_compile = builtins.compile

    def only_ast(source: Any, filename: Any, mode: str, flags: int = 0, *a: Any, **k: Any) -> Any:
        if not flags & ast.PyCF_ONLY_AST:
            calls.append("compile")
            raise AssertionError("the gate compiled code to run it")
        return real_compile(source, filename, mode, flags, *a, **k)

    real_import = builtins.__import__

    def no_generated_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".", maxsplit=1)[0] in {"app", "pkg", "tool", "click", "fs"}:
            calls.append(f"import {name}")
            raise AssertionError(f"the gate imported {name}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "exec", trap("exec"))
    monkeypatch.setattr(builtins, "eval", trap("eval"))
    monkeypatch.setattr(builtins, "compile", only_ast)
    monkeypatch.setattr(builtins, "__import__", no_generated_import)
    monkeypatch.setattr(importlib, "import_module", trap("importlib.import_module"))
    monkeypatch.setattr(subprocess, "Popen", trap("subprocess.Popen"))
    monkeypatch.setattr(os, "system", trap("os.system"))
    monkeypatch.setattr(os, "popen", trap("os.popen"))
    monkeypatch.setattr(os, "execv", trap("os.execv"))
    monkeypatch.setattr(os, "fork", trap("os.fork"))
    monkeypatch.setattr(os, "posix_spawn", trap("os.posix_spawn"))
    monkeypatch.setattr(socket.socket, "connect", trap("socket.connect"))
    monkeypatch.setattr(urllib.request, "urlopen", trap("urlopen"))
    monkeypatch.delitem(sys.modules, "click", raising=False)

    results = [check(kind, files, language=language) for kind, files, language in samples]  # type: ignore[arg-type]

    assert calls == []
    assert not marker.exists()
    assert "click" not in sys.modules
    code, _ts, cli_result, tagged, refs, _ui = results
    tag_line = next(
        i for i, ln in enumerate(samples[3][1][0].content.splitlines(), 1) if "x-run" in ln
    )
    assert code.ok  # it is valid Python; the gate judges it without running it
    assert cli_result.usage  # usage came from the AST, not from running the parser
    assert only(tagged, "syntax").line == tag_line  # the safe loader refuses python/ tags
    assert [e.code for e in refs.errors] == ["dangling-ref", "dangling-ref"]


def test_the_gate_modules_contain_no_way_to_run_code() -> None:
    """A source-level tripwire next to the behavioural test above."""
    root = Path(gate.__file__).parent
    banned = re.compile(
        r"(?<![\w.])(?:exec|eval)\(|subprocess|os\.system|import_module|__import__|runpy|pickle"
    )
    for module in root.glob("*.py"):
        assert not banned.findall(module.read_text()), module.name
