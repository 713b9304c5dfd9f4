import pytest

from bot.store.db import Store
from tests.partner_teams import make_teams
from tests.requests.conftest import cal  # noqa: F401 (the deploy calendar fixture)


@pytest.fixture
def db(db: Store) -> Store:
    """The migrated store, with the partner teams the requests' actors are on."""
    make_teams(db)
    return db
