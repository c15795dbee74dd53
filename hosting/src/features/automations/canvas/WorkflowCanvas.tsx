import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  Controls,
  MarkerType,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Edge,
  type EdgeChange,
  type Node,
  type NodeChange,
  type Connection as FlowConnection,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import {
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type DragEvent,
  type KeyboardEvent,
} from "react";
import type { JsonObject } from "../../../types/json";
import { NODE_TYPES } from "../../../types/workflows";
import {
  addStep,
  addTrigger,
  autoLayout,
  connect,
  definitionToGraph,
  duplicateStep,
  edgeIndex,
  moveNodes,
  NODE_LABELS,
  removeElements,
  starterTrigger,
  stepChoices,
  TRIGGER_LABELS,
  TRIGGER_TYPES,
  triggerIndex,
  outputsOf,
  isNodeType,
  isTriggerType,
  type Graph,
  type GraphOptions,
  type Point,
  type StepJson,
} from "./graph";
import { NODE_TYPES_MAP, stepAriaLabel, triggerAriaLabel } from "./nodes";
import "./canvas.css";

const DRAG_TYPE = "application/x-aura-workflow-item";

export interface WorkflowCanvasProps extends GraphOptions {
  /** The definition as the editor holds it (see `canvasProblem` for what it must be). */
  definition: JsonObject;
  /** An edit; `key` groups quick repeats (moves) into one undo step. Absent: read-only. */
  onChange?: (definition: JsonObject, key?: string | null) => void;
  onUndo?: () => void;
  onRedo?: () => void;
  canUndo?: boolean;
  canRedo?: boolean;
  /** The selected step or trigger (`@trigger-N`) changed (null: none). */
  onSelect?: (id: string | null) => void;
  /** For the canvas region's accessible name. */
  label?: string;
}

/** The workflow as a node graph, editable (palette, connect, move, undo) or read-only. */
export function WorkflowCanvas(props: WorkflowCanvasProps) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}

type FlowNode = Node;
type FlowEdge = Edge;

function flowNodes(
  graph: Graph,
  previous: readonly FlowNode[],
  editable: boolean,
  select: string | null,
): FlowNode[] {
  const before = new Map(previous.map((node) => [node.id, node]));
  return graph.nodes.map((node) => {
    const old = before.get(node.id);
    const step = node.data.kind === "step";
    return {
      id: node.id,
      type: node.type,
      position: node.position,
      data: node.data,
      selected: select !== null ? node.id === select : (old?.selected ?? false),
      ...(old?.measured ? { measured: old.measured } : {}),
      draggable: editable && step,
      connectable: editable,
      deletable: editable,
      ariaLabel: node.data.kind === "step" ? stepAriaLabel(node.data) : triggerAriaLabel(node.data),
    };
  });
}

function flowEdges(graph: Graph, previous: readonly FlowEdge[], editable: boolean): FlowEdge[] {
  const selected = new Set(previous.filter((edge) => edge.selected).map((edge) => edge.id));
  return graph.edges.map((edge) => {
    const derived = edge.data.index === null;
    const classes = [derived ? "canvas-edge-start" : "canvas-edge"];
    if (edge.data.errors.length) classes.push("has-error");
    const branch = edge.data.branch;
    return {
      id: edge.id,
      source: edge.source,
      target: edge.target,
      sourceHandle: edge.sourceHandle,
      targetHandle: edge.targetHandle,
      data: edge.data,
      selected: selected.has(edge.id),
      selectable: editable && !derived,
      deletable: editable && !derived,
      focusable: !derived,
      className: classes.join(" "),
      ...(branch ? { label: branch } : {}),
      markerEnd: { type: MarkerType.ArrowClosed },
      ariaLabel: derived
        ? `Start: trigger leads to ${edge.target}`
        : `Edge ${edge.source} → ${edge.target}${branch ? `, branch ${branch}` : ""}${
            edge.data.errors.length ? `, error: ${edge.data.errors.join("; ")}` : ""
          }`,
    };
  });
}

function isTyping(target: EventTarget): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))
  );
}

