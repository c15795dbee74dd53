"""Pub/Sub topics Aura needs; `infra/` creates them in production, the stack locally."""

EVENTS_TOPIC = "aura-events"
EVENTS_DEAD_LETTER_TOPIC = "aura-events-dead-letter"

TOPICS: tuple[str, ...] = (EVENTS_TOPIC, EVENTS_DEAD_LETTER_TOPIC)
