"""The ballot box: sealed while the poll is open, published once it closes, recounted by anyone.

While a poll is open each ballot is stored sealed: its receipt's hash and its choices, padded
to one length for the whole poll and encrypted under a key the database does not hold (the
caller derives it from the server's secret key). A sealed row can be lined up with the
register row written in the same transaction, but it shows nothing of what it holds.

At the close the box is opened: the ballots are written out in a random order, with random
keys, and published as a document listing each ballot's choices and receipt hash, sorted by
the hash, with the rules, the result and a digest of the whole. `recount` counts such a
document again and says what does not match.

Pure: no Django. The seal is AES-256-GCM (the `cryptography` library), under a key derived
from the caller's with HMAC-SHA256, with a fresh random nonce per ballot.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections import Counter
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import rules

FORMAT = "thidua-ballot-box-1"
NONCE_BYTES = 12  # AES-GCM's nonce
TAG_BYTES = 16  # AES-GCM's tag
_HASH_CHARS = 64  # a receipt's SHA-256, in hexadecimal
_CHOICE_CHARS = 21  # a candidate key of up to 20 digits and its comma

# Problems `recount` finds in a published box (told by `problems.describe`).
BOX_MALFORMED = "box_malformed"
BOX_DIGEST_CHANGED = "box_digest_changed"
BOX_DIGEST_NOT_PUBLISHED = "box_digest_not_published"
BOX_RECEIPT_TWICE = "box_receipt_twice"
BOX_BALLOT_INVALID = "box_ballot_invalid"
BOX_RESULT_DIFFERS = "box_result_differs"


# ---------------------------------------------------------------------------
# Sealed ballots
# ---------------------------------------------------------------------------


def _cipher(key: bytes) -> AESGCM:
    return AESGCM(hmac.new(key, b"thidua ballot: AES-256-GCM", hashlib.sha256).digest())


def seal(key: bytes, plaintext: bytes) -> bytes:
    """`plaintext` encrypted and authenticated under `key`, with a fresh random nonce."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + _cipher(key).encrypt(nonce, plaintext, None)


def unseal(keys: Sequence[bytes], sealed: bytes) -> bytes:
    """The plaintext of `sealed`, under whichever of `keys` sealed it; ValueError if none did."""
    nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    for key in keys:
        try:
            return _cipher(key).decrypt(nonce, body, None)
        except InvalidTag:
            continue
    raise ValueError("the ballot was not sealed with any of these keys, or was changed")


def ballot_width(max_choices: int) -> int:
    """The length of every encoded ballot of a poll allowing `max_choices` choices."""
    return _HASH_CHARS + 1 + _CHOICE_CHARS * max_choices


def sealed_width(max_choices: int) -> int:
    return NONCE_BYTES + ballot_width(max_choices) + TAG_BYTES


def encode_ballot(receipt_hash: str, choices: Sequence[int], max_choices: int) -> bytes:
    """A ballot as bytes of the poll's one length: blank and full ballots look alike."""
    text = f"{receipt_hash}:{','.join(str(c) for c in sorted(choices))}".encode()
    width = ballot_width(max_choices)
    if len(receipt_hash) != _HASH_CHARS or len(text) > width:
        raise ValueError("the ballot does not fit the poll's width")
    return text.ljust(width, b" ")


def decode_ballot(data: bytes) -> tuple[str, tuple[int, ...]]:
    """The receipt hash and the choices of an encoded ballot."""
    receipt_hash, _colon, choices = data.decode().rstrip(" ").partition(":")
    return receipt_hash, tuple(int(c) for c in choices.split(",") if c)


# ---------------------------------------------------------------------------
# The published box
# ---------------------------------------------------------------------------


