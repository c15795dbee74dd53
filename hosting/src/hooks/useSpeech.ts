/**
 * Voice in the browser: dictation with the Web Speech API's SpeechRecognition (Chrome,
 * Edge and Safari name it `webkitSpeechRecognition`) and reading aloud with
 * speechSynthesis. Both are feature-detected: where the browser has neither, the hooks
 * say `supported: false` and the controls are not drawn. Aura sends no audio anywhere:
 * the browser's own recognizer hears the microphone and hands back text (where it can
 * recognise on the device, `processLocally`, it is asked to); docs/channels.md "Voice".
 *
 * The logic is plain functions over the small part of the API it uses (`createDictation`,
 * `speechText`, the `speaker`), so Vitest drives them with fakes; the hooks only bind them
 * to React state.
 */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";

// --- Dictation ---------------------------------------------------------------------------

/** The part of a SpeechRecognition result list the app reads. */
export interface RecognitionResultLike {
  readonly isFinal: boolean;
  readonly length: number;
  readonly [index: number]: { readonly transcript: string };
}

export interface RecognitionEventLike {
  readonly resultIndex: number;
  readonly results: { readonly length: number; readonly [index: number]: RecognitionResultLike };
}

/** The part of SpeechRecognition the app uses. */
export interface RecognitionLike {
  lang: string;
  continuous: boolean;
  interimResults: boolean;
  maxAlternatives: number;
  processLocally?: boolean;
  onresult: ((event: RecognitionEventLike) => void) | null;
  onerror: ((event: { readonly error: string }) => void) | null;
  onend: (() => void) | null;
  start(): void;
  stop(): void;
  abort(): void;
}

export interface RecognitionConstructor {
  new (): RecognitionLike;
  /** Chrome 139+: whether on-device recognition can serve these languages. */
  available?: (options: { langs: string[]; processLocally: boolean }) => Promise<string>;
}

/** The browser's SpeechRecognition, prefixed or not; undefined where it has none. */
export function recognitionConstructor(
  scope: object = globalThis,
): RecognitionConstructor | undefined {
  const candidates = scope as {
    SpeechRecognition?: unknown;
    webkitSpeechRecognition?: unknown;
  };
  const found = candidates.SpeechRecognition ?? candidates.webkitSpeechRecognition;
  return typeof found === "function" ? (found as RecognitionConstructor) : undefined;
}

const DICTATION_ERRORS: Record<string, string> = {
  "not-allowed": "Microphone access was refused. Allow it in the browser to dictate.",
  "service-not-allowed": "This browser does not allow speech recognition here.",
  "audio-capture": "No microphone was found.",
  "no-speech": "No speech was heard. Try again.",
  network: "The browser's speech recognition could not be reached.",
  "language-not-supported": "Speech recognition does not support this language here.",
};

/** A sentence for a person, from a SpeechRecognition error code ("aborted": none). */
export function dictationErrorMessage(code: string): string | null {
  if (code === "aborted") return null;
  return DICTATION_ERRORS[code] ?? `Dictation stopped (${code.slice(0, 40)}).`;
}

/** The field's text with the dictated words after what was there before, cut to `max`. */
export function withDictation(before: string, dictated: string, max: number): string {
  const words = dictated.trim();
  if (!words) return before.slice(0, max);
  const gap = before === "" || /\s$/.test(before) ? "" : " ";
  return (before + gap + words).slice(0, max);
}

export interface DictationCallbacks {
  /** Everything heard so far in this session (final words, then the interim guess). */
  onTranscript(transcript: string): void;
  onListening(listening: boolean): void;
  onError(message: string): void;
}

export interface Dictation {
  stop(): void;
  abort(): void;
}

/**
 * Start one dictation session: continuous, with interim results, in `lang`. The
 * transcript is rebuilt from every result each time (results only grow, and an interim
 * guess is replaced by its final words).
 */
export function createDictation(
  Recognition: RecognitionConstructor,
  lang: string,
  callbacks: DictationCallbacks,
  processLocally = false,
): Dictation {
  const recognition = new Recognition();
  recognition.lang = lang;
  recognition.continuous = true;
  recognition.interimResults = true;
  recognition.maxAlternatives = 1;
  if (processLocally && "processLocally" in recognition) recognition.processLocally = true;
  let ended = false;
  recognition.onresult = (event) => {
    const parts: string[] = [];
    for (let i = 0; i < event.results.length; i++) {
      const result = event.results[i];
      const transcript = result && result.length > 0 ? result[0]?.transcript : undefined;
      if (transcript) parts.push(transcript.trim());
    }
    callbacks.onTranscript(parts.filter(Boolean).join(" "));
  };
  recognition.onerror = (event) => {
    const message = dictationErrorMessage(event.error);
    if (message) callbacks.onError(message);
  };
  recognition.onend = () => {
    if (ended) return;
    ended = true;
    callbacks.onListening(false);
  };
  try {
    recognition.start();
  } catch (err) {
    ended = true;
    callbacks.onError(err instanceof Error ? err.message : "Dictation could not start.");
    callbacks.onListening(false);
    return { stop() {}, abort() {} };
  }
  callbacks.onListening(true);
  return {
    stop: () => recognition.stop(),
    abort: () => recognition.abort(),
  };
}

