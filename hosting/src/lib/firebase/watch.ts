/**
 * Firestore listeners: one generic watcher for a document and one for a query. Each
 * takes what to watch (built from the Firestore instance once Firebase is ready) and a
 * converter from a `StoredDoc` to the app's model, so the converters stay pure.
 */
import {
  onSnapshot,
  type DocumentReference,
  type DocumentSnapshot,
  type Firestore,
  type Query,
  type SnapshotListenOptions,
} from "firebase/firestore";
import { whenReady, type Unsubscribe } from "./app";

/** A document as a converter sees it: plain data, no SDK types. */
export interface StoredDoc {
  id: string;
  data: Readonly<Record<string, unknown>>;
  /** True while a local write to it has not reached the server. */
  pending: boolean;
}

/** A stored document as the app's model; null for a shape the app does not know. */
export type Convert<T> = (doc: StoredDoc) => T | null;

type OnError = (error: unknown) => void;

function stored(snapshot: DocumentSnapshot): StoredDoc | null {
  // A server timestamp that a local write has not had set yet reads as the SDK's estimate
  // (the client writes only chat messages; every other document is the server's).
  const data = snapshot.data({ serverTimestamps: "estimate" });
  return data ? { id: snapshot.id, data, pending: snapshot.metadata.hasPendingWrites } : null;
}

/** Listen to one document; `onData` gets null while it does not exist. */
export function watchDoc<T>(
  ref: (db: Firestore) => DocumentReference,
  convert: Convert<T>,
  onData: (value: T | null) => void,
  onError: OnError,
  options: SnapshotListenOptions = {},
): Unsubscribe {
  return whenReady(
    ({ db }) =>
      onSnapshot(
        ref(db),
        options,
        (snapshot) => {
          const doc = stored(snapshot);
          onData(doc ? convert(doc) : null);
        },
        onError,
      ),
    onError,
  );
}

/** Listen to a query; `onData` gets its documents in order, less those `convert` drops. */
export function watchQuery<T>(
  target: (db: Firestore) => Query,
  convert: Convert<T>,
  onData: (items: T[]) => void,
  onError: OnError,
  options: SnapshotListenOptions = {},
): Unsubscribe {
  return whenReady(
    ({ db }) =>
      onSnapshot(
        target(db),
        options,
        (snapshot) =>
          onData(
            snapshot.docs.flatMap((item) => {
              const doc = stored(item);
              const value = doc ? convert(doc) : null;
              return value === null ? [] : [value];
            }),
          ),
        onError,
      ),
    onError,
  );
}
