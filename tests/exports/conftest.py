from tests.requests.conftest import cal  # noqa: F401 (the deploy calendar fixture)
