import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compiledFor } from "./schemas";
import { compiledValidator, fieldErrors, matchesShape, readableMessage, runValidator } from "./validator";

const HERE = dirname(fileURLToPath(import.meta.url));

describe("the precompiled validators", () => {
  it("check a node's config as the server's schema says", () => {
    const http = compiledFor("node", "http")!;
    expect(runValidator(http, { url: "https://example.com/{{ input.id }}" })).toEqual([]);
    expect(fieldErrors(runValidator(http, { method: "FETCH", timeoutSeconds: 99, extra: 1 }))).toEqual({
      url: ["Required"],
      method: ["One of: GET, POST, PUT, PATCH, DELETE"],
      timeoutSeconds: ["At most 30"],
      "": ['Unknown field "extra"'],
    });
    const condition = compiledFor("node", "condition")!;
    expect(fieldErrors(runValidator(condition, { cases: [{ branch: "big", when: "" }, { when: "x" }] }))).toEqual({
      "cases[0].when": ["Required"],
      "cases[1].branch": ["Required"],
    });
  });

  it("check triggers and the fields every node has", () => {
    expect(runValidator(compiledFor("trigger", "schedule")!, { type: "schedule", cron: "0 9 * * *", timezone: "UTC" })).toEqual([]);
    expect(fieldErrors(runValidator(compiledFor("trigger", "firestore")!, { type: "firestore", collection: "x", on: [] }))).toEqual({
      collection: ["One of: tasks, calendar"],
      on: ["At least 1 item"],
    });
    const base = compiledFor("nodeBase")!;
    expect(runValidator(base, { id: "a", name: "Fetch", retry: { attempts: 3 } })).toEqual([]);
    expect(fieldErrors(runValidator(base, { id: "a", retry: { attempts: 0 } }))).toEqual({ "retry.attempts": ["At least 1"] });
  });
});

describe("compiledValidator (rjsf's ValidatorType)", () => {
  const validator = compiledValidator(compiledFor("node", "http")!);

  it("gives rjsf its error list and error tree", () => {
    const { errors, errorSchema } = validator.validateFormData({ body: 3 }, {});
    expect(errorSchema).toEqual({ url: { __errors: ["Required"] }, body: { __errors: ["Must be string"] } });
    expect(errors.map((error) => [error.property, error.message]).sort()).toEqual([
      [".body", "Must be string"],
      [".url", "Required"],
    ]);
    expect(validator.validateFormData({ url: "x" }, {}).errors).toEqual([]);
  });

  it("adds a form's customValidate errors, and passes errors through transformErrors", () => {
    const result = validator.validateFormData(
      { url: "x" },
      {},
      (data, errors) => {
        if ((data as { url?: string }).url === "x") (errors as unknown as { url: { addError: (m: string) => void } }).url.addError("not x");
        return errors;
      },
      (errors) => errors.map((error) => ({ ...error, message: `! ${error.message}` })),
    );
    expect(result.errorSchema).toEqual({ url: { __errors: ["not x"] } });
    expect(result.errors.map((error) => error.message)).toEqual(["! not x"]);
  });

  it("maps what it checks with prepare, and answers isValid structurally", () => {
    const base = compiledValidator(compiledFor("nodeBase")!, {
      prepare: (data) => ({ ...(data as object), id: "n1" }),
    });
    expect(base.validateFormData({ name: "ok" }, {}).errors).toEqual([]);
    expect(base.isValid({ type: "string" }, "a" as never, {})).toBe(true);
    expect(base.isValid({ type: "null" }, "a" as never, {})).toBe(false);
  });
});

describe("matchesShape and readableMessage", () => {
  it("checks type, const, enum, required and nested properties", () => {
    const schema = { type: "object", required: ["type"], properties: { type: { const: "event" } } };
    expect(matchesShape(schema, { type: "event" })).toBe(true);
    expect(matchesShape(schema, { type: "manual" })).toBe(false);
    expect(matchesShape(schema, {})).toBe(false);
    expect(matchesShape({ enum: [1, 2] }, 3)).toBe(false);
    expect(matchesShape({ type: ["integer", "null"] }, null)).toBe(true);
    expect(matchesShape({ anyOf: [{ type: "string" }, { type: "integer" }] }, 1.5)).toBe(false);
    expect(matchesShape(true, 1)).toBe(true);
  });

  it("reads ajv errors for a person", () => {
    expect(readableMessage({ instancePath: "", keyword: "maxLength", params: { limit: 100 } })).toBe("At most 100 characters");
    expect(readableMessage({ instancePath: "", keyword: "weird", params: {}, message: "m" })).toBe("m");
  });
});

describe("no code compiled at run time (the CSP has no 'unsafe-eval')", () => {
  it("the forms and the generated validators never build functions from strings", () => {
    const wire = readFileSync(join(HERE, "../../../wire/validators/workflowForms.js"), "utf8");
    expect(wire).not.toMatch(/\bnew Function\s*\(|\beval\s*\(/);
    for (const name of readdirSync(HERE).filter((file) => /\.tsx?$/.test(file) && !file.endsWith(".test.ts"))) {
      const source = readFileSync(join(HERE, name), "utf8");
      expect(source, name).not.toMatch(/\bnew Function\s*\(|\beval\s*\(|from "ajv|from "@rjsf\/validator-ajv8/);
    }
  });
});
