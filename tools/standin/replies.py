"""Chat replies that read like an answer: Markdown shaped by the prompt, cut to a token count.

A reply is, in order: the echo ("Aura stand-in reply to: <prompt>.") and a sentence on the
prompt's words; a Markdown table when the prompt asks for one ("table", "compare", "vs");
a fenced code block when it asks for code ("code", "function", "script", or a language
such as Python or TypeScript); a numbered or bulleted list of three to five points. Every
choice is drawn from the hash of the prompt, so one prompt always gets one reply. The echo
stays first so tests, and anyone reading a reply in `make dev`, can tell it is the stand-in.

The token count is the caller's, exactly as before: a reply longer than `count` tokens is
cut there (mid-sentence, as a length limit cuts a real model), a shorter one goes on in
paragraphs of prose that end on a whole sentence at exactly `count` tokens.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from tools.standin.text import hash_stream, normalize, pick, sample, split_tokens

DEFAULT_TOKENS = 24
ECHO_CHARS = 120
TOPIC_WORDS = 6
PHRASE_CHARS = 60
NAME_CHARS = 20
SENTENCES_PER_PARAGRAPH = 3

Draw = Callable[[], int]

TABLE_RE = re.compile(r"\b(?:tables?|tabular|compar(?:e|es|ed|ing|ison)|versus|vs)\b", re.I)
CODE_RE = re.compile(r"\b(?:code|coding|functions?|scripts?|snippets?)\b", re.I)
TABLE_TAIL_RE = re.compile(r"\s+(?:in|as|into|with)\s+(?:a\s+)?(?:markdown\s+)?table\b.*$", re.I)
ALTERNATIVES_RE = re.compile(r",|\b(?:and|or|vs\.?|versus)\b", re.I)
WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9+#'-]*")


# --- reading the prompt ------------------------------------------------------------------

POLITE = {"please", "pls", "kindly", "hi", "hello", "hey", "ok", "okay", "so"}
MODALS = {"can", "could", "would", "will"}
REQUEST_VERBS = {
    "tell", "show", "give", "write", "explain", "describe", "summarise", "summarize",
    "list", "make", "create", "draft", "compare", "suggest", "recommend", "plan", "help",
    "draw", "build", "generate", "find", "outline", "share", "teach", "put",
}  # fmt: skip
OBJECTS = {"me", "us"}
LINKS = {"about", "with", "on", "of"}
QUESTION_WORDS = {"what", "how", "why", "when", "where", "which", "who", "whose"}
DO_AUX = {"do", "does", "did"}
PRONOUNS = {"i", "you", "we", "they", "he", "she", "it"}
AUXILIARIES = DO_AUX | MODALS | {"should", "is", "are", "was", "were", "has", "have"}
SWAPS = {
    "my": "your", "me": "you", "i": "you", "our": "your", "us": "you", "mine": "yours",
    "myself": "yourself", "i'm": "you're", "i've": "you've", "am": "are", "you": "I",
    "your": "my", "yours": "mine", "yourself": "myself", "you're": "I'm",
}  # fmt: skip
PREPOSITIONS = {"about", "for", "to", "with", "at", "of", "on", "from", "by", "than"}
FUNCTION_WORDS = {
    "a", "an", "the", "and", "or", "but", "of", "in", "on", "for", "to", "with", "about",
    "at", "by", "from", "into", "as", "that", "this", "these", "those", "is", "are", "was",
    "were", "be", "it", "its", "my", "your", "our", "their", "some", "any", "all", "what",
    "how", "why", "when", "where", "which", "who", "do", "does", "did", "should", "can",
    "could", "would", "will", "you", "me", "i", "we", "us", "they", "so", "if", "then",
    "than", "more", "most", "very", "just", "also", "there", "here", "please", "one",
    "whether",
}  # fmt: skip
# Words a cut-off phrase must not end on.
DANGLING = {
    "a", "an", "the", "and", "or", "but", "of", "in", "on", "for", "to", "with", "about",
    "at", "by", "from", "into", "as", "that", "my", "your", "our", "their", "its", "some",
    "any", "than", "if",
}  # fmt: skip
ASK_WORDS = {
    "table", "tables", "tabular", "compare", "comparison", "versus", "vs", "code",
    "coding", "function", "functions", "script", "scripts", "snippet", "snippets",
    "example", "write", "show", "give", "make", "tell", "explain",
}  # fmt: skip


@dataclass(frozen=True)
class Language:
    """A language a code block can be in, and how the prompt names it."""

    fence: str
    name: str
    pattern: re.Pattern[str]
    # Whether naming it asks for code; "go" or "rust" alone may well not.
    asks_for_code: bool
    template: str


@dataclass(frozen=True)
class Ask:
    """What a prompt asks for, as far as the stand-in reads it."""

    prompt: str
    phrase: str  # the prompt's subject, told back: "your week in the garden"
    question: bool
    names: tuple[str, ...]  # content words, for identifiers
    options: tuple[str, ...]  # what a comparison compares
    table: bool
    language: Language | None  # set when the prompt asks for code


def _bare(word: str) -> str:
    return word.strip(".,;:!?\"'()[]{}").lower()


def _strip_request(words: list[str]) -> tuple[list[str], bool]:
    """Drop the request around the subject: "Can you please tell me about" tides. Also
    says whether the subject followed a preposition ("about you" is "about me")."""
    while words and _bare(words[0]) in POLITE:
        words.pop(0)
    if len(words) > 1 and _bare(words[0]) in MODALS and _bare(words[1]) == "you":
        del words[:2]
        while words and _bare(words[0]) in POLITE:
            words.pop(0)
    if words and _bare(words[0]) in REQUEST_VERBS:
        words.pop(0)
        if words and _bare(words[0]) in OBJECTS:
            words.pop(0)
        if words and _bare(words[0]) in LINKS:
            words.pop(0)
            return words, True
    return words, False


def _embed_question(words: list[str]) -> list[str]:
    """A question as a clause, where a simple rule can tell: "how do tides work" -> "how
    tides work", "what should I cook" -> "what I should cook", "is it safe" -> "whether it
    is safe". Others read as asked ("what is a monad"), or become "your question"."""
    yes_no = _bare(words[0]) in AUXILIARIES
    if yes_no:
        words = ["whether", *words]
    if len(words) < 3 or _bare(words[0]) not in QUESTION_WORDS | {"whether"}:
        return words
    aux, subject = _bare(words[1]), _bare(words[2])
    if aux in DO_AUX and (subject in PRONOUNS or _bare(words[0]) in {"how", "why", "whether"}):
        return [words[0], *words[2:]]
    if aux in AUXILIARIES and subject in PRONOUNS:
        return [words[0], words[2], words[1].lower(), *words[3:]]
    return ["that", "question"] if yes_no else words


