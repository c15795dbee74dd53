import { useId, useState, type FormEvent, type KeyboardEvent } from "react";
import { ErrorMessage } from "../../../components/Status";
import { DictationButton, DictationError } from "../../../components/VoiceControls";
import { useDictation } from "../../../hooks/useSpeech";
import { callableFailure } from "../../../lib/firebase/errors";
import { isOnline } from "../../../lib/offline/network";
import { MAX_MESSAGE_CHARS } from "../../../types/chat";
import { sendChatMessage } from "../api/chat";

// The character counter appears this close to the limit.
const COUNTER_FROM = MAX_MESSAGE_CHARS - 1000;

interface ComposerProps {
  uid: string;
  conversationId: string;
}

/** Write a message: Enter sends, Shift+Enter starts a new line. */
export function Composer({ uid, conversationId }: ComposerProps) {
  const id = useId();
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Dictation appends what is heard to the text (the field's limit is checked on send).
  const dictation = useDictation({ value: text, onText: setText, maxChars: MAX_MESSAGE_CHARS + 1 });

  const message = text.trim();
  const tooLong = text.length > MAX_MESSAGE_CHARS;
  const canSend = message !== "" && !tooLong && !sending;

  async function send() {
    if (!canSend) return;
    dictation.stop();
    setSending(true);
    setError(null);
    setText("");
    try {
      const written = sendChatMessage(uid, conversationId, message);
      // Offline the write waits in Firestore's local cache (the thread shows it pending)
      // and goes out when the network returns: the composer is free meanwhile.
      if (!isOnline()) setSending(false);
      await written;
    } catch (err) {
      // Give the words back (unless the user has started typing something else).
      setText((current) => (current === "" ? message : current));
      setError(`Your message was not sent: ${callableFailure(err).message}`);
    } finally {
      setSending(false);
    }
  }

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void send();
  }

  function handleKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key !== "Enter" || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    void send();
  }

  const describedBy = [
    text.length >= COUNTER_FROM ? `${id}-count` : null,
    error ? `${id}-error` : null,
  ].filter(Boolean);

  return (
    <form className="composer" onSubmit={handleSubmit}>
      {error && <ErrorMessage id={`${id}-error`}>{error}</ErrorMessage>}
      <div className="composer-row">
        <label htmlFor={`${id}-text`} className="visually-hidden">
          Message
        </label>
        <textarea
          id={`${id}-text`}
          rows={3}
          placeholder="Message Aura… (Enter to send, Shift+Enter for a new line)"
          autoFocus
          value={text}
          aria-invalid={tooLong ? true : undefined}
          aria-describedby={describedBy.length ? describedBy.join(" ") : undefined}
          onChange={(event) => {
            setText(event.target.value);
            if (error) setError(null);
          }}
          onKeyDown={handleKeyDown}
        />
        <DictationButton dictation={dictation} />
        <button type="submit" disabled={!canSend}>
          Send
        </button>
      </div>
      <DictationError dictation={dictation} />
      {text.length >= COUNTER_FROM && (
        <small id={`${id}-count`} className={tooLong ? "error counter" : "muted counter"}>
          {text.length.toLocaleString("en-US")} / {MAX_MESSAGE_CHARS.toLocaleString("en-US")}
          {tooLong && " (too long)"}
        </small>
      )}
    </form>
  );
}
