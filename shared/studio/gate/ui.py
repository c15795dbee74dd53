"""UI checks: every import of a generated React component resolves.

A relative import (`./x`, `../x`) must name a generated file, tried as written and with
the extensions and index files a bundler would try. `@/x` and `~/x` (the path alias
v0-style projects use) resolve from the project root or `src/`. A package import must
be in ALLOWED_UI_PACKAGES or in the generation's declared `dependencies`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence

from shared.studio.gate import treesitter
from shared.studio.models import File, GateError

# What a generated component may import without declaring it: React itself, and a few
# small, well-kept libraries a component commonly needs (class names, icons).
ALLOWED_UI_PACKAGES: frozenset[str] = frozenset({"react", "react-dom", "clsx", "lucide-react"})

RESOLVE_SUFFIXES = (
    "",
    ".tsx",
    ".ts",
    ".jsx",
    ".js",
    "/index.tsx",
    "/index.ts",
    "/index.jsx",
    "/index.js",
)


def package_name(specifier: str) -> str:
    """`@scope/pkg/sub` -> `@scope/pkg`; `pkg/sub` -> `pkg`; `node:fs` -> `node:fs`."""
    parts = specifier.split("/")
    if specifier.startswith("@") and len(parts) > 1:
        return "/".join(parts[:2])
    return parts[0]


def _candidates(importer: str, specifier: str) -> list[str] | None:
    """Paths the import may mean, or None when it escapes the project."""
    if specifier.startswith(("./", "../")) or specifier in {".", ".."}:
        bases = [posixpath.normpath(posixpath.join(posixpath.dirname(importer), specifier))]
    elif specifier.startswith("/"):
        bases = [posixpath.normpath(specifier.lstrip("/") or ".")]
    else:  # "@/x" or "~/x"
        rest = specifier[2:]
        bases = [posixpath.normpath(rest), posixpath.normpath(posixpath.join("src", rest))]
    if any(b in {".", ".."} or b.startswith("../") for b in bases):
        return None
    return [b + suffix for b in bases for suffix in RESOLVE_SUFFIXES]


def is_local(specifier: str) -> bool:
    return specifier.startswith(("./", "../", "@/", "~/", "/")) or specifier in {".", ".."}


def check_imports(
    f: File,
    paths: frozenset[str],
    *,
    packages: Iterable[str] | None,
) -> list[GateError]:
    """Relative imports must resolve to a generated file; with `packages` given, package
    imports must be among them (the `code` kind checks only relative imports)."""
    allowed = frozenset(packages) if packages is not None else None
    source = f.content.encode("utf-8")
    errors: list[GateError] = []
    for ref in treesitter.js_imports(f.language, source):
        spec = ref.specifier
        if is_local(spec):
            candidates = _candidates(f.path, spec)
            if candidates is None or not any(c in paths for c in candidates):
                errors.append(
                    GateError(
                        f.path,
                        ref.line,
                        ref.column,
                        "unresolved-import",
                        f"import {spec!r} does not resolve to a generated file",
                    )
                )
        elif allowed is not None and package_name(spec) not in allowed:
            errors.append(
                GateError(
                    f.path,
                    ref.line,
                    ref.column,
                    "disallowed-import",
                    f"package {package_name(spec)!r} is not allowed; allowed: "
                    f"{', '.join(sorted(allowed))} (or declare it as a dependency)",
                )
            )
    return errors


def allowed_packages(dependencies: Sequence[str]) -> frozenset[str]:
    """The allow-list plus declared dependencies (`name@version` -> `name`)."""
    declared = {
        d.rsplit("@", 1)[0] if d.rfind("@") > 0 else d for d in (d.strip() for d in dependencies)
    }
    return ALLOWED_UI_PACKAGES | {d for d in declared if d}
