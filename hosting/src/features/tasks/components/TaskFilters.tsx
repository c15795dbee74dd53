import { useId } from "react";
import { TASK_STATUSES, type TaskStatus } from "../models";
import { DUE_FILTERS, type DueFilter, type TaskFilter } from "../utils/filters";

const STATUS_OPTIONS: readonly { value: TaskFilter["status"]; label: string }[] = [
  { value: "open", label: "Not done" },
  { value: "all", label: "All" },
  ...TASK_STATUSES,
];

/** The list's filters: status, tag and when it is due. */
export function TaskFilters({
  filter,
  tags,
  onChange,
}: {
  filter: TaskFilter;
  tags: readonly string[];
  onChange: (filter: TaskFilter) => void;
}) {
  const id = useId();
  return (
    <fieldset className="task-filters row">
      <legend className="visually-hidden">Filter tasks</legend>
      <div className="field">
        <label htmlFor={`${id}-status`}>Status</label>
        <select
          id={`${id}-status`}
          value={filter.status}
          onChange={(event) =>
            onChange({ ...filter, status: event.target.value as TaskStatus | "all" | "open" })
          }
        >
          {STATUS_OPTIONS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-due`}>Due</label>
        <select
          id={`${id}-due`}
          value={filter.due}
          onChange={(event) => onChange({ ...filter, due: event.target.value as DueFilter })}
        >
          {DUE_FILTERS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-tag`}>Tag</label>
        <select
          id={`${id}-tag`}
          value={filter.tag ?? ""}
          onChange={(event) => onChange({ ...filter, tag: event.target.value || null })}
        >
          <option value="">Any tag</option>
          {tags.map((tag) => (
            <option key={tag} value={tag}>
              {tag}
            </option>
          ))}
        </select>
      </div>
    </fieldset>
  );
}
