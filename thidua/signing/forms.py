"""The forms of signing: a PDF to verify, a document to sign, an identity to add."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from thidua.lib.formfields import TextField
from thidua.lib.uploads import UploadField
from thidua.orgs.models import Organization, User

from .models import SigningIdentity


class VerifyForm(forms.Form):
    file = UploadField(kind="signed_pdf", label=_("Signed PDF file"))


class SignForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"))
    identity = forms.ModelChoiceField(
        label=_("Sign with"), queryset=SigningIdentity.objects.none(), empty_label=None
    )
    on_latest = forms.BooleanField(
        label=_("Add the signature to the latest signed version (the agency's after the leader's)"),
        required=False,
    )
    pin = forms.CharField(
        label=_("Token PIN (only for a token)"),
        required=False,
        max_length=64,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def __init__(
        self,
        *args: Any,
        kinds: list[tuple[str, str]],
        identities: list[SigningIdentity],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = kinds
        field = self.fields["identity"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = SigningIdentity.objects.filter(pk__in=[i.pk for i in identities])
        field.label_from_instance = _identity_label  # type: ignore[assignment]


def _identity_label(identity: SigningIdentity) -> str:
    if identity.owner_org_id is not None:
        return f"{identity.subject_name} — {_('agency')} ({identity.get_backend_display()})"
    return f"{identity.subject_name} ({identity.get_backend_display()})"


class IdentityForm(forms.Form):
    """An identity from a PKCS#12 file, or a token's key with its certificate."""

    owner_person = forms.ModelChoiceField(
        label=_("Signing person (a leader's account)"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
    )
    owner_org = forms.ModelChoiceField(
        label=_("Or the agency (its seal)"),
        queryset=Organization.objects.filter(archived=False).order_by("name"),
        required=False,
    )
    backend = forms.ChoiceField(label=_("Kind of key"), choices=SigningIdentity.Backend.choices)
    pkcs12 = UploadField(
        kind="signing_identity", label=_("Certificate file (.p12, .pfx)"), required=False
    )
    password = forms.CharField(
        label=_("Password of the certificate file (used once, not kept)"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    certificate = UploadField(
        kind="signing_identity", label=_("Certificate of the token's key (PEM)"), required=False
    )
    token_label = TextField(label=_("Token label"), required=False, max_length=64)
    key_label = TextField(label=_("Key label on the token"), required=False, max_length=64)
    image = UploadField(
        kind="signing_identity",
        label=_("Signature or seal image (PNG, transparent background)"),
        required=False,
    )
