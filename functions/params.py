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

# Email delivery (docs/platform.md "Email"). The key that signs unsubscribe links
# (HMAC-SHA256 over uid and kind): bound to `on_notification_created`, which writes the
# links, and `unsubscribe`, which checks them. Locally, tools/stack.py gives it a fixed
# development value, as it does AUDIT_SUBJECT_KEY.
EMAIL_LINK_KEY = SecretParam("EMAIL_LINK_KEY")
# The SMTP relay's password: bound to `sendemail` only. Empty with an empty username
# means no AUTH (the local capture server).
SMTP_PASSWORD = SecretParam("SMTP_PASSWORD")
SMTP_HOST = StringParam("SMTP_HOST", default="smtp.example.com")
SMTP_PORT = StringParam("SMTP_PORT", default="587")
SMTP_USERNAME = StringParam("SMTP_USERNAME", default="")
# "starttls" (port 587), "ssl" (implicit TLS, port 465); "none" only in the emulator.
SMTP_SECURITY = StringParam("SMTP_SECURITY", default="starttls")
EMAIL_FROM = StringParam("EMAIL_FROM", default="Aura <no-reply@example.com>")
# Where links in emails point (the web app's origin, which also serves /email/unsubscribe
# through a Hosting rewrite). Empty: https://{project}.web.app.
APP_ORIGIN = StringParam("APP_ORIGIN", default="")

# Billing through Stripe (shared/billing): the API key and the webhook signing secret are
# bound to start_checkout, open_billing_portal, stripe_webhook and eraseaccount (which
# deletes an erased user's Stripe customer) only; the price is the
# pro plan's recurring Price id (`price_...`: set it in .env before deploying; the default
# is the stand-in's, which Stripe refuses). Locally, tools/stack.py gives the secrets
# development values and points the SDK at the stand-in (AURA_STRIPE_BASE_URL).
STRIPE_SECRET_KEY = SecretParam("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = SecretParam("STRIPE_WEBHOOK_SECRET")
STRIPE_SECRETS = [STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET]
STRIPE_PRO_PRICE = StringParam("STRIPE_PRO_PRICE", default="price_aura_pro")

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
