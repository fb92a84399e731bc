"""The award catalogue the jobs import against, whatever a transactional test flushed."""

import pytest

from thidua.awards.catalogue import ensure_catalogue


@pytest.fixture(autouse=True)
def _catalogue(request: pytest.FixtureRequest) -> None:
    # A transactional test elsewhere may have flushed the rows migration 0002 wrote.
    uses_db = request.node.get_closest_marker("django_db") or (
        {"db", "transactional_db", "world"} & set(request.fixturenames)
    )
    if uses_db:
        marker = request.node.get_closest_marker("django_db")
        transactional = "transactional_db" in request.fixturenames or (
            marker is not None and marker.kwargs.get("transaction", False)
        )
        request.getfixturevalue("transactional_db" if transactional else "db")
        ensure_catalogue()
