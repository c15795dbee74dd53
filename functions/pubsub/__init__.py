"""Pub/Sub-triggered functions: one per module, named after it."""
