"""Aura Studio: deterministic artefacts, in the studio's output protocol, from the prompt.

A studio request is a chat request whose system prompt starts with "You are Aura Studio"
(OpenAI: a `system`/`developer` message; Anthropic: `system`). Its last user message is

    Kind: code|api|ui|cli
    Language: <language or none>
    Framework: <framework or none>
    Request:
    <the user's prompt>
    [Repair: the files failed these checks; ...   <- a repair request
     Files:
     <<<FILE ...>>> ... <<<END>>>]

and the answer is an explanation and files in the protocol (`<<<EXPLANATION>>>`,
`<<<FILE path=".." language="..">>>`, `<<<END>>>`, markers alone on their line). Names come
from the prompt's words ("a function that slugifies titles" -> `slugify.py`, `def
slugify(title)`), every choice from its words or its hash: one prompt, one artefact.

- code: python (one file), typescript and javascript (the module and an index that
  re-exports it), go (one file), rust (`src/main.rs` and the module), java (one class).
- api: `openapi.yaml`, OpenAPI 3.1 with `info.version`, list/create/get/update/delete
  operations with operationIds and responses, `components` (schemas, parameters,
  responses) reached through `$ref`s.
- ui: a React TSX component over three files (component, item component, types) joined
  by relative imports; it imports only `react`.
- cli: one Python file, argparse or click (the Framework line, else the prompt's hash),
  with two subcommands (`add`, `list`) and options.

`[[standin studio=<mode>]]` in the prompt (it travels into the repair request with it)
breaks the first answer and lets the repair answer be correct; `<mode>-always` breaks
both. The modes and what the gate should say:

    syntax          an unbalanced bracket in the main file            -> syntax
    dangling-import an import of a file never generated               -> unresolved-import
                    (api: a `$ref` into a file never generated        -> dangling-ref)
    bad-ref         a `$ref` to a schema that does not exist          -> dangling-ref
                    (code/ui/cli: as dangling-import)
    placeholder     a body left as "rest of the code" / "TODO: implement" -> placeholder
    secret          an `sk-...` API key assigned in the main file     -> secret
    undeclared      an extra file the explanation does not list       -> undeclared-file

Length: a studio answer ignores the chat replies' default length (`tokens`), since an
artefact cut at 24 tokens is useless, but a request's own limit (`max_tokens`,
`max_completion_tokens`) still cuts it there, with finish reason `length` / `max_tokens`,
as a real model's limit would. It streams as other replies do: one token per run of
non-space and the whitespace after it (`split_tokens`), joined back byte for byte.
"""

from __future__ import annotations

import hashlib
import keyword
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, replace

from tools.standin.faults import DIRECTIVE_RE
from tools.standin.text import split_tokens

SYSTEM_PREFIX = "You are Aura Studio"
KINDS = ("code", "api", "ui", "cli")
CODE_LANGUAGES = ("python", "typescript", "javascript", "go", "rust", "java")
BREAKS = ("syntax", "dangling-import", "bad-ref", "placeholder", "secret", "undeclared")
MODES = (*BREAKS, *(f"{mode}-always" for mode in BREAKS))
EXPECTED_CODES = {
    "syntax": "syntax",
    "dangling-import": "unresolved-import",
    "bad-ref": "dangling-ref",
    "placeholder": "placeholder",
    "secret": "secret",
    "undeclared": "undeclared-file",
}
PROMPT_CHARS = 80
WORD_CHARS = 16  # a name's word; a long one could even read as a key ("sk-...")

FIELD_RE = re.compile(r"^(Kind|Language|Framework):[ \t]*(.*?)[ \t]*$", re.M)
REQUEST_RE = re.compile(r"^Request:[ \t]*\n?", re.M)
REPAIR_RE = re.compile(r"^Repair:", re.M)
WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*")

