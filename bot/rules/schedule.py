"""Deploy calendar and lead time: CAL-LEAD, CAL-PUSH, CAL-HORIZON, CAL-NOT-DEPLOY-DAY,
CAL-EARLIEST, CAL-DEPLOY-DAY, CAL-HOLIDAYS, CAL-DURATION. Runs before the other checks: the
certificate rules judge expiry against the target deploy date it sets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from bot.calendar import LEAD_DAYS, PUSH_LEAD_DAYS, DeployDay
from bot.models import Finding, Kind, Severity
from bot.rules.base import Subject
from bot.rules.catalog import finding


@dataclass
class Timing:
    submitted: date
    lead_days: int
    earliest: DeployDay
    target: date
    findings: list[Finding] = field(default_factory=list)


# Deploys are planned weeks ahead; a date years away is a typo (and 9999-12-30 has no
# deploy day after it to name).
HORIZON_DAYS = 2 * 366


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


@lru_cache(maxsize=1024)  # a few hundred dates a year are ever named; strftime is slow
def long_date(day: date) -> str:
    return f"{day:%A} {day.isoformat()}"


def changes_push_url(subject: Subject) -> bool:
    """Whether the request adds or changes push_notification_url (CAL-PUSH's 21 days)."""
    url = subject.request.push_notification_url
    if not url or "push_notification_url" not in subject.given:
        return False
    current = subject.context.current
    return current is None or current.push_notification_url != url


def plan(subject: Subject) -> Timing:
    context = subject.context
    calendar = context.calendar
    submitted = calendar.local_date(context.now)
    push = changes_push_url(subject)
    lead = PUSH_LEAD_DAYS if push else LEAD_DAYS
    earliest = calendar.earliest_deploy_day(submitted, lead)
    timing = Timing(submitted, lead, earliest, earliest.date)
    findings = timing.findings
    desired = subject.request.desired_deploy_date
    if desired is not None:
        findings.extend(expedite(subject, timing, desired,
                                 _judge_desired(subject, timing, desired, push)))
    else:
        if earliest.shifted:
            findings.append(_shift_note(earliest))
        if _justification(subject) is not None:
            findings.append(finding("CAL-EXPEDITE", "desired_deploy_date", (
                "an expedited request names the earlier deploy day it needs "
                "(desired_deploy_date)")))
    findings.append(_earliest_note(earliest.date, lead, push, submitted))
    if subject.kind in (Kind.launch, Kind.staging):
        findings.append(_DURATION)
    return timing


# Findings are frozen, so the same one can be in many reports: these are made once per day
# and lead time, not once per request.
_DURATION = finding("CAL-DURATION", None, "the deployment process takes 1 to 2 weeks; a new "
                    "IAA can take up to 6 weeks")


@lru_cache(maxsize=256)
def _earliest_note(earliest: date, lead: int, push: bool, submitted: date) -> Finding:
    return finding("CAL-EARLIEST", "desired_deploy_date",
                   f"earliest deploy: {long_date(earliest)} ({lead} days' notice"
                   f"{' for a push notification URL' if push else ''}; submitted "
                   f"{submitted.isoformat()})")


EXPEDITE_MIN_NOTICE = 1  # days: even an expedited deploy is not asked for on the day
JUSTIFICATION_MIN = 20  # characters: a reason a reviewer can weigh


def _justification(subject: Subject) -> str | None:
    text = (subject.request.expedite_justification or "").strip()
    return text or None


def expedite(subject: Subject, timing: Timing, desired: date,
             findings: list[Finding]) -> list[Finding]:
    """CAL-EXPEDITE: a desired deploy day inside the cutoff, asked for with a justification,
    is accepted as a warning (two reviewers approve it) instead of CAL-LEAD / CAL-PUSH. Without
    a justification, or when operators turned expedites off, the lead time stays an error."""
    reason = _justification(subject)
    if reason is None:
        return findings
    path = "expedite_justification"
    lead = [f for f in findings if f.rule in ("CAL-LEAD", "CAL-PUSH")]
    notice = (desired - timing.submitted).days
    if not lead:
        return [*findings, finding("CAL-EXPEDITE", path, (
            f"not needed: {desired.isoformat()} makes the cutoff, so the request is not "
            "expedited"), severity=Severity.info)]
    if not subject.context.calendar.expedite:
        return [*findings, finding("CAL-EXPEDITE", path, (
            "expedited deploys are turned off here: ask for a deploy day that makes the "
            "cutoff"))]
    if notice < EXPEDITE_MIN_NOTICE:
        return [*findings, finding("CAL-EXPEDITE", path, (
            f"an expedited deploy still needs {EXPEDITE_MIN_NOTICE} day's notice; "
            f"{desired.isoformat()} is too soon"))]
    if len(reason) < JUSTIFICATION_MIN:
        return [*findings, finding("CAL-EXPEDITE", path, (
            f"say why it cannot wait for the earliest deploy ({long_date(timing.earliest.date)}"
            f"), in at least {JUSTIFICATION_MIN} characters"))]
    others = [f for f in findings if f not in lead]
    if any(f.severity is Severity.error for f in others):  # e.g. not a deploy day
        return findings
    deploy = subject.context.calendar.deploy_day(desired)
    assert deploy is not None
    timing.target = deploy.date
    shifted = [_shift_note(deploy)] if deploy.shifted else []
    return [*others, *shifted, finding("CAL-EXPEDITE", path, (
        f"EXPEDITED: {_days(notice)} of notice for {long_date(desired)} instead of "
        f"{timing.lead_days}; two different reviewers must approve it"),
        severity=Severity.warning)]


def _shift_note(day: DeployDay) -> Finding:
    return finding("CAL-HOLIDAYS", "desired_deploy_date",
                   f"{long_date(day.regular_date)} is {day.reason}: that deploy moves to "
                   f"{long_date(day.date)}")


def _judge_desired(subject: Subject, timing: Timing, desired: date,
                   push: bool) -> list[Finding]:
    calendar = subject.context.calendar
    path = "desired_deploy_date"
    findings: list[Finding] = []
    notice = (desired - timing.submitted).days
    if notice > HORIZON_DAYS:
        return [finding("CAL-HORIZON", path, f"{desired.isoformat()} is {_days(notice)} after "
                        f"submission; a desired deploy date is at most {HORIZON_DAYS} days "
                        "ahead (leave it out for the earliest)")]
    if notice < 0:
        findings.append(finding("CAL-LEAD", path, f"{desired.isoformat()} is in the past "
                                f"({_days(-notice)} before submission); the earliest deploy is "
                                f"{long_date(timing.earliest.date)}"))
    elif notice < LEAD_DAYS:
        findings.append(finding("CAL-LEAD", path, f"{desired.isoformat()} is {_days(notice)} "
                                f"after submission; deploys need {LEAD_DAYS} days' notice: the "
                                f"earliest is {long_date(timing.earliest.date)}"))
    elif push and notice < PUSH_LEAD_DAYS:
        findings.append(finding("CAL-PUSH", path, f"a new or changed push notification URL "
                                f"needs {PUSH_LEAD_DAYS} days' notice; {desired.isoformat()} is "
                                f"{_days(notice)} away: the earliest is "
                                f"{long_date(timing.earliest.date)}"))
    deploy = calendar.deploy_day(desired)
    if deploy is None:
        findings.append(finding("CAL-NOT-DEPLOY-DAY", path, _not_a_deploy_day(subject, desired)))
    if findings:
        return findings
    assert deploy is not None
    timing.target = deploy.date
    if deploy.shifted:
        findings.append(_shift_note(deploy))
    if deploy.date != timing.earliest.date:
        findings.append(finding("CAL-DEPLOY-DAY", path, f"target deploy: {long_date(desired)} "
                                "by close of business (America/New_York)"))
    return findings


def _not_a_deploy_day(subject: Subject, desired: date) -> str:
    calendar = subject.context.calendar
    moved = calendar.deploy_day_for_regular(desired)
    if moved is not None:  # a regular deploy weekday that a holiday moved
        return (f"{long_date(desired)} is {moved.reason}: that week's deploy is "
                f"{long_date(moved.date)}")
    before = calendar.previous_deploy_day(desired)
    after = calendar.next_deploy_day(desired)
    around = f"the nearest are {long_date(before.date)} and " if before else "the next is "
    return f"{long_date(desired)} is not a deploy day; {around}{long_date(after.date)}"

