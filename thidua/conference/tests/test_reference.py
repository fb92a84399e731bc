"""The reference: the demo's 2016 documents state every fact F1-F17 of the published report.

The demo is played through every area's actions; then the summary report, the minutes, the
proposal letter and the news draft are generated as .docx files and read back. A fact holds
when some line of those documents contains all the words of one of its expectations. Facts
F5-F14 come from the other areas (indicators, scoring, voting, awards) through the report-fact
keys of docs/report-facts.md, so they hold once those areas register their providers.
"""

from __future__ import annotations

import io
from typing import Any

import pytest

from thidua.conference import dossier
from thidua.demo import play
from thidua.lib.docformat import check_format, document_text
from thidua.lib.text import normalize

DEPT = "Sở Kế hoạch và Đầu tư tỉnh"
PROVINCES = ["Lạng Sơn", "Lai Châu", "Lào Cai", "Hà Giang", "Cao Bằng", "Điện Biên", "Sơn La"]

# The facts of the published report (shared/reference/facts-2016.md), each as the lines that
# must appear: every tuple is a set of words that one line of the documents contains.
FACTS: dict[str, list[tuple[str, ...]]] = {
    "F1 the cluster: 7 Departments of Planning and Investment": [
        ("gồm 7 thành viên", *(f"{DEPT} {p}" for p in PROVINCES)),
    ],
    "F2 supervised by the Ministry's Emulation and Commendation Department": [
        ("Vụ Thi đua - Khen thưởng, Bộ Kế hoạch và Đầu tư",),
    ],
    "F3 2016 head: Sơn La, its director opened and presented the draft": [
        (f"{DEPT} Sơn La là đơn vị Cụm trưởng",),
        ("Khai mạc hội nghị", "Lê Hồng Minh", "Cụm trưởng năm 2016", "dự thảo báo cáo"),
    ],
    "F4 conference 11-12/03/2017 hosted by Sơn La": [
        ("ngày 11 và 12 tháng 3 năm 2017", f"tại {DEPT} Sơn La"),
    ],
    "F5 29 collectives and 161 individuals proposed for commendation": [
        ("29 tập thể", "161 cá nhân", "khen thưởng"),
    ],
    "F6 100% of members completed their political tasks well": [
        # As a result of the movements, not the movement's target of the same words.
        ("phong trào thi đua yêu nước", "100% thành viên", "hoàn thành tốt nhiệm vụ chính trị"),
    ],
    "F7 average GRDP growth about 8.5%": [("GRDP", "khoảng 8,5%")],
    "F8 combined GRDP nearly 158 thousand billion đồng": [("gần 158 nghìn tỷ đồng",)],
    "F9 total social investment nearly 96 thousand billion đồng": [("gần 96 nghìn tỷ đồng",)],
    "F10 812 of 921 communes with a car road to the centre": [("812/921 xã",)],
    "F11 budget revenue of the 7 provinces about 27 thousand billion đồng": [
        ("khoảng 27 nghìn tỷ đồng",)
    ],
    "F12 the emulation flag proposed for Sơn La": [("Cờ thi đua", f"{DEPT} Sơn La")],
    "F13 the certificate of merit proposed for Cao Bằng and Hà Giang": [
        ("Bằng khen", f"{DEPT} Cao Bằng", f"{DEPT} Hà Giang"),
    ],
    "F14 2017 head Lào Cai and deputy Hà Giang, elected": [
        (f"{DEPT} Lào Cai", "Cụm trưởng năm 2017"),
        (f"{DEPT} Hà Giang", "Cụm phó năm 2017"),
    ],
    "F15 the 2017 pledge signed at the conference": [("ký kết giao ước thi đua năm 2017",)],
    "F16 the 2017 directions": [
        ("phối hợp thông tin", "giao lưu học tập kinh nghiệm"),
        ("bình xét thi đua", "khen thưởng kịp thời"),
        ("cải cách hành chính", "công nghệ thông tin"),
        ("cơ quan văn hóa, an toàn, trong sạch, vững mạnh",),
    ],
    "F17 members discussed the draft and proposed additions before it was final": [
        ("thảo luận", "dự thảo báo cáo", "đề xuất bổ sung"),
        ("chỉnh sửa", "hoàn thiện"),
    ],
}

DOCUMENTS = ("report", "minutes", "proposal", "news")


@pytest.fixture
def documents_2016(demo_module: play.Demo, db: None) -> Any:
    """The demo played through every area (once for the test process), and its four documents
    as .docx files."""
    assert "thidua.conference" in play.DEMO_AREAS
    return {kind: dossier.build(demo_module.year, kind) for kind in DOCUMENTS}


def test_the_demo_documents_state_every_reference_fact(documents_2016: Any) -> None:
    for kind, data in documents_2016.items():
        if kind != "news":  # a news item is no administrative document
            assert check_format(io.BytesIO(data)) == [], kind
    lines = [
        normalize(line)
        for data in documents_2016.values()
        for line in document_text(io.BytesIO(data)).splitlines()
    ]
    missing = {
        fact: [
            words for words in expected if not any(all(w in line for w in words) for line in lines)
        ]
        for fact, expected in FACTS.items()
    }
    not_stated = {fact: words for fact, words in missing.items() if words}
    assert list(not_stated) == [], not_stated