BOUNDARIES = {
    "that", "which", "who", "to", "for", "with", "from", "in", "into", "on", "of", "by",
    "and", "or", "using", "as", "at", "over", "per", "where", "when", "than",
}  # fmt: skip
SKIPPED = {
    "a", "an", "the", "my", "our", "your", "some", "any", "this", "these", "it", "its", "me",
    "us", "please", "can", "could", "would", "you", "i", "we", "is", "are", "be", "should",
    "will", "write", "create", "make", "build", "generate", "implement", "give", "need",
    "want", "small", "simple", "tiny", "basic", "new", "little", "quick", "short", "nice",
    "good", "function", "functions", "method", "class", "module", "program", "script",
    "code", "snippet", "api", "apis", "endpoint", "endpoints", "service", "rest", "restful",
    "http", "openapi", "spec", "specification", "component", "components", "widget", "ui",
    "react", "tsx", "view", "page", "cli", "tool", "tools", "command", "commands", "line",
    "app", "application", "utility", "util", "library", "helper", "python", "typescript",
    "ts", "javascript", "js", "node", "go", "golang", "rust", "java", "argparse", "click",
    "yaml", "json", "simply", "just", "also", "then", "each", "every", "all",
}  # fmt: skip
RESERVED = set(keyword.kwlist) | {
    "abstract", "async", "await", "boolean", "break", "byte", "case", "catch", "char",
    "const", "continue", "crate", "default", "delete", "do", "double", "dyn", "enum",
    "export", "extends", "extern", "final", "float", "fn", "func", "function", "goto",
    "impl", "implements", "import", "instanceof", "int", "interface", "let", "long", "loop",
    "main", "map", "match", "mod", "move", "mut", "native", "new", "package", "private",
    "protected", "pub", "public", "range", "ref", "select", "self", "short", "static",
    "struct", "super", "switch", "synchronized", "this", "throw", "throws", "trait",
    "transient", "type", "typeof", "unsafe", "use", "var", "void", "volatile", "where",
    "string", "str", "list", "dict", "set", "print", "index", "types", "test", "object",
    "record", "records", "item", "items", "id", "value", "text", "words", "word", "err",
    "fmt", "strings", "regexp", "os", "sys", "re", "json", "react",
}  # fmt: skip


@dataclass(frozen=True)
class StudioRequest:
    """What a studio request asks for."""

    kind: str
    language: str | None
    framework: str | None
    prompt: str  # directives removed
    repair: bool


@dataclass(frozen=True)
class Artefact:
    """The generated files, in order, and the explanation that lists them."""

    explanation: str
    files: tuple[tuple[str, str, str], ...]  # (path, language, content)


# --- reading the request -----------------------------------------------------------------


def matches(system: str) -> bool:
    """Whether a request's system prompt is the studio's."""
    return system.lstrip().startswith(SYSTEM_PREFIX)


def read_request(user: str) -> StudioRequest:
    """The fields of the studio's user message (missing ones read as code/none)."""
    fields = {name.lower(): value for name, value in FIELD_RE.findall(user)}
    request = REQUEST_RE.search(user)
    body = user[request.end() :] if request else user
    repairs = list(REPAIR_RE.finditer(body))
    if repairs:
        body = body[: repairs[-1].start()]
    prompt = " ".join(DIRECTIVE_RE.sub(" ", body).split())

    def optional(name: str) -> str | None:
        value = fields.get(name, "").strip().lower()
        return None if value in {"", "none", "null", "-"} else value

    kind = optional("kind") or "code"
    return StudioRequest(
        kind=kind if kind in KINDS else "code",
        language=optional("language"),
        framework=optional("framework"),
        prompt=prompt,
        repair=bool(repairs),
    )


def _stem(word: str) -> str:
    """A verb or plural read back to its base: slugifies -> slugify, titles -> title."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def subject_words(prompt: str) -> list[str]:
    """The prompt's first run of content words, stemmed: "a function that slugifies
    titles" -> ["slugify", "title"]; a run's leading -ing words go ("managing books")."""
    runs: list[list[str]] = [[]]
    for raw in WORD_RE.findall(prompt.replace("'s ", " ")):
        word = raw.lower()
        if word in BOUNDARIES:
            runs.append([])
        elif word not in SKIPPED:
            runs[-1].append(word)
    for run in runs:
        while len(run) > 1 and run[0].endswith("ing") and len(run[0]) > 5:
            run.pop(0)
        if run:
            return [_stem(w)[:WORD_CHARS] for w in run]
    return []


def _identifier(word: str | None, fallback: str) -> str:
    name = re.sub(r"[^a-z0-9]", "", (word or "").lower())
    if not name or not name[0].isalpha():
        return fallback
    name = name[:24]
    return f"{name}_text" if name in RESERVED else name


def _pascal(*words: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in words for w in w.split("_"))


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + _pascal(*rest)


