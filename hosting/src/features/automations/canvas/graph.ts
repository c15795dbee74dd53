/**
 * The workflow definition as a graph for the canvas, and back; and the edits the canvas
 * makes (add, connect, move, duplicate, delete, lay out), each a pure function from a
 * definition to the next one. The definition is the parsed JSON the editor holds: every
 * key the canvas does not edit (variables, settings, a node's config, retry, ...) passes
 * through untouched, so definition → graph → definition gives the same definition, with
 * every node's `position` filled in.
 *
 * Triggers are drawn as start nodes (ids `@trigger-N`, not valid node ids) with derived,
 * unsaved edges to the steps nothing leads to; their place is computed, never saved.
 */
import dagre from "@dagrejs/dagre";
import type { JsonObject, JsonValue } from "../../../types/json";
import { NODE_TYPES, type NodeType, type NodePosition } from "../../../types/workflows";

export const TRIGGER_TYPES = ["manual", "webhook", "schedule", "event", "firestore"] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

export type Point = NodePosition;

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 78;
export const TRIGGER_WIDTH = 180;
export const TRIGGER_HEIGHT = 52;
/** Room per named output handle along a node's bottom edge. */
const HANDLE_ROOM = 64;
const GAP_Y = 120;
/** Positions are saved bounded (the server refuses beyond this). */
const POSITION_LIMIT = 100_000;

export const IN_HANDLE = "in";
/** The output of a step that is not a branch (decision: followed whichever it takes). */
export const OUT_HANDLE = "out";
const BRANCH_PREFIX = "branch:";
const DECISION_BRANCHES = ["act", "ask"] as const;

export function branchHandle(branch: string): string {
  return `${BRANCH_PREFIX}${branch}`;
}

/** The branch an output handle stands for (null: the plain output). */
export function handleBranch(handle: string | null | undefined): string | null {
  return handle?.startsWith(BRANCH_PREFIX) ? handle.slice(BRANCH_PREFIX.length) : null;
}

export function triggerNodeId(index: number): string {
  return `@trigger-${index}`;
}

export function triggerIndex(id: string): number | null {
  const match = /^@trigger-(\d+)$/.exec(id);
  return match ? Number(match[1]) : null;
}

export function edgeElementId(index: number): string {
  return `@edge-${index}`;
}

export function edgeIndex(id: string): number | null {
  const match = /^@edge-(\d+)$/.exec(id);
  return match ? Number(match[1]) : null;
}

// --- reading the definition -------------------------------------------------------------

type Item = JsonObject;
export type StepJson = JsonObject & { id: string; type: string };

interface Parts {
  nodes: StepJson[];
  edges: Item[];
  triggers: Item[];
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: JsonValue | undefined): string | null {
  return typeof value === "string" ? value : null;
}

function list(definition: JsonObject, key: string): JsonValue[] {
  const value = definition[key];
  return Array.isArray(value) ? value : [];
}

/**
 * Why the canvas cannot show the definition without losing part of it (null: it can).
 * Only the shape the canvas relies on is checked; the server checks everything else.
 */
export function canvasProblem(definition: JsonObject): string | null {
  for (const key of ["nodes", "edges", "triggers"]) {
    const value = definition[key];
    if (value !== undefined && !Array.isArray(value)) return `"${key}" must be a list.`;
  }
  const ids = new Set<string>();
  for (const [index, node] of list(definition, "nodes").entries()) {
    if (!isObject(node) || str(node.id) === null || str(node.type) === null) {
      return `nodes[${index}] needs an "id" and a "type".`;
    }
    const id = node.id as string;
    if (id.startsWith("@")) return `nodes[${index}]: "${id}" is not a node id.`;
    if (ids.has(id)) return `Two nodes have the id "${id}".`;
    ids.add(id);
  }
  for (const [index, edge] of list(definition, "edges").entries()) {
    if (!isObject(edge) || str(edge.from) === null || str(edge.to) === null) {
      return `edges[${index}] needs "from" and "to".`;
    }
  }
  for (const [index, trigger] of list(definition, "triggers").entries()) {
    if (!isObject(trigger) || str(trigger.type) === null) {
      return `triggers[${index}] needs a "type".`;
    }
  }
  return null;
}

