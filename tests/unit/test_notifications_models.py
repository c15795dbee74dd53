"""`mark_notifications_read` and the briefing settings: what each command accepts."""

from __future__ import annotations

from typing import Any

import pytest

from shared.accounts.models import Settings, UpdateSettings
from shared.errors import InvalidArgument
from shared.notifications.models import MAX_IDS, MarkNotificationsRead
from shared.validation import parse


@pytest.mark.parametrize(
    "payload",
    [{"ids": ["n1", "n2"]}, {"all": True}, {"ids": ["a"] * MAX_IDS}],
)
def test_valid_mark_read_commands(payload: dict[str, Any]) -> None:
    parse(MarkNotificationsRead, payload)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, ""),
        ({"all": False}, ""),
        ({"ids": ["n1"], "all": True}, ""),
        ({"ids": []}, "ids"),
        ({"ids": ["a"] * (MAX_IDS + 1)}, "ids"),
        ({"ids": ["ok", "__bad__"]}, "ids[1]"),
        ({"ids": ["a/b"]}, "ids[0]"),
        ({"ids": "n1"}, "ids"),
        ({"all": "yes"}, "all"),
        ({"every": True}, "every"),
    ],
)
def test_bad_mark_read_commands_name_the_field(payload: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse(MarkNotificationsRead, payload)
    assert caught.value.details["field"] == field


def test_briefing_settings_default_on_at_seven() -> None:
    settings = Settings.model_validate({"timezone": "UTC"})  # a profile stored before
    assert settings.briefing.enabled is True
    assert settings.briefing.time == "07:00"


def test_update_settings_sets_only_the_briefing_fields_given() -> None:
    command = parse(UpdateSettings, {"briefing": {"time": "06:30"}})
    assert command.changes() == {"settings.briefing.time": "06:30"}
    applied = command.applied_to(Settings())
    assert (applied.briefing.enabled, applied.briefing.time) == (True, "06:30")
    both = parse(UpdateSettings, {"timezone": "Asia/Kolkata", "briefing": {"enabled": False}})
    assert both.changes() == {
        "settings.timezone": "Asia/Kolkata",
        "settings.briefing.enabled": False,
    }


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"briefing": {}}, "briefing"),
        ({"briefing": {"time": "7:00"}}, "briefing.time"),
        ({"briefing": {"time": "24:00"}}, "briefing.time"),
        ({"briefing": {"enabled": "sometimes"}}, "briefing.enabled"),
        ({"briefing": {"at": "07:00"}}, "briefing.at"),
    ],
)
def test_bad_briefing_settings_name_the_field(payload: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse(UpdateSettings, payload)
    assert caught.value.details["field"] == field
