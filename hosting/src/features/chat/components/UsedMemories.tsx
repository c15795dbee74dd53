import { useId, useState } from "react";
import { Link } from "react-router";
import { useMemoryText } from "../api/chat";
import { usedMemoriesText } from "../utils/messages";

function UsedMemory({ uid, memoryId }: { uid: string; memoryId: string }) {
  const { data, error } = useMemoryText(uid, memoryId);
  if (error) return <li className="muted">Could not load this memory.</li>;
  if (data === undefined) return <li className="muted">Loading…</li>;
  if (data === null) {
    return (
      <li className="muted" data-testid="used-memory" data-deleted="true">
        (deleted since)
      </li>
    );
  }
  return <li data-testid="used-memory">{data}</li>;
}

/** "Used N memories" under a reply, opening to the texts (read only when opened). */
export function UsedMemories({ uid, memoryIds }: { uid: string; memoryIds: readonly string[] }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  return (
    <div className="used-memories" data-testid="used-memories">
      <button
        type="button"
        className="secondary small"
        aria-expanded={open}
        aria-controls={`${id}-list`}
        onClick={() => setOpen((value) => !value)}
      >
        {usedMemoriesText(memoryIds.length)}
      </button>
      {open && (
        <div id={`${id}-list`} className="used-memories-list">
          <ul>
            {memoryIds.map((memoryId) => (
              <UsedMemory key={memoryId} uid={uid} memoryId={memoryId} />
            ))}
          </ul>
          <Link to="/memory">Manage memories</Link>
        </div>
      )}
    </div>
  );
}