function parts(definition: JsonObject): Parts {
  const problem = canvasProblem(definition);
  if (problem) throw new Error(problem);
  return {
    nodes: list(definition, "nodes") as StepJson[],
    edges: list(definition, "edges") as Item[],
    triggers: list(definition, "triggers") as Item[],
  };
}

export function storedPosition(node: JsonObject): Point | null {
  const position = node.position;
  if (!isObject(position)) return null;
  const { x, y } = position;
  return typeof x === "number" && typeof y === "number" && Number.isFinite(x) && Number.isFinite(y)
    ? { x, y }
    : null;
}

// --- outputs ------------------------------------------------------------------------------

export interface OutputHandle {
  id: string;
  branch: string | null;
  label: string;
  /** false: an edge uses a branch the node does not have (the server will say so). */
  known: boolean;
}

/** A condition's branches (its cases', then its default), in order, without repeats. */
export function conditionBranches(node: JsonObject): { branch: string; isDefault: boolean }[] {
  const config = isObject(node.config) ? node.config : {};
  const found: { branch: string; isDefault: boolean }[] = [];
  const cases = Array.isArray(config.cases) ? config.cases : [];
  for (const item of cases) {
    const branch = isObject(item) ? str(item.branch) : null;
    if (branch && !found.some((b) => b.branch === branch)) found.push({ branch, isDefault: false });
  }
  const fallback = str(config.default);
  if (fallback && !found.some((b) => b.branch === fallback)) {
    found.push({ branch: fallback, isDefault: true });
  }
  return found;
}

/** The output handles of a step: one per branch (condition, decision) or a plain one. */
export function outputsOf(node: StepJson, edges: readonly Item[] = []): OutputHandle[] {
  const outputs: OutputHandle[] = [];
  if (node.type === "condition") {
    for (const { branch, isDefault } of conditionBranches(node)) {
      outputs.push({
        id: branchHandle(branch),
        branch,
        label: isDefault ? `${branch} (default)` : branch,
        known: true,
      });
    }
  } else if (node.type === "decision") {
    for (const branch of DECISION_BRANCHES) {
      outputs.push({ id: branchHandle(branch), branch, label: branch, known: true });
    }
    outputs.push({ id: OUT_HANDLE, branch: null, label: "either", known: true });
  } else {
    outputs.push({ id: OUT_HANDLE, branch: null, label: "next", known: true });
  }
  // Edges naming a branch the node lacks (or none where one is needed) stay visible.
  for (const edge of edges) {
    if (edge.from !== node.id) continue;
    const branch = str(edge.branch);
    const id = branch ? branchHandle(branch) : OUT_HANDLE;
    if (!outputs.some((output) => output.id === id)) {
      outputs.push({ id, branch, label: branch ?? "next", known: false });
    }
  }
  return outputs;
}

function nodeWidth(node: StepJson, edges: readonly Item[]): number {
  return Math.max(NODE_WIDTH, outputsOf(node, edges).length * HANDLE_ROOM);
}

// --- layout -----------------------------------------------------------------------------

