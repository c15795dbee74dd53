from __future__ import annotations

import pytest

from shared.accounts.models import EnsureProfile, SetRole, UpdateSettings, check_timezone
from shared.errors import InvalidArgument
from shared.validation import field_path, parse


def test_field_path_joins_names_and_indexes() -> None:
    assert field_path(("nodes", 3, "config", "url")) == "nodes[3].config.url"
    assert field_path(()) == ""


def test_parse_accepts_camel_case_wire_names() -> None:
    command = parse(UpdateSettings, {"preferredModel": "gpt-4o", "timezone": " Europe/Paris "})
    assert command.preferred_model == "gpt-4o"
    assert command.timezone == "Europe/Paris"


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        ({"timezone": "Atlantis/Capital"}, "timezone", "not an IANA time zone"),
        ({"preferredModel": "davinci"}, "preferredModel", "not an allowed model"),
        ({"timezone": "UTC", "extra": 1}, "extra", "not a known field"),
        ({"timezone": "x" * 65}, "timezone", "at most 64"),
        ({}, "", "at least one of: timezone, preferredModel"),
        ([1, 2], "", "JSON object"),
    ],
)
def test_parse_names_the_bad_field(data: object, field: str, fragment: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse(UpdateSettings, data)
    assert caught.value.field == field
    assert caught.value.details == {"field": field}
    assert fragment in caught.value.message


def test_none_payload_is_an_empty_object() -> None:
    assert parse(EnsureProfile, None).timezone is None


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires"])
def test_real_zones_pass(zone: str) -> None:
    assert check_timezone(zone) == zone


@pytest.mark.parametrize("zone", ["", "utc ", "Europe", "/etc/localtime", "../zoneinfo/UTC", "PST"])
def test_not_zones_fail(zone: str) -> None:
    with pytest.raises(ValueError, match="IANA"):
        check_timezone(zone)


@pytest.mark.parametrize("uid", ["", "a/b", "x" * 129, "../admin"])
def test_set_role_uid_must_look_like_a_uid(uid: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse(SetRole, {"uid": uid, "role": "admin"})
    assert caught.value.field == "uid"
