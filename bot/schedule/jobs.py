"""The scheduled jobs: what each does, when, and how late it may still run.

Times are local (TIMEZONE). Grace windows say how late a job still runs after its time (after a
restart, say); anything older is recorded as missed and said in the next digest. The job names
are what `launchbot jobs run NAME` takes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.ops import retention
from bot.schedule import deploy_day, digest, reminders
from bot.schedule.slots import JobSpec, ScheduleContext, Slot

JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        name="slip", summary="the business morning after a deploy day: slip what was not "
        "marked deployed to the next deploy day and tell each partner",
        times=(deploy_day.SLIP_AT,), periods=deploy_day.slip_periods,
        work=deploy_day.slip_leftovers, grace=timedelta(days=1), late="run"),
    JobSpec(
        name="manifest", summary="deploy days: the manifest in MANIFEST_CHANNEL, with Mark "
        "deployed / Slip buttons (a regular deploy day moved by a holiday: where it went)",
        # Late is still useful: it says what was meant to ship (a process down from the
        # deploy day's morning to the next one still posts it).
        times=(deploy_day.MANIFEST_AT,), periods=deploy_day.manifest_periods,
        work=deploy_day.post_manifest, grace=timedelta(hours=36), channels=("manifest",)),
    JobSpec(
        name="preview", summary="two business days before a deploy day: what is approved for "
        "it so far and what is still in review (MANIFEST_CHANNEL)",
        times=(deploy_day.PREVIEW_AT,), periods=deploy_day.preview_periods,
        work=deploy_day.post_preview, grace=timedelta(hours=24), channels=("manifest",)),
    JobSpec(
        name="digest", summary="the weekly digest in DIGEST_CHANNEL",
        times=(digest.DIGEST_AT,), weekdays=frozenset({digest.DIGEST_WEEKDAY}),
        periods=digest.digest_periods, work=digest.post_digest, grace=timedelta(hours=24),
        channels=("digest",)),
    JobSpec(
        name="reminders", summary="business days: partners whose requests wait on them (DM), "
        "reviewers (undecided, deploy day within 3 business days, REVIEW_CHANNEL); weekly: "
        "the cutoff notice (DIGEST_CHANNEL), certificates expiring within 60 days (DM)",
        times=(reminders.REMINDERS_AT,), periods=reminders.business_day_periods,
        work=reminders.send_reminders, grace=timedelta(hours=6), business_hours=True,
        channels=("review",)),
    JobSpec(
        name="tickets", summary="hourly in business hours: support tickets unclaimed after "
        "four business hours (SUPPORT_CHANNEL, else REVIEW_CHANNEL)",
        times=reminders.TICKET_CHECKS, periods=reminders.hourly_periods,
        work=reminders.remind_tickets, grace=timedelta(minutes=59), business_hours=True,
        late="skip", channels=("support", "review")),
    JobSpec(
        name="not_deployed", summary="17:00 on a deploy day: what is not yet marked deployed "
        "(MANIFEST_CHANNEL)",
        times=(deploy_day.CLOSE_OF_BUSINESS,), periods=deploy_day.deploy_day_periods,
        work=deploy_day.post_not_deployed, grace=timedelta(hours=4), channels=("manifest",)),
)


def _prune(session: Session, ctx: ScheduleContext, slot: Slot, now: datetime) -> int:
    retention.prune(session, now=now, keep=ctx.retention)
    return 0


JOBS += (
    JobSpec(
        name="prune", summary="daily: remove processed Slack event IDs, delivered outbox "
        "messages and job claims older than RETENTION_DAYS (nothing else)",
        times=(retention.PRUNE_AT,), periods=retention.prune_periods, work=_prune,
        grace=timedelta(hours=20), late="skip"),
)

BY_NAME = {job.name: job for job in JOBS}

