/**
 * The server's callable functions. Each is called by its deployed name, and its request
 * and result types come from the server's pydantic models (`src/wire`, generated), so a
 * name the server does not have, or a payload it would refuse, fails the type check.
 * A failure reads through `callableFailure` in `./errors`.
 */
import { httpsCallable } from "firebase/functions";
import type { AccountsCallables } from "../../wire/accounts";
import type { AnalyticsCallables } from "../../wire/analytics";
import type { AuditCallables } from "../../wire/audit";
import type { BillingCallables } from "../../wire/billing";
import type { CalendarCallables } from "../../wire/calendar";
import type { ChatCallables } from "../../wire/chat";
import type { DecisionsCallables } from "../../wire/decisions";
import type { ErasureCallables } from "../../wire/erasure";
import type { ExecutionsCallables } from "../../wire/executions";
import type { ExportCallables } from "../../wire/export";
import type { FlagsCallables } from "../../wire/flags";
import type { MemoryCallables } from "../../wire/memory";
import type { NotificationsCallables } from "../../wire/notifications";
import type { QuickAddCallables } from "../../wire/quickadd";
import type { StudioCallables } from "../../wire/studio";
import type { TasksCallables } from "../../wire/tasks";
import type { WorkflowsCallables } from "../../wire/workflows";
import { firebaseReady } from "./app";

/** Every callable the web app calls, by name: `{request, result}`. */
export type Callables = AccountsCallables &
  AnalyticsCallables &
  AuditCallables &
  BillingCallables &
  CalendarCallables &
  ChatCallables &
  DecisionsCallables &
  ErasureCallables &
  ExportCallables &
  FlagsCallables &
  MemoryCallables &
  NotificationsCallables &
  QuickAddCallables &
  StudioCallables &
  TasksCallables &
  WorkflowsCallables &
  ExecutionsCallables;
export type CallableName = keyof Callables;
export type Request<Name extends CallableName> = Callables[Name]["request"];
export type Result<Name extends CallableName> = Callables[Name]["result"];

/** The callable `name` as a function of its request, resolving with its result. */
export function callable<Name extends CallableName>(
  name: Name,
): (data: Request<Name>) => Promise<Result<Name>> {
  return async (data) => {
    const { functions } = await firebaseReady();
    const result = await httpsCallable<Request<Name>, Result<Name>>(functions, name)(data);
    return result.data;
  };
}

/** Create or refresh the caller's profile; run by the auth context after each sign-in. */
export const ensureProfile = callable("ensure_profile");
