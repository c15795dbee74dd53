/**
 * The one module that talks to the Firebase JS SDK.
 *
 * On localhost / 127.0.0.1 the app uses the demo project and the Local Emulator Suite;
 * anywhere else it loads the project's config from Firebase Hosting's reserved
 * `/__/firebase/init.json` before initialising. Everything else in the app goes through
 * the small helpers exported here, which wait for that initialisation themselves.
 */
import { FirebaseError, initializeApp, type FirebaseOptions } from "firebase/app";
import {
  browserLocalPersistence,
  connectAuthEmulator,
  createUserWithEmailAndPassword,
  indexedDBLocalPersistence,
  initializeAuth,
  onAuthStateChanged,
  signInWithEmailAndPassword,
  signOut as firebaseSignOut,
  updateProfile,
  type Auth,
  type User,
} from "firebase/auth";
import {
  addDoc,
  collection,
  connectFirestoreEmulator,
  doc,
  getFirestore,
  limit,
  onSnapshot,
  orderBy,
  query,
  serverTimestamp,
  updateDoc,
  where,
  type DocumentData,
  type DocumentSnapshot,
  type Firestore,
} from "firebase/firestore";
import {
  connectFunctionsEmulator,
  getFunctions,
  httpsCallable,
  type Functions,
} from "firebase/functions";
import {
  EXECUTION_STATUSES,
  MAX_MESSAGE_CHARS,
  NODE_TYPES,
  STEP_STATUSES,
  WORKFLOW_STATUSES,
  type AssistantMessage,
  type ChatMessage,
  type Conversation,
  type DeleteConversationRequest,
  type DeleteConversationResult,
  type DeleteWorkflowRequest,
  type DeleteWorkflowResult,
  type EnsureProfileRequest,
  type EnsureProfileResult,
  type Entity,
  type Execution,
  type ExecutionControlResult,
  type ExecutionLog,
  type ExecutionRequest,
  type ExecutionStep,
  type ExecutionTrigger,
  type Intent,
  type JsonObject,
  type JsonValue,
  type NodeType,
  type Profile,
  type ReplyStatus,
  type RetryExecutionRequest,
  type RetryExecutionResult,
  type RetryReplyRequest,
  type RetryReplyResult,
  type RunWorkflowRequest,
  type RunWorkflowResult,
  type SaveWorkflowRequest,
  type SaveWorkflowResult,
  type UpdateSettingsRequest,
  type UpdateSettingsResult,
  type Usage,
  type UserMessage,
  type Workflow,
  type WorkflowEdge,
  type WorkflowNode,
  type WorkflowTrigger,
} from "./models";

export type { User } from "firebase/auth";
export type Unsubscribe = () => void;

const REGION = "us-central1";
const EMULATOR_HOSTNAMES = new Set(["localhost", "127.0.0.1"]);
// firebase.json binds every emulator to 127.0.0.1; "localhost" may resolve to ::1 first.
const EMULATOR_HOST = "127.0.0.1";
const EMULATOR_PORTS = { auth: 9099, firestore: 8080, functions: 5001 } as const;
const DEMO_CONFIG: FirebaseOptions = {
  projectId: "demo-aura",
  apiKey: "demo-key",
  authDomain: "demo-aura.firebaseapp.com",
  appId: "demo-app",
};

/** True when this page talks to the Local Emulator Suite instead of a real project. */
export const usingEmulators = EMULATOR_HOSTNAMES.has(location.hostname);

interface Services {
  auth: Auth;
  db: Firestore;
  functions: Functions;
}

let services: Promise<Services> | undefined;
let ready: Services | undefined;

/** Initialise Firebase once; later calls share the same promise (retried after a failure). */
export function firebaseReady(): Promise<Services> {
  services ??= initialise().then(
    (value) => (ready = value),
    (error: unknown) => {
      services = undefined;
      throw error;
    },
  );
  return services;
}