def _swap_persons(words: list[str], *, object_first: bool = False) -> list[str]:
    """Speak to the user: "my week" -> "your week", "what can you do" -> "what I can do"."""
    swapped: list[str] = []
    for index, word in enumerate(words):
        bare = _bare(word)
        new = SWAPS.get(bare, word)
        after_preposition = _bare(words[index - 1]) in PREPOSITIONS if index else object_first
        if bare == "you" and after_preposition:
            new = "me"
        elif bare == "are" and index and _bare(words[index - 1]) == "you":
            new = "am"
        swapped.append(new)
    return swapped


def _topic_phrase(prompt: str) -> tuple[str, bool]:
    """The prompt's subject as a phrase that reads after "a few points on", and whether
    the prompt is a question. "Tell me about tides" gives "tides"; "Summarise my week"
    gives "your week"; "How do tides work?" gives "how tides work"."""
    words: list[str] = []
    sentence = ""
    linked = False
    for sentence in re.split(r"(?<=[.?!])\s", prompt):  # the first one past any greeting
        words, linked = _strip_request(TABLE_TAIL_RE.sub("", sentence.rstrip(".?!")).split())
        if words:
            break
    question = sentence.endswith("?") or bool(words and _bare(words[0]) in QUESTION_WORDS)
    if question:
        words = _embed_question(words)
    words = _swap_persons(words, object_first=linked)[:TOPIC_WORDS]
    while words and _bare(words[-1]) in DANGLING:
        words.pop()
    if not words:
        return "this", question
    if words[0][:1].isupper() and _bare(words[0]) in FUNCTION_WORDS | QUESTION_WORDS:
        words[0] = words[0][:1].lower() + words[0][1:]
    phrase = " ".join(words).rstrip(".,;:!?")
    if len(phrase) > PHRASE_CHARS:
        phrase = phrase[:PHRASE_CHARS].rstrip() + "…"
    return phrase, question


