/**
 * Where Aura's Firestore documents live, and the listeners and writes the app uses on
 * them. Only this module spells Firestore paths; each listener is the generic watcher
 * (`./watch`) with a path and a converter (`./converters`).
 */
import {
  addDoc,
  collection,
  doc,
  limit,
  orderBy,
  query,
  serverTimestamp,
  updateDoc,
  where,
} from "firebase/firestore";
import type { Profile } from "../../types/accounts";
import { MAX_MESSAGE_CHARS, type ChatMessage, type Conversation } from "../../types/chat";
import type { Execution, ExecutionLog } from "../../types/executions";
import type { Workflow } from "../../types/workflows";
import { firebaseReady, type Unsubscribe } from "./app";
import {
  toConversation,
  toExecution,
  toExecutionLog,
  toMessage,
  toProfile,
  toWorkflow,
} from "./converters";
import { watchDoc, watchQuery, type Convert } from "./watch";

type OnError = (error: unknown) => void;
type Path = [string, ...string[]];

const CONVERSATION_LIST_LIMIT = 50;
const WORKFLOW_LIST_LIMIT = 100;
const EXECUTION_LIST_LIMIT = 50;
const LOG_LIMIT = 500;
const TASK_LIST_LIMIT = 500;
const CALENDAR_LIST_LIMIT = 1_000;
const NOTIFICATION_LIST_LIMIT = 100;
// Active memories are capped at 1000 per user (shared/memory/models.py); their earlier
// versions are kept too, so the list reads a little more.
const MEMORY_LIST_LIMIT = 1_500;
const DECISION_LIST_LIMIT = 100;
export const UNREAD_COUNT_LIMIT = 100;

const conversationsPath = (uid: string): Path => ["users", uid, "conversations"];
const messagesPath = (uid: string, conversationId: string): Path => [
  "users",
  uid,
  "conversations",
  conversationId,
  "messages",
];
const workflowsPath = (uid: string): Path => ["users", uid, "workflows"];
const executionsPath = (uid: string): Path => ["users", uid, "executions"];
const tasksPath = (uid: string): Path => ["users", uid, "tasks"];
const calendarPath = (uid: string): Path => ["users", uid, "calendar"];
const notificationsPath = (uid: string): Path => ["users", uid, "notifications"];
const briefingsPath = (uid: string): Path => ["users", uid, "briefings"];
const memoriesPath = (uid: string): Path => ["users", uid, "memories"];
const decisionsPath = (uid: string): Path => ["users", uid, "decisions"];
const decisionStatsPath = (uid: string): Path => ["users", uid, "decisionStats"];
const generationsPath = (uid: string): Path => ["users", uid, "generations"];
const exportsPath = (uid: string): Path => ["users", uid, "exports"];

// --- Accounts -----------------------------------------------------------------------

/** Listen to `users/{uid}`; `null` while the document does not exist yet. */
export function watchProfile(
  uid: string,
  onProfile: (profile: Profile | null) => void,
  onError: OnError,
): Unsubscribe {
  return watchDoc((db) => doc(db, "users", uid), toProfile, onProfile, onError);
}

// --- Chat ---------------------------------------------------------------------------

/**
 * A fresh conversation id, made on the client: the conversation document itself is
 * created by the server when the first message arrives.
 */
export async function newConversationId(uid: string): Promise<string> {
  const { db } = await firebaseReady();
  return doc(collection(db, ...conversationsPath(uid))).id;
}

/** Listen to the user's most recently updated conversations, newest first. */
export function watchConversations(
  uid: string,
  onConversations: (conversations: Conversation[]) => void,
  onError: OnError,
): Unsubscribe {
  return watchQuery(
    (db) =>
      query(
        collection(db, ...conversationsPath(uid)),
        orderBy("updatedAt", "desc"),
        limit(CONVERSATION_LIST_LIMIT),
      ),
    toConversation,
    onConversations,
    onError,
  );
}

/** Listen to one conversation document; `null` while the server has not created it. */
export function watchConversation(
  uid: string,
  conversationId: string,
  onConversation: (conversation: Conversation | null) => void,
  onError: OnError,
): Unsubscribe {
  return watchDoc(
    (db) => doc(db, ...conversationsPath(uid), conversationId),
    toConversation,
    onConversation,
    onError,
  );
}

