import { useState } from "react";
import { ErrorMessage } from "../../../components/Status";
import { ReadAloudButton } from "../../../components/VoiceControls";
import { callableFailure } from "../../../lib/firebase/errors";
import { useOnline } from "../../../lib/offline/network";
import type { AssistantMessage, UserMessage } from "../../../types/chat";
import { requestStop, retryReply } from "../api/chat";
import { formatUsage } from "../utils/messages";
import { Markdown } from "./Markdown";
import { UsedMemories } from "./UsedMemories";

/**
 * What the user wrote: plain text, exactly as typed (never interpreted as HTML). Until
 * the server has it, "Sending…"; offline, the SDK keeps it and sends it on reconnect.
 */
export function UserMessageView({ message }: { message: UserMessage }) {
  const online = useOnline();
  return (
    <div className="message user" data-testid="user-message" data-message-id={message.id}>
      <p className="message-text">{message.text}</p>
      {message.sending && (
        <small className="muted" data-testid="message-pending">
          {online ? "Sending…" : "Pending: will send when you are back online"}
        </small>
      )}
    </div>
  );
}

interface ReplyProps {
  message: AssistantMessage;
  uid: string;
  conversationId: string;
}

/**
 * One of Aura's replies, drawn entirely from its live document (so a reload shows the
 * same thing): a typing indicator while pending, the growing text and Stop while
 * streaming, the error and Retry on failure, usage and badges when done.
 */
export function ReplyView({ message, uid, conversationId }: ReplyProps) {
  const [busy, setBusy] = useState<"stop" | "retry" | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const { status } = message;

  async function stop() {
    setBusy("stop");
    setActionError(null);
    try {
      await requestStop(uid, conversationId, message.id);
    } catch (err) {
      setActionError(`Could not stop the reply: ${callableFailure(err).message}`);
    } finally {
      setBusy(null);
    }
  }

  async function retry() {
    setBusy("retry");
    setActionError(null);
    try {
      await retryReply({ conversationId, messageId: message.replyTo });
    } catch (err) {
      setActionError(`Could not retry: ${callableFailure(err).message}`);
    } finally {
      setBusy(null);
    }
  }

  const showText = message.text !== "" && status !== "pending";
  const stopping = busy === "stop" || message.stopRequested;

  return (
    <article
      className={`message assistant status-${status}`}
      data-testid="reply"
      data-status={status}
      data-message-id={message.id}
      aria-busy={status === "pending" || status === "streaming"}
    >
      {showText && (
        <div className="reply-text" data-testid="reply-text">
          <Markdown text={message.text} />
        </div>
      )}
      {(status === "pending" || (status === "streaming" && message.text === "")) && (
        <span className="typing" role="status" aria-label="Aura is typing">
          <span />
          <span />
          <span />
        </span>
      )}

      {status === "streaming" && (
        <div className="reply-actions">
          <button
            type="button"
            className="secondary small"
            aria-label="Stop"
            disabled={stopping}
            onClick={() => void stop()}
          >
            {stopping ? "Stopping…" : "Stop"}
          </button>
        </div>
      )}

      {status === "error" && (
        <div className="reply-error">
          <ErrorMessage>{message.error?.message ?? "Aura could not write a reply."}</ErrorMessage>
          <button
            type="button"
            className="secondary small"
            disabled={busy === "retry"}
            onClick={() => void retry()}
          >
            {busy === "retry" ? "Retrying…" : "Retry"}
          </button>
        </div>
      )}

      {status === "done" && (
        <div className="reply-meta">
          {message.usage && (
            <small className="muted" data-testid="reply-usage">
              {formatUsage(message.usage)}
            </small>
          )}
          {message.stopped && <span className="badge neutral">stopped</span>}
          {message.truncated && <span className="badge neutral">truncated</span>}
          <ReadAloudButton id={message.id} text={message.text} />
        </div>
      )}

      {message.memoryIds.length > 0 && <UsedMemories uid={uid} memoryIds={message.memoryIds} />}

      {actionError && <ErrorMessage>{actionError}</ErrorMessage>}
    </article>
  );
}
