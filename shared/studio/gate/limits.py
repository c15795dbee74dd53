"""The gate's limits: one place, listed in docs/security.md and docs/studio.md."""

from __future__ import annotations

from typing import Final

MAX_FILES: Final = 20
MAX_FILE_BYTES: Final = 200_000
MAX_TOTAL_BYTES: Final = 800_000
MAX_ERRORS: Final = 50
MAX_PATH_CHARS: Final = 200
# A parsed YAML/JSON document with more nodes than this is refused rather than walked.
MAX_DOCUMENT_NODES: Final = 100_000