/**
 * Listen to a conversation's messages, oldest first. A message just sent (its server
 * timestamp not yet set) is included at once, with an estimated time.
 */
export function watchMessages(
  uid: string,
  conversationId: string,
  onMessages: (messages: ChatMessage[]) => void,
  onError: OnError,
): Unsubscribe {
  return watchQuery(
    (db) =>
      query(collection(db, ...messagesPath(uid, conversationId)), orderBy("createdAt", "asc")),
    toMessage,
    onMessages,
    onError,
    // Metadata changes too, so a sent message stops showing "Sending…" once acknowledged.
    { includeMetadataChanges: true },
  );
}

/**
 * Write a user message; the server answers with `a_{id}`. Resolves with the message id
 * once the server has accepted the write (the listener shows the message before that).
 */
export async function sendChatMessage(
  uid: string,
  conversationId: string,
  text: string,
): Promise<string> {
  if (text.length < 1 || text.length > MAX_MESSAGE_CHARS) {
    throw new Error(`A message must have 1 to ${MAX_MESSAGE_CHARS} characters.`);
  }
  const { db } = await firebaseReady();
  // Exactly this shape: the security rules refuse any other field.
  const ref = await addDoc(collection(db, ...messagesPath(uid, conversationId)), {
    role: "user",
    text,
    createdAt: serverTimestamp(),
  });
  return ref.id;
}

/** Ask the server to stop a streaming reply (the one field the owner may change). */
export async function requestStop(
  uid: string,
  conversationId: string,
  replyId: string,
): Promise<void> {
  const { db } = await firebaseReady();
  await updateDoc(doc(db, ...messagesPath(uid, conversationId), replyId), {
    stopRequested: true,
  });
}

// --- Automations --------------------------------------------------------------------

/** Listen to the user's most recently updated workflows, newest first. */
export function watchWorkflows(
  uid: string,
  onWorkflows: (workflows: Workflow[]) => void,
  onError: OnError,
): Unsubscribe {
  return watchQuery(
    (db) =>
      query(
        collection(db, ...workflowsPath(uid)),
        orderBy("updatedAt", "desc"),
        limit(WORKFLOW_LIST_LIMIT),
      ),
    toWorkflow,
    onWorkflows,
    onError,
  );
}

/** Listen to one workflow; `null` when it does not exist (never saved, or deleted). */
export function watchWorkflow(
  uid: string,
  workflowId: string,
  onWorkflow: (workflow: Workflow | null) => void,
  onError: OnError,
): Unsubscribe {
  return watchDoc(
    (db) => doc(db, ...workflowsPath(uid), workflowId),
    toWorkflow,
    onWorkflow,
    onError,
  );
}

/**
 * Listen to the definition a workflow's `version` saved (`workflows/{wid}/versions/{v}`:
 * what an execution of that version runs); null when it does not exist. Written once,
 * so the listener delivers it once.
 */
export function watchWorkflowVersion<T>(
  uid: string,
  workflowId: string,
  version: number,
  convert: Convert<T>,
  onVersion: (definition: T | null) => void,
  onError: OnError,
): Unsubscribe {
  return watchDoc(
    (db) => doc(db, ...workflowsPath(uid), workflowId, "versions", String(version)),
    convert,
    onVersion,
    onError,
  );
}

// --- Executions ---------------------------------------------------------------------

/** Listen to a workflow's most recent executions, newest first. */
export function watchExecutions(
  uid: string,
  workflowId: string,
  onExecutions: (executions: Execution[]) => void,
  onError: OnError,
): Unsubscribe {
  return watchQuery(
    (db) =>
      query(
        collection(db, ...executionsPath(uid)),
        where("workflowId", "==", workflowId),
        orderBy("startedAt", "desc"),
        limit(EXECUTION_LIST_LIMIT),
      ),
    toExecution,
    onExecutions,
    onError,
  );
}

