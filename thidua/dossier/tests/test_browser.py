"""In a real browser: the supervisor's officer imports a signed package and reads the
verification; the cluster's page shows each person their step. Screenshots at desktop and
phone widths go to var/screenshots/."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from thidua.dossier.models import ReceivedDossier
from thidua.testing.personas import build_world

from .conftest import make_sending
from .test_import import make_package

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = (1366, 390)


def shoot(page: Any, request: Any, name: str) -> None:
    folder = Path(request.config.rootpath) / "var" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"dossier-{name}-{width}.png"), full_page=True)
        # Nothing wider than the screen: no sideways scrolling on a phone.
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (name, width, overflow)


def test_the_supervisor_imports_a_package_and_the_cluster_sees_its_steps(
    trust: Any,
    award: Any,
    live_server: LiveServer,
    login: Callable[..., Page],
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    sending = make_sending(build_world(), trust, award)
    world = sending.world
    path = tmp_path / "ho-so.zip"
    # pyHanko signs through asyncio.run, which Playwright's running loop forbids in this
    # thread: the package is signed in another one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        content = pool.submit(
            make_package, world, sending.leader_identity, sending.agency_identity
        ).result()
    path.write_bytes(content)

    page = login(sending.supervisor_officer.username)
    page.goto(f"{live_server.url}/dossier/received/")
    page.get_by_label("Gói hồ sơ (.zip)").set_input_files(str(path))
    page.get_by_test_id("import-dossier").click()
    page.wait_for_url(
        lambda url: "/dossier/received/" in url and url.endswith("/") and url[-2].isdigit()
    )
    dossier = ReceivedDossier.objects.get()
    assert page.get_by_test_id("status").inner_text() == "Đang xem xét"
    checks = page.get_by_test_id("checks").inner_text()
    assert "Nguyễn Văn Lãnh" in checks and "danh-muc-ho-so.pdf" in checks
    assert page.get_by_test_id("nomination").count() == 1
    shoot(page, request, "received-detail")
    page.goto(f"{live_server.url}/dossier/received/")
    assert "Sở Kế hoạch và Đầu tư tỉnh Sơn La" in page.get_by_test_id("received").inner_text()
    shoot(page, request, "received")
    assert dossier.nominations.count() == 1

    page = login(world.son_la_officer.username)
    page.goto(f"{live_server.url}/dossier/c/{world.cluster.slug}/2016/")
    assert page.get_by_test_id("export-dossier").is_visible()
    assert "2 đề nghị" in page.get_by_test_id("compiled").inner_text()
    shoot(page, request, "year")
