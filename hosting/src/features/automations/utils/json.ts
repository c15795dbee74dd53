/**
 * Strict JSON (RFC 8259) with positions: where the first syntax error is (line and
 * column, for a person), and where each value sits in the text (so a server error about
 * `nodes[1].config.url` can select that value in the editor).
 *
 * The value itself always comes from the browser's JSON.parse, so it is exactly what
 * JSON.parse gives; the scanner here only finds positions and explains errors.
 */
import type { JsonValue } from "../../../types/json";

/** Where a value sits in the text: [start, end) in UTF-16 code units. */
export interface JsonSpan {
  start: number;
  end: number;
}

export interface JsonSyntaxError {
  message: string;
  /** Offset of the problem in the text. */
  offset: number;
  /** 1-based, for people. */
  line: number;
  column: number;
}

export type JsonParse =
  | {
      ok: true;
      value: JsonValue;
      /** Path ("", "nodes", "nodes[1]", "nodes[1].config.url") -> where its value is. */
      spans: ReadonlyMap<string, JsonSpan>;
    }
  | { ok: false; error: JsonSyntaxError };

// Deeper than any definition needs; keeps the recursive scanner far from the stack limit.
const MAX_DEPTH = 256;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

class SyntaxProblem extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** 1-based line and column of `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf("\n"); index !== -1 && index < offset; ) {
    line += 1;
    lineStart = index + 1;
    index = text.indexOf("\n", lineStart);
  }
  return { line, column: offset - lineStart + 1 };
}

function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

function describe(char: string | undefined): string {
  if (char === undefined) return "the end of the text";
  if (char === "\n") return "a line break";
  if (char === "'") return "a single quote (JSON strings use double quotes)";
  return `'${char}'`;
}

function scan(text: string, spans: Map<string, JsonSpan>): void {
  let pos = 0;

  const skipWhitespace = () => {
    WHITESPACE.lastIndex = pos;
    WHITESPACE.exec(text);
    pos = WHITESPACE.lastIndex;
  };

  function fail(message: string, at = pos): never {
    throw new SyntaxProblem(message, at);
  }

  const string = (): void => {
    const start = pos;
    pos += 1; // the opening quote
    for (;;) {
      const char = text[pos];
      if (char === undefined) fail("This string is never closed (a '\"' is missing)", start);
      if (char === '"') {
        pos += 1;
        return;
      }
      if (char === "\\") {
        const escape = text[pos + 1];
        if (escape === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) {
            fail("A \\u escape needs four hex digits");
          }
          pos += 6;
        } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) {
          pos += 2;
        } else {
          fail(`'\\${escape ?? ""}' is not a JSON escape (use \\n, \\t, \\", \\\\ or \\uXXXX)`);
        }
      } else if (char < " ") {
        fail(
          char === "\n"
            ? "A string cannot span lines (write \\n for a line break, or close the '\"')"
            : "A string cannot contain a control character (escape it)",
        );
      } else {
        pos += 1;
      }
    }
  };

  const value = (path: string, depth: number): void => {
    skipWhitespace();
    const start = pos;
    const char = text[pos];
    if (depth > MAX_DEPTH) fail(`Nested more than ${MAX_DEPTH} levels deep`);
    if (char === "{") {
      pos += 1;
      skipWhitespace();
      if (text[pos] === "}") {
        pos += 1;
      } else {
        for (;;) {
          skipWhitespace();
          if (text[pos] === "}") {
            fail("Remove the comma before '}' (JSON allows no trailing comma)");
          }
          if (text[pos] !== '"') {
            fail(`Expected a property name in double quotes, found ${describe(text[pos])}`);
          }
          const keyStart = pos;
          string();
          const key = JSON.parse(text.slice(keyStart, pos)) as string;
          skipWhitespace();
          if (text[pos] !== ":") {
            fail(`Expected ':' after the property name, found ${describe(text[pos])}`);
          }
          pos += 1;
          value(childPath(path, key), depth + 1);
          skipWhitespace();
          if (text[pos] === ",") {
            pos += 1;
            continue;
          }
          if (text[pos] === "}") {
            pos += 1;
            break;
          }
          fail(`Expected ',' or '}' after a property, found ${describe(text[pos])}`);
        }
      }
    } else if (char === "[") {
      pos += 1;
      skipWhitespace();
      if (text[pos] === "]") {
        pos += 1;
      } else {
        for (let index = 0; ; index += 1) {
          skipWhitespace();
          if (text[pos] === "]") {
            fail("Remove the comma before ']' (JSON allows no trailing comma)");
          }
          value(childPath(path, index), depth + 1);
          skipWhitespace();
          if (text[pos] === ",") {
            pos += 1;
            continue;
          }
          if (text[pos] === "]") {
            pos += 1;
            break;
          }
          fail(`Expected ',' or ']' after a list item, found ${describe(text[pos])}`);
        }
      }
    } else if (char === '"') {
      string();
    } else if (char === "-" || (char !== undefined && char >= "0" && char <= "9")) {
      NUMBER.lastIndex = pos;
      if (!NUMBER.exec(text) || /[\d.eE+-]/.test(text[NUMBER.lastIndex] ?? "")) {
        fail("This is not a valid JSON number (such as 3, -0.5 or 1e6; no leading zeros)");
      }
      pos = NUMBER.lastIndex;
    } else {
      const word = ["true", "false", "null"].find((literal) => text.startsWith(literal, pos));
      if (word === undefined) {
        const found = /^[A-Za-z_]\w*/.exec(text.slice(pos, pos + 40))?.[0];
        fail(
          found
            ? `Unexpected word '${found}' (text needs double quotes; the literals are true, ` +
                "false and null)"
            : `Expected a value, found ${describe(char)}`,
        );
      }
      pos += word.length;
    }
    spans.set(path, { start, end: pos });
  };

  value("", 0);
  skipWhitespace();
  if (pos < text.length) {
    fail(`Unexpected ${describe(text[pos])} after the end of the JSON value`);
  }
}