/** Where dagre puts every node (top-left corners), top to bottom along the edges. */
export function layoutPositions(definition: JsonObject): Map<string, Point> {
  const { nodes, edges } = parts(definition);
  const graph = new dagre.graphlib.Graph({ multigraph: true });
  graph.setGraph({ rankdir: "TB", nodesep: 40, ranksep: 70, marginx: 0, marginy: 0 });
  graph.setDefaultEdgeLabel(() => ({}));
  const widths = new Map<string, number>();
  for (const node of nodes) {
    const width = nodeWidth(node, edges);
    widths.set(node.id, width);
    graph.setNode(node.id, { width, height: NODE_HEIGHT });
  }
  const ids = new Set(nodes.map((node) => node.id));
  for (const [index, edge] of edges.entries()) {
    const from = edge.from as string;
    const to = edge.to as string;
    if (ids.has(from) && ids.has(to) && from !== to) graph.setEdge(from, to, {}, String(index));
  }
  dagre.layout(graph);
  const positions = new Map<string, Point>();
  for (const node of nodes) {
    const laid = graph.node(node.id) as { x: number; y: number } | undefined;
    const width = widths.get(node.id) ?? NODE_WIDTH;
    positions.set(node.id, {
      x: Math.round((laid?.x ?? 0) - width / 2),
      y: Math.round((laid?.y ?? 0) - NODE_HEIGHT / 2),
    });
  }
  return positions;
}

/**
 * Every node's place: its saved position, or (for nodes without one) dagre's, shifted
 * by how far the saved ones sit from where dagre would put them, so a node added in the
 * JSON lands near its neighbours. `laidOut` lists the nodes placed here.
 */
export function placeNodes(definition: JsonObject): {
  positions: Map<string, Point>;
  laidOut: Set<string>;
} {
  const { nodes } = parts(definition);
  const positions = new Map<string, Point>();
  const laidOut = new Set<string>();
  for (const node of nodes) {
    const saved = storedPosition(node);
    if (saved) positions.set(node.id, saved);
    else laidOut.add(node.id);
  }
  if (laidOut.size === 0) return { positions, laidOut };
  const layout = layoutPositions(definition);
  let dx = 0;
  let dy = 0;
  if (positions.size > 0) {
    for (const [id, saved] of positions) {
      const laid = layout.get(id) ?? saved;
      dx += saved.x - laid.x;
      dy += saved.y - laid.y;
    }
    dx /= positions.size;
    dy /= positions.size;
  }
  for (const id of laidOut) {
    const laid = layout.get(id) ?? { x: 0, y: 0 };
    positions.set(id, clampPoint({ x: laid.x + dx, y: laid.y + dy }));
  }
  return { positions, laidOut };
}

function clampPoint({ x, y }: Point): Point {
  const clamp = (value: number) =>
    Math.round(Math.min(POSITION_LIMIT, Math.max(-POSITION_LIMIT, value)));
  return { x: clamp(x), y: clamp(y) };
}

/** Triggers in a row above the topmost steps, centred over the steps nothing leads to. */
function triggerPositions(
  count: number,
  nodes: readonly StepJson[],
  edges: readonly Item[],
  positions: ReadonlyMap<string, Point>,
): Point[] {
  if (count === 0) return [];
  const all = [...positions.values()];
  const top = all.length ? Math.min(...all.map((p) => p.y)) : 0;
  const roots = rootIds(nodes, edges)
    .map((id) => positions.get(id))
    .filter((p): p is Point => p !== undefined);
  const anchor = roots.length ? roots : all;
  const centre = anchor.length
    ? anchor.reduce((sum, p) => sum + p.x + NODE_WIDTH / 2, 0) / anchor.length
    : NODE_WIDTH / 2;
  const span = count * TRIGGER_WIDTH + (count - 1) * 24;
  return Array.from({ length: count }, (_, index) => ({
    x: Math.round(centre - span / 2 + index * (TRIGGER_WIDTH + 24)),
    y: top - TRIGGER_HEIGHT - 60,
  }));
}

/** The steps no edge leads to: where a run starts. */
export function rootIds(nodes: readonly StepJson[], edges: readonly Item[]): string[] {
  const targets = new Set(edges.map((edge) => edge.to as string));
  return nodes.filter((node) => !targets.has(node.id)).map((node) => node.id);
}

// --- the graph ----------------------------------------------------------------------------

export interface RunBadge {
  status: string;
  attempts?: number;
  durationMs?: number | null;
}

