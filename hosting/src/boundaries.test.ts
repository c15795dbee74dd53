/**
 * The rule that keeps the app navigable as pages multiply (bulletproof-react): a feature
 * never imports another feature, and shared code (`src/components`, `hooks`, `lib`,
 * `types`, `wire`) imports neither a feature nor the app. Read from the source's import
 * statements with Node's fs, so no linter is needed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = dirname(fileURLToPath(import.meta.url));
const FEATURES = join(SRC, "features");
const SHARED = ["components", "hooks", "lib", "types", "wire"].map((name) => join(SRC, name));

// `import … from "x"`, `import "x"`, `export … from "x"` (each starting a line, so prose
// in comments does not count), and `import("x")` anywhere.
const STATIC = /^\s*(?:import|export)\s+(?:[^'"`;]*?\sfrom\s*)?["']([^"']+)["']/gm;
const DYNAMIC = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** The modules `source` imports, as written. */
function importSpecifiers(source: string): string[] {
  return [...source.matchAll(STATIC), ...source.matchAll(DYNAMIC)].flatMap((match) =>
    match[1] === undefined ? [] : [match[1]],
  );
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Where an import of `specifier` from `file` lands; undefined for a package. */
function target(file: string, specifier: string): string | undefined {
  if (specifier.startsWith(".")) return resolve(dirname(file), specifier);
  if (specifier.startsWith("@/")) return join(SRC, specifier.slice(2));
  return undefined;
}

/** The feature a path is in (`features/<name>/…`), if any. */
function featureOf(path: string): string | undefined {
  const inside = relative(FEATURES, path);
  if (inside.startsWith("..") || inside === "") return undefined;
  return inside.split(sep)[0];
}

function isInside(path: string, dir: string): boolean {
  const inside = relative(dir, path);
  return inside === "" || !(inside.startsWith("..") || inside.startsWith(sep));
}

/** `file: specifier` for each import of `files` that `forbidden` refuses. */
function violations(files: string[], forbidden: (file: string, to: string) => boolean): string[] {
  return files.flatMap((file) =>
    importSpecifiers(readFileSync(file, "utf8")).flatMap((specifier) => {
      const to = target(file, specifier);
      return to !== undefined && forbidden(file, to)
        ? [`${relative(SRC, file)}: ${specifier}`]
        : [];
    }),
  );
}

describe("importSpecifiers", () => {
  it("finds every kind of import, and none in comments", () => {
    const source = [
      'import { a,\n  b } from "./one";',
      'import type { C } from "../two";',
      'import "./three.css";',
      'export { d } from "./four";',
      'export * from "./five";',
      'const Page = lazy(() => import("./six"));',
      '// import nothing from "./seven"',
      ' * export the things from "./eight"',
      'const text = "x"; export const nine = 9;',
    ].join("\n");
    expect(importSpecifiers(source)).toEqual([
      "./one",
      "../two",
      "./three.css",
      "./four",
      "./five",
      "./six",
    ]);
  });
});

describe("boundaries", () => {
  const features = readdirSync(FEATURES, { withFileTypes: true }).filter((entry) =>
    entry.isDirectory(),
  );

  it("sees the features and what imports them", () => {
    expect(features.map((entry) => entry.name)).toEqual(
      expect.arrayContaining(["auth", "automations", "chat", "profile"]),
    );
    // The router imports pages from features: the scan must see that.
    const router = join(SRC, "app", "router.tsx");
    expect(violations([router], (_, to) => featureOf(to) === "chat")).not.toEqual([]);
  });

  it("no feature imports another", () => {
    const files = sourceFiles(FEATURES);
    expect(
      violations(files, (file, to) => {
        const other = featureOf(to);
        return other !== undefined && other !== featureOf(file);
      }),
    ).toEqual([]);
  });

  it("shared code imports no feature, nor the app", () => {
    const files = SHARED.flatMap(sourceFiles);
    expect(
      violations(files, (_, to) => isInside(to, FEATURES) || isInside(to, join(SRC, "app"))),
    ).toEqual([]);
  });
});
