"""Every param, secret and deployment constant, declared once.

Secrets are bound to the functions that read them (`secrets=[...]`) as objects, never by
name, and read with `.value` only while handling a request: a SecretParam a function does
not declare reads as an empty string in production.
"""

from firebase_functions import options
from firebase_functions.params import SecretParam, StringParam

REGION = "us-central1"  # also in firebase.json (Hosting rewrites) and hosting/src/firebase.ts
CONCURRENCY = 16  # must equal THREADS in .env
MEMORY = options.MemoryOption.MB_512
TIMEOUT_S = 60
MAX_INSTANCES = 20

OPENAI_API_KEY = SecretParam("OPENAI_API_KEY")
ANTHROPIC_API_KEY = SecretParam("ANTHROPIC_API_KEY")
AI_SECRETS = [OPENAI_API_KEY, ANTHROPIC_API_KEY]
# The key of the erasure receipt's pseudonymous subject (HMAC-SHA256 of the uid): bound to
# `eraseaccount` only. Locally, tools/stack.py gives it a fixed development value.
AUDIT_SUBJECT_KEY = SecretParam("AUDIT_SUBJECT_KEY")

# Model names per provider and tier (params, so an operator changes them without code).
OPENAI_FAST_MODEL = StringParam("OPENAI_FAST_MODEL", default="gpt-4o-mini")
OPENAI_STRONG_MODEL = StringParam("OPENAI_STRONG_MODEL", default="gpt-4o")
ANTHROPIC_FAST_MODEL = StringParam("ANTHROPIC_FAST_MODEL", default="claude-haiku-4-5")
ANTHROPIC_STRONG_MODEL = StringParam("ANTHROPIC_STRONG_MODEL", default="claude-sonnet-4-6")
# AI calls stream for up to a few minutes.
AI_TIMEOUT_S = 300
# A studio generation streams up to 16k tokens, then may stream a repair as long.
GENERATION_TIMEOUT_S = 900
# A data export streams the whole account (at most 200,000 documents) into Storage.
EXPORT_TIMEOUT_S = 1_800