function Canvas({
  definition,
  onChange,
  onUndo,
  onRedo,
  canUndo = false,
  canRedo = false,
  onSelect,
  errors,
  run,
  label = "Workflow canvas",
}: WorkflowCanvasProps) {
  const id = useId();
  const editable = onChange !== undefined;
  const flow = useReactFlow();
  const wrapper = useRef<HTMLDivElement>(null);
  const graph = useMemo(
    () => definitionToGraph(definition, { errors, run }),
    [definition, errors, run],
  );

  // What React Flow shows: the graph, plus what is in flight (a drag, the selection).
  // Rebuilt from the graph whenever the definition changes.
  const pendingSelect = useRef<string | null>(null);
  const [nodes, setNodes] = useState<FlowNode[]>(() => flowNodes(graph, [], editable, null));
  const [edges, setEdges] = useState<FlowEdge[]>(() => flowEdges(graph, [], editable));
  const [shownGraph, setShownGraph] = useState(graph);
  if (shownGraph !== graph) {
    setShownGraph(graph);
    const select = pendingSelect.current;
    setNodes(flowNodes(graph, nodes, editable, select));
    setEdges(flowEdges(graph, edges, editable));
  }
  const [message, setMessage] = useState<{ text: string; refused: boolean }>({
    text: "",
    refused: false,
  });

  const selectedNodes = nodes.filter((node) => node.selected);
  const selectedStep =
    selectedNodes.length === 1 && selectedNodes[0]?.type === "step" ? selectedNodes[0].id : null;
  const selectedEdges = edges.filter((edge) => edge.selected);
  const selectedCount = selectedNodes.length + selectedEdges.length;

  // Report the selection; after an add or duplicate, focus the new node.
  const selectedKey = selectedNodes.length === 1 ? (selectedNodes[0]?.id ?? null) : null;
  const lastReported = useRef<string | null>(null);
  useEffect(() => {
    if (lastReported.current !== selectedKey) {
      lastReported.current = selectedKey;
      onSelect?.(selectedKey);
    }
  }, [selectedKey, onSelect]);
  useEffect(() => {
    const focus = pendingSelect.current;
    if (focus === null || !nodes.some((node) => node.id === focus)) return;
    pendingSelect.current = null;
    // React Flow draws the node a frame or two after it is in its props, hidden until
    // it is measured (and a hidden element takes no focus).
    let tries = 0;
    const attempt = () => {
      const element = wrapper.current?.querySelector<HTMLElement>(
        `.react-flow__node[data-id="${CSS.escape(focus)}"]`,
      );
      element?.focus();
      if (element && document.activeElement === element) return;
      if ((tries += 1) < 60) window.requestAnimationFrame(attempt);
    };
    attempt();
  }, [nodes]);

  function change(next: JsonObject, key?: string | null, select?: string) {
    if (!onChange) return;
    if (select !== undefined) pendingSelect.current = select;
    setMessage({ text: "", refused: false });
    onChange(next, key);
  }

  function onNodesChange(changes: NodeChange[]) {
    const next = applyNodeChanges(changes, nodes);
    setNodes(next);
    if (!editable) return;
    // A drag ended, or a node moved with the arrow keys: save where it is.
    const moves = new Map<string, Point>();
    for (const item of changes) {
      if (item.type === "position" && item.dragging === false && item.position) {
        if (triggerIndex(item.id) === null) moves.set(item.id, item.position);
      }
    }
    if (moves.size) change(moveNodes(definition, moves), `move:${[...moves.keys()].join(",")}`);
  }

  function onEdgesChange(changes: EdgeChange[]) {
    // Removal goes through deleteSelected (one undo step); the rest is selection.
    setEdges(
      applyEdgeChanges(
        changes.filter((item) => item.type !== "remove"),
        edges,
      ),
    );
  }

  function onConnect(connection: FlowConnection) {
    const result = connect(definition, {
      source: connection.source,
      sourceHandle: connection.sourceHandle,
      target: connection.target,
    });
    if (result.refused) setMessage({ text: result.refused, refused: true });
    else change(result.definition);
  }

  function deleteSelected() {
    if (!selectedCount) return;
    const stepIds: string[] = [];
    const triggers: number[] = [];
    for (const node of selectedNodes) {
      const index = triggerIndex(node.id);
      if (index === null) stepIds.push(node.id);
      else triggers.push(index);
    }
    const edgeIndexes = selectedEdges
      .map((edge) => edgeIndex(edge.id))
      .filter((index): index is number => index !== null);
    change(removeElements(definition, { nodes: stepIds, edges: edgeIndexes, triggers }));
    setMessage({
      text: `Deleted ${selectedCount === 1 ? "1 item" : `${selectedCount} items`}.`,
      refused: false,
    });
    keepFocus();
  }

  function duplicateSelected() {
    if (!selectedStep) return;
    const copy = duplicateStep(definition, selectedStep);
    if (copy) change(copy.definition, null, copy.id);
  }

  function addNodeOfType(type: string, at?: Point) {
    if (isNodeType(type)) {
      const added = addStep(definition, type, { at, after: at ? null : selectedStep });
      change(added.definition, null, added.id);
    } else if (isTriggerType(type)) {
      const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
      change(addTrigger(definition, starterTrigger(type, timezone)));
    }
  }

  /** After an edit that may remove the focused node, keep the keyboard in the canvas. */
  function keepFocus() {
    window.requestAnimationFrame(() => {
      const active = document.activeElement;
      if (!active || active === document.body || !wrapper.current?.contains(active)) {
        wrapper.current?.focus();
      }
    });
  }

  function undoEdit() {
    onUndo?.();
    keepFocus();
  }

  function redoEdit() {
    onRedo?.();
    keepFocus();
  }

  function handleKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (!editable || isTyping(event.target)) return;
    const mod = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if ((event.key === "Delete" || event.key === "Backspace") && !mod) {
      if (!selectedCount) return;
      event.preventDefault();
      deleteSelected();
    } else if (mod && key === "z") {
      event.preventDefault();
      if (event.shiftKey) redoEdit();
      else undoEdit();
    } else if (mod && key === "y") {
      event.preventDefault();
      redoEdit();
    } else if (mod && key === "d") {
      event.preventDefault();
      duplicateSelected();
    }
  }

  function handleDrop(event: DragEvent<HTMLDivElement>) {
    const type = event.dataTransfer.getData(DRAG_TYPE);
    if (!type) return;
    event.preventDefault();
    const at = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
    addNodeOfType(type, { x: at.x - 110, y: at.y - 30 });
  }

  const helpId = `${id}-help`;
  return (
    <div
      className={`workflow-canvas${editable ? "" : " read-only"}`}
      ref={wrapper}
      tabIndex={-1}
      onKeyDown={handleKeyDown}
      data-testid="workflow-canvas"
    >
      {editable && <Palette onAdd={(type) => addNodeOfType(type)} selectedStep={selectedStep} />}
      <div className="canvas-main">
        {editable && (
          <div className="canvas-toolbar row" role="toolbar" aria-label="Canvas actions">
            <button
              type="button"
              className="secondary small"
              disabled={!canUndo}
              onClick={undoEdit}
              aria-keyshortcuts="Control+Z"
            >
              Undo
            </button>
            <button
              type="button"
              className="secondary small"
              disabled={!canRedo}
              onClick={redoEdit}
              aria-keyshortcuts="Control+Shift+Z Control+Y"
            >
              Redo
            </button>
            <button
              type="button"
              className="secondary small"
              disabled={!selectedStep}
              onClick={duplicateSelected}
              aria-keyshortcuts="Control+D"
            >
              Duplicate
            </button>
            <button
              type="button"
              className="secondary small"
              disabled={!selectedCount}
              onClick={deleteSelected}
              aria-keyshortcuts="Delete"
            >
              Delete
            </button>
            <button
              type="button"
              className="secondary small"
              disabled={!graph.nodes.length}
              onClick={() => {
                change(autoLayout(definition));
                window.requestAnimationFrame(() => void flow.fitView({ padding: 0.2 }));
              }}
            >
              Auto layout
            </button>
            <button
              type="button"
              className="secondary small"
              onClick={() => void flow.fitView({ padding: 0.2 })}
            >
              Fit view
            </button>
          </div>
        )}
        <p id={helpId} className="muted canvas-help">
          {editable
            ? "Tab to a step, Enter selects it; arrow keys move it, Delete removes it, Ctrl+D duplicates, Ctrl+Z / Ctrl+Shift+Z undo and redo. Drag from a handle to another step to connect, or use Connect below."
            : "Tab to a step to hear its state."}
        </p>
        <div
          className="canvas-flow"
          role="region"
          aria-label={label}
          aria-describedby={helpId}
          onDragOver={(event) => {
            if (editable && event.dataTransfer.types.includes(DRAG_TYPE)) {
              event.preventDefault();
              event.dataTransfer.dropEffect = "copy";
            }
          }}
          onDrop={editable ? handleDrop : undefined}
        >
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={NODE_TYPES_MAP}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={editable ? onConnect : undefined}
            nodesDraggable={editable}
            nodesConnectable={editable}
            edgesFocusable
            deleteKeyCode={null}
            fitView
            fitViewOptions={{ padding: 0.2 }}
            minZoom={0.2}
          >
            <Background gap={20} />
            <Controls showInteractive={false} />
          </ReactFlow>
        </div>
        <p
          className={`canvas-message${message.refused ? " refused" : ""}`}
          role="status"
          data-testid="canvas-message"
        >
          {message.text}
        </p>
        {editable && selectedStep && (
          <ConnectForm
            key={selectedStep}
            definition={definition}
            source={selectedStep}
            onConnect={(connection) => onConnect({ ...connection, targetHandle: null })}
          />
        )}
      </div>
    </div>
  );
}