def _plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in set("aeiou"):
        return word[:-1] + "ies"
    if word.endswith(("s", "sh", "ch", "x")):
        return word + "es"
    return word + "s"


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in set("aeiou") else f"a {word}"


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def _excerpt(prompt: str) -> str:
    """The prompt told back in the explanation (never in a file: a prompt that says "rest
    of the code" must not make a correct artefact fail the gate)."""
    text = prompt if len(prompt) <= PROMPT_CHARS else prompt[:PROMPT_CHARS].rsplit(" ", 1)[0]
    return text.replace('"', "'").replace("<<<", "<") or "an empty prompt"


# --- code --------------------------------------------------------------------------------

PYTHON = '''"""{title}: {summary}"""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[^a-z0-9]+")


def {name}({param}: str, *, separator: str = "-", max_length: int = 80) -> str:
    """Return `{param}` lower-cased and ASCII-only, its words joined by `separator`."""
    if max_length < 1:
        raise ValueError("max_length must be positive")
    plain = unicodedata.normalize("NFKD", {param}).encode("ascii", "ignore").decode("ascii")
    words = [word for word in _SEPARATORS.split(plain.lower()) if word]
    joined = separator.join(words)
    return joined[:max_length].rstrip(separator)


if __name__ == "__main__":
    import sys

    for argument in sys.argv[1:]:
        sys.stdout.write({name}(argument) + "\\n")
'''

TYPESCRIPT = """/** {title}: {summary} */

const SEPARATORS = /[^a-z0-9]+/;

export interface {pascal}Options {{
  separator?: string;
  maxLength?: number;
}}

export function {camel}({param}: string, options: {pascal}Options = {{}}): string {{
  const separator = options.separator ?? "-";
  const maxLength = options.maxLength ?? 80;
  if (maxLength < 1) {{
    throw new RangeError("maxLength must be positive");
  }}
  const plain = {param}.normalize("NFKD").replace(/[\\u0300-\\u036f]/g, "");
  const words = plain.toLowerCase().split(SEPARATORS).filter((word) => word.length > 0);
  return words.join(separator).slice(0, maxLength);
}}
"""

TYPESCRIPT_INDEX = """export {{ {camel} }} from "./{module}";
export type {{ {pascal}Options }} from "./{module}";
"""

JAVASCRIPT = """/** {title}: {summary} */

const SEPARATORS = /[^a-z0-9]+/;

/**
 * @param {{string}} {param}
 * @param {{{{ separator?: string, maxLength?: number }}}} [options]
 * @returns {{string}}
 */
export function {camel}({param}, options = {{}}) {{
  const separator = options.separator ?? "-";
  const maxLength = options.maxLength ?? 80;
  if (typeof {param} !== "string") {{
    throw new TypeError("{param} must be a string");
  }}
  const plain = {param}.normalize("NFKD").replace(/[\\u0300-\\u036f]/g, "");
  const words = plain.toLowerCase().split(SEPARATORS).filter((word) => word.length > 0);
  return words.join(separator).slice(0, maxLength);
}}
"""

JAVASCRIPT_INDEX = """export {{ {camel} }} from "./{module}.js";
"""

GO = """// Package main: {title}: {summary}
package main

import (
\t"fmt"
\t"os"
\t"strings"
\t"unicode"
)

// {pascal} returns {param} lower-cased, its words joined by separator.
func {pascal}({param} string, separator string, maxLength int) string {{
\twords := strings.FieldsFunc(strings.ToLower({param}), func(r rune) bool {{
\t\treturn !unicode.IsLetter(r) && !unicode.IsDigit(r)
\t}})
\tjoined := strings.Join(words, separator)
\tif len(joined) > maxLength {{
\t\tjoined = strings.TrimRight(joined[:maxLength], separator)
\t}}
\treturn joined
}}

func main() {{
\tfor _, argument := range os.Args[1:] {{
\t\tfmt.Println({pascal}(argument, "-", 80))
\t}}
}}
"""

RUST_MAIN = """//! {title}: {summary}

mod {module};

fn main() {{
    for argument in std::env::args().skip(1) {{
        println!("{{}}", {module}::{name}(&argument, "-", 80));
    }}
}}
"""

RUST_MODULE = """/// Returns `{param}` lower-cased, its words joined by `separator`.
pub fn {name}({param}: &str, separator: &str, max_length: usize) -> String {{
    let lowered = {param}.to_lowercase();
    let words: Vec<&str> = lowered
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    let joined = words.join(separator);
    joined.chars().take(max_length).collect()
}}

#[cfg(test)]
mod tests {{
    use super::*;

    #[test]
    fn joins_words() {{
        assert_eq!({name}("Hello, World", "-", 80), "hello-world");
    }}
}}
"""