/** Parse `text` as JSON, with positions; never throws. */
export function parseJson(text: string): JsonParse {
  const spans = new Map<string, JsonSpan>();
  try {
    scan(text, spans);
  } catch (error) {
    if (!(error instanceof SyntaxProblem)) throw error;
    const { message, offset } = error;
    return { ok: false, error: { message, offset, ...lineAndColumn(text, offset) } };
  }
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue, spans };
  } catch (error) {
    // The scanner and the browser disagree (should not happen): trust the browser.
    const message = error instanceof Error ? error.message : "Invalid JSON";
    return { ok: false, error: { message, offset: 0, line: 1, column: 1 } };
  }
}

// Containers of plain values this short go on one line.
const INLINE_WIDTH = 72;

/**
 * JSON indented by two spaces, like JSON.stringify(value, null, 2), except that a
 * small object or list of plain values stays on one line: `{ "from": "a", "to": "b" }`.
 */
export function formatJson(value: JsonValue, indent = ""): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const isList = Array.isArray(value);
  // As JSON.stringify: an undefined member is left out (an undefined list item is null),
  // should a value typed as JSON still hold one.
  const entries: [string | null, JsonValue][] = isList
    ? value.map((item) => [null, item ?? null])
    : Object.entries(value).filter(([, item]) => item !== undefined);
  if (entries.length === 0) return isList ? "[]" : "{}";
  const inner = `${indent}  `;
  const parts = entries.map(
    ([key, item]) => `${key === null ? "" : `${JSON.stringify(key)}: `}${formatJson(item, inner)}`,
  );
  const plain = entries.every(
    ([, item]) =>
      item === null || typeof item !== "object" || Object.keys(item).length === 0,
  );
  const inline = isList ? `[${parts.join(", ")}]` : `{ ${parts.join(", ")} }`;
  if (plain && indent.length + inline.length <= INLINE_WIDTH) return inline;
  const [open, close] = isList ? ["[", "]"] : ["{", "}"];
  return `${open}\n${parts.map((part) => inner + part).join(",\n")}\n${indent}${close}`;
}
