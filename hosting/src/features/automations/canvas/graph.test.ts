import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../../types/json";
import {
  addStep,
  addTrigger,
  autoLayout,
  branchHandle,
  canvasProblem,
  connect,
  definitionToGraph,
  duplicateStep,
  edgeElementId,
  graphToDefinition,
  itemAt,
  moveNodes,
  OUT_HANDLE,
  removeElements,
  replaceItem,
  starterTrigger,
  triggerNodeId,
} from "./graph";

/** Three steps, a condition with two cases and a default, a decision, three triggers. */
function sample(): JsonObject {
  return {
    nodes: [
      {
        id: "fetch",
        type: "http",
        name: "Fetch",
        config: { method: "GET", url: "https://example.com/{{ input.id }}" },
        retry: { attempts: 3, backoffSeconds: 10 },
      },
      {
        id: "check",
        type: "condition",
        config: {
          cases: [
            { branch: "big", when: "nodes.fetch.output.amount > 100" },
            { branch: "small", when: "nodes.fetch.output.amount > 0" },
          ],
          default: "none",
        },
      },
      { id: "tell", type: "notify", config: { title: "Big", body: "{{ input }}" } },
      { id: "log", type: "task", config: { title: "Small" }, continueOnError: true },
      { id: "ask", type: "decision", config: { question: "Go?", options: ["yes", "no"] } },
    ],
    edges: [
      { from: "fetch", to: "check" },
      { from: "check", to: "tell", branch: "big" },
      { from: "check", to: "log", branch: "small" },
      { from: "check", to: "ask", branch: "none" },
    ],
    variables: { limit: 3 },
    triggers: [
      { type: "manual" },
      { type: "schedule", cron: "0 9 * * 1-5", timezone: "Europe/Berlin" },
      { type: "event", typePattern: "task.*", filter: "event.data.priority > 1" },
    ],
    settings: { maxSteps: 50 },
  };
}

function positioned(definition: JsonObject): JsonObject {
  const nodes = (definition.nodes as JsonObject[]).map((node, index) => ({
    ...node,
    position: { x: index * 10, y: index * 150 },
  }));
  return { ...definition, nodes };
}

function withoutPositions(definition: JsonObject): JsonObject {
  const nodes = (definition.nodes as JsonObject[]).map((node) => {
    const { position: _position, ...rest } = node;
    void _position;
    return rest;
  });
  return { ...definition, nodes };
}

function positionOf(definition: JsonObject, id: string) {
  const node = (definition.nodes as JsonObject[]).find((item) => item.id === id);
  return node?.position as { x: number; y: number } | undefined;
}

