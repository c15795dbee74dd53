import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { describeWallTime, formatInZone } from "../../../lib/localtime";
import { MAX_TITLE_CHARS, PRIORITIES, type Task } from "../models";
import { describeRecurrence, dueBucket, dueOf } from "../utils/filters";

interface TaskRowProps {
  task: Task;
  zone: string;
  now: Date;
  busy: boolean;
  highlighted: boolean;
  onSave: (task: Task, changes: { title?: string; status?: Task["status"] }) => Promise<boolean>;
  onDelete: (task: Task) => Promise<boolean>;
}

/**
 * One task: a checkbox to complete it, its title (edited in place: Enter saves, Escape
 * cancels), its due time, priority, recurrence and tags, and a two-step Delete. The row
 * is focusable; Enter on it edits the title.
 */
export function TaskRow({ task, zone, now, busy, highlighted, onSave, onDelete }: TaskRowProps) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(task.title);
  const [confirming, setConfirming] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const row = useRef<HTMLLIElement>(null);
  // Set once Enter or Escape ended the edit: the blur that follows is not a commit.
  const ended = useRef(false);
  // The box shows the click at once; the stored task (live) has the last word.
  const [ticked, setTicked] = useState<boolean | null>(null);
  const done = task.status === "done";
  const bucket = dueBucket(task, now, zone);
  const due = dueOf(task, zone);

  useEffect(() => {
    if (editing) input.current?.select();
  }, [editing]);

  useEffect(() => setTicked(null), [task.status, task.version]);

  useEffect(() => {
    if (highlighted) row.current?.scrollIntoView({ block: "center" });
  }, [highlighted]);

  function startEditing() {
    ended.current = false;
    setDraft(task.title);
    setEditing(true);
  }

  async function commit() {
    const title = draft.trim();
    if (!title || title === task.title) {
      setEditing(false);
      return;
    }
    await onSave(task, { title });
    setEditing(false);
    row.current?.focus();
  }

  function handleRowKey(event: KeyboardEvent<HTMLLIElement>) {
    if (event.target !== event.currentTarget) return;
    if (event.key === "Enter" || event.key === "F2") {
      event.preventDefault();
      startEditing();
    }
  }

  return (
    <li
      ref={row}
      className={`task-row${done ? " done" : ""}${highlighted ? " highlighted" : ""}`}
      data-testid="task-item"
      data-task-id={task.id}
      data-status={task.status}
      tabIndex={0}
      aria-label={task.title}
      onKeyDown={handleRowKey}
    >
      <input
        type="checkbox"
        checked={ticked ?? done}
        disabled={busy}
        aria-label={`Done: ${task.title}`}
        onChange={(event) => {
          const checked = event.target.checked;
          setTicked(checked);
          void onSave(task, { status: checked ? "done" : "todo" }).then((ok) => {
            if (!ok) setTicked(null);
          });
        }}
      />
      <div className="task-main">
        {editing ? (
          <input
            ref={input}
            className="task-title-input"
            type="text"
            aria-label="Task title"
            maxLength={MAX_TITLE_CHARS}
            value={draft}
            disabled={busy}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === "Enter") {
                event.preventDefault();
                ended.current = true;
                void commit();
              } else if (event.key === "Escape") {
                ended.current = true;
                setEditing(false);
                row.current?.focus();
              }
            }}
            onBlur={() => {
              if (!ended.current) {
                ended.current = true;
                void commit();
              }
            }}
          />
        ) : (
          <span className="task-title" data-testid="task-title">
            {task.title}
          </span>
        )}
        <div className="task-meta">
          {due && (
            <span className={`task-due ${bucket}`} data-testid="task-due">
              {bucket === "overdue" ? "Overdue: " : "Due "}
              {describeWallTime(due, zone)}
            </span>
          )}
          {task.priority > 0 && (
            <span className={`badge priority-${task.priority}`} data-testid="task-priority">
              {PRIORITIES[task.priority]} priority
            </span>
          )}
          {task.recurrence && (
            <span className="badge neutral" data-testid="task-recurring" title={task.recurrence}>
              ↻ {describeRecurrence(task.recurrence)}
            </span>
          )}
          {task.tags.map((tag) => (
            <span key={tag} className="badge neutral">
              #{tag}
            </span>
          ))}
          {done && task.completedAt && (
            <span className="muted">Done {formatInZone(task.completedAt, zone)}</span>
          )}
        </div>
      </div>
      <div className="task-actions">
        {confirming ? (
          <div role="group" aria-label={`Delete “${task.title}”?`} className="row">
            <button
              type="button"
              className="danger small"
              disabled={busy}
              onClick={() => void onDelete(task).then((ok) => ok || setConfirming(false))}
            >
              Delete
            </button>
            <button type="button" className="secondary small" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        ) : (
          <>
            <button
              type="button"
              className="secondary small"
              aria-label={`Edit title of “${task.title}”`}
              disabled={busy || editing}
              onClick={startEditing}
            >
              Edit
            </button>
            <button
              type="button"
              className="secondary small"
              aria-label={`Delete task “${task.title}”`}
              disabled={busy}
              onClick={() => setConfirming(true)}
            >
              Delete
            </button>
          </>
        )}
      </div>
    </li>
  );
}
