import { useId, useState } from "react";
import { ErrorMessage } from "../../../components/Status";
import { testWorkflowNode } from "../api/workflows";
import { callableFailure } from "../../../lib/firebase/errors";
import type { StepTest, StepTestResult } from "../../../wire/workflows";
import { definitionForTest, liveLabel, parseSamples, upstreamTemplate } from "./testStep";

export interface TestSample {
  /** A run input to start from (the last run's, when there is one). */
  input?: Record<string, unknown>;
  /** Upstream outputs by node id (the last run's). */
  nodes?: Record<string, unknown>;
}

interface TestStepPanelProps {
  definition: object;
  nodeId: string;
  /** Ids of the nodes that run before this one (their outputs are in `nodes.<id>`). */
  upstream: readonly string[];
  sample?: TestSample;
}

type Outcome =
  | { kind: "idle" }
  | { kind: "running" }
  | { kind: "done"; result: StepTestResult }
  | { kind: "failed"; message: string; field?: string };

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

function typeOf(definition: object, nodeId: string): string | undefined {
  const nodes = (definition as { nodes?: unknown }).nodes;
  if (!Array.isArray(nodes)) return undefined;
  const node = nodes.find((item) => (item as { id?: unknown })?.id === nodeId) as
    | { type?: unknown }
    | undefined;
  return typeof node?.type === "string" ? node.type : undefined;
}

/**
 * "Test step": run this node's templates, condition or transform against sample data with
 * the engine's evaluators (`test_workflow_node`), without a run. Nodes with side effects
 * (http, ai, task, notify, event, decision) only say what they would do; an http or ai
 * node can be run for real when the user ticks the box (nothing is written either way).
 */
export function TestStepPanel({ definition, nodeId, upstream, sample }: TestStepPanelProps) {
  const id = useId();
  const [input, setInput] = useState(() => (sample?.input ? pretty(sample.input) : ""));
  const [nodes, setNodes] = useState(() =>
    sample?.nodes ? pretty(sample.nodes) : upstreamTemplate(upstream),
  );
  const [outcome, setOutcome] = useState<Outcome>({ kind: "idle" });
  const [live, setLive] = useState(false);
  const samples = parseSamples({ input, nodes });
  const canGoLive = liveLabel(typeOf(definition, nodeId));

  async function run() {
    if (!samples.ok) return;
    setOutcome({ kind: "running" });
    try {
      const request = {
        definition: definitionForTest(definition),
        nodeId,
        input: samples.input,
        nodes: samples.nodes,
        live: Boolean(canGoLive) && live,
      } as unknown as StepTest;
      const result = await testWorkflowNode(request);
      setOutcome({ kind: "done", result });
    } catch (error) {
      const failure = callableFailure(error);
      setOutcome({ kind: "failed", message: failure.message, field: failure.field });
    }
  }

  const inputError = !samples.ok && samples.field === "input" ? samples.message : null;
  const nodesError = !samples.ok && samples.field === "nodes" ? samples.message : null;
  return (
    <section className="test-step stack" aria-labelledby={`${id}-title`} data-testid="test-step">
      <h3 id={`${id}-title`}>Test step</h3>
      <div className="field">
        <label htmlFor={`${id}-input`}>Sample input (JSON)</label>
        <textarea
          id={`${id}-input`}
          className="code"
          rows={3}
          spellCheck={false}
          value={input}
          placeholder='{ "name": "Ada" }'
          aria-invalid={inputError ? true : undefined}
          onChange={(event) => setInput(event.target.value)}
        />
        {inputError && <p className="error">{inputError}</p>}
      </div>
      {(upstream.length > 0 || nodes.trim() !== "") && (
        <div className="field">
          <label htmlFor={`${id}-nodes`}>Outputs of earlier steps (JSON, by node id)</label>
          <textarea
            id={`${id}-nodes`}
            className="code"
            rows={3}
            spellCheck={false}
            value={nodes}
            aria-invalid={nodesError ? true : undefined}
            onChange={(event) => setNodes(event.target.value)}
          />
          {nodesError && <p className="error">{nodesError}</p>}
        </div>
      )}
      {canGoLive && (
        <label className="check" htmlFor={`${id}-live`}>
          <input
            id={`${id}-live`}
            type="checkbox"
            checked={live}
            onChange={(event) => setLive(event.target.checked)}
          />
          {canGoLive}
        </label>
      )}
      <div className="row">
        <button
          type="button"
          className="secondary small"
          disabled={!samples.ok || outcome.kind === "running"}
          onClick={() => void run()}
        >
          {outcome.kind === "running" ? "Testing…" : "Test step"}
        </button>
        <small className="muted">
          {canGoLive && live ? "This sends it for real; nothing is written." : "Nothing is sent or written."}
        </small>
      </div>
      <div role="status" aria-live="polite" data-testid="test-step-result">
        {outcome.kind === "failed" && (
          <ErrorMessage>
            {outcome.field ? `${outcome.field}: ` : ""}
            {outcome.message}
          </ErrorMessage>
        )}
        {outcome.kind === "done" && <TestResult result={outcome.result} />}
      </div>
    </section>
  );
}

function TestResult({ result }: { result: StepTestResult }) {
  return (
    <div className="test-result stack">
      <p className={result.ok ? "success" : "error"}>
        {result.ok ? "OK" : "Failed"} · {result.durationMs} ms
        {result.live ? " · ran for real" : ""}
      </p>
      {result.error && (
        <p className="error" data-testid="test-step-error">
          {result.error.field ? <code>{result.error.field}</code> : null}
          {result.error.field ? ": " : ""}
          {result.error.message}
        </p>
      )}
      {result.wouldDo && (
        <div data-testid="test-step-would-do">
          <p>
            <strong>Would {result.wouldDo.kind}:</strong> {result.wouldDo.summary}
          </p>
          {result.wouldDo.request !== undefined && result.wouldDo.request !== null && (
            <pre className="code">{pretty(result.wouldDo.request)}</pre>
          )}
        </div>
      )}
      {result.ok && !result.wouldDo && (
        <div data-testid="test-step-output">
          <p className="muted">Output</p>
          <pre className="code">{pretty(result.output ?? null)}</pre>
        </div>
      )}
    </div>
  );
}
