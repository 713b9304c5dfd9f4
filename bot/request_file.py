"""Reading a request file from disk for `launchbot check`: the file, and the logo and
certificate files it names (relative to it). Every problem is one clear line (InputError)."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_REQUEST_BYTES = 1024 * 1024  # a request file is a page of YAML; 1 MiB is generous
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024  # far above the 51,200-byte logo limit; rules judge size


class InputError(Exception):
    """A file that cannot be read as a request: the message is the one line the user sees."""


class _NoAliasLoader(yaml.SafeLoader):
    """Request files never need anchors; refusing aliases rules out 'billion laughs' files."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise InputError(f"YAML aliases (*name) are not allowed in a request file "
                             f"(line {mark.line + 1})")
        return super().compose_node(parent, index)

    def construct_yaml_timestamp(self, node: Any) -> Any:
        """An impossible date (2026-02-30) stays the text it was, for the rules to judge on
        its field, instead of failing the whole file as 'invalid YAML'."""
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)


_NoAliasLoader.add_constructor("tag:yaml.org,2002:timestamp",
                               _NoAliasLoader.construct_yaml_timestamp)


@dataclass
class LoadedRequest:
    path: Path
    data: Any
    files: dict[str, bytes] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


class _Unreadable(Exception):
    """Why a file cannot be read, without its name."""


def read_limited(path: Path, limit: int, what: str) -> bytes:
    """At most `limit` bytes of a regular file. The file is opened without blocking and judged
    on its open descriptor: a named pipe never blocks, a device (/dev/zero) is never read, and a
    file over the limit is refused by its real size before anything is read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise _Unreadable("no such file") from None
    except IsADirectoryError:
        raise _Unreadable("is a directory") from None
    except PermissionError:
        raise _Unreadable("permission denied") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        raise _Unreadable(f"cannot be read ({getattr(exc, 'strerror', None) or exc})") \
            from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise _Unreadable("is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise _Unreadable("is not a regular file (a device, pipe or socket)")
        if info.st_size > limit:
            raise _Unreadable(f"is {_size(info.st_size)}, too large for {what} "
                              f"(at most {_size(limit)})")
        chunks, left = [], limit + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
        raw = b"".join(chunks)
    except OSError as exc:
        raise _Unreadable(f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if len(raw) > limit:  # it grew while we looked
        raise _Unreadable(f"is more than {_size(limit)}, too large for {what}")
    return raw


def read_text(path: Path, limit: int = MAX_REQUEST_BYTES, what: str = "a request file") -> str:
    try:
        raw = read_limited(path, limit, what)
    except _Unreadable as exc:
        raise InputError(f"{path}: {exc}") from None
    return decode(raw, str(path))


def decode(raw: bytes, name: str) -> str:
    """A request file's bytes as text; InputError for a binary or non-UTF-8 file."""
    if b"\x00" in raw:
        raise InputError(f"{name}: is a binary file, not YAML or JSON")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: is not UTF-8 text (byte {exc.start})") from None


def parse_text(text: str, name: str) -> Any:
    if name.endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}: invalid JSON at line {exc.lineno} column {exc.colno}: "
                             f"{exc.msg}") from None
    try:
        return yaml.load(text, Loader=_NoAliasLoader)
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None
    except yaml.reader.ReaderError as exc:  # its own str() spans two lines
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character or "\0")
        raise InputError(f"{name}: invalid YAML at line {line}: character #x{char:04x} is not "
                         f"allowed in YAML") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise InputError(f"{name}: invalid YAML{where}: {exc.problem}") from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise InputError(f"{name}: invalid YAML: {exc}") from None


def _read_attachment(path: Path) -> bytes | str:
    """The file's bytes, or why it cannot be read."""
    try:
        return read_limited(path, MAX_ATTACHMENT_BYTES, "a logo or certificate")
    except _Unreadable as exc:
        return str(exc)


def load(path: Path) -> LoadedRequest:
    data = parse_text(read_text(path), str(path))
    loaded = LoadedRequest(path=path, data=data)
    if not isinstance(data, dict):
        raise InputError(f"{path}: not a request: expected a mapping of fields (docs/rules.md §1), "
                         f"found {type(data).__name__ if data is not None else 'nothing'}")
    names: list[Any] = [data.get("logo")]
    certificates = data.get("certificates")
    names += certificates if isinstance(certificates, list) else [certificates]
    for name in names:
        if not isinstance(name, str) or not name.strip():
            continue
        content = _read_attachment(path.parent / name.strip())
        if isinstance(content, bytes):
            loaded.files[name.strip()] = content
        else:
            loaded.unreadable[name.strip()] = content
    return loaded
