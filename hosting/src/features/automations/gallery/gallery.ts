/**
 * The workflow gallery: the ready workflows of `shared/workflows/gallery` (exported to
 * `wire/gallery.json` by tools/export_wire_schemas.py), read and checked once, a new
 * editor draft from one of them, and what a gallery card says about one (the trigger and
 * step types it uses). Pure: the gallery component and the editor's creation path use it,
 * unit tests drive it.
 */
import type { JsonObject, JsonValue } from "../../../types/json";
import { DEFINITION_KEYS, type WorkflowDefinition } from "../../../types/workflows";
import rawGallery from "../../../wire/gallery.json";
import type { Draft } from "../hooks/workflowEditor";
import { STARTER_DEFINITION } from "../utils/definition";
import { formatJson } from "../utils/json";

/** One ready workflow: its id (the server's file name), what its card shows, its definition. */
export interface GalleryTemplate {
  id: string;
  name: string;
  description: string;
  /** As `save_workflow` accepts it (name and description included, no id). */
  definition: JsonObject;
}

/** The id that stands for the blank workflow (the starter example) in the gallery. */
export const BLANK_ID = "blank";

/** The blank choice, as a template: the editor's starter example. */
export const BLANK_TEMPLATE: GalleryTemplate = {
  id: BLANK_ID,
  name: "Blank workflow",
  description: "Start from a small example to edit: a manual trigger and three steps.",
  definition: STARTER_DEFINITION as unknown as JsonObject,
};

const STEP_LABELS: Record<string, string> = {
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

const TRIGGER_LABELS: Record<string, string> = {
  manual: "Manual",
  webhook: "Webhook",
  schedule: "Schedule",
  event: "Event",
  firestore: "Firestore change",
};

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The gallery as exported (`[{id, name, description, definition}]`), checked: an entry
 * without a string id, name and description, or whose definition is not an object with a
 * list of nodes, is left out (and a repeated id is kept once), so a bad export cannot
 * break the page.
 */
export function parseGallery(raw: unknown): GalleryTemplate[] {
  if (!Array.isArray(raw)) return [];
  const found: GalleryTemplate[] = [];
  const seen = new Set<string>([BLANK_ID]);
  for (const entry of raw as JsonValue[]) {
    if (!isObject(entry)) continue;
    const { id, name, description, definition } = entry;
    if (typeof id !== "string" || !id || seen.has(id)) continue;
    if (typeof name !== "string" || typeof description !== "string") continue;
    if (!isObject(definition) || !Array.isArray(definition.nodes)) continue;
    seen.add(id);
    found.push({ id, name, description, definition });
  }
  return found;
}

/** The ready workflows, in the export's order (by id). */
export const GALLERY: readonly GalleryTemplate[] = parseGallery(rawGallery);

/** The template `id` names (the blank one included), or null for an unknown id. */
export function findTemplate(
  id: string | null | undefined,
  gallery: readonly GalleryTemplate[] = GALLERY,
): GalleryTemplate | null {
  if (!id) return null;
  if (id === BLANK_ID) return BLANK_TEMPLATE;
  return gallery.find((template) => template.id === id) ?? null;
}

/**
 * A new, unsaved editor draft from `template`: its name and description in the form's
 * fields, status draft (a schedule arms only once the user activates it), and the
 * definition's own keys (nodes, edges, variables, triggers, settings) as the text, in the
 * template's order, positions kept.
 */
export function templateDraft(template: GalleryTemplate): Draft {
  const definition: JsonObject = {};
  for (const [key, value] of Object.entries(template.definition)) {
    if ((DEFINITION_KEYS as readonly string[]).includes(key)) definition[key] = value;
  }
  if (!Array.isArray(definition.nodes)) definition.nodes = [];
  const name = template.definition.name;
  const description = template.definition.description;
  return {
    name: (typeof name === "string" && name.trim()) || template.name,
    description: typeof description === "string" ? description : template.description,
    status: "draft",
    text: `${formatJson(structuredCloneJson(definition))}\n`,
    baseVersion: undefined,
  };
}

/** A deep copy, so the draft never shares objects with the gallery. */
function structuredCloneJson<T extends JsonValue>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A type a card lists: its label, and how many of the workflow's steps (or triggers) have it. */
export interface UsedType {
  type: string;
  label: string;
  count: number;
}

/** What a card says a workflow uses: its triggers' and its steps' types, each once. */
export interface TemplateUses {
  triggers: UsedType[];
  steps: UsedType[];
}

function countTypes(items: JsonValue | undefined, labels: Record<string, string>): UsedType[] {
  const used = new Map<string, UsedType>();
  for (const item of Array.isArray(items) ? items : []) {
    const type = isObject(item) && typeof item.type === "string" ? item.type : null;
    if (!type) continue;
    const known = used.get(type);
    if (known) known.count += 1;
    else used.set(type, { type, label: labels[type] ?? type, count: 1 });
  }
  // In the order the workflow first uses them.
  return [...used.values()];
}

/** The trigger and step types `definition` uses, in order of first use, with counts. */
export function templateUses(definition: JsonObject | WorkflowDefinition): TemplateUses {
  const value = definition as unknown as JsonObject;
  return {
    triggers: countTypes(value.triggers, TRIGGER_LABELS),
    steps: countTypes(value.nodes, STEP_LABELS),
  };
}

/** One line for a card or a screen reader: "Webhook trigger; steps: AI, Notify ×2". */
export function usesSentence(uses: TemplateUses): string {
  const list = (types: UsedType[]) =>
    types.map(({ label, count }) => (count > 1 ? `${label} ×${count}` : label)).join(", ");
  const parts: string[] = [];
  if (uses.triggers.length > 0) {
    parts.push(`${list(uses.triggers)} trigger${uses.triggers.length > 1 ? "s" : ""}`);
  } else {
    parts.push("no trigger");
  }
  parts.push(`steps: ${uses.steps.length > 0 ? list(uses.steps) : "none"}`);
  return parts.join("; ");
}

/** The URL of the editor opening a new draft from `templateId` (the blank one: no query). */
export function newWorkflowUrl(templateId: string): string {
  return templateId === BLANK_ID
    ? "/automations/new"
    : `/automations/new?template=${encodeURIComponent(templateId)}`;
}
