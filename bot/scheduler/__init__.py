"""The timer: APScheduler 3 (BackgroundScheduler) calls the jobs of `bot.schedule.jobs` at their
local times. It keeps no state of its own: whether a post is due and whether it was made live in
the database (`job_claims`), so replicas and restarts post each thing once."""

from bot.scheduler.runner import instance_id, run_due, schedule_context
from bot.scheduler.timer import Scheduler, trigger_for

__all__ = ["Scheduler", "instance_id", "run_due", "schedule_context", "trigger_for"]
