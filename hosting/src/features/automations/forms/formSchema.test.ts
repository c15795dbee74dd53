import { describe, expect, it } from "vitest";
import {
  EXPRESSION_FIELDS,
  JSON_FIELDS,
  TRIGGER_EXPRESSION_FIELDS,
  fieldLabel,
  formSchema,
  pruneUndefined,
  sameJson,
  uiSchemaFor,
  type JsonSchema,
} from "./formSchema";
import { FORM_NODE_TYPES, FORM_TRIGGER_TYPES, editorDefinitionSchema, formSpec, nodeBaseSpec, rawSchema } from "./schemas";

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Every sub-schema of a schema, depth first. */
function walk(schema: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(schema)) schema.forEach((item) => walk(item, visit));
  if (!isRecord(schema)) return;
  visit(schema);
  if (isRecord(schema.properties)) Object.values(schema.properties).forEach((value) => walk(value, visit));
  for (const key of ["items", "additionalProperties", "anyOf", "oneOf", "allOf"]) walk(schema[key], visit);
}

/** The schema at an EXPRESSION_FIELDS path (`cases[].when`, `headers.*`) in a form schema. */
function at(schema: JsonSchema, path: string): JsonSchema | undefined {
  let node: unknown = schema;
  for (const part of path.split(".")) {
    if (!isRecord(node)) return undefined;
    if (part === "*") node = node.additionalProperties;
    else if (part.endsWith("[]")) {
      const list = isRecord(node.properties) ? node.properties[part.slice(0, -2)] : undefined;
      node = isRecord(list) ? list.items : undefined;
    } else node = isRecord(node.properties) ? node.properties[part] : undefined;
  }
  return isRecord(node) ? node : undefined;
}

describe("the generated form schemas", () => {
  it("cover every node type and trigger the app knows", () => {
    expect(FORM_NODE_TYPES).toEqual(
      expect.arrayContaining(["ai", "http", "delay", "condition", "transform", "task", "notify", "event", "decision"]),
    );
    expect(FORM_TRIGGER_TYPES).toEqual(["manual", "webhook", "schedule", "event", "firestore"]);
  });

  it("have a string field at every template and CEL path (the models' sources())", () => {
    for (const [type, fields] of Object.entries(EXPRESSION_FIELDS)) {
      const spec = formSpec("node", type);
      for (const path of Object.keys(fields)) {
        expect(at(spec!.schema, path)?.type, `${type}: ${path}`).toBe("string");
      }
    }
    for (const [type, fields] of Object.entries(TRIGGER_EXPRESSION_FIELDS)) {
      for (const path of Object.keys(fields)) {
        expect(at(formSpec("trigger", type)!.schema, path)?.type, `${type}: ${path}`).toBe("string");
      }
    }
    for (const [type, fields] of Object.entries(JSON_FIELDS)) {
      for (const field of fields) expect(at(formSpec("node", type)!.schema, field)?.type).toBe("object");
    }
  });

  it("render without refs, null options or defaults, every property labelled", () => {
    for (const type of FORM_NODE_TYPES) {
      walk(formSpec("node", type)!.schema, (node) => {
        expect(node.$ref, type).toBeUndefined();
        expect(node.default, type).toBeUndefined();
        expect(node.anyOf, type).toBeUndefined();
        if (isRecord(node.properties)) {
          for (const [key, sub] of Object.entries(node.properties)) {
            expect(typeof (sub as JsonSchema).title, `${type}.${key}`).toBe("string");
          }
        }
      });
    }
  });
});

