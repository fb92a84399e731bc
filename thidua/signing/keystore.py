"""The key-encryption key and the PKCS#12 private keys it seals at rest.

The administrator keeps the key-encryption key in a file (THIDUA_SIGNING_KEY_FILE: 32 random
bytes, base64), outside the database and its backups. Each private key is stored as
nonce || AES-256-GCM(PKCS#8 DER), bound to its certificate's fingerprint (the associated data),
with the first 16 hex digits of the key's own SHA-256 (`kek_id`) to tell a wrong key file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.translation import gettext as _

from thidua.errors import ActionRefused, Refusal

NONCE_BYTES = 12


def new_key_file(path: Path) -> None:
    """Write a fresh key-encryption key to `path`, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")


def _kek() -> bytes:
    configured = settings.THIDUA_SIGNING_KEY_FILE
    if not configured:
        raise ActionRefused(
            _(
                "The administrator has not configured the key-encryption key for signing keys "
                "(THIDUA_SIGNING_KEY_FILE)."
            ),
            kind=Refusal.SETTINGS,
        )
    media = Path(settings.MEDIA_ROOT).absolute()
    if Path(configured).absolute().is_relative_to(media):
        raise ActionRefused(
            _(
                "The key-encryption key must not be kept under the uploaded files' folder, "
                "which every backup holds."
            ),
            kind=Refusal.SETTINGS,
        )
    try:
        key = base64.b64decode(Path(configured).read_text().strip(), validate=True)
    except (OSError, ValueError, binascii.Error):
        key = b""
    if len(key) != 32:
        raise ActionRefused(
            _("The key-encryption key file for signing keys cannot be read or is not valid."),
            kind=Refusal.SETTINGS,
        )
    return key


def kek_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


def seal(private_key_der: bytes, *, fingerprint: str) -> tuple[bytes, str]:
    """The private key encrypted under the key-encryption key, and that key's id."""
    key = _kek()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, private_key_der, fingerprint.encode())
    return nonce + sealed, kek_id(key)


def unseal(sealed: bytes, *, fingerprint: str, sealed_with: str) -> bytes:
    """The private key back; refused when the key-encryption key is not the one it was
    sealed with, or the stored key was altered."""
    key = _kek()
    if kek_id(key) != sealed_with:
        raise ActionRefused(
            _(
                "The signing key was encrypted with another key-encryption key than the one "
                "configured now; ask the administrator to restore the right key file."
            ),
            kind=Refusal.SETTINGS,
        )
    try:
        return AESGCM(key).decrypt(
            bytes(sealed[:NONCE_BYTES]), bytes(sealed[NONCE_BYTES:]), fingerprint.encode()
        )
    except InvalidTag:
        raise ActionRefused(
            _("The stored signing key has been altered and cannot be used."),
            kind=Refusal.SETTINGS,
        ) from None
