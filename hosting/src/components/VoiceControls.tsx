/**
 * The voice buttons (hooks/useSpeech): "Dictate" beside a text field and "Read aloud" on
 * a reply. Neither is drawn where the browser lacks the API.
 */
import { useReadAloud, type useDictation } from "../hooks/useSpeech";
import { ErrorMessage } from "./Status";

/** Starts dictation, and while listening stops it (its name says which). */
export function DictationButton({ dictation }: { dictation: ReturnType<typeof useDictation> }) {
  if (!dictation.supported) return null;
  const { listening, start, stop } = dictation;
  return (
    <button
      type="button"
      className={listening ? "dictate listening" : "secondary dictate"}
      data-testid="dictate"
      onClick={listening ? stop : start}
    >
      {listening ? "Stop dictation" : "Dictate"}
    </button>
  );
}

/** Dictation's error, if any (a refused microphone, nothing heard…). */
export function DictationError({ dictation }: { dictation: ReturnType<typeof useDictation> }) {
  return dictation.error ? (
    <ErrorMessage testId="dictation-error">{dictation.error}</ErrorMessage>
  ) : null;
}

/** "Read aloud" / "Stop reading" for one reply's text. */
export function ReadAloudButton({ id, text }: { id: string; text: string }) {
  const { supported, speaking, toggle } = useReadAloud(id, text);
  if (!supported || text.trim() === "") return null;
  return (
    <button type="button" className="secondary small" data-testid="read-aloud" onClick={toggle}>
      {speaking ? "Stop reading" : "Read aloud"}
    </button>
  );
}