export type StepData = {
  kind: "step";
  /** The node as the definition holds it. */
  node: StepJson;
  index: number;
  outputs: OutputHandle[];
  errors: string[];
  run: RunBadge | null;
};

export type TriggerData = {
  kind: "trigger";
  trigger: JsonObject;
  index: number;
  errors: string[];
};

export interface GraphNode {
  id: string;
  type: "step" | "trigger";
  position: Point;
  data: StepData | TriggerData;
  /** Placed by the layout, not saved in the definition (yet). */
  laidOut: boolean;
}

export type EdgeData = {
  /** Index in the definition's edges; null for a trigger's derived edge. */
  index: number | null;
  edge: JsonObject | null;
  branch: string | null;
  errors: string[];
};

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle: string;
  targetHandle: string;
  data: EdgeData;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface GraphOptions {
  /** Messages by element id: a node id, `@trigger-N` or `@edge-N`. */
  errors?: Readonly<Record<string, readonly string[]>>;
  /** A run's state by node id. */
  run?: Readonly<Record<string, RunBadge>>;
}

/** The definition as canvas nodes and edges (see canvasProblem for what it must be). */
export function definitionToGraph(definition: JsonObject, options: GraphOptions = {}): Graph {
  const { nodes, edges, triggers } = parts(definition);
  const errors = options.errors ?? {};
  const { positions, laidOut } = placeNodes(definition);
  const graphNodes: GraphNode[] = nodes.map((node, index) => ({
    id: node.id,
    type: "step",
    position: positions.get(node.id) ?? { x: 0, y: 0 },
    laidOut: laidOut.has(node.id),
    data: {
      kind: "step",
      node,
      index,
      outputs: outputsOf(node, edges),
      errors: [...(errors[node.id] ?? [])],
      run: options.run?.[node.id] ?? null,
    },
  }));
  const places = triggerPositions(triggers.length, nodes, edges, positions);
  triggers.forEach((trigger, index) => {
    const id = triggerNodeId(index);
    graphNodes.push({
      id,
      type: "trigger",
      position: places[index] ?? { x: 0, y: 0 },
      laidOut: true,
      data: { kind: "trigger", trigger, index, errors: [...(errors[id] ?? [])] },
    });
  });

  const graphEdges: GraphEdge[] = edges.map((edge, index) => {
    const branch = str(edge.branch);
    const id = edgeElementId(index);
    return {
      id,
      source: edge.from as string,
      target: edge.to as string,
      sourceHandle: branch ? branchHandle(branch) : OUT_HANDLE,
      targetHandle: IN_HANDLE,
      data: { index, edge, branch, errors: [...(errors[id] ?? [])] },
    };
  });
  const roots = rootIds(nodes, edges);
  triggers.forEach((_, index) => {
    for (const root of roots) {
      graphEdges.push({
        id: `${triggerNodeId(index)}->${root}`,
        source: triggerNodeId(index),
        target: root,
        sourceHandle: OUT_HANDLE,
        targetHandle: IN_HANDLE,
        data: { index: null, edge: null, branch: null, errors: [] },
      });
    }
  });
  return { nodes: graphNodes, edges: graphEdges };
}

function withPosition(node: StepJson, position: Point): StepJson {
  return { ...node, position: { ...clampPoint(position) } };
}

/**
 * The definition the graph shows: `definition`'s other keys kept, its nodes (every one
 * with its position), edges and triggers taken from the graph, in the graph's order.
 */
export function graphToDefinition(definition: JsonObject, graph: Graph): JsonObject {
  const nodes: JsonValue[] = [];
  const triggers: JsonValue[] = [];
  for (const node of graph.nodes) {
    if (node.data.kind === "step") nodes.push(withPosition(node.data.node, node.position));
    else triggers.push(node.data.trigger);
  }
  const edges: JsonValue[] = [];
  for (const edge of graph.edges) {
    if (edge.data.index === null) continue;
    const branch = handleBranch(edge.sourceHandle);
    const kept = edge.data.edge ?? {};
    const { branch: _old, ...rest } = kept;
    void _old;
    edges.push({ ...rest, from: edge.source, to: edge.target, ...(branch ? { branch } : {}) });
  }
  return replaceParts(definition, { nodes, edges, triggers });
}

