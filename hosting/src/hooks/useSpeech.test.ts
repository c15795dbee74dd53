import { describe, expect, it, vi } from "vitest";
import {
  createDictation,
  createSpeaker,
  dictationErrorMessage,
  recognitionConstructor,
  speechText,
  withDictation,
  type RecognitionEventLike,
  type RecognitionLike,
  type UtteranceLike,
} from "./useSpeech";

/** A fake SpeechRecognition: records what the app set and lets the test "speak". */
class FakeRecognition implements RecognitionLike {
  static last: FakeRecognition | null = null;
  static failStart = false;
  lang = "";
  continuous = false;
  interimResults = false;
  maxAlternatives = 0;
  processLocally = false;
  onresult: ((event: RecognitionEventLike) => void) | null = null;
  onerror: ((event: { error: string }) => void) | null = null;
  onend: (() => void) | null = null;
  started = 0;
  stopped = 0;
  aborted = 0;

  constructor() {
    FakeRecognition.last = this;
  }
  start() {
    if (FakeRecognition.failStart) throw new Error("recognition has already started");
    this.started += 1;
  }
  stop() {
    this.stopped += 1;
    this.onend?.();
  }
  abort() {
    this.aborted += 1;
    this.onerror?.({ error: "aborted" });
    this.onend?.();
  }
  /** Results so far: [transcript, isFinal] per phrase. */
  hear(...phrases: [string, boolean][]) {
    const results = phrases.map(([transcript, isFinal]) => ({
      isFinal,
      length: 1,
      0: { transcript },
    }));
    this.onresult?.({
      resultIndex: 0,
      results: Object.assign(results, { length: results.length }),
    });
  }
}

function callbacks() {
  return { onTranscript: vi.fn(), onListening: vi.fn(), onError: vi.fn() };
}

describe("recognitionConstructor", () => {
  it("finds the standard name, then the webkit one, else none", () => {
    class A {}
    class B {}
    expect(recognitionConstructor({ SpeechRecognition: A, webkitSpeechRecognition: B })).toBe(A);
    expect(recognitionConstructor({ webkitSpeechRecognition: B })).toBe(B);
    expect(recognitionConstructor({})).toBeUndefined();
    expect(
      recognitionConstructor({ webkitSpeechRecognition: "not a constructor" }),
    ).toBeUndefined();
  });
});

describe("createDictation", () => {
  it("listens continuously in the language with interim results, and reports the transcript", () => {
    const cb = callbacks();
    createDictation(FakeRecognition, "en-GB", cb);
    const rec = FakeRecognition.last!;
    expect([rec.lang, rec.continuous, rec.interimResults, rec.started]).toEqual([
      "en-GB",
      true,
      true,
      1,
    ]);
    expect(cb.onListening).toHaveBeenLastCalledWith(true);

    rec.hear(["call Bob", false]);
    expect(cb.onTranscript).toHaveBeenLastCalledWith("call Bob");
    // The interim guess is replaced by the final words, and later phrases follow.
    rec.hear(["call Bob ", true], [" tomorrow at 3pm", false]);
    expect(cb.onTranscript).toHaveBeenLastCalledWith("call Bob tomorrow at 3pm");
  });

  it("stops, and says it stopped once", () => {
    const cb = callbacks();
    const dictation = createDictation(FakeRecognition, "en", cb);
    dictation.stop();
    FakeRecognition.last!.onend?.();
    expect(FakeRecognition.last!.stopped).toBe(1);
    expect(cb.onListening.mock.calls).toEqual([[true], [false]]);
  });

  it("asks for on-device recognition only when told to and the browser has it", () => {
    createDictation(FakeRecognition, "en", callbacks());
    expect(FakeRecognition.last!.processLocally).toBe(false);
    createDictation(FakeRecognition, "en", callbacks(), true);
    expect(FakeRecognition.last!.processLocally).toBe(true);
  });

  it("turns errors into sentences and stays quiet when aborted", () => {
    const cb = callbacks();
    const dictation = createDictation(FakeRecognition, "en", cb);
    FakeRecognition.last!.onerror?.({ error: "not-allowed" });
    expect(cb.onError).toHaveBeenCalledWith(expect.stringMatching(/Microphone access was refused/));
    dictation.abort();
    expect(cb.onError).toHaveBeenCalledTimes(1);
    expect(cb.onListening).toHaveBeenLastCalledWith(false);
  });

  it("reports a start that throws and is not listening", () => {
    FakeRecognition.failStart = true;
    try {
      const cb = callbacks();
      createDictation(FakeRecognition, "en", cb);
      expect(cb.onError).toHaveBeenCalledWith("recognition has already started");
      expect(cb.onListening.mock.calls).toEqual([[false]]);
    } finally {
      FakeRecognition.failStart = false;
    }
  });
});

