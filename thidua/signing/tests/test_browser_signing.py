"""In a real browser, on a desktop and on a phone: verifying an uploaded PDF, and the year's
signing page with a signed version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from thidua.signing import actions, rules
from thidua.signing.testing import SigningPki, sample_pdf
from thidua.testing.personas import World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"desktop": (1366, 900), "phone": (390, 844)}


def fits(page: Page, width: int) -> None:
    right = page.evaluate(
        "Math.max(...[...document.querySelectorAll('main, main *')]"
        ".filter(e => !e.closest('.table-wrap'))"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert right <= width, f"the page scrolls sideways ({right}px on {width}px)"


@pytest.mark.parametrize("screen", SCREENS)
def test_verify_and_sign_pages(
    signing_settings: SigningPki,
    live_server: Any,
    login: Any,
    page: Page,
    screen: str,
    pytestconfig: Any,
    tmp_path: Path,
) -> None:
    world: World = build_world()
    pki = signing_settings
    identity = actions.do_add_pkcs12_identity(
        acting_user=world.admin,
        owner_person=world.son_la_leader,
        data=pki.person.pkcs12,
        password=pki.person.password,
    )
    signed = actions.do_sign_pdf(
        acting_user=world.son_la_leader,
        identity=identity,
        pdf=sample_pdf(),
        secret=None,
        role=rules.PERSON,
        kind="pledge",
        reference=f"{world.cluster.slug}/{world.year.year}/pledge",
        title="Bản giao ước thi đua",
        year=world.year,
    )
    upload = tmp_path / "giao-uoc-da-ky.pdf"
    upload.write_bytes(signed.file.read())
    width, height = SCREENS[screen]
    page.set_viewport_size({"width": width, "height": height})
    folder = Path(pytestconfig.rootpath) / "var" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    login(world.son_la_leader.username)
    page.goto(f"{live_server.url}/signing/verify/")
    page.set_input_files("input[type=file]", str(upload))
    page.get_by_test_id("verify").click()
    page.wait_for_selector("[data-testid=verdict]")
    assert page.get_by_test_id("verdict").get_attribute("data-ok") == "yes"
    assert "Nguyễn Văn Lãnh" in page.get_by_test_id("signatures").inner_text()
    fits(page, width)
    page.screenshot(path=str(folder / f"signing-verify-{screen}.png"), full_page=True)

    page.goto(f"{live_server.url}/signing/c/{world.cluster.slug}/{world.year.year}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Ký số"
    assert page.get_by_test_id("signed-version").count() == 1
    fits(page, width)
    page.screenshot(path=str(folder / f"signing-year-{screen}.png"), full_page=True)
