"""Uploaded file names with path traversal, absolute paths, NUL and control characters, bidi
overrides and excessive length: a safe name (the last path component, printable, at most 120
characters, unique) is what is stored and what every surface shows. Nothing is written to
disk: uploads live in the database only, and the bot opens no file for writing at all."""

from __future__ import annotations

import builtins
import os
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.store.models import Attachment, TicketAttachment

from .conftest import (
    EXAMPLES,
    PARTNER,
    REVIEW_CHANNEL,
    SUPPORT_CHANNEL,
    TICKET,
    World,
    launch_data,
    text_of,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LOGO_NAME = "../../../../etc/cron.d/logo.svg"
CERT_NAMES = ["/etc/shadow", "..\\..\\boot.ini", "cert\x00.pem\r\n\x1b[31mX", "c" * 300 + ".pem",
              "../a/cert.pem"]
TICKET_NAMES = ["../../etc/passwd", "/etc/shadow", "..\\..\\boot.ini", "%2e%2e%2fsecret",
                "\u202egnp.exe", "\x00\x01\x7f", "..", "d" * 400, "~/.ssh/authorized_keys"]
RAW_MARKERS = ("../", "..\\", "/etc/", "\\", "\x00", "\x1b", "\u202e", "~/")


def is_safe(name: str) -> bool:
    return (0 < len(name) <= 120 and "/" not in name and "\\" not in name
            and not name.startswith(".") and name not in (".", "..")
            and not any(unicodedata.category(ch).startswith("C") for ch in name))


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every file the process opens for writing (the bot runs in-process, in server and
    listener threads); SQLite's own writes go through its C library, not these."""
    opened: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def recording_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(flag in mode for flag in "wax+"):
            opened.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    def recording_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            opened.append(str(path))
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", recording_open)
    monkeypatch.setattr(os, "open", recording_os_open)
    yield opened


def upload(world: World, file_id: str, name: str, content: bytes) -> None:
    """A file whose name (and title) the partner chose; Slack's own URL for it is Slack's."""
    world.slack.add_file(file_id, "upload.bin", content)
    world.slack.files[file_id].info.update(name=name, title=name)


def test_traversal_names_become_safe_names_everywhere(world: World, writes: list[str]) -> None:
    slack, sender = world.slack, world.sender
    upload(world, "F0LOGO", LOGO_NAME, (EXAMPLES / "benefits-logo.svg").read_bytes())
    cert = (EXAMPLES / "benefits-cert.pem").read_bytes()
    for n, name in enumerate(CERT_NAMES):
        upload(world, f"F0CERT{n}", name, cert)
    for n, name in enumerate(TICKET_NAMES):
        upload(world, f"F0ATT{n}", name, PNG)

    sender.slash_command("/launch-request", user_id=PARTNER)
    view = world.view_of(PARTNER, 0)
    for action, value in (("pick_kind", "launch"), ("pick_protocol", "oidc_private_key_jwt")):
        before = world.view_calls()
        sender.block_action(action, user_id=PARTNER, view=view, value=value)
        view = world.view_of(PARTNER, before)
    data = launch_data()
    answer = sender.view_submission(view, user_id=PARTNER, values={
        "app_name": data["app_name"], "friendly_name": data["friendly_name"],
        "agency": data["agency"], "ial": "1", "issuer": data["issuer"], "logo": ["F0LOGO"],
        "certificates": [f"F0CERT{n}" for n in range(len(CERT_NAMES))],
        "redirect_uris": data["redirect_uris"][0], "iaa_number": data["iaa_number"],
        "application_url": data["application_url"], "audience": "general_public",
        "estimated_annual_registrations": "1000",
        "contacts.program": data["contacts"]["program"],
        "contacts.technical": data["contacts"]["technical"],
        "attestations": ["iaa_lists_integration", "production_app_created",
                         "ato_environment", "logo_approved"]}).json()
    if "Submit anyway" in text_of(answer.get("view", {}).get("submit")):
        answer = sender.view_submission({**answer["view"], "id": view["id"]},
                                        user_id=PARTNER).json()
    assert "LR-1001" in text_of(answer.get("view")), answer

    before = world.view_calls()
    sender.slash_command("/support-ticket", user_id=PARTNER)
    view = world.view_of(PARTNER, before)
    answer = sender.view_submission(view, user_id=PARTNER, values={
        **TICKET, "attachments": [f"F0ATT{n}" for n in range(len(TICKET_NAMES))]}).json()
    assert answer["response_action"] == "update", answer
    world.deliver()

    with world.store.reader() as session:
        stored = [a.name for a in session.scalars(select(Attachment).order_by(Attachment.id))]
        attached = [a.name for a in session.scalars(select(TicketAttachment)
                                                    .order_by(TicketAttachment.id))]
    assert stored[0] == "logo.svg"
    assert stored[1:3] == ["shadow", "boot.ini"] and "cert.pem" in stored
    assert len(stored) == 1 + len(CERT_NAMES) and len(set(stored)) == len(stored)
    assert len(attached) == len(TICKET_NAMES) and len(set(attached)) == len(attached)
    assert attached[:3] == ["passwd", "shadow", "boot.ini"]
    unsafe = [name for name in stored + attached if not is_safe(name)]
    assert not unsafe, unsafe

    # What people see: the card, the ticket card, the DMs, the form's confirmation.
    shown = " ".join(text_of(m) for channel in (REVIEW_CHANNEL, SUPPORT_CHANNEL, PARTNER)
                     for m in slack.messages_in(channel))
    assert all(name in shown for name in ("logo.svg", "shadow", "boot.ini", "passwd"))
    assert not [marker for marker in RAW_MARKERS if marker in shown], shown
    assert writes == [], writes


def test_the_check_for_safe_names_refuses_what_it_should() -> None:
    assert is_safe("logo.svg") and is_safe("passwd")
    for name in ("../passwd", "a\\b", ".env", "..", "", "a\x00b", "x" * 121, "\u202egnp"):
        assert not is_safe(name), name
