/**
 * Pure helpers of the studio page: progress and repair wording, the gate's errors grouped
 * by file, the zip's entries, and highlighted code split into lines. No DOM, no SDK.
 */
import {
  CLI_FRAMEWORKS,
  CODE_LANGUAGES,
  FIXED_TARGET,
  KINDS,
  type GateError,
  type GeneratedFile,
  type GenerationKind,
  type GenerationStatus,
  type Repair,
  type Validation,
} from "../models";

const STAGE_LABELS: Record<GenerationStatus, string> = {
  queued: "Queued",
  planning: "Planning",
  generating: "Generating",
  checking: "Checking",
  repairing: "Repairing",
  done: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
};

export function stageLabel(stage: GenerationStatus): string {
  return STAGE_LABELS[stage];
}

/** "Generating… 40%" while at work; "Done", "Failed", "Cancelled" once finished. */
export function progressLabel(stage: GenerationStatus, percent: number): string {
  const clamped = Math.min(Math.max(Math.round(Number.isFinite(percent) ? percent : 0), 0), 100);
  if (stage === "done" || stage === "failed" || stage === "cancelled") return STAGE_LABELS[stage];
  return `${STAGE_LABELS[stage]}… ${clamped}%`;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * What the repair round did: "1 repair fixed 2 problems", or "1 repair tried: 1 problem
 * remained"; null when no repair ran.
 */
export function repairNote(repair: Repair | null, validation: Validation | null): string | null {
  if (!repair || repair.attempts <= 0) return null;
  const attempts = plural(repair.attempts, "repair");
  if (repair.fixed || validation?.ok) {
    return `${attempts} fixed ${plural(repair.errorsBefore, "problem")}`;
  }
  const remaining = validation ? validation.errors.length : repair.errorsBefore;
  return `${attempts} tried: ${plural(remaining, "problem")} remained`;
}

/** "src/app.py:3:5", "src/app.py:3", "src/app.py", or "" for an error of no file. */
export function errorLocation(error: GateError): string {
  if (!error.file) return "";
  if (error.line === null) return error.file;
  return error.column === null
    ? `${error.file}:${error.line}`
    : `${error.file}:${error.line}:${error.column}`;
}

export interface ErrorGroup {
  /** null: errors about the whole artefact (no file). */
  file: string | null;
  errors: GateError[];
}

/**
 * The gate's errors grouped by file: general ones first, then each file in the order the
 * files are shown (`paths`), then files not among them; within a file by line, column.
 */
export function groupErrors(errors: readonly GateError[], paths: readonly string[]): ErrorGroup[] {
  const groups = new Map<string | null, GateError[]>();
  for (const error of errors) {
    const list = groups.get(error.file) ?? [];
    list.push(error);
    groups.set(error.file, list);
  }
  const rank = (file: string | null) => {
    if (file === null) return -1;
    const index = paths.indexOf(file);
    return index === -1 ? paths.length : index;
  };
  const position = (value: number | null) => value ?? 0;
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || (a ?? "").localeCompare(b ?? ""))
    .map(([file, list]) => ({
      file,
      errors: [...list].sort(
        (x, y) =>
          position(x.line) - position(y.line) || position(x.column) - position(y.column),
      ),
    }));
}

/** The files in the order the server gave them (`order`, then path). */
export function sortFiles(files: readonly GeneratedFile[]): GeneratedFile[] {
  return [...files].sort((a, b) => a.order - b.order || a.path.localeCompare(b.path));
}

/** The last segment of a path: what a downloaded file is called. */
export function fileName(path: string): string {
  const parts = path.split("/").filter((part) => part !== "" && part !== "." && part !== "..");
  return parts.at(-1) ?? "file.txt";
}

/** A folder name from the prompt: "aura-" and its first words, lower-case, dashed. */
export function archiveName(prompt: string, id: string): string {
  const words = prompt
    .toLowerCase()
    .replace(/\[\[[^\]]*\]\]/g, " ")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .split("-")
    .filter(Boolean)
    .slice(0, 5)
    .join("-");
  return `aura-${words || id.slice(0, 8).toLowerCase() || "generation"}`;
}

/** A relative path kept inside the archive: no leading `/`, no `.` or `..` segments. */
export function safeEntryPath(path: string): string {
  return path
    .replace(/\\/g, "/")
    .split("/")
    .filter((part) => part !== "" && part !== "." && part !== "..")
    .join("/");
}

/**
 * The zip's entries: each file under `root/`, as UTF-8 bytes; a path that cleans to
 * nothing, or one already taken, gets a numbered name so no file is lost.
 */
