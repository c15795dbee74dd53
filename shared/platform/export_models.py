"""Data export's wire and task models: `export_my_data`'s command and result, the task
payload of `runexport`, and the export document's statuses (docs/platform.md "Data
export")."""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.ids import DocId
from shared.validation import Command, Public

ExportStatus = Literal["queued", "running", "done", "failed", "expired"]
LIVE_STATUSES: Final = ("queued", "running")  # at most one such export per user
FINAL_STATUSES: Final = ("done", "failed", "expired")


class ExportMyData(Command):
    """`export_my_data` input: nothing (`{}`); any field is refused."""


class ExportMyDataResult(Public):
    """`export_my_data` output: the export to follow (`users/{uid}/exports/{exportId}`).

    A call while an export is queued or running answers that one."""

    export_id: str
    status: ExportStatus


class ExportTask(BaseModel):
    """The Cloud Tasks payload of `runexport`: ids only."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    uid: str = Field(min_length=1, max_length=128)
    export_id: DocId = Field(alias="exportId")
