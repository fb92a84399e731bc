"""`refusal_told`: how a page tells the user that the rules refused an action."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage

from thidua.errors import ActionRefused, refusal_told


@pytest.fixture
def request_(rf):
    request = rf.post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def told(request):
    return [(m.level_tag, m.message) for m in get_messages(request)]


def test_a_refusal_is_told_and_the_rest_of_the_block_does_not_run(request_):
    done = []
    with refusal_told(request_):
        raise_refusal("Năm đã chốt, không sửa được.")
        done.append("success message")
    assert done == []
    assert told(request_) == [("error", "Năm đã chốt, không sửa được.")]


def test_an_action_that_goes_through_runs_the_whole_block(request_):
    done = []
    with refusal_told(request_):
        done.append("action")
        done.append("success message")
    assert done == ["action", "success message"]
    assert told(request_) == []


def test_any_other_error_is_not_swallowed(request_):
    with pytest.raises(ValueError), refusal_told(request_):
        raise ValueError("a bug, not a refusal")
    assert told(request_) == []


def raise_refusal(message):
    raise ActionRefused(message)
