import { useCallback, useEffect, useRef, useState } from "react";
import type { InboxNotification } from "../models";
import { arrivals } from "../utils/inbox";

export type Permission = NotificationPermission | "unsupported";

function currentPermission(): Permission {
  return typeof Notification === "undefined" ? "unsupported" : Notification.permission;
}

/**
 * System notifications (the browser's Notification API) for notifications that arrive
 * while the page is open, once the user has allowed them. Permission is asked only by
 * `request` (a button), never on load; what was there when the page opened never alerts.
 */
export function useSystemNotifications(items: readonly InboxNotification[] | undefined) {
  const [permission, setPermission] = useState<Permission>(currentPermission);
  const seen = useRef<Set<string> | null>(null);

  useEffect(() => {
    if (items === undefined) return;
    const fresh = arrivals(seen.current, items);
    seen.current = new Set([...(seen.current ?? []), ...items.map((item) => item.id)]);
    if (permission !== "granted") return;
    for (const item of fresh) {
      // The tag folds a notification shown twice (two tabs) into one.
      new Notification(item.title || "Aura", { body: item.body, tag: item.id });
    }
  }, [items, permission]);

  const request = useCallback(async () => {
    if (typeof Notification === "undefined") return;
    setPermission(await Notification.requestPermission());
  }, []);

  return { permission, request };
}