JAVA = """import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {title}: {summary} */
public final class {pascal} {{
    private {pascal}() {{}}

    /** Returns {param} lower-cased, its words joined by separator. */
    public static String {camel}(String {param}, String separator, int maxLength) {{
        if (maxLength < 1) {{
            throw new IllegalArgumentException("maxLength must be positive");
        }}
        String plain = Normalizer.normalize({param}, Normalizer.Form.NFKD)
            .replaceAll("\\\\p{{M}}", "");
        List<String> words = new ArrayList<>();
        for (String word : plain.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {{
            if (!word.isEmpty()) {{
                words.add(word);
            }}
        }}
        String joined = String.join(separator, words);
        return joined.length() > maxLength ? joined.substring(0, maxLength) : joined;
    }}

    public static void main(String[] args) {{
        for (String argument : args) {{
            System.out.println({camel}(argument, "-", 80));
        }}
    }}
}}
"""


def _code(request: StudioRequest) -> Artefact:
    words = subject_words(request.prompt)
    name = _identifier(words[0] if words else None, "transform")
    param = _identifier(words[1] if len(words) > 1 else None, "source")
    if param == name:
        param = "source"
    language = request.language if request.language in CODE_LANGUAGES else "python"
    title = _pascal(name)
    summary = "lower-cased words of a text, joined by a separator."
    values = {
        "name": name,
        "param": param,
        "camel": _camel(name),
        "pascal": _pascal(name),
        "module": name,
        "title": title,
        "summary": summary,
    }
    fill: Callable[[str], str] = lambda template: template.format(**values)  # noqa: E731
    files: list[tuple[str, str, str]]
    if language == "python":
        files = [(f"{name}.py", "python", fill(PYTHON))]
    elif language == "typescript":
        files = [
            (f"src/{name}.ts", "typescript", fill(TYPESCRIPT)),
            ("src/index.ts", "typescript", fill(TYPESCRIPT_INDEX)),
        ]
    elif language == "javascript":
        files = [
            (f"src/{name}.js", "javascript", fill(JAVASCRIPT)),
            ("src/index.js", "javascript", fill(JAVASCRIPT_INDEX)),
        ]
    elif language == "go":
        files = [(f"{name}.go", "go", fill(GO))]
    elif language == "rust":
        files = [
            ("src/main.rs", "rust", fill(RUST_MAIN)),
            (f"src/{name}.rs", "rust", fill(RUST_MODULE)),
        ]
    else:
        files = [(f"{_pascal(name)}.java", "java", fill(JAVA))]
    function = name if language in {"python", "rust"} else values["camel"]
    if language == "go":
        function = values["pascal"]
    what = f"a {language} function `{function}`"
    return Artefact(_explain(what, request, files), tuple(files))


# --- api ---------------------------------------------------------------------------------

NUMERIC = {"year", "count", "age", "quantity", "amount", "price", "total", "size", "number",
           "rating", "score", "page", "pages", "duration", "minutes", "hours", "days"}  # fmt: skip


