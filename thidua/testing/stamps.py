"""A fixture for figures kept per stamp (thidua/audit/stamp.py): changes made elsewhere."""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest

from thidua.audit import stamp


@pytest.fixture
def elsewhere(monkeypatch: pytest.MonkeyPatch) -> Callable[[], AbstractContextManager[None]]:
    """Make a change as another process would: this process's own saves go unnoticed, so
    only the audit chain's head can tell the pages that the data changed."""

    @contextmanager
    def run() -> Iterator[None]:
        generation = stamp._generation
        yield
        monkeypatch.setattr(stamp, "_generation", generation)

    return run


@pytest.fixture(autouse=True)
def _outside_any_request() -> None:
    """Each test starts outside a request. A streamed answer (a download) that a test never
    closes never sends `request_finished`, so the stamp would still be cached for a request
    that ended, and a later test in the process would read it instead of the chain's head."""
    stamp._request_finished()
