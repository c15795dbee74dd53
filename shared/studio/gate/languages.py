"""The languages the gate knows, and which parser checks each.

`LANGUAGES` is the list a generated file's `language` must come from. Code languages
are parsed (Python with `ast`, the rest with tree-sitter grammars); data languages are
loaded with a safe loader; text languages are only scanned for placeholders and secrets.
"""

from __future__ import annotations

from typing import Final

# Name -> parser. "ast": Python's own parser; "tree-sitter": a grammar wheel (see
# treesitter.GRAMMARS); "json"/"yaml"/"toml": the safe loader; "text": not parsed.
PARSERS: Final[dict[str, str]] = {
    "python": "ast",
    "typescript": "tree-sitter",
    "tsx": "tree-sitter",
    "javascript": "tree-sitter",
    "jsx": "tree-sitter",
    "go": "tree-sitter",
    "rust": "tree-sitter",
    "java": "tree-sitter",
    "json": "json",
    "yaml": "yaml",
    "toml": "toml",
    "markdown": "text",
    "text": "text",
}

LANGUAGES: Final[tuple[str, ...]] = tuple(PARSERS)

# Languages a `code` generation may be asked for (the data/text ones ride along, e.g. a
# README or a package manifest).
CODE_LANGUAGES: Final[tuple[str, ...]] = tuple(
    name for name, parser in PARSERS.items() if parser in {"ast", "tree-sitter"}
)

JS_FAMILY: Final[frozenset[str]] = frozenset({"typescript", "tsx", "javascript", "jsx"})
