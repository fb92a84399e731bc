"""The one exception an action raises when the rules of the work refuse a change, the kinds
of refusal with the HTTP status each answers, and how a page tells the user about it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from http import HTTPStatus
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:  # actions and models raise the exception; only pages tell it
    from django import forms
    from django.http import HttpRequest

T = TypeVar("T")


class Refusal(StrEnum):
    """Why the rules refuse a change; `status` is what every page and the API answer with.

    One rule decides the status:
    - 409 Conflict: the request is sound, but the state of things refuses it now (a wrong
      phase or status, a closed year, a final or locked record, something that exists or was
      done already, nothing yet to act on, an edit made over someone else's newer one);
    - 400 Bad Request: the rules refuse what the user entered, and the user can correct it
      and send it again (a missing or invalid value, a change that changes nothing, a file
      of the wrong type or size);
    - 403 Forbidden: the rules refuse who is acting (not the unit's leader, not the assigned
      reviewer, the same person on both sides of a check);
    - 507 Insufficient Storage: the server has no room left to store what was sent.
    """

    # The state of things: 409.
    REFUSED = "refused"  # no more precise kind fits
    CLOSED = "closed"  # the year, or the poll, is closed
    WRONG_PHASE = "wrong_phase"
    WRONG_STATUS = "wrong_status"
    PHASE_REFUSED = "phase_refused"  # the year's areas refuse to leave the phase yet
    FINAL = "final"
    LOCKED = "locked"
    SUBMITTED = "submitted"
    STARTED = "started"
    SETTLED = "settled"
    MERGED = "merged"
    STALE = "stale"
    EXISTS = "exists"
    DUPLICATE = "duplicate"
    ALREADY_SIGNED = "already_signed"
    ALREADY_VOTED = "already_voted"
    NOTHING = "nothing"  # nothing to act on yet
    NONE_LATE = "none_late"  # no member chosen has values left to report
    NOT_OPEN = "not_open"
    PAPER = "paper"  # the poll is held on paper ballots
    INCOMPLETE = "incomplete"
    UNEXPLAINED = "unexplained"
    NOT_FAILED = "not_failed"
    INPUT_GONE = "input_gone"
    # What the user entered: 400.
    INVALID = "invalid"
    SAME = "same"  # what was sent changes nothing
    INVALID_VALUES = "invalid_values"
    WORKBOOK_REFUSED = "workbook_refused"
    BAD_TEMPLATE = "bad_template"
    BAD_RULE = "bad_rule"
    BAD_BIRTH_YEAR = "bad_birth_year"
    BAD_PERIOD = "bad_period"
    BAD_YEAR = "bad_year"
    BAD_DATE = "bad_date"
    BAD_BALLOT = "bad_ballot"
    MISSING = "missing"
    NO_REASON = "no_reason"
    NOMINEE = "nominee"
    KIND = "kind"
    SETTINGS = "settings"
    PAPER_COUNT = "paper_count"
    SELF_REVIEW = "self_review"
    FILE_TYPE = "file_type"
    SIZE = "size"
    # Who is acting: 403.
    NOT_A_VOTER = "not_a_voter"
    NOT_YOURS = "not_yours"
    OWN_DISPUTE = "own_dispute"
    SAME_PERSON = "same_person"
    # The server's room: 507.
    NO_ROOM = "disk_full"

    @property
    def status(self) -> HTTPStatus:
        return _STATUS.get(self, HTTPStatus.CONFLICT)


_STATUS: dict[Refusal, HTTPStatus] = {
    **dict.fromkeys(
        [
            Refusal.INVALID,
            Refusal.SAME,
            Refusal.INVALID_VALUES,
            Refusal.WORKBOOK_REFUSED,
            Refusal.BAD_TEMPLATE,
            Refusal.BAD_RULE,
            Refusal.BAD_BIRTH_YEAR,
            Refusal.BAD_PERIOD,
            Refusal.BAD_YEAR,
            Refusal.BAD_DATE,
            Refusal.BAD_BALLOT,
            Refusal.MISSING,
            Refusal.NO_REASON,
            Refusal.NOMINEE,
            Refusal.KIND,
            Refusal.SETTINGS,
            Refusal.PAPER_COUNT,
            Refusal.SELF_REVIEW,
            Refusal.FILE_TYPE,
            Refusal.SIZE,
        ],
        HTTPStatus.BAD_REQUEST,
    ),
    **dict.fromkeys(
        [Refusal.NOT_A_VOTER, Refusal.NOT_YOURS, Refusal.OWN_DISPUTE, Refusal.SAME_PERSON],
        HTTPStatus.FORBIDDEN,
    ),
    Refusal.NO_ROOM: HTTPStatus.INSUFFICIENT_STORAGE,
}


class ActionRefused(Exception):
    """A change the rules refuse; `message` is already translated for the user, and
    `details` (each bad row of a file, say) follow it."""

    def __init__(
        self,
        message: str,
        *,
        kind: Refusal = Refusal.REFUSED,
        details: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details)
        self.kind = kind

    @property
    def status(self) -> HTTPStatus:
        return self.kind.status


class Told:
    """What `refusal_told` saw: the refusal, if the block's action was refused."""

    refusal: ActionRefused | None = None

    @property
    def status(self) -> int:
        """The status of a page re-rendered after the block: the refusal's, else 200."""
        return self.refusal.status if self.refusal is not None else HTTPStatus.OK


@contextmanager
def refusal_told(request: HttpRequest) -> Iterator[Told]:
    """Run the block; if the rules refuse its action, the next page tells the user why.

    The rest of the block runs only when the action went through, so it is where the
    success message goes::

        with refusal_told(request):
            actions.do_finalise_report(report, acting_user=request.user)
            messages.success(request, _("The report is final."))
        return redirect(...)

    A page that is rendered again rather than redirected answers `told.status`, the status
    the API gives for the same refusal::

        with refusal_told(request) as told:
            actions.do_sign_pledge(pledge, unit=unit, acting_user=request.user)
            return redirect(...)
        return render(request, "cycle/pledge.html", context, status=told.status)
    """
    from django.contrib import messages

    told = Told()
    try:
        yield told
    except ActionRefused as refused:
        messages.error(request, refused.message)
        told.refusal = refused


@dataclass(frozen=True)
class FormOutcome(Generic[T]):
    """What became of a form's action: done with its result, or the status to answer with."""

    status: int
    done: bool = False
    result: T | None = None


def run_form_action(
    form: forms.BaseForm, action: Callable[[], T], *, field: str | None = None
) -> FormOutcome[T]:
    """Validate the form and, if it is valid, run its action.

    An invalid form answers 400; a refused action becomes an error of the form (on `field`,
    or of the whole form) and answers the refusal's status, so the page re-rendered with the
    form says why, with the same status the API gives::

        outcome = run_form_action(form, lambda: actions.do_set_pledge(year, **form.cleaned_data))
        if outcome.done:
            messages.success(request, _("The pledge is saved."))
            return redirect(...)
        return render(request, "cycle/pledge_form.html", {"form": form}, status=outcome.status)
    """
    if not form.is_valid():
        return FormOutcome(HTTPStatus.BAD_REQUEST)
    try:
        result = action()
    except ActionRefused as refused:
        form.add_error(field, [refused.message, *refused.details])
        return FormOutcome(refused.status)
    return FormOutcome(HTTPStatus.OK, done=True, result=result)
