"""CLI checks: a Python command-line tool's commands and options, read from the AST.

argparse: `ArgumentParser(...)`, `add_subparsers()`, `add_parser(name)`,
`add_argument(...)` (also on argument groups), followed through assignments and chained
calls. click: `@click.command`/`@click.group`, `@<group>.command`/`.group`,
`@click.option`, `@click.argument`, `<group>.add_command(f)`. Nothing is imported or
run; the usage lines are rebuilt from the calls' literal arguments.
"""

from __future__ import annotations

import ast
import posixpath
from dataclasses import dataclass, field
from typing import Any

_FLAG_ACTIONS = frozenset({"store_true", "store_false", "store_const", "count", "help", "version"})
_CLICK_COMMANDS = frozenset({"command", "group"})
_CLICK_PARAMS = frozenset(
    {"option", "argument", "version_option", "help_option", "password_option"}
)


@dataclass
class Command:
    name: str
    help: str = ""
    options: list[str] = field(default_factory=list)
    positionals: list[str] = field(default_factory=list)
    parent: Command | None = None
    children: list[Command] = field(default_factory=list)

    def path(self) -> str:
        return f"{self.parent.path()} {self.name}" if self.parent else self.name


def _literal(node: ast.expr | None) -> Any:
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _kwargs(call: ast.Call) -> dict[str, ast.expr]:
    return {k.arg: k.value for k in call.keywords if k.arg}


def _strings(call: ast.Call) -> list[str]:
    return [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]


def _key(node: ast.expr) -> str:
    return ast.unparse(node)


def _line(cmd: Command) -> str:
    parts = [cmd.path(), *cmd.options, *cmd.positionals]
    if cmd.children:
        parts.append("{" + ",".join(c.name for c in cmd.children) + "} ...")
    text = " ".join(parts)
    return f"{text}    {cmd.help}" if cmd.help else text


def _usage(roots: list[Command]) -> list[str]:
    lines: list[str] = []
    stack = list(reversed(roots))
    while stack:
        cmd = stack.pop()
        lines.append(_line(cmd))
        stack.extend(reversed(cmd.children))
    return lines


# --- argparse --------------------------------------------------------------------------


def _argparse_argument(call: ast.Call) -> tuple[str, bool]:
    """(display, is_positional) of one add_argument call."""
    names = _strings(call) or ["ARG"]
    kw = _kwargs(call)
    metavar = _literal(kw.get("metavar"))
    action = _literal(kw.get("action"))
    nargs = _literal(kw.get("nargs"))
    required = _literal(kw.get("required")) is True
    if not names[0].startswith("-"):
        shown = metavar if isinstance(metavar, str) else names[0]
        if nargs == "?":
            return f"[{shown}]", True
        if nargs == "*":
            return f"[{shown} ...]", True
        if nargs == "+":
            return f"{shown} [{shown} ...]", True
        return shown, True
    flag = names[0]
    if action in _FLAG_ACTIONS or (isinstance(action, str) and action.startswith("store_")):
        text = flag
    else:
        long = next((n for n in names if n.startswith("--")), names[0])
        dest = _literal(kw.get("dest"))
        default_metavar = (dest if isinstance(dest, str) else long.lstrip("-")).replace("-", "_")
        text = f"{flag} {metavar if isinstance(metavar, str) else default_metavar.upper()}"
    return (text if required else f"[{text}]"), False


def _assignments(nodes: list[ast.AST]) -> dict[int, list[str]]:
    targets: dict[int, list[str]] = {}
    for node in nodes:
        if isinstance(node, ast.Assign):
            targets[id(node.value)] = [_key(t) for t in node.targets]
        elif isinstance(node, ast.AnnAssign | ast.NamedExpr) and node.value is not None:
            targets[id(node.value)] = [_key(node.target)]
    return targets


