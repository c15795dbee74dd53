"""The workflow editor's form schemas (`workflow-forms.json`): one per node type and
trigger, from the pydantic models, each self-contained for the precompiled validators."""

from __future__ import annotations

import json
from typing import Any

from shared.workflows.gallery import templates
from shared.workflows.models import NODE_TYPES, TRIGGER_TYPES, AiConfig
from tools.export_wire_schemas import forms_schema, gallery


def refs(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["$ref"]] if isinstance(value.get("$ref"), str) else []
        return found + [ref for item in value.values() for ref in refs(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in refs(item)]
    return []


def test_every_node_type_and_trigger_has_a_form() -> None:
    forms = forms_schema()
    assert set(forms["nodes"]) == set(NODE_TYPES)
    assert set(forms["triggers"]) == set(TRIGGER_TYPES)
    assert forms["definition"]["title"] == "Definition"
    assert forms["nodes"]["ai"]["title"] == AiConfig.__name__


def test_each_schema_resolves_within_itself() -> None:
    forms = forms_schema()
    schemas = [
        *forms["nodes"].values(),
        *forms["triggers"].values(),
        forms["nodeBase"],
        forms["definition"],
    ]
    for schema in schemas:
        for ref in refs(schema):
            assert ref.startswith("#/$defs/"), ref
            assert ref.removeprefix("#/$defs/") in schema.get("$defs", {}), ref


def test_fields_are_camel_case_with_readable_titles() -> None:
    http = forms_schema()["nodes"]["http"]["properties"]
    assert http["timeoutSeconds"]["title"] == "Timeout seconds"
    assert "schema" in forms_schema()["nodes"]["ai"]["properties"]  # the alias, not json_schema
    base = forms_schema()["nodeBase"]["properties"]
    assert {"id", "name", "retry", "continueOnError", "position"} <= set(base)


def test_the_gallery_is_exported_as_written() -> None:
    exported = gallery()
    assert [entry["id"] for entry in exported] == [t.id for t in templates()]
    assert all(set(entry) == {"id", "name", "description", "definition"} for entry in exported)
    json.dumps(exported)  # plain JSON
