"""Logo rules (docs/rules.md "Logo"): what the logo file is, judged by its content, never rendered.

PNG: the signature, the IHDR chunk (width and height) and the chunk chain up to IEND; pixels
are never decoded. SVG: parsed with defusedxml into a streaming scanner (no tree): entity
declarations, external references and DTD internal subsets are refused before anything is
expanded or fetched. A bare `<!DOCTYPE svg PUBLIC ...>` line, as many editors write it, declares
nothing and is never fetched, so it is allowed.
"""

from __future__ import annotations

import math
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from defusedxml.common import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from bot.models import Finding, Kind
from bot.rules.base import Subject
from bot.rules.catalog import finding

MAX_BYTES = 51_200
MAX_WIDTH, MAX_HEIGHT = 171, 40
SVG_NS = "http://www.w3.org/2000/svg"
NEEDS_LOGO = frozenset({Kind.launch, Kind.staging})
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Oversized files are already a LOGO-SIZE error: beyond this they are only sniffed, not parsed,
# so junk cannot cost seconds. Only files up to _CACHE_LIMIT are cached (valid logos all are).
_PARSE_LIMIT = 256 * 1024
_CACHE_LIMIT = 64 * 1024

# Content that is an image, but the wrong kind: named so the partner knows what they sent.
_OTHER_FORMATS: tuple[tuple[bytes, str], ...] = (
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"BM", "a BMP image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x00\x00\x01\x00", "an ICO icon"),
    (b"%PDF", "a PDF document"),
    (b"%!PS", "a PostScript/EPS file"),
    (b"\xc5\xd0\xd3\xc6", "an EPS file"),
    (b"PK\x03\x04", "a ZIP archive"),
)
_SCRIPT_URL = re.compile(r"^(?:javascript|vbscript):", re.IGNORECASE)
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]+")  # browsers ignore these inside a URL scheme

LogoFormat = Literal["png", "svg"]


@dataclass(frozen=True)
class LogoFacts:
    """What a logo file is, for the rules and for showing to people."""

    name: str
    extension: str  # lower-case, without the dot; "" when the name has none
    format: LogoFormat | None  # by content; None when neither PNG nor SVG
    size: int  # bytes
    width: int | None = None  # PNG, from IHDR
    height: int | None = None
    view_box: str | None = None  # SVG root viewBox, as written
    has_script: bool = False  # SVG: <script>, on*= event handlers or javascript: links
    scripts: tuple[str, ...] = ()  # what counts as script, e.g. "onload= on <svg>"
    problem: str | None = None  # why the content is not a usable PNG or SVG (LOGO-TYPE)
    svg_problems: tuple[str, ...] = ()  # refused DTD, missing or bad viewBox (LOGO-SVG)
    inspected: bool = True  # False for files too large to parse (only sniffed)


def logo_facts(name: str, content: bytes) -> LogoFacts:
    """The facts of a logo file named `name`. Never raises."""
    content = bytes(content)
    if len(content) <= _CACHE_LIMIT:
        return _facts_cached(name, content)
    return _facts(name, content)


def check_logo(subject: Subject) -> Iterator[Finding]:
    if not subject.judges("logo"):
        return
    ctx = subject.context
    name = subject.request.logo or ""  # the models strip whitespace
    needed = subject.kind in NEEDS_LOGO
    if not name:
        if needed:
            yield finding("LOGO-REQUIRED", "logo",
                          f"a {subject.kind.value} request needs a logo: an SVG with a viewBox "
                          f"or a PNG of at most {MAX_WIDTH}×{MAX_HEIGHT} px, "
                          f"up to {MAX_BYTES:,} bytes")
        return
    content = ctx.files.get(name)
    if content is None:
        if name in ctx.unreadable:  # any kind: the requester named a file we could not read
            yield finding("LOGO-REQUIRED", "logo",
                          f"logo '{name}' could not be read: {ctx.unreadable[name]}")
        elif needed or "logo" in subject.given:
            # A change's current logo may be known by name only: ask only for what was given.
            yield finding("LOGO-REQUIRED", "logo",
                          f"logo '{name}' was not provided (no file content was received)")
        return
    yield from _judge(logo_facts(name, content))


