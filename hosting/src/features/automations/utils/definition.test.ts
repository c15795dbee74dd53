import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../../types/json";
import type { Workflow } from "../../../types/workflows";
import {
  STARTER_DEFINITION,
  definitionText,
  describeTrigger,
  locateProblem,
  parseDefinition,
  spanFor,
  storedDefinition,
  summarise,
} from "./definition";

function workflow(overrides: Partial<Workflow> = {}): Workflow {
  return {
    id: "w1",
    name: "W",
    description: "",
    status: "draft",
    version: 1,
    nodes: [],
    edges: [],
    variables: {},
    triggers: [],
    settings: { maxSteps: 100, deadlineSeconds: 3600, maxConcurrentExecutions: 5 },
    createdAt: null,
    updatedAt: null,
    ...overrides,
  };
}

describe("the starter definition", () => {
  it("parses back from its own text", () => {
    const parsed = parseDefinition(definitionText(STARTER_DEFINITION));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.definition).toEqual(STARTER_DEFINITION);
  });
});

describe("storedDefinition", () => {
  it("leaves out what the server filled with defaults", () => {
    const shown = storedDefinition(
      workflow({
        nodes: [
          {
            id: "a",
            type: "http",
            config: { url: "https://x", timeout: null },
            retry: { attempts: 1, backoffSeconds: 5 },
            continueOnError: false,
          },
          {
            id: "b",
            type: "ai",
            name: "Ask",
            config: {},
            retry: { attempts: 3, backoffSeconds: 5 },
            continueOnError: true,
          },
        ],
      }),
    );
    expect(shown.nodes).toEqual([
      { id: "a", type: "http", config: { url: "https://x" } },
      {
        id: "b",
        type: "ai",
        name: "Ask",
        config: {},
        retry: { attempts: 3, backoffSeconds: 5 },
        continueOnError: true,
      },
    ]);
    expect(Object.keys(shown)).toEqual(["nodes", "edges", "variables", "triggers", "settings"]);
  });
});

describe("parseDefinition", () => {
  it("passes a JSON syntax error through", () => {
    const parsed = parseDefinition('{"nodes": [}');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.syntax?.line).toBe(1);
  });

  it.each([
    ["[]", "The definition must be a JSON object"],
    ['{"nodes": [], "name": "x"}', 'Unknown key "name" in the definition'],
    ['{"edges": []}', 'The definition needs "nodes"'],
  ])("refuses %s", (text, start) => {
    const parsed = parseDefinition(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok && parsed.syntax === undefined) expect(parsed.message).toContain(start);
  });
});

describe("locateProblem", () => {
  const definition: JsonObject = {
    nodes: [{ id: "greet", type: "transform" }, {}],
    edges: [{ from: "greet", to: "check", branch: "big" }],
    triggers: [{ type: "schedule", cron: "0 9 * * 1-5", timezone: "Europe/Berlin" }],
  };

  it("names the node, edge or trigger a server path points at", () => {
    expect(locateProblem("nodes[0].config.url", definition)).toEqual({
      section: "nodes",
      index: 0,
      label: "node “greet” (transform)",
    });
    expect(locateProblem("nodes[1]", definition)?.label).toBe("node 2");
    expect(locateProblem("edges[0]", definition)?.label).toBe("edge greet → check [big]");
    expect(locateProblem("triggers[0].cron", definition)?.label).toBe(
      "trigger 1 (Schedule 0 9 * * 1-5 (Europe/Berlin))",
    );
  });

  it("gives null for a path outside the sections or past their end", () => {
    expect(locateProblem("settings.maxSteps", definition)).toBeNull();
    expect(locateProblem("edges[5]", definition)).toBeNull();
  });
});

describe("spanFor", () => {
  const spans = new Map([
    ["nodes", { start: 1, end: 50 }],
    ["nodes[1]", { start: 20, end: 40 }],
    ["nodes[1].config", { start: 30, end: 39 }],
  ]);

  it("finds the path or its nearest enclosing value", () => {
    expect(spanFor("nodes[1].config", spans)).toEqual({ start: 30, end: 39 });
    expect(spanFor("nodes[1].config.url", spans)).toEqual({ start: 30, end: 39 });
    expect(spanFor("nodes[1].retry.attempts", spans)).toEqual({ start: 20, end: 40 });
    expect(spanFor("edges[0]", spans)).toBeNull();
  });
});

describe("describeTrigger", () => {
  it.each([
    [{ type: "manual" }, "Manual"],
    [{ type: "webhook" }, "Webhook"],
    [{ type: "event", typePattern: "task.*", filter: "x" }, "Event task.* (filtered)"],
    [{ type: "firestore", collection: "tasks", on: ["create", 1] }, "Firestore tasks (create)"],
    [{ type: "schedule" }, "Schedule ? (?)"],
    [{ type: "custom" }, "custom"],
    [[], "?"],
    [null, "?"],
  ])("describes %j as %j", (trigger, text) => {
    expect(describeTrigger(trigger)).toBe(text);
  });
});

describe("summarise", () => {
  it("tolerates anything malformed", () => {
    const definition = { nodes: [{ id: "a", type: "ai", name: "Ask" }, 3], edges: [{}], triggers: "x" };
    expect(summarise(definition)).toEqual({
      nodes: [
        { id: "a", type: "ai", name: "Ask" },
        { id: "?", type: "?", name: null },
      ],
      edges: ["? → ?"],
      triggers: [],
    });
  });
});
