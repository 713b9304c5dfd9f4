"""The partner-teams migration on a database with data from several workspaces: one team per
workspace, bound to it, owning what that workspace filed and holds."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import URL, MetaData, Table, insert, select

from bot.store.db import make_engine
from bot.store.migrate import downgrade, upgrade

AT = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def _seed(url: URL) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            meta = MetaData()
            requests, tickets, integrations = (
                Table(name, meta, autoload_with=conn)
                for name in ("requests", "tickets", "integrations"))
            conn.execute(insert(integrations), [
                {"issuer": "urn:a", "agency": "DHS", "team_id": "T0DHS", "configuration": {},
                 "certificates": {}, "extra": {}, "created_at": AT, "updated_at": AT},
                {"issuer": "urn:imported", "agency": "VA", "team_id": None,
                 "configuration": {}, "certificates": {}, "extra": {}, "created_at": AT,
                 "updated_at": AT}])
            conn.execute(insert(requests), [
                {"kind": "launch", "state": state, "version": 1, "requester_user_id": user,
                 "requester_team_id": team, "submitted": {}, "findings": [], "slip_count": 0,
                 "submitted_at": AT, "created_at": AT, "updated_at": AT}
                for state, user, team in (("submitted", "U0A", "T0DHS"),
                                          ("approved", "U0B", "T0VA"),
                                          ("rejected", "U0C", "T0DHS"))])
            conn.execute(insert(tickets), [
                {"state": "open", "version": 1, "category": "other", "urgent": False,
                 "submitted": {}, "requester_user_id": "U0D", "requester_team_id": "T0IDP",
                 "created_at": AT, "updated_at": AT}])
    finally:
        engine.dispose()


def test_upgrade_makes_a_team_per_workspace(fresh_url: URL) -> None:
    upgrade(fresh_url, "0003")
    _seed(fresh_url)
    upgrade(fresh_url)
    engine = make_engine(fresh_url)
    try:
        with engine.connect() as conn:
            meta = MetaData()
            t = {name: Table(name, meta, autoload_with=conn) for name in (
                "teams", "team_workspaces", "team_events", "requests", "tickets",
                "integrations")}
            teams = {row.slug: row for row in conn.execute(select(t["teams"]))}
            by_id = {row.id: row.slug for row in teams.values()}
            bound = {row.slack_team_id: by_id[row.team_id]
                     for row in conn.execute(select(t["team_workspaces"]))}
            owners = {name: [by_id.get(row.partner_team_id) for row in conn.execute(
                select(t[name]).order_by(t[name].c.id))]
                for name in ("requests", "tickets", "integrations")}
            created = [row.action for row in conn.execute(select(t["team_events"]))]
    finally:
        engine.dispose()
    assert sorted(teams) == ["t0dhs", "t0idp", "t0va"]
    assert teams["t0dhs"].agency == "DHS" and teams["t0dhs"].name == "Workspace T0DHS"
    assert bound == {"T0DHS": "t0dhs", "T0VA": "t0va", "T0IDP": "t0idp"}
    assert owners == {"requests": ["t0dhs", "t0va", "t0dhs"], "tickets": ["t0idp"],
                      "integrations": ["t0dhs", None]}
    assert created == ["create"] * 3
    downgrade(fresh_url, "0003")  # and back down, data and all
