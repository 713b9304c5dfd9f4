"""Whatever a partner writes, the rules core answers with findings, never an exception."""

from __future__ import annotations

from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.calendar import DeployCalendar
from bot.models import Request, parse_request
from bot.rules import Context, validate, validate_ticket

CAL = DeployCalendar()
NOW = datetime(2026, 11, 25, 12, tzinfo=CAL.tz)
FIELDS = [*Request.model_fields, "unknown_field"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=True), st.text(max_size=40), st.dates(),
                    st.sampled_from(["https://a.example.gov/x", "http://[::1", "launch",
                                     "saml", "change", "2026-12-10", "urn:x", "<!channel>"]))
KEYS = [*FIELDS, "sign_in", "program", "dedicated_domain"]
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)),
    max_leaves=12)
requests = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), values, max_size=12).map(
        lambda d: {"kind": "launch", **d} if "kind" not in d else d),
    values,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests, st.dictionaries(st.text(max_size=8), st.binary(max_size=64), max_size=3))
def test_validate_never_raises(data: object, files: dict[str, bytes]) -> None:
    report = validate(data if isinstance(data, dict) else {"kind": "launch", "logo": data},
                      context=Context(now=NOW, calendar=CAL, files=files))
    assert all(f.message for f in report.findings)
    parsed, _ = parse_request(data)
    assert parsed is None or isinstance(parsed, Request)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["category", "production_account_email", "environment",
                                        "summary", "extra"]), values, max_size=5))
def test_validate_ticket_never_raises(data: dict[str, object]) -> None:
    validate_ticket(data)
