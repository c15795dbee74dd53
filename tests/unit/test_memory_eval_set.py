"""The memory retrieval evaluation set: its shape, that its questions paraphrase rather
than copy the facts, and what the shipped embeddings (the stand-in's WordLlama vectors,
computed in-process exactly as the local stack serves them) achieve on it: recall@3 by
plain cosine similarity, and recall@3 and unanswerable precision at
`DEFAULT_DISTANCE_THRESHOLD`. Run with `-s` to see the threshold table."""

from __future__ import annotations

import re
import sys
from collections import Counter

import pytest

from shared.memory.models import DEFAULT_DISTANCE_THRESHOLD
from tests.support import memory_eval as ev
from tools.standin import embeddings

MIN_FACTS, MIN_QUESTIONS, MIN_UNANSWERABLE = 45, 70, 20
TARGET_RECALL = 0.8  # issue 11
MIN_UNANSWERABLE_PRECISION = 0.5  # "nothing returned for most unanswerable questions"

SET = ev.load()
STOP = frozenset(
    [
        "i",
        "i'm",
        "my",
        "me",
        "we",
        "our",
        "us",
        "you",
        "your",
        "a",
        "an",
        "the",
        "is",
        "are",
        "am",
        "do",
        "does",
        "did",
        "have",
        "has",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "and",
        "or",
        "but",
        "with",
        "what",
        "which",
        "who",
        "when",
        "where",
        "how",
        "why",
        "there",
        "any",
        "can",
        "could",
        "should",
        "be",
        "it",
        "its",
        "this",
        "that",
        "from",
        "as",
        "by",
        "so",
        "all",
        "still",
        "about",
        "each",
        "every",
    ]
)


def report(text: str) -> None:
    """Figures worth reading (`pytest -s` shows them; a failure's message repeats them)."""
    sys.stdout.write(text + "\n")


def content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z']+", text.lower()) if w not in STOP and len(w) > 2}


# --- shape -------------------------------------------------------------------------------


def test_counts_meet_the_minimums() -> None:
    assert len(SET.facts) >= MIN_FACTS
    assert len(SET.questions) >= MIN_QUESTIONS
    assert len(SET.unanswerable) >= MIN_UNANSWERABLE
    assert SET.about.strip()


def test_ids_are_unique_and_every_answer_exists() -> None:
    ids = [f.id for f in SET.facts] + [q.id for q in (*SET.questions, *SET.unanswerable)]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    facts = {f.id for f in SET.facts}
    for question in SET.questions:
        assert question.answers, question.id
        assert set(question.answers) <= facts, question.id
    assert all(not q.answers for q in SET.unanswerable)


def test_texts_are_distinct_and_nonempty() -> None:
    every = [f.text for f in SET.facts] + [q.text for q in (*SET.questions, *SET.unanswerable)]
    texts = [text.strip().lower() for text in every]
    assert all(texts)
    assert [t for t, n in Counter(texts).items() if n > 1] == []


def test_questions_paraphrase_rather_than_copy_their_facts() -> None:
    """A guard against "fixing" recall by copying keywords into the questions: no
    question shares more than two content words with its answers, and most share none."""
    facts = {f.id: f.text for f in SET.facts}
    shared = {
        q.id: set().union(*(content_words(q.text) & content_words(facts[a]) for a in q.answers))
        for q in SET.questions
    }
    assert {qid: words for qid, words in shared.items() if len(words) > 2} == {}
    assert sum(1 for words in shared.values() if not words) / len(shared) >= 0.6


# --- what the shipped embeddings achieve -------------------------------------------------


@pytest.fixture(scope="module")
def rankings() -> tuple[list[ev.Ranking], list[ev.Ranking]]:
    assert embeddings.semantic(), "WordLlama did not load: the vectors would be hashes"
    fact_vectors = embeddings.embed_texts([f.text for f in SET.facts])
    facts = {f.id: v for f, v in zip(SET.facts, fact_vectors, strict=True)}
    asked = embeddings.embed_texts([q.text for q in SET.questions])
    nothing = embeddings.embed_texts([q.text for q in SET.unanswerable])
    return [ev.rank(v, facts) for v in asked], [ev.rank(v, facts) for v in nothing]


def test_recall_at_3_by_plain_cosine_similarity(
    rankings: tuple[list[ev.Ranking], list[ev.Ranking]],
) -> None:
    asked, _ = rankings
    recall = ev.recall_at_k(SET.questions, asked)
    report(f"\nrecall@3, no threshold: {recall:.3f}")
    report("\n".join(ev.misses(SET.questions, asked)))
    assert recall >= TARGET_RECALL, "\n".join(ev.misses(SET.questions, asked))


def test_the_default_threshold(rankings: tuple[list[ev.Ranking], list[ev.Ranking]]) -> None:
    asked, nothing = rankings
    threshold = DEFAULT_DISTANCE_THRESHOLD
    recall = ev.recall_at_k(SET.questions, asked, threshold)
    precision = ev.unanswerable_precision(nothing, threshold)
    chosen = ev.choose_threshold(SET.questions, asked, nothing)
    summary = (
        f"\n{ev.table(SET.questions, asked, nothing, mark=threshold)}\n"
        f"DEFAULT_DISTANCE_THRESHOLD {threshold}: recall@3 {recall:.3f}, unanswerable "
        f"precision {precision:.3f}; the tuning rule picks {chosen} on this set"
    )
    report(summary)
    assert recall >= TARGET_RECALL, summary
    assert precision > MIN_UNANSWERABLE_PRECISION, summary


def test_a_threshold_tuned_on_half_the_set_holds_on_the_other_half(
    rankings: tuple[list[ev.Ranking], list[ev.Ranking]],
) -> None:
    """Two-fold check that the tuning rule does not merely fit this set: tune on the
    questions of odd-numbered facts (and odd unanswerables), measure on the rest, and
    the other way round. Reported; asserted only loosely (halves are small)."""
    asked, nothing = rankings

    def half(parity: int) -> tuple[list[ev.Question], list[ev.Ranking], list[ev.Ranking]]:
        qs = [
            (q, r)
            for q, r in zip(SET.questions, asked, strict=True)
            if int(q.answers[0][1:]) % 2 == parity
        ]
        us = [r for i, r in enumerate(nothing) if i % 2 == parity]
        return [q for q, _ in qs], [r for _, r in qs], us

    lines = []
    for tune, test in ((1, 0), (0, 1)):
        tq, tr, tu = half(tune)
        hq, hr, hu = half(test)
        chosen = ev.choose_threshold(tq, tr, tu)
        recall = ev.recall_at_k(hq, hr, chosen)
        precision = ev.unanswerable_precision(hu, chosen)
        lines.append(
            f"tuned on half {tune}: threshold {chosen}; held-out recall@3 {recall:.3f}, "
            f"unanswerable precision {precision:.3f}"
        )
        assert recall >= 0.6, lines[-1]
        assert precision >= 0.4, lines[-1]
    report("\n" + "\n".join(lines))
