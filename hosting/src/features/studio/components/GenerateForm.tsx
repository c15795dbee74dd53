import { useId, useState, type FormEvent } from "react";
import { ErrorMessage } from "../../../components/Status";
import { callableFailure } from "../../../lib/firebase/errors";
import { generate } from "../api/studio";
import {
  CLI_FRAMEWORKS,
  CODE_LANGUAGES,
  FIXED_TARGET,
  KINDS,
  MAX_PROMPT_CHARS,
  toKind,
  type GenerationKind,
} from "../models";
import { requestTarget } from "../utils/studio";

function newRequestId(): string {
  return crypto.randomUUID();
}

const PLACEHOLDERS: Record<GenerationKind, string> = {
  code: "e.g. A function that parses ISO 8601 durations into seconds",
  api: "e.g. A bookstore API: list, create and fetch books and their authors",
  ui: "e.g. A pricing card with a monthly/yearly switch",
  cli: "e.g. A tool that renames photos by the date they were taken",
};

/** Why `generate` refused, as a person reads it. */
export function generateFailure(err: unknown): { message: string; field?: string } {
  const failure = callableFailure(err);
  const message =
    failure.code === "resource-exhausted"
      ? `You have reached a limit of your plan: ${failure.message}`
      : failure.message;
  return failure.field ? { message, field: failure.field } : { message };
}

/**
 * What to generate: the type, the language (code) or framework (CLI tool), and the
 * prompt. One request id per prompt sent, so a retry after a lost answer gets the same
 * generation rather than a second one.
 */
export function GenerateForm({ onStarted }: { onStarted: (generationId: string) => void }) {
  const id = useId();
  const [kind, setKind] = useState<GenerationKind>("code");
  const [language, setLanguage] = useState<string>("python");
  const [framework, setFramework] = useState<string>("argparse");
  const [prompt, setPrompt] = useState("");
  const [requestId, setRequestId] = useState(newRequestId);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);

  function edited() {
    setRequestId(newRequestId());
  }

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const text = prompt.trim();
    if (!text) {
      setError({ message: "Describe what to generate.", field: "prompt" });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = await generate({
        type: kind,
        prompt: text,
        ...requestTarget(kind, language, framework),
        requestId,
      });
      setRequestId(newRequestId());
      onStarted(result.generationId);
    } catch (err) {
      setError(generateFailure(err));
    } finally {
      setBusy(false);
    }
  }

  const invalid = (field: string) => (error?.field === field ? true : undefined);

  return (
    <form className="stack" onSubmit={(event) => void handleSubmit(event)} noValidate>
      <div className="studio-pickers">
        <div className="field">
          <label htmlFor={`${id}-type`}>Type</label>
          <select
            id={`${id}-type`}
            value={kind}
            aria-invalid={invalid("type")}
            onChange={(event) => {
              setKind(toKind(event.target.value));
              edited();
            }}
          >
            {KINDS.map((item) => (
              <option key={item.value} value={item.value}>
                {item.label}
              </option>
            ))}
          </select>
        </div>
        {kind === "code" && (
          <div className="field">
            <label htmlFor={`${id}-language`}>Language</label>
            <select
              id={`${id}-language`}
              value={language}
              aria-invalid={invalid("language")}
              onChange={(event) => {
                setLanguage(event.target.value);
                edited();
              }}
            >
              {CODE_LANGUAGES.map((item) => (
                <option key={item.value} value={item.value}>
                  {item.label}
                </option>
              ))}
            </select>
          </div>
        )}
        {kind === "cli" && (
          <div className="field">
            <label htmlFor={`${id}-framework`}>Framework</label>
            <select
              id={`${id}-framework`}
              value={framework}
              aria-invalid={invalid("framework")}
              onChange={(event) => {
                setFramework(event.target.value);
                edited();
              }}
            >
              {CLI_FRAMEWORKS.map((item) => (
                <option key={item.value} value={item.value}>
                  {item.label}
                </option>
              ))}
            </select>
          </div>
        )}
        {(kind === "api" || kind === "ui") && (
          <p className="muted studio-fixed" data-testid="studio-target">
            Written as {FIXED_TARGET[kind].label}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-prompt`}>Prompt</label>
        <textarea
          id={`${id}-prompt`}
          rows={4}
          required
          maxLength={MAX_PROMPT_CHARS}
          placeholder={PLACEHOLDERS[kind]}
          aria-invalid={invalid("prompt")}
          aria-describedby={`${id}-count`}
          value={prompt}
          onChange={(event) => {
            setPrompt(event.target.value);
            edited();
          }}
        />
        <span id={`${id}-count`} className="muted studio-count">
          {prompt.length} / {MAX_PROMPT_CHARS} characters
        </span>
      </div>
      {error && <ErrorMessage testId="generate-error">{error.message}</ErrorMessage>}
      <div className="row">
        <button type="submit" disabled={busy}>
          {busy ? "Starting…" : "Generate"}
        </button>
      </div>
    </form>
  );
}
