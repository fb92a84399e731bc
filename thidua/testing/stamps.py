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
