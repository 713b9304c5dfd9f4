"""manifest.yml: Slack's published JSON Schema, plus the cross-field rules the schema cannot say,
plus launchbot's own choices (exact commands and scopes, App Home on)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
MANIFEST = REPO / "manifest.yml"
SCHEMA = REPO.parent / "shared" / "slack-schema" / "manifest.schema.1.0.0.json"

COMMANDS = {"/launch-request", "/support-ticket"}
# The minimal bot scopes; each is justified in manifest.yml.
SCOPES = {"commands", "chat:write", "im:write", "users:read", "usergroups:read", "files:read",
          "users:read.email", "team:read", "channels:read", "groups:read", "files:write",
          "im:history"}

# Scopes a bot event needs (Slack's Events API reference). An event missing here fails the
# check, so subscribing to a new one means looking its scope up.
EVENT_SCOPES: dict[str, set[str]] = {
    "app_home_opened": set(),
    "app_mention": {"app_mentions:read"},
    "app_uninstalled": set(),
    "tokens_revoked": set(),
    "message.im": {"im:history"},
    "message.channels": {"channels:history"},
    "message.groups": {"groups:history"},
    "member_joined_channel": {"channels:read", "groups:read"},  # either one
    "team_join": {"users:read"},
    "user_change": {"users:read"},
    "subteam_members_changed": {"usergroups:read"},
    "file_shared": {"files:read"},
}
ANY_OF = {"member_joined_channel"}  # events that need one of their scopes, not all


def load_manifest(path: Path = MANIFEST) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def manifest_problems(manifest: dict[str, Any]) -> list[str]:
    """The cross-field rules Slack enforces at app creation that its JSON Schema cannot say."""
    found: list[str] = []
    settings = manifest.get("settings") or {}
    features = manifest.get("features") or {}
    socket_mode = bool(settings.get("socket_mode_enabled"))
    scopes = set((manifest.get("oauth_config") or {}).get("scopes", {}).get("bot") or [])
    has_bot_user = bool(features.get("bot_user"))

    def check_url(where: str, url: str | None) -> None:
        if url is None:
            if not socket_mode:
                found.append(f"{where}: a request URL is required unless Socket Mode is on")
        elif not url.startswith("https://"):
            found.append(f"{where}: the request URL must be https: {url}")

    commands = features.get("slash_commands") or []
    for command in commands:
        check_url(f"slash command {command.get('command')}", command.get("url"))
    if commands and "commands" not in scopes:
        found.append("slash commands need the commands scope")

    interactivity = settings.get("interactivity") or {}
    if interactivity.get("is_enabled"):
        check_url("interactivity", interactivity.get("request_url"))

    events = settings.get("event_subscriptions") or {}
    bot_events = events.get("bot_events") or []
    if bot_events or events.get("user_events"):
        check_url("event_subscriptions", events.get("request_url"))
    if bot_events and not has_bot_user:
        found.append("bot events need a bot user")
    for event in bot_events:
        needed = EVENT_SCOPES.get(event)
        if needed is None:
            found.append(f"bot event {event}: unknown here; add its scopes to EVENT_SCOPES")
        elif event in ANY_OF and needed and not needed & scopes:
            found.append(f"bot event {event} needs one of the scopes {sorted(needed)}")
        elif event not in ANY_OF and not needed <= scopes:
            found.append(f"bot event {event} needs the scopes {sorted(needed - scopes)}")

    app_home = features.get("app_home") or {}
    if (app_home.get("home_tab_enabled") or app_home.get("messages_tab_enabled")) \
            and not has_bot_user:
        found.append("the App Home needs a bot user")
    if scopes and not has_bot_user:
        found.append("bot scopes need a bot user")
    return found


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return load_manifest()


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    if not SCHEMA.is_file():
        pytest.skip(f"Slack's manifest schema is not at {SCHEMA} (../shared is absent)")
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def test_manifest_matches_slacks_schema(manifest: dict[str, Any],
                                        schema: dict[str, Any]) -> None:
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    errors = sorted(validator_class(schema).iter_errors(manifest), key=lambda e: list(e.path))
    assert [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors] == []


def test_the_schema_check_catches_a_bad_manifest(manifest: dict[str, Any],
                                                 schema: dict[str, Any]) -> None:
    bad = copy.deepcopy(manifest)
    bad["features"]["slash_commands"][0]["command"] = "launch-request"  # no leading slash
    bad["display_information"]["name"] = "x" * 36
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert len(list(validator.iter_errors(bad))) == 2


def test_manifest_cross_field_rules_hold(manifest: dict[str, Any]) -> None:
    assert manifest_problems(manifest) == []


def test_metadata_version(manifest: dict[str, Any]) -> None:
    assert manifest["_metadata"] == {"major_version": 1, "minor_version": 1}


def test_commands_are_exactly_launchbots(manifest: dict[str, Any]) -> None:
    commands = manifest["features"]["slash_commands"]
    assert {c["command"] for c in commands} == COMMANDS
    assert len(commands) == len(COMMANDS)
    for command in commands:
        assert command["should_escape"] is False
        assert command["usage_hint"].startswith("[")


def test_bot_scopes_are_exactly_the_minimal_set(manifest: dict[str, Any]) -> None:
    scopes = manifest["oauth_config"]["scopes"]
    assert sorted(scopes["bot"]) == sorted(SCOPES)
    assert len(scopes["bot"]) == len(SCOPES)
    assert "user" not in scopes  # the bot acts as itself only


def test_app_home_and_settings(manifest: dict[str, Any]) -> None:
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert manifest["features"]["bot_user"]["display_name"] == "launchbot"
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened", "message.im"]
    # Partners send request files to check in the bot's DM.
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is False
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is False
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False


def test_every_url_points_at_the_one_events_endpoint(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    urls = {c["url"] for c in manifest["features"]["slash_commands"]}
    urls |= {settings["interactivity"]["request_url"],
             settings["event_subscriptions"]["request_url"]}
    assert len(urls) == 1
    assert urls.pop().endswith("/slack/events")  # Bolt's one endpoint (`launchbot serve`)


def _without_request_urls(manifest: dict[str, Any]) -> dict[str, Any]:
    bad = copy.deepcopy(manifest)
    del bad["settings"]["interactivity"]["request_url"]
    del bad["settings"]["event_subscriptions"]["request_url"]
    for command in bad["features"]["slash_commands"]:
        del command["url"]
    return bad


def test_cross_field_check_wants_request_urls_without_socket_mode(
        manifest: dict[str, Any]) -> None:
    found = manifest_problems(_without_request_urls(manifest))
    assert len(found) == 4  # two commands, interactivity, events
    assert all("required unless Socket Mode" in p for p in found)


def test_socket_mode_needs_no_request_urls(manifest: dict[str, Any]) -> None:
    socket = _without_request_urls(manifest)
    socket["settings"]["socket_mode_enabled"] = True
    assert manifest_problems(socket) == []


@pytest.mark.parametrize(("change", "expected"), [
    (lambda m: m["settings"]["interactivity"].update(request_url="http://x.example/slack/events"),
     "interactivity: the request URL must be https"),
    (lambda m: m["features"]["slash_commands"][1].update(url="http://x.example/slack/events"),
     "slash command /support-ticket: the request URL must be https"),
    (lambda m: m["settings"]["event_subscriptions"]["bot_events"].append("message.channels"),
     "bot event message.channels needs the scopes ['channels:history']"),
    (lambda m: m["settings"]["event_subscriptions"]["bot_events"].append("reaction_added"),
     "bot event reaction_added: unknown here"),
    (lambda m: m["oauth_config"]["scopes"]["bot"].remove("commands"),
     "slash commands need the commands scope"),
    (lambda m: m["features"].pop("bot_user"), "bot events need a bot user"),
], ids=["http-interactivity", "http-command", "event-scope", "unknown-event", "commands-scope",
        "no-bot-user"])
def test_cross_field_check_catches(manifest: dict[str, Any], change: Any, expected: str) -> None:
    bad = copy.deepcopy(manifest)
    change(bad)
    assert any(p.startswith(expected) for p in manifest_problems(bad)), manifest_problems(bad)
