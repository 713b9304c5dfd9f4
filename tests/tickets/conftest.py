"""The tickets' tests use the requests' actors, so their store has the same partner teams."""

from __future__ import annotations

import pytest

from bot.store.db import Store
from tests.partner_teams import make_teams


@pytest.fixture
def db(db: Store) -> Store:
    make_teams(db)
    return db
