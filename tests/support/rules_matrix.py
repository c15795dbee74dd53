"""Counts the security-rules cases that ran, for the terminal summary."""

ran = 0


def record(count: int) -> None:
    global ran  # noqa: PLW0603 - a per-session tally read by the terminal summary
    ran += count
