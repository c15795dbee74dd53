import { watchConversation, watchConversations, watchMessages } from "./lib/firebase/documents";
import type { ChatMessage, Conversation } from "./models";
import { useLive, type LiveState } from "./useLive";

/** The user's 50 most recently updated conversations (uid undefined: not yet). */
export function useConversations(uid: string | undefined): LiveState<Conversation[]> {
  return useLive(
    uid ?? null,
    (onData, onError) => watchConversations(uid ?? "", onData, onError),
    "your conversations",
  );
}

/** One conversation's document; data is null while the server has not created it. */
export function useConversation(
  uid: string | undefined,
  conversationId: string | undefined,
): LiveState<Conversation | null> {
  return useLive(
    uid && conversationId ? `${uid}/${conversationId}` : null,
    (onData, onError) => watchConversation(uid ?? "", conversationId ?? "", onData, onError),
    "the conversation",
  );
}

/** A conversation's messages, oldest first. */
export function useMessages(
  uid: string | undefined,
  conversationId: string | undefined,
): LiveState<ChatMessage[]> {
  return useLive(
    uid && conversationId ? `${uid}/${conversationId}` : null,
    (onData, onError) => watchMessages(uid ?? "", conversationId ?? "", onData, onError),
    "the messages",
  );
}
