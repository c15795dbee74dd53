import { describe, expect, it } from "vitest";
import type { ExecutionLog, ExecutionStep } from "../../../types/executions";
import type { JsonObject } from "../../../types/json";
import {
  executionActions,
  formatDuration,
  NOT_STARTED,
  runDefinition,
  runNodeDetails,
  runStatusMap,
  stepRows,
  versionDefinition,
} from "./executions";

describe("formatDuration", () => {
  const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

  it.each([
    [850, "850 ms"],
    [12_400, "12.4 s"],
    [185_000, "3 min 05 s"],
    [7_260_000, "2 h 01 min"],
    [-5, "0 ms"],
  ])("formats %d ms as %j", (ms, text) => {
    expect(formatDuration(at(0), at(ms))).toBe(text);
  });

  it("needs both ends", () => {
    expect(formatDuration(null, at(1))).toBeNull();
    expect(formatDuration(at(0), null)).toBeNull();
  });
});

describe("executionActions", () => {
  it("offers each control only where the server accepts it", () => {
    expect(executionActions("running")).toEqual({
      pause: true,
      resume: false,
      cancel: true,
      retry: false,
    });
    expect(executionActions("paused")).toEqual({
      pause: false,
      resume: true,
      cancel: true,
      retry: false,
    });
    expect(executionActions("failed")).toEqual({
      pause: false,
      resume: false,
      cancel: false,
      retry: true,
    });
    expect(executionActions("succeeded")).toEqual({
      pause: false,
      resume: false,
      cancel: false,
      retry: false,
    });
  });
});

const T0 = Date.UTC(2026, 0, 1, 9);
const at = (ms: number) => new Date(T0 + ms);

function step(partial: Partial<ExecutionStep>): ExecutionStep {
  return { ...NOT_STARTED, ...partial };
}

const DEFINITION: JsonObject = {
  nodes: [
    { id: "greet", type: "transform", config: {} },
    { id: "check", type: "condition", name: "Is it big?", config: {} },
    { id: "tell", type: "notify", config: {} },
  ],
  edges: [
    { from: "greet", to: "check" },
    { from: "check", to: "tell", branch: "big" },
  ],
  variables: {},
  settings: {},
};

describe("runStatusMap", () => {
  it("maps each reached step to its status, attempts and duration", () => {
    const run = runStatusMap({
      steps: {
        greet: step({
          status: "succeeded",
          attempts: 1,
          startedAt: at(0),
          finishedAt: at(850),
        }),
        check: step({
          status: "failed",
          attempts: 3,
          startedAt: at(1000),
          finishedAt: at(3500),
        }),
        tell: step({ status: "skipped", attempts: 0 }),
        later: step({ status: "running", attempts: 2, startedAt: at(4000) }),
        queued: step({ status: "queued", attempts: 0 }),
      },
    });
    expect(run).toEqual({
      greet: { status: "succeeded", attempts: 1, durationMs: 850 },
      check: { status: "failed", attempts: 3, durationMs: 2500 },
      tell: { status: "skipped", attempts: 0, durationMs: null },
      later: { status: "running", attempts: 2, durationMs: null },
      queued: { status: "queued", attempts: 0, durationMs: null },
    });
  });

  it("leaves out the steps the run has not reached", () => {
    expect(runStatusMap({ steps: { a: step({ status: "waiting" }) } })).toEqual({});
    expect(runStatusMap({ steps: {} })).toEqual({});
  });

  it("never gives a negative duration", () => {
    const run = runStatusMap({
      steps: {
        a: step({
          status: "succeeded",
          attempts: 1,
          startedAt: at(10),
          finishedAt: at(0),
        }),
      },
    });
    expect(run.a?.durationMs).toBe(0);
  });
});

describe("versionDefinition and runDefinition", () => {
  it("reads a version snapshot as a definition, dropping what is not one", () => {
    const definition = versionDefinition({
      id: "3",
      pending: false,
      data: {
        ...DEFINITION,
        version: 3,
        savedAt: { seconds: 1, nanoseconds: 0 },
      },
    });
    expect(definition).toEqual(DEFINITION);
    expect(versionDefinition({ id: "1", pending: false, data: { nodes: "x" } })).toEqual({
      nodes: [],
      edges: [],
      variables: {},
      settings: {},
    });
  });

  it("prefers the version's snapshot, else the embedded definition, else none", () => {
    const embedded = {
      nodes: [{ id: "old", type: "transform" as const, config: {} }],
      edges: [],
      variables: {},
      settings: {},
    };
    expect(runDefinition({ definition: embedded }, DEFINITION)).toBe(DEFINITION);
    expect(runDefinition({ definition: embedded }, null)).toEqual(embedded);
    expect(runDefinition({ definition: { ...embedded, nodes: [] } }, undefined)).toBeNull();
  });
});

describe("runNodeDetails", () => {
  const log = (id: string, nodeId: string | null, message: string): ExecutionLog => ({
    id,
    time: at(0),
    nodeId,
    level: "info",
    message,
  });
  const execution = {
    input: { amount: 150 },
    trigger: { type: "manual", by: "u1" },
    steps: {
      greet: step({
        status: "succeeded",
        attempts: 1,
        startedAt: at(0),
        finishedAt: at(40),
        output: "Hello Ada",
      }),
      check: step({
        status: "failed",
        attempts: 2,
        startedAt: at(100),
        finishedAt: at(300),
        error: "no such key: amount",
      }),
    },
  };

  it("gathers a node's step, its inputs in scope and its log lines", () => {
    const logs = [log("1", "greet", "started"), log("2", "check", "failed"), log("3", null, "x")];
    const details = runNodeDetails(execution, DEFINITION, "check", logs);
    expect(details).toMatchObject({
      nodeId: "check",
      type: "condition",
      name: "Is it big?",
      durationMs: 200,
      input: {
        input: { amount: 150 },
        trigger: { type: "manual", by: "u1" },
        nodes: { greet: { output: "Hello Ada", status: "succeeded" } },
      },
    });
    expect(details.step.error).toBe("no such key: amount");
    expect(details.step.attempts).toBe(2);
    expect(details.logs.map((item) => item.id)).toEqual(["2"]);
  });

  it("shows a node not reached yet as waiting, with upstream not run", () => {
    const details = runNodeDetails(execution, DEFINITION, "tell");
    expect(details.step).toBe(NOT_STARTED);
    expect(details.durationMs).toBeNull();
    expect(details.input.nodes).toEqual({
      check: { output: null, status: "failed" },
    });
    expect(details.logs).toEqual([]);
  });

  it("copes with a node the definition does not name", () => {
    const details = runNodeDetails(execution, null, "greet");
    expect(details.type).toBe("?");
    expect(details.name).toBeNull();
    expect(details.input.nodes).toEqual({});
  });
});

describe("stepRows", () => {
  it("lists the definition's nodes in order, then steps it does not name", () => {
    const steps = { extra: step({}), tell: step({}), greet: step({}) };
    expect(stepRows({ steps }, DEFINITION)).toEqual([
      { id: "greet", type: "transform" },
      { id: "check", type: "condition" },
      { id: "tell", type: "notify" },
      { id: "extra", type: "?" },
    ]);
  });

  it("falls back to the execution's steps without a definition", () => {
    expect(stepRows({ steps: { a: step({}), b: step({}) } }, null)).toEqual([
      { id: "a", type: "?" },
      { id: "b", type: "?" },
    ]);
  });
});
