import { useEffect, useId, useRef, useState } from "react";

interface WebhookSecretNoticeProps {
  secret: string;
  onDismiss: () => void;
}

/**
 * The webhook secret `save_workflow` returned when the webhook trigger was added. The
 * server never returns it again, so it is shown once, here, until dismissed.
 */
export function WebhookSecretNotice({ secret, onDismiss }: WebhookSecretNoticeProps) {
  const id = useId();
  const value = useRef<HTMLElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);

  // It appears once, after a save: bring it to the reader (and to screen readers).
  useEffect(() => {
    heading.current?.focus();
  }, []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("yes");
    } catch {
      // No clipboard access (an insecure origin, or refused): select it for the user.
      const element = value.current;
      const selection = window.getSelection();
      if (element && selection) selection.selectAllChildren(element);
      setCopied("no");
    }
  }

  return (
    <section className="notice secret" aria-labelledby={id} data-testid="webhook-secret">
      <h2 id={id} ref={heading} tabIndex={-1}>
        Webhook secret
      </h2>
      <p>
        <strong>Copy this secret now: it will not be shown again.</strong> Calls to this
        workflow’s webhook must be signed with it. Keep it somewhere safe, such as a password
        manager.
      </p>
      <div className="secret-row">
        <code ref={value} data-testid="webhook-secret-value">
          {secret}
        </code>
        <button type="button" className="small" onClick={() => void copy()}>
          Copy
        </button>
        <span role="status" className={copied === "no" ? "error" : "success"}>
          {copied === "yes" && "Copied"}
          {copied === "no" && "Could not copy: the secret is selected, copy it yourself."}
        </span>
      </div>
      <p className="muted">
        Lost it? Remove the webhook trigger and save, then add it again: that makes a new
        secret.
      </p>
      <button type="button" className="secondary small" onClick={onDismiss}>
        Dismiss
      </button>
    </section>
  );
}
