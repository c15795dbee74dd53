"""JSON, YAML and TOML files: loaded with safe loaders (no tags that build objects, no
anchors/aliases), with a map from JSON pointer to source position for locating errors."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.studio.gate.limits import MAX_DOCUMENT_NODES
from shared.studio.models import File, GateError

if TYPE_CHECKING:
    import yaml


@dataclass
class Document:
    """A loaded data file; `positions` maps a JSON pointer to its 1-based (line, column)."""

    data: Any = None
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    errors: list[GateError] = field(default_factory=list)


def pointer(parts: list[str | int]) -> str:
    """RFC 6901 JSON pointer of a path of keys and indexes."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _positions(node: yaml.Node, doc: Document, path: str) -> None:
    """Walk a composed YAML node graph, recording each value's position; refuse aliases
    (a node reached twice) and documents with more than MAX_DOCUMENT_NODES nodes."""
    import yaml

    seen: set[int] = set()
    stack: list[tuple[yaml.Node, str]] = [(node, "")]
    while stack:
        current, at = stack.pop()
        if id(current) in seen:
            mark = current.start_mark
            doc.errors.append(
                GateError(
                    path,
                    mark.line + 1,
                    mark.column + 1,
                    "syntax",
                    "YAML anchors and aliases are not accepted",
                )
            )
            return
        seen.add(id(current))
        if len(seen) > MAX_DOCUMENT_NODES:
            doc.errors.append(
                GateError(path, None, None, "too-large", f"more than {MAX_DOCUMENT_NODES} nodes")
            )
            return
        doc.positions.setdefault(at, (current.start_mark.line + 1, current.start_mark.column + 1))
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else str(id(key))
                child = at + pointer([name])
                # A mapping value is located at its key, where a reader looks for it.
                doc.positions.setdefault(
                    child, (key.start_mark.line + 1, key.start_mark.column + 1)
                )
                stack.append((value, child))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, at + pointer([i])) for i, item in enumerate(current.value))


@functools.cache
def _loader_class() -> type[yaml.SafeLoader]:
    """SafeLoader that leaves timestamps as strings (JSON has no dates; a spec's
    `example: 2024-01-01` is a string to the validator)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


def _compose(text: str) -> tuple[yaml.Node | None, yaml.SafeLoader]:
    loader = _loader_class()(text)
    return loader.get_single_node(), loader


def load_yaml(f: File) -> Document:
    import yaml

    doc = Document()
    loader: yaml.SafeLoader | None = None
    try:
        node, loader = _compose(f.content)
        if node is None:
            return doc
        _positions(node, doc, f.path)
        if not doc.errors:
            doc.data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        doc.errors.append(
            GateError(
                f.path,
                mark.line + 1 if mark else None,
                mark.column + 1 if mark else None,
                "syntax",
                f"yaml syntax error: {problem}",
            )
        )
    except (yaml.YAMLError, RecursionError) as exc:
        doc.errors.append(GateError(f.path, None, None, "syntax", f"yaml: {exc}"))
    finally:
        if loader is not None:
            loader.dispose()
    return doc


def _count_nodes(data: Any) -> int:
    count, stack = 0, [data]
    while stack and count <= MAX_DOCUMENT_NODES:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def load_json(f: File) -> Document:
    doc = Document()
    try:
        doc.data = json.loads(f.content)
    except json.JSONDecodeError as exc:
        doc.errors.append(
            GateError(f.path, exc.lineno, exc.colno, "syntax", f"json syntax error: {exc.msg}")
        )
        return doc
    except RecursionError:
        doc.errors.append(GateError(f.path, None, None, "syntax", "json: nested too deeply"))
        return doc
    if _count_nodes(doc.data) > MAX_DOCUMENT_NODES:
        doc.errors.append(
            GateError(f.path, None, None, "too-large", f"more than {MAX_DOCUMENT_NODES} nodes")
        )
        doc.data = None
        return doc
    # JSON is (nearly) YAML: compose it only to learn where each value is.
    import yaml

    positions = Document()
    try:
        node, loader = _compose(f.content)
        loader.dispose()
        if node is not None:
            _positions(node, positions, f.path)
            doc.positions = positions.positions
    except (yaml.YAMLError, RecursionError):
        pass  # positions are a courtesy; the data loaded
    return doc


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def load_toml(f: File) -> Document:
    import tomllib

    doc = Document()
    try:
        doc.data = tomllib.loads(f.content)
    except tomllib.TOMLDecodeError as exc:
        at = _TOML_AT.search(str(exc))
        message = _TOML_AT.sub("", str(exc)).strip()
        doc.errors.append(
            GateError(
                f.path,
                int(at.group(1)) if at else None,
                int(at.group(2)) if at else None,
                "syntax",
                f"toml syntax error: {message}",
            )
        )
    return doc


def load(f: File) -> Document:
    """Load a json/yaml/toml file by its language."""
    match f.language:
        case "json":
            return load_json(f)
        case "yaml":
            return load_yaml(f)
        case "toml":
            return load_toml(f)
    raise ValueError(f.language)
