"""A request's content made ready for the checks, once per content: parsed into a Request
(with its shape findings), URL fields cleaned (URL-NORM) and the given fields named.

Parsing is the largest single cost of a validation, and the same content comes back: a partner
submits the form again after each warning, and a submission is judged where it was parsed.
Content is remembered by its exact value and type (1, 1.0, True and "1" are four contents);
content that is not plain data, or holds much text, is prepared each time. A remembered Request
is shared by every validation of that content, so nothing in the rules core changes one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from bot.models import Finding, Request, parse_request
from bot.rules.urls import normalize

_LEAVES = frozenset({str, int, bool, type(None), date})  # exact types; datetime is not one
_TEXT_MAX = 16 * 1024  # characters: a request's text is a few hundred; junk is not kept
_REMEMBERED = 256


@dataclass(frozen=True)
class Prepared:
    request: Request | None  # None: no kind to judge by (only `shape` then)
    shape: tuple[Finding, ...]  # REQ-* findings about the content's shape
    normalized: tuple[Finding, ...]  # URL-NORM
    given: frozenset[str]  # top-level fields the requester gave, without `kind`


def prepare(data: Any) -> Prepared:
    """`data` (a request file's content) parsed and cleaned; remembered when it is plain."""
    key = _key(data) if type(data) is dict else None
    if key is None:
        return _prepare(data)
    return _remembered(_Content(key, data))


def prepare_model(request: Request) -> Prepared:
    """An already parsed Request, cleaned (not remembered: it may be changed by its owner)."""
    return _cleaned(request, ())


def _prepare(data: Any) -> Prepared:
    request, shape = parse_request(data)
    if request is None:
        return Prepared(None, tuple(shape), (), frozenset())
    return _cleaned(request, tuple(shape))


def _cleaned(request: Request, shape: tuple[Finding, ...]) -> Prepared:
    request, normalized = normalize(request)
    return Prepared(request, shape, tuple(normalized), frozenset(request.given() - {"kind"}))


class _Content:
    """Content with its frozen key: equal and hashed by the key, carrying the data to parse."""

    __slots__ = ("data", "hash", "key")

    def __init__(self, key: tuple[Any, ...], data: Any) -> None:
        self.key, self.data, self.hash = key, data, hash(key)

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Content) and self.key == other.key


@lru_cache(maxsize=_REMEMBERED)
def _remembered(content: _Content) -> Prepared:
    data, content.data = content.data, None  # the key stays; the caller's dict is not kept
    return _prepare(data)


def _key(data: dict[Any, Any]) -> tuple[Any, ...] | None:
    """A hashable copy of plain content, telling apart every value and type the models could
    read differently; None for anything else (or too much text)."""
    parts: list[Any] = []
    text = 0
    for name, value in data.items():
        kind = type(value)
        if kind is str:
            text += len(value)
            parts.append((name, value))
        elif kind is list or kind is dict:
            leaves = _leaves(value) if kind is list else _leaves(value, mapping=True)
            if leaves is None:
                return None
            text += leaves[0]
            parts.append((name, kind, leaves[1]))
        elif kind in _LEAVES:
            parts.append((name, kind, value))
        else:
            return None
        if type(name) is not str:
            return None
    return tuple(parts) if text <= _TEXT_MAX else None


def _leaves(values: Any, *, mapping: bool = False) -> tuple[int, tuple[Any, ...]] | None:
    """How much text a list (or a mapping of names) of leaves holds, and its frozen form; None
    when one of them is not a leaf."""
    text = 0
    frozen: list[Any] = []
    for item in values.items() if mapping else values:
        if mapping:
            name, item = item
            if type(name) is not str:
                return None
            frozen.append(name)
        kind = type(item)
        if kind is str:
            text += len(item)
            frozen.append(item)
        elif kind in _LEAVES:
            frozen.append((kind, item))
        else:
            return None
    return text, tuple(frozen)
