import { useState } from "react";
import { NavLink } from "react-router";
import { ErrorMessage, LoadError, Loading } from "../../../components/Status";
import { callableFailure } from "../../../lib/firebase/errors";
import type { Conversation } from "../../../types/chat";
import { deleteConversation } from "../api/chat";

export const UNTITLED = "New conversation";

const TIME = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const DAY = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const DAY_AND_YEAR = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
});

/** "14:05" today, "Mar 3" this year, "Mar 3, 2024" before. */
export function shortTime(date: Date, now = new Date()): string {
  if (date.toDateString() === now.toDateString()) return TIME.format(date);
  return (date.getFullYear() === now.getFullYear() ? DAY : DAY_AND_YEAR).format(date);
}

interface ConversationListProps {
  /** undefined while loading. */
  conversations: readonly Conversation[] | undefined;
  error: string | null;
  activeId: string | undefined;
  /** Called once the open conversation has been deleted. */
  onDeletedActive: () => void;
}

/** The user's conversations, newest first, each with a two-step delete. */
export function ConversationList({
  conversations,
  error,
  activeId,
  onDeletedActive,
}: ConversationListProps) {
  const [confirming, setConfirming] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);

  async function remove(conversationId: string) {
    setDeleting(conversationId);
    setDeleteError(null);
    try {
      await deleteConversation({ conversationId });
      setConfirming(null);
      if (conversationId === activeId) onDeletedActive();
    } catch (err) {
      setDeleteError(`Could not delete the conversation: ${callableFailure(err).message}`);
    } finally {
      setDeleting(null);
    }
  }

  // The open conversation shows even before the server has created its document.
  const listed = conversations ?? [];
  const activeMissing =
    activeId !== undefined && conversations !== undefined && !listed.some((c) => c.id === activeId);

  return (
    <div className="conversation-list">
      <LoadError what="your conversations" error={error} />
      {deleteError && <ErrorMessage>{deleteError}</ErrorMessage>}
      {conversations === undefined && !error && <Loading>Loading conversations…</Loading>}
      {conversations !== undefined && listed.length === 0 && !activeMissing && (
        <p className="muted">No conversations yet.</p>
      )}
      <ul aria-label="Conversations">
        {activeMissing && (
          <li
            className="conversation"
            data-testid="conversation-item"
            data-conversation-id={activeId}
          >
            <NavLink to={`/chat/${activeId}`} className="conversation-link">
              <span className="conversation-title" data-testid="conversation-title">
                {UNTITLED}
              </span>
            </NavLink>
          </li>
        )}
        {listed.map((conversation) => {
          const title = conversation.title ?? UNTITLED;
          const busy = deleting === conversation.id;
          return (
            <li
              key={conversation.id}
              className="conversation"
              data-testid="conversation-item"
              data-conversation-id={conversation.id}
            >
              <NavLink to={`/chat/${conversation.id}`} className="conversation-link">
                <span className="conversation-title" data-testid="conversation-title">
                  {title}
                </span>
                {conversation.updatedAt && (
                  <time className="muted" dateTime={conversation.updatedAt.toISOString()}>
                    {shortTime(conversation.updatedAt)}
                  </time>
                )}
              </NavLink>
              {confirming === conversation.id ? (
                <div className="confirm" role="group" aria-label={`Delete “${title}”?`}>
                  <span>Delete this conversation?</span>
                  <button
                    type="button"
                    className="danger small"
                    disabled={busy}
                    onClick={() => void remove(conversation.id)}
                  >
                    {busy ? "Deleting…" : "Delete"}
                  </button>
                  <button
                    type="button"
                    className="secondary small"
                    disabled={busy}
                    onClick={() => setConfirming(null)}
                  >
                    Cancel
                  </button>
                </div>
              ) : (
                <button
                  type="button"
                  className="icon"
                  aria-label={`Delete conversation “${title}”`}
                  title="Delete conversation"
                  onClick={() => {
                    setConfirming(conversation.id);
                    setDeleteError(null);
                  }}
                >
                  ×
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
