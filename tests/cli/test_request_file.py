"""Reading request files: what is not a regular file is refused before it is read, sizes are
the file's real size, and an impossible date is judged on its field, not called bad YAML."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot import request_file
from bot.request_file import InputError


def test_a_device_is_refused_without_reading_it() -> None:
    with pytest.raises(InputError, match=r"^/dev/zero: is not a regular file"):
        request_file.load(Path("/dev/zero"))


def test_a_named_pipe_is_refused_without_waiting(tmp_path: Path) -> None:
    pipe = tmp_path / "request.yaml"
    os.mkfifo(pipe)  # nobody writes: opening it for reading would wait forever
    with pytest.raises(InputError, match="is not a regular file"):
        request_file.load(pipe)


def test_an_attachment_that_is_a_device_or_pipe_is_a_finding(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "logo.svg")
    (tmp_path / "r.yaml").write_text("kind: launch\nlogo: logo.svg\n"
                                     "certificates: [/dev/zero]\n")
    loaded = request_file.load(tmp_path / "r.yaml")
    assert loaded.files == {}
    assert loaded.unreadable == {"logo.svg": "is not a regular file (a device, pipe or socket)",
                                 "/dev/zero": "is not a regular file (a device, pipe or socket)"}


def test_a_huge_logo_is_reported_with_its_real_size(tmp_path: Path) -> None:
    with (tmp_path / "logo.svg").open("wb") as handle:
        handle.truncate(30 * 1024 * 1024)  # sparse: 30 MB without writing them
    (tmp_path / "r.yaml").write_text("kind: launch\nlogo: logo.svg\n")
    loaded = request_file.load(tmp_path / "r.yaml")
    assert loaded.unreadable["logo.svg"].startswith("is 30.0 MB, too large")


def test_a_huge_request_file_is_refused_by_its_size(tmp_path: Path) -> None:
    huge = tmp_path / "r.yaml"
    with huge.open("wb") as handle:
        handle.truncate(3 * 1024 * 1024)
    with pytest.raises(InputError, match=r"is 3\.0 MB, too large for a request file"):
        request_file.load(huge)


def test_an_impossible_date_stays_text_for_the_rules(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text("kind: launch\ndesired_deploy_date: 2026-02-30\n"
                                     "other: 2026-12-10\n")
    data = request_file.load(tmp_path / "r.yaml").data
    assert data["desired_deploy_date"] == "2026-02-30"
    assert str(data["other"]) == "2026-12-10" and not isinstance(data["other"], str)
