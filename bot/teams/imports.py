"""The partner teams of an integrations export: a top-level `teams:` list beside the issuers,

    teams:
      - name: DHS Benefits            # the slug is made from it (dhs-benefits)
        agency: Department of Homeland Security
        members: [ana@dhs.gov]        # matched to Slack users at import or on first use
        integrations: [urn:gov:...]   # issuers of this export the team owns

checked with the issuers (`check_teams`) and imported after them (`import_teams`): teams are
created or updated by slug, members added by email, the integrations given to the team; every
change is a team event, and a re-import changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Integration, Team, TeamMember
from bot.teams.manage import EMAIL, SLUG, TEXT_LIMIT, _event, find_member

TEAMS_KEY = "teams"
FIELDS = ("name", "agency", "members", "integrations")

# email -> Slack user ID, or None when Slack does not know it (users.lookupByEmail)
Lookup = Callable[[str], "str | None"]


def slug_of(name: str) -> str:
    """The team's slug from its name: lower case, runs of other characters made one hyphen."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:32].rstrip("-")
    return slug if slug[:1].isalpha() else f"t-{slug}"[:32].rstrip("-")


def check_teams(value: Any, issuers: set[str]) -> list[tuple[str, str | None, str]]:
    """(where, field, problem) per problem of the `teams:` list; empty when it can be imported."""
    if not isinstance(value, list):
        return [(TEAMS_KEY, None, "should be a list of teams (name, agency, members, "
                 "integrations)")]
    problems: list[tuple[str, str | None, str]] = []
    slugs: dict[str, str] = {}
    owner: dict[str, str] = {}
    for i, team in enumerate(value):
        where = f"{TEAMS_KEY}[{i}]"
        if not isinstance(team, Mapping):
            problems.append((where, None, "should be a mapping with name, agency, members, "
                             "integrations"))
            continue
        name = team.get("name")
        if isinstance(name, str) and name.strip():
            where = f"{TEAMS_KEY}: {name.strip()[:60]}"
        for key in team:
            if key not in FIELDS:
                problems.append((where, str(key), f"unknown field: one of {', '.join(FIELDS)}"))
        for key in ("name", "agency"):
            text = team.get(key)
            if not isinstance(text, str) or not text.strip():
                problems.append((where, key, "is missing (a line of text)"))
            elif len(text.strip()) > TEXT_LIMIT:
                problems.append((where, key, f"is {len(text.strip())} characters; at most "
                                 f"{TEXT_LIMIT}"))
        if isinstance(name, str) and name.strip():
            slug = slug_of(name)
            if not SLUG.fullmatch(slug):
                problems.append((where, "name", f"makes no team slug ('{slug}')"))
            elif slug in slugs:
                problems.append((where, "name", f"the same team as '{slugs[slug]}' "
                                 f"(slug {slug})"))
            slugs.setdefault(slug, name.strip())
        for key in ("members", "integrations"):
            items = team.get(key, [])
            if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
                problems.append((where, key, "should be a list of "
                                 + ("emails" if key == "members" else "issuers")))
                continue
            for item in items:
                if key == "members" and (not EMAIL.fullmatch(item.strip()) or len(item) > 320):
                    problems.append((where, key, f"'{item[:60]}' is not an email address"))
                elif key == "integrations" and item.strip() not in issuers:
                    problems.append((where, key, f"'{item[:80]}' is not an issuer of this "
                                     "export"))
                elif key == "integrations" and owner.setdefault(item.strip(), where) != where:
                    problems.append((where, key, f"'{item[:80]}' is already given to "
                                     f"{owner[item.strip()]}"))
    return problems


@dataclass
class TeamsImport:
    created: list[str] = field(default_factory=list)  # slugs
    updated: list[str] = field(default_factory=list)  # name or agency changed
    members_added: dict[str, list[str]] = field(default_factory=dict)  # slug -> emails
    integrations_given: dict[str, list[str]] = field(default_factory=dict)  # slug -> issuers

    def as_json(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated,
                "members_added": self.members_added,
                "integrations_given": self.integrations_given}


def import_teams(session: Session, value: list[Mapping[str, Any]], now: datetime, *,
                 by: str, dry_run: bool = False, lookup: Lookup | None = None) -> TeamsImport:
    """Create or update the teams (checked first with `check_teams`). With `dry_run` only say
    what would change. `lookup` resolves an email to a Slack user ID (only when writing)."""
    result = TeamsImport()
    for entry in value:
        name, agency = entry["name"].strip(), entry["agency"].strip()
        slug = slug_of(name)
        team = session.scalars(select(Team).where(Team.slug == slug)).first()
        if team is None:
            result.created.append(slug)
            if not dry_run:
                team = Team(slug=slug, name=name, agency=agency, created_at=now, updated_at=now)
                session.add(team)
                session.flush()
                _event(session, team, by, "create", now, name=name, agency=agency)
        elif (team.name, team.agency) != (name, agency):
            result.updated.append(slug)
            if not dry_run:
                _event(session, team, by, "update", now, name=[team.name, name],
                       agency=[team.agency, agency])
                team.name, team.agency = name, agency
        emails = list(dict.fromkeys(e.strip().lower() for e in entry.get("members", [])))
        new = [e for e in emails if team is None or find_member(team, None, e) is None]
        if new:
            result.members_added[slug] = new
        if new and team is not None and not dry_run:
            for email in new:
                user_id = lookup(email) if lookup is not None else None
                if user_id is not None and find_member(team, user_id, None) is not None:
                    continue  # already a member by user ID
                team.members.append(TeamMember(user_id=user_id, email=email, added_by=by,
                                               added_at=now))
            _event(session, team, by, "add_members", now, members=new)
        issuers = [i.strip() for i in entry.get("integrations", [])]
        rows = {r.issuer: r for r in session.scalars(
            select(Integration).where(Integration.issuer.in_(issuers)))} if issuers else {}
        given = [i for i in issuers
                 if i not in rows or team is None or rows[i].partner_team_id != team.id]
        if given:
            result.integrations_given[slug] = given
        if given and team is not None and not dry_run:
            previous = {i: rows[i].partner_team_id for i in given if i in rows}
            for issuer in given:
                if issuer in rows:
                    rows[issuer].partner_team_id = team.id
            _event(session, team, by, "own_integrations", now, integrations=previous)
    if not dry_run:
        session.flush()
    return result
