"""After approval: mark deployed (the registry learns the new configuration) or slip."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.calendar import DeployCalendar
from bot.kernel.actors import Actor
from bot.kernel.errors import NotAllowed
from bot.models import CONFIG_FIELDS, Kind
from bot.requests import queries
from bot.requests.records import RequestRecord
from bot.requests.transitions import S, load_visible, notify, transition
from bot.store.models import Integration, IntegrationDeploy, Request


def mark_deployed(session: Session, request: int | str, *, actor: Actor,
                  now: datetime) -> RequestRecord:
    """A deployer (a reviewer) marks an approved request deployed. A launch creates the
    integration, a change updates it; both add to its deploy history. A staging deploy is not
    a production integration: only the request changes."""
    row = load_visible(session, request, actor)
    if not actor.is_reviewer:
        raise NotAllowed("not_reviewer", action="mark deployed", request=row.public_id)
    row = transition(session, row, action="deploy", expected=(S.approved,), to=S.deployed,
                     actor=actor, now=now,
                     values={"deployed_by": actor.user_id, "deployed_at": now})
    if row.kind in (Kind.launch, Kind.change):
        _record_deploy(session, row, actor=actor, now=now)
    notify(session, row, event="deployed", now=now, data={"by": actor.user_id})
    return RequestRecord.of(row)


def slip(session: Session, request: int | str, *, actor: Actor, now: datetime,
         calendar: DeployCalendar, from_date: date | None = None) -> RequestRecord:
    """An approved request that was not deployed moves to the next deploy day after both its
    target and today. It stays approved (see bot/requests/__init__.py). With `from_date`, a
    request no longer targeting that day is left alone: running a slip job twice slips once."""
    row = load_visible(session, request, actor)
    if not (actor.is_reviewer or actor.is_system):
        raise NotAllowed("not_reviewer", action="slip", request=row.public_id)
    if from_date is not None and row.target_deploy_date != from_date:
        return RequestRecord.of(row)
    today = calendar.local_date(now)
    old = row.target_deploy_date
    after = max(old, today) if old else today
    new = calendar.next_deploy_day(after + timedelta(days=1)).date
    row = transition(session, row, action="slip", expected=(S.approved,), to=S.approved,
                     actor=actor, now=now,
                     values={"target_deploy_date": new, "slip_count": row.slip_count + 1},
                     detail={"from": _iso(old), "to": new.isoformat()})
    notify(session, row, event="slipped", now=now,
           data={"from": _iso(old), "to": new.isoformat()})
    return RequestRecord.of(row)


def _record_deploy(session: Session, row: Request, *, actor: Actor, now: datetime) -> None:
    given = {k: v for k, v in row.submitted.items() if k in CONFIG_FIELDS and v is not None}
    pems = {a.name: a.content.decode("utf-8", "replace")
            for a in row.attachments if a.role == "certificate"}
    integration = queries.integration_by_issuer(session, row.issuer or "")
    if integration is None:
        integration = Integration(issuer=row.issuer, team_id=row.requester_team_id,
                                  partner_team_id=row.partner_team_id,
                                  configuration={}, certificates={}, extra={},
                                  created_at=now, updated_at=now)
        session.add(integration)
    # Apply only what this request gives, onto the configuration as it is now: a change
    # deployed in between is kept.
    configuration: dict[str, Any] = {**integration.configuration, **given}
    if row.kind == Kind.launch:
        configuration = given
    integration.configuration = configuration
    integration.certificates = {**(integration.certificates or {}), **pems}
    integration.agency = configuration.get("agency", integration.agency)
    integration.friendly_name = configuration.get("friendly_name", integration.friendly_name)
    integration.team_id = integration.team_id or row.requester_team_id
    # An imported integration belongs to the team whose launch or change deploys it first.
    integration.partner_team_id = integration.partner_team_id or row.partner_team_id
    integration.updated_at = now
    session.flush()
    session.add(IntegrationDeploy(integration_id=integration.id, request_id=row.id,
                                  deployed_at=now, deployed_by=actor.user_id,
                                  configuration=configuration))
    if row.integration_id is None:
        row.integration_id = integration.id
    session.flush()


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
