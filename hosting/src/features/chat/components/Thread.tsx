import { useEffect, useLayoutEffect, useRef } from "react";
import { useLocation } from "react-router";
import type { AssistantMessage, ChatMessage } from "../../../types/chat";
import { ReplyView, UserMessageView } from "./Message";

/**
 * Messages in reading order: by time (as the listener delivers them), each reply placed
 * right after the user message it answers, whatever timestamps the two carry.
 */
export function readingOrder(messages: readonly ChatMessage[]): ChatMessage[] {
  const replies = new Map<string, AssistantMessage>();
  const userIds = new Set<string>();
  for (const message of messages) {
    if (message.role === "assistant") replies.set(message.replyTo, message);
    else userIds.add(message.id);
  }
  const ordered: ChatMessage[] = [];
  for (const message of messages) {
    if (message.role === "user") {
      ordered.push(message);
      const reply = replies.get(message.id);
      if (reply) ordered.push(reply);
    } else if (!userIds.has(message.replyTo)) {
      ordered.push(message); // a reply whose question is gone: keep it where it falls
    }
  }
  return ordered;
}

// Within this many pixels of the bottom, new text keeps the thread scrolled to the end.
const STICK_THRESHOLD_PX = 80;

interface ThreadProps {
  uid: string;
  conversationId: string;
  messages: readonly ChatMessage[];
}

/** The conversation's messages, kept scrolled to the newest while the reader is there. */
export function Thread({ uid, conversationId, messages }: ThreadProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const ordered = readingOrder(messages);
  const last = ordered.at(-1);
  // Changes whenever the thread grows: a new message, or more text in the last one.
  const growth = `${ordered.length}:${last?.id ?? ""}:${last?.text.length ?? 0}:${
    last?.role === "assistant" ? last.status : ""
  }`;
  const lastIsOwnNewMessage = last?.role === "user" && last.sending;

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    if (stickToBottom.current || lastIsOwnNewMessage) {
      element.scrollTop = element.scrollHeight;
      stickToBottom.current = true;
    }
  }, [growth, lastIsOwnNewMessage]);

  // `#<messageId>` (a memory's "Open the message"): once that message is loaded, scroll
  // to it and mark it.
  const { hash } = useLocation();
  const targeted = useRef<string | null>(null);
  useEffect(() => {
    const target = hash ? decodeURIComponent(hash.slice(1)) : "";
    if (!target || targeted.current === target) return;
    const element = scroller.current?.querySelector<HTMLElement>(
      `[data-message-id="${CSS.escape(target)}"]`,
    );
    if (!element) return;
    targeted.current = target;
    stickToBottom.current = false;
    element.classList.add("targeted");
    element.scrollIntoView({ block: "center" });
  }, [hash, ordered.length]);

  function handleScroll() {
    const element = scroller.current;
    if (!element) return;
    stickToBottom.current =
      element.scrollHeight - element.scrollTop - element.clientHeight < STICK_THRESHOLD_PX;
  }

  // A labelled region rather than role="log": a live region would read every streamed
  // fragment aloud. The typing indicator and errors announce themselves.
  return (
    <div
      className="thread"
      ref={scroller}
      onScroll={handleScroll}
      role="region"
      aria-label="Messages"
      tabIndex={0}
    >
      {ordered.length === 0 ? (
        <p className="muted thread-empty">Ask Aura anything to start this conversation.</p>
      ) : (
        ordered.map((message) =>
          message.role === "user" ? (
            <UserMessageView key={message.id} message={message} />
          ) : (
            <ReplyView
              key={message.id}
              message={message}
              uid={uid}
              conversationId={conversationId}
            />
          ),
        )
      )}
    </div>
  );
}