function pageLanguage(): string {
  return document.documentElement.lang || navigator.language || "en-US";
}

/**
 * Dictate into a text field: `start` remembers the field's text and appends what is
 * heard to it (at most `maxChars`), through `onText`. Not `supported` where the browser
 * has no speech recognition.
 */
export function useDictation({
  value,
  onText,
  maxChars,
}: {
  value: string;
  onText: (next: string) => void;
  maxChars: number;
}) {
  const [Recognition] = useState(() => recognitionConstructor());
  const [listening, setListening] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const session = useRef<Dictation | null>(null);
  const local = useRef(false);
  // The latest props, read by the session's callbacks.
  const latest = useRef({ value, onText, maxChars });
  latest.current = { value, onText, maxChars };

  useEffect(() => {
    // Ask for on-device recognition where the browser can say it has it.
    let live = true;
    Recognition?.available?.({ langs: [pageLanguage()], processLocally: true })
      .then((state) => {
        if (live) local.current = state === "available";
      })
      .catch(() => undefined);
    return () => {
      live = false;
      session.current?.abort();
      session.current = null;
    };
  }, [Recognition]);

  const start = useCallback(() => {
    if (!Recognition || session.current) return;
    const before = latest.current.value;
    setError(null);
    session.current = createDictation(
      Recognition,
      pageLanguage(),
      {
        onTranscript: (transcript) =>
          latest.current.onText(withDictation(before, transcript, latest.current.maxChars)),
        onListening: (on) => {
          setListening(on);
          if (!on) session.current = null;
        },
        onError: setError,
      },
      local.current,
    );
  }, [Recognition]);

  const stop = useCallback(() => session.current?.stop(), []);

  return { supported: Recognition !== undefined, listening, error, start, stop };
}

// --- Reading aloud -----------------------------------------------------------------------

// The most characters one "Read aloud" speaks (a long reply is cut, with a note).
export const MAX_SPOKEN_CHARS = 6000;

/** Markdown as it reads aloud: no code blocks, link targets, markup or table rules. */
export function speechText(markdown: string, max: number = MAX_SPOKEN_CHARS): string {
  const text = markdown
    .replace(/```[\s\S]*?(```|$)/g, " (code) ")
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`([^`]*)`/g, "$1")
    .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+/gm, "")
    .replace(/^\s*\|?\s*:?-{3,}.*$/gm, "")
    .replace(/[*_~|#]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > max ? `${text.slice(0, max)}… (the rest is on the screen)` : text;
}

/** The part of speechSynthesis the app uses. */
export interface SynthesisLike {
  speak(utterance: UtteranceLike): void;
  cancel(): void;
}

export interface UtteranceLike {
  text: string;
  lang: string;
  onend: (() => void) | null;
  onerror: (() => void) | null;
}

export type UtteranceConstructor = new (text: string) => UtteranceLike;

/**
 * One voice for the whole page: at most one text is spoken at a time, named by a key
 * (the reply's id), so each "Read aloud" button knows whether it is the one speaking.
 */
export function createSpeaker(synthesis: SynthesisLike, Utterance: UtteranceConstructor) {
  let speaking: string | null = null;
  const listeners = new Set<() => void>();
  const set = (key: string | null) => {
    speaking = key;
    listeners.forEach((listener) => listener());
  };
  return {
    speaking: () => speaking,
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    speak(key: string, text: string, lang: string) {
      synthesis.cancel();
      const utterance = new Utterance(text);
      utterance.lang = lang;
      const done = () => {
        if (speaking === key) set(null);
      };
      utterance.onend = done;
      utterance.onerror = done;
      set(key);
      synthesis.speak(utterance);
    },
    stop() {
      synthesis.cancel();
      set(null);
    },
  };
}

export type Speaker = ReturnType<typeof createSpeaker>;

let pageSpeaker: Speaker | null | undefined;

/** The page's speaker, or null where the browser cannot speak. */
export function browserSpeaker(): Speaker | null {
  if (pageSpeaker === undefined) {
    const scope = globalThis as { speechSynthesis?: unknown; SpeechSynthesisUtterance?: unknown };
    pageSpeaker =
      scope.speechSynthesis && typeof scope.SpeechSynthesisUtterance === "function"
        ? createSpeaker(
            scope.speechSynthesis as SynthesisLike,
            scope.SpeechSynthesisUtterance as UtteranceConstructor,
          )
        : null;
  }
  return pageSpeaker;
}

const noSpeaker = { subscribe: () => () => undefined, speaking: () => null };

/** Read `markdown` aloud (as `speechText`) under `key`, or stop; one at a time per page. */
export function useReadAloud(key: string, markdown: string) {
  const speaker = browserSpeaker();
  const source = speaker ?? noSpeaker;
  const speaking = useSyncExternalStore(source.subscribe, source.speaking) === key;
  useEffect(
    () => () => {
      // The reply leaves the page while it is read: stop the voice with it.
      if (speaker?.speaking() === key) speaker.stop();
    },
    [speaker, key],
  );
  const toggle = useCallback(() => {
    if (!speaker) return;
    if (speaker.speaking() === key) speaker.stop();
    else speaker.speak(key, speechText(markdown), pageLanguage());
  }, [speaker, key, markdown]);
  return { supported: speaker !== null, speaking, toggle };
}
