"""Generators shared by the fuzz targets: JSON-like values with the strings partners (and
attackers) actually type, byte-level mutations of a file, and structural mutations of a
parsed document (delete, replace, rename, wrap, retype, inflate)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from hypothesis import strategies as st

# Strings that have broken parsers and renderers before: markup, mentions, paths, unicode
# edge cases, numbers in disguise, dates that do not exist, the bot's own vocabulary.
NASTY = [
    "", " ", "\n", "\t", "0", "-1", "1e999", "NaN", "null", "true", "~", "[]", "{}",
    "launch", "change", "staging", "sandbox", "saml", "oidc_pkce", "oidc_private_key_jwt",
    "https://benefits.example.gov/auth/result", "http://[::1", "https://*.example.gov/",
    "https://a.example.com:99999/", "gov.example.app://cb", "javascript:alert(1)",
    "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:benefits", "LGABCFY210001-0001-0000",
    "LR-1001", "LR-", "ST-1", "2026-12-10", "2026-02-30", "0000-00-00", "9999-12-31",
    "<!channel>", "<@U0REVIEW>", "<https://evil.example|click>", "&lt;&amp;", "*bold* _it_",
    "<script>alert(1)</script>", "<p onclick=x>", "../../etc/passwd", "/dev/null",
    "benefits-logo.svg", "benefits-cert.pem", "grants-logo.png", "C:\\con\\aux",
    "\u202egnp.svg", "\u0000", "\ufeff", "\U0001f680", "Ω" * 3, "a\u0301", "\u2028\u2029",
    "x" * 3001, "y" * 40_001, "%s%n{0}", "'; DROP TABLE requests; --",
]


def texts(max_size: int = 60) -> st.SearchStrategy[str]:
    """Typed text: mostly the nasty list and random unicode, now and then very long."""
    return st.one_of(st.sampled_from(NASTY), st.text(max_size=max_size),
                     st.text(alphabet=st.characters(codec="utf-8"), max_size=max_size),
                     st.builds(lambda s, n: s * n, st.sampled_from(["é", "a ", "\U0001f680"]),
                               st.integers(0, 5000)))


def scalars() -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.booleans(), st.integers(), st.integers(-3, 3),
                     st.floats(), texts(), st.dates(),
                     st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))


def values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Any document a YAML or JSON file (or Slack payload) could carry."""
    keys = st.one_of(texts(20), st.integers(-2, 2), st.booleans(), st.none())
    return st.recursive(scalars(), lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
        max_leaves=max_leaves)


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Like `values`, but only what JSON itself holds (string keys; no dates)."""
    json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), texts())
    return st.recursive(json_scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(texts(20), inner, max_size=4)),
        max_leaves=max_leaves)


# --- bytes ---------------------------------------------------------------------------------

TOKENS = [b": ", b"- ", b"[", b"]", b"{", b"}", b",", b"&a ", b"*a", b"!!binary ",
          b"!!python/object/apply:os.system ['true']", b"!!set ", b"!!timestamp ", b"\t",
          b"\x00", b"\xef\xbb\xbf", b"---\n", b"...\n", b"%YAML 1.1\n", b"%TAG ! x\n", b"'",
          b'"', b"\xff\xfe", b"\n", b"  ", b"#", b"? ", b"|\n", b">-\n", b"<<: ", b"null",
          b"1e999", b"2026-02-30", b"0x1F", b".inf", b"\\u0000", b"\xe2\x80\xae", b"\r",
          b"<!ENTITY x SYSTEM 'file:///etc/passwd'>", b"<script/>", b"&x;", b"]]>",
          b"-----BEGIN CERTIFICATE-----\n", b"-----END CERTIFICATE-----\n", b"\x89PNG"]

_position = st.integers(0, 1 << 16)
byte_ops = st.lists(st.one_of(
    st.tuples(st.just("flip"), _position, st.integers(0, 7)),
    st.tuples(st.just("set"), _position, st.integers(0, 255)),
    st.tuples(st.just("insert"), _position, st.one_of(st.sampled_from(TOKENS),
                                                       st.binary(min_size=1, max_size=16))),
    st.tuples(st.just("delete"), _position, st.integers(1, 64)),
    st.tuples(st.just("repeat"), _position, st.integers(1, 64), st.integers(2, 50)),
    st.tuples(st.just("truncate"), _position),
), min_size=1, max_size=6)


def mutate_bytes(data: bytes, ops: Sequence[tuple[Any, ...]]) -> bytes:
    """Apply `byte_ops` to `data`; positions wrap around the current length."""
    buf = bytearray(data)
    for op, pos, *rest in ops:
        at = pos % (len(buf) + 1)
        if op == "flip" and at < len(buf):
            buf[at] ^= 1 << rest[0]
        elif op == "set" and at < len(buf):
            buf[at] = rest[0]
        elif op == "insert":
            buf[at:at] = rest[0]
        elif op == "delete":
            del buf[at:at + rest[0]]
        elif op == "repeat":
            buf[at:at] = bytes(buf[at:at + rest[0]]) * rest[1]
        elif op == "truncate":
            del buf[at:]
    return bytes(buf)


# --- documents -----------------------------------------------------------------------------

Path_ = tuple[Any, ...]


def paths(doc: Any, prefix: Path_ = ()) -> list[Path_]:
    """Every place in a document, the root first."""
    found = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            found += paths(value, (*prefix, i))
    return found


def _get(doc: Any, path: Path_) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def _set(doc: Any, path: Path_, value: Any) -> Any:
    if not path:
        return value
    _get(doc, path[:-1])[path[-1]] = value
    return doc


def _delete(doc: Any, path: Path_) -> Any:
    if not path:
        return None
    del _get(doc, path[:-1])[path[-1]]
    return doc


def _retype(value: Any) -> Any:
    """The same content in the neighbouring type a careless writer would use."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return value[0] if value else {}
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, date):
        return value.isoformat()
    return 0


@st.composite
def mutated_docs(draw: st.DrawFn, doc: Any, max_ops: int = 4) -> Any:
    """`doc` with up to `max_ops` structural mutations, each at a drawn place."""
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, max_ops))):
        places = paths(doc)
        path = draw(st.sampled_from(places))
        op = draw(st.sampled_from(["delete", "replace", "retype", "rename", "wrap", "inflate",
                                   "add", "null"]))
        if op == "delete":
            doc = _delete(doc, path)
        elif op == "replace":
            doc = _set(doc, path, draw(values(6)))
        elif op == "retype":
            doc = _set(doc, path, _retype(_get(doc, path)))
        elif op == "rename" and path and isinstance(path[-1], str):
            parent = _get(doc, path[:-1])
            parent[draw(texts(20))] = parent.pop(path[-1])
        elif op == "wrap":
            doc = _set(doc, path, draw(st.sampled_from([[_get(doc, path)],
                                                        {"value": _get(doc, path)}])))
        elif op == "inflate":
            doc = _set(doc, path, draw(st.sampled_from(["z" * 100_000, list(range(5000)),
                                                        {str(i): i for i in range(2000)}])))
        elif op == "add" and isinstance(_get(doc, path), dict):
            _get(doc, path)[draw(texts(20))] = draw(values(4))
        elif op == "null":
            doc = _set(doc, path, None)
    return doc