def argparse_commands(nodes: list[ast.AST], prog: str) -> list[Command]:
    calls = sorted(
        (n for n in nodes if isinstance(n, ast.Call)),
        key=lambda c: (c.lineno, c.col_offset, c.end_lineno or 0, c.end_col_offset or 0),
    )
    assigned = _assignments(nodes)
    by_call: dict[int, Any] = {}  # id(call) -> Command (parser) or ("sub", Command)
    by_name: dict[str, Any] = {}
    roots: list[Command] = []
    found = False

    def receiver(call: ast.Call) -> Any:
        assert isinstance(call.func, ast.Attribute)
        target = call.func.value
        if isinstance(target, ast.Call):
            return by_call.get(id(target))
        return by_name.get(_key(target))

    def root() -> Command:
        if not roots:
            roots.append(Command(prog))
        return roots[0]

    for call in calls:
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        made: Any = None
        if name == "ArgumentParser":
            kw = _kwargs(call)
            given = _literal(kw.get("prog"))
            description = _literal(kw.get("description"))
            made = Command(
                given if isinstance(given, str) else prog,
                help=description.strip().splitlines()[0]
                if isinstance(description, str) and description.strip()
                else "",
            )
            roots.append(made)
        elif isinstance(func, ast.Attribute) and name == "add_subparsers":
            parent = receiver(call)
            made = ("sub", parent if isinstance(parent, Command) else root())
        elif isinstance(func, ast.Attribute) and name == "add_parser":
            sub = receiver(call)
            parent = sub[1] if isinstance(sub, tuple) else root()
            names = _strings(call)
            kw = _kwargs(call)
            helptext = _literal(kw.get("help")) or _literal(kw.get("description"))
            made = Command(
                names[0] if names else "COMMAND",
                help=helptext if isinstance(helptext, str) else "",
                parent=parent,
            )
            parent.children.append(made)
            found = True
        elif isinstance(func, ast.Attribute) and name in {
            "add_argument_group",
            "add_mutually_exclusive_group",
        }:
            made = receiver(call)
        elif isinstance(func, ast.Attribute) and name == "add_argument":
            target = receiver(call)
            parser = target if isinstance(target, Command) else root()
            shown, positional = _argparse_argument(call)
            (parser.positionals if positional else parser.options).append(shown)
            found = True
        if made is not None:
            by_call[id(call)] = made
            for key in assigned.get(id(call), []):
                by_name[key] = made
    return roots if found else []


# --- click ----------------------------------------------------------------------------


def _click_aliases(nodes: list[ast.AST]) -> tuple[set[str], dict[str, str]]:
    """Names `click` is bound to, and names imported from it (local -> original)."""
    modules: set[str] = set()
    names: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            modules.update(a.asname or a.name for a in node.names if a.name == "click")
        elif isinstance(node, ast.ImportFrom) and node.module == "click":
            names.update({a.asname or a.name: a.name for a in node.names})
    return modules, names


