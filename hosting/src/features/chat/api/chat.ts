/**
 * The chat's calls into Firebase: its live conversations and messages, the messages the
 * user writes (straight to Firestore, as the security rules allow), and its callables.
 */
import { useLive, type LiveState } from "../../../hooks/useLive";
import { callable } from "../../../lib/firebase/callables";
import { stringOr } from "../../../lib/firebase/fields";
import {
  watchConversation,
  watchConversations,
  watchMemory,
  watchMessages,
} from "../../../lib/firebase/documents";
import type { ChatMessage, Conversation } from "../../../types/chat";

export { newConversationId, requestStop, sendChatMessage } from "../../../lib/firebase/documents";

/** Remove a conversation and all its messages. */
export const deleteConversation = callable("delete_conversation");
/** Ask the server to write a failed reply again (messageId: the user message it answers). */
export const retryReply = callable("retry_reply");

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

/**
 * The text of a memory a reply used (`users/{uid}/memories/{id}`); data is null once it
 * is forgotten. Memories belong to the memory feature: the chat reads only their text.
 */
export function useMemoryText(uid: string, memoryId: string): LiveState<string | null> {
  return useLive(
    `${uid}/${memoryId}`,
    (onData, onError) =>
      watchMemory(uid, memoryId, ({ data }) => stringOr(data.text, ""), onData, onError),
    "the memory",
  );
}