def _api(request: StudioRequest) -> Artefact:
    words = subject_words(request.prompt)
    resource = _identifier(words[0] if words else None, "item")
    if resource.endswith("_text"):
        resource = resource[: -len("_text")] or "item"
    plural = _plural(resource)
    schema = _pascal(resource)
    fields: list[str] = []
    for word in [_stem(w.lower()) for w in WORD_RE.findall(request.prompt)]:
        field = re.sub(r"[^a-z0-9]", "", word)
        if (
            field
            and field not in SKIPPED | BOUNDARIES | {resource, plural, "id", "name"}
            and not field.endswith("ing")
            and field not in fields
            and field not in RESERVED
        ):
            fields.append(field)
    fields = ["name", *fields[:4]]
    props = []
    for field in fields:
        kind = "integer" if field in NUMERIC else "string"
        props.append(f"        {_camel(field)}:\n          type: {kind}")
    input_props = "\n".join(props)
    spec = f"""openapi: 3.1.0
info:
  title: {_pascal(plural)} API
  version: 1.0.0
  description: Create, list, read, change and delete {plural}.
servers:
  - url: https://api.example.com/v1
tags:
  - name: {plural}
paths:
  /{plural}:
    get:
      operationId: list{_pascal(plural)}
      summary: List {plural}, newest first
      tags: [{plural}]
      parameters:
        - $ref: '#/components/parameters/Limit'
        - $ref: '#/components/parameters/Cursor'
      responses:
        '200':
          description: A page of {plural}
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/{schema}Page'
        '400':
          $ref: '#/components/responses/BadRequest'
    post:
      operationId: create{schema}
      summary: Create {_a(resource)}
      tags: [{plural}]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/{schema}Input'
      responses:
        '201':
          description: The created {resource}
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/{schema}'
        '400':
          $ref: '#/components/responses/BadRequest'
  /{plural}/{{{resource}Id}}:
    parameters:
      - $ref: '#/components/parameters/{schema}Id'
    get:
      operationId: get{schema}
      summary: Get one {resource}
      tags: [{plural}]
      responses:
        '200':
          description: The {resource}
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/{schema}'
        '404':
          $ref: '#/components/responses/NotFound'
    patch:
      operationId: update{schema}
      summary: Change {_a(resource)}
      tags: [{plural}]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/{schema}Input'
      responses:
        '200':
          description: The changed {resource}
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/{schema}'
        '400':
          $ref: '#/components/responses/BadRequest'
        '404':
          $ref: '#/components/responses/NotFound'
    delete:
      operationId: delete{schema}
      summary: Delete {_a(resource)}
      tags: [{plural}]
      responses:
        '204':
          description: Deleted
        '404':
          $ref: '#/components/responses/NotFound'
components:
  parameters:
    {schema}Id:
      name: {resource}Id
      in: path
      required: true
      schema:
        type: string
    Limit:
      name: limit
      in: query
      schema:
        type: integer
        minimum: 1
        maximum: 100
        default: 20
    Cursor:
      name: cursor
      in: query
      schema:
        type: string
  responses:
    BadRequest:
      description: The request is invalid
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
    NotFound:
      description: No such {resource}
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
  schemas:
    {schema}Input:
      type: object
      required: [name]
      properties:
{input_props}
    {schema}:
      allOf:
        - $ref: '#/components/schemas/{schema}Input'
        - type: object
          required: [id, createdAt]
          properties:
            id:
              type: string
            createdAt:
              type: string
              format: date-time
    {schema}Page:
      type: object
      required: [items]
      properties:
        items:
          type: array
          items:
            $ref: '#/components/schemas/{schema}'
        nextCursor:
          type: [string, 'null']
    Error:
      type: object
      required: [code, message]
      properties:
        code:
          type: string
        message:
          type: string
"""
    files = [("openapi.yaml", "yaml", spec)]
    what = f"an OpenAPI 3.1 spec for {plural} (list, create, get, update, delete)"
    return Artefact(_explain(what, request, files), tuple(files))


# --- ui ----------------------------------------------------------------------------------

UI_TYPES = """export interface {item} {{
  id: string;
  label: string;
  detail?: string;
}}
"""

UI_ITEM = """import type {{ {item} }} from "./types";

export interface {item}RowProps {{
  item: {item};
  selected: boolean;
  onSelect: (item: {item}) => void;
}}

export function {item}Row({{ item, selected, onSelect }}: {item}RowProps) {{
  return (
    <li className={{selected ? "row row--selected" : "row"}}>
      <button type="button" aria-pressed={{selected}} onClick={{() => onSelect(item)}}>
        <span className="row__label">{{item.label}}</span>
        {{item.detail ? <span className="row__detail">{{item.detail}}</span> : null}}
      </button>
    </li>
  );
}}
"""

UI_MAIN = """import {{ useMemo, useState }} from "react";
import {{ {item}Row }} from "./{item}Row";
import type {{ {item} }} from "./types";

/** {component}: {summary} */
export interface {component}Props {{
  title?: string;
  items: {item}[];
  onSelect?: (item: {item}) => void;
}}

export function {component}({{ title = "{heading}", items, onSelect }}: {component}Props) {{
  const [query, setQuery] = useState("");
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const visible = useMemo(() => {{
    const needle = query.trim().toLowerCase();
    return needle ? items.filter((item) => item.label.toLowerCase().includes(needle)) : items;
  }}, [items, query]);

  function select(item: {item}) {{
    setSelectedId(item.id);
    onSelect?.(item);
  }}

  return (
    <section className="{css}" aria-label={{title}}>
      <h2>{{title}}</h2>
      <input
        type="search"
        placeholder="Filter"
        value={{query}}
        onChange={{(event) => setQuery(event.target.value)}}
      />
      {{visible.length === 0 ? (
        <p className="{css}__empty">Nothing matches.</p>
      ) : (
        <ul>
          {{visible.map((item) => (
            <{item}Row
              key={{item.id}}
              item={{item}}
              selected={{item.id === selectedId}}
              onSelect={{select}}
            />
          ))}}
        </ul>
      )}}
    </section>
  );
}}

export default {component};
"""