def _judge(facts: LogoFacts) -> Iterator[Finding]:
    label = f"logo '{facts.name}'"
    if facts.size > MAX_BYTES:
        yield finding("LOGO-SIZE", "logo",
                      f"{label} is {facts.size:,} bytes; the limit is {MAX_BYTES:,} bytes "
                      "(50 KB). Optimize it (e.g. svgo for SVG, oxipng/pngcrush for PNG)")
    if facts.format is None:
        yield finding("LOGO-TYPE", "logo",
                      f"{label} {facts.problem or 'is neither PNG nor SVG'}; upload an SVG "
                      "or a PNG")
        return
    kind = facts.format.upper()
    if facts.extension != facts.format:
        found = (f"its name ends in '.{facts.extension}'" if facts.extension
                 else "its name has no extension")
        yield finding("LOGO-EXT", "logo",
                      f"{label} is {'an' if kind == 'SVG' else 'a'} {kind} file by content but "
                      f"{found}; name it .{facts.format}")
    if facts.problem:
        yield finding("LOGO-TYPE", "logo", f"{label} {facts.problem}")
    for problem in facts.svg_problems:
        yield finding("LOGO-SVG", "logo", f"{label}: {problem}")
    if facts.scripts:
        yield finding("LOGO-SVG", "logo",
                      f"{label} contains script: {_listing(facts.scripts)} (event handler "
                      "attributes and javascript: links count as script). Remove them: a logo "
                      "must be a static image")
    if facts.format == "png" and facts.width is not None and facts.height is not None and (
        facts.width > MAX_WIDTH or facts.height > MAX_HEIGHT
    ):
        yield finding("LOGO-DIMENSIONS", "logo",
                      f"{label} is {facts.width}×{facts.height} px; logos are shown at most "
                      f"{MAX_WIDTH}×{MAX_HEIGHT} px. Scale it down, or send an SVG")


def _listing(items: tuple[str, ...], limit: int = 4) -> str:
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown} and {len(items) - limit} more"


