"""The issuer's part of a ký hiệu, from the agency's name."""

from thidua.lib.docformat import issuer_abbreviation


def test_the_issuer_abbreviation_takes_the_initials_without_the_place() -> None:
    assert issuer_abbreviation("Sở Kế hoạch và Đầu tư tỉnh Sơn La") == "SKHĐT"
    assert issuer_abbreviation("Sở Tài chính tỉnh Tuyên Quang") == "STC"
    assert issuer_abbreviation("Sở Kế hoạch và Đầu tư") == "SKHĐT"
    assert issuer_abbreviation("Vụ Thi đua - Khen thưởng, Bộ Kế hoạch và Đầu tư") == "VTĐKT"


def test_the_issuer_abbreviation_drops_the_marks_but_keeps_d_with_stroke() -> None:
    assert issuer_abbreviation("Ủy ban nhân dân tỉnh Lạng Sơn") == "UBND"
    assert issuer_abbreviation("Uỷ ban nhân dân thành phố Hà Nội") == "UBND"
    assert issuer_abbreviation("Bộ Kế hoạch và Đầu tư") == "BKHĐT"
    assert issuer_abbreviation("Ủy ban nhân dân huyện Đồng Văn") == "UBND"
    assert issuer_abbreviation("đảng ủy khối") == "ĐUK"