def _ui(request: StudioRequest) -> Artefact:
    words = [re.sub(r"[^a-z0-9]", "", w) for w in subject_words(request.prompt)][:3]
    words = [w for w in words if w] or ["item", "list"]
    component = _pascal(*words)
    if not component[:1].isalpha():
        component = "ItemList"
    if len(words) == 1:
        component += "Panel"
    item = _pascal(words[-1]) + "Entry" if len(words) > 1 else _pascal(words[0]) + "Entry"
    values = {
        "component": component,
        "item": item,
        "heading": " ".join(words).capitalize(),
        "css": "_".join(words) or "panel",  # not "-": "sk-..." would read as a key
        "summary": "a filterable list of entries, one selectable at a time.",
    }
    files = [
        (f"src/components/{component}.tsx", "tsx", UI_MAIN.format(**values)),
        (f"src/components/{item}Row.tsx", "tsx", UI_ITEM.format(**values)),
        ("src/components/types.ts", "typescript", UI_TYPES.format(**values)),
    ]
    what = f"a React component `{component}` with a filter and a selectable list"
    return Artefact(_explain(what, request, files), tuple(files))


# --- cli ---------------------------------------------------------------------------------

CLI_COMMON = '''"""{prog}: keep a list of {plural} in a JSON file ({summary})"""

from __future__ import annotations

{imports}
DEFAULT_STORE = Path("{store}")


def load(store: Path) -> list[dict[str, object]]:
    if not store.exists():
        return []
    data = json.loads(store.read_text(encoding="utf-8"))
    return data if isinstance(data, list) else []


def save(store: Path, entries: list[dict[str, object]]) -> None:
    store.write_text(json.dumps(entries, indent=2) + "\\n", encoding="utf-8")
'''

CLI_ARGPARSE = """

def add(args: argparse.Namespace) -> int:
    entries = load(args.store)
    entries.append({{"name": args.name, "note": args.note, "tags": args.tag}})
    save(args.store, entries)
    sys.stdout.write(f"added {{args.name}} ({{len(entries)}} {plural})\\n")
    return 0


def list_entries(args: argparse.Namespace) -> int:
    entries = load(args.store)[: args.limit]
    if args.json:
        sys.stdout.write(json.dumps(entries, indent=2) + "\\n")
    else:
        for entry in entries:
            sys.stdout.write(f"- {{entry['name']}}\\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="{prog}", description="Keep a list of {plural}.")
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE, help="the JSON file")
    commands = parser.add_subparsers(dest="command", required=True)
    add_command = commands.add_parser("add", help="add {a_singular}")
    add_command.add_argument("name", help="what to add")
    add_command.add_argument("--note", default="", help="a short note")
    add_command.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    add_command.set_defaults(handler=add)
    list_command = commands.add_parser("list", help="list the {plural}")
    list_command.add_argument("--limit", type=int, default=20, help="at most this many")
    list_command.add_argument("--json", action="store_true", help="print JSON")
    list_command.set_defaults(handler=list_entries)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
"""

CLI_CLICK = '''

@click.group()
@click.option("--store", type=click.Path(path_type=Path), default=DEFAULT_STORE, help="JSON file")
@click.pass_context
def cli(context: click.Context, store: Path) -> None:
    """Keep a list of {plural}."""
    context.obj = store


@cli.command()
@click.argument("name")
@click.option("--note", default="", help="a short note")
@click.option("--tag", multiple=True, help="a tag (repeatable)")
@click.pass_obj
def add(store: Path, name: str, note: str, tag: tuple[str, ...]) -> None:
    """Add {a_singular}."""
    entries = load(store)
    entries.append({{"name": name, "note": note, "tags": list(tag)}})
    save(store, entries)
    click.echo(f"added {{name}} ({{len(entries)}} {plural})")


@cli.command(name="list")
@click.option("--limit", type=int, default=20, help="at most this many")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.pass_obj
def list_entries(store: Path, limit: int, as_json: bool) -> None:
    """List the {plural}."""
    entries = load(store)[:limit]
    if as_json:
        click.echo(json.dumps(entries, indent=2))
    else:
        for entry in entries:
            click.echo(f"- {{entry['name']}}")


if __name__ == "__main__":
    cli(args=sys.argv[1:])
'''


