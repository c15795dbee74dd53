import { describe, expect, it } from "vitest";
import rawGallery from "../../../wire/gallery.json";
import type { JsonObject } from "../../../types/json";
import { parseDefinition, STARTER_DEFINITION } from "../utils/definition";
import { planSave } from "../hooks/workflowEditor";
import {
  BLANK_ID,
  BLANK_TEMPLATE,
  findTemplate,
  GALLERY,
  newWorkflowUrl,
  parseGallery,
  templateDraft,
  templateUses,
  usesSentence,
  type GalleryTemplate,
} from "./gallery";

const WEBHOOK: GalleryTemplate = {
  id: "hook",
  name: "Card name",
  description: "Card description",
  definition: {
    name: "Webhook → AI summary → notify",
    description: "Summarise what is posted.",
    triggers: [{ type: "webhook" }],
    nodes: [
      { id: "sum", type: "ai", position: { x: 0, y: 0 }, config: { prompt: "{{ input }}" } },
      { id: "tell", type: "notify", position: { x: 0, y: 160 }, config: { title: "t" } },
      { id: "again", type: "notify", position: { x: 200, y: 160 }, config: { title: "u" } },
    ],
    edges: [
      { from: "sum", to: "tell" },
      { from: "sum", to: "again" },
    ],
  },
};

describe("the exported gallery", () => {
  it("holds the six ready workflows, each with a name, a description and steps", () => {
    expect(GALLERY.map((template) => template.id).sort()).toEqual([
      "decision-ask",
      "event-filter",
      "http-check",
      "morning-digest",
      "webhook-ai-summary",
      "weekly-review",
    ]);
    expect(GALLERY).toHaveLength((rawGallery as unknown[]).length);
    for (const template of GALLERY) {
      expect(template.name.trim()).not.toBe("");
      expect(template.description.trim()).not.toBe("");
      expect(templateUses(template.definition).steps.length).toBeGreaterThan(0);
    }
  });

  it("gives every step of every template a position, so the canvas shows it as designed", () => {
    for (const template of GALLERY) {
      const parsed = parseDefinition(templateDraft(template).text);
      if (!parsed.ok) throw new Error(`${template.id} does not parse`);
      const nodes = parsed.definition.nodes as JsonObject[];
      expect(nodes.length).toBeGreaterThan(0);
      for (const node of nodes) {
        expect(node.position, `${template.id}/${String(node.id)}`).toEqual({
          x: expect.any(Number),
          y: expect.any(Number),
        });
      }
    }
  });
});

describe("parseGallery", () => {
  it("keeps well-formed entries and leaves out the rest", () => {
    const good = { id: "a", name: "A", description: "d", definition: { nodes: [] } };
    expect(
      parseGallery([
        good,
        { ...good, id: "a", name: "again" },
        { ...good, id: BLANK_ID },
        { ...good, id: "" },
        { ...good, id: "b", name: 3 },
        { ...good, id: "c", definition: { nodes: {} } },
        { ...good, id: "d", definition: [] },
        "nonsense",
        null,
      ]),
    ).toEqual([good]);
    expect(parseGallery({ not: "a list" })).toEqual([]);
  });
});

describe("findTemplate", () => {
  it("finds a template by id, the blank one too, and nothing for an unknown id", () => {
    expect(findTemplate("hook", [WEBHOOK])).toBe(WEBHOOK);
    expect(findTemplate(BLANK_ID, [WEBHOOK])).toBe(BLANK_TEMPLATE);
    expect(findTemplate("missing", [WEBHOOK])).toBeNull();
    expect(findTemplate(null)).toBeNull();
    expect(findTemplate(undefined)).toBeNull();
    expect(findTemplate("webhook-ai-summary")?.id).toBe("webhook-ai-summary");
  });
});

