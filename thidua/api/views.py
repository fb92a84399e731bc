"""The page where a user makes and revokes personal API tokens, and sees when each was last
used and when it expires."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from thidua.access import SignedInRequest
from thidua.errors import refusal_told, run_form_action
from thidua.lib.formfields import TextField
from thidua.orgs.models import User

from .actions import do_create_token, do_revoke_token
from .models import ApiToken


def _user(request: SignedInRequest) -> User:
    # The views are behind login_required: the user is a real account.
    assert isinstance(request.user, User)
    return request.user


class TokenForm(forms.Form):
    name = TextField(label=gettext_lazy("Name"), max_length=100)
    scope = forms.ChoiceField(
        label=gettext_lazy("The token may"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        required=False,
    )
    days = forms.IntegerField(label=gettext_lazy("Valid for (days)"), min_value=1, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        longest = settings.THIDUA_API_TOKEN_MAX_DAYS
        days = self.fields["days"]
        assert isinstance(days, forms.IntegerField)
        days.initial = settings.THIDUA_API_TOKEN_DAYS
        days.max_value = longest
        days.validators.append(MaxValueValidator(longest))
        days.widget.attrs["max"] = longest
        days.help_text = gettext_lazy("At most %(days)s days.") % {"days": longest}


@login_required
def tokens(request: SignedInRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_key = None
    status = 200
    if request.method == "POST":
        outcome = run_form_action(
            form,
            lambda: do_create_token(
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"] or ApiToken.Scope.READ,
                days=form.cleaned_data["days"],
                acting_user=request.user,
            ),
            field="name",
        )
        if outcome.result is not None:
            _token, new_key = outcome.result
        status = outcome.status
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": ApiToken.objects.filter(user=_user(request)),
        },
        status=status,
    )


@login_required
@require_POST
def revoke_token(request: SignedInRequest, pk: int) -> HttpResponse:
    # Another user's token is as good as absent: 404, never a hint that it exists.
    token = ApiToken.objects.filter(pk=pk, user=_user(request)).first()
    if token is None:
        raise Http404
    with refusal_told(request):
        do_revoke_token(token, acting_user=request.user)
        messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("api_tokens")