def _options(phrase: str) -> tuple[str, ...]:
    """What a comparison compares: the first content word of each of "a, b and c"."""
    parts = ALTERNATIVES_RE.split(phrase)
    if len(parts) < 2:
        return ()
    found: list[str] = []
    for part in parts:
        for word in WORD_RE.findall(part):
            if _bare(word) not in FUNCTION_WORDS | ASK_WORDS:
                name = word[:1].upper() + word[1:]
                if name.lower() not in {f.lower() for f in found}:
                    found.append(name)
                break
    return tuple(found[:4]) if len(found) >= 2 else ()


def _language(prompt: str, code_words: bool) -> Language | None:
    matches = [(m.start(), lang) for lang in LANGUAGES if (m := lang.pattern.search(prompt))]
    asked = code_words or any(lang.asks_for_code for _, lang in matches)
    if not asked:
        return None
    return min(matches, key=lambda hit: hit[0])[1] if matches else LANGUAGES[0]


def read_prompt(prompt: str) -> Ask:
    """What `prompt` (normalised, directives removed) asks for."""
    phrase, question = _topic_phrase(prompt)
    language = _language(prompt, bool(CODE_RE.search(prompt)))
    language_words = {_bare(w) for lang in LANGUAGES for w in WORD_RE.findall(lang.name)}
    names = tuple(
        dict.fromkeys(
            word.lower()
            for word in WORD_RE.findall(phrase)
            if _bare(word) not in FUNCTION_WORDS | ASK_WORDS | language_words
            and word.isascii()
            and 2 < len(word) <= NAME_CHARS
        )
    )
    return Ask(
        prompt=prompt,
        phrase=phrase,
        question=question,
        names=names,
        options=_options(phrase),
        table=bool(TABLE_RE.search(prompt)),
        language=language,
    )


# --- the parts of a reply ----------------------------------------------------------------

INTROS = (
    "A few points on {phrase}:",
    "Some thoughts on {phrase}:",
    "Here is a short take on {phrase}:",
    "What matters most for {phrase}:",
)
QUESTION_INTROS = (
    "In short, on {phrase}:",
    "Good question. Briefly, on {phrase}:",
    "A short answer on {phrase}:",
)
TABLE_INTROS = (
    "Here is a side-by-side look at {phrase}:",
    "A quick comparison for {phrase}:",
)
CODE_INTROS = (
    "Here is a {language} sketch for {phrase}:",
    "A small {language} example for {phrase}:",
)
CODE_INTROS_NAMED = ("Here is a sketch for {phrase}:", "A small example for {phrase}:")
LIST_LEADS = ("A few notes:", "Some things to keep in mind:", "Points worth noting:")

POINTS = (
    "**Start small.** Pick the simplest part and get it working first.",
    "**Be specific.** A concrete goal is easier to check than a vague one.",
    "**Check the basics.** Most surprises come from an assumption nobody wrote down.",
    "**Keep notes.** A short record makes the next step easy to pick up.",
    "**Compare options.** Two or three alternatives side by side show the trade-offs.",
    "**Mind the time.** Set a limit, then review what you learned.",
    "**Ask for feedback.** A second pair of eyes catches what you missed.",
    "**Look for patterns.** What happened more than once is worth a closer look.",
    "**Plan the next step.** End each session knowing what comes after it.",
    "**Keep it simple.** The plainest approach that works is usually the best one.",
)
CODE_POINTS = (
    "**Name it well.** Rename the function to say what it does for you.",
    "**Test the edges.** Try an empty input, one item and many items.",
    "**Keep it pure.** A function without side effects is easy to test and reuse.",
    "**Handle bad input.** Decide what should happen with missing or malformed values.",
    "**Measure first.** Optimise only after a profile shows where the time goes.",
    "**Document intent.** A one-line docstring saves the next reader a guess.",
)

TABLE_HEADER = ("Option", "Good for", "Trade-off", "Effort")
GOOD_FOR = (
    "Getting started quickly",
    "Small, focused tasks",
    "Long-term projects",
    "Teams that need structure",
    "Quick experiments",
    "Everyday use",
)
TRADE_OFFS = (
    "Takes time to learn",
    "Less flexible later",
    "More setup up front",
    "Fewer ready-made tools",
    "Harder to change course",
    "Costs more to run",
)
EFFORT = ("Low", "Medium", "High")

