import { useEffect, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { SetupError } from "../../../components/SetupError";
import { ErrorMessage, LoadError, Loading } from "../../../components/Status";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useReadyUid } from "../../../hooks/useReadyUid";
import { useUserZone } from "../../../hooks/useUserZone";
import { callableFailure } from "../../../lib/firebase/errors";
import { dateText, toWall } from "../../../lib/localtime";
import { saveCalendarEvent, useCalendarEvents } from "../api/calendar";
import { CalendarView } from "../components/CalendarView";
import { EventDialog, type DialogTarget } from "../components/EventDialog";
import { ImportIcs } from "../components/ImportIcs";
import { expandAll } from "../utils/expand";
import { formFromEvent, formFromSelection, fromWidgetDate, moveRequest } from "../utils/form";
import "../components/calendar.css";

/**
 * /calendar: the user's events (live) in week and month views, in their zone. Select a
 * slot (or "New event") to create one, click one to edit it, drag it to move it (one
 * occurrence of a series becomes an exception); import an `.ics` file.
 * `?event=<id>` (a reminder's link) opens that event.
 */
export default function CalendarPage() {
  usePageTitle("Calendar");
  const uid = useReadyUid();
  const { zone } = useUserZone(uid);
  const events = useCalendarEvents(uid);
  // The visible range, as widget dates (the user's wall clock as UTC fields).
  const [range, setRange] = useState<{ start: Date; end: Date } | null>(null);
  const [dialog, setDialog] = useState<DialogTarget | null>(null);
  const [moveError, setMoveError] = useState<string | null>(null);
  const [params, setParams] = useSearchParams();
  const linked = params.get("event");

  const occurrences = useMemo(() => {
    if (!events.data || !range) return [];
    return expandAll(
      events.data,
      fromWidgetDate(range.start, zone),
      fromWidgetDate(range.end, zone),
      zone,
    );
  }, [events.data, range, zone]);

  // A reminder's link opens its event once the events have loaded.
  useEffect(() => {
    if (!linked || !events.data) return;
    const event = events.data.find((item) => item.id === linked);
    if (event) setDialog({ form: formFromEvent(event, zone), event, occurrenceKey: null });
    setParams({}, { replace: true });
  }, [linked, events.data, zone, setParams]);

  function newEvent() {
    const today = dateText(toWall(new Date(), zone));
    const start = new Date(`${today}T09:00:00Z`);
    const end = new Date(`${today}T10:00:00Z`);
    setDialog({
      form: formFromSelection(start, end, false, zone),
      event: null,
      occurrenceKey: null,
    });
  }

  async function move(
    eventId: string,
    key: string,
    start: Date,
    end: Date | null,
    allDay: boolean,
  ): Promise<boolean> {
    setMoveError(null);
    const event = events.data?.find((item) => item.id === eventId);
    const occurrence = occurrences.find((item) => item.eventId === eventId && item.key === key);
    if (!event || !occurrence) return false;
    const request = moveRequest(event, occurrence, start, end, allDay, zone);
    if (!request) {
      setMoveError(
        "One occurrence of a series cannot switch between all-day and timed. Edit the series instead.",
      );
      return false;
    }
    try {
      await saveCalendarEvent(request);
      return true;
    } catch (err) {
      const failure = callableFailure(err);
      setMoveError(
        failure.code === "failed-precondition"
          ? `“${event.title}” was changed in another tab: the calendar now shows the latest version.`
          : `Could not move “${event.title}”: ${failure.message}`,
      );
      return false;
    }
  }

  return (
    <section className="calendar stack">
      <div className="row spread">
        <h1>Calendar</h1>
        <button type="button" onClick={newEvent}>
          New event
        </button>
      </div>
      <SetupError />
      <p className="muted" data-testid="calendar-zone">
        Times shown in {zone}. <Link to="/profile">Change your time zone</Link>
      </p>
      <LoadError what="your calendar" error={events.error} />
      {moveError && <ErrorMessage testId="move-error">{moveError}</ErrorMessage>}
      {events.data === undefined && !events.error && <Loading>Loading your calendar…</Loading>}
      <div className="calendar-frame card" data-testid="calendar">
        <CalendarView
          occurrences={occurrences}
          zone={zone}
          onRange={(start, end) =>
            setRange((current) =>
              current?.start.getTime() === start.getTime() &&
              current.end.getTime() === end.getTime()
                ? current
                : { start, end },
            )
          }
          onSelect={(start, end, allDay) =>
            setDialog({
              form: formFromSelection(start, end, allDay, zone),
              event: null,
              occurrenceKey: null,
            })
          }
          onOpen={(eventId, key) => {
            const event = events.data?.find((item) => item.id === eventId);
            if (event) setDialog({ form: formFromEvent(event, zone), event, occurrenceKey: key });
          }}
          onMove={move}
        />
      </div>
      <div className="card">
        <ImportIcs />
      </div>
      {dialog && <EventDialog target={dialog} onClose={() => setDialog(null)} />}
    </section>
  );
}
