import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { ErrorMessage } from "../../../components/Status";
import { callableFailure } from "../../../lib/firebase/errors";
import { deleteCalendarEvent, saveCalendarEvent } from "../api/calendar";
import { MAX_TITLE_CHARS, type CalendarEvent } from "../models";
import {
  cancelOccurrenceRequest,
  formProblem,
  REPEATS,
  requestFromForm,
  type EventForm,
} from "../utils/form";

export interface DialogTarget {
  form: EventForm;
  /** The event edited; null for a new one. */
  event: CalendarEvent | null;
  /** The occurrence clicked, for a series ("YYYY-MM-DDTHH:MM"). */
  occurrenceKey: string | null;
}

/**
 * The event form in a modal dialog: create (from a selected slot or "New event") or edit
 * (from a click), with delete of the event, or of one occurrence of a series.
 */
export function EventDialog({ target, onClose }: { target: DialogTarget; onClose: () => void }) {
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const [form, setForm] = useState<EventForm>(target.form);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const editing = target.event !== null;

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  function set<K extends keyof EventForm>(key: K, value: EventForm[K]) {
    setForm((current) => ({ ...current, [key]: value }));
  }

  async function act(call: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await call();
      onClose();
    } catch (err) {
      const failure = callableFailure(err);
      setError(
        failure.code === "failed-precondition"
          ? { message: "This event was changed in another tab. Close and open it again." }
          : { message: failure.message, ...(failure.field ? { field: failure.field } : {}) },
      );
      setBusy(false);
    }
  }

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const problem = formProblem(form);
    if (problem) {
      setError({ message: problem.message, field: problem.field });
      return;
    }
    void act(() => saveCalendarEvent(requestFromForm(form, target.event)));
  }

  const invalid = (field: string) => (error?.field === field ? true : undefined);
  const knownRepeat = REPEATS.some((option) => option.value === form.recurrence);

  return (
    <dialog
      ref={dialog}
      className="event-dialog"
      aria-labelledby={`${id}-heading`}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <form className="stack" onSubmit={handleSubmit} noValidate>
        <h2 id={`${id}-heading`}>{editing ? "Edit event" : "New event"}</h2>
        <div className="field">
          <label htmlFor={`${id}-title`}>Title</label>
          <input
            id={`${id}-title`}
            type="text"
            required
            autoFocus
            maxLength={MAX_TITLE_CHARS}
            aria-invalid={invalid("title")}
            value={form.title}
            onChange={(event) => set("title", event.target.value)}
          />
        </div>
        <label className="check">
          <input
            type="checkbox"
            checked={form.allDay}
            onChange={(event) => set("allDay", event.target.checked)}
          />
          All day
        </label>
        <div className="event-times">
          <div className="field">
            <label htmlFor={`${id}-start-date`}>Starts</label>
            <input
              id={`${id}-start-date`}
              type="date"
              aria-invalid={invalid("startDate")}
              value={form.startDate}
              onChange={(event) => set("startDate", event.target.value)}
            />
          </div>
          {!form.allDay && (
            <div className="field">
              <label htmlFor={`${id}-start-time`}>Start time</label>
              <input
                id={`${id}-start-time`}
                type="time"
                value={form.startTime}
                onChange={(event) => set("startTime", event.target.value)}
              />
            </div>
          )}
          <div className="field">
            <label htmlFor={`${id}-end-date`}>Ends</label>
            <input
              id={`${id}-end-date`}
              type="date"
              aria-invalid={invalid("endDate")}
              value={form.endDate}
              onChange={(event) => set("endDate", event.target.value)}
            />
          </div>
          {!form.allDay && (
            <div className="field">
              <label htmlFor={`${id}-end-time`}>End time</label>
              <input
                id={`${id}-end-time`}
                type="time"
                value={form.endTime}
                onChange={(event) => set("endTime", event.target.value)}
              />
            </div>
          )}
        </div>
        <small className="muted">Times in {form.zone}.</small>
        <div className="field">
          <label htmlFor={`${id}-repeat`}>Repeat</label>
          <select
            id={`${id}-repeat`}
            value={form.recurrence}
            onChange={(event) => set("recurrence", event.target.value)}
          >
            {!knownRepeat && <option value={form.recurrence}>{form.recurrence}</option>}
            {REPEATS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-location`}>Location</label>
          <input
            id={`${id}-location`}
            type="text"
            maxLength={500}
            value={form.location}
            onChange={(event) => set("location", event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-notes`}>Notes</label>
          <textarea
            id={`${id}-notes`}
            rows={3}
            maxLength={5000}
            value={form.notes}
            onChange={(event) => set("notes", event.target.value)}
          />
        </div>
        {error && (
          <ErrorMessage testId="event-error">
            {error.field && !(error.field in form) ? `${error.field}: ` : ""}
            {error.message}
          </ErrorMessage>
        )}
        <div className="row spread">
          <div className="row">
            <button type="submit" disabled={busy}>
              {busy ? "Saving…" : "Save event"}
            </button>
            <button type="button" className="secondary" onClick={onClose}>
              Cancel
            </button>
          </div>
          {target.event && (
            <div className="row">
              {target.event.recurrence && target.occurrenceKey && (
                <button
                  type="button"
                  className="secondary"
                  disabled={busy}
                  onClick={() => {
                    const { event, occurrenceKey } = target;
                    if (event && occurrenceKey) {
                      void act(() =>
                        saveCalendarEvent(cancelOccurrenceRequest(event, occurrenceKey)),
                      );
                    }
                  }}
                >
                  Delete this occurrence
                </button>
              )}
              <button
                type="button"
                className="danger"
                disabled={busy}
                onClick={() => {
                  const { event } = target;
                  if (event) {
                    void act(() =>
                      deleteCalendarEvent({ id: event.id, expectedVersion: event.version }),
                    );
                  }
                }}
              >
                {target.event.recurrence ? "Delete series" : "Delete event"}
              </button>
            </div>
          )}
        </div>
      </form>
    </dialog>
  );
}