/** Listen to one execution; `null` when it does not exist. */
export function watchExecution(
  uid: string,
  executionId: string,
  onExecution: (execution: Execution | null) => void,
  onError: OnError,
): Unsubscribe {
  return watchDoc(
    (db) => doc(db, ...executionsPath(uid), executionId),
    toExecution,
    onExecution,
    onError,
  );
}

/** Listen to an execution's log, oldest first (its latest LOG_LIMIT entries). */
export function watchExecutionLogs(
  uid: string,
  executionId: string,
  onLogs: (logs: ExecutionLog[]) => void,
  onError: OnError,
): Unsubscribe {
  return watchQuery(
    (db) =>
      query(
        collection(db, ...executionsPath(uid), executionId, "logs"),
        orderBy("time", "desc"),
        limit(LOG_LIMIT),
      ),
    toExecutionLog,
    // Newest LOG_LIMIT first from the query, shown oldest first.
    (logs) => onLogs(logs.reverse()),
    onError,
  );
}

// --- Assistant: tasks, calendar, inbox -----------------------------------------------
// The assistant's features own their models: each listener takes the feature's converter.

/** Listen to the user's tasks (up to TASK_LIST_LIMIT: the page filters and sorts them). */
export function watchTasks<T>(
  uid: string,
  convert: Convert<T>,
  onTasks: (tasks: T[]) => void,
  onError: OnError,
): Unsubscribe {
  return watchQuery(
    (db) => query(collection(db, ...tasksPath(uid)), limit(TASK_LIST_LIMIT)),
    convert,
    onTasks,
    onError,
  );
}

/** Listen to the user's calendar events (up to CALENDAR_LIST_LIMIT; the page expands them). */
export function watchCalendarEvents<T>(
  uid: string,
  convert: Convert<T>,
  onEvents: (events: T[]) => void,
  onError: OnError,
): Unsubscribe {
  return watchQuery(
    (db) => query(collection(db, ...calendarPath(uid)), limit(CALENDAR_LIST_LIMIT)),
    convert,
    onEvents,
    onError,
  );
}

/** Listen to the user's most recent notifications, newest first. */
export function watchNotifications<T>(
  uid: string,
  convert: Convert<T>,
  onNotifications: (notifications: T[]) => void,
  onError: OnError,
): Unsubscribe {
  return watchQuery(
    (db) =>
      query(
        collection(db, ...notificationsPath(uid)),
        orderBy("createdAt", "desc"),
        limit(NOTIFICATION_LIST_LIMIT),
      ),
    convert,
    onNotifications,
    onError,
  );
}

/**
 * Listen to how many notifications are unread, counting at most `UNREAD_COUNT_LIMIT`
 * (the badge shows "99+" beyond 99), so a full inbox costs a bounded read.
 */
export function watchUnreadCount(
  uid: string,
  onCount: (count: number) => void,
  onError: OnError,
): Unsubscribe {
  return watchQuery(
    (db) =>
      query(
        collection(db, ...notificationsPath(uid)),
        where("read", "==", false),
        limit(UNREAD_COUNT_LIMIT),
      ),
    ({ id }) => id,
    (ids) => onCount(ids.length),
    onError,
  );
}

/** Listen to the briefing of one local day ("YYYY-MM-DD"); null while there is none. */
export function watchBriefing<T>(
  uid: string,
  day: string,
  convert: Convert<T>,
  onBriefing: (briefing: T | null) => void,
  onError: OnError,
): Unsubscribe {
  return watchDoc((db) => doc(db, ...briefingsPath(uid), day), convert, onBriefing, onError);
}

/** Listen to the user's most recent briefing (ids are local days, "YYYY-MM-DD"). */
export function watchLatestBriefing<T>(
  uid: string,
  convert: Convert<T>,
  onBriefing: (briefing: T | null) => void,
  onError: OnError,
): Unsubscribe {
  return watchQuery(
    (db) => query(collection(db, ...briefingsPath(uid)), orderBy("date", "desc"), limit(1)),
    convert,
    (items) => onBriefing(items[0] ?? null),
    onError,
  );
}

// --- Memory and decisions -------------------------------------------------------------

