"""The year walk's page checks find what they look for, and nothing on a sound page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from thidua.testing.walk import Known, PageChecks

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SOUND = """<!doctype html><html lang="vi"><head><meta name="viewport"
content="width=device-width, initial-scale=1"></head><body>
<h1>Năm thi đua 2016</h1>
<form><label for="a">Tiêu đề</label><input id="a" name="a">
<label>Ngày <input name="b" placeholder="ngày/tháng/năm"></label>
<select aria-label="Giai đoạn"><option>Giao ước</option></select>
<input type="hidden" name="c"><button type="submit">Lưu</button>
<button lang="en">English</button></form>
<div style="overflow-x: auto"><p>Excel, GRDP_TANG, Sở KH&amp;ĐT Lai Châu</p></div>
</body></html>"""

BROKEN = """<!doctype html><html lang="vi"><head><meta name="viewport"
content="width=device-width, initial-scale=1"></head><body>
<h1>Một</h1><h1>Hai</h1>
<form><input name="a"><textarea name="b"></textarea><input type="date" aria-label="Ngày">
<button type="submit">Submit</button></form>
<p>Trạng thái: in_progress; Loại: collective; None</p>
<div style="width: 600px">rộng</div>
</body></html>"""


def test_a_sound_page_has_no_findings(page: Page) -> None:
    checks = PageChecks()
    page.set_content(SOUND)
    checks.visit(page, "tốt")
    assert checks.findings == []


def test_a_broken_page_has_every_finding_at_its_width(page: Page) -> None:
    checks = PageChecks()
    page.set_content(BROKEN)
    checks.visit(page, "hỏng")
    found = {(f.check, f.width) for f in checks.findings}
    for width in (1366, 390):
        assert {("h1", width), ("label", width), ("date", width), ("english", width)} <= found
    assert ("scroll", 390) in found and ("scroll", 1366) not in found
    english = next(f for f in checks.findings if f.check == "english")
    for word in ("Submit", "in_progress", "collective", "None"):
        assert word in english.detail
    labels = [f.detail for f in checks.findings if f.check == "label" and f.width == 1366]
    assert len(labels) == 2  # the input and the textarea; the date box has its aria-label

    known = Known(path=r".*", check="date", detail="type=", why="a test")
    left, unmet = checks.unexpected([known, Known(r".*", "h1", "Ba", "never met")])
    assert all(f.check != "date" for f in left) and len(left) == len(checks.findings) - 2
    assert [k.why for k in unmet] == ["never met"]
