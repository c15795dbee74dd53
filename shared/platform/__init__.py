"""Platform building blocks shared by every feature (rate limiting, ...)."""