def _extension(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[1].lower() if "." in base.strip(".") else ""


def _facts(name: str, content: bytes) -> LogoFacts:
    try:
        facts = _content_facts(content)
    except Exception as exc:  # a parser bug must not take the whole validation down
        facts = LogoFacts(name="", extension="", format=None, size=len(content),
                          problem=f"could not be read ({type(exc).__name__})")
    return replace(facts, name=name, extension=_extension(name))


_facts_cached = lru_cache(maxsize=256)(_facts)


def _content_facts(content: bytes) -> LogoFacts:
    size = len(content)
    base = LogoFacts(name="", extension="", format=None, size=size)
    if not content.strip():
        return replace(base, problem="is an empty file")
    if content.startswith(PNG_SIGNATURE):
        return _png(base, content)
    for magic, what in _OTHER_FORMATS:
        if content.startswith(magic):
            return replace(base, problem=f"is {what}, not PNG or SVG")
    if content[8:12] == b"WEBP" and content.startswith(b"RIFF"):
        return replace(base, problem="is a WebP image, not PNG or SVG")
    if not _looks_like_xml(content):
        return replace(base, problem="is neither a PNG nor an SVG image")
    if size > _PARSE_LIMIT:
        # Too big to be worth parsing (LOGO-SIZE says so): only sniff.
        svg = b"<svg" in content[:4096]
        return replace(base, format="svg" if svg else None, inspected=False,
                       problem=None if svg else "is neither a PNG nor an SVG image")
    return _svg(base, content)


def _looks_like_xml(content: bytes) -> bool:
    if content.startswith((b"\xfe\xff", b"\xff\xfe")):  # UTF-16 byte order marks
        return True
    return content.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"<"


# ---- PNG --------------------------------------------------------------------------------------

_TRUNCATED = "is a truncated PNG (it ends before its IEND chunk); export it again"


def _png(base: LogoFacts, content: bytes) -> LogoFacts:
    png = replace(base, format="png")
    if len(content) < 33:  # signature + IHDR chunk (8 + 4 + 4 + 13 + 4)
        return replace(png, problem=_TRUNCATED)
    length, ctype = struct.unpack(">I4s", content[8:16])
    if ctype != b"IHDR" or length != 13:
        return replace(png, problem="is a damaged PNG: its first chunk is not a valid IHDR header")
    width, height = struct.unpack(">II", content[16:24])
    (crc,) = struct.unpack(">I", content[29:33])
    if zlib.crc32(content[12:29]) != crc:
        return replace(png, problem="is a damaged PNG: its IHDR header fails its checksum")
    if not (0 < width < 2**31 and 0 < height < 2**31):
        return replace(png, problem=f"is a damaged PNG: it claims to be {width}×{height} px")
    png = replace(png, width=width, height=height)
    if len(content) > _PARSE_LIMIT:
        return replace(png, inspected=False)
    return replace(png, problem=_png_chunks(content))


def _png_chunks(content: bytes) -> str | None:
    """Walk the chunk chain (lengths and types only) to IEND: a cut-off download shows here."""
    pos, seen_data, end = 33, False, len(content)
    while pos + 8 <= end:
        length, ctype = struct.unpack(">I4s", content[pos:pos + 8])
        pos += 12 + length
        if pos > end:
            return _TRUNCATED
        if ctype == b"IDAT":
            seen_data = True
        elif ctype == b"IEND":
            return None if seen_data else "is a damaged PNG: it has no image data (IDAT)"
    return _TRUNCATED


# ---- SVG --------------------------------------------------------------------------------------


class _SvgScan:
    """An ElementTree parser target that keeps only what the rules need (no tree is built)."""

    def __init__(self) -> None:
        self.root: tuple[str, dict[str, str]] | None = None
        self.scripts: list[str] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        local = tag.rpartition("}")[2]
        if self.root is None:
            self.root = (tag, dict(attrib))
        if local.lower() == "script":
            self._add("a <script> element")
        for key, value in attrib.items():
            attr = key.rpartition("}")[2].lower()
            if attr.startswith("on") and len(attr) > 2:
                self._add(f"{attr}= on <{local}>")
            elif attr == "href" and _SCRIPT_URL.match(_URL_JUNK.sub("", value)):
                self._add(f"a javascript: link on <{local}>")

    def _add(self, what: str) -> None:
        if what not in self.scripts:
            self.scripts.append(what)

    def end(self, tag: str) -> None:
        pass

    def data(self, data: str) -> None:
        pass

    def close(self) -> None:
        return None


def _refuse_internal_subset(name: str, sysid: str | None, pubid: str | None,
                            has_internal_subset: int) -> None:
    # An internal subset is where entities and default attributes (even onload=) are declared.
    if has_internal_subset:
        raise DTDForbidden(name, sysid, pubid)


def _svg(base: LogoFacts, content: bytes) -> LogoFacts:
    scan = _SvgScan()
    parser = DefusedXMLParser(target=scan, forbid_dtd=False, forbid_entities=True,
                              forbid_external=True)
    parser.parser.StartDoctypeDeclHandler = _refuse_internal_subset
    svgish = b"<svg" in content or b"<\x00s\x00v\x00g" in content
    try:
        parser.feed(content)
        parser.close()
    except DefusedXmlException:
        refused = ("declares a DTD or entities (<!DOCTYPE ... [ ... ]>, <!ENTITY>), which are "
                   "not allowed and were not expanded; remove the DOCTYPE block")
        if svgish:
            return replace(base, format="svg", svg_problems=(refused,))
        return replace(base, problem=f"is XML that {refused}, and not an SVG")
    except ParseError as exc:
        what = "looks like SVG but is" if svgish else "is"
        return replace(base, problem=f"{what} not well-formed XML ({exc})")
    except (ValueError, LookupError) as exc:  # e.g. an unknown encoding in the XML declaration
        return replace(base, problem=f"is not readable XML ({exc})")
    if scan.root is None:
        return replace(base, problem="is not an SVG image (no root element)")
    tag, attrib = scan.root
    ns, _, local = tag[1:].rpartition("}") if tag.startswith("{") else ("", "", tag)
    if local != "svg":
        return replace(base, problem=f"is XML whose root element is <{local}>, not <svg>")
    if ns not in ("", SVG_NS):
        return replace(base, problem=f"has an <svg> root in the namespace '{ns}', not the SVG "
                       f"namespace {SVG_NS}")
    view_box = attrib.get("viewBox")
    problem = _view_box_problem(view_box, attrib)
    return replace(base, format="svg", view_box=view_box, has_script=bool(scan.scripts),
                   scripts=tuple(scan.scripts), svg_problems=(problem,) if problem else ())


def _view_box_problem(view_box: str | None, attrib: dict[str, str]) -> str | None:
    if view_box is None:
        if any(key.lower() == "viewbox" for key in attrib):
            return "the root <svg> has 'viewbox' but not 'viewBox' (attribute names are " \
                   "case-sensitive)"
        hint = ""
        width = _number(attrib.get("width"), allow_px=True)
        height = _number(attrib.get("height"), allow_px=True)
        if width and height:
            hint = f", e.g. viewBox=\"0 0 {width:g} {height:g}\""
        return f"the root <svg> has no viewBox; add one{hint} so the logo scales"
    numbers = [_number(part) for part in view_box.replace(",", " ").split()]
    width, height = (numbers[2], numbers[3]) if len(numbers) == 4 else (None, None)
    if None in numbers or width is None or height is None or width <= 0 or height <= 0:
        return (f"the root <svg> viewBox '{view_box[:60]}' is not four numbers "
                "'min-x min-y width height' with a positive width and height")
    return None


def _number(text: str | None, allow_px: bool = False) -> float | None:
    """A plain number (with allow_px, a trailing 'px' too); None for anything else."""
    if text is None:
        return None
    text = text.strip()
    if allow_px:
        text = text.removesuffix("px")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None
