import { describe, expect, it } from "vitest";
import { formatJson, lineAndColumn, parseJson } from "./json";

describe("parseJson", () => {
  it("gives JSON.parse's value and where each value sits", () => {
    const text = '{"nodes": [{"id": "a"}, 2], "x": null}';
    const parsed = parseJson(text);
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(parsed.value).toEqual(JSON.parse(text));
    const span = (path: string) => {
      const found = parsed.spans.get(path);
      return found && text.slice(found.start, found.end);
    };
    expect(span("")).toBe(text);
    expect(span("nodes")).toBe('[{"id": "a"}, 2]');
    expect(span("nodes[0]")).toBe('{"id": "a"}');
    expect(span("nodes[0].id")).toBe('"a"');
    expect(span("nodes[1]")).toBe("2");
    expect(span("x")).toBe("null");
  });

  it.each([
    ['{"a": 1,}', "Remove the comma before '}' (JSON allows no trailing comma)", 1, 9],
    ["[1, 2,]", "Remove the comma before ']' (JSON allows no trailing comma)", 1, 7],
    [
      "{'a': 1}",
      "Expected a property name in double quotes, found a single quote (JSON strings use " +
        "double quotes)",
      1,
      2,
    ],
    ['{"a" 1}', "Expected ':' after the property name, found '1'", 1, 6],
    [
      '{\n  "a": yes\n}',
      "Unexpected word 'yes' (text needs double quotes; the literals are true, false and null)",
      2,
      8,
    ],
    ['"open', "This string is never closed (a '\"' is missing)", 1, 1],
    ['"a\nb"', "A string cannot span lines (write \\n for a line break, or close the '\"')", 1, 3],
    ['"\\x"', "'\\x' is not a JSON escape (use \\n, \\t, \\\", \\\\ or \\uXXXX)", 1, 2],
    ["01", "This is not a valid JSON number (such as 3, -0.5 or 1e6; no leading zeros)", 1, 1],
    ["[1] 2", "Unexpected '2' after the end of the JSON value", 1, 5],
    ["", "Expected a value, found the end of the text", 1, 1],
  ])("explains %j", (text, message, line, column) => {
    const parsed = parseJson(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toMatchObject({ message, line, column });
  });

  it("refuses nesting deeper than 256 levels, without overflowing the stack", () => {
    const parsed = parseJson(`${"[".repeat(300)}${"]".repeat(300)}`);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.message).toBe("Nested more than 256 levels deep");
  });
});

describe("lineAndColumn", () => {
  it("counts lines and columns from 1", () => {
    expect(lineAndColumn("ab\ncd", 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn("ab\ncd", 4)).toEqual({ line: 2, column: 2 });
  });
});

describe("formatJson", () => {
  it("keeps small flat containers on one line and indents the rest by two", () => {
    const value = { edges: [{ from: "a", to: "b" }], empty: {}, list: [] };
    expect(formatJson(value)).toBe(
      [
        "{",
        '  "edges": [',
        '    { "from": "a", "to": "b" }',
        "  ],",
        '  "empty": {},',
        '  "list": []',
        "}",
      ].join("\n"),
    );
  });

  it("breaks a flat container too wide for one line", () => {
    const long = "x".repeat(40);
    expect(formatJson([long, long])).toBe(`[\n  "${long}",\n  "${long}"\n]`);
  });

  it("round-trips through JSON.parse", () => {
    const value = { a: [1, { b: [true, null, "c"] }], d: -0.5 };
    expect(JSON.parse(formatJson(value))).toEqual(value);
  });
});
