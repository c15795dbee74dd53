import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { describeTrigger } from "../utils/definition";
import {
  IN_HANDLE,
  isNodeType,
  NODE_LABELS,
  OUT_HANDLE,
  type RunBadge,
  type StepData,
  type TriggerData,
} from "./graph";

export type StepFlowNode = Node<StepData, "step">;
export type TriggerFlowNode = Node<TriggerData, "trigger">;

export function typeLabel(type: string): string {
  return isNodeType(type) ? NODE_LABELS[type] : type;
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function runText(run: RunBadge): string {
  const parts = [run.status];
  if (run.attempts && run.attempts > 1) parts.push(`${run.attempts} attempts`);
  if (typeof run.durationMs === "number") parts.push(formatDuration(run.durationMs));
  return parts.join(" · ");
}

/** What a screen reader hears for a step: type, name, id, errors, run state. */
export function stepAriaLabel(data: StepData): string {
  const { node } = data;
  const name = typeof node.name === "string" && node.name ? `“${node.name}” ` : "";
  let label = `${typeLabel(node.type)} step ${name}(${node.id})`;
  if (data.errors.length)
    label += `, ${data.errors.length} error${data.errors.length > 1 ? "s" : ""}: ${data.errors.join("; ")}`;
  if (data.run) label += `, run: ${runText(data.run)}`;
  return label;
}

export function triggerAriaLabel(data: TriggerData): string {
  let label = `Trigger: ${describeTrigger(data.trigger)}`;
  if (data.errors.length) label += `, error: ${data.errors.join("; ")}`;
  return label;
}

function Badges({ errors, run }: { errors: readonly string[]; run: RunBadge | null }) {
  return (
    <>
      {errors.length > 0 && (
        <span
          className="canvas-badge canvas-badge-error"
          title={errors.join("\n")}
          data-testid="node-error"
        >
          ⚠ {errors.length}
        </span>
      )}
      {run && (
        <span className={`canvas-badge canvas-run canvas-run-${run.status}`} data-testid="node-run">
          {runText(run)}
        </span>
      )}
    </>
  );
}

export function StepNode({ data, selected, isConnectable }: NodeProps<StepFlowNode>) {
  const { node, outputs } = data;
  const name = typeof node.name === "string" && node.name ? node.name : null;
  const classes = ["canvas-node", `canvas-node-${node.type}`];
  if (selected) classes.push("selected");
  if (data.errors.length) classes.push("has-error");
  if (data.run) classes.push(`run-${data.run.status}`);
  const count = outputs.length;
  return (
    <div className={classes.join(" ")} data-testid="canvas-node" data-node-id={node.id}>
      <Handle
        type="target"
        id={IN_HANDLE}
        position={Position.Top}
        isConnectable={isConnectable}
        role="img"
        aria-label={`Input of ${node.id}`}
        title={`Input of ${node.id}`}
      />
      <div className="canvas-node-head">
        <span className="canvas-node-type">{typeLabel(node.type)}</span>
        <Badges errors={data.errors} run={data.run} />
      </div>
      <div className="canvas-node-name">{name ?? node.id}</div>
      {name && <code className="canvas-node-id">{node.id}</code>}
      {data.errors.length > 0 && (
        <p className="canvas-node-error" data-testid="node-error-text">
          {data.errors[0]}
        </p>
      )}
      {(count > 1 || outputs[0]?.id !== OUT_HANDLE) && (
        <div className="canvas-node-outputs" aria-hidden="true">
          {outputs.map((output) => (
            <span key={output.id} className={output.known ? undefined : "unknown"}>
              {output.label}
            </span>
          ))}
        </div>
      )}
      {outputs.map((output, index) => {
        const label =
          output.id === OUT_HANDLE && count === 1
            ? `Output of ${node.id}`
            : `Branch ${output.label} of ${node.id}${output.known ? "" : " (not a branch of this step)"}`;
        return (
          <Handle
            key={output.id}
            type="source"
            id={output.id}
            position={Position.Bottom}
            isConnectable={isConnectable}
            className={output.known ? undefined : "unknown"}
            style={{ left: `${((index + 0.5) / count) * 100}%` }}
            role="img"
            aria-label={label}
            title={label}
          />
        );
      })}
    </div>
  );
}

export function TriggerNode({ data, selected }: NodeProps<TriggerFlowNode>) {
  const classes = ["canvas-trigger"];
  if (selected) classes.push("selected");
  if (data.errors.length) classes.push("has-error");
  const type = typeof data.trigger.type === "string" ? data.trigger.type : "?";
  return (
    <div className={classes.join(" ")} data-testid="canvas-trigger" data-trigger-type={type}>
      <span className="canvas-node-type">Trigger</span>
      <Badges errors={data.errors} run={null} />
      <div className="canvas-node-name">{describeTrigger(data.trigger)}</div>
      <Handle
        type="source"
        id={OUT_HANDLE}
        position={Position.Bottom}
        isConnectable={false}
        role="img"
        aria-label={`Start of the workflow: ${describeTrigger(data.trigger)}`}
        title="Starts the steps nothing leads to"
      />
    </div>
  );
}

export const NODE_TYPES_MAP = { step: StepNode, trigger: TriggerNode };
