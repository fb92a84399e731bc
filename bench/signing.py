"""Benchmark: signing a PDF (PKCS#12 key in memory, and a SoftHSM2 token) and verifying it.

    .venv/bin/python -m bench.signing [--runs 10] [--pages 1 50]

Measured, on a PDF of N pages written by pyHanko: one PAdES signature with a visible box
(`thidua.signing.pdfsign.sign`, as `do_sign_pdf` calls it, without the database); the agency's
second signature on the signed file; the verification of the file with both
(`thidua.signing.verification.verify_pdf`, chain and CRL against the test authority); and, as
the machine's floor, an RSA-2048 signature of the file's SHA-256 with `cryptography` alone.
Uses the test authority and token of `thidua.signing.testing`.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(work: Callable[[], object], runs: int) -> tuple[float, float]:
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds) * 1000, max(seconds) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pages", type=int, nargs="*", default=[1, 50])
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thidua.settings.test")
    import django

    django.setup()
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    from django.conf import settings
    from pyhanko.sign import signers

    from thidua.signing import pdfsign, rules
    from thidua.signing.testing import sample_pdf, signing_pki_once, softhsm
    from thidua.signing.verification import verify_pdf

    pki = signing_pki_once()
    hsm = softhsm()
    settings.THIDUA_SIGNING_TRUST_ROOTS = [str(pki.root_path)]
    settings.THIDUA_SIGNING_CRLS = [str(pki.crl_path)]
    settings.THIDUA_SIGNING_PKCS11_MODULE = hsm.module

    def p12(credential: object) -> signers.Signer:
        return signers.SimpleSigner.load_pkcs12_data(
            credential.pkcs12,  # type: ignore[attr-defined]
            other_certs=[],
            passphrase=credential.password.encode(),  # type: ignore[attr-defined]
        )

    leader, agency = p12(pki.person), p12(pki.agency)
    when = rules.signing_time(__import__("datetime").datetime.now(rules.VIETNAM))
    print(f"runs: {args.runs}; median / max in ms")
    for pages in args.pages:
        pdf = sample_pdf(pages=pages)

        def sign_leader(pdf: bytes = pdf) -> bytes:
            return pdfsign.sign(
                pdf, leader, role=rules.PERSON, field_name="NguoiKy1",
                box=rules.box_for(rules.PERSON), lines=["Nguyễn Văn Lãnh", when],
            )  # fmt: skip

        signed = sign_leader()

        def sign_agency(signed: bytes = signed) -> bytes:
            return pdfsign.sign(
                signed, agency, role=rules.AGENCY, field_name="CoQuan2",
                box=rules.box_for(rules.AGENCY), lines=["Sở KH&ĐT Sơn La", when],
            )  # fmt: skip

        both = sign_agency()

        def sign_token(pdf: bytes = pdf) -> bytes:
            from pyhanko.config.pkcs11 import TokenCriteria
            from pyhanko.sign.pkcs11 import PKCS11Signer, find_token, p11_lib

            token = find_token(
                p11_lib(hsm.module).get_slots(),
                token_criteria=TokenCriteria(label=hsm.tokens[pki.person.name]),
            )
            assert token is not None
            with token.open(user_pin=hsm.pin) as session:
                signer = PKCS11Signer(session, key_label=hsm.key_label)
                return pdfsign.sign(
                    pdf, signer, role=rules.PERSON, field_name="NguoiKy1",
                    box=rules.box_for(rules.PERSON), lines=["Nguyễn Văn Lãnh", when],
                )  # fmt: skip

        def verify(both: bytes = both) -> object:
            return verify_pdf(both)

        def floor(digest: bytes) -> bytes:
            return pki.person.key.sign(digest, padding.PKCS1v15(), hashes.SHA256())

        report = verify_pdf(both)
        assert report.ok, report.problems
        digest = hashlib.sha256(both).digest()
        rows = {
            "leader signs (PKCS#12)": timed(sign_leader, args.runs),
            "leader signs (SoftHSM2 token)": timed(sign_token, args.runs),
            "agency signs on top": timed(sign_agency, args.runs),
            "verify both signatures": timed(verify, args.runs),
            "floor: RSA-2048 signature of a digest": timed(
                functools.partial(floor, digest), args.runs
            ),
        }
        print(f"\n{pages} page(s), {len(pdf):,} bytes unsigned, {len(both):,} bytes signed twice")
        for label, (median, worst) in rows.items():
            print(f"  {label:42} {median:8.1f} {worst:8.1f}")


if __name__ == "__main__":
    main()
