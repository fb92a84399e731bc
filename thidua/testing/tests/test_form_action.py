"""`run_form_action`: a refused action becomes an error of the form, with its kind's status."""

from typing import Any

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.base import SessionBase
from django.test import RequestFactory

from thidua.errors import ActionRefused, Refusal, refusal_told, run_form_action

# The rule of Refusal's docstring, written out kind by kind.
STATUS_OF = {
    **dict.fromkeys(
        [
            "refused",
            "closed",
            "wrong_phase",
            "wrong_status",
            "phase_refused",
            "final",
            "locked",
            "submitted",
            "started",
            "settled",
            "merged",
            "stale",
            "exists",
            "duplicate",
            "already_signed",
            "already_voted",
            "nothing",
            "none_late",
            "not_open",
            "paper",
            "incomplete",
            "unexplained",
            "not_failed",
            "input_gone",
        ],
        409,
    ),
    **dict.fromkeys(
        [
            "invalid",
            "same",
            "invalid_values",
            "workbook_refused",
            "bad_template",
            "bad_rule",
            "bad_birth_year",
            "bad_period",
            "bad_year",
            "bad_date",
            "bad_ballot",
            "missing",
            "no_reason",
            "nominee",
            "kind",
            "settings",
            "paper_count",
            "self_review",
            "file_type",
            "size",
        ],
        400,
    ),
    **dict.fromkeys(["not_a_voter", "not_yours", "own_dispute", "same_person"], 403),
    "disk_full": 507,
}


class NameForm(forms.Form):
    name = forms.CharField()


def refuse(kind: Any) -> Any:
    def action() -> None:
        raise ActionRefused("Hệ thống từ chối.", kind=kind, details=["Dòng 2: thiếu tên."])

    return action


def test_every_kind_of_refusal_has_a_status_by_the_rule() -> None:
    assert {kind.value: int(kind.status) for kind in Refusal} == STATUS_OF


@pytest.mark.parametrize("kind", list(Refusal), ids=str)
def test_a_refused_action_is_a_form_error_with_its_kinds_status(kind: Any) -> None:
    form = NameForm({"name": "Sơn La"})
    outcome = run_form_action(form, refuse(kind))
    assert (outcome.done, outcome.status) == (False, STATUS_OF[kind.value])
    assert form.non_field_errors() == ["Hệ thống từ chối.", "Dòng 2: thiếu tên."]


def test_a_refusal_can_be_told_on_the_field_it_is_about() -> None:
    form = NameForm({"name": "Sơn La"})
    outcome = run_form_action(form, refuse(Refusal.DUPLICATE), field="name")
    assert outcome.status == 409
    assert form.errors["name"] == ["Hệ thống từ chối.", "Dòng 2: thiếu tên."]


def test_an_invalid_form_is_a_400_and_the_action_does_not_run() -> None:
    ran = []
    outcome = run_form_action(NameForm({}), lambda: ran.append("action"))
    assert (outcome.done, outcome.status, ran) == (False, 400, [])


def test_an_action_that_goes_through_is_done_with_its_result() -> None:
    outcome = run_form_action(NameForm({"name": "Lai Châu"}), lambda: 42)
    assert (outcome.done, outcome.status, outcome.result) == (True, 200, 42)


def test_a_refusal_told_as_a_message_keeps_its_kinds_status(rf: RequestFactory) -> None:
    request = rf.post("/")
    request.session = SessionBase()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]  # as MessageMiddleware
    with refusal_told(request) as told:
        refuse(Refusal.NOT_A_VOTER)()
    assert told.status == 403
    with refusal_told(request) as told:
        pass
    assert told.status == 200
