"""The one exception an action raises when the rules of the work refuse a change,
and how a page tells the user about it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # actions and models raise the exception; only pages tell it
    from django.http import HttpRequest


class ActionRefused(Exception):
    """A change the rules refuse; `message` is already translated for the user."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@contextmanager
def refusal_told(request: HttpRequest) -> Iterator[None]:
    """Run the block; if the rules refuse its action, the next page tells the user why.

    The rest of the block runs only when the action went through, so it is where the
    success message goes::

        with refusal_told(request):
            actions.do_finalise_report(report, acting_user=request.user)
            messages.success(request, _("The report is final."))
        return redirect(...)
    """
    from django.contrib import messages

    try:
        yield
    except ActionRefused as refused:
        messages.error(request, refused.message)
