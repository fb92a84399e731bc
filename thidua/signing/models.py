"""Signing identities (a leader's or an agency's certificate with its key) and signed documents.

A person identity belongs to the account of the leader who signs; an agency identity belongs to
an organisation and is used by its clerk. A PKCS#12 identity keeps its private key encrypted
under the key-encryption key (`keystore`); a PKCS#11 identity keeps only where the key is on
the token. A signed document is final: it is never changed or deleted once made.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SigningIdentity(models.Model):
    """A certificate and the means to sign with its key, for a person or an agency."""

    class Backend(models.TextChoices):
        PKCS12 = "pkcs12", _("Certificate file (PKCS#12)")
        PKCS11 = "pkcs11", _("Token (PKCS#11)")

    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signing person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signing_identities",
    )
    owner_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signing_identities",
    )
    backend = models.CharField(_("kind of key"), max_length=8, choices=Backend.choices)
    certificate_pem = models.TextField(_("certificate"))
    chain_pem = models.TextField(_("certificate chain"), blank=True)
    fingerprint = models.CharField(_("fingerprint (SHA-256)"), max_length=64, db_index=True)
    subject_name = models.CharField(_("subject"), max_length=255)
    subject_org = models.CharField(_("subject organisation"), max_length=255, blank=True)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    # PKCS#12: the private key (PKCS#8 DER) sealed with AES-GCM under the key-encryption key.
    encrypted_key = models.BinaryField(_("encrypted key"), blank=True, default=b"", editable=False)
    kek_id = models.CharField(_("key-encryption key"), max_length=16, blank=True, editable=False)
    # PKCS#11: the token and the key on it.
    token_label = models.CharField(_("token label"), max_length=64, blank=True)
    key_label = models.CharField(_("key label"), max_length=64, blank=True)
    # The leader's signature image, or the agency's seal image (PNG, transparent background),
    # shown in the signature's box; without one the box shows its text only.
    image = models.BinaryField(_("signature or seal image"), blank=True, default=b"")
    wrong_pins = models.PositiveSmallIntegerField(_("wrong PINs in a row"), default=0)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("signing identity")
        verbose_name_plural = _("signing identities")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                name="signing_identity_one_owner",
                condition=(Q(owner_person__isnull=False) & Q(owner_org__isnull=True))
                | (Q(owner_person__isnull=True) & Q(owner_org__isnull=False)),
            ),
            models.CheckConstraint(
                name="signing_identity_backend_known",
                condition=Q(backend__in=["pkcs12", "pkcs11"]),
            ),
        ]

    def __str__(self) -> str:
        return self.subject_name

    @property
    def is_agency(self) -> bool:
        return self.owner_org_id is not None


class SignedDocument(models.Model):
    """One signed PDF of one version of a document; never changed once made.

    A document (`kind` + `reference`) gets version N+1 each time it is built and signed again;
    a further signature on a version's signed file (the agency's after the leader's) is a new
    record of the same version that names the one it was added to (`previous`).
    """

    class Role(models.TextChoices):
        PERSON = "person", _("Person with authority")
        AGENCY = "agency", _("Agency")

    kind = models.CharField(_("document kind"), max_length=64)
    # The year whose document this is, when it is one: who may see the year may download it.
    year = models.ForeignKey(
        "cycle.EmulationYear",
        verbose_name=_("year"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reference = models.CharField(_("document"), max_length=255)
    title = models.CharField(_("title"), max_length=255, blank=True)
    version = models.PositiveIntegerField(_("version"))
    previous = models.OneToOneField(
        "self",
        verbose_name=_("signed on top of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next",
    )
    role = models.CharField(_("signed as"), max_length=8, choices=Role.choices)
    identity = models.ForeignKey(
        SigningIdentity,
        verbose_name=_("signing identity"),
        on_delete=models.PROTECT,
        related_name="signed_documents",
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        related_name="signed_documents",
    )
    signed_at = models.DateTimeField(_("signed at"))
    sha256 = models.CharField(_("SHA-256 of the signed file"), max_length=64, db_index=True)
    file = models.FileField(_("signed file"), upload_to="signing/%Y/")
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("signed document")
        verbose_name_plural = _("signed documents")
        ordering = ["kind", "reference", "version", "pk"]
        indexes = [models.Index(fields=["kind", "reference", "version"], name="signed_doc_version")]

    def __str__(self) -> str:
        return f"{self.title or self.reference} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A signed document is final and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("A signed document is final and cannot be deleted.")


class Verification(models.Model):
    """One PDF someone had checked: what the audit trail's entry for it points at."""

    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked at"))
    name = models.CharField(_("file name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    ok = models.BooleanField(_("every signature intact and trusted"))
    signatures = models.PositiveSmallIntegerField(_("signatures"))

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        ordering = ["-checked_at", "-pk"]

    def __str__(self) -> str:
        return self.name or self.sha256[:12]


class FetchedCrl(models.Model):
    """A certificate revocation list fetched from the address a certificate names, kept until
    its next update (or `THIDUA_SIGNING_CRL_MAX_AGE_HOURS`) so verifying does not fetch it
    again."""

    url = models.CharField(_("address"), max_length=1000, unique=True)
    data = models.BinaryField(_("list (DER)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    fetched_at = models.DateTimeField(_("fetched at"))
    next_update = models.DateTimeField(_("next update"), null=True, blank=True)

    class Meta:
        verbose_name = _("fetched revocation list")
        verbose_name_plural = _("fetched revocation lists")

    def __str__(self) -> str:
        return self.url
