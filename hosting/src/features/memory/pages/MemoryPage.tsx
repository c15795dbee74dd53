import { useMemo, useState } from "react";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { SetupError } from "../../../components/SetupError";
import { ErrorMessage, LoadError, Loading } from "../../../components/Status";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useReadyUid } from "../../../hooks/useReadyUid";
import { callableFailure } from "../../../lib/firebase/errors";
import { safeZone } from "../../../lib/localtime";
import { forgetAllMemories, useMemories, useProfile } from "../api/memory";
import { AddMemoryForm } from "../components/AddMemoryForm";
import { AutoExtractSwitch } from "../components/AutoExtractSwitch";
import { MemoryItem } from "../components/MemoryItem";
import { MemorySearch } from "../components/MemorySearch";
import { countText, memoryChains } from "../utils/memories";
import "../components/memory.css";

/**
 * /memory: what Aura remembers about the user, live: add, search by meaning, see why
 * each memory exists, edit (keeping the old text), delete, delete all, and the switch
 * for learning from chats.
 */
export default function MemoryPage() {
  usePageTitle("Memory");
  const uid = useReadyUid();
  const memories = useMemories(uid);
  const profile = useProfile(uid);
  const zone = safeZone(profile.data?.settings.timezone);
  const [confirming, setConfirming] = useState(false);
  const [clearing, setClearing] = useState(false);
  const [clearError, setClearError] = useState<string | null>(null);
  const [cleared, setCleared] = useState("");

  // Recomputed with each snapshot: an expiry passing while the page is open shows at the
  // next change, which is soon enough for a label.
  const chains = useMemo(
    () => (memories.data ? memoryChains(memories.data, new Date()) : undefined),
    [memories.data],
  );

  async function clearAll() {
    setClearing(true);
    setClearError(null);
    try {
      const result = await forgetAllMemories({ confirm: true });
      setConfirming(false);
      setCleared(`Deleted ${countText(result.deleted)}.`);
    } catch (err) {
      setClearError(callableFailure(err).message);
    } finally {
      setClearing(false);
    }
  }

  return (
    <section className="memory-page stack">
      <h1>Memory</h1>
      <SetupError />
      <div className="card">
        <h2>Automatic memory</h2>
        <LoadError what="your settings" error={profile.error} />
        {profile.data ? (
          <AutoExtractSwitch saved={profile.data.settings.memory.autoExtract} />
        ) : (
          !profile.error && <Loading>Loading your settings…</Loading>
        )}
      </div>
      <div className="card">
        <h2>Add a memory</h2>
        <AddMemoryForm />
      </div>
      <div className="card">
        <h2>Search by meaning</h2>
        <MemorySearch />
      </div>
      <div className="stack">
        <div className="row spread">
          <h2>
            What Aura remembers
            {chains && <span className="muted"> ({countText(chains.length)})</span>}
          </h2>
          <button
            type="button"
            className="secondary"
            disabled={!memories.data || memories.data.length === 0}
            onClick={() => {
              setClearError(null);
              setCleared("");
              setConfirming(true);
            }}
          >
            Delete all
          </button>
        </div>
        <p className="success" role="status">
          {cleared}
        </p>
        <LoadError what="your memories" error={memories.error} />
        {chains === undefined && !memories.error && <Loading>Loading memories…</Loading>}
        {chains?.length === 0 && (
          <p className="muted" data-testid="no-memories">
            Nothing yet. Add a fact above, or tell Aura in a chat.
          </p>
        )}
        {chains && chains.length > 0 && (
          <ul className="memory-list" aria-label="Memories">
            {chains.map((chain) => (
              <MemoryItem key={chain.current.id} chain={chain} zone={zone} />
            ))}
          </ul>
        )}
      </div>
      {confirming && (
        <ConfirmDialog
          title="Delete all memories?"
          confirmLabel="Delete all memories"
          busy={clearing}
          error={clearError}
          onConfirm={() => void clearAll()}
          onCancel={() => setConfirming(false)}
        >
          <p>
            Aura forgets {chains ? countText(chains.length) : "every memory"} and every earlier
            version of them. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
      {clearError && !confirming && <ErrorMessage>{clearError}</ErrorMessage>}
    </section>
  );
}