export function zipEntries(
  files: readonly Pick<GeneratedFile, "path" | "content">[],
  root: string,
): Record<string, Uint8Array> {
  const encoder = new TextEncoder();
  const entries: Record<string, Uint8Array> = {};
  files.forEach((file, index) => {
    let path = safeEntryPath(file.path) || `file-${index + 1}.txt`;
    if (`${root}/${path}` in entries) {
      // "a/b.py" → "a/b-2.py"; a name with no extension (or a dotfile) gets "-2" at its end.
      const dot = path.lastIndexOf(".");
      const hasExt = dot > path.lastIndexOf("/") + 1;
      const stem = hasExt ? path.slice(0, dot) : path;
      const ext = hasExt ? path.slice(dot) : "";
      let n = 2;
      while (`${root}/${stem}-${n}${ext}` in entries) n += 1;
      path = `${stem}-${n}${ext}`;
    }
    entries[`${root}/${path}`] = encoder.encode(file.content);
  });
  return entries;
}

/** What a generation is written in, for lists: "Code · Python", "CLI tool · click". */
export function targetLabel(
  kind: GenerationKind,
  language: string | null,
  framework: string | null,
): string {
  const kindLabel = KINDS.find((item) => item.value === kind)?.label ?? kind;
  if (kind === "code") {
    const lang = CODE_LANGUAGES.find((item) => item.value === language)?.label ?? language;
    return lang ? `${kindLabel} · ${lang}` : kindLabel;
  }
  if (kind === "cli") {
    const fw = CLI_FRAMEWORKS.find((item) => item.value === framework)?.label ?? framework;
    return fw ? `${kindLabel} · ${fw}` : kindLabel;
  }
  return `${kindLabel} · ${FIXED_TARGET[kind].label}`;
}

/** The `language` and `framework` a `generate` request sends for a kind and the pickers. */
export function requestTarget(
  kind: GenerationKind,
  codeLanguage: string,
  cliFramework: string,
): { language: string; framework: string | null } {
  if (kind === "code") return { language: codeLanguage, framework: null };
  if (kind === "cli") return { language: "python", framework: cliFramework };
  return { language: FIXED_TARGET[kind].language, framework: FIXED_TARGET[kind].framework };
}

/**
 * The highlight.js grammar for a file's language (and path), by its module name in
 * `highlight.js/lib/languages`; null: shown as plain text.
 */
export function grammarFor(language: string, path = ""): Grammar | null {
  const lower = language.toLowerCase();
  const byLanguage: Record<string, Grammar> = {
    python: "python",
    typescript: "typescript",
    tsx: "typescript",
    javascript: "javascript",
    jsx: "javascript",
    go: "go",
    rust: "rust",
    java: "java",
    openapi: "yaml",
    yaml: "yaml",
    json: "json",
    markdown: "markdown",
    css: "css",
    html: "xml",
    toml: "ini",
    bash: "bash",
    shell: "bash",
  };
  const found = byLanguage[lower];
  if (found) return found;
  const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  const byExt: Record<string, Grammar> = {
    py: "python",
    ts: "typescript",
    tsx: "typescript",
    js: "javascript",
    jsx: "javascript",
    mjs: "javascript",
    go: "go",
    rs: "rust",
    java: "java",
    yaml: "yaml",
    yml: "yaml",
    json: "json",
    md: "markdown",
    css: "css",
    html: "xml",
    toml: "ini",
    sh: "bash",
  };
  return path.includes(".") ? (byExt[ext] ?? null) : null;
}

export type Grammar =
  | "python"
  | "typescript"
  | "javascript"
  | "go"
  | "rust"
  | "java"
  | "yaml"
  | "json"
  | "markdown"
  | "css"
  | "xml"
  | "ini"
  | "bash";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#x27;",
};

/** Text made safe to place in HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/**
 * highlight.js's HTML split into lines, each one well-formed on its own: a `<span>` open
 * at a line's end is closed there and opened again on the next line (comments and strings
 * spanning lines keep their colour). The HTML is highlight.js's own (text escaped, only
 * `<span class="…">` tags), so a tag is found by `<` and never split by a newline.
 */
export function splitHighlightedLines(html: string): string[] {
  const lines: string[] = [];
  const open: string[] = [];
  let current = "";
  const tag = /<\/?span[^>]*>|\n/g;
  let last = 0;
  for (const match of html.matchAll(tag)) {
    current += html.slice(last, match.index);
    last = match.index + match[0].length;
    if (match[0] === "\n") {
      lines.push(current + "</span>".repeat(open.length));
      current = open.join("");
    } else if (match[0].startsWith("</")) {
      open.pop();
      current += match[0];
    } else {
      open.push(match[0]);
      current += match[0];
    }
  }
  current += html.slice(last);
  lines.push(current + "</span>".repeat(open.length));
  return lines;
}

/** "12 B", "3.4 KB". */
export function sizeLabel(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  return `${(bytes / 1024).toFixed(1)} KB`;
}
