"""A person's notifications: the list (newest first), marking them read, and what comes by
e-mail."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from thidua import access
from thidua.access import SignedInRequest
from thidua.errors import run_form_action
from thidua.orgs.models import User

from . import actions, reads
from .context_processors import forget
from .forms import PreferencesForm, ReadForm
from .models import Notification

PAGE_SIZE = 30


def _user(request: SignedInRequest) -> User:
    # The views are behind login_required: the user is a real account.
    assert isinstance(request.user, User)
    return request.user


def _own(request: SignedInRequest, pk: int) -> Notification:
    """The user's own notification; 404 for any other (nobody learns another's exists)."""
    notification = Notification.objects.filter(pk=pk).first()
    if notification is None or not request.user.has_perm("notifications.read", notification):
        raise Http404
    return notification


@login_required
@require_GET
def notification_list(request: SignedInRequest) -> HttpResponse:
    access.require(request.user, "notifications.list")
    page = Paginator(reads.listed(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "unread": reads.unread_count(request.user),
            "undelivered": reads.undelivered(request.user),
        },
    )


@login_required
@require_POST
def read(request: SignedInRequest) -> HttpResponse:
    """Mark one notification read; with `open`, go on to the page it links to."""
    form = ReadForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Which notification was read is missing."))
    notification = _own(request, form.cleaned_data["notification"])
    actions.do_mark_read(notification, acting_user=request.user)
    forget(request)
    target = notification.url
    if "open" in request.POST and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def read_all(request: SignedInRequest) -> HttpResponse:
    if actions.do_mark_all_read(acting_user=request.user):
        forget(request)
        messages.success(request, _("Every notification is marked read."))
    return redirect("notifications:list")


@login_required
def preferences(request: SignedInRequest) -> HttpResponse:
    user = _user(request)
    access.require(user, "notifications.list")
    by_email = reads.email_kinds([user.pk])[user.pk]
    form = PreferencesForm(request.POST if request.method == "POST" else None, by_email=by_email)
    status = 200
    if request.method == "POST":
        outcome = run_form_action(
            form,
            lambda: actions.do_set_preferences(by_email=form.chosen(), acting_user=user),
        )
        if outcome.done:
            messages.success(request, _("Your choices are saved."))
            return redirect("notifications:preferences")
        status = outcome.status
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "address": user.email, "undelivered": reads.undelivered(user)},
        status=status,
    )
