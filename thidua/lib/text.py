"""Vietnamese text at the edges: normalisation, comparison keys, slugs.

Tone-mark placement
-------------------
Vietnamese has two accepted conventions for where the tone mark sits on the
open-syllable diphthongs ``oa``, ``oe`` and ``uy``:

* old style puts it on the first vowel: ``hòa``, ``khỏe``, ``thủy``;
* new style puts it on the second vowel: ``hoà``, ``khoẻ``, ``thuỷ``.

Both spell the same syllable. :func:`canonical_tones` rewrites the old style
into the new style, and only in that exact situation:

* the syllable is an optional initial consonant, then ``oa``/``oe``/``uy``
  with no vowel modifier (no breve, circumflex or horn), and nothing after;
* the initial is not ``q``: in ``quý`` the ``u`` belongs to the consonant
  ``qu``, so the tone always sits on ``y`` and ``qúy`` is a misspelling, not a
  style, and is left alone;
* the syllable carries exactly one tone mark, on one of the two vowels.

With a final consonant (``hoàng``, ``toán``, ``thuyết``) or in a triphthong
(``hoài``, ``khuya``, ``khuỷu``) both styles agree, so nothing is touched.
Because each old-style spelling has exactly one new-style twin, the rewrite
never merges syllables that differ in tone, vowel or consonant.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "canonical_tones",
    "fold",
    "normalize",
    "same_text",
    "slugify_vi",
    "strip_accents",
]

# The five Vietnamese tone marks as combining characters (NFD).
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")

# Initial consonants that may precede oa/oe/uy; "q" is deliberately absent.
_ONSETS: frozenset[str] = frozenset(
    {"b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m"}
    | {"n", "ng", "ngh", "nh", "p", "ph", "r", "s", "t", "th", "tr", "v", "x"}
)
_OPEN_DIPHTHONG = re.compile(
    r"(?:" + "|".join(sorted(_ONSETS, key=len, reverse=True)) + r")?(?:oa|oe|uy)"
)

# A run of letters together with the combining marks that decorate them.
_WORD = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")

# Letters that lose their stroke rather than a combining mark. "ð" (eth)
# turns up in place of "đ" in text converted from legacy encodings.
_STROKED = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


# Invisible characters that change how text is shown, not what it says: bidirectional
# overrides and isolates (a U+202E in a name prints it backwards in a document), zero-width
# spaces and joiners, the byte-order mark. Vietnamese text never needs them.
_INVISIBLE = dict.fromkeys(
    [
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2065),
        *range(0x2066, 0x206A),
        0xFEFF,
        # Control characters XML cannot hold (python-docx refuses a document with one);
        # tab, line feed, carriage return and the separators 0x1C-0x1F are whitespace.
        *range(0x01, 0x09),
        *range(0x0E, 0x1C),
        0x7F,
        0xFFFE,
        0xFFFF,
    ]
)


# In text kept line by line (a text area), the other control characters XML cannot hold stand
# for a space: vertical tab, form feed, the information separators.
_TYPED = {**_INVISIBLE, 0x0B: " ", 0x0C: " ", **dict.fromkeys(range(0x1C, 0x20), " ")}


def typed(s: str) -> str:
    """Return text typed in a box as NFC, its lines and spaces as typed, without invisible
    formatting or control characters (tab and line breaks kept; NUL left for the form to
    refuse)."""
    return unicodedata.normalize("NFC", s.translate(_TYPED))


def normalize(s: str) -> str:
    """Return NFC text, stripped, with every whitespace run collapsed to one space and no
    invisible formatting characters (bidirectional controls, zero-width characters) or control
    characters a document cannot hold."""
    return " ".join(unicodedata.normalize("NFC", s.translate(_INVISIBLE)).split())


def _new_style_syllable(word: str) -> str:
    """Move the tone of one NFD word from the first to the second vowel of oa/oe/uy."""
    tone_positions = [i for i, ch in enumerate(word) if ch in _TONES]
    if len(tone_positions) != 1:
        return word
    pos = tone_positions[0]
    base = word[:pos] + word[pos + 1 :]
    if not _OPEN_DIPHTHONG.fullmatch(base.lower()):
        return word
    # The tone must follow one of the two vowels, i.e. sit at the end of the
    # word or just before its last letter; anywhere else it is not a tone.
    if pos not in (len(base) - 1, len(base)):
        return word
    return base + word[pos]


def canonical_tones(s: str) -> str:
    """Return NFC text with old-style tone placement on oa/oe/uy rewritten to new style."""
    nfd = unicodedata.normalize("NFD", s)
    rewritten = _WORD.sub(lambda m: _new_style_syllable(m.group()), nfd)
    return unicodedata.normalize("NFC", rewritten)


def fold(s: str) -> str:
    """Return a comparison key: normalised, case-folded, with one tone-mark placement.

    Diacritics are kept, so words differing in tone, vowel or đ/d stay apart.
    """
    # casefold() may emit decomposed sequences, so recompose before and after.
    folded = unicodedata.normalize("NFC", normalize(s).casefold())
    return canonical_tones(folded)


def same_text(a: str, b: str) -> bool:
    """Return whether two texts are the same once folded."""
    return fold(a) == fold(b)


def strip_accents(s: str) -> str:
    """Return the text without diacritics (đ becomes d), case and spacing kept."""
    nfd = unicodedata.normalize("NFD", s.translate(_STROKED))
    bare = "".join(ch for ch in nfd if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare)


def slugify_vi(s: str) -> str:
    """Return a lowercase ASCII slug with hyphens between words."""
    # NFKD also splits compatibility forms such as ligatures into ASCII.
    ascii_text = unicodedata.normalize("NFKD", strip_accents(s)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# Vietnamese alphabetical order: the letters with a breve, circumflex or horn and đ are
# letters of their own, after their base; tone marks only break ties.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}
_TONE_MARKS = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def sort_key(s: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A key that sorts Vietnamese names the Vietnamese way (Điện Biên after Cao Bằng)."""
    letters: list[int] = []
    tones: list[int] = []
    for char in fold(s):
        parts = unicodedata.normalize("NFD", char)
        tone = next((_TONE_MARKS[m] for m in parts if m in _TONE_MARKS), 0)
        base = unicodedata.normalize("NFC", "".join(m for m in parts if m not in _TONE_MARKS))
        letters.append(_LETTER_RANK.get(base, 100 + ord(base[0]) if base else 0))
        tones.append(tone)
    return tuple(letters), tuple(tones)