describe("formSchema", () => {
  const root: JsonSchema = {
    $defs: { Retry: { type: "object", title: "Retry", properties: { attempts: { type: "integer", default: 1 } } } },
    type: "object",
    title: "Node",
    properties: {
      name: { anyOf: [{ type: "string", maxLength: 100 }, { type: "null" }], default: null, title: "Name" },
      retry: { $ref: "#/$defs/Retry" },
      timeoutSeconds: { type: "integer", default: 10, title: "Timeoutseconds" },
      either: { anyOf: [{ type: "string" }, { type: "integer" }] },
    },
  };

  it("inlines refs, reads X-or-null as X, drops defaults, labels fields", () => {
    const schema = formSchema(root);
    const properties = schema.properties as Record<string, JsonSchema>;
    expect(properties.name).toEqual({ type: "string", maxLength: 100, title: "Name" });
    expect(properties.retry).toEqual({
      type: "object",
      title: "Retry",
      properties: { attempts: { type: "integer", title: "Attempts" } },
    });
    expect(properties.timeoutSeconds?.title).toBe("Timeout (seconds)");
    expect(properties.either?.anyOf).toHaveLength(2);
    expect(schema.$defs).toBeUndefined();
  });

  it("labels camelCase keys", () => {
    expect(fieldLabel("maxResponseBytes")).toBe("Max response bytes");
    expect(fieldLabel("url")).toBe("URL");
    expect(fieldLabel("prompt")).toBe("Prompt");
  });
});

describe("uiSchemaFor", () => {
  it("puts the expression editor on templates and CEL, in arrays and maps too", () => {
    const condition = uiSchemaFor("node", "condition", rawSchema("node", "condition")!);
    expect(condition).toMatchObject({
      cases: { items: { when: { "ui:widget": "expression", "ui:options": { mode: "cel", multiline: false } } } },
    });
    const http = uiSchemaFor("node", "http", rawSchema("node", "http")!);
    expect(http).toMatchObject({
      url: { "ui:widget": "expression", "ui:options": { mode: "template" } },
      headers: { additionalProperties: { "ui:widget": "expression" } },
      body: { "ui:options": { multiline: true } },
      method: { "ui:placeholder": "GET" },
      timeoutSeconds: { "ui:placeholder": "10" },
    });
    expect(uiSchemaFor("node", "event", rawSchema("node", "event")!)).toMatchObject({ data: { "ui:field": "json" } });
  });

  it("titles list items and shows a list of choices as checkboxes", () => {
    expect(uiSchemaFor("node", "condition", rawSchema("node", "condition")!)).toMatchObject({
      cases: { items: { "ui:title": "Case" } },
    });
    expect(uiSchemaFor("trigger", "firestore", rawSchema("trigger", "firestore")!)).toMatchObject({
      on: { "ui:widget": "checkboxes" },
    });
    expect(formSpec("trigger", "firestore")!.schema.properties).toMatchObject({ on: { uniqueItems: true } });
  });

  it("hides a trigger's type and edits an event filter as CEL", () => {
    const event = uiSchemaFor("trigger", "event", rawSchema("trigger", "event")!);
    expect(event).toMatchObject({
      type: { "ui:widget": "hidden" },
      filter: { "ui:widget": "expression", "ui:options": { mode: "cel" } },
    });
  });
});

describe("nodeBaseSpec and the definition schema", () => {
  it("edits name, retry and continueOnError, not id or position", () => {
    const { schema } = nodeBaseSpec();
    expect(Object.keys(schema.properties as object)).toEqual(["name", "retry", "continueOnError"]);
  });

  it("lets the JSON view leave out the name", () => {
    const schema = editorDefinitionSchema();
    expect(schema.required).not.toContain("name");
    expect(schema.required).toContain("nodes");
    expect(rawSchema("definition")!.required).toContain("name");
  });
});

describe("pruneUndefined and sameJson", () => {
  it("drops undefined values and compares ignoring key order", () => {
    expect(pruneUndefined({ a: 1, b: undefined, c: { d: undefined, e: [1, undefined] } })).toEqual({
      a: 1,
      c: { e: [1, null] },
    });
    expect(sameJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(sameJson({ a: 1, x: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: [1] }, { a: [1, 2] })).toBe(false);
    expect(sameJson(null, {})).toBe(false);
  });
});
