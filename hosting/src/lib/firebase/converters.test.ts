import { Timestamp } from "firebase/firestore";
import { describe, expect, it } from "vitest";
import {
  toConversation,
  toExecution,
  toExecutionLog,
  toMessage,
  toProfile,
  toWorkflow,
} from "./converters";
import type { StoredDoc } from "./watch";

const WHEN = new Date("2026-05-06T07:08:09.000Z");
const AT = Timestamp.fromDate(WHEN);

function stored(data: Record<string, unknown>, id = "doc1", pending = false): StoredDoc {
  return { id, data, pending };
}

describe("toProfile", () => {
  it("reads a full profile", () => {
    const profile = toProfile(
      stored({
        email: "ada@example.com",
        displayName: "Ada",
        photoURL: null,
        role: "admin",
        plan: "pro",
        settings: {
          timezone: "Europe/Berlin",
          preferredModel: "gpt-4o",
          briefing: { enabled: false, time: "06:30" },
          memory: { autoExtract: false },
          decisions: { askThreshold: 0.75 },
          email: { enabled: true, kinds: { reminders: false, briefing: true, exports: false, workflows: true } },
        },
        createdAt: AT,
        lastSeenAt: AT,
      }),
    );
    expect(profile).toEqual({
      email: "ada@example.com",
      displayName: "Ada",
      photoURL: null,
      role: "admin",
      plan: "pro",
      settings: {
        timezone: "Europe/Berlin",
        preferredModel: "gpt-4o",
        briefing: { enabled: false, time: "06:30" },
        memory: { autoExtract: false },
        decisions: { askThreshold: 0.75 },
        email: { enabled: true, kinds: { reminders: false, briefing: true, exports: false, workflows: true } },
      },
      createdAt: WHEN,
      lastSeenAt: WHEN,
    });
  });

  it("defaults every missing or mistyped field", () => {
    expect(toProfile(stored({ role: "root", plan: 9, settings: "x", createdAt: "today" }))).toEqual(
      {
        email: null,
        displayName: null,
        photoURL: null,
        role: "user",
        plan: "free",
        settings: {
          timezone: "UTC",
          preferredModel: "auto",
          briefing: { enabled: true, time: "07:00" },
          memory: { autoExtract: true },
          decisions: { askThreshold: 0.6 },
          email: { enabled: false, kinds: { reminders: true, briefing: true, exports: true, workflows: false } },
        },
        createdAt: null,
        lastSeenAt: null,
      },
    );
  });
});

describe("toConversation", () => {
  it("reads the server's fields", () => {
    const usage = { inputTokens: 10, outputTokens: 20, costUsd: 0.5 };
    expect(
      toConversation(
        stored(
          { title: "Trip", createdAt: AT, updatedAt: AT, messageCount: 4, summary: "s", usage },
          "c1",
        ),
      ),
    ).toEqual({
      id: "c1",
      title: "Trip",
      createdAt: WHEN,
      updatedAt: WHEN,
      messageCount: 4,
      summary: "s",
      usage,
    });
  });

  it("reads a blank title as none and fills in zero usage", () => {
    const conversation = toConversation(stored({ title: "  ", messageCount: "4" }));
    expect(conversation.title).toBeNull();
    expect(conversation.messageCount).toBe(0);
    expect(conversation.usage).toEqual({ inputTokens: 0, outputTokens: 0, costUsd: 0 });
  });
});

describe("toMessage", () => {
  it("reads a user message, pending while unsent", () => {
    const message = toMessage(
      stored(
        {
          role: "user",
          text: "hi",
          createdAt: AT,
          intent: { label: "greet", confidence: "high" },
          entities: [{ type: "n", value: 3 }, { value: "no type" }, "junk"],
        },
        "m1",
        true,
      ),
    );
    expect(message).toEqual({
      id: "m1",
      role: "user",
      text: "hi",
      createdAt: WHEN,
      intent: { label: "greet", confidence: 0 },
      entities: [{ type: "n", value: "3" }],
      sending: true,
    });
  });

  it("reads an assistant reply with its error", () => {
    const message = toMessage(
      stored(
        { role: "assistant", status: "error", error: { code: "timeout", message: "" } },
        "a_m1",
      ),
    );
    expect(message).toMatchObject({
      id: "a_m1",
      role: "assistant",
      replyTo: "m1",
      text: "",
      status: "error",
      provider: null,
      usage: null,
      error: { code: "timeout", message: "Aura could not write a reply." },
      stopRequested: false,
      stopped: false,
      truncated: false,
      memoryIds: [],
    });
  });

  it("reads the memories a reply used, keeping only ids", () => {
    const message = toMessage(
      stored({ role: "assistant", status: "done", memoryIds: ["k1", 7, "", "k2"] }, "a_m1"),
    );
    expect(message).toMatchObject({ memoryIds: ["k1", "k2"] });
  });

  it("defaults an unknown status to pending and keeps an explicit replyTo", () => {
    const message = toMessage(
      stored({ role: "assistant", status: "thinking", replyTo: "m9", stopped: true }, "a_m1"),
    );
    expect(message).toMatchObject({ status: "pending", replyTo: "m9", stopped: true });
  });

  it("drops a role it does not know", () => {
    expect(toMessage(stored({ role: "system", text: "x" }))).toBeNull();
    expect(toMessage(stored({}))).toBeNull();
  });
});

