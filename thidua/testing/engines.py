"""Cases of one database engine: the suite runs once on SQLite and once on PostgreSQL, so a
case marked for one engine is run in that engine's pass and left out of the other's."""

from __future__ import annotations

import pytest
from django.db import connection


def only_on(vendor: str) -> pytest.MarkDecorator:
    """Run the test on `vendor` ("sqlite" or "postgresql") only."""
    return pytest.mark.skipif(
        connection.vendor != vendor, reason=f"a case of {vendor}'s, run in the {vendor} pass"
    )