async function initialise(): Promise<Services> {
  const app = initializeApp(usingEmulators ? DEMO_CONFIG : await hostingConfig());
  // initializeAuth (rather than getAuth) leaves the popup/redirect code out of the bundle;
  // pass browserPopupRedirectResolver explicitly if OAuth pop-ups are added later.
  const auth = initializeAuth(app, {
    persistence: [indexedDBLocalPersistence, browserLocalPersistence],
  });
  const db = getFirestore(app);
  const functions = getFunctions(app, REGION);
  if (usingEmulators) {
    connectAuthEmulator(auth, `http://${EMULATOR_HOST}:${EMULATOR_PORTS.auth}`, {
      disableWarnings: true,
    });
    connectFirestoreEmulator(db, EMULATOR_HOST, EMULATOR_PORTS.firestore);
    connectFunctionsEmulator(functions, EMULATOR_HOST, EMULATOR_PORTS.functions);
  }
  return { auth, db, functions };
}

async function hostingConfig(): Promise<FirebaseOptions> {
  const response = await fetch("/__/firebase/init.json", { cache: "no-cache" });
  if (!response.ok) {
    throw new Error(`Could not load the Firebase configuration (HTTP ${response.status}).`);
  }
  return (await response.json()) as FirebaseOptions;
}

/** Start a subscription once Firebase is ready; the returned function works at any time. */
function subscribeWhenReady(
  start: (services: Services) => Unsubscribe,
  onError: (error: unknown) => void,
): Unsubscribe {
  let stop: Unsubscribe | undefined;
  let cancelled = false;
  firebaseReady().then((value) => {
    if (!cancelled) stop = start(value);
  }, onError);
  return () => {
    cancelled = true;
    stop?.();
  };
}

// --- Auth ---------------------------------------------------------------------------

export function watchAuth(
  onUser: (user: User | null) => void,
  onError: (error: unknown) => void,
): Unsubscribe {
  return subscribeWhenReady(({ auth }) => onAuthStateChanged(auth, onUser, onError), onError);
}

export function currentUser(): User | null {
  return ready?.auth.currentUser ?? null;
}

export async function signIn(email: string, password: string): Promise<User> {
  const { auth } = await firebaseReady();
  return (await signInWithEmailAndPassword(auth, email, password)).user;
}

/** Create an account; the display name (if any) is set before the profile is created. */
export async function signUp(email: string, password: string, displayName?: string): Promise<User> {
  const { auth } = await firebaseReady();
  const { user } = await createUserWithEmailAndPassword(auth, email, password);
  if (displayName) {
    await updateProfile(user, { displayName });
    // A fresh ID token carries the `name` claim, so ensure_profile can store it.
    await user.getIdToken(true);
  }
  return user;
}

export async function signOut(): Promise<void> {
  const { auth } = await firebaseReady();
  await firebaseSignOut(auth);
}

const AUTH_MESSAGES: Record<string, string> = {
  "auth/invalid-credential": "That email and password do not match an account.",
  "auth/wrong-password": "That email and password do not match an account.",
  "auth/user-not-found": "That email and password do not match an account.",
  "auth/invalid-email": "Enter a valid email address.",
  "auth/missing-password": "Enter your password.",
  "auth/email-already-in-use": "An account with this email already exists. Sign in instead.",
  "auth/weak-password": "Choose a stronger password (at least 6 characters).",
  "auth/user-disabled": "This account has been disabled.",
  "auth/too-many-requests": "Too many attempts. Wait a moment and try again.",
  "auth/network-request-failed": "Could not reach the sign-in service. Check your connection.",
};

/** A sentence for a person, from an Auth error. */
export function authErrorMessage(error: unknown): string {
  if (error instanceof FirebaseError) {
    return AUTH_MESSAGES[error.code] ?? `Something went wrong (${error.code}). Try again.`;
  }
  return error instanceof Error ? error.message : "Something went wrong. Try again.";
}

// --- Callables ----------------------------------------------------------------------

function callable<Request, Response>(name: string): (data: Request) => Promise<Response> {
  return async (data) => {
    const { functions } = await firebaseReady();
    const result = await httpsCallable<Request, Response>(functions, name)(data);
    return result.data;
  };
}

