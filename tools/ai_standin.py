"""The stand-in's first home: `python -m tools.ai_standin` and its imports still work.

The stand-in is the `tools.standin` package; this module only re-exports it.
"""

from tools.standin import (
    DEFAULT_TOKENS,
    Behaviour,
    StandinRequestError,
    StandinState,
    answer_tokens,
    create_app,
    embedding_vector,
    estimate_tokens,
    generate_from_schema,
    main,
    normalize,
    parse_directives,
    parse_settings,
    read_prompt,
    serve_in_thread,
    split_tokens,
)

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

if __name__ == "__main__":
    raise SystemExit(main())