describe("definition → graph → definition", () => {
  it("keeps a positioned definition exactly: nodes, branch edges, triggers, configs", () => {
    const definition = positioned(sample());
    const graph = definitionToGraph(definition);
    const back = graphToDefinition(definition, graph);
    expect(back).toEqual(definition);
    expect(JSON.stringify(Object.keys(back))).toBe(JSON.stringify(Object.keys(definition)));
  });

  it("draws triggers as start nodes with derived edges to the roots only", () => {
    const graph = definitionToGraph(positioned(sample()));
    const triggers = graph.nodes.filter((node) => node.type === "trigger");
    expect(triggers.map((node) => node.id)).toEqual([0, 1, 2].map(triggerNodeId));
    const derived = graph.edges.filter((edge) => edge.data.index === null);
    expect(derived.map((edge) => [edge.source, edge.target])).toEqual([
      [triggerNodeId(0), "fetch"],
      [triggerNodeId(1), "fetch"],
      [triggerNodeId(2), "fetch"],
    ]);
    // Triggers sit above every step.
    const top = Math.min(
      ...graph.nodes.filter((node) => node.type === "step").map((node) => node.position.y),
    );
    for (const trigger of triggers) expect(trigger.position.y).toBeLessThan(top);
  });

  it("gives a condition one named handle per branch and its edges those handles", () => {
    const graph = definitionToGraph(positioned(sample()));
    const check = graph.nodes.find((node) => node.id === "check");
    expect(check?.data.kind).toBe("step");
    if (check?.data.kind !== "step") return;
    expect(check.data.outputs.map((output) => [output.id, output.label])).toEqual([
      [branchHandle("big"), "big"],
      [branchHandle("small"), "small"],
      [branchHandle("none"), "none (default)"],
    ]);
    const fromCheck = graph.edges.filter((edge) => edge.source === "check");
    expect(fromCheck.map((edge) => edge.sourceHandle)).toEqual(
      ["big", "small", "none"].map(branchHandle),
    );
    const ask = graph.nodes.find((node) => node.id === "ask");
    if (ask?.data.kind !== "step") throw new Error("no decision");
    expect(ask.data.outputs.map((output) => output.id)).toEqual([
      branchHandle("act"),
      branchHandle("ask"),
      OUT_HANDLE,
    ]);
  });

  it("keeps an edge naming a branch the condition lacks, on a handle marked unknown", () => {
    const definition = positioned(sample());
    (definition.edges as JsonObject[]).push({ from: "check", to: "log", branch: "gone" });
    const graph = definitionToGraph(definition);
    const check = graph.nodes.find((node) => node.id === "check");
    if (check?.data.kind !== "step") throw new Error("no condition");
    expect(check.data.outputs.at(-1)).toMatchObject({ branch: "gone", known: false });
    expect(graphToDefinition(definition, graph)).toEqual(definition);
  });

  it("lays out a definition without positions, and only adds the positions", () => {
    const definition = sample();
    const graph = definitionToGraph(definition);
    const steps = graph.nodes.filter((node) => node.type === "step");
    expect(steps.every((node) => node.laidOut)).toBe(true);
    for (const node of steps) {
      expect(Number.isFinite(node.position.x) && Number.isFinite(node.position.y)).toBe(true);
    }
    const places = new Set(steps.map((node) => `${node.position.x},${node.position.y}`));
    expect(places.size).toBe(steps.length);
    // Top to bottom along the edges.
    const y = (id: string) => steps.find((node) => node.id === id)?.position.y ?? NaN;
    expect(y("check")).toBeGreaterThan(y("fetch"));
    expect(y("tell")).toBeGreaterThan(y("check"));

    const back = graphToDefinition(definition, graph);
    expect(withoutPositions(back)).toEqual(definition);
    for (const node of back.nodes as JsonObject[]) expect(node.position).toBeDefined();
  });

  it("places a node added without a position near the laid-out neighbours", () => {
    const definition = positioned(sample());
    (definition.nodes as JsonObject[]).push({
      id: "after",
      type: "notify",
      config: { title: "t", body: "b" },
    });
    (definition.edges as JsonObject[]).push({ from: "tell", to: "after" });
    const graph = definitionToGraph(definition);
    const after = graph.nodes.find((node) => node.id === "after");
    const tell = graph.nodes.find((node) => node.id === "tell");
    expect(after?.laidOut).toBe(true);
    expect(tell?.laidOut).toBe(false);
    expect(after?.position.y).toBeGreaterThan(tell?.position.y ?? Infinity);
  });

  it("marks errors and run state given by element id", () => {
    const graph = definitionToGraph(positioned(sample()), {
      errors: { check: ["bad"], [triggerNodeId(1)]: ["cron"], [edgeElementId(2)]: ["edge"] },
      run: { fetch: { status: "failed", attempts: 3, durationMs: 120 } },
    });
    const byId = new Map(graph.nodes.map((node) => [node.id, node]));
    expect(byId.get("check")?.data.errors).toEqual(["bad"]);
    expect(byId.get(triggerNodeId(1))?.data.errors).toEqual(["cron"]);
    const fetch = byId.get("fetch")?.data;
    expect(fetch?.kind === "step" && fetch.run?.status).toBe("failed");
    expect(graph.edges[2]?.data.errors).toEqual(["edge"]);
  });
});

describe("canvasProblem", () => {
  it("accepts the sample and refuses what the canvas would lose", () => {
    expect(canvasProblem(sample())).toBeNull();
    expect(canvasProblem({ nodes: {} })).toMatch(/"nodes" must be a list/);
    expect(canvasProblem({ nodes: [{ type: "ai" }] })).toMatch(/nodes\[0\]/);
    expect(
      canvasProblem({
        nodes: [
          { id: "a", type: "ai" },
          { id: "a", type: "ai" },
        ],
      }),
    ).toMatch(/Two nodes/);
    expect(canvasProblem({ nodes: [], edges: [{ from: "a" }] })).toMatch(/edges\[0\]/);
    expect(canvasProblem({ nodes: [], triggers: [{}] })).toMatch(/triggers\[0\]/);
  });
});