/**
 * Listen to the user's memories, active and superseded (the page groups each chain),
 * most recently created first.
 */
export function watchMemories<T>(
  uid: string,
  convert: Convert<T>,
  onMemories: (memories: T[]) => void,
  onError: OnError,
): Unsubscribe {
  return watchQuery(
    (db) =>
      query(
        collection(db, ...memoriesPath(uid)),
        orderBy("createdAt", "desc"),
        limit(MEMORY_LIST_LIMIT),
      ),
    convert,
    onMemories,
    onError,
  );
}

/** Listen to one memory; null when it does not exist (never, or forgotten since). */
export function watchMemory<T>(
  uid: string,
  memoryId: string,
  convert: Convert<T>,
  onMemory: (memory: T | null) => void,
  onError: OnError,
): Unsubscribe {
  return watchDoc((db) => doc(db, ...memoriesPath(uid), memoryId), convert, onMemory, onError);
}

/** Listen to the user's most recent decisions, newest first. */
export function watchDecisions<T>(
  uid: string,
  convert: Convert<T>,
  onDecisions: (decisions: T[]) => void,
  onError: OnError,
): Unsubscribe {
  return watchQuery(
    (db) =>
      query(
        collection(db, ...decisionsPath(uid)),
        orderBy("createdAt", "desc"),
        limit(DECISION_LIST_LIMIT),
      ),
    convert,
    onDecisions,
    onError,
  );
}

/** Listen to `users/{uid}/decisionStats/current`; null until an outcome is recorded. */
export function watchDecisionStats<T>(
  uid: string,
  convert: Convert<T>,
  onStats: (stats: T | null) => void,
  onError: OnError,
): Unsubscribe {
  return watchDoc((db) => doc(db, ...decisionStatsPath(uid), "current"), convert, onStats, onError);
}

// --- Studio -------------------------------------------------------------------------

/** Listen to one generation (progress, draft, validation); null when it does not exist. */
export function watchGeneration<T>(
  uid: string,
  generationId: string,
  convert: Convert<T>,
  onGeneration: (generation: T | null) => void,
  onError: OnError,
): Unsubscribe {
  return watchDoc(
    (db) => doc(db, ...generationsPath(uid), generationId),
    convert,
    onGeneration,
    onError,
  );
}

/**
 * Listen to a generation's files (`files/{fileId}`, with their contents; at most 20, so
 * unordered: the caller sorts them by `order`, which a file without it still passes).
 */
export function watchGenerationFiles<T>(
  uid: string,
  generationId: string,
  convert: Convert<T>,
  onFiles: (files: T[]) => void,
  onError: OnError,
): Unsubscribe {
  return watchQuery(
    (db) => collection(db, ...generationsPath(uid), generationId, "files"),
    convert,
    onFiles,
    onError,
  );
}

// --- Privacy --------------------------------------------------------------------------

/** Listen to the user's latest data export (`users/{uid}/exports`, newest by createdAt). */
export function watchLatestExport<T>(
  uid: string,
  convert: Convert<T>,
  onExport: (latest: T | null) => void,
  onError: OnError,
): Unsubscribe {
  return watchQuery(
    (db) => query(collection(db, ...exportsPath(uid)), orderBy("createdAt", "desc"), limit(1)),
    convert,
    (items) => onExport(items[0] ?? null),
    onError,
  );
}

// --- Plan -----------------------------------------------------------------------------

/** Listen to `users/{uid}` read by `convert` (the Plan page reads its own fields). */
export function watchProfileAs<T>(
  uid: string,
  convert: Convert<T>,
  onData: (value: T | null) => void,
  onError: OnError,
): Unsubscribe {
  return watchDoc((db) => doc(db, "users", uid), convert, onData, onError);
}

/** Listen to the user's AI usage ledger for one UTC day (`users/{uid}/usage/{yyyy-mm-dd}`). */
export function watchUsageDay<T>(
  uid: string,
  day: string,
  convert: Convert<T>,
  onUsage: (usage: T | null) => void,
  onError: OnError,
): Unsubscribe {
  return watchDoc((db) => doc(db, "users", uid, "usage", day), convert, onUsage, onError);
}
