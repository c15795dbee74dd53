import { useEffect, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { SetupError } from "../../../components/SetupError";
import { ErrorMessage, LoadError, Loading } from "../../../components/Status";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useReadyUid } from "../../../hooks/useReadyUid";
import { useUserZone } from "../../../hooks/useUserZone";
import { useTasks } from "../api/tasks";
import { QuickAddBar } from "../components/QuickAddBar";
import { TaskFilters } from "../components/TaskFilters";
import { TaskRow } from "../components/TaskRow";
import { useTaskSave, type TaskNotice } from "../hooks/useTaskSave";
import { allTags, DEFAULT_FILTER, visibleTasks, type TaskFilter } from "../utils/filters";
import "../components/tasks.css";

const MINUTE_MS = 60_000;

/** "now", refreshed each minute, so "overdue" follows the clock while the page is open. */
function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(new Date()), MINUTE_MS);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

function noticeText(notice: TaskNotice): string {
  switch (notice.kind) {
    case "conflict":
      return `“${notice.title}” was changed in another tab: the list now shows the latest version. Try again.`;
    case "failed":
      return notice.message;
    case "next":
      return `Done. The next “${notice.title}” is on your list.`;
  }
}

/**
 * /tasks: quick add, the user's tasks (live) with filters by status, tag and due, and
 * for each task completing, renaming and deleting it. `?task=<id>` (a reminder's link)
 * highlights that task.
 */
export default function TasksPage() {
  usePageTitle("Tasks");
  const uid = useReadyUid();
  const { zone } = useUserZone(uid);
  const tasks = useTasks(uid);
  const now = useNow();
  const [filter, setFilter] = useState<TaskFilter>(DEFAULT_FILTER);
  const [params] = useSearchParams();
  const linked = params.get("task");
  const { busy, notice, save, remove } = useTaskSave(zone);

  const shown = useMemo(
    () => (tasks.data ? visibleTasks(tasks.data, filter, now, zone) : undefined),
    [tasks.data, filter, now, zone],
  );
  const tags = useMemo(() => allTags(tasks.data ?? []), [tasks.data]);

  return (
    <section className="tasks stack">
      <h1>Tasks</h1>
      <SetupError />
      <QuickAddBar zone={zone} />
      <TaskFilters filter={filter} tags={tags} onChange={setFilter} />
      {notice &&
        (notice.kind === "next" ? (
          <p className="success" role="status">
            {noticeText(notice)}
          </p>
        ) : (
          <ErrorMessage testId="task-notice">{noticeText(notice)}</ErrorMessage>
        ))}
      <LoadError what="your tasks" error={tasks.error} />
      {shown === undefined && !tasks.error && <Loading>Loading tasks…</Loading>}
      {shown !== undefined && shown.length === 0 && (
        <p className="muted" data-testid="no-tasks">
          {tasks.data?.length ? "No tasks match these filters." : "No tasks yet: add one above."}
        </p>
      )}
      {shown !== undefined && shown.length > 0 && (
        <ul className="task-list" aria-label="Tasks">
          {shown.map((task) => (
            <TaskRow
              key={task.id}
              task={task}
              zone={zone}
              now={now}
              busy={busy.has(task.id)}
              highlighted={task.id === linked}
              onSave={save}
              onDelete={remove}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