/** `definition` with the given lists replaced, keeping its keys' order. */
function replaceParts(
  definition: JsonObject,
  changes: Partial<Record<"nodes" | "edges" | "triggers", JsonValue[]>>,
): JsonObject {
  const next: JsonObject = { ...definition };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    // An absent list stays absent while it is empty, so the text does not change for nothing.
    if (value.length === 0 && definition[key] === undefined) continue;
    next[key] = value;
  }
  return next;
}

// --- edits --------------------------------------------------------------------------------

/** Every node with its position (saved, or laid out now). */
export function withPositions(definition: JsonObject): JsonObject {
  const { nodes } = parts(definition);
  const { positions, laidOut } = placeNodes(definition);
  if (laidOut.size === 0) return definition;
  return replaceParts(definition, {
    nodes: nodes.map((node) => withPosition(node, positions.get(node.id) ?? { x: 0, y: 0 })),
  });
}

/** Every node placed afresh by the layout. */
export function autoLayout(definition: JsonObject): JsonObject {
  const { nodes } = parts(definition);
  const layout = layoutPositions(definition);
  return replaceParts(definition, {
    nodes: nodes.map((node) => withPosition(node, layout.get(node.id) ?? { x: 0, y: 0 })),
  });
}

/** Nodes moved to the given places (the others keep theirs, laid out if not saved). */
export function moveNodes(definition: JsonObject, moves: ReadonlyMap<string, Point>): JsonObject {
  const placed = withPositions(definition);
  const { nodes } = parts(placed);
  return replaceParts(placed, {
    nodes: nodes.map((node) => {
      const to = moves.get(node.id);
      return to ? withPosition(node, to) : node;
    }),
  });
}

/** A node id not yet used: `transform1`, `transform2`, ... */
export function freshId(definition: JsonObject, base: string): string {
  const taken = new Set(parts(definition).nodes.map((node) => node.id));
  const stem = /^[A-Za-z][A-Za-z0-9_-]*$/.test(base) ? base.replace(/\d+$/, "") || base : "step";
  for (let n = 1; ; n += 1) {
    const id = `${stem.slice(0, 60)}${n}`;
    if (!taken.has(id)) return id;
  }
}

/** What a new step of each type starts with: valid as it is. */
export const STARTER_CONFIGS: Record<NodeType, JsonObject> = {
  ai: { prompt: "Summarise this in two sentences: {{ input }}", output: "text" },
  http: { method: "GET", url: "https://example.com/" },
  delay: { seconds: 60 },
  condition: { cases: [{ branch: "yes", when: "true" }], default: "no" },
  transform: { template: "{{ input }}", output: "text" },
  task: { title: "Follow up" },
  notify: { title: "Heads up", body: "A workflow step ran." },
  event: { type: "workflow.note", data: {} },
  decision: { question: "Should I go ahead?", options: [] },
};

export const NODE_LABELS: Record<NodeType, string> = {
  ai: "AI",
  http: "HTTP request",
  delay: "Delay",
  condition: "Condition",
  transform: "Transform",
  task: "Create task",
  notify: "Notify",
  event: "Publish event",
  decision: "Decision",
};

export const TRIGGER_LABELS: Record<TriggerType, string> = {
  manual: "Manual",
  webhook: "Webhook",
  schedule: "Schedule",
  event: "Event",
  firestore: "Firestore change",
};

export function isNodeType(value: string): value is NodeType {
  return NODE_TYPES.some((type) => type === value);
}

