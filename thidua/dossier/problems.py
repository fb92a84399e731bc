"""The user's words for what is wrong with a package (`rules.Finding`)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .rules import Finding

ROLE_LABELS = {
    "proposal": gettext_lazy("Proposal letter"),
    "minutes": gettext_lazy("Minutes of the vote count"),
    "list": gettext_lazy("Proposal list"),
    "achievement": gettext_lazy("Achievement report"),
    "evidence": gettext_lazy("Evidence"),
    "catalogue": gettext_lazy("Catalogue of the dossier"),
}

MESSAGES = {
    "not_a_zip": gettext_lazy("The file is not a dossier package (a .zip file)."),
    "too_big": gettext_lazy(
        "The package unpacks to more than the allowed size (a zip bomb?); it is refused."
    ),
    "too_many_files": gettext_lazy(
        "The package holds %(detail)s files, more than a dossier may hold."
    ),
    "climbs_out": gettext_lazy(
        "The package's file “%(path)s” points outside the package's folder; it is refused."
    ),
    "bad_name": gettext_lazy("The package's file name “%(path)s” is not allowed."),
    "twice": gettext_lazy("The package holds the file “%(path)s” twice."),
    "manifest_missing": gettext_lazy("The package has no manifest.json."),
    "manifest_unreadable": gettext_lazy("The package's manifest.json cannot be read."),
    "manifest_format": gettext_lazy(
        "The package's manifest.json is in an unknown format (%(detail)s)."
    ),
    "manifest_field": gettext_lazy(
        "The package's manifest.json lacks a valid value for “%(detail)s”."
    ),
    "listed_twice": gettext_lazy("The manifest lists the file “%(path)s” twice."),
    "unknown_role": gettext_lazy("The manifest gives the file “%(path)s” an unknown role."),
    "unknown_nominee": gettext_lazy(
        "The manifest ties the file “%(path)s” to a nominee it does not list."
    ),
    "missing": gettext_lazy("The file “%(path)s” listed in the manifest is missing."),
    "changed": gettext_lazy(
        "The file “%(path)s” was changed: its size or SHA-256 differs from the manifest."
    ),
    "added": gettext_lazy("The file “%(path)s” is not listed in the manifest."),
    "one_proposal": gettext_lazy("The package must hold exactly one proposal letter."),
    "catalogue_mismatch": gettext_lazy(
        "The signed catalogue (%(path)s) does not carry this package's manifest.json."
    ),
    "unsigned": gettext_lazy("The file “%(path)s” is not signed."),
    "not_a_pdf": gettext_lazy("The file “%(path)s” is not a readable PDF."),
    "not_intact": gettext_lazy("The file “%(path)s” was changed after %(detail)s signed it."),
    "not_trusted": gettext_lazy(
        "The certificate of %(detail)s, who signed “%(path)s”, does not chain to a trusted "
        "root, or has expired or been revoked."
    ),
    "foreign_signer": gettext_lazy(
        "“%(path)s” is signed by %(detail)s, who does not belong to the sending agency."
    ),
    "changed_after_signing": gettext_lazy(
        "Content was added to “%(path)s” after its last signature."
    ),
    "signed_twice": gettext_lazy(
        "“%(path)s” is signed twice with the same key, over different content."
    ),
    "no_agency_signature": gettext_lazy(
        "“%(path)s” lacks the digital signature of the agency %(detail)s."
    ),
    "no_leader_signature": gettext_lazy(
        "The proposal letter “%(path)s” lacks the signature of its leader %(detail)s."
    ),
    "not_for_you": gettext_lazy(
        "The package is addressed to %(detail)s, not to your agency; it is refused."
    ),
    "received_again": gettext_lazy(
        "This dossier (number %(detail)s) has already been received, unchanged."
    ),
    "resent_different": gettext_lazy(
        "A dossier numbered %(detail)s was already received with different content, signed "
        "by the same agency: this second version is refused."
    ),
}


def describe(finding: Finding) -> str:
    template = MESSAGES.get(finding.code)
    if template is None:  # pragma: no cover - every code the rules give has its words
        return _("The package is refused.")
    return str(template) % {"path": finding.path, "detail": finding.detail}


def refusal_message(findings: Sequence[Finding]) -> str:
    """The headline of a refused package; each finding follows it as a detail."""
    return _("The dossier package is refused whole; nothing was imported:")
