import { useId, useMemo, useState, type FormEvent } from "react";
import { SaveRow } from "../../../components/SaveRow";
import { ErrorMessage } from "../../../components/Status";
import { useSave } from "../../../hooks/useSave";
import type { Settings } from "../../../types/accounts";
import { updateSettings } from "../api/profile";
import { PREFERRED_MODELS } from "../preferredModels";

/** IANA zone names the browser knows, offered as suggestions (the server has the final say). */
function knownTimezones(): string[] {
  if (typeof Intl.supportedValuesOf !== "function") return [];
  const zones = Intl.supportedValuesOf("timeZone");
  return zones.includes("UTC") ? zones : ["UTC", ...zones];
}

/**
 * Edit the user's settings through `update_settings`. The form starts from the saved
 * values and keeps the user's edits; what is displayed as saved comes from the live doc.
 */
export function SettingsForm({ saved }: { saved: Settings }) {
  const id = useId();
  const zones = useMemo(knownTimezones, []);
  // null = untouched: show the saved value (which may change live).
  const [timezone, setTimezone] = useState<string | null>(null);
  const [preferredModel, setPreferredModel] = useState<string | null>(null);
  const { outcome, save, edited, fieldError } = useSave();

  const timezoneValue = timezone ?? saved.timezone;
  const modelValue = preferredModel ?? saved.preferredModel;
  const knownModel = PREFERRED_MODELS.some((model) => model.value === modelValue);
  const timezoneError = fieldError("timezone");
  const modelError = fieldError("preferredModel");
  const formError =
    outcome.kind === "failed" && !timezoneError && !modelError ? outcome.message : null;

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // Send what the user changed (or everything, to re-save unchanged settings).
    const untouched = timezone === null && preferredModel === null;
    await save(async () => {
      await updateSettings({
        ...(timezone !== null || untouched ? { timezone: timezoneValue.trim() } : {}),
        ...(preferredModel !== null || untouched ? { preferredModel: modelValue } : {}),
      });
    });
  }

  return (
    <form className="stack" onSubmit={(event) => void handleSubmit(event)} noValidate>
      <div className="field">
        <label htmlFor={`${id}-tz`}>Time zone</label>
        <input
          id={`${id}-tz`}
          type="text"
          list={`${id}-zones`}
          autoComplete="off"
          spellCheck={false}
          required
          aria-invalid={timezoneError ? true : undefined}
          aria-describedby={timezoneError ? `${id}-tz-error` : undefined}
          value={timezoneValue}
          onChange={(event) => {
            setTimezone(event.target.value);
            edited();
          }}
        />
        <datalist id={`${id}-zones`}>
          {zones.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
        {timezoneError && <ErrorMessage id={`${id}-tz-error`}>{timezoneError}</ErrorMessage>}
      </div>
      <div className="field">
        <label htmlFor={`${id}-model`}>Preferred model</label>
        <select
          id={`${id}-model`}
          aria-invalid={modelError ? true : undefined}
          aria-describedby={modelError ? `${id}-model-error` : undefined}
          value={modelValue}
          onChange={(event) => {
            setPreferredModel(event.target.value);
            edited();
          }}
        >
          {!knownModel && <option value={modelValue}>{modelValue}</option>}
          {PREFERRED_MODELS.map((model) => (
            <option key={model.value} value={model.value}>
              {model.label}
            </option>
          ))}
        </select>
        {modelError && <ErrorMessage id={`${id}-model-error`}>{modelError}</ErrorMessage>}
      </div>
      {formError && <ErrorMessage>{formError}</ErrorMessage>}
      <SaveRow outcome={outcome} label="Save settings" savedText="Settings saved" />
    </form>
  );
}