export const ensureProfile = callable<EnsureProfileRequest, EnsureProfileResult>("ensure_profile");
export const updateSettings = callable<UpdateSettingsRequest, UpdateSettingsResult>(
  "update_settings",
);
/** Remove a conversation and all its messages. */
export const deleteConversation = callable<DeleteConversationRequest, DeleteConversationResult>(
  "delete_conversation",
);
/** Ask the server to write a failed reply again (messageId: the user message it answers). */
export const retryReply = callable<RetryReplyRequest, RetryReplyResult>("retry_reply");
/**
 * Create (no `id`) or replace a workflow definition. `invalid-argument` carries the path
 * of the first problem as `field` ("edges[3]", "nodes[1].config.url"); a stale
 * `expectedVersion` is `failed-precondition`.
 */
export const saveWorkflow = callable<SaveWorkflowRequest, SaveWorkflowResult>("save_workflow");
/** Remove a workflow definition (and its webhook secret); idempotent. */
export const deleteWorkflow = callable<DeleteWorkflowRequest, DeleteWorkflowResult>(
  "delete_workflow",
);

/**
 * Start an execution of a saved workflow (its stored version). `not-found`,
 * `failed-precondition` (archived), `resource-exhausted` (too many running).
 */
export const runWorkflow = callable<RunWorkflowRequest, RunWorkflowResult>("run_workflow");
/** Stop a queued or running execution after the steps in flight; `failed-precondition` if ended. */
export const pauseExecution = callable<ExecutionRequest, ExecutionControlResult>(
  "pause_execution",
);
export const resumeExecution = callable<ExecutionRequest, ExecutionControlResult>(
  "resume_execution",
);
export const cancelExecution = callable<ExecutionRequest, ExecutionControlResult>(
  "cancel_execution",
);
/**
 * Run a failed execution again: from its failed step (the same execution id), or with
 * `fromStart` as a new execution whose `retryOf` names this one.
 */
export const retryExecution = callable<RetryExecutionRequest, RetryExecutionResult>(
  "retry_execution",
);

export interface CallableFailure {
  /** The callable code without its prefix: "invalid-argument", "unavailable", … */
  code: string;
  message: string;
  /** For invalid-argument: the dotted path of the offending input field. */
  field?: string;
}

/** The code, message and field of an error thrown by a callable. */
export function callableFailure(error: unknown): CallableFailure {
  if (error instanceof FirebaseError) {
    const code = error.code.replace(/^functions\//, "");
    // The SDK appends the HTTP status ("… [400]"); the server's sentence reads better alone.
    const message = error.message.replace(/ \[\d{3}\]$/, "");
    const details: unknown = (error as FirebaseError & { details?: unknown }).details;
    const field = isRecord(details) ? details.field : undefined;
    return typeof field === "string" ? { code, message, field } : { code, message };
  }
  return {
    code: "unknown",
    message: error instanceof Error ? error.message : "Something went wrong. Try again.",
  };
}

// --- Firestore ----------------------------------------------------------------------

/** Listen to `users/{uid}`; `null` while the document does not exist yet. */
export function watchProfile(
  uid: string,
  onProfile: (profile: Profile | null) => void,
  onError: (error: unknown) => void,
): Unsubscribe {
  return subscribeWhenReady(
    ({ db }) =>
      onSnapshot(
        doc(db, "users", uid),
        (snapshot) => onProfile(snapshot.exists() ? toProfile(snapshot.data()) : null),
        onError,
      ),
    onError,
  );
}

function toProfile(data: DocumentData): Profile {
  const settings: Record<string, unknown> = isRecord(data.settings) ? data.settings : {};
  return {
    email: stringOrNull(data.email),
    displayName: stringOrNull(data.displayName),
    photoURL: stringOrNull(data.photoURL),
    role: data.role === "admin" ? "admin" : "user",
    plan: data.plan === "pro" ? "pro" : "free",
    settings: {
      timezone: typeof settings.timezone === "string" ? settings.timezone : "UTC",
      preferredModel:
        typeof settings.preferredModel === "string" ? settings.preferredModel : "auto",
    },
    createdAt: dateOrNull(data.createdAt),
    lastSeenAt: dateOrNull(data.lastSeenAt),
  };
}

// --- Chat ---------------------------------------------------------------------------

const CONVERSATION_LIST_LIMIT = 50;

type Path = [string, ...string[]];

function conversationsPath(uid: string): Path {
  return ["users", uid, "conversations"];
}

function messagesPath(uid: string, conversationId: string): Path {
  return ["users", uid, "conversations", conversationId, "messages"];
}

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
  onError: (error: unknown) => void,
): Unsubscribe {
  return subscribeWhenReady(
    ({ db }) =>
      onSnapshot(
        query(
          collection(db, ...conversationsPath(uid)),
          orderBy("updatedAt", "desc"),
          limit(CONVERSATION_LIST_LIMIT),
        ),
        (snapshot) => onConversations(snapshot.docs.map(toConversation)),
        onError,
      ),
    onError,
  );
}

