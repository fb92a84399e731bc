"""Forms of the dossier pages: signing (which certificate, its PIN), the packages uploaded,
the reasons for returning."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from thidua.lib.formfields import TextField
from thidua.lib.uploads import UploadField
from thidua.signing.models import SigningIdentity

from .models import ReceivedNomination


class SignForm(forms.Form):
    """Sign with one of the identities the user may use; the token's PIN if it is a token."""

    identity = forms.ModelChoiceField(
        label=_("Certificate"), queryset=SigningIdentity.objects.none(), empty_label=None
    )
    secret = forms.CharField(
        label=_("Token PIN"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("Only for a certificate on a token (USB token, HSM)."),
    )

    def __init__(self, *args: Any, identities: QuerySet[SigningIdentity], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["identity"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = identities

    def secret_value(self) -> str | None:
        return self.cleaned_data.get("secret") or None


class PackageForm(forms.Form):
    package = UploadField(kind="dossier", label=_("Package (.zip)"))


class ReturnForm(SignForm):
    reason = TextField(
        label=_("Reason for returning the dossier"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        identities: QuerySet[SigningIdentity],
        nominations: Sequence[ReceivedNomination],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, identities=identities, **kwargs)
        self.nominations = list(nominations)
        for nomination in self.nominations:
            self.fields[f"reason_{nomination.pk}"] = TextField(
                label=nomination.nominee_name,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.order_fields(["reason", *[f"reason_{n.pk}" for n in self.nominations]])

    def own_reasons(self) -> dict[int, str]:
        return {n.pk: self.cleaned_data.get(f"reason_{n.pk}", "") for n in self.nominations}

    def nomination_fields(self) -> list[forms.BoundField]:
        return [self[f"reason_{n.pk}"] for n in self.nominations]
