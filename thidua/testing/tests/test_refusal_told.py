"""`refusal_told`: how a page tells the user that the rules refused an action."""

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.base import SessionBase
from django.test import RequestFactory

from thidua.errors import ActionRefused, refusal_told


@pytest.fixture
def request_(rf: RequestFactory) -> Any:
    request = rf.post("/")
    request.session = SessionBase()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]  # as MessageMiddleware
    return request


def told(request: Any) -> Any:
    return [(m.level_tag, m.message) for m in get_messages(request)]


def test_a_refusal_is_told_and_the_rest_of_the_block_does_not_run(request_: Any) -> None:
    done = []
    with refusal_told(request_):
        raise_refusal("Năm đã chốt, không sửa được.")
        done.append("success message")
    assert done == []
    assert told(request_) == [("error", "Năm đã chốt, không sửa được.")]


def test_an_action_that_goes_through_runs_the_whole_block(request_: Any) -> None:
    done = []
    with refusal_told(request_):
        done.append("action")
        done.append("success message")
    assert done == ["action", "success message"]
    assert told(request_) == []


def test_any_other_error_is_not_swallowed(request_: Any) -> None:
    with pytest.raises(ValueError), refusal_told(request_):
        raise ValueError("a bug, not a refusal")
    assert told(request_) == []


def raise_refusal(message: Any) -> None:
    raise ActionRefused(message)
