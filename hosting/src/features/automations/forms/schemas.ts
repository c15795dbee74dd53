/**
 * The editor's form schemas and their validators, both generated from the server's
 * pydantic models: `src/wire/schemas/workflow-forms.json` (tools/export_wire_schemas.py)
 * and `src/wire/validators/workflowForms.js` (ajv standalone code, compiled by
 * `npm run gen:wire`). Nothing is compiled here at run time.
 */
import forms from "../../../wire/schemas/workflow-forms.json";
import * as compiled from "../../../wire/validators/workflowForms.js";
import { formSchema, uiSchemaFor, type JsonSchema, type UiSchema } from "./formSchema";
import type { CompiledValidator } from "./validator";

type Forms = {
  nodes: Record<string, JsonSchema>;
  nodeBase: JsonSchema;
  triggers: Record<string, JsonSchema>;
  definition: JsonSchema;
};

const FORMS = forms as unknown as Forms;

export const FORM_NODE_TYPES = Object.keys(FORMS.nodes);
export const FORM_TRIGGER_TYPES = Object.keys(FORMS.triggers);

/** The raw (server) schema of a node type's config, a trigger, the node base, the definition. */
export function rawSchema(kind: "node" | "trigger" | "nodeBase" | "definition", type = ""): JsonSchema | undefined {
  if (kind === "node") return FORMS.nodes[type];
  if (kind === "trigger") return FORMS.triggers[type];
  if (kind === "nodeBase") return FORMS.nodeBase;
  return FORMS.definition;
}

const NODE_VALIDATORS: Readonly<Record<string, CompiledValidator>> = compiled.nodes;
const TRIGGER_VALIDATORS: Readonly<Record<string, CompiledValidator>> = compiled.triggers;

/** The compiled validator of a node type's config, a trigger, or the fields every node has. */
export function compiledFor(
  kind: "node" | "trigger" | "nodeBase",
  type = "",
): CompiledValidator | undefined {
  if (kind === "node") return NODE_VALIDATORS[type];
  if (kind === "trigger") return TRIGGER_VALIDATORS[type];
  return compiled.nodeBase;
}

export interface FormSpec {
  schema: JsonSchema;
  uiSchema: UiSchema;
}

/** The form of a node's config (`kind` "node") or of a trigger. */
export function formSpec(kind: "node" | "trigger", type: string): FormSpec | null {
  const raw = rawSchema(kind, type);
  if (!raw) return null;
  const schema = formSchema(raw);
  delete schema.title;
  delete schema.description;
  return { schema, uiSchema: uiSchemaFor(kind, type, raw) };
}

/** The fields every node has that the inspector edits: name, retry, continue on error. */
export const NODE_BASE_FIELDS = ["name", "retry", "continueOnError"] as const;

export function nodeBaseSpec(): FormSpec {
  const raw = FORMS.nodeBase;
  const full = formSchema(raw);
  const properties = (full.properties ?? {}) as Record<string, JsonSchema>;
  const schema: JsonSchema = {
    type: "object",
    properties: Object.fromEntries(
      NODE_BASE_FIELDS.flatMap((key) => (properties[key] ? [[key, properties[key]]] : [])),
    ),
  };
  const retryDefaults = (raw.$defs as Record<string, JsonSchema> | undefined)?.Retry;
  const ui: UiSchema = {
    "ui:order": [...NODE_BASE_FIELDS],
    retry: retryDefaults ? uiSchemaFor("node", "", retryDefaults) : {},
  };
  return { schema, uiSchema: ui };
}

/**
 * The definition's schema as the JSON view holds it: name, description and status have
 * fields of their own in the editor, so the JSON may leave them out.
 */
export function editorDefinitionSchema(): JsonSchema {
  const schema = { ...FORMS.definition };
  if (Array.isArray(schema.required)) {
    schema.required = schema.required.filter((key) => key !== "name");
  }
  return schema;
}
