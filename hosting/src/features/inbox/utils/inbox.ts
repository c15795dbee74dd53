/** The inbox's pure logic: the unread badge, new arrivals, and links into the app. */

/** The unread badge: nothing for none, the count up to 99, then "99+". */
export function badgeText(count: number): string {
  if (count <= 0) return "";
  return count > 99 ? "99+" : String(count);
}

/** "3 unread notifications" for the badge's accessible name. */
export function badgeLabel(count: number): string {
  if (count <= 0) return "no unread notifications";
  const amount = count > 99 ? "more than 99" : String(count);
  return `${amount} unread notification${count === 1 ? "" : "s"}`;
}

/**
 * The unread notifications in `current` that were not in `seen` (ids seen before);
 * `seen` null (the first snapshot) means none is new: a page load never alerts.
 */
export function arrivals<T extends { id: string; read: boolean }>(
  seen: ReadonlySet<string> | null,
  current: readonly T[],
): T[] {
  if (seen === null) return [];
  return current.filter((item) => !item.read && !seen.has(item.id));
}

/**
 * A notification's link as an address in the app ("/tasks?task=…"), or null for
 * anything else (another site, "//host", "javascript:"): links only ever move within Aura.
 */
export function appLink(link: string | null): string | null {
  if (!link || !link.startsWith("/") || link.startsWith("//") || link.startsWith("/\\")) {
    return null;
  }
  return link;
}

/** What a link opens, for its text: "Open task", "Open event", … */
export function linkLabel(link: string): string {
  if (link.startsWith("/tasks")) return "Open task";
  if (link.startsWith("/calendar")) return "Open event";
  if (link.startsWith("/automations")) return "Open run";
  if (link.startsWith("/inbox")) return "Open briefing";
  return "Open";
}

/** The ids to mark read when marking all: every unread one shown (the server does the rest). */
export function unreadIds(items: readonly { id: string; read: boolean }[]): string[] {
  return items.filter((item) => !item.read).map((item) => item.id);
}
