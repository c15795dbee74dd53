"""The domain event bus: a CloudEvents-style envelope on Pub/Sub topic `aura-events`."""
