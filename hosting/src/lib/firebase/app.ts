/**
 * Firebase, started once: the project's config and, on localhost, the emulators.
 *
 * On localhost / 127.0.0.1 the app uses the demo project and the Local Emulator Suite;
 * anywhere else it loads the project's config from Firebase Hosting's reserved
 * `/__/firebase/init.json` before initialising. The other modules of `lib/firebase` wait
 * for that initialisation themselves (`firebaseReady`, `whenReady`); nothing else in the
 * app imports the Firebase SDK.
 */
import { initializeApp, type FirebaseOptions } from "firebase/app";
import {
  browserLocalPersistence,
  connectAuthEmulator,
  indexedDBLocalPersistence,
  initializeAuth,
  type Auth,
} from "firebase/auth";
import {
  clearIndexedDbPersistence,
  connectFirestoreEmulator,
  initializeFirestore,
  persistentLocalCache,
  persistentMultipleTabManager,
  terminate,
  waitForPendingWrites,
  type Firestore,
} from "firebase/firestore";
import { connectFunctionsEmulator, getFunctions, type Functions } from "firebase/functions";

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

export interface Services {
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

/** The services if Firebase has finished initialising, else undefined (never waits). */
export function readyServices(): Services | undefined {
  return ready;
}

/** Start a subscription once Firebase is ready; the returned function works at any time. */
export function whenReady(
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

async function initialise(): Promise<Services> {
  const app = initializeApp(usingEmulators ? DEMO_CONFIG : await hostingConfig());
  // initializeAuth (rather than getAuth) leaves the popup/redirect code out of the bundle;
  // pass browserPopupRedirectResolver explicitly if OAuth pop-ups are added later.
  const auth = initializeAuth(app, {
    persistence: [indexedDBLocalPersistence, browserLocalPersistence],
  });
  // Documents the app has listened to are kept in IndexedDB (shared by the open tabs), so
  // tasks, the inbox, the calendar and chat history show offline, and a chat message
  // written offline waits there until the network returns (docs/architecture.md
  // "Offline and install"). Where IndexedDB is refused the SDK falls back to memory.
  const db = initializeFirestore(app, {
    localCache: persistentLocalCache({ tabManager: persistentMultipleTabManager() }),
  });
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

/**
 * Resolves once every Firestore write made so far has reached the server (at once when
 * there is none; offline, when the network returns). Failed writes count as settled.
 */
export async function pendingWritesSettled(): Promise<void> {
  const { db } = await firebaseReady();
  await waitForPendingWrites(db);
}

/**
 * Delete this browser's copy of Firestore data (at sign-out). Firestore stops for good
 * in this page: the caller loads a fresh page next. While another tab still has Aura
 * open the copy cannot be cleared, and stays.
 */
export async function clearLocalData(): Promise<void> {
  const { db } = await firebaseReady();
  await terminate(db);
  try {
    await clearIndexedDbPersistence(db);
  } catch {
    // failed-precondition: another tab holds the cache open.
  }
}

async function hostingConfig(): Promise<FirebaseOptions> {
  const response = await fetch("/__/firebase/init.json", { cache: "no-cache" });
  if (!response.ok) {
    throw new Error(`Could not load the Firebase configuration (HTTP ${response.status}).`);
  }
  return (await response.json()) as FirebaseOptions;
}
