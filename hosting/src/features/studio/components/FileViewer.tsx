import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import type { GeneratedFile } from "../models";
import { highlightLines } from "../utils/highlight";
import { escapeHtml, sizeLabel } from "../utils/studio";

interface FileViewerProps {
  files: GeneratedFile[];
  /** The path of the file shown. */
  selected: string;
  onSelect: (path: string) => void;
  /** A line to mark and scroll to in the file shown (an error's), 1-based. */
  line: number | null;
}

/**
 * The generated files in tabs (the WAI-ARIA tabs pattern: arrow keys, Home and End move
 * between tabs), each shown with line numbers and highlight.js's colours.
 */
export function FileViewer({ files, selected, onSelect, line }: FileViewerProps) {
  const id = useId();
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const current = files.find((file) => file.path === selected) ?? files[0];

  function handleKey(event: KeyboardEvent<HTMLButtonElement>, index: number) {
    const last = files.length - 1;
    const next =
      event.key === "ArrowRight"
        ? index === last
          ? 0
          : index + 1
        : event.key === "ArrowLeft"
          ? index === 0
            ? last
            : index - 1
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? last
              : null;
    if (next === null) return;
    event.preventDefault();
    const file = files[next];
    if (!file) return;
    onSelect(file.path);
    tabs.current[next]?.focus();
  }

  if (!current) return null;
  return (
    <div className="studio-files">
      <div role="tablist" aria-label="Generated files" className="studio-tabs">
        {files.map((file, index) => {
          const active = file.path === current.path;
          return (
            <button
              key={file.id}
              ref={(element) => {
                tabs.current[index] = element;
              }}
              type="button"
              role="tab"
              id={`${id}-tab-${index}`}
              aria-selected={active}
              aria-controls={`${id}-panel`}
              tabIndex={active ? 0 : -1}
              className="studio-tab"
              onClick={() => onSelect(file.path)}
              onKeyDown={(event) => handleKey(event, index)}
            >
              {file.path}
            </button>
          );
        })}
      </div>
      <div
        role="tabpanel"
        id={`${id}-panel`}
        aria-labelledby={`${id}-tab-${files.indexOf(current)}`}
        className="studio-panel"
      >
        <p className="muted studio-file-meta">
          {current.language} · {sizeLabel(current.size)} ·{" "}
          {current.content.split("\n").length} lines
        </p>
        <Code key={current.id} file={current} line={line} />
      </div>
    </div>
  );
}

/**
 * One file's code: a block per line, numbered by CSS (`::before`, so a selection takes
 * only the code).
 */
function Code({ file, line }: { file: GeneratedFile; line: number | null }) {
  const [html, setHtml] = useState<string[]>(() => file.content.split("\n").map(escapeHtml));
  const marked = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    let cancelled = false;
    void highlightLines(file.content, file.language, file.path).then((lines) => {
      if (!cancelled) setHtml(lines);
    });
    return () => {
      cancelled = true;
    };
  }, [file.content, file.language, file.path]);

  useEffect(() => {
    if (line !== null) marked.current?.scrollIntoView({ block: "center" });
  }, [line, html]);

  return (
    <pre
      className="studio-code"
      tabIndex={0}
      aria-label={`Contents of ${file.path}`}
      data-testid="studio-code"
    >
      <code className="hljs">
        {html.map((lineHtml, index) => {
          const number = index + 1;
          const highlighted = number === line;
          return (
            <span
              key={number}
              ref={highlighted ? marked : undefined}
              className={highlighted ? "code-line highlighted" : "code-line"}
              data-line={number}
              data-highlighted={highlighted ? "true" : undefined}
              // highlight.js's output: the code escaped, only its <span class> tags added.
              dangerouslySetInnerHTML={{ __html: lineHtml }}
            />
          );
        })}
      </code>
    </pre>
  );
}
