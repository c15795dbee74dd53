/**
 * The connection as the app tells it: offline, syncing once the network returns (the
 * quick-add queue sent, Firestore's queued writes acknowledged: `waitForPendingWrites`),
 * then synced for a moment. Mounted once for the signed-in user (`OfflineBanner`).
 */
import { useEffect, useRef, useState } from "react";
import { pendingWritesSettled } from "../firebase/app";
import { isOnline } from "./network";
import { drainQuickAdds } from "./quickAddQueue";

export type SyncState = "online" | "offline" | "syncing" | "synced";

/** How long "Synced" stays before the indicator hides. */
export const SYNCED_SHOWN_MS = 5_000;

/**
 * The connection state for `uid`; `onReconnect` runs each time the network returns (the
 * app retries its own setup there). Also sends lines left queued by an earlier session.
 */
export function useConnectionSync(uid: string | undefined, onReconnect?: () => void): SyncState {
  const [state, setState] = useState<SyncState>(() => (isOnline() ? "online" : "offline"));
  const reconnect = useRef(onReconnect);
  useEffect(() => {
    reconnect.current = onReconnect;
  });

  useEffect(() => {
    if (uid && isOnline()) void drainQuickAdds(uid);
  }, [uid]);

  useEffect(() => {
    let round = 0;
    let hide: number | undefined;
    const goOffline = () => {
      round += 1;
      window.clearTimeout(hide);
      setState("offline");
    };
    const goOnline = () => {
      const mine = (round += 1);
      window.clearTimeout(hide);
      setState("syncing");
      reconnect.current?.();
      const queue = uid ? drainQuickAdds(uid) : Promise.resolve();
      void Promise.allSettled([queue, pendingWritesSettled()]).then(() => {
        if (mine !== round) return;
        setState("synced");
        hide = window.setTimeout(() => {
          if (mine === round) setState("online");
        }, SYNCED_SHOWN_MS);
      });
    };
    window.addEventListener("offline", goOffline);
    window.addEventListener("online", goOnline);
    return () => {
      round += 1;
      window.clearTimeout(hide);
      window.removeEventListener("offline", goOffline);
      window.removeEventListener("online", goOnline);
    };
  }, [uid]);

  return state;
}
