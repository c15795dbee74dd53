"""The AI gateway: one interface over OpenAI and Anthropic (routing, fallback, cache,
metering, quotas, structured output)."""