export function isTriggerType(value: string): value is TriggerType {
  return TRIGGER_TYPES.some((type) => type === value);
}

/** What a new trigger of each type starts with. */
export function starterTrigger(type: TriggerType, timezone = "UTC"): JsonObject {
  switch (type) {
    case "manual":
    case "webhook":
      return { type };
    case "schedule":
      return { type, cron: "0 9 * * *", timezone };
    case "event":
      return { type, typePattern: "task.*" };
    case "firestore":
      return { type, collection: "tasks", on: ["create"] };
  }
}

/** The first output of `source` with no edge yet (null: all taken, or it has none free). */
export function freeOutput(definition: JsonObject, sourceId: string): OutputHandle | null {
  const { nodes, edges } = parts(definition);
  const source = nodes.find((node) => node.id === sourceId);
  if (!source) return null;
  const outputs = outputsOf(source, edges).filter((output) => output.known);
  if (source.type !== "condition") return outputs[outputs.length - 1] ?? null;
  return (
    outputs.find(
      (output) =>
        !edges.some((edge) => edge.from === sourceId && str(edge.branch) === output.branch),
    ) ?? null
  );
}

export interface Added {
  definition: JsonObject;
  id: string;
}

/**
 * A new step of `type` at `at` (default: below `after`, else below everything), with an
 * edge from `after` when it has a free output.
 */
export function addStep(
  definition: JsonObject,
  type: NodeType,
  options: { at?: Point; after?: string | null } = {},
): Added {
  const placed = withPositions(definition);
  const { nodes, edges } = parts(placed);
  const id = freshId(placed, type);
  const after = options.after ? nodes.find((node) => node.id === options.after) : undefined;
  let at = options.at;
  if (!at) {
    const anchor = after ? storedPosition(after) : null;
    if (anchor) {
      const siblings = edges.filter((edge) => edge.from === after?.id).length;
      at = { x: anchor.x + siblings * (NODE_WIDTH + 40), y: anchor.y + GAP_Y };
    } else {
      const all = nodes.map((node) => storedPosition(node) ?? { x: 0, y: 0 });
      at = all.length
        ? { x: Math.min(...all.map((p) => p.x)), y: Math.max(...all.map((p) => p.y)) + GAP_Y }
        : { x: 0, y: 0 };
    }
  }
  const node: StepJson = withPosition(
    { id, type, name: NODE_LABELS[type], config: structuredClone(STARTER_CONFIGS[type]) },
    at,
  );
  let next = replaceParts(placed, { nodes: [...nodes, node] });
  if (after) {
    const output = freeOutput(placed, after.id);
    if (output)
      next = connect(next, { source: after.id, sourceHandle: output.id, target: id }).definition;
  }
  return { definition: next, id };
}

/** A trigger of `type` added to the definition's triggers. */
export function addTrigger(definition: JsonObject, trigger: JsonObject): JsonObject {
  const { triggers } = parts(definition);
  return replaceParts(definition, { triggers: [...triggers, trigger] });
}

/** A copy of step `id` (new id, no edges), a little below and right of it. */
export function duplicateStep(definition: JsonObject, id: string): Added | null {
  const placed = withPositions(definition);
  const { nodes } = parts(placed);
  const original = nodes.find((node) => node.id === id);
  if (!original) return null;
  const copyId = freshId(placed, id);
  const at = storedPosition(original) ?? { x: 0, y: 0 };
  const name = str(original.name);
  const copy: StepJson = withPosition(
    {
      ...structuredClone(original),
      id: copyId,
      ...(name ? { name: `${name} (copy)`.slice(0, 100) } : {}),
    },
    { x: at.x + 40, y: at.y + 40 },
  );
  return { definition: replaceParts(placed, { nodes: [...nodes, copy] }), id: copyId };
}

export interface Removal {
  nodes?: readonly string[];
  edges?: readonly number[];
  triggers?: readonly number[];
}

