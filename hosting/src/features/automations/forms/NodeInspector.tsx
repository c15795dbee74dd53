import Form, { type IChangeEvent } from "@rjsf/core";
import type { ErrorSchema, RJSFSchema, UiSchema as RjsfUiSchema } from "@rjsf/utils";
import { useMemo } from "react";
import { NODE_LABELS as CANVAS_NODE_LABELS } from "../canvas/graph";
import { describeTrigger } from "../utils/definition";
import { pruneUndefined, sameJson, type JsonSchema, type UiSchema } from "./formSchema";
import {
  errorTree,
  errorsUnder,
  normalizeErrors,
  type FieldErrors,
  type InspectorErrors,
} from "./paths";
import { compiledFor, formSpec, nodeBaseSpec, type FormSpec } from "./schemas";
import { scopeFor, upstreamIds, type DefinitionLike, type Scope } from "./scope";
import { TestStepPanel, type TestSample } from "./TestStepPanel";
import { compiledValidator, fieldErrors, runValidator, type CompiledValidator } from "./validator";
import { FIELDS, TEMPLATES, WIDGETS, type InspectorContext } from "./widgets";
import "./forms.css";

/** A node (`{id, type, config, …}`) or a trigger (`{type, …}`) of the definition. */
export type InspectedItem = { type: string } & Record<string, unknown>;

