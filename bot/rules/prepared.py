"""A request's content made ready for the checks, once per content: parsed into a Request
(with its shape findings), URL fields cleaned (URL-NORM) and the given fields named.

Parsing is the largest single cost of a validation, and the same content comes back: a partner
submits the form again after each warning, and a submission is judged where it was parsed.
Content is remembered by its exact values, types and order, serialized (1, 1.0, True and "1"
are four contents); content that cannot be serialized, or is large, is prepared each time. A
remembered Request is shared by every validation of that content, so nothing in the rules core
changes one.
"""

from __future__ import annotations

import marshal
import pickle
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.models import Finding, Request, parse_request
from bot.rules.urls import normalize

_CONTENT_MAX = 16 * 1024  # bytes serialized: a request is one or two; junk is not kept
_REMEMBERED = 256


@dataclass(frozen=True)
class Prepared:
    request: Request | None  # None: no kind to judge by (only `shape` then)
    shape: tuple[Finding, ...]  # REQ-* findings about the content's shape
    normalized: tuple[Finding, ...]  # URL-NORM
    given: frozenset[str]  # top-level fields the requester gave, without `kind`


def prepare(data: Any) -> Prepared:
    """`data` (a request file's content) parsed and cleaned; remembered when it serializes."""
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

    def __init__(self, key: bytes, data: Any) -> None:
        self.key, self.data, self.hash = key, data, hash(key)

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Content) and self.key == other.key


@lru_cache(maxsize=_REMEMBERED)
def _remembered(content: _Content) -> Prepared:
    data, content.data = content.data, None  # the key stays; the caller's dict is not kept
    return _prepare(data)


def _key(data: dict[Any, Any]) -> bytes | None:
    """The content serialized (so equal bytes are equal content: the same values, types and
    order), or None when it cannot be, or is too large to keep. marshal takes only the exact
    built-in types and is fast; pickle also takes the dates a YAML file holds."""
    try:
        key = marshal.dumps(data)
    except Exception:  # a date, or anything marshal does not take
        try:
            key = pickle.dumps(data, protocol=5)
        except Exception:
            return None
    return key if len(key) <= _CONTENT_MAX else None