LEADS = ("In practice", "Over time", "As a rule", "On a first pass", "Either way", "For now")
MAINS = (
    "it helps to revisit this after a day or two",
    "write down what you expect before you try it",
    "most of the value comes from the first few changes",
    "keep what works and drop what does not",
    "a short checklist makes the routine easy to repeat",
    "choose the option that is easier to undo",
    "share the result early, since feedback is cheaper than rework",
    "good notes turn a one-off success into a habit",
    "review it once more before you call it done",
    "momentum matters more than detail at this stage",
    "the simplest version is usually the one that lasts",
    "a clear next step is worth more than a perfect plan",
    "it is fine to change course once you learn more",
    "the hard part is usually deciding what to leave out",
    "a quick sketch on paper can save an hour of rework",
    "consistency beats intensity over a few weeks",
)
SHORT_MAIN = "small, regular steps beat one big push"  # 7 words: fits after any closer
# CLOSERS[n - 1] has exactly n words; a reply's prose ends on one of them.
CLOSERS = (
    "Done.",
    "That's all.",
    "Hope this helps.",
    "I hope this helps.",
    "That covers the main points.",
    "Let me know what you think.",
)

LANGUAGES = (
    Language(
        "python",
        "Python",
        re.compile(r"\bpython\b", re.I),
        True,
        "def {snake}(items: list[str]) -> dict[str, int]:\n"
        '    """Count how often each item appears."""\n'
        "    counts: dict[str, int] = {{}}\n"
        "    for item in items:\n"
        "        counts[item] = counts.get(item, 0) + 1\n"
        "    return counts",
    ),
    Language(
        "typescript",
        "TypeScript",
        re.compile(r"\b(?:typescript|ts)\b", re.I),
        True,
        "export function {camel}(items: string[]): Map<string, number> {{\n"
        "  const counts = new Map<string, number>();\n"
        "  for (const item of items) {{\n"
        "    counts.set(item, (counts.get(item) ?? 0) + 1);\n"
        "  }}\n"
        "  return counts;\n"
        "}}",
    ),
    Language(
        "javascript",
        "JavaScript",
        re.compile(r"\b(?:javascript|js|node(?:\.js)?)\b", re.I),
        True,
        "function {camel}(items) {{\n"
        "  const counts = new Map();\n"
        "  for (const item of items) {{\n"
        "    counts.set(item, (counts.get(item) ?? 0) + 1);\n"
        "  }}\n"
        "  return counts;\n"
        "}}",
    ),
    Language(
        "go",
        "Go",
        re.compile(r"\b(?:[Gg]olang|Go)\b"),
        False,
        "func {pascal}(items []string) map[string]int {{\n"
        "\tcounts := make(map[string]int)\n"
        "\tfor _, item := range items {{\n"
        "\t\tcounts[item]++\n"
        "\t}}\n"
        "\treturn counts\n"
        "}}",
    ),
    Language(
        "rust",
        "Rust",
        re.compile(r"\bRust\b"),
        False,
        "use std::collections::HashMap;\n\n"
        "fn {snake}(items: &[&str]) -> HashMap<String, usize> {{\n"
        "    let mut counts = HashMap::new();\n"
        "    for item in items {{\n"
        "        *counts.entry(item.to_string()).or_insert(0) += 1;\n"
        "    }}\n"
        "    counts\n"
        "}}",
    ),
    Language(
        "java",
        "Java",
        re.compile(r"\b(?:Java|JAVA)\b"),
        False,
        "static Map<String, Integer> {camel}(List<String> items) {{\n"
        "    Map<String, Integer> counts = new HashMap<>();\n"
        "    for (String item : items) {{\n"
        "        counts.merge(item, 1, Integer::sum);\n"
        "    }}\n"
        "    return counts;\n"
        "}}",
    ),
    Language(
        "bash",
        "Bash",
        re.compile(r"\b(?:[Bb]ash|Shell|shell script)\b"),
        False,
        '{snake}() {{\n  sort "$1" | uniq -c | sort -rn\n}}',
    ),
    Language(
        "sql",
        "SQL",
        re.compile(r"\bsql\b", re.I),
        True,
        "SELECT item, COUNT(*) AS times\nFROM {snake}\nGROUP BY item\nORDER BY times DESC;",
    ),
)


def _echo(prompt: str) -> str:
    echoed = prompt[:ECHO_CHARS].rstrip()
    ending = "" if echoed.endswith((".", "?", "!")) else "."
    return f"Aura stand-in reply to: {echoed}{ending}"


