/**
 * Says when the app is offline, and when it has synced again once the network returns
 * (the quick-add queue sent, the chat messages written offline acknowledged). A polite
 * live region that is always there, so each change is announced.
 */
import { useAuth } from "../lib/auth";
import { useConnectionSync, type SyncState } from "../lib/offline/sync";
import "./offline.css";

const TEXT: Record<SyncState, string> = {
  online: "",
  offline:
    "You are offline. Aura shows what this device has saved; messages and quick adds you write are sent when you are back online.",
  syncing: "Back online: syncing…",
  synced: "Back online: everything is synced.",
};

export function OfflineBanner() {
  const { user, setupError, retrySetup } = useAuth();
  // Setup (ensure_profile) could not answer offline: try again now that it can.
  const state = useConnectionSync(user?.uid, () => {
    if (setupError) retrySetup();
  });
  return (
    <div
      className={state === "online" ? "connection" : `connection connection-${state}`}
      role="status"
      data-testid="connection-status"
      data-state={state}
    >
      {TEXT[state]}
    </div>
  );
}
