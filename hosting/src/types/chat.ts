/**
 * A conversation and its messages as the app shows them: the documents under
 * `users/{uid}/conversations`, read by their converters. The client writes only user
 * messages, directly to Firestore (no callable, so no generated model covers them).
 */

/** The most characters a user message may have (the security rules enforce it too). */
export const MAX_MESSAGE_CHARS = 8000;
/** Tokens and cost, of one reply or (summed) of a whole conversation. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** `users/{uid}/conversations/{cid}`: created and kept up to date by the server. */
export interface Conversation {
  id: string;
  /** Set by the server once it has named the conversation. */
  title: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  messageCount: number;
  summary: string | null;
  usage: Usage;
}

export interface Intent {
  label: string;
  confidence: number;
}

export interface Entity {
  type: string;
  value: string;
}

/** A message the user wrote (`role: "user"`); the server adds intent and entities later. */
export interface UserMessage {
  id: string;
  role: "user";
  text: string;
  /** Estimated by the SDK until the server has stamped it. */
  createdAt: Date | null;
  intent: Intent | null;
  entities: Entity[];
  /** True while the write has not reached the server yet. */
  sending: boolean;
}

export type ReplyStatus = "pending" | "streaming" | "done" | "error";

export interface ReplyError {
  code: string;
  message: string;
}

/** Aura's reply to the user message `replyTo`, stored as `a_{replyTo}` and written by the server. */
export interface AssistantMessage {
  id: string;
  role: "assistant";
  replyTo: string;
  /** Grows while the reply streams. */
  text: string;
  status: ReplyStatus;
  provider: string | null;
  model: string | null;
  usage: Usage | null;
  error: ReplyError | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  /** The user pressed Stop; the server ends the reply shortly with `stopped: true`. */
  stopRequested: boolean;
  stopped: boolean;
  truncated: boolean;
  /** The memories (`users/{uid}/memories/{id}`) the reply was given; [] on older replies. */
  memoryIds: string[];
}

export type ChatMessage = UserMessage | AssistantMessage;
