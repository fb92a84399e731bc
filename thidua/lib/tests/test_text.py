"""Tests for thidua.lib.text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.lib.text import (
    canonical_tones,
    fold,
    normalize,
    same_text,
    slugify_vi,
    strip_accents,
    typed,
)


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


# Text biased towards Vietnamese letters, marks and whitespace, plus anything.
_VI_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐOƠUƯY"
_VI_ALPHABET = _VI_LETTERS + " \t\n\u00a0" + "\u0300\u0301\u0303\u0309\u0323"
vi_text = st.text(alphabet=_VI_ALPHABET) | st.text()


def test_normalize_composes_nfd_input() -> None:
    assert normalize(nfd("Thi đua khen thưởng")) == "Thi đua khen thưởng"
    assert normalize(nfd("Hòa")) == unicodedata.normalize("NFC", "Hòa")


def test_normalize_strips_and_collapses_whitespace() -> None:
    assert normalize("  Sơn \t La\n\n tỉnh\u00a0 ") == "Sơn La tỉnh"
    assert normalize("") == ""


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hòa", "hoà"),
        ("Hòa Bình", "Hoà Bình"),
        ("Thủy", "Thuỷ"),
        ("khỏe", "khoẻ"),
        ("hóa", "hoá"),
        ("họa", "hoạ"),
        ("lõa", "loã"),
        ("ủy ban", "uỷ ban"),
        ("ỦY BAN", "UỶ BAN"),
        ("òa", "oà"),
        ("Ngụy", "Nguỵ"),
        ("tùy", "tuỳ"),
        ("xòe", "xoè"),
    ],
)
def test_fold_merges_old_and_new_tone_placement(old: str, new: str) -> None:
    assert fold(old) == fold(new)
    assert fold(new) == fold(old)
    assert same_text(old, new)
    assert same_text(new, old)
    assert same_text(nfd(old), new)


def test_canonical_tones_rewrites_to_new_style_keeping_case() -> None:
    assert canonical_tones("Ủy ban nhân dân tỉnh Hòa Bình") == "Uỷ ban nhân dân tỉnh Hoà Bình"
    assert canonical_tones("hoà") == "hoà"


@pytest.mark.parametrize(
    "word",
    ["hoàng", "toán", "thuyết", "hoài", "khuya", "khuỷu", "quý", "quỳnh", "già", "của", "thuở"],
)
def test_canonical_tones_leaves_fixed_placements_alone(word: str) -> None:
    assert canonical_tones(word) == word


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("hòa", "hóa"),  # different tone
        ("hoà", "hoá"),
        ("hòa", "hoa"),  # tone vs none
        ("hoa", "hoă"),  # breve
        ("hoặc", "hoạc"),
        ("đa", "da"),  # đ vs d
        ("Đồng", "Dồng"),
        ("thủy", "thụy"),
        ("quý", "qúy"),  # qu is a consonant: qúy is a misspelling, not a style
        ("già", "gìa"),
        ("hoa", "hoe"),
        ("Việt Nam", "Viet Nam"),  # diacritics are kept
    ],
)
def test_fold_keeps_real_differences(a: str, b: str) -> None:
    assert fold(a) != fold(b)
    assert not same_text(a, b)


def test_fold_ignores_case_and_spacing() -> None:
    assert same_text("  Ủy   ban\tnhân dân ", "uỷ ban nhân dân")
    assert fold("ĐOÀN") == "đoàn"


@given(vi_text)
def test_fold_is_idempotent(s: str) -> None:
    assert fold(fold(s)) == fold(s)


@given(vi_text)
def test_fold_ignores_normal_form(s: str) -> None:
    assert fold(nfd(s)) == fold(s)
    assert fold(unicodedata.normalize("NFC", s)) == fold(s)


@given(vi_text, vi_text)
def test_same_text_is_symmetric(a: str, b: str) -> None:
    assert same_text(a, b) == same_text(b, a)


@given(vi_text)
def test_canonical_tones_keeps_the_letters(s: str) -> None:
    # Moving a tone mark never changes the bare letters.
    assert strip_accents(canonical_tones(s)) == strip_accents(unicodedata.normalize("NFC", s))


def test_strip_accents() -> None:
    assert strip_accents("Đảng bộ Thủy lợi") == "Dang bo Thuy loi"
    assert strip_accents(nfd("Miền núi")) == "Mien nui"
    assert strip_accents("Ðông") == "Dong"  # eth from legacy encodings


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Miền núi biên giới phía Bắc", "mien-nui-bien-gioi-phia-bac"),
        ("Đồng bằng sông Cửu Long", "dong-bang-song-cuu-long"),
        ("  Khen thưởng — năm 2024!  ", "khen-thuong-nam-2024"),
        ("Ủy ban/Hòa Bình", "uy-ban-hoa-binh"),
        ("", ""),
    ],
)
def test_slugify_vi(text: str, slug: str) -> None:
    assert slugify_vi(text) == slug


@given(vi_text)
def test_slug_is_ascii_slug(s: str) -> None:
    slug = slugify_vi(s)
    assert slug == slug.strip("-")
    assert all(ch.isascii() and (ch.islower() or ch.isdigit() or ch == "-") for ch in slug)
    assert "--" not in slug


def test_sort_key_orders_provinces_the_vietnamese_way() -> None:
    from thidua.lib.text import sort_key

    names = [
        "Điện Biên",
        "Sơn La",
        "Cao Bằng",
        "Lào Cai",
        "Lạng Sơn",
        "Lai Châu",
        "Hà Giang",
        "Dak",
    ]
    assert sorted(names, key=sort_key) == [
        "Cao Bằng",
        "Dak",
        "Điện Biên",
        "Hà Giang",
        "Lai Châu",
        "Lạng Sơn",
        "Lào Cai",
        "Sơn La",
    ]


def test_sort_key_puts_letters_with_marks_after_their_base() -> None:
    from thidua.lib.text import sort_key

    assert sorted(["ô", "o", "ơ", "a", "ă", "â"], key=sort_key) == ["a", "ă", "â", "o", "ô", "ơ"]
    assert sort_key("Hoà") == sort_key("Hòa")


def test_invisible_formatting_characters_are_dropped_from_stored_text() -> None:
    # A right-to-left override would print the rest of a name backwards in a document.
    assert normalize("Sở\u202e Tài chính") == "Sở Tài chính"
    assert normalize("Lê\u200b Hồng\u2066 Minh\u2069\ufeff") == "Lê Hồng Minh"
    assert normalize("Nguyễn\u200dThị") == "NguyễnThị"


def test_typed_text_keeps_its_lines_and_drops_what_a_document_cannot_hold() -> None:
    # A backspace or an escape pasted from another program would make python-docx refuse the
    # whole document; a vertical tab or a separator stands for a space; lines and tabs stay.
    assert typed("Điều 1.\x08\r\n\tĐiều\x1b 2.\x0bHết\x1c.") == "Điều 1.\r\n\tĐiều 2. Hết ."
    assert typed("Sở\u202e Tài\u200b chính\x7f") == "Sở Tài chính"
    assert typed("Nguye\u0302\u0303n") == "Nguyễn"  # composed (NFC)
    assert typed("a\x00b") == "a\x00b"  # a NUL is the form's to refuse, in Vietnamese