function Palette({
  onAdd,
  selectedStep,
}: {
  onAdd: (type: string) => void;
  selectedStep: string | null;
}) {
  const start = (type: string) => (event: DragEvent<HTMLButtonElement>) => {
    event.dataTransfer.setData(DRAG_TYPE, type);
    event.dataTransfer.effectAllowed = "copy";
  };
  return (
    <aside className="canvas-palette" aria-label="Palette">
      <h3>Steps</h3>
      <p className="muted">
        {selectedStep ? `Added after “${selectedStep}”.` : "Click to add, or drag onto the canvas."}
      </p>
      <ul>
        {NODE_TYPES.map((type) => (
          <li key={type}>
            <button
              type="button"
              className={`palette-item palette-${type}`}
              draggable
              onDragStart={start(type)}
              onClick={() => onAdd(type)}
              aria-label={`Add ${NODE_LABELS[type]} step`}
            >
              {NODE_LABELS[type]}
            </button>
          </li>
        ))}
      </ul>
      <h3>Triggers</h3>
      <ul>
        {TRIGGER_TYPES.map((type) => (
          <li key={type}>
            <button
              type="button"
              className="palette-item palette-trigger"
              draggable
              onDragStart={start(type)}
              onClick={() => onAdd(type)}
              aria-label={`Add ${TRIGGER_LABELS[type]} trigger`}
            >
              {TRIGGER_LABELS[type]}
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}

/** Connecting by keyboard: the selected step's output (or branch) to another step. */
function ConnectForm({
  definition,
  source,
  onConnect,
}: {
  definition: JsonObject;
  source: string;
  onConnect: (connection: FlowConnection) => void;
}) {
  const id = useId();
  const nodes = (Array.isArray(definition.nodes) ? definition.nodes : []) as StepJson[];
  const edges = (Array.isArray(definition.edges) ? definition.edges : []) as JsonObject[];
  const node = nodes.find((item) => item.id === source);
  const outputs = node ? outputsOf(node, edges).filter((output) => output.known) : [];
  const targets = stepChoices(definition).filter((choice) => choice.id !== source);
  const [output, setOutput] = useState(outputs[0]?.id ?? "");
  const [target, setTarget] = useState(targets[0]?.id ?? "");
  if (!node || !targets.length || !outputs.length) return null;
  return (
    <div className="canvas-connect row" role="group" aria-label={`Connect ${source}`}>
      {outputs.length > 1 && (
        <span className="field-inline">
          <label htmlFor={`${id}-output`}>Branch</label>
          <select
            id={`${id}-output`}
            value={output}
            onChange={(event) => setOutput(event.target.value)}
          >
            {outputs.map((item) => (
              <option key={item.id} value={item.id}>
                {item.label}
              </option>
            ))}
          </select>
        </span>
      )}
      <span className="field-inline">
        <label htmlFor={`${id}-target`}>Connect “{source}” to</label>
        <select
          id={`${id}-target`}
          value={target}
          onChange={(event) => setTarget(event.target.value)}
        >
          {targets.map((item) => (
            <option key={item.id} value={item.id}>
              {item.label}
            </option>
          ))}
        </select>
      </span>
      <button
        type="button"
        className="secondary small"
        onClick={() => onConnect({ source, sourceHandle: output, target, targetHandle: null })}
      >
        Connect
      </button>
    </div>
  );
}
