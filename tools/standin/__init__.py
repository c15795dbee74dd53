"""A deterministic local stand-in for the OpenAI, Anthropic and Stripe HTTP APIs, for tests and dev.

The real SDKs are pointed at it by base URL (`python -m tools.standin --port 8790`, or
`serve_in_thread()` in tests). One module per idea:

- `server`: the provider endpoints, the `/_standin` control API, `create_app`, `main`
- `wire`: responses played out over time, with the cuts and malformed events faults ask for
- `faults`: how one response behaves (app defaults, then an armed fault, then
  `[[standin key=value]]` directives in the prompt)
- `state`: the armed faults and the request log
- `replies`: chat replies that read like an answer, cut or extended to the token count
- `schema`: structured output generated from a JSON schema
- `studio`: Aura Studio's artefacts (code, OpenAPI, React UI, CLI) in the studio's output
  protocol, broken on request (`[[standin studio=<mode>]]`) for the gate and repair round
- `text`: whitespace, the token rule and the input estimate
- `stripe`: the Stripe API calls billing makes, the checkout and portal pages, and
  signed webhook events sent to the emulated `stripe_webhook` (under `/stripe` and
  `/_standin/stripe`)
- `mail`: an SMTP server (aiosmtpd, `--mail-port`) that keeps what the functions send,
  read and faulted through `/_standin/mail`
- `embeddings`, `errors`: WordLlama vectors computed offline (hash vectors only if it
  cannot load); the error bodies each provider sends
"""

from tools.standin.embeddings import embedding_vector
from tools.standin.errors import StandinRequestError
from tools.standin.faults import Behaviour, parse_directives, parse_settings
from tools.standin.replies import DEFAULT_TOKENS, answer_tokens, read_prompt
from tools.standin.schema import generate_from_schema
from tools.standin.server import create_app, main, serve_in_thread
from tools.standin.state import StandinState
from tools.standin.text import estimate_tokens, normalize, split_tokens

__all__ = [
    "DEFAULT_TOKENS",
    "Behaviour",
    "StandinRequestError",
    "StandinState",
    "answer_tokens",
    "create_app",
    "embedding_vector",
    "estimate_tokens",
    "generate_from_schema",
    "main",
    "normalize",
    "parse_directives",
    "parse_settings",
    "read_prompt",
    "serve_in_thread",
    "split_tokens",
]
