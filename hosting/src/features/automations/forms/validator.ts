/**
 * The forms' validator: rjsf's `ValidatorType` over validation functions that ajv compiled
 * when the wire files were generated (`src/wire/validators/workflowForms.js`, ajv's
 * standalone code). Nothing here compiles a schema: the site's Content-Security-Policy has
 * no 'unsafe-eval', so ajv's run-time compiler (`new Function`) would be refused.
 */
import type {
  CustomValidator,
  ErrorSchema,
  ErrorTransformer,
  FormValidation,
  RJSFSchema,
  RJSFValidationError,
  UiSchema,
  ValidationData,
  ValidatorType,
} from "@rjsf/utils";
import { ajvPath, errorTree, type FieldErrors } from "./paths";

/** An error as ajv reports it. */
export interface AjvError {
  instancePath: string;
  schemaPath?: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A function ajv compiled: true when `data` is valid, else its `errors` say why. */
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}

/** ajv's message for a person: "must NOT have fewer than 1 characters" → "Required". */
export function readableMessage(error: AjvError): string {
  const { keyword, params } = error;
  switch (keyword) {
    case "required":
      return "Required";
    case "minLength":
      return params.limit === 1 ? "Required" : `At least ${String(params.limit)} characters`;
    case "maxLength":
      return `At most ${String(params.limit)} characters`;
    case "minimum":
      return `At least ${String(params.limit)}`;
    case "maximum":
      return `At most ${String(params.limit)}`;
    case "minItems":
      return `At least ${String(params.limit)} ${params.limit === 1 ? "item" : "items"}`;
    case "maxItems":
      return `At most ${String(params.limit)} items`;
    case "maxProperties":
      return `At most ${String(params.limit)} entries`;
    case "enum": {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      return `One of: ${allowed.map(String).join(", ")}`;
    }
    case "const":
      return `Must be ${JSON.stringify(params.allowedValue)}`;
    case "additionalProperties":
      return `Unknown field "${String(params.additionalProperty)}"`;
    case "type":
      return `Must be ${String(params.type)}`;
    case "pattern":
      return "Not in the expected form";
    default:
      return error.message ?? keyword;
  }
}

/** The errors of one validation as path → messages (`cases[0].when` → ["Required"]). */
export function fieldErrors(errors: readonly AjvError[]): FieldErrors {
  const out: FieldErrors = {};
  for (const error of errors) {
    // "anyOf"/"oneOf" only repeat what the options' own errors said.
    if (error.keyword === "anyOf" || error.keyword === "oneOf" || error.keyword === "if") continue;
    // "X or null" fields: the null option's complaint adds nothing to X's own.
    if (error.keyword === "type" && error.params.type === "null" && error.schemaPath?.includes("/anyOf/")) {
      continue;
    }
    const path = ajvPath(error.instancePath, error.params);
    const message = readableMessage(error);
    const list = out[path] ?? [];
    if (!list.includes(message)) list.push(message);
    out[path] = list;
  }
  return out;
}

/** Run `validate` on `data`: its errors, none when valid. */
export function runValidator(validate: CompiledValidator, data: unknown): AjvError[] {
  return validate(data) ? [] : [...(validate.errors ?? [])];
}

function toList(errors: FieldErrors): RJSFValidationError[] {
  return Object.entries(errors).flatMap(([path, messages]) =>
    messages.map((message) => {
      const property = path === "" ? "." : `.${path}`;
      return { name: "schema", property, message, stack: `${path || "value"}: ${message}` };
    }),
  );
}

/** Whether `data` has the JSON type(s) `type` names. */
function hasType(type: unknown, data: unknown): boolean {
  const types = Array.isArray(type) ? type : [type];
  return types.some((name) => {
    switch (name) {
      case "null":
        return data === null;
      case "array":
        return Array.isArray(data);
      case "object":
        return typeof data === "object" && data !== null && !Array.isArray(data);
      case "integer":
        return Number.isInteger(data);
      case "number":
        return typeof data === "number";
      default:
        return typeof data === name;
    }
  });
}

/**
 * A structural check for the sub-schemas rjsf asks about while it renders (which option
 * of an `anyOf` some data matches): type, const, enum and required properties. The forms'
 * own data is checked by the compiled functions.
 */
export function matchesShape(schema: unknown, data: unknown): boolean {
  if (schema === true || schema === undefined) return true;
  if (schema === false || typeof schema !== "object" || schema === null) return false;
  const s = schema as Record<string, unknown>;
  if (s.type !== undefined && !hasType(s.type, data)) return false;
  if ("const" in s && JSON.stringify(s.const) !== JSON.stringify(data)) return false;
  if (Array.isArray(s.enum) && !s.enum.some((item) => JSON.stringify(item) === JSON.stringify(data))) {
    return false;
  }
  if (typeof data === "object" && data !== null && !Array.isArray(data)) {
    const record = data as Record<string, unknown>;
    if (Array.isArray(s.required) && !s.required.every((key) => typeof key === "string" && key in record)) {
      return false;
    }
    if (typeof s.properties === "object" && s.properties !== null) {
      for (const [key, sub] of Object.entries(s.properties)) {
        if (key in record && !matchesShape(sub, record[key])) return false;
      }
    }
  }
  if (Array.isArray(s.anyOf) && !s.anyOf.some((option) => matchesShape(option, data))) return false;
  if (Array.isArray(s.oneOf) && !s.oneOf.some((option) => matchesShape(option, data))) return false;
  return true;
}

