import { useId, useState, type ChangeEvent } from "react";
import { ErrorMessage } from "../../../components/Status";
import { callableFailure } from "../../../lib/firebase/errors";
import { importCalendar } from "../api/calendar";
import { MAX_ICS_BYTES, type ImportCalendarResult } from "../models";

/** "3 added, 1 updated, 2 skipped" for an import's answer. */
export function describeImport(result: ImportCalendarResult): string {
  const parts = [`${result.imported} added`, `${result.updated} updated`];
  if (result.skipped.length > 0) parts.push(`${result.skipped.length} skipped`);
  return `Imported: ${parts.join(", ")}.`;
}

/** A file input that sends an `.ics` file's text to `import_calendar`. */
export function ImportIcs() {
  const id = useId();
  const [state, setState] = useState<
    | { kind: "idle" }
    | { kind: "importing" }
    | { kind: "done"; result: ImportCalendarResult }
    | { kind: "failed"; message: string }
  >({ kind: "idle" });

  async function handleFile(event: ChangeEvent<HTMLInputElement>) {
    const input = event.currentTarget;
    const file = input.files?.[0];
    if (!file) return;
    if (file.size > MAX_ICS_BYTES) {
      setState({ kind: "failed", message: "That file is larger than 1 MB." });
      input.value = "";
      return;
    }
    setState({ kind: "importing" });
    try {
      const result = await importCalendar({ ics: await file.text() });
      setState({ kind: "done", result });
    } catch (err) {
      setState({ kind: "failed", message: callableFailure(err).message });
    } finally {
      input.value = "";
    }
  }

  return (
    <div className="import-ics">
      <label htmlFor={`${id}-file`}>Import an .ics file</label>
      <input
        id={`${id}-file`}
        type="file"
        accept=".ics,text/calendar"
        disabled={state.kind === "importing"}
        onChange={(event) => void handleFile(event)}
      />
      <p role="status" className="muted">
        {state.kind === "importing" ? "Importing…" : ""}
        {state.kind === "done" ? describeImport(state.result) : ""}
      </p>
      {state.kind === "failed" && <ErrorMessage>{state.message}</ErrorMessage>}
    </div>
  );
}
