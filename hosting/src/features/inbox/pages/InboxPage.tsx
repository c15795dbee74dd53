import { useState } from "react";
import { useSearchParams } from "react-router";
import { SetupError } from "../../../components/SetupError";
import { ErrorMessage, LoadError, Loading } from "../../../components/Status";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useReadyUid } from "../../../hooks/useReadyUid";
import { useUserZone } from "../../../hooks/useUserZone";
import { callableFailure } from "../../../lib/firebase/errors";
import { markNotificationsRead, useBriefing, useNotifications } from "../api/inbox";
import { BriefingCard } from "../components/BriefingCard";
import { NotificationList } from "../components/NotificationList";
import { useSystemNotifications } from "../hooks/useSystemNotifications";
import type { InboxNotification } from "../models";
import "../components/inbox.css";

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * /inbox: the latest briefing (or `?briefing=<day>`'s), then the notifications, live and
 * newest first, with "Mark read" on each and "Mark all read". While the page is open a
 * new notification also shows as a system notification, if the user allowed them here.
 */
export default function InboxPage() {
  usePageTitle("Inbox");
  const uid = useReadyUid();
  const { zone } = useUserZone(uid);
  const [params] = useSearchParams();
  const day = params.get("briefing");
  const briefing = useBriefing(uid, day && DAY.test(day) ? day : null);
  const notifications = useNotifications(uid);
  const system = useSystemNotifications(notifications.data);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [markingAll, setMarkingAll] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const unread = notifications.data?.filter((item) => !item.read).length ?? 0;

  async function markOne(item: InboxNotification) {
    setBusy((current) => new Set(current).add(item.id));
    setError(null);
    try {
      await markNotificationsRead({ ids: [item.id] });
    } catch (err) {
      setError(`Could not mark “${item.title}” read: ${callableFailure(err).message}`);
    } finally {
      setBusy((current) => {
        const next = new Set(current);
        next.delete(item.id);
        return next;
      });
    }
  }

  async function markAll() {
    setMarkingAll(true);
    setError(null);
    try {
      // One call marks a bounded number; `more` says some remain.
      for (let round = 0; round < 20; round += 1) {
        const result = await markNotificationsRead({ all: true });
        if (!result.more) break;
      }
    } catch (err) {
      setError(`Could not mark all read: ${callableFailure(err).message}`);
    } finally {
      setMarkingAll(false);
    }
  }

  return (
    <section className="inbox stack">
      <div className="row spread">
        <h1>Inbox</h1>
        <div className="row">
          {system.permission === "default" && (
            <button type="button" className="secondary" onClick={() => void system.request()}>
              Show system notifications
            </button>
          )}
          <button
            type="button"
            disabled={markingAll || unread === 0}
            onClick={() => void markAll()}
          >
            {markingAll ? "Marking…" : "Mark all read"}
          </button>
        </div>
      </div>
      <SetupError />
      {system.permission === "denied" && (
        <p className="muted">System notifications are blocked for this site in your browser.</p>
      )}
      {briefing.data && <BriefingCard briefing={briefing.data} />}
      {error && <ErrorMessage>{error}</ErrorMessage>}
      <LoadError what="your notifications" error={notifications.error} />
      {notifications.data === undefined && !notifications.error && (
        <Loading>Loading notifications…</Loading>
      )}
      {notifications.data?.length === 0 && (
        <p className="muted" data-testid="no-notifications">
          Nothing here yet. Reminders, briefings and your automations' messages arrive here.
        </p>
      )}
      {notifications.data && notifications.data.length > 0 && (
        <NotificationList
          items={notifications.data}
          zone={zone}
          busy={busy}
          onMarkRead={(item) => void markOne(item)}
        />
      )}
    </section>
  );
}