def _click_name(function: str) -> str:
    name = function.lower().replace("_", "-")
    for suffix in ("-command", "-cmd", "-group", "-grp"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _click_param(kind: str, call: ast.Call | None) -> tuple[str, bool] | None:
    if kind == "version_option":
        return "[--version]", False
    if kind == "help_option":
        return None
    if call is None:
        return None
    names = _strings(call)
    kw = _kwargs(call)
    metavar = _literal(kw.get("metavar"))
    required = _literal(kw.get("required"))
    if kind == "argument":
        shown = metavar if isinstance(metavar, str) else (names[0] if names else "ARG").upper()
        if _literal(kw.get("nargs")) == -1:
            return f"[{shown}]...", True
        return (f"[{shown}]" if required is False else shown), True
    if kind == "password_option":
        names = names or ["--password"]
    flags = [n for n in names if n.startswith("-")] or ["--" + (names[0] if names else "opt")]
    is_flag = (
        _literal(kw.get("is_flag")) is True or "/" in flags[0] or _literal(kw.get("count")) is True
    )
    flag = flags[0].split("/")[0]
    if is_flag:
        text = flag
    else:
        dest = next((n for n in names if not n.startswith("-")), None)
        long = next((f for f in flags if f.startswith("--")), flag)
        default = (dest or long.lstrip("-")).replace("-", "_").upper()
        text = f"{flag} {metavar if isinstance(metavar, str) else default}"
    return (text if required is True else f"[{text}]"), False


def _click_decorator(
    decorator: ast.expr, modules: set[str], imported: dict[str, str]
) -> tuple[str, str, ast.Call | None]:
    """(kind, owner, call) of a decorator: `@click.option(...)` -> ("option", "click", call);
    `@cli.command()` -> ("command", "cli", call)."""
    call = decorator if isinstance(decorator, ast.Call) else None
    target = call.func if call else decorator
    kind, owner = "", ""
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
        kind, owner = target.attr, target.value.id
    elif isinstance(target, ast.Name) and target.id in imported:
        kind, owner = imported[target.id], "click"
    return kind, "click" if owner in modules else owner, call


def _click_command(fn: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call | None) -> Command:
    names = _strings(call) if call else []
    kw = _kwargs(call) if call else {}
    given = _literal(kw.get("name"))
    helptext = _literal(kw.get("help"))
    doc = (ast.get_docstring(fn) or "").strip()
    if names:
        name = names[0]
    elif isinstance(given, str):
        name = given
    else:
        name = _click_name(fn.name)
    if not isinstance(helptext, str):
        helptext = doc.splitlines()[0] if doc else ""
    return Command(name, help=helptext)


def _click_add_commands(
    nodes: list[ast.AST], by_function: dict[str, Command], parents: dict[int, str]
) -> None:
    """`cli.add_command(f)` / `cli.add_command(f, name="x")` attach f to cli."""
    for node in nodes:
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add_command"
            and isinstance(node.func.value, ast.Name)
            and node.args
            and isinstance(node.args[0], ast.Name)
        ):
            child = by_function.get(node.args[0].id)
            if child is not None:
                parents[id(child)] = node.func.value.id
                given = _literal(_kwargs(node).get("name"))
                if isinstance(given, str):
                    child.name = given


def _click_function(
    fn: ast.FunctionDef | ast.AsyncFunctionDef,
    modules: set[str],
    imported: dict[str, str],
    groups: dict[str, Command],
    parents: dict[int, str],
) -> Command | None:
    """The command a decorated function defines, with its options and arguments."""
    command: Command | None = None
    params: list[tuple[str, bool]] = []
    for decorator in fn.decorator_list:
        kind, owner, call = _click_decorator(decorator, modules, imported)
        if kind in _CLICK_COMMANDS and (owner == "click" or owner in groups):
            command = _click_command(fn, call)
            if owner != "click":
                parents[id(command)] = owner
            if kind == "group":
                groups[fn.name] = command
        elif kind in _CLICK_PARAMS and owner == "click":
            param = _click_param(kind, call)
            if param:
                params.append(param)
    if command is not None:
        for shown, positional in params:
            (command.positionals if positional else command.options).append(shown)
    return command


def click_commands(nodes: list[ast.AST], prog: str) -> list[Command]:
    modules, imported = _click_aliases(nodes)
    if not modules and not imported:
        return []
    groups: dict[str, Command] = {}  # function name -> group command
    by_function: dict[str, Command] = {}
    parents: dict[int, str] = {}  # id(command) -> its group's function name
    functions = sorted(
        (n for n in nodes if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)),
        key=lambda n: (n.lineno, n.col_offset),
    )
    for fn in functions:
        command = _click_function(fn, modules, imported, groups, parents)
        if command is not None:
            by_function[fn.name] = command
    _click_add_commands(nodes, by_function, parents)
    commands = list(by_function.values())
    for command in commands:
        group = parents.get(id(command))
        parent = groups.get(group) if group else None
        if parent is not None and parent is not command:
            command.parent = parent
            parent.children.append(command)
    roots = [c for c in commands if c.parent is None]
    if len(roots) == 1:
        roots[0].name = prog  # the script runs its one root command as the program
    return roots


# --- the check ------------------------------------------------------------------------


def prog_name(path: str) -> str:
    stem = posixpath.splitext(posixpath.basename(path))[0]
    if stem in {"__main__", "main", "cli", "__init__"}:
        parent = posixpath.basename(posixpath.dirname(path))
        return parent or stem
    return stem


def usage(path: str, nodes: list[ast.AST]) -> list[str]:
    """Usage lines of every argparse parser and click command in one module."""
    prog = prog_name(path)
    return _usage(argparse_commands(nodes, prog)) + _usage(click_commands(nodes, prog))
