import { useEffect, useMemo, useRef, useState } from "react";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { ErrorMessage, LoadError, Loading } from "../../../components/Status";
import { callableFailure } from "../../../lib/firebase/errors";
import {
  cancelGeneration,
  deleteGeneration,
  generate,
  useGeneration,
  useGenerationFiles,
} from "../api/studio";
import { isActive, type GateError, type Generation } from "../models";
import { saveFile } from "../utils/download";
import {
  archiveName,
  fileName,
  progressLabel,
  sortFiles,
  stageLabel,
  targetLabel,
} from "../utils/studio";
import { generateFailure } from "./GenerateForm";
import { FileViewer } from "./FileViewer";
import { ValidationPanel } from "./ValidationPanel";

interface GenerationViewProps {
  uid: string | undefined;
  generationId: string;
  onOpen: (generationId: string | null) => void;
  /** The history should be read again (a generation finished or started). */
  onChanged: () => void;
  /** The generation was deleted: it leaves the history at once, then the page closes it. */
  onDeleted: (generationId: string) => void;
}

/**
 * One generation, live: its progress, the output as it streams, then its files in tabs,
 * what the gate found, and what can be done with it (copy, download, cancel, regenerate,
 * delete).
 */
export function GenerationView({
  uid,
  generationId,
  onOpen,
  onChanged,
  onDeleted,
}: GenerationViewProps) {
  const generation = useGeneration(uid, generationId);
  const data = generation.data;
  const finished = data ? !isActive(data.status) : false;
  const hasFiles = (data?.files.length ?? 0) > 0;
  const files = useGenerationFiles(uid, generationId, hasFiles || finished);
  const sorted = useMemo(() => sortFiles(files.data ?? []), [files.data]);
  const [selected, setSelected] = useState("");
  const [line, setLine] = useState<number | null>(null);
  const [busy, setBusy] = useState<"cancel" | "regenerate" | "delete" | "zip" | null>(null);
  const [message, setMessage] = useState("");
  const [failure, setFailure] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);

  const status = data?.status;
  const previous = useRef(status);
  useEffect(() => {
    // A generation that finishes while shown changes its history entry.
    if (previous.current && isActive(previous.current) && status && !isActive(status)) {
      onChanged();
    }
    previous.current = status;
  }, [status]);

  const current = sorted.find((file) => file.path === selected) ?? sorted[0];

  // The streamed output follows its end, unless the reader has scrolled up to read.
  const draftBox = useRef<HTMLPreElement>(null);
  const followDraft = useRef(true);
  const draft = data?.draft;
  useEffect(() => {
    const box = draftBox.current;
    if (box && followDraft.current) box.scrollTop = box.scrollHeight;
  }, [draft]);

  function jump(error: GateError) {
    if (!error.file) return;
    setSelected(error.file);
    setLine(error.line);
  }

  async function run(
    what: "cancel" | "regenerate" | "delete" | "zip",
    action: () => Promise<void>,
  ) {
    setBusy(what);
    setFailure(null);
    setMessage("");
    try {
      await action();
    } catch (err) {
      setFailure(what === "regenerate" ? generateFailure(err).message : callableFailure(err).message);
    } finally {
      setBusy(null);
    }
  }

  function regenerate(from: Generation) {
    void run("regenerate", async () => {
      const result = await generate({
        type: from.type,
        prompt: from.prompt,
        ...(from.language ? { language: from.language } : {}),
        ...(from.framework ? { framework: from.framework } : {}),
        regenerateFrom: from.id,
        requestId: crypto.randomUUID(),
      });
      onChanged();
      onOpen(result.generationId);
    });
  }

  async function copy() {
    if (!current) return;
    setFailure(null);
    try {
      await navigator.clipboard.writeText(current.content);
      setMessage(`Copied ${current.path}.`);
    } catch {
      setFailure("Could not copy: the browser refused access to the clipboard.");
    }
  }

  if (generation.error) return <LoadError what="the generation" error={generation.error} />;
  if (data === undefined) return <Loading>Loading the generation…</Loading>;
  if (data === null) {
    return (
      <p className="muted" data-testid="generation-missing">
        This generation does not exist (it may have been deleted).
      </p>
    );
  }

  const active = isActive(data.status);
  const label = progressLabel(data.progress.stage, data.progress.percent);
  return (
    <div className="stack" data-testid="generation" data-status={data.status}>
      <div className="row spread">
        <h2 className="studio-title">{targetLabel(data.type, data.language, data.framework)}</h2>
        <span
          className={`badge studio-status ${data.status === "done" ? "ok" : data.status === "failed" ? "bad" : "neutral"}`}
          data-testid="generation-status"
        >
          {stageLabel(data.status)}
        </span>
      </div>
      <p className="studio-prompt" data-testid="generation-prompt">
        {data.prompt}
      </p>
      {active && (
        <div className="studio-progress">
          <progress
            max={100}
            value={data.progress.percent}
            aria-label="Generation progress"
            aria-valuetext={label}
          />
          <span data-testid="progress-label" role="status">
            {label}
          </span>
        </div>
      )}
      {data.error && data.status !== "done" && (
        <p className="error" data-testid="generation-error">
          {data.error.code === "validation-failed"
            ? "The generated files still fail the checks below."
            : data.error.message || data.error.code}
        </p>
      )}
      {data.status === "cancelled" && (
        <p className="muted" data-testid="generation-cancelled">
          Cancelled: nothing more will be generated.
        </p>
      )}
      {data.draft && (active || sorted.length === 0) && (
        <div>
          <h3>Output so far</h3>
          <pre
            ref={draftBox}
            onScroll={(event) => {
              const box = event.currentTarget;
              followDraft.current = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
            }}
            className="studio-draft"
            data-testid="studio-draft"
            tabIndex={0}
            aria-label="Streaming output"
          >
            {data.draft}
          </pre>
        </div>
      )}
      {data.explanation && (
        <p className="studio-explanation" data-testid="generation-explanation">
          {data.explanation}
        </p>
      )}
      <LoadError what="the generated files" error={files.error} />
      {hasFiles && files.data === undefined && !files.error && (
        <Loading>Loading the files…</Loading>
      )}
      {current && (
        <>
          <FileViewer
            files={sorted}
            selected={current.path}
            onSelect={(path) => {
              setSelected(path);
              setLine(null);
            }}
            line={line}
          />
          <div className="row studio-actions">
            <button type="button" className="secondary" onClick={() => void copy()}>
              Copy {fileName(current.path)}
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => saveFile(current.content, fileName(current.path), "text/plain")}
            >
              Download {fileName(current.path)}
            </button>
            <button
              type="button"
              className="secondary"
              disabled={busy === "zip"}
              onClick={() =>
                void run("zip", async () => {
                  const root = archiveName(data.prompt, data.id);
                  const { buildZip } = await import("../utils/zip");
                  saveFile(buildZip(sorted, root), `${root}.zip`, "application/zip");
                })
              }
            >
              Download all (.zip)
            </button>
          </div>
        </>
      )}
      {!active && (
        <ValidationPanel
          validation={data.validation}
          repair={data.repair}
          paths={sorted.map((file) => file.path)}
          onJump={jump}
        />
      )}
      <p className="success" role="status" data-testid="studio-message">
        {message}
      </p>
      {failure && !confirming && <ErrorMessage testId="studio-failure">{failure}</ErrorMessage>}
      <div className="row">
        {active ? (
          <button
            type="button"
            className="secondary"
            disabled={busy === "cancel"}
            onClick={() =>
              void run("cancel", async () => {
                await cancelGeneration({ id: data.id });
              })
            }
          >
            {busy === "cancel" ? "Cancelling…" : "Cancel"}
          </button>
        ) : (
          <button
            type="button"
            className="secondary"
            disabled={busy === "regenerate"}
            onClick={() => regenerate(data)}
          >
            {busy === "regenerate" ? "Starting…" : "Regenerate"}
          </button>
        )}
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setFailure(null);
            setConfirming(true);
          }}
        >
          Delete
        </button>
      </div>
      {confirming && (
        <ConfirmDialog
          title="Delete this generation?"
          confirmLabel="Delete generation"
          busy={busy === "delete"}
          error={failure}
          onConfirm={() =>
            void run("delete", async () => {
              await deleteGeneration({ id: data.id });
              setConfirming(false);
              onDeleted(data.id);
            })
          }
          onCancel={() => setConfirming(false)}
        >
          <p>
            Its files are deleted with it
            {active ? ", and it stops first" : ""}. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
