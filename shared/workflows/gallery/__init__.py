"""Ready workflows a person can start from (the editor's gallery).

Each `*.json` file here is a definition exactly as `save_workflow` accepts it (no `id`:
saving one creates a new workflow; `status` left at draft, so a schedule arms only once
the user activates it), with canvas positions. Its file name is the template's id.
`tools/export_wire_schemas.py` writes them all to `hosting/src/wire/gallery.json`;
tests/unit/test_wf_gallery.py checks each against `SaveWorkflow` and `check_workflow`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared.validation import Public
from shared.workflows.models import SaveWorkflow

FOLDER = Path(__file__).resolve().parent


class GalleryTemplate(Public):
    """One gallery entry: its id (the file name), what the card shows, the definition."""

    id: str
    name: str
    description: str
    definition: dict[str, Any]


def templates() -> list[GalleryTemplate]:
    """Every template, by file name; each definition parsed by `SaveWorkflow` (a bad file
    raises pydantic's ValidationError naming the field)."""
    found = []
    for path in sorted(FOLDER.glob("*.json")):
        definition = json.loads(path.read_text(encoding="utf-8"))
        parsed = SaveWorkflow.model_validate(definition)
        found.append(
            GalleryTemplate(
                id=path.stem,
                name=parsed.name,
                description=parsed.description,
                definition=definition,
            )
        )
    return found
