import type {
  DateSelectArg,
  DatesSetArg,
  EventClickArg,
  EventDropArg,
  EventInput,
} from "@fullcalendar/core";
import dayGridPlugin from "@fullcalendar/daygrid";
import interactionPlugin, { type EventResizeDoneArg } from "@fullcalendar/interaction";
import FullCalendar from "@fullcalendar/react";
import timeGridPlugin from "@fullcalendar/timegrid";
import { useMemo } from "react";
// FullCalendar's own CSS as a stylesheet (see scripts/fullcalendar-css.ts): the CSP
// refuses the <style> element it would inject.
import "virtual:fullcalendar.css";
import type { Occurrence } from "../utils/expand";
import { widgetDate, widgetRange } from "../utils/form";

const PLUGINS = [dayGridPlugin, timeGridPlugin, interactionPlugin];
const SEPARATOR = "|";

export interface CalendarViewProps {
  occurrences: readonly Occurrence[];
  zone: string;
  /** The visible range changed (widget dates, end exclusive). */
  onRange: (start: Date, end: Date) => void;
  onSelect: (start: Date, end: Date, allDay: boolean) => void;
  onOpen: (eventId: string, key: string) => void;
  /** Dropped or resized: resolve false to put it back. */
  onMove: (
    eventId: string,
    key: string,
    start: Date,
    end: Date | null,
    allDay: boolean,
  ) => Promise<boolean>;
}

function ids(value: string): [string, string] {
  const at = value.indexOf(SEPARATOR);
  return [value.slice(0, at), value.slice(at + 1)];
}

/**
 * FullCalendar's week and month views. It runs in UTC and is given the user's wall clock
 * (see `utils/form`), so it shows their zone, whatever the browser's.
 */
export function CalendarView({
  occurrences,
  zone,
  onRange,
  onSelect,
  onOpen,
  onMove,
}: CalendarViewProps) {
  const events = useMemo<EventInput[]>(
    () =>
      occurrences.map((occurrence) => {
        const range = widgetRange(occurrence, zone);
        return {
          id: `${occurrence.eventId}${SEPARATOR}${occurrence.key}`,
          title: occurrence.title,
          start: range.start,
          end: range.end,
          allDay: occurrence.allDay,
          classNames: occurrence.recurring ? ["recurring"] : [],
        };
      }),
    [occurrences, zone],
  );

  async function moved(info: EventDropArg | EventResizeDoneArg) {
    const [eventId, key] = ids(info.event.id);
    const { start, end, allDay } = info.event;
    if (!start || !(await onMove(eventId, key, start, end, allDay))) info.revert();
  }

  return (
    <FullCalendar
      plugins={PLUGINS}
      initialView="timeGridWeek"
      timeZone="UTC"
      now={() => widgetDate(new Date(), zone)}
      headerToolbar={{
        left: "prev,next today",
        center: "title",
        right: "timeGridWeek,dayGridMonth",
      }}
      // Text, not icon fonts: FullCalendar's icons are role="img" without a name.
      buttonIcons={false}
      buttonText={{ prev: "Previous", next: "Next", today: "Today", week: "Week", month: "Month" }}
      firstDay={1}
      height="auto"
      scrollTime="08:00:00"
      nowIndicator
      selectable
      selectMirror
      editable
      eventTimeFormat={{ hour: "2-digit", minute: "2-digit", hourCycle: "h23" }}
      slotLabelFormat={{ hour: "2-digit", minute: "2-digit", hourCycle: "h23" }}
      events={events}
      datesSet={(arg: DatesSetArg) => onRange(arg.start, arg.end)}
      select={(arg: DateSelectArg) => {
        onSelect(arg.start, arg.end, arg.allDay);
        arg.view.calendar.unselect();
      }}
      eventClick={(arg: EventClickArg) => {
        const [eventId, key] = ids(arg.event.id);
        onOpen(eventId, key);
      }}
      eventDrop={(info) => void moved(info)}
      eventResize={(info) => void moved(info)}
    />
  );
}
