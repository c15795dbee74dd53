/** Shapes shared with the backend (see shared/accounts/models.py) and the one list of models. */

/** Models a user may prefer; "auto" lets the AI gateway choose. Keep in step with ALLOWED_MODELS. */
export const PREFERRED_MODELS = [
  { value: "auto", label: "Auto (Aura chooses)" },
  { value: "gpt-4o-mini", label: "GPT-4o mini" },
  { value: "gpt-4o", label: "GPT-4o" },
  { value: "claude-haiku-4-5", label: "Claude Haiku 4.5" },
  { value: "claude-sonnet-4-5", label: "Claude Sonnet 4.5" },
] as const;

export type PreferredModel = (typeof PREFERRED_MODELS)[number]["value"];

export type Role = "user" | "admin";
export type Plan = "free" | "pro";

export interface Settings {
  timezone: string;
  preferredModel: string;
}

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

export interface EnsureProfileRequest {
  timezone?: string;
}

export interface EnsureProfileResult {
  /** The profile as JSON (ISO dates); the app renders the live `users/{uid}` doc instead. */
  profile: Record<string, unknown>;
  created: boolean;
  claimsUpdated: boolean;
}

export interface UpdateSettingsRequest {
  timezone?: string;
  preferredModel?: string;
}

export interface UpdateSettingsResult {
  settings: Settings;
}

export function modelLabel(value: string): string {
  return PREFERRED_MODELS.find((model) => model.value === value)?.label ?? value;
}
