import { describe, expect, it } from "vitest";
import {
  ajvPath,
  diagnosticRange,
  errorTarget,
  errorTree,
  errorsByItem,
  errorsUnder,
  firstLine,
  joinPath,
  messageWithoutPath,
  normalizeErrors,
  pathParts,
} from "./paths";

const DEFINITION = { nodes: [{ id: "greet" }, { id: "check" }, { id: "call" }] };

describe("paths", () => {
  it("splits and joins the server's paths", () => {
    expect(pathParts("config.cases[0].when")).toEqual(["config", "cases", 0, "when"]);
    expect(joinPath(["cases", 0, "when"])).toBe("cases[0].when");
    expect(joinPath([])).toBe("");
  });

  it("names the node, trigger or other part a save error is about", () => {
    expect(errorTarget("nodes[2].config.url", DEFINITION)).toEqual({
      kind: "node",
      index: 2,
      nodeId: "call",
      path: "config.url",
    });
    expect(errorTarget("nodes[1]", DEFINITION)).toEqual({ kind: "node", index: 1, nodeId: "check", path: "" });
    expect(errorTarget("nodes[9].id", DEFINITION)).toMatchObject({ nodeId: null, index: 9 });
    expect(errorTarget("triggers[0].cron", DEFINITION)).toEqual({ kind: "trigger", index: 0, path: "cron" });
    expect(errorTarget("edges[3].to", DEFINITION)).toEqual({ kind: "definition", path: "edges[3].to" });
  });

  it("groups a save error by node id, without the path in its message", () => {
    const message = "nodes[2].config.url: invalid template: unexpected end of template (line 1)";
    expect(messageWithoutPath("nodes[2].config.url", message)).toBe(
      "invalid template: unexpected end of template (line 1)",
    );
    expect(errorsByItem("nodes[2].config.url", message, DEFINITION)).toEqual({
      key: "call",
      errors: { "config.url": ["invalid template: unexpected end of template (line 1)"] },
    });
    expect(errorsByItem("triggers[1].cron", "bad cron", DEFINITION)?.key).toBe("trigger:1");
    expect(errorsByItem("edges[0]", "x", DEFINITION)).toBeNull();
  });

  it("reads ajv's instance paths, a missing property at its own field", () => {
    expect(ajvPath("/cases/0/when")).toBe("cases[0].when");
    expect(ajvPath("", { missingProperty: "url" })).toBe("url");
    expect(ajvPath("/cases/1", { missingProperty: "branch" })).toBe("cases[1].branch");
    expect(ajvPath("/headers/a~1b")).toBe("headers.a/b");
    expect(ajvPath("")).toBe("");
  });

  it("builds rjsf's error tree, under a prefix", () => {
    const errors = { "config.cases[0].when": ["bad"], "config.url": ["x", "y"], name: ["long"] };
    expect(errorTree(errors, "config")).toEqual({
      cases: { "0": { when: { __errors: ["bad"] } } },
      url: { __errors: ["x", "y"] },
    });
    expect(errorTree({ "": ["whole"] })).toEqual({ __errors: ["whole"] });
    expect(errorsUnder(errors, "config")).toEqual({ "cases[0].when": ["bad"], url: ["x", "y"] });
    expect(errorsUnder({ config: ["c"] }, "config")).toEqual({ "": ["c"] });
  });

  it("normalizes the inspector's errors prop from a map or path-prefixed messages", () => {
    expect(normalizeErrors({ "config.url": "bad", name: ["a", "a", "b"] })).toEqual({
      "config.url": ["bad"],
      name: ["a", "b"],
    });
    expect(
      normalizeErrors([
        "config.cases[0].when: invalid condition: 1:3: Syntax error",
        "nodes[2].config.url: invalid template (line 1)",
        "something about the node",
      ]),
    ).toEqual({
      "config.cases[0].when": ["invalid condition: 1:3: Syntax error"],
      "config.url": ["invalid template (line 1)"],
      "": ["something about the node"],
    });
    expect(normalizeErrors(undefined)).toEqual({});
  });
});

describe("diagnosticRange", () => {
  // Messages as shared.workflows.expressions.check_condition / templates.check_template write them.
  it("points at a condition's line and column (CEL's, 1-based)", () => {
    const source = "input.amount > ";
    const message =
      "invalid condition: 1:16: Syntax error: mismatched input '<EOF>' expecting {'['}\n| input.amount > \n| ...............^";
    expect(diagnosticRange(message, source)).toEqual({ from: 15, to: 15 });
    expect(diagnosticRange("invalid condition: 1:5: Syntax error: token recognition error at: '& '", "a &&& b")).toEqual({
      from: 4,
      to: 5,
    });
    expect(diagnosticRange("invalid condition: 2:4: Syntax error: missing ')'", 'input.x == "a" ||\n (b')).toEqual({
      from: 21, // the end: CEL points past "(b"
      to: 21,
    });
  });

  it("marks a template's whole line", () => {
    const source = "x\n{{ a.b | }}\ny";
    expect(diagnosticRange("invalid template: expected token 'name' (line 2)", source)).toEqual({ from: 2, to: 13 });
    expect(diagnosticRange("not allowed in a template: range() would hold 1 items (line 1)", "abc")).toEqual({
      from: 0,
      to: 3,
    });
  });

  it("is null without a position, and clamps past the end", () => {
    expect(diagnosticRange("is required", "abc")).toBeNull();
    expect(diagnosticRange("invalid condition: 9:9: x", "ab")).toEqual({ from: 2, to: 2 });
    expect(firstLine("a\nb")).toBe("a");
  });
});