describe("toWorkflow", () => {
  it("reads the definition and keeps only readable nodes, edges and triggers", () => {
    const workflow = toWorkflow(
      stored(
        {
          name: "Greet",
          status: "active",
          version: 3,
          nodes: [
            {
              id: "a",
              type: "http",
              name: "Fetch",
              config: { url: "https://x", timeout: null },
              retry: { attempts: 3 },
              continueOnError: true,
            },
            { id: "b", type: "teleport", config: {} },
            { type: "ai" },
          ],
          edges: [{ from: "a", to: "b", branch: "yes" }, { from: "a" }, { from: "a", to: "c" }],
          triggers: [
            { type: "manual" },
            { type: "schedule", cron: "0 9 * * *", timezone: "UTC" },
            { type: "schedule", cron: "0 9 * * *" },
            { type: "event", typePattern: "task.*" },
            { type: "firestore", collection: "tasks", on: ["create", 2] },
            { type: "carrier-pigeon" },
          ],
          variables: { greeting: "hi" },
          settings: { maxSteps: 10 },
          createdAt: AT,
        },
        "w1",
      ),
    );
    expect(workflow).toEqual({
      id: "w1",
      name: "Greet",
      description: "",
      status: "active",
      version: 3,
      nodes: [
        {
          id: "a",
          type: "http",
          name: "Fetch",
          config: { url: "https://x", timeout: null },
          retry: { attempts: 3, backoffSeconds: 5 },
          continueOnError: true,
        },
      ],
      edges: [
        { from: "a", to: "b", branch: "yes" },
        { from: "a", to: "c" },
      ],
      variables: { greeting: "hi" },
      triggers: [
        { type: "manual" },
        { type: "schedule", cron: "0 9 * * *", timezone: "UTC" },
        { type: "event", typePattern: "task.*" },
        { type: "firestore", collection: "tasks", on: ["create"] },
      ],
      settings: { maxSteps: 10, deadlineSeconds: 3600, maxConcurrentExecutions: 5 },
      createdAt: WHEN,
      updatedAt: null,
    });
  });

  it("gives an empty draft for an empty document", () => {
    expect(toWorkflow(stored({ status: "paused", nodes: "x" }))).toMatchObject({
      name: "",
      status: "draft",
      version: 0,
      nodes: [],
      edges: [],
      triggers: [],
      variables: {},
    });
  });
});

describe("toExecution", () => {
  it("reads steps, trigger, output and error", () => {
    const execution = toExecution(
      stored(
        {
          workflowId: "w1",
          workflowVersion: 2,
          workflowName: "Greet",
          status: "failed",
          trigger: { type: "manual", by: "u1" },
          input: { name: "Ada" },
          output: { at: AT },
          steps: {
            a: { status: "succeeded", attempts: 1, output: "ok", startedAt: AT, finishedAt: AT },
            b: { status: "failed", attempts: 2, error: { code: 500 }, branch: "" },
            c: "junk",
          },
          definition: { nodes: [{ id: "a", type: "ai", config: {} }], settings: { maxSteps: 5 } },
          correlationId: "corr",
          startedAt: AT,
          error: { nodeId: "b", message: "HTTP 500" },
          retryOf: "",
        },
        "e1",
      ),
    );
    expect(execution).toEqual({
      id: "e1",
      workflowId: "w1",
      workflowVersion: 2,
      workflowName: "Greet",
      status: "failed",
      trigger: { type: "manual", by: "u1" },
      input: { name: "Ada" },
      output: { at: "2026-05-06T07:08:09.000Z" },
      steps: {
        a: {
          status: "succeeded",
          attempts: 1,
          startedAt: WHEN,
          finishedAt: WHEN,
          output: "ok",
          error: null,
          branch: null,
        },
        b: {
          status: "failed",
          attempts: 2,
          startedAt: null,
          finishedAt: null,
          output: undefined,
          error: '{"code":500}',
          branch: null,
        },
      },
      definition: {
        nodes: [{ id: "a", type: "ai", config: {} }],
        edges: [],
        variables: {},
        settings: { maxSteps: 5 },
      },
      correlationId: "corr",
      startedAt: WHEN,
      finishedAt: null,
      error: { nodeId: "b", message: "HTTP 500" },
      retryOf: null,
    });
  });

  it("defaults a bare document: queued, unknown trigger, correlation id from the doc id", () => {
    const execution = toExecution(stored({ status: "exploded", trigger: "x", error: {} }, "e2"));
    expect(execution).toMatchObject({
      status: "queued",
      trigger: { type: "unknown" },
      output: null,
      steps: {},
      correlationId: "e2",
      error: { nodeId: null, message: "The execution failed." },
    });
  });
});

describe("toExecutionLog", () => {
  it("reads a log entry and defaults the level to info", () => {
    expect(toExecutionLog(stored({ time: AT, nodeId: "a", level: "error", message: "m" }, "l1")))
      .toEqual({ id: "l1", time: WHEN, nodeId: "a", level: "error", message: "m" });
    expect(toExecutionLog(stored({ level: "debug", message: 4 }, "l2"))).toEqual({
      id: "l2",
      time: null,
      nodeId: null,
      level: "info",
      message: "",
    });
  });
});
