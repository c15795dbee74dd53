import type { Covers } from "../../types/check";
import type { AllowedModel } from "../../wire/vocabularies";

/** Models a user may prefer, with their labels; "auto" lets the AI gateway choose. */
export const PREFERRED_MODELS = [
  { value: "auto", label: "Auto (Aura chooses)" },
  { value: "gpt-4o-mini", label: "GPT-4o mini" },
  { value: "gpt-4o", label: "GPT-4o" },
  { value: "claude-haiku-4-5", label: "Claude Haiku 4.5" },
  { value: "claude-sonnet-4-6", label: "Claude Sonnet 4.6" },
] as const satisfies readonly { value: AllowedModel; label: string }[];
// The server's ALLOWED_MODELS, generated: a model added there must be labelled here.
true satisfies Covers<AllowedModel, (typeof PREFERRED_MODELS)[number]["value"]>;

export function modelLabel(value: string): string {
  return PREFERRED_MODELS.find((model) => model.value === value)?.label ?? value;
}