describe("templateDraft", () => {
  it("is a new, unsaved draft: the definition's name and description in the form", () => {
    const draft = templateDraft(WEBHOOK);
    expect(draft).toMatchObject({
      name: "Webhook → AI summary → notify",
      description: "Summarise what is posted.",
      status: "draft",
      baseVersion: undefined,
    });
    // The text holds the definition's own keys only, in the template's order.
    const text = JSON.parse(draft.text) as JsonObject;
    expect(Object.keys(text)).toEqual(["triggers", "nodes", "edges"]);
    expect(text.nodes).toEqual(WEBHOOK.definition.nodes);
    expect(text.edges).toEqual(WEBHOOK.definition.edges);
    expect(draft.text.endsWith("}\n")).toBe(true);
  });

  it("falls back to the card's name and description, and to an empty list of nodes", () => {
    const bare: GalleryTemplate = { ...WEBHOOK, definition: { name: "  ", id: "x", other: 1 } };
    const draft = templateDraft(bare);
    expect(draft.name).toBe("Card name");
    expect(draft.description).toBe("Card description");
    expect(JSON.parse(draft.text)).toEqual({ nodes: [] });
  });

  it("does not share objects with the gallery: editing the draft leaves the template", () => {
    const draft = templateDraft(WEBHOOK);
    const text = JSON.parse(draft.text) as { nodes: JsonObject[] };
    text.nodes.pop();
    expect(WEBHOOK.definition.nodes).toHaveLength(3);
  });

  it("saves as a new workflow: the request carries the definition and no id or version", () => {
    for (const template of [...GALLERY, BLANK_TEMPLATE]) {
      const draft = templateDraft(template);
      const parsed = parseDefinition(draft.text);
      const plan = planSave(draft, parsed, undefined, false);
      if (plan.kind !== "send") throw new Error(`${template.id}: ${plan.kind}`);
      expect(plan.request.id).toBeUndefined();
      expect(plan.request.expectedVersion).toBeUndefined();
      expect(plan.request.name).toBe(draft.name);
      expect(plan.request.status).toBe("draft");
      const definition = template.definition;
      expect(plan.request.nodes).toEqual(definition.nodes);
      expect(plan.request.edges).toEqual(definition.edges);
      expect(plan.request.triggers).toEqual(definition.triggers);
      if ("variables" in definition) expect(plan.request.variables).toEqual(definition.variables);
    }
  });

  it("the blank template is the editor's starter example", () => {
    expect(JSON.parse(templateDraft(BLANK_TEMPLATE).text)).toEqual(STARTER_DEFINITION);
  });
});

describe("templateUses and usesSentence", () => {
  it("lists trigger and step types once each, in order of first use, with counts", () => {
    const uses = templateUses(WEBHOOK.definition);
    expect(uses).toEqual({
      triggers: [{ type: "webhook", label: "Webhook", count: 1 }],
      steps: [
        { type: "ai", label: "AI", count: 1 },
        { type: "notify", label: "Notify", count: 2 },
      ],
    });
    expect(usesSentence(uses)).toBe("Webhook trigger; steps: AI, Notify ×2");
  });

  it("copes with several triggers, none, unknown types and malformed items", () => {
    const uses = templateUses({
      triggers: [{ type: "schedule" }, { type: "manual" }, "junk", { kind: "x" }],
      nodes: [{ type: "future" }, { id: "no-type" }, null],
    });
    expect(usesSentence(uses)).toBe("Schedule, Manual triggers; steps: future");
    expect(usesSentence(templateUses({}))).toBe("no trigger; steps: none");
  });

  it("describes the gallery's webhook template as what it is", () => {
    const template = findTemplate("webhook-ai-summary");
    if (!template) throw new Error("missing");
    expect(usesSentence(templateUses(template.definition))).toBe(
      "Webhook trigger; steps: AI, Notify",
    );
    expect(usesSentence(templateUses(STARTER_DEFINITION))).toBe(
      "Manual trigger; steps: Transform, Condition, Notify",
    );
  });
});

describe("newWorkflowUrl", () => {
  it("opens the blank editor without a query, a template with its id", () => {
    expect(newWorkflowUrl(BLANK_ID)).toBe("/automations/new");
    expect(newWorkflowUrl("webhook-ai-summary")).toBe(
      "/automations/new?template=webhook-ai-summary",
    );
    expect(newWorkflowUrl("a b&c")).toBe("/automations/new?template=a%20b%26c");
  });
});