def _table(ask: Ask, draw: Draw) -> str:
    options = list(ask.options) or [f"Option {letter}" for letter in "ABC"]
    good = sample(draw, GOOD_FOR, len(options))
    trade_offs = sample(draw, TRADE_OFFS, len(options))
    rows = [(name, good[i], trade_offs[i], pick(draw, EFFORT)) for i, name in enumerate(options)]
    lines = [TABLE_HEADER, tuple("---" for _ in TABLE_HEADER), *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def _code(ask: Ask, language: Language) -> str:
    words = list(ask.names[:2]) or ["count", "items"]
    words = [re.sub(r"\W", "", w) or "item" for w in words]
    snake = "_".join(words)
    camel = words[0] + "".join(w.capitalize() for w in words[1:])
    pascal = "".join(w.capitalize() for w in words)
    body = language.template.format(snake=snake, camel=camel, pascal=pascal)
    return f"```{language.fence}\n{body}\n```"


def _points(ask: Ask, draw: Draw) -> str:
    bank = CODE_POINTS if ask.language is not None else POINTS
    chosen = sample(draw, bank, 3 + draw() % 3)
    numbered = draw() % 2 == 0
    return "\n".join(
        f"{i}. {point}" if numbered else f"- {point}" for i, point in enumerate(chosen, 1)
    )


def compose(ask: Ask, draw: Draw) -> str:
    """The reply's body, before it is cut or extended to a token count."""
    intros = QUESTION_INTROS if ask.question else INTROS
    blocks: list[str] = []
    if ask.table:
        blocks += [pick(draw, TABLE_INTROS).format(phrase=ask.phrase), _table(ask, draw)]
    if ask.language is not None:
        if ask.table:
            blocks.append(f"And a short {ask.language.name} sketch:")
        else:
            named = ask.language.pattern.search(ask.phrase) is not None
            intro = pick(draw, CODE_INTROS_NAMED if named else CODE_INTROS)
            blocks.append(intro.format(language=ask.language.name, phrase=ask.phrase))
        blocks.append(_code(ask, ask.language))
    if blocks:
        blocks.append(pick(draw, LIST_LEADS))
    else:
        blocks.append(pick(draw, intros).format(phrase=ask.phrase))
    blocks.append(_points(ask, draw))
    # The echo and the first sentence share a paragraph: the reply opens on the prompt.
    return "\n\n".join([f"{_echo(ask.prompt)} {blocks[0]}", *blocks[1:]])


class _Prose:
    """Sentences of prose: each main clause once before any repeats, some with a lead."""

    def __init__(self, draw: Draw) -> None:
        self.draw = draw
        self.deck: list[str] = []
        self.last = ""

    def _main(self) -> str:
        if not self.deck:
            self.deck = sample(self.draw, MAINS, len(MAINS))
            if self.deck[-1] == self.last:  # no clause twice in a row across decks
                self.deck.insert(0, self.deck.pop())
        self.last = self.deck.pop()
        return self.last

    def sentence(self, limit: int) -> list[str]:
        """One sentence of at most `limit` words (`limit` > len(CLOSERS))."""
        main = self._main()
        lead = pick(self.draw, LEADS) if self.draw() % 3 == 0 else None
        for text in (f"{lead}, {main}" if lead else main, main, SHORT_MAIN):
            words = f"{text[:1].upper()}{text[1:]}.".split()
            if len(words) <= limit:
                break
        return words


def prose_tokens(draw: Draw, count: int) -> list[str]:
    """Exactly `count` tokens of prose in paragraphs, ending on a whole sentence."""
    prose = _Prose(draw)
    sentences: list[list[str]] = []
    remaining = count
    while remaining > 0:
        if remaining <= len(CLOSERS):
            sentence = CLOSERS[remaining - 1].split()
        else:
            sentence = prose.sentence(remaining)
        sentences.append(sentence)
        remaining -= len(sentence)
    tokens: list[str] = []
    for index, sentence in enumerate(sentences, 1):
        tokens += [f"{word} " for word in sentence]
        if index % SENTENCES_PER_PARAGRAPH == 0:
            tokens[-1] = tokens[-1].rstrip() + "\n\n"
    return tokens


def answer_tokens(prompt: str, count: int = DEFAULT_TOKENS) -> list[str]:
    """The reply to `prompt` as exactly `count` tokens (see `split_tokens`); the last
    token carries no trailing whitespace."""
    prompt = normalize(prompt)
    draw = hash_stream(f"reply:{prompt}")
    tokens = split_tokens(compose(read_prompt(prompt), draw))
    if len(tokens) < count:
        tokens[-1] = tokens[-1].rstrip() + "\n\n"
        tokens += prose_tokens(draw, count - len(tokens))
    tokens = tokens[:count]
    tokens[-1] = tokens[-1].rstrip()
    return tokens
