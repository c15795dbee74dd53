/// <reference types="vite-plugin-pwa/react" />
/**
 * "A new version is ready — Reload": the service worker (vite-plugin-pwa, registerType
 * "prompt") installs a new build in the background and waits; the page keeps running the
 * build it loaded until the user chooses Reload, so no one is switched to new code
 * mid-task, and no one stays on an old build unknowingly. The app checks for a new build
 * when it starts and every hour.
 */
import { useRegisterSW } from "virtual:pwa-register/react";
import "./offline.css";

const UPDATE_CHECK_MS = 60 * 60 * 1000;

export function UpdatePrompt() {
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    updateServiceWorker,
  } = useRegisterSW({
    onRegisteredSW(_url, registration) {
      if (!registration) return;
      window.setInterval(() => {
        if (navigator.onLine) registration.update().catch(() => undefined);
      }, UPDATE_CHECK_MS);
    },
    onRegisterError(error: unknown) {
      // The app works without it, online; nothing to tell the user.
      console.warn("Aura: the service worker could not be registered", error);
    },
  });

  return (
    <div className="update-prompt" role="status" data-testid="update-prompt">
      {needRefresh && (
        <div className="update-prompt-card">
          <span>A new version of Aura is ready.</span>
          <button type="button" onClick={() => void updateServiceWorker(true)}>
            Reload
          </button>
          <button type="button" className="secondary" onClick={() => setNeedRefresh(false)}>
            Later
          </button>
        </div>
      )}
    </div>
  );
}
