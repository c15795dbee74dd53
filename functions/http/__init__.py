"""Plain HTTPS functions: one per module, named after it."""
