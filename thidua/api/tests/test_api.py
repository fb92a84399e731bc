"""The API answers with the pages' permissions: outsiders 404, read-only users 403."""

from typing import Any

import pytest
from django.test import Client

from thidua.api.actions import do_create_token, do_revoke_token
from thidua.cycle.models import Phase, Signature
from thidua.errors import ActionRefused
from thidua.testing.personas import World


def test_a_request_without_a_token_is_refused(client: Client, world: World) -> None:
    response = client.get("/api/v1/clusters")
    assert response.status_code == 401
    assert response.json() == {"detail": "Cần một mã truy cập API hợp lệ."}
    english = client.get("/api/v1/clusters", HTTP_COOKIE="django_language=en")
    assert english.json() == {"detail": "A valid API token is required."}


def test_a_session_alone_does_not_open_the_api(client: Client, world: World) -> None:
    client.force_login(world.lai_chau_officer)
    assert client.get("/api/v1/clusters").status_code == 401


def test_member_reads_its_cluster_year(api: Any, world: World) -> None:
    client = api(world.lai_chau_officer)
    assert [c["slug"] for c in client.get("/api/v1/clusters").json()] == [world.cluster.slug]
    year = client.get(f"/api/v1/clusters/{world.cluster.slug}/years/2016").json()
    assert year["phase"] == "setup"
    assert {m["name"] for m in year["members"]} == {
        "Sở Kế hoạch và Đầu tư tỉnh Cao Bằng",
        "Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
        "Sở Kế hoạch và Đầu tư tỉnh Sơn La",
    }


def test_outsider_gets_404_for_the_cluster_and_its_year(api: Any, world: World) -> None:
    client = api(world.outsider)
    assert client.get("/api/v1/clusters").json() == []
    assert client.get(f"/api/v1/clusters/{world.cluster.slug}").status_code == 404
    response = client.get(f"/api/v1/clusters/{world.cluster.slug}/years/2016")
    assert response.status_code == 404
    assert response.json() == {"detail": "Không tìm thấy, hoặc bạn không có quyền xem."}


def test_secretariat_moves_the_phase_and_a_member_gets_403(api: Any, world: World) -> None:
    world.launch()
    url = f"/api/v1/clusters/{world.cluster.slug}/years/2016/phase"
    member = api(world.lai_chau_officer)
    refused = member.post(url, {"target": "pledge"}, content_type="application/json")
    assert refused.status_code == 403
    secretariat = api(world.son_la_officer)
    moved = secretariat.post(url, {"target": "pledge"}, content_type="application/json")
    assert moved.status_code == 200 and moved.json()["phase"] == Phase.PLEDGE


def test_a_refused_phase_move_says_why(api: Any, world: World) -> None:
    url = f"/api/v1/clusters/{world.cluster.slug}/years/2016/phase"
    response = api(world.son_la_officer).post(
        url, {"target": "pledge"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert "phong trào" in response.json()["detail"]


def test_leader_signs_the_pledge_once_through_the_api(api: Any, world: World) -> None:
    world.to_pledge_phase()
    url = f"/api/v1/clusters/{world.cluster.slug}/years/2016/pledge/signatures"
    client = api(world.lai_chau_leader)
    assert client.post(url).status_code == 201
    second = client.post(url)
    assert second.status_code == 409
    assert Signature.objects.count() == 1


def test_officer_gets_403_signing_through_the_api(api: Any, world: World) -> None:
    world.to_pledge_phase()
    url = f"/api/v1/clusters/{world.cluster.slug}/years/2016/pledge/signatures"
    assert api(world.lai_chau_officer).post(url).status_code == 403
    assert not Signature.objects.exists()


def test_a_revoked_token_stops_working_at_once(client: Client, world: World) -> None:
    token, key = do_create_token(name="script", acting_user=world.lai_chau_officer)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    assert client.get("/api/v1/me").status_code == 200
    do_revoke_token(token, acting_user=world.lai_chau_officer)
    assert client.get("/api/v1/me").status_code == 401
    with pytest.raises(ActionRefused):
        do_revoke_token(token, acting_user=world.lai_chau_officer)


def test_only_a_hash_of_the_key_is_stored(world: World) -> None:
    token, key = do_create_token(name="script", acting_user=world.lai_chau_officer)
    token.refresh_from_db()
    assert key not in (token.key_hash, token.hint)
    assert key.startswith(token.hint)


def test_history_lists_the_years_changes(api: Any, world: World) -> None:
    world.launch()
    page = api(world.supervisor).get(f"/api/v1/clusters/{world.cluster.slug}/years/2016/history")
    assert {e["action"] for e in page.json()["entries"]} >= {"movement.set", "pledge.set"}


def test_token_page_shows_the_key_once_and_revokes(client: Client, world: World) -> None:
    client.force_login(world.lai_chau_officer)
    page = client.post("/account/tokens/", {"name": "báo cáo"})
    assert 'data-testid="new-token"' in page.content.decode()
    token = world.lai_chau_officer.api_tokens.get()
    assert 'data-testid="new-token"' not in client.get("/account/tokens/").content.decode()
    client.post(f"/account/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_another_users_token_cannot_be_revoked(client: Client, world: World) -> None:
    token, _key = do_create_token(name="script", acting_user=world.son_la_officer)
    client.force_login(world.outsider)
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ("{not json", 400, "body: nội dung gửi lên không phải JSON hợp lệ."),
        ("{}", 422, "body.target: bắt buộc phải có."),
        (
            '{"target": 123}',
            422,
            "body.target: phải là một trong các giá trị: 'setup', 'pledge', 'in_progress', "
            "'self_assessment', 'cross_check', 'conference', 'voting', 'proposals', 'closed'.",
        ),
    ],
)
def test_an_invalid_body_is_refused_naming_the_field_in_the_users_language(
    api: Any, world: World, body: str, status: int, detail: str
) -> None:
    url = f"/api/v1/clusters/{world.cluster.slug}/years/2016/phase"
    response = api(world.son_la_officer).post(url, body, content_type="application/json")
    assert response.status_code == status
    assert response.json() == {"detail": "Yêu cầu không hợp lệ: " + detail}