describe("edits", () => {
  it("adds a step below the selected one and connects a free condition branch", () => {
    const start = positioned(sample());
    // Free a branch: remove the edge of "small".
    const freed = removeElements(start, { edges: [2] });
    const { definition, id } = addStep(freed, "transform", { after: "check" });
    expect(id).toBe("transform1");
    const node = (definition.nodes as JsonObject[]).find((item) => item.id === id);
    expect(node).toMatchObject({ type: "transform", config: { template: "{{ input }}" } });
    expect(positionOf(definition, id)?.y).toBeGreaterThan(positionOf(definition, "check")?.y ?? 0);
    expect(definition.edges).toContainEqual({ from: "check", to: id, branch: "small" });
    // Everything else untouched.
    expect(definition.variables).toEqual(start.variables);
    expect(definition.triggers).toEqual(start.triggers);
  });

  it("adds a step without an edge when the selected condition has no free branch", () => {
    const start = positioned(sample());
    const { definition, id } = addStep(start, "notify", { after: "check" });
    expect((definition.edges as JsonObject[]).some((edge) => edge.to === id)).toBe(false);
  });

  it("fills every position when an edit touches a definition without them", () => {
    const { definition } = addStep(sample(), "delay", { at: { x: 500, y: 40 } });
    for (const node of definition.nodes as JsonObject[]) expect(node.position).toBeDefined();
    expect(positionOf(definition, "delay1")).toEqual({ x: 500, y: 40 });
  });

  it("duplicates a step with a fresh id, config copied, no edges", () => {
    const start = positioned(sample());
    const copy = duplicateStep(start, "fetch");
    expect(copy?.id).toBe("fetch1");
    const node = (copy?.definition.nodes as JsonObject[]).at(-1);
    expect(node).toMatchObject({ id: "fetch1", name: "Fetch (copy)", type: "http" });
    expect(node?.config).toEqual((start.nodes as JsonObject[])[0]?.config);
    expect(copy?.definition.edges).toEqual(start.edges);
    expect(duplicateStep(start, "missing")).toBeNull();
  });

  it("removes a step with its edges, an edge, a trigger", () => {
    const start = positioned(sample());
    const next = removeElements(start, { nodes: ["check"], triggers: [1] });
    expect((next.nodes as JsonObject[]).map((node) => node.id)).toEqual([
      "fetch",
      "tell",
      "log",
      "ask",
    ]);
    expect(next.edges).toEqual([]);
    expect((next.triggers as JsonObject[]).map((t) => t.type)).toEqual(["manual", "event"]);
    expect(removeElements(start, {})).toBe(start);
  });

  it("connects steps, naming the branch; moves a taken branch; refuses triggers and loops", () => {
    const start = positioned(sample());
    const moved = connect(start, {
      source: "check",
      sourceHandle: branchHandle("big"),
      target: "log",
    });
    expect(moved.refused).toBeNull();
    expect((moved.definition.edges as JsonObject[])[1]).toEqual({
      from: "check",
      to: "log",
      branch: "big",
    });
    expect((moved.definition.edges as JsonObject[]).length).toBe(4);

    const plain = connect(start, { source: "tell", sourceHandle: OUT_HANDLE, target: "log" });
    expect((plain.definition.edges as JsonObject[]).at(-1)).toEqual({ from: "tell", to: "log" });

    const decided = connect(start, {
      source: "ask",
      sourceHandle: branchHandle("ask"),
      target: "tell",
    });
    expect((decided.definition.edges as JsonObject[]).at(-1)).toEqual({
      from: "ask",
      to: "tell",
      branch: "ask",
    });

    expect(connect(start, { source: triggerNodeId(0), target: "fetch" }).refused).toMatch(
      /trigger/i,
    );
    expect(connect(start, { source: "tell", target: "tell" }).refused).toMatch(/itself/);
    expect(
      connect(start, { source: "check", sourceHandle: OUT_HANDLE, target: "tell" }).refused,
    ).toMatch(/branch/);
    expect(
      connect(start, { source: "fetch", sourceHandle: OUT_HANDLE, target: "check" }).refused,
    ).toMatch(/already/);
  });

  it("moves nodes, lays everything out again, adds triggers", () => {
    const start = positioned(sample());
    const moved = moveNodes(start, new Map([["tell", { x: 12.4, y: -7.6 }]]));
    expect(positionOf(moved, "tell")).toEqual({ x: 12, y: -8 });
    expect(positionOf(moved, "fetch")).toEqual(positionOf(start, "fetch"));

    const laid = autoLayout(start);
    expect(withoutPositions(laid)).toEqual(withoutPositions(start));
    expect(positionOf(laid, "check")?.y).toBeGreaterThan(positionOf(laid, "fetch")?.y ?? 0);

    const triggered = addTrigger(start, starterTrigger("schedule", "Europe/Paris"));
    expect((triggered.triggers as JsonObject[]).at(-1)).toEqual({
      type: "schedule",
      cron: "0 9 * * *",
      timezone: "Europe/Paris",
    });
    // A definition without triggers gets the key only once it has one.
    const bare = { nodes: [] };
    expect(addTrigger(bare, { type: "manual" })).toEqual({
      nodes: [],
      triggers: [{ type: "manual" }],
    });
  });
});

describe("itemAt / replaceItem", () => {
  it("finds and replaces a step by id and a trigger by index, nothing else changes", () => {
    const start = positioned(sample());
    expect(itemAt(start, "tell")).toMatchObject({ id: "tell", type: "notify" });
    expect(itemAt(start, triggerNodeId(1))).toMatchObject({ type: "schedule" });
    expect(itemAt(start, "missing")).toBeNull();

    const edited = { ...(itemAt(start, "tell") as JsonObject), config: { title: "T", body: "B" } };
    const next = replaceItem(start, "tell", edited);
    expect((next.nodes as JsonObject[])[2]).toEqual(edited);
    expect(next.edges).toEqual(start.edges);
    const trigger = replaceItem(start, triggerNodeId(0), { type: "webhook" });
    expect((trigger.triggers as JsonObject[])[0]).toEqual({ type: "webhook" });
    expect(replaceItem(start, "missing", {})).toBe(start);
    expect(replaceItem(start, triggerNodeId(9), {})).toBe(start);
  });
});
