"""Which turns go into the prompt."""

from __future__ import annotations

from shared.chat.context import SYSTEM_PROMPT, Turn, build_context


def turns(*pairs: tuple[str, str]) -> list[Turn]:
    return [Turn(role, text) for role, text in pairs]


def test_everything_fits_in_order() -> None:
    context = build_context(
        turns(("user", "hi"), ("assistant", "hello"), ("user", "how are you")),
        budget_tokens=100,
        summary="ignored when nothing is dropped",
    )
    assert [m.role for m in context.messages] == ["user", "assistant", "user"]
    assert context.dropped == 0
    assert context.system == SYSTEM_PROMPT


def test_oldest_turns_drop_first_and_the_summary_stands_in() -> None:
    history = turns(("user", "a" * 400), ("assistant", "b" * 400), ("user", "c" * 40))
    context = build_context(history, budget_tokens=120, summary="they talked about a and b")

    assert [m.content[0] for m in context.messages] == ["c"]
    assert context.dropped == 2
    assert "they talked about a and b" in context.system


def test_the_newest_turn_is_kept_even_over_budget() -> None:
    context = build_context(turns(("user", "x" * 10_000)), budget_tokens=10, summary=None)
    assert len(context.messages) == 1


def test_window_starts_with_a_user_turn_and_merges_repeats() -> None:
    history = turns(
        ("assistant", "orphan reply"), ("user", "one"), ("user", "two"), ("assistant", "ok")
    )
    context = build_context(history, budget_tokens=1000, summary=None)
    assert [m.role for m in context.messages] == ["user", "assistant"]
    assert context.messages[0].content == "one\n\ntwo"
