import { Link } from "react-router";
import { formatInZone } from "../../../lib/localtime";
import type { InboxNotification } from "../models";
import { appLink, linkLabel } from "../utils/inbox";

const KIND_LABELS: Record<InboxNotification["kind"], string> = {
  reminder: "Reminder",
  workflow: "Automation",
  briefing: "Briefing",
  system: "Aura",
};

/** The notifications, newest first: unread ones marked, each with its link and "Mark read". */
export function NotificationList({
  items,
  zone,
  busy,
  onMarkRead,
}: {
  items: readonly InboxNotification[];
  zone: string;
  busy: ReadonlySet<string>;
  onMarkRead: (item: InboxNotification) => void;
}) {
  return (
    <ul className="notification-list" aria-label="Notifications">
      {items.map((item) => {
        const link = appLink(item.link);
        return (
          <li
            key={item.id}
            className={`notification${item.read ? "" : " unread"}`}
            data-testid="notification-item"
            data-notification-id={item.id}
            data-read={item.read}
          >
            <div className="notification-main">
              <div className="row notification-head">
                <span className="badge neutral">{KIND_LABELS[item.kind]}</span>
                <strong className="notification-title">
                  {item.read ? "" : <span className="visually-hidden">Unread: </span>}
                  {item.title}
                </strong>
              </div>
              {item.body && <p className="notification-body">{item.body}</p>}
              <div className="row notification-meta">
                {item.createdAt && (
                  <time className="muted" dateTime={item.createdAt.toISOString()}>
                    {formatInZone(item.createdAt, zone)}
                  </time>
                )}
                {link && (
                  <Link to={link} onClick={() => item.read || onMarkRead(item)}>
                    {linkLabel(link)}
                    <span className="visually-hidden">: {item.title}</span>
                  </Link>
                )}
              </div>
            </div>
            {!item.read && (
              <button
                type="button"
                className="secondary small"
                disabled={busy.has(item.id)}
                aria-label={`Mark read: ${item.title}`}
                onClick={() => onMarkRead(item)}
              >
                Mark read
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}