/** The definition without the given steps (and their edges), edges and triggers. */
export function removeElements(definition: JsonObject, removal: Removal): JsonObject {
  const { nodes, edges, triggers } = parts(definition);
  const goneNodes = new Set(removal.nodes ?? []);
  const goneEdges = new Set(removal.edges ?? []);
  const goneTriggers = new Set(removal.triggers ?? []);
  if (goneNodes.size + goneEdges.size + goneTriggers.size === 0) return definition;
  return replaceParts(definition, {
    nodes: nodes.filter((node) => !goneNodes.has(node.id)),
    edges: edges.filter(
      (edge, index) =>
        !goneEdges.has(index) &&
        !goneNodes.has(edge.from as string) &&
        !goneNodes.has(edge.to as string),
    ),
    triggers: triggers.filter((_, index) => !goneTriggers.has(index)),
  });
}

export interface Connection {
  source: string;
  sourceHandle?: string | null;
  target: string;
}

/**
 * The definition with an edge for `connection`, or the reason there is none. A branch
 * leads to one step: connecting a branch that already has an edge moves that edge.
 */
export function connect(
  definition: JsonObject,
  connection: Connection,
): { definition: JsonObject; refused: string | null } {
  const { nodes, edges } = parts(definition);
  const { source, target } = connection;
  const refuse = (refused: string) => ({ definition, refused });
  const from = nodes.find((node) => node.id === source);
  if (!from || triggerIndex(source) !== null) {
    return refuse("A trigger starts the steps nothing leads to; connect steps to each other.");
  }
  if (!nodes.some((node) => node.id === target)) return refuse("Connect to a step.");
  if (source === target) return refuse("A step cannot lead to itself.");
  const branch = handleBranch(connection.sourceHandle);
  if (from.type === "condition" && branch === null) {
    return refuse(`Edges from condition “${source}” need a branch.`);
  }
  const same = (edge: Item) => edge.from === source && str(edge.branch) === branch;
  if (edges.some((edge) => same(edge) && edge.to === target)) {
    return refuse("These steps are connected already.");
  }
  const edge: JsonObject = { from: source, to: target, ...(branch ? { branch } : {}) };
  if (from.type === "condition") {
    const existing = edges.findIndex(same);
    if (existing >= 0) {
      const next = edges.map((item, index) =>
        index === existing ? { ...item, to: target } : item,
      );
      return { definition: replaceParts(definition, { edges: next }), refused: null };
    }
  }
  return { definition: replaceParts(definition, { edges: [...edges, edge] }), refused: null };
}

/** Steps and their labels, for pickers: "check — Big amount? (condition)". */
export function stepChoices(definition: JsonObject): { id: string; label: string }[] {
  return parts(definition).nodes.map((node) => {
    const name = str(node.name);
    return { id: node.id, label: `${node.id}${name ? ` — ${name}` : ""} (${node.type})` };
  });
}

/** The step (by id) or trigger (`@trigger-N`) `elementId` names, as the definition holds it. */
export function itemAt(definition: JsonObject, elementId: string): JsonObject | null {
  const { nodes, triggers } = parts(definition);
  const index = triggerIndex(elementId);
  if (index !== null) return triggers[index] ?? null;
  return nodes.find((node) => node.id === elementId) ?? null;
}

/** The definition with the step or trigger `elementId` names replaced by `item`. */
export function replaceItem(
  definition: JsonObject,
  elementId: string,
  item: JsonObject,
): JsonObject {
  const { nodes, triggers } = parts(definition);
  const index = triggerIndex(elementId);
  if (index !== null) {
    if (index >= triggers.length) return definition;
    return replaceParts(definition, {
      triggers: triggers.map((trigger, at) => (at === index ? item : trigger)),
    });
  }
  if (!nodes.some((node) => node.id === elementId)) return definition;
  return replaceParts(definition, {
    nodes: nodes.map((node) => (node.id === elementId ? item : node)),
  });
}
