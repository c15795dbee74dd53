/**
 * The account as the app shows it: the `users/{uid}` document read by its converter.
 * Field types come from the server's models (`src/wire`, generated); dates are Dates.
 */
import type { ProfilePublic, Settings } from "../wire/accounts";

export type { EmailKinds, Settings } from "../wire/accounts";

export type Role = ProfilePublic["role"];
export type Plan = ProfilePublic["plan"];

/** The document at `users/{uid}`, as the client sees it. */
export interface Profile {
  email: string | null;
  displayName: string | null;
  photoURL: string | null;
  role: Role;
  plan: Plan;
  settings: Settings;
  createdAt: Date | null;
  lastSeenAt: Date | null;
}
