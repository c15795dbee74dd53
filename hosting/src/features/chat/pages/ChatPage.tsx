import { Fragment, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { SetupError } from "../../../components/SetupError";
import { ErrorMessage, LoadError, Loading } from "../../../components/Status";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useReadyUid } from "../../../hooks/useReadyUid";
import { useAuth } from "../../../lib/auth";
import { newConversationId, useConversation, useConversations, useMessages } from "../api/chat";
import { Composer } from "../components/Composer";
import { ConversationList, UNTITLED } from "../components/ConversationList";
import { Thread } from "../components/Thread";
import { formatUsage } from "../utils/messages";
import "../components/chat.css";

/**
 * /chat and /chat/:conversationId: the conversation list beside the open thread.
 * Everything shown comes from live Firestore listeners, started once the profile is
 * ready, so a reload mid-reply picks the stream up where it is.
 */
export default function ChatPage() {
  const { conversationId } = useParams();
  const navigate = useNavigate();
  const uid = useAuth().user?.uid;
  const liveUid = useReadyUid();

  const conversations = useConversations(liveUid);
  const conversation = useConversation(liveUid, conversationId);
  const messages = useMessages(liveUid, conversationId);
  const [startError, setStartError] = useState<string | null>(null);

  const title = conversation.data?.title ?? UNTITLED;
  usePageTitle(conversationId ? title : "Chat");

  async function startConversation() {
    if (!uid) return;
    setStartError(null);
    try {
      await navigate(`/chat/${await newConversationId(uid)}`);
    } catch (err) {
      setStartError(err instanceof Error ? err.message : "Could not start a conversation.");
    }
  }

  return (
    <section className="chat">
      <aside className="chat-sidebar" aria-label="Conversations">
        <div className="row spread">
          <h1>Chat</h1>
          <button type="button" onClick={() => void startConversation()} disabled={!uid}>
            New conversation
          </button>
        </div>
        {startError && <ErrorMessage>{startError}</ErrorMessage>}
        <ConversationList
          conversations={conversations.data}
          error={conversations.error}
          activeId={conversationId}
          onDeletedActive={() => void navigate("/chat", { replace: true })}
        />
      </aside>

      <div className="chat-main">
        <SetupError />
        {!conversationId || !uid ? (
          <div className="chat-empty">
            <h2>Start a conversation</h2>
            <p className="muted">
              Choose “New conversation” to ask Aura anything. Replies stream in as they are
              written and stay in your history.
            </p>
          </div>
        ) : (
          // Keyed: another conversation starts with a fresh thread, scroll and composer.
          <Fragment key={conversationId}>
            <header className="thread-header">
              <h2 data-testid="conversation-title-heading">{title}</h2>
              {conversation.data && (
                <small className="muted" data-testid="conversation-usage">
                  {formatUsage(conversation.data.usage)}
                </small>
              )}
            </header>
            <LoadError what="this conversation" error={messages.error ?? conversation.error} />
            {messages.data === undefined ? (
              !messages.error && <Loading className="thread">Loading messages…</Loading>
            ) : (
              <Thread uid={uid} conversationId={conversationId} messages={messages.data} />
            )}
            <Composer uid={uid} conversationId={conversationId} />
          </Fragment>
        )}
      </div>
    </section>
  );
}