def _cli(request: StudioRequest) -> Artefact:
    words = [re.sub(r"[^a-z0-9]", "", w) for w in subject_words(request.prompt)][:2]
    words = [w for w in words if w] or ["note"]
    module = _identifier("_".join(words).replace("_", ""), "notes")
    module = "_".join(words) if all(w.isalnum() for w in words) else module
    if module in RESERVED or not module[:1].isalpha():
        module = f"{module}_cli" if module[:1].isalpha() else "notes_cli"
    singular = words[-1]
    framework = request.framework
    if framework not in {"argparse", "click"}:
        framework = "click" if _digest(request.prompt)[0] % 2 else "argparse"
    values = {
        "prog": module.replace("_", "-"),
        "plural": _plural(singular),
        "a_singular": _a(singular),
        "store": f"{_plural(singular)}.json",
        "summary": "add entries, then list them",
    }
    if framework == "click":  # the third-party import after the standard library
        imports = "import json\nimport sys\nfrom pathlib import Path\n\nimport click\n"
    else:
        imports = "import argparse\nimport json\nimport sys\nfrom pathlib import Path\n"
    body = CLI_COMMON + (CLI_CLICK if framework == "click" else CLI_ARGPARSE)
    content = body.format(imports=imports, **values)
    files = [(f"{module}.py", "python", content)]
    what = f"a Python command-line tool `{values['prog']}` ({framework}) with `add` and `list`"
    return Artefact(_explain(what, request, files), tuple(files))


# --- explanation, breaking, the protocol -------------------------------------------------


def _explain(what: str, request: StudioRequest, files: list[tuple[str, str, str]]) -> str:
    listed = ", ".join(f"`{path}`" for path, _, _ in files)
    opening = "Corrected: " if request.repair else "Generated "
    return (
        f'{opening}{what}, for the request "{_excerpt(request.prompt)}".\n'
        f"Files: {listed}.\n"
        "It is deterministic: the same request gives the same files."
    )


COMMENT = {"python": "#", "yaml": "#"}
# The lines that open the main function (or, for a Rust main.rs, none: it gets a line).
SIGNATURES = ("def ", "export function ", "func ", "pub fn ", "public static ", "function ")
KEY_ALPHABET = string.ascii_letters + string.digits


def _secret(seed: str) -> str:
    digest = _digest(f"studio-secret:{seed}") + _digest(f"studio-secret-2:{seed}")
    return "sk-" + "".join(KEY_ALPHABET[b % len(KEY_ALPHABET)] for b in digest[:48])


def _secret_line(language: str, seed: str) -> str:
    key = _secret(seed)
    return {
        "python": f'API_KEY = "{key}"\n',
        "yaml": f"x-api-key: {key}\n",
        "go": f'const apiKey = "{key}"\n',
        "rust": f'pub const API_KEY: &str = "{key}";\n',
        "java": f'    static final String API_KEY = "{key}";\n',
    }.get(language, f'export const API_KEY = "{key}";\n')


def _after_imports(content: str, line: str, language: str) -> str:
    """`line` inserted where a top-level declaration may go (Java: an import at the top,
    anything else inside the class)."""
    if language == "java" and line.startswith("import "):
        return line + content
    if language == "java":
        anchor = content.index("{\n") + 2  # inside the class
        return content[:anchor] + line + content[anchor:]
    if language == "yaml":
        return content.replace("servers:\n", line + "servers:\n", 1)
    lines = content.splitlines(keepends=True)
    last = 0
    for index, text in enumerate(lines):
        if text.startswith(("import ", "from ", "use ", "mod ", "package ", ")")):
            last = index + 1
    return "".join([*lines[:last], "\n", line, *lines[last:]])


def _dangling_import(language: str, path: str) -> str:
    return {
        "python": "from .helpers import normalize_words\n",
        "typescript": 'import { normalizeWords } from "./helpers";\n',
        "tsx": 'import { normalizeWords } from "./helpers";\n',
        "javascript": 'import { normalizeWords } from "./helpers.js";\n',
        "rust": "mod helpers;\n",
        "go": 'import "example.com/generated/helpers"\n',
        "java": "import generated.helpers.Normalizer;\n",
    }[language]


