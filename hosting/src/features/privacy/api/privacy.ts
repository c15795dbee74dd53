/**
 * Privacy: the live latest data export (`users/{uid}/exports`), and the callables
 * `export_my_data` and `delete_my_account`; re-authentication with the password.
 */
import { useLive, type LiveState } from "../../../hooks/useLive";
import { reauthenticate } from "../../../lib/firebase/auth";
import { callable } from "../../../lib/firebase/callables";
import { watchLatestExport } from "../../../lib/firebase/documents";
import { toExportJob, type ExportJob } from "../models";

/** The user's latest export; null when there is none (uid undefined: not yet). */
export function useLatestExport(uid: string | undefined): LiveState<ExportJob | null> {
  return useLive(
    uid ?? null,
    (onData, onError) => watchLatestExport(uid ?? "", toExportJob, onData, onError),
    "your exports",
  );
}

/** Start an export of everything Aura holds about the user (or get the one running). */
export const exportMyData = callable("export_my_data");
/**
 * Ask for the account and all its data to be deleted. A sign-in older than a few minutes
 * is `failed-precondition` with `details.reason` "requires-recent-login".
 */
export const deleteMyAccount = callable("delete_my_account");

/** Sign in again with the password (a fresh `auth_time` for `delete_my_account`). */
export { reauthenticate };
