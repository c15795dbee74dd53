import { useId, useState } from "react";
import { ErrorMessage } from "../../../components/Status";
import { callableFailure } from "../../../lib/firebase/errors";
import { rotateCalendarFeed } from "../api/profile";

type State =
  | { kind: "idle" }
  | { kind: "working" }
  | { kind: "created"; url: string }
  | { kind: "revoked" }
  | { kind: "failed"; message: string };

/** The feed's full address: the server answers a path on this site. */
export function feedAddress(url: string, origin: string): string {
  return url.startsWith("/") ? `${origin}${url}` : url;
}

/**
 * The private calendar feed (subscribe to it from another calendar app): Create makes a
 * new secret address, shown once, and stops any previous one; Revoke ends it.
 */
export function CalendarFeed() {
  const id = useId();
  const [state, setState] = useState<State>({ kind: "idle" });

  async function run(action: "create" | "revoke") {
    setState({ kind: "working" });
    try {
      const result = await rotateCalendarFeed({ action });
      setState(
        action === "create" && result.url
          ? { kind: "created", url: feedAddress(result.url, location.origin) }
          : { kind: "revoked" },
      );
    } catch (err) {
      setState({ kind: "failed", message: callableFailure(err).message });
    }
  }

  const busy = state.kind === "working";
  return (
    <div className="stack">
      <p className="muted">
        Subscribe to your Aura calendar from another calendar app with a private address. Anyone
        with the address can read your events: revoke it if it leaks.
      </p>
      {state.kind === "created" && (
        <div className="field">
          <label htmlFor={`${id}-url`}>Your calendar feed (shown once: copy it now)</label>
          <input
            id={`${id}-url`}
            type="text"
            readOnly
            value={state.url}
            data-testid="calendar-feed-url"
            onFocus={(event) => event.currentTarget.select()}
          />
        </div>
      )}
      {state.kind === "revoked" && (
        <p role="status" className="success">
          The feed is revoked: its address no longer works.
        </p>
      )}
      {state.kind === "failed" && <ErrorMessage>{state.message}</ErrorMessage>}
      <div className="row">
        <button type="button" disabled={busy} onClick={() => void run("create")}>
          Create new link
        </button>
        <button
          type="button"
          className="secondary"
          disabled={busy}
          onClick={() => void run("revoke")}
        >
          Revoke link
        </button>
      </div>
    </div>
  );
}
