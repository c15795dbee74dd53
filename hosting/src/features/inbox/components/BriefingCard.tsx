import { formatInZone, timeText, toWall } from "../../../lib/localtime";
import type { Briefing, BriefingItem } from "../models";

function ItemList({ title, items, zone }: { title: string; items: BriefingItem[]; zone: string }) {
  if (items.length === 0) return null;
  return (
    <div>
      <h3>{title}</h3>
      <ul>
        {items.map((item) => (
          <li key={`${item.id}-${item.at?.getTime() ?? ""}`}>
            {item.title}
            {item.at && !item.allDay && (
              <span className="muted"> · {timeText(toWall(item.at, zone))}</span>
            )}
            {item.allDay && <span className="muted"> · all day</span>}
            {item.overdue && <span className="overdue"> · overdue</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The day's briefing: its summary, then the events, tasks and reminders it counted. */
export function BriefingCard({ briefing }: { briefing: Briefing }) {
  const day = formatInZone(new Date(`${briefing.date}T12:00:00Z`), "UTC", false);
  return (
    <article className="card briefing" data-testid="briefing" aria-labelledby="briefing-heading">
      <h2 id="briefing-heading">Briefing for {day}</h2>
      {briefing.summary && <p className="briefing-summary">{briefing.summary}</p>}
      <div className="briefing-lists">
        <ItemList title="Events" items={briefing.events} zone={briefing.timezone} />
        <ItemList title="Tasks" items={briefing.tasks} zone={briefing.timezone} />
        <ItemList title="Reminders" items={briefing.reminders} zone={briefing.timezone} />
      </div>
    </article>
  );
}