def _break_syntax(content: str, language: str) -> str:
    if language == "yaml":
        return content.replace("paths:\n", "paths: [\n", 1)
    # The first line that closes a bracket it opened loses its closing bracket.
    lines = content.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.lstrip().startswith(SIGNATURES):
            position = line.rfind(")")
            if position >= 0:
                lines[index] = line[:position] + line[position + 1 :]
                return "".join(lines)
    return content + "\n)(\n"


def _placeholder(content: str, language: str) -> str:
    if language == "yaml":
        marker = "components:\n"
        return content.replace(
            marker, f"  # TODO: implement ... rest of the code here ...\n{marker}", 1
        )
    comment = COMMENT.get(language, "//")
    lines = content.splitlines(keepends=True)
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(SIGNATURES):
            indent = line[: len(line) - len(stripped)] + ("    " if language != "go" else "\t")
            if language in {"typescript", "tsx", "javascript"}:
                indent = line[: len(line) - len(stripped)] + "  "
            at = index + 1 + _signature_lines(lines, index, language)
            lines.insert(at, f"{indent}{comment} TODO: implement ... rest of the code here ...\n")
            return "".join(lines)
    return content + f"{comment} TODO: implement the rest of the code\n"


def _signature_lines(lines: list[str], start: int, language: str) -> int:
    """How many lines after `start` the signature (and docstring) continues."""
    index = start
    end = ":\n" if language == "python" else "{\n"
    while not lines[index].rstrip(" ").endswith(end) and index + 1 < len(lines):
        index += 1
    if language == "python" and lines[index + 1].lstrip().startswith('"""'):
        index += 1
    return index - start


def _break(artefact: Artefact, mode: str, prompt: str) -> Artefact:
    files = list(artefact.files)
    path, language, content = files[0]
    explanation = artefact.explanation
    if mode == "bad-ref" and language != "yaml":
        mode = "dangling-import"
    if mode == "syntax":
        content = _break_syntax(content, language)
    elif mode in {"dangling-import", "bad-ref"} and language == "yaml":
        target = "'./schemas/shared.yaml#/Missing'" if mode == "dangling-import" else None
        target = target or "'#/components/schemas/MissingSummary'"
        content = content.replace("$ref: '#/components/schemas/Error'", f"$ref: {target}", 1)
    elif mode == "dangling-import":
        content = _after_imports(content, _dangling_import(language, path), language)
    elif mode == "placeholder":
        content = _placeholder(content, language)
    elif mode == "secret":
        content = _after_imports(content, _secret_line(language, prompt), language)
    elif mode == "undeclared":  # a copy of the last file, under a name nobody declared
        last_path, last_language, last_content = files[-1]
        folder, _, name = last_path.rpartition("/")
        extra = f"scratch.{name.rpartition('.')[2]}"
        files.append((f"{folder}/{extra}" if folder else extra, last_language, last_content))
    files[0] = (path, language, content)
    return replace(artefact, files=tuple(files), explanation=explanation)


BUILDERS: dict[str, Callable[[StudioRequest], Artefact]] = {
    "code": _code,
    "api": _api,
    "ui": _ui,
    "cli": _cli,
}


def artefact(request: StudioRequest, mode: str | None = None) -> Artefact:
    """The artefact for `request`, broken as `mode` says (see the module docstring)."""
    built = BUILDERS[request.kind](request)
    if mode is None:
        return built
    always = mode.endswith("-always")
    base = mode.removesuffix("-always")
    if request.repair and not always:
        return built
    return _break(built, base, request.prompt)


def render(answer: Artefact) -> str:
    """The artefact in the studio's output protocol."""
    parts = [f"<<<EXPLANATION>>>\n{answer.explanation}\n<<<END>>>\n"]
    for path, language, content in answer.files:
        body = content if content.endswith("\n") else content + "\n"
        parts.append(f'<<<FILE path="{path}" language="{language}">>>\n{body}<<<END>>>\n')
    return "".join(parts)


def answer_text(user: str, mode: str | None = None) -> str:
    """The whole answer to a studio request's last user message."""
    return render(artefact(read_request(user), mode))


def answer_tokens(system: str, user: str, mode: str | None = None) -> list[str] | None:
    """The streamed tokens of the answer, or None when this is not a studio request."""
    if not matches(system):
        return None
    return split_tokens(answer_text(user, mode))
