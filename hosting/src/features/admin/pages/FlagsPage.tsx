import { useCallback, useEffect, useState } from "react";
import { ErrorMessage, Loading } from "../../../components/Status";
import { clearFlagCache } from "../../../hooks/useFlags";
import { useIsAdmin } from "../../../hooks/useIsAdmin";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useReadyUid } from "../../../hooks/useReadyUid";
import { callableFailure } from "../../../lib/firebase/errors";
import type { ListFlagsResult } from "../../../wire/flags";
import { listFlags } from "../api/flags";
import { FlagEditor } from "../components/FlagEditor";
import { draftOf, newDraft, reachLabel, targetingLabel, type FlagDraft } from "../utils/flags";
import "../components/admin.css";

type Listing =
  | { kind: "loading" }
  | { kind: "loaded"; result: ListFlagsResult }
  | { kind: "failed"; message: string };

/**
 * /admin/flags: every feature flag, how it is targeted and how many users it reaches
 * (`list_flags`), and an editor that saves through `set_flag`. Only admins reach it from
 * the nav; the server refuses everyone else, which this page shows as an error.
 */
export default function FlagsPage() {
  usePageTitle("Feature flags");
  const uid = useReadyUid();
  const isAdmin = useIsAdmin();
  const [listing, setListing] = useState<Listing>({ kind: "loading" });
  const [editing, setEditing] = useState<FlagDraft | null>(null);
  const [saved, setSaved] = useState("");

  const load = useCallback(async () => {
    try {
      setListing({ kind: "loaded", result: await listFlags({}) });
    } catch (err) {
      setListing({ kind: "failed", message: callableFailure(err).message });
    }
  }, []);

  useEffect(() => {
    if (uid) void load();
  }, [uid, load]);

  return (
    <section className="stack flags-page">
      <h1>Feature flags</h1>
      {!isAdmin && uid && (
        <p className="muted">Only admins can change flags; the server checks your role.</p>
      )}
      {saved && (
        <p className="success" role="status" data-testid="flag-saved">
          {saved}
        </p>
      )}
      {listing.kind === "loading" && <Loading>Loading flags…</Loading>}
      {listing.kind === "failed" && (
        <ErrorMessage testId="flags-error">Could not load the flags: {listing.message}</ErrorMessage>
      )}
      {listing.kind === "loaded" && (
        <>
          <p className="muted" data-testid="flags-scanned">
            Reach counts {listing.result.usersScanned} user profiles
            {listing.result.capped ? ` (the first ${listing.result.scanCap}; there are more)` : ""}.
          </p>
          <table className="flags-table">
            <caption className="visually-hidden">Feature flags and their reach</caption>
            <thead>
              <tr>
                <th scope="col">Flag</th>
                <th scope="col">Targeting</th>
                <th scope="col">Reach</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {listing.result.flags.map((flag) => (
                <tr key={flag.key} data-testid={`flag-${flag.key}`}>
                  <th scope="row">
                    <code>{flag.key}</code>
                    {flag.description && <div className="muted small-text">{flag.description}</div>}
                  </th>
                  <td>{targetingLabel(flag)}</td>
                  <td data-testid={`reach-${flag.key}`}>
                    {reachLabel(flag.reach, listing.result.usersScanned, listing.result.capped)}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="small secondary"
                      aria-label={`Edit ${flag.key}`}
                      onClick={() => {
                        setSaved("");
                        setEditing(draftOf(flag));
                      }}
                    >
                      Edit
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {editing ? (
        <FlagEditor
          key={`${editing.key}:${editing.version}:${editing.isNew}`}
          initial={editing}
          onCancel={() => setEditing(null)}
          onSaved={(result) => {
            setEditing(null);
            setSaved(
              result.changed
                ? `Saved ${result.flag.key} (version ${result.flag.version}).`
                : `${result.flag.key} was already so; nothing changed.`,
            );
            clearFlagCache(); // this session's own flags may have changed
            void load();
          }}
        />
      ) : (
        <div>
          <button
            type="button"
            onClick={() => {
              setSaved("");
              setEditing(newDraft());
            }}
          >
            New flag
          </button>
        </div>
      )}
    </section>
  );
}