def canonical(document: Mapping[str, Any]) -> bytes:
    """The bytes the digest is taken of: the document without its digest, in one spelling."""
    content = {key: value for key, value in document.items() if key != "digest"}
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest(document: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


def summary(result: rules.Result, numbers: Mapping[Any, int]) -> dict[str, Any]:
    """What the document states of the count, candidates by their number on the list."""
    return {
        "ballots_cast": result.ballots_cast,
        "blank_ballots": result.blank_ballots,
        "votes": {str(numbers[key]): votes for key, votes in result.counts.items()},
        "passed": sorted(numbers[key] for key in result.passed),
        "elected": sorted(numbers[key] for key in result.elected),
        "tie": [numbers[key] for key in result.tie],
    }


def document(
    *,
    poll: Mapping[str, Any],
    settings: rules.PollSettings,
    entitled: int,
    candidates: Sequence[Mapping[str, Any]],
    ballots: Sequence[tuple[str, Sequence[Any]]],
) -> dict[str, Any]:
    """The published box of a closed poll, its digest included.

    `candidates` are in list order, each with its "name"; `ballots` are (receipt hash, chosen
    keys of `settings.candidates`). Candidates are numbered from 1 in list order, and the
    ballots are sorted by receipt hash, which says nothing of when or by whom each was cast.
    """
    numbers = {key: number for number, key in enumerate(settings.candidates, start=1)}
    result = rules.tally(settings, [tuple(choices) for _hash, choices in ballots], entitled)
    content: dict[str, Any] = {
        "format": FORMAT,
        "poll": dict(poll),
        "rules": {
            "entitled": entitled,
            "max_choices": settings.max_choices,
            "seats": settings.seats,
            "threshold": f"{settings.threshold.numerator}/{settings.threshold.denominator}",
            "threshold_base": str(settings.threshold_base),
            "strict": settings.strict,
            "tie_rule": str(settings.tie_rule),
        },
        "candidates": [
            {"number": number, "name": candidate["name"]}
            for number, candidate in enumerate(candidates, start=1)
        ],
        "ballots": [
            {"receipt_hash": receipt_hash, "choices": sorted(numbers[key] for key in choices)}
            for receipt_hash, choices in sorted(ballots)
        ],
        "result": summary(result, numbers),
    }
    content["digest"] = digest(content)
    return content


def _settings(content: Mapping[str, Any]) -> tuple[rules.PollSettings, int]:
    given = content["rules"]
    numerator, denominator = (int(part) for part in str(given["threshold"]).split("/"))
    settings = rules.PollSettings(
        candidates=tuple(int(c["number"]) for c in content["candidates"]),
        max_choices=int(given["max_choices"]),
        allow_self_vote=True,  # a published ballot names no voter
        threshold_base=rules.ThresholdBase(given["threshold_base"]),
        seats=None if given["seats"] is None else int(given["seats"]),
        threshold=Fraction(numerator, denominator),
        strict=bool(given["strict"]),
        tie_rule=rules.TieRule(given["tie_rule"]),
    )
    return settings, int(given["entitled"])


def recount(
    content: Mapping[str, Any], published_digest: str | None = None
) -> tuple[rules.Result | None, list[rules.Problem]]:
    """Count a published box again: the result, and every way the box fails to match.

    The box must still hash to the digest it states and, when given, to `published_digest`
    (the one on the results page); no receipt may appear twice; every ballot must keep to
    the rules; and the recount must give the result the box states.
    """
    try:
        settings, entitled = _settings(content)
        listed = [int(c["number"]) for c in content["candidates"]]
        ballots = [
            (str(b["receipt_hash"]), tuple(int(c) for c in b["choices"]))
            for b in content["ballots"]
        ]
        stated_digest, stated_result = str(content["digest"]), content["result"]
        if content["format"] != FORMAT:
            raise ValueError(content["format"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None, [rules.Problem(BOX_MALFORMED)]
    problems: list[rules.Problem] = []
    actual = digest(content)
    if actual != stated_digest:
        changed = {"stated": stated_digest, "actual": actual}
        problems.append(rules.Problem(BOX_DIGEST_CHANGED, changed))
    if published_digest is not None and actual != published_digest.strip().lower():
        other = {"published": published_digest, "actual": actual}
        problems.append(rules.Problem(BOX_DIGEST_NOT_PUBLISHED, other))
    seen = Counter(receipt_hash for receipt_hash, _choices in ballots)
    twice = sorted(h for h, times in seen.items() if times > 1)
    problems += [rules.Problem(BOX_RECEIPT_TWICE, {"receipt_hash": h}) for h in twice]
    invalid = [
        number
        for number, (_hash, choices) in enumerate(ballots, start=1)
        if rules.check_ballot(settings, choices, voter_key=None)
    ]
    if invalid or rules.validate_settings(settings, entitled):
        problems += [rules.Problem(BOX_BALLOT_INVALID, {"ballot": n}) for n in invalid]
        return None, problems or [rules.Problem(BOX_MALFORMED)]
    result = rules.tally(settings, [choices for _hash, choices in ballots], entitled)
    if summary(result, {n: n for n in listed}) != stated_result:
        problems.append(rules.Problem(BOX_RESULT_DIFFERS))
    return result, problems
