/** The inbox: live notifications, the unread count, the briefing, and marking read. */
import { useLive, type LiveState } from "../../../hooks/useLive";
import { callable } from "../../../lib/firebase/callables";
import {
  watchBriefing,
  watchLatestBriefing,
  watchNotifications,
  watchUnreadCount,
} from "../../../lib/firebase/documents";
import { toBriefing, toNotification, type Briefing, type InboxNotification } from "../models";

/** The user's most recent notifications, newest first. */
export function useNotifications(uid: string | undefined): LiveState<InboxNotification[]> {
  return useLive(
    uid ?? null,
    (onData, onError) => watchNotifications(uid ?? "", toNotification, onData, onError),
    "your notifications",
  );
}

/** How many notifications are unread (counted up to 100: the badge says "99+"). */
export function useUnreadCount(uid: string | undefined): LiveState<number> {
  return useLive(
    uid ?? null,
    (onData, onError) => watchUnreadCount(uid ?? "", onData, onError),
    "the unread count",
  );
}

/** The briefing of `day` ("YYYY-MM-DD"), or the latest one when `day` is null. */
export function useBriefing(
  uid: string | undefined,
  day: string | null,
): LiveState<Briefing | null> {
  return useLive(
    uid ? `${uid}/${day ?? "latest"}` : null,
    (onData, onError) =>
      day
        ? watchBriefing(uid ?? "", day, toBriefing, onData, onError)
        : watchLatestBriefing(uid ?? "", toBriefing, onData, onError),
    "your briefing",
  );
}

/** Mark some (`ids`) or every (`all`) notification read; `more`: call again for the rest. */
export const markNotificationsRead = callable("mark_notifications_read");
