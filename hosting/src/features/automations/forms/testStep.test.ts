import { describe, expect, it } from "vitest";
import { definitionForTest, liveLabel, parseSamples, upstreamTemplate } from "./testStep";

describe("parseSamples", () => {
  it("reads the sample input and upstream outputs, empty meaning none", () => {
    expect(parseSamples({ input: '{"name": "Ada"}', nodes: "" })).toEqual({
      ok: true,
      input: { name: "Ada" },
      nodes: {},
    });
    expect(parseSamples({ input: " ", nodes: '{"fetch": {"status": 200}}' })).toEqual({
      ok: true,
      input: {},
      nodes: { fetch: { status: 200 } },
    });
  });

  it("says which sample is not a JSON object, and where", () => {
    const broken = parseSamples({ input: '{"a": }', nodes: "" });
    expect(broken).toMatchObject({ ok: false, field: "input" });
    expect(!broken.ok && broken.message).toMatch(/^Not valid JSON: line 1, column \d+/);
    expect(parseSamples({ input: "", nodes: "[1]" })).toEqual({
      ok: false,
      field: "nodes",
      message: "Must be a JSON object: { … }",
    });
  });
});

describe("definitionForTest", () => {
  it("gives the definition a name when the editor keeps it elsewhere", () => {
    expect(definitionForTest({ nodes: [] })).toEqual({ nodes: [], name: "Test" });
    expect(definitionForTest({ name: "Digest", nodes: [] }).name).toBe("Digest");
    expect(definitionForTest({ name: "  ", nodes: [] }).name).toBe("Test");
  });
});

describe("upstreamTemplate", () => {
  it("starts the outputs of earlier steps with their ids", () => {
    expect(upstreamTemplate([])).toBe("");
    expect(JSON.parse(upstreamTemplate(["fetch", "send-mail"]))).toEqual({ fetch: null, "send-mail": null });
  });
});

describe("liveLabel", () => {
  it("offers a live run for http and ai steps only", () => {
    expect(liveLabel("http")).toMatch(/request/);
    expect(liveLabel("ai")).toMatch(/quota/);
    for (const type of ["transform", "condition", "delay", "task", "notify", "event", "decision", undefined]) {
      expect(liveLabel(type)).toBeNull();
    }
  });
});
