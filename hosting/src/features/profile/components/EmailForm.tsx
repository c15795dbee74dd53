import { useState, type FormEvent } from "react";
import { SaveRow } from "../../../components/SaveRow";
import { ErrorMessage } from "../../../components/Status";
import { useSave } from "../../../hooks/useSave";
import { emailVerifiedNow, sendVerificationEmail } from "../../../lib/firebase/auth";
import type { EmailKinds, Settings } from "../../../types/accounts";
import { updateSettings } from "../api/profile";

const KINDS: { key: keyof EmailKinds; label: string }[] = [
  { key: "reminders", label: "Task and event reminders" },
  { key: "briefing", label: "The daily briefing" },
  { key: "exports", label: "Data exports ready to download" },
  { key: "workflows", label: "Notifications from my workflows" },
];

type Verification = "idle" | "sending" | "sent" | "checking" | "still-unverified" | "failed";

/**
 * The server emails only verified addresses (docs/platform.md "Email"): an unverified one
 * gets the link to verify it, and a check once it is done.
 */
function VerifyAddress({ onVerified }: { onVerified: () => void }) {
  const [state, setState] = useState<Verification>("idle");

  async function send() {
    setState("sending");
    try {
      await sendVerificationEmail();
      setState("sent");
    } catch {
      setState("failed");
    }
  }

  async function check() {
    setState("checking");
    try {
      if (await emailVerifiedNow()) onVerified();
      else setState("still-unverified");
    } catch {
      setState("failed");
    }
  }

  return (
    <div className="notice warning stack" data-testid="verify-address">
      <p>Aura sends email only to a verified address, and this one is not verified yet.</p>
      <div className="row">
        <button type="button" className="secondary small" disabled={state === "sending"} onClick={() => void send()}>
          {state === "sent" || state === "still-unverified" ? "Send the link again" : "Send me a verification link"}
        </button>
        {(state === "sent" || state === "still-unverified" || state === "checking") && (
          <button type="button" className="small" disabled={state === "checking"} onClick={() => void check()}>
            I have opened the link
          </button>
        )}
      </div>
      <p role="status">
        {state === "sent" && "Sent: open the link in that email, then come back here."}
        {state === "still-unverified" && "Not verified yet: open the link in the email first."}
        {state === "failed" && "That did not work; try again in a moment."}
      </p>
    </div>
  );
}

/** Email delivery: on or off, and which kinds of notification also go by email. */
export function EmailForm({
  saved,
  email,
  verified: verifiedAtStart,
}: {
  saved: Settings;
  email: string | null;
  verified: boolean;
}) {
  const [verified, setVerified] = useState(verifiedAtStart);
  // null = untouched: show the saved value (an unsubscribe link may change it live).
  const [enabled, setEnabled] = useState<boolean | null>(null);
  const [kinds, setKinds] = useState<Partial<EmailKinds>>({});
  const { outcome, save, edited } = useSave();
  const enabledValue = enabled ?? saved.email.enabled;
  const kindsValue: EmailKinds = { ...saved.email.kinds, ...kinds };

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await save(async () => {
      await updateSettings({ email: { enabled: enabledValue, kinds: kindsValue } });
      setEnabled(null);
      setKinds({});
    });
  }

  return (
    <form className="stack" onSubmit={(event) => void handleSubmit(event)} data-testid="email-form">
      <label className="check">
        <input
          type="checkbox"
          checked={enabledValue}
          onChange={(event) => {
            setEnabled(event.target.checked);
            edited();
          }}
        />
        Also send my notifications by email
      </label>
      <fieldset className="stack" disabled={!enabledValue}>
        <legend>
          To <strong>{email ?? "your account's address"}</strong>, for:
        </legend>
        {KINDS.map(({ key, label }) => (
          <label className="check" key={key}>
            <input
              type="checkbox"
              checked={kindsValue[key]}
              onChange={(event) => {
                setKinds((current) => ({ ...current, [key]: event.target.checked }));
                edited();
              }}
            />
            {label}
          </label>
        ))}
      </fieldset>
      {enabledValue && !verified && <VerifyAddress onVerified={() => setVerified(true)} />}
      <small className="muted">
        Every email has a one-click unsubscribe link for its kind.
      </small>
      {outcome.kind === "failed" && <ErrorMessage>{outcome.message}</ErrorMessage>}
      <SaveRow
        outcome={outcome}
        label="Save email settings"
        savedText="Email settings saved"
        statusTestId="email-saved"
      />
    </form>
  );
}