/** Apply a form's own `customValidate` (rjsf's API) on top of the compiled errors. */
function customErrors<T>(
  formData: T | undefined,
  customValidate: CustomValidator<T, RJSFSchema> | undefined,
  uiSchema: UiSchema<T, RJSFSchema> | undefined,
  errorSchema: ErrorSchema<T>,
): ErrorSchema<T> {
  if (!customValidate || formData === undefined) return errorSchema;
  const handler = makeHandler() as unknown as FormValidation<T>;
  const result = customValidate(formData, handler, uiSchema) as unknown;
  const extra = unwrap(result ?? handler);
  return merge(errorSchema as Record<string, unknown>, extra) as ErrorSchema<T>;
}

type Handler = { __errors: string[]; addError: (message: string) => void; [key: string]: unknown };

function makeHandler(): Handler {
  const errors: string[] = [];
  const target: Handler = { __errors: errors, addError: (message) => void errors.push(message) };
  return new Proxy(target, {
    get(object, key: string | symbol) {
      if (typeof key === "symbol" || key in object) return Reflect.get(object, key);
      const child = makeHandler();
      object[key] = child;
      return child;
    },
  });
}

function unwrap(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof value !== "object" || value === null) return out;
  for (const [key, item] of Object.entries(value)) {
    if (key === "addError") continue;
    if (key === "__errors") {
      if (Array.isArray(item) && item.length > 0) out.__errors = [...item];
    } else {
      const inner = unwrap(item);
      if (Object.keys(inner).length > 0) out[key] = inner;
    }
  }
  return out;
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const existing = out[key];
    if (key === "__errors" && Array.isArray(value)) {
      out.__errors = [...(Array.isArray(existing) ? existing : []), ...value];
    } else if (typeof value === "object" && value !== null && typeof existing === "object" && existing !== null) {
      out[key] = merge(existing as Record<string, unknown>, value as Record<string, unknown>);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function listFromSchema(schema: Record<string, unknown>, path = ""): RJSFValidationError[] {
  return Object.entries(schema).flatMap(([key, value]) => {
    if (key === "__errors" && Array.isArray(value)) {
      return value.map((message) => ({
        name: "schema",
        property: path || ".",
        message: String(message),
        stack: `${path || "value"}: ${String(message)}`,
      }));
    }
    return typeof value === "object" && value !== null
      ? listFromSchema(value as Record<string, unknown>, `${path}.${key}`)
      : [];
  });
}

/**
 * An rjsf validator whose form data is checked by `validate` (compiled ahead of time),
 * and, if given, `prepare` turns the form data into what `validate` checks (and
 * `locate` maps the error paths back: `nodes[0].config.url` → `config.url`).
 */
export function compiledValidator<T = unknown>(
  validate: CompiledValidator,
  options: {
    prepare?: (formData: T | undefined) => unknown;
    locate?: (errors: FieldErrors) => FieldErrors;
  } = {},
): ValidatorType<T, RJSFSchema> {
  const check = (formData: T | undefined): FieldErrors => {
    const data = options.prepare ? options.prepare(formData) : formData;
    const errors = fieldErrors(runValidator(validate, data ?? {}));
    return options.locate ? options.locate(errors) : errors;
  };
  return {
    validateFormData(
      formData: T | undefined,
      _schema: RJSFSchema,
      customValidate?: CustomValidator<T, RJSFSchema>,
      transformErrors?: ErrorTransformer<T, RJSFSchema>,
      uiSchema?: UiSchema<T, RJSFSchema>,
    ): ValidationData<T> {
      const found = check(formData);
      let errorSchema = errorTree(found) as ErrorSchema<T>;
      errorSchema = customErrors(formData, customValidate, uiSchema, errorSchema);
      let errors =
        customValidate === undefined
          ? toList(found)
          : listFromSchema(errorSchema as Record<string, unknown>);
      if (transformErrors) errors = transformErrors(errors, uiSchema);
      return { errors, errorSchema };
    },
    isValid(schema: RJSFSchema, formData: T | undefined): boolean {
      return matchesShape(schema, formData);
    },
    rawValidation<Result = unknown>(_schema: RJSFSchema, formData?: T) {
      const data = options.prepare ? options.prepare(formData) : formData;
      const errors = runValidator(validate, data ?? {});
      return { errors: errors as unknown as Result[] };
    },
  };
}