export interface NodeInspectorProps<N extends object> {
  /** The node or trigger being edited (a node has an `id` and a `config`). */
  node: N;
  /** The whole definition, for what the node's templates can read (and for "Test step"). */
  definition: object;
  /** The node or trigger with an edit applied. */
  onChange: (updated: N) => void;
  /**
   * The server's errors about this node: `{ "config.url": "invalid template …" }`, or
   * messages that start with their path (`config.url: …`, `nodes[2].config.url: …`).
   */
  errors?: InspectorErrors;
  /** Sample data for "Test step" (the last run's input and outputs, when there is one). */
  sample?: TestSample;
  /** Leave out the "Test step" section. */
  hideTest?: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

// The canvas's labels, so a step is named the same on the canvas and in its inspector.
const NODE_LABELS: Record<string, string> = CANVAS_NODE_LABELS;

/** Hide rjsf's own submit button: the editor page saves the whole definition. */
const NO_SUBMIT = { "ui:submitButtonOptions": { norender: true } };

const FORM_BEHAVIOUR = {
  emptyObjectFields: "skipDefaults",
  arrayMinItems: { populate: "never" },
} as const;

/** Errors at `path`s the form has no field for (the node as a whole, `type`, `id`…). */
function unplaced(errors: FieldErrors, placed: readonly string[]): [string, string[]][] {
  return Object.entries(errors).filter(
    ([path]) => !placed.some((root) => path === root || path.startsWith(`${root}.`) || path.startsWith(`${root}[`)),
  );
}

function mergeTrees(a: ErrorSchema, b: ErrorSchema): ErrorSchema {
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  for (const [key, value] of Object.entries(b as Record<string, unknown>)) {
    const existing = out[key];
    if (key === "__errors" && Array.isArray(value)) {
      const list = Array.isArray(existing) ? (existing as string[]) : [];
      out[key] = [...list, ...value.filter((message: string) => !list.includes(message))];
    } else if (isRecord(value) && isRecord(existing)) {
      out[key] = mergeTrees(existing as ErrorSchema, value as ErrorSchema);
    } else {
      out[key] = value;
    }
  }
  return out as ErrorSchema;
}

interface SectionProps {
  title: string;
  spec: FormSpec;
  data: Record<string, unknown>;
  validate: CompiledValidator | undefined;
  /** Adds what the compiled validator needs besides the form's data (the node's `id`). */
  prepare?: (data: Record<string, unknown>) => unknown;
  /** Errors from the server, for this section's fields. */
  serverErrors: FieldErrors;
  context: InspectorContext;
  onChange: (data: Record<string, unknown>) => void;
  idPrefix: string;
}

/** One rjsf form (no <form> element of its own: the page has one) over part of a node. */
function Section({ title, spec, data, validate, prepare, serverErrors, context, onChange, idPrefix }: SectionProps) {
  const validator = useMemo(
    () =>
      compiledValidator<Record<string, unknown>>(validate ?? (() => true), {
        prepare: prepare ? (formData) => prepare(formData ?? {}) : undefined,
      }),
    [validate, prepare],
  );
  // Checked as the data changes, with the same compiled function; shown with the server's.
  const local = validate ? fieldErrors(runValidator(validate, prepare ? prepare(data) : data)) : {};
  const extraErrors = mergeTrees(errorTree(local) as ErrorSchema, errorTree(serverErrors) as ErrorSchema);
  const uiSchema = { ...spec.uiSchema, ...NO_SUBMIT } as RjsfUiSchema;

  function handleChange(event: IChangeEvent<Record<string, unknown>>, fieldId?: string) {
    // rjsf also reports the defaults it derives when a form mounts or its data changes
    // (no field behind them). Those are not edits: taken as one, selecting a node would
    // push an undo step of its own, after (and in place of) the edit before it.
    if (fieldId === undefined) return;
    const next = pruneUndefined(event.formData ?? {}) as Record<string, unknown>;
    if (!sameJson(next, data)) onChange(next);
  }

  return (
    <section className="inspector-section" aria-label={title}>
      <h3>{title}</h3>
      <Form<Record<string, unknown>, RJSFSchema, InspectorContext>
        tagName="div"
        idPrefix={idPrefix}
        schema={spec.schema as RJSFSchema}
        uiSchema={uiSchema}
        formData={data}
        validator={validator}
        widgets={WIDGETS}
        fields={FIELDS}
        templates={TEMPLATES}
        formContext={context}
        extraErrors={extraErrors}
        showErrorList={false}
        noHtml5Validate
        experimental_defaultFormStateBehavior={FORM_BEHAVIOUR}
        onChange={handleChange}
      />
    </section>
  );
}

/**
 * The side panel of the workflow editor for one node or trigger: a form generated from the
 * server's JSON Schema of its type (validated by the precompiled validators), with the
 * expression editor on templates and conditions, the server's errors on their fields, and
 * "Test step" for nodes.
 */
export function NodeInspector<N extends object>(props: NodeInspectorProps<N>) {
  const { node, definition, onChange, sample, hideTest = false } = props;
  const item = node as unknown as InspectedItem;
  const type = String(item.type ?? "");
  const nodeId = typeof item.id === "string" ? item.id : null;
  const isNode = nodeId !== null && "config" in item;
  const errors = useMemo(() => normalizeErrors(props.errors), [props.errors]);
  const defs = definition as DefinitionLike;
  const scope: Scope = useMemo(
    () => scopeFor(defs, isNode ? (nodeId as string) : "trigger", sample?.input),
    [defs, isNode, nodeId, sample?.input],
  );
  const context = useMemo<InspectorContext>(() => ({ scope }), [scope]);

  const configSpec = useMemo(() => formSpec(isNode ? "node" : "trigger", type), [isNode, type]);
  const baseSpec = useMemo(() => (isNode ? nodeBaseSpec() : null), [isNode]);
  const prepareBase = useMemo(
    () => (data: Record<string, unknown>) => ({ ...data, id: nodeId ?? "" }),
    [nodeId],
  );

  if (!configSpec) {
    return (
      <aside className="node-inspector" data-testid="node-inspector">
        <p className="error">Unknown {isNode ? "node" : "trigger"} type “{type}”.</p>
      </aside>
    );
  }

  const heading = isNode
    ? `${NODE_LABELS[type] ?? type} · ${nodeId}`
    : `Trigger · ${describeTrigger(item)}`;
  const idPrefix = isNode ? `node-${nodeId}` : `trigger-${type}`;
  const config = isNode && isRecord(item.config) ? item.config : {};
  const base: Record<string, unknown> = {};
  for (const key of ["name", "retry", "continueOnError"]) {
    if (item[key] !== undefined && item[key] !== null) base[key] = item[key];
  }
  const placed = isNode ? ["config", "name", "retry", "continueOnError"] : Object.keys(configSpec.schema.properties ?? {});
  const general = unplaced(errors, placed);

  function update(patch: Record<string, unknown>, remove: readonly string[] = []) {
    const next: Record<string, unknown> = { ...item, ...patch };
    for (const key of remove) delete next[key];
    onChange(next as unknown as N);
  }

  return (
    <aside className="node-inspector stack" data-testid="node-inspector" aria-label={heading}>
      <header>
        <h2>{heading}</h2>
        {isNode && <small className="muted">Id <code>{nodeId}</code></small>}
      </header>
      {general.length > 0 && (
        <ul className="error inspector-errors" role="alert" data-testid="inspector-errors">
          {general.map(([path, messages]) =>
            messages.map((message) => (
              <li key={`${path}:${message}`}>
                {path ? <code>{path}</code> : null}
                {path ? ": " : ""}
                {message}
              </li>
            )),
          )}
        </ul>
      )}
      {isNode ? (
        <>
          <Section
            title="Settings"
            spec={configSpec}
            data={config}
            validate={compiledFor("node", type)}
            serverErrors={errorsUnder(errors, "config")}
            context={context}
            idPrefix={`${idPrefix}-config`}
            onChange={(next) => update({ config: next })}
          />
          {baseSpec && (
            <Section
              title="Step"
              spec={baseSpec}
              data={base}
              validate={compiledFor("nodeBase")}
              prepare={prepareBase}
              serverErrors={Object.fromEntries(
                Object.entries(errors).filter(([path]) =>
                  ["name", "retry", "continueOnError"].some(
                    (root) => path === root || path.startsWith(`${root}.`),
                  ),
                ),
              )}
              context={context}
              idPrefix={`${idPrefix}-base`}
              onChange={(next) =>
                update(
                  next,
                  ["name", "retry", "continueOnError"].filter((key) => !(key in next)),
                )
              }
            />
          )}
          {!hideTest && nodeId && (
            <TestStepPanel
              key={nodeId}
              definition={definition}
              nodeId={nodeId}
              upstream={upstreamIds(defs, nodeId)}
              sample={sample}
            />
          )}
        </>
      ) : Object.keys(configSpec.schema.properties ?? {}).every((key) => key === "type") ? (
        <p className="muted">This trigger has no settings.</p>
      ) : (
        <Section
          title="Trigger"
          spec={configSpec}
          data={item}
          validate={compiledFor("trigger", type)}
          serverErrors={errors}
          context={context}
          idPrefix={idPrefix}
          onChange={(next) => update({ ...next, type }, Object.keys(item).filter((key) => !(key in next)))}
        />
      )}
    </aside>
  );
}

export default NodeInspector;

export type { JsonSchema, UiSchema };
