import { describe, expect, it } from "vitest";
import { applyCompletion, completeAt, insideTemplateCode, scopeFor, upstreamIds } from "./scope";

const DEFINITION = {
  nodes: [
    { id: "fetch", type: "http", config: { url: "https://x" } },
    {
      id: "summarise",
      type: "ai",
      name: "Summarise",
      config: { prompt: "p", output: "json", schema: { type: "object", properties: { title: {}, score: {} } } },
    },
    { id: "send-mail", type: "notify", config: { title: "t", body: "b" } },
    { id: "check", type: "condition", config: { cases: [{ branch: "big", when: "true" }] } },
    { id: "tell", type: "notify", config: { title: "t", body: "b" } },
    { id: "other", type: "transform", config: { template: "x" } },
  ],
  edges: [
    { from: "fetch", to: "summarise" },
    { from: "summarise", to: "send-mail" },
    { from: "send-mail", to: "check" },
    { from: "check", to: "tell", branch: "big" },
  ],
  variables: { apiBase: "https://api", limit: 3 },
  triggers: [{ type: "manual" }, { type: "schedule", cron: "0 9 * * *", timezone: "UTC" }],
};

const labels = (result: ReturnType<typeof completeAt>) => result?.options.map((o) => o.label) ?? null;

describe("upstreamIds", () => {
  it("lists the ancestors along the edges, in definition order", () => {
    expect(upstreamIds(DEFINITION, "tell")).toEqual(["fetch", "summarise", "send-mail", "check"]);
    expect(upstreamIds(DEFINITION, "summarise")).toEqual(["fetch"]);
    expect(upstreamIds(DEFINITION, "fetch")).toEqual([]);
    expect(upstreamIds(DEFINITION, "other")).toEqual([]);
  });

  it("gives every other node for a node not in the definition, and survives junk", () => {
    expect(upstreamIds(DEFINITION, "new")).toHaveLength(6);
    expect(upstreamIds({ nodes: "x", edges: [null, 3] }, "a")).toEqual([]);
  });

  it("stops at cycles", () => {
    const cyclic = {
      nodes: [{ id: "a" }, { id: "b" }],
      edges: [
        { from: "a", to: "b" },
        { from: "b", to: "a" },
      ],
    };
    expect(upstreamIds(cyclic, "a")).toEqual(["b"]);
  });
});

describe("scopeFor", () => {
  it("reads variables, trigger fields, sample input keys and known outputs", () => {
    const scope = scopeFor(DEFINITION, "tell", { name: "Ada", amount: 3 });
    expect(scope.roots).toEqual(["input", "vars", "nodes", "trigger"]);
    expect(scope.fields.vars).toEqual(["apiBase", "limit"]);
    expect(scope.fields.input).toEqual(["name", "amount"]);
    expect(scope.fields.trigger).toEqual(expect.arrayContaining(["type", "by", "fireAt", "cron"]));
    expect(scope.fields.trigger).not.toContain("receivedAt");
    const summarise = scope.nodes.find((node) => node.id === "summarise");
    expect(summarise).toEqual({ id: "summarise", type: "ai", name: "Summarise", output: ["title", "score"] });
    expect(scope.nodes.find((node) => node.id === "fetch")?.output).toEqual(["status", "body"]);
  });

  it("gives an event trigger's filter only `event`", () => {
    const scope = scopeFor(DEFINITION, "trigger");
    expect(scope.roots).toEqual(["event"]);
    expect(scope.fields.event).toContain("data");
    expect(scope.nodes).toEqual([]);
  });
});

describe("insideTemplateCode", () => {
  it("is true only between an opening {{ or {% and its close", () => {
    expect(insideTemplateCode("Hi {{ inp", 9)).toBe(true);
    expect(insideTemplateCode("Hi {{ a }} inp", 14)).toBe(false);
    expect(insideTemplateCode("{% if x %}in", 12)).toBe(false);
    expect(insideTemplateCode("{% if inp", 9)).toBe(true);
    expect(insideTemplateCode("plain text", 5)).toBe(false);
  });
});

describe("completeAt", () => {
  const scope = scopeFor(DEFINITION, "tell", { name: "Ada" });

  it("offers the roots at the start of an expression, filtered by what is typed", () => {
    expect(labels(completeAt("{{ ", 3, "template", scope))).toEqual(["input", "vars", "nodes", "trigger"]);
    expect(labels(completeAt("{{ no", 5, "template", scope))).toEqual(["nodes"]);
    expect(completeAt("{{ no", 5, "template", scope)?.from).toBe(3);
  });

  it("offers nothing in a template's plain text", () => {
    expect(completeAt("Hello no", 8, "template", scope)).toBeNull();
    expect(completeAt("{{ a }} no", 10, "template", scope)).toBeNull();
  });

  it("completes variables, input keys and trigger fields after their dot", () => {
    expect(labels(completeAt("{{ vars.", 8, "template", scope))).toEqual(["apiBase", "limit"]);
    expect(labels(completeAt("{{ vars.li", 10, "template", scope))).toEqual(["limit"]);
    expect(completeAt("{{ vars.li", 10, "template", scope)?.from).toBe(8);
    expect(labels(completeAt("input.", 6, "cel", scope))).toEqual(["name"]);
    expect(labels(completeAt("trigger.fi", 10, "cel", scope))).toEqual(["fireAt"]);
  });

  it("completes the ids of nodes that run before, then output and status, then output keys", () => {
    expect(labels(completeAt("nodes.", 6, "cel", scope))).toEqual(["fetch", "summarise", "send-mail", "check"]);
    expect(labels(completeAt("nodes.summarise.", 16, "cel", scope))).toEqual(["output", "status"]);
    expect(labels(completeAt("nodes.summarise.output.", 23, "cel", scope))).toEqual(["title", "score"]);
    expect(labels(completeAt("{{ nodes['send-mail'].", 22, "template", scope))).toEqual(["output", "status"]);
    expect(completeAt("nodes.nobody.", 13, "cel", scope)).toBeNull();
    expect(completeAt("nodes.other.", 12, "cel", scope)).toBeNull(); // not upstream
  });

  it("in CEL, completes anywhere after an operator, but not members of unknown things", () => {
    expect(labels(completeAt("input.amount > 3 && va", 22, "cel", scope))).toEqual(["vars"]);
    expect(completeAt("size(x).va", 10, "cel", scope)).toBeNull();
    expect(completeAt("'text", 5, "cel", scope)).toBeNull();
  });

  it("inserts ids that are not identifiers in brackets, replacing the dot", () => {
    const found = completeAt("nodes.se", 8, "cel", scope);
    const option = found?.options.find((o) => o.label === "send-mail");
    expect(option?.apply).toBe("['send-mail']");
    expect(applyCompletion("nodes.se", found?.from ?? 0, option!)).toEqual({ from: 5, insert: "['send-mail']" });
    const plain = found?.options.find((o) => o.label === "summarise");
    expect(plain).toBeUndefined();
    const fetch = completeAt("nodes.f", 7, "cel", scope)?.options[0];
    expect(applyCompletion("nodes.f", 6, fetch!)).toEqual({ from: 6, insert: "fetch" });
  });
});
