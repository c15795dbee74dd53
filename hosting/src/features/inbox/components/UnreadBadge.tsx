import { useReadyUid } from "../../../hooks/useReadyUid";
import { useUnreadCount } from "../api/inbox";
import { badgeLabel, badgeText } from "../utils/inbox";
import "./badge.css";

/** The navigation's unread count ("99+" past 99), live; nothing when all is read. */
export function UnreadBadge() {
  const { data: count } = useUnreadCount(useReadyUid());
  const text = badgeText(count ?? 0);
  return text ? (
    <span className="nav-badge" data-testid="unread-badge">
      <span aria-hidden="true">{text}</span>
      <span className="visually-hidden">, {badgeLabel(count ?? 0)}</span>
    </span>
  ) : null;
}