describe("dictationErrorMessage", () => {
  it("names known codes, bounds unknown ones", () => {
    expect(dictationErrorMessage("aborted")).toBeNull();
    expect(dictationErrorMessage("no-speech")).toMatch(/No speech/);
    expect(dictationErrorMessage("x".repeat(500))!.length).toBeLessThan(80);
  });
});

describe("withDictation", () => {
  it("appends after what was typed, with one space, cut to the limit", () => {
    expect(withDictation("", " hello ", 100)).toBe("hello");
    expect(withDictation("Note:", "buy milk", 100)).toBe("Note: buy milk");
    expect(withDictation("Note: ", "buy milk", 100)).toBe("Note: buy milk");
    expect(withDictation("abc", "", 100)).toBe("abc");
    expect(withDictation("abc", "defgh", 6)).toBe("abc de");
  });
});

describe("speechText", () => {
  it("reads markdown as words", () => {
    const markdown = [
      "# Plan",
      "- **Call** [Bob](https://example.com/bob) at `3pm`",
      "1. ~~skip~~ done",
      "```python",
      "print('no')",
      "```",
      "| a | b |",
      "|---|---|",
      "> quoted ![logo](https://x/y.png)",
    ].join("\n");
    expect(speechText(markdown)).toBe("Plan Call Bob at 3pm skip done (code) a b quoted logo");
  });

  it("cuts a long reply and says so", () => {
    const spoken = speechText("word ".repeat(100), 20);
    expect(spoken.startsWith("word word word word")).toBe(true);
    expect(spoken).toMatch(/the rest is on the screen\)$/);
  });
});

describe("createSpeaker", () => {
  function fakes() {
    const spoken: UtteranceLike[] = [];
    const synthesis = { speak: vi.fn((u: UtteranceLike) => void spoken.push(u)), cancel: vi.fn() };
    class Utterance implements UtteranceLike {
      lang = "";
      onend: (() => void) | null = null;
      onerror: (() => void) | null = null;
      constructor(public text: string) {}
    }
    return { spoken, synthesis, speaker: createSpeaker(synthesis, Utterance) };
  }

  it("speaks one text at a time under its key, and stops", () => {
    const { spoken, synthesis, speaker } = fakes();
    const changes = vi.fn();
    speaker.subscribe(changes);

    speaker.speak("a_1", "First reply", "en-US");
    expect(speaker.speaking()).toBe("a_1");
    expect(spoken.map((u) => [u.text, u.lang])).toEqual([["First reply", "en-US"]]);

    speaker.speak("a_2", "Second reply", "en-US");
    expect(synthesis.cancel).toHaveBeenCalledTimes(2); // before each
    expect(speaker.speaking()).toBe("a_2");
    // The first utterance's end (after cancel) does not clear the second.
    spoken[0]!.onend?.();
    expect(speaker.speaking()).toBe("a_2");
    spoken[1]!.onend?.();
    expect(speaker.speaking()).toBeNull();

    speaker.speak("a_3", "Third", "en-US");
    speaker.stop();
    expect(speaker.speaking()).toBeNull();
    expect(changes).toHaveBeenCalled();
  });
});
