"""HELP-* rules: presets per key, and the HTML that custom text may use."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.calendar import DeployCalendar
from bot.models import Finding, HelpText, Kind, Request
from bot.rules.base import Context, Subject
from bot.rules.help_text import check_help_text, html_problem

CAL = DeployCalendar()
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def judge(help_text: dict[str, str | None] | None, *, partial: bool = False,
          given: set[str] | None = None) -> list[Finding]:
    request = Request(kind=Kind.launch,
                      help_text=HelpText(**help_text) if help_text is not None else None)
    ctx = Context(now=NOW, calendar=CAL)
    subject = Subject(request=request, given=frozenset(request.given() if given is None
                                                       else given),
                      partial=partial, context=ctx)
    return list(check_help_text(subject))


def found(findings: list[Finding]) -> list[tuple[str, str | None]]:
    return sorted((f.rule, f.field) for f in findings)


# (id, help_text, expected (rule, field) pairs, a fragment of the last finding's message)
CASES: list[tuple[str, dict[str, str | None] | None, list[tuple[str, str]], str]] = [
    ("no help text", None, [], ""),
    ("all presets", {"sign_in": "blank", "sign_up": "first_time",
                     "forgot_password": "troubleshoot_html"}, [], ""),
    ("other presets", {"sign_in": "piv_cac", "sign_up": "same_email"}, [], ""),
    ("blank and missing values", {"sign_in": "", "sign_up": "   ", "forgot_password": None},
     [], ""),
    ("custom plain text", {"sign_in": "Use your agency email."},
     [("HELP-PRESET", "help_text.sign_in")],
     "help_text.sign_in 'Use your agency email.' is custom text, not a preset (blank, "
     "first_time, agency_email, piv_cac); custom text is allowed but goes through the help desk"),
    ("a preset of another key", {"sign_in": "same_email"},
     [("HELP-PRESET", "help_text.sign_in")], "'same_email' is a preset for sign_up, not for "
     "sign_in"),
    ("a preset in the wrong case", {"forgot_password": "Troubleshoot_HTML"},
     [("HELP-PRESET", "help_text.forgot_password")], "did you mean the preset "
     "'troubleshoot_html'?"),
    ("custom text with allowed HTML", {"sign_up": '<p>New here? <strong>Read</strong> the <a '
                                                  'href="https://x.gov/help" target="_blank">'
                                                  'guide</a>.<br/></p><ul><li><em>a</em></li>'
                                                  '<li><b>b</b></li></ul><ol></ol>'},
     [("HELP-PRESET", "help_text.sign_up")], "custom text"),
    ("a <script> tag", {"sign_in": "Hi<script>alert(1)</script>"},
     [("HELP-HTML", "help_text.sign_in"), ("HELP-PRESET", "help_text.sign_in")],
     "help_text.sign_in: tag <script> is not allowed. Use only the tags p br ol ul li a strong "
     "em b and the attributes href and target"),
    ("several tags", {"sign_in": "<div><img src=x><h1>x</h1></div>"},
     [("HELP-HTML", "help_text.sign_in"), ("HELP-PRESET", "help_text.sign_in")],
     "tags <div>, <img>, <h1> are not allowed; attribute src= on <img> is not allowed"),
    ("a style attribute", {"forgot_password": '<p style="color:red">x</p>'},
     [("HELP-HTML", "help_text.forgot_password"),
      ("HELP-PRESET", "help_text.forgot_password")], "attribute style= on <p> is not allowed"),
    ("an event handler", {"sign_up": '<a href="https://x.gov" onclick="x()">x</a>'},
     [("HELP-HTML", "help_text.sign_up"), ("HELP-PRESET", "help_text.sign_up")],
     "attribute onclick= on <a> is not allowed"),
    ("a javascript: link", {"sign_in": '<a href="javascript:alert(1)">x</a>'},
     [("HELP-HTML", "help_text.sign_in"), ("HELP-PRESET", "help_text.sign_in")],
     "javascript: links are not allowed"),
    ("an obfuscated javascript: link", {"sign_in": '<a href=" jav&#x09;aScript:x">x</a>'},
     [("HELP-HTML", "help_text.sign_in"), ("HELP-PRESET", "help_text.sign_in")],
     "javascript: links are not allowed"),
    ("upper-case tags are the same tags", {"sign_in": "<P>a<BR></P><SCRIPT></SCRIPT>"},
     [("HELP-HTML", "help_text.sign_in"), ("HELP-PRESET", "help_text.sign_in")],
     "tag <script> is not allowed"),
    ("a comment is harmless", {"sign_in": "<!-- note --><p>x</p>"},
     [("HELP-PRESET", "help_text.sign_in")], "custom text"),
    ("escaped markup is text", {"sign_in": "&lt;script&gt; is text"},
     [("HELP-PRESET", "help_text.sign_in")], "custom text"),
    ("a less-than sign in prose", {"sign_in": "if a < b then call us"},
     [("HELP-PRESET", "help_text.sign_in")], "custom text"),
]


@pytest.mark.parametrize(("help_text", "expected", "fragment"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_help_text(help_text: dict[str, str | None] | None, expected: list[tuple[str, str]],
                   fragment: str) -> None:
    findings = judge(help_text)
    assert found(findings) == sorted(expected), [f.message for f in findings]
    if findings:
        assert fragment in findings[-1].message, findings[-1].message


def test_severities() -> None:
    findings = judge({"sign_in": "<script></script>"})
    assert {f.rule: f.severity.value for f in findings} == {"HELP-PRESET": "warning",
                                                            "HELP-HTML": "error"}


def test_partial_change_that_does_not_touch_help_text() -> None:
    assert judge({"sign_in": "<script/>"}, partial=True, given={"app_name"}) == []
    assert len(judge({"sign_in": "<script/>"}, partial=True, given={"help_text"})) == 2


JUNK: list[str] = [
    "<",
    "<<<<>>>>",
    "<a href",
    "<a href='",
    "<!--",
    "<![CDATA[",
    "<?php echo 1 ?>",
    "<!DOCTYPE html>",
    "</p></p></div>",
    "\x00\ud800\uffff\u202e",  # a lone surrogate: the model refuses it, the check must not
    "<" * 100_000,
    "<p>" * 50_000,
    "<a " + "x=1 " * 50_000 + ">",
    "x" * 1_000_000,
    "<x" * 50_000,  # quadratic in HTMLParser.close(): must stay fast
    "<x='" * 25_000,
]


@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_junk_never_raises(junk: str) -> None:
    html_problem(junk)
    request = Request(kind=Kind.launch, help_text=HelpText.model_construct(
        sign_in=junk, sign_up=junk, forgot_password=junk))
    subject = Subject(request=request, given=frozenset({"help_text"}), partial=False,
                      context=Context(now=NOW, calendar=CAL))
    findings = list(check_help_text(subject))
    assert {f.rule for f in findings} <= {"HELP-PRESET", "HELP-HTML"}


def test_other_markup_is_refused() -> None:
    assert html_problem("<!DOCTYPE html><p>x</p>") == (
        "markup <!DOCTYPE html> is not allowed. Use only the tags p br ol ul li a strong em b "
        "and the attributes href and target")
    assert html_problem("plain text") is None
    assert html_problem('Hi <a href="https://x.gov') == (
        "markup that never closes ('<a href=\"https://x.gov') is not allowed. Use only the tags "
        "p br ol ul li a strong em b and the attributes href and target")
