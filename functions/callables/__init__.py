"""Callable functions (Firebase callable protocol): one per module, named after it."""