/** Listen to one conversation document; `null` while the server has not created it. */
export function watchConversation(
  uid: string,
  conversationId: string,
  onConversation: (conversation: Conversation | null) => void,
  onError: (error: unknown) => void,
): Unsubscribe {
  return subscribeWhenReady(
    ({ db }) =>
      onSnapshot(
        doc(db, ...conversationsPath(uid), conversationId),
        (snapshot) => onConversation(snapshot.exists() ? toConversation(snapshot) : null),
        onError,
      ),
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
  onError: (error: unknown) => void,
): Unsubscribe {
  return subscribeWhenReady(
    ({ db }) =>
      onSnapshot(
        query(collection(db, ...messagesPath(uid, conversationId)), orderBy("createdAt", "asc")),
        // Metadata changes too, so a sent message stops showing "Sending…" once acknowledged.
        { includeMetadataChanges: true },
        (snapshot) =>
          onMessages(
            snapshot.docs.flatMap((item) => {
              const message = toMessage(item);
              return message ? [message] : [];
            }),
          ),
        onError,
      ),
    onError,
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

function toConversation(snapshot: DocumentSnapshot): Conversation {
  const data = snapshot.data({ serverTimestamps: "estimate" }) ?? {};
  return {
    id: snapshot.id,
    title: nonEmptyStringOrNull(data.title),
    createdAt: dateOrNull(data.createdAt),
    updatedAt: dateOrNull(data.updatedAt),
    messageCount: numberOr(data.messageCount, 0),
    summary: stringOrNull(data.summary),
    usage: toUsage(data.usage) ?? { inputTokens: 0, outputTokens: 0, costUsd: 0 },
  };
}

const REPLY_STATUSES: readonly ReplyStatus[] = ["pending", "streaming", "done", "error"];

/** A message document as the app sees it; null for a shape it does not know. */
function toMessage(snapshot: DocumentSnapshot): ChatMessage | null {
  const data = snapshot.data({ serverTimestamps: "estimate" });
  if (!data) return null;
  const text = typeof data.text === "string" ? data.text : "";
  if (data.role === "user") {
    const message: UserMessage = {
      id: snapshot.id,
      role: "user",
      text,
      createdAt: dateOrNull(data.createdAt),
      intent: toIntent(data.intent),
      entities: Array.isArray(data.entities) ? data.entities.flatMap(toEntity) : [],
      sending: snapshot.metadata.hasPendingWrites,
    };
    return message;
  }
  if (data.role === "assistant") {
    const status = REPLY_STATUSES.find((value) => value === data.status) ?? "pending";
    const error = isRecord(data.error)
      ? {
          code: typeof data.error.code === "string" ? data.error.code : "unknown",
          message:
            typeof data.error.message === "string" && data.error.message
              ? data.error.message
              : "Aura could not write a reply.",
        }
      : null;
    const message: AssistantMessage = {
      id: snapshot.id,
      role: "assistant",
      replyTo:
        typeof data.replyTo === "string" ? data.replyTo : snapshot.id.replace(/^a_/, ""),
      text,
      status,
      provider: stringOrNull(data.provider),
      model: stringOrNull(data.model),
      usage: toUsage(data.usage),
      error,
      createdAt: dateOrNull(data.createdAt),
      updatedAt: dateOrNull(data.updatedAt),
      stopRequested: data.stopRequested === true,
      stopped: data.stopped === true,
      truncated: data.truncated === true,
    };
    return message;
  }
  return null;
}

// --- Automations --------------------------------------------------------------------

const WORKFLOW_LIST_LIMIT = 100;

function workflowsPath(uid: string): Path {
  return ["users", uid, "workflows"];
}

/** Listen to the user's most recently updated workflows, newest first. */
export function watchWorkflows(
  uid: string,
  onWorkflows: (workflows: Workflow[]) => void,
  onError: (error: unknown) => void,
): Unsubscribe {
  return subscribeWhenReady(
    ({ db }) =>
      onSnapshot(
        query(
          collection(db, ...workflowsPath(uid)),
          orderBy("updatedAt", "desc"),
          limit(WORKFLOW_LIST_LIMIT),
        ),
        (snapshot) => onWorkflows(snapshot.docs.map(toWorkflow)),
        onError,
      ),
    onError,
  );
}

/** Listen to one workflow; `null` when it does not exist (never saved, or deleted). */
export function watchWorkflow(
  uid: string,
  workflowId: string,
  onWorkflow: (workflow: Workflow | null) => void,
  onError: (error: unknown) => void,
): Unsubscribe {
  return subscribeWhenReady(
    ({ db }) =>
      onSnapshot(
        doc(db, ...workflowsPath(uid), workflowId),
        (snapshot) => onWorkflow(snapshot.exists() ? toWorkflow(snapshot) : null),
        onError,
      ),
    onError,
  );
}

/**
 * A workflow document as the app sees it. The server validated it before writing, so
 * this only guards the types; nulls (unset optional fields) are left out.
 */
function toWorkflow(snapshot: DocumentSnapshot): Workflow {
  const data = snapshot.data() ?? {};
  const settings: Record<string, unknown> = isRecord(data.settings) ? data.settings : {};
  return {
    id: snapshot.id,
    name: typeof data.name === "string" ? data.name : "",
    description: typeof data.description === "string" ? data.description : "",
    status: WORKFLOW_STATUSES.find((item) => item.value === data.status)?.value ?? "draft",
    version: numberOr(data.version, 0),
    nodes: Array.isArray(data.nodes) ? data.nodes.flatMap(toWorkflowNode) : [],
    edges: Array.isArray(data.edges) ? data.edges.flatMap(toWorkflowEdge) : [],
    variables: toJsonObject(data.variables),
    triggers: Array.isArray(data.triggers) ? data.triggers.flatMap(toWorkflowTrigger) : [],
    settings: {
      maxSteps: numberOr(settings.maxSteps, 100),
      deadlineSeconds: numberOr(settings.deadlineSeconds, 3600),
      maxConcurrentExecutions: numberOr(settings.maxConcurrentExecutions, 5),
    },
    createdAt: dateOrNull(data.createdAt),
    updatedAt: dateOrNull(data.updatedAt),
  };
}

function isNodeType(value: unknown): value is NodeType {
  return NODE_TYPES.some((type) => type === value);
}

function toWorkflowNode(value: unknown): WorkflowNode[] {
  if (!isRecord(value) || typeof value.id !== "string" || !isNodeType(value.type)) return [];
  const node: WorkflowNode = { id: value.id, type: value.type, config: toJsonObject(value.config) };
  if (typeof value.name === "string") node.name = value.name;
  if (isRecord(value.retry)) {
    node.retry = {
      attempts: numberOr(value.retry.attempts, 1),
      backoffSeconds: numberOr(value.retry.backoffSeconds, 5),
    };
  }
  if (typeof value.continueOnError === "boolean") node.continueOnError = value.continueOnError;
  return [node];
}

function toWorkflowEdge(value: unknown): WorkflowEdge[] {
  if (!isRecord(value) || typeof value.from !== "string" || typeof value.to !== "string") {
    return [];
  }
  const edge: WorkflowEdge = { from: value.from, to: value.to };
  if (typeof value.branch === "string") edge.branch = value.branch;
  return [edge];
}

function toWorkflowTrigger(value: unknown): WorkflowTrigger[] {
  if (!isRecord(value)) return [];
  const text = (key: string): string | undefined => {
    const item = value[key];
    return typeof item === "string" ? item : undefined;
  };
  switch (value.type) {
    case "manual":
    case "webhook":
      return [{ type: value.type }];
    case "schedule": {
      const cron = text("cron");
      const timezone = text("timezone");
      return cron !== undefined && timezone !== undefined
        ? [{ type: "schedule", cron, timezone }]
        : [];
    }
    case "event": {
      const typePattern = text("typePattern");
      const filter = text("filter");
      if (typePattern === undefined) return [];
      return [
        filter === undefined ? { type: "event", typePattern } : { type: "event", typePattern, filter },
      ];
    }
    case "firestore": {
      const name = text("collection");
      const on = Array.isArray(value.on)
        ? value.on.filter((op): op is string => typeof op === "string")
        : [];
      return name === undefined ? [] : [{ type: "firestore", collection: name, on }];
    }
    default:
      return [];
  }
}

// --- Executions ---------------------------------------------------------------------

const EXECUTION_LIST_LIMIT = 50;
const LOG_LIMIT = 500;

function executionsPath(uid: string): Path {
  return ["users", uid, "executions"];
}

/** Listen to a workflow's most recent executions, newest first. */
export function watchExecutions(
  uid: string,
  workflowId: string,
  onExecutions: (executions: Execution[]) => void,
  onError: (error: unknown) => void,
): Unsubscribe {
  return subscribeWhenReady(
    ({ db }) =>
      onSnapshot(
        query(
          collection(db, ...executionsPath(uid)),
          where("workflowId", "==", workflowId),
          orderBy("startedAt", "desc"),
          limit(EXECUTION_LIST_LIMIT),
        ),
        (snapshot) => onExecutions(snapshot.docs.map(toExecution)),
        onError,
      ),
    onError,
  );
}

/** Listen to one execution; `null` when it does not exist. */
export function watchExecution(
  uid: string,
  executionId: string,
  onExecution: (execution: Execution | null) => void,
  onError: (error: unknown) => void,
): Unsubscribe {
  return subscribeWhenReady(
    ({ db }) =>
      onSnapshot(
        doc(db, ...executionsPath(uid), executionId),
        (snapshot) => onExecution(snapshot.exists() ? toExecution(snapshot) : null),
        onError,
      ),
    onError,
  );
}

/** Listen to an execution's log, oldest first (its latest LOG_LIMIT entries). */
export function watchExecutionLogs(
  uid: string,
  executionId: string,
  onLogs: (logs: ExecutionLog[]) => void,
  onError: (error: unknown) => void,
): Unsubscribe {
  return subscribeWhenReady(
    ({ db }) =>
      onSnapshot(
        query(
          collection(db, ...executionsPath(uid), executionId, "logs"),
          orderBy("time", "desc"),
          limit(LOG_LIMIT),
        ),
        (snapshot) => onLogs(snapshot.docs.map(toExecutionLog).reverse()),
        onError,
      ),
    onError,
  );
}

function toExecution(snapshot: DocumentSnapshot): Execution {
  const data = snapshot.data() ?? {};
  const definition: Record<string, unknown> = isRecord(data.definition) ? data.definition : {};
  const steps: Record<string, ExecutionStep> = {};
  if (isRecord(data.steps)) {
    for (const [nodeId, step] of Object.entries(data.steps)) {
      if (isRecord(step)) steps[nodeId] = toExecutionStep(step);
    }
  }
  const error = isRecord(data.error)
    ? {
        nodeId: nonEmptyStringOrNull(data.error.nodeId),
        message:
          typeof data.error.message === "string" && data.error.message
            ? data.error.message
            : "The execution failed.",
      }
    : null;
  return {
    id: snapshot.id,
    workflowId: typeof data.workflowId === "string" ? data.workflowId : "",
    workflowVersion: numberOr(data.workflowVersion, 0),
    workflowName: typeof data.workflowName === "string" ? data.workflowName : "",
    status: EXECUTION_STATUSES.find((status) => status === data.status) ?? "queued",
    trigger: toExecutionTrigger(data.trigger),
    input: toJsonObject(data.input),
    output: data.output === undefined ? null : toJsonValue(data.output),
    steps,
    definition: {
      nodes: Array.isArray(definition.nodes) ? definition.nodes.flatMap(toWorkflowNode) : [],
      edges: Array.isArray(definition.edges) ? definition.edges.flatMap(toWorkflowEdge) : [],
      variables: toJsonObject(definition.variables),
      settings: toJsonObject(definition.settings),
    },
    correlationId: typeof data.correlationId === "string" ? data.correlationId : snapshot.id,
    startedAt: dateOrNull(data.startedAt),
    finishedAt: dateOrNull(data.finishedAt),
    error,
    retryOf: nonEmptyStringOrNull(data.retryOf),
  };
}

function toExecutionStep(step: Record<string, unknown>): ExecutionStep {
  return {
    status: STEP_STATUSES.find((status) => status === step.status) ?? "waiting",
    attempts: numberOr(step.attempts, 0),
    startedAt: dateOrNull(step.startedAt),
    finishedAt: dateOrNull(step.finishedAt),
    output: step.output === undefined ? undefined : toJsonValue(step.output),
    error:
      step.error === undefined || step.error === null
        ? null
        : typeof step.error === "string"
          ? step.error
          : JSON.stringify(toJsonValue(step.error)),
    branch: nonEmptyStringOrNull(step.branch),
  };
}

function toExecutionTrigger(value: unknown): ExecutionTrigger {
  const fields = toJsonObject(value);
  return { ...fields, type: typeof fields.type === "string" ? fields.type : "unknown" };
}

function toExecutionLog(snapshot: DocumentSnapshot): ExecutionLog {
  const data = snapshot.data() ?? {};
  return {
    id: snapshot.id,
    time: dateOrNull(data.time),
    nodeId: nonEmptyStringOrNull(data.nodeId),
    level: data.level === "error" ? "error" : "info",
    message: typeof data.message === "string" ? data.message : "",
  };
}

/** Plain JSON from a Firestore value (maps, lists, strings, numbers, booleans, null). */
function toJsonValue(value: unknown): JsonValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (isRecord(value)) {
    const date = dateOrNull(value);
    if (date) return date.toISOString();
    return toJsonObject(value);
  }
  return null;
}

function toJsonObject(value: unknown): JsonObject {
  const result: JsonObject = {};
  if (!isRecord(value) || Array.isArray(value)) return result;
  for (const [key, item] of Object.entries(value)) {
    // defineProperty: a key named "__proto__" stays a plain key, as JSON.parse keeps it.
    Object.defineProperty(result, key, {
      value: toJsonValue(item),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}

function toUsage(value: unknown): Usage | null {
  if (!isRecord(value)) return null;
  return {
    inputTokens: numberOr(value.inputTokens, 0),
    outputTokens: numberOr(value.outputTokens, 0),
    costUsd: numberOr(value.costUsd, 0),
  };
}

function toIntent(value: unknown): Intent | null {
  if (!isRecord(value) || typeof value.label !== "string") return null;
  return { label: value.label, confidence: numberOr(value.confidence, 0) };
}

function toEntity(value: unknown): Entity[] {
  if (!isRecord(value) || typeof value.type !== "string") return [];
  const text = typeof value.value === "string" ? value.value : String(value.value);
  return [{ type: value.type, value: text }];
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function nonEmptyStringOrNull(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function dateOrNull(value: unknown): Date | null {
  // Firestore Timestamps (and anything else with toDate) become Dates.
  if (isRecord(value) && typeof value.toDate === "function") {
    const date: unknown = value.toDate();
    return date instanceof Date ? date : null;
  }
  return null;
}
