"""One set of permissions: every API endpoint answers each persona as the page showing its data.

The world is the demo (the reference cluster's 2016, played up to the proposals phase), as in
the permission matrix (thidua/testing/tests/test_permission_matrix.py). Every persona asks every
API GET endpoint, for several objects (its own unit, another member, a unit outside the
cluster, the supervisor; people and nominations of several units; every poll; an id that does
not exist), and the page that shows the same data for the same object. The answers must agree:

    allowed on the page  ⇔  allowed in the API (200)
    403 on the page      ⇔  403 in the API
    404 on the page      ⇔  404 in the API

Anonymous callers are left aside: the API answers 401 without a token, a page sends them to log
in. A page that is not under the year (the award history of a person or a unit) is compared
with the API's endpoint under a year as far as the year reaches: a persona that may not see the
year gets the year's 404 from the API, and the page must refuse too; a unit outside the year (a
department of another cluster, the supervisor) is not found under it (404) to a persona its page
(which is not about the year) lets in, and refused by the API as by the page to anyone else.

`PAIRS` names the page of every API GET endpoint; an endpoint missing from it (or from
`NO_PAGE`, which says why an endpoint has no page) fails the first test, so whoever adds an
endpoint decides here which page it must agree with.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from thidua.api.actions import do_create_token
from thidua.api.api import api
from thidua.awards.models import Nomination
from thidua.conference.models import NewsArticle
from thidua.demo.play import Demo
from thidua.dossier.models import ReceivedDossier, ReceivedFile, SentDossier
from thidua.jobs.models import Job
from thidua.orgs.models import Organization, Person, User
from thidua.signing.models import SignedDocument
from thidua.voting.models import Poll

pytestmark = pytest.mark.django_db

PERSONAS = ["admin", "supervisor", "secretariat", "leader", "officer", "other_unit", "outsider"]
MISSING = 987_654_321  # no object has this id


@dataclass(frozen=True)
class Pair:
    """The page that shows an endpoint's data, and how the endpoint's arguments become its."""

    page: str
    rename: dict[str, str] = field(default_factory=dict)  # API argument -> page argument
    drop: tuple[str, ...] = ()  # API arguments the page's URL does not carry
    under_year: bool = True  # the page's URL is under the cluster's year, as the API's


YEAR_ONLY = ("slug", "year")
PAIRS: dict[str, Pair] = {
    "api:me": Pair("api_tokens", under_year=False),  # the account's own page
    "api:clusters": Pair("home", under_year=False),
    "api:cluster": Pair("cluster_detail", under_year=False),
    "api:organization": Pair("organization_detail", {"org_id": "pk"}, under_year=False),
    "api:year": Pair("year_dashboard"),
    "api:history": Pair("year_history"),
    "api:indicator_list": Pair("indicators:index"),
    "api:matrix": Pair("indicators:matrix"),
    "api:unit_values": Pair("indicators:unit"),
    "api:cluster_figures": Pair("indicators:results"),
    "api:results_paragraph": Pair("indicators:results"),
    "api:criteria_table": Pair("scoring:table"),
    "api:assessment": Pair("scoring:assessment", {"org_id": "organization_id"}),
    "api:ranking": Pair("scoring:ranking"),
    "api:poll_list": Pair("voting:polls"),
    "api:poll_detail": Pair("voting:poll"),
    "api:results": Pair("voting:results"),
    "api:nomination_list": Pair("awards:nominations"),
    "api:nomination_detail": Pair("awards:nomination", {"nomination_id": "pk"}),
    # The verdicts are shown beside each nomination in the year's list.
    "api:eligibility": Pair("awards:nominations"),
    "api:unit_history": Pair(
        "awards:unit_history", {"org_id": "pk"}, drop=YEAR_ONLY, under_year=False
    ),
    "api:person_history": Pair(
        "awards:person", {"person_id": "pk"}, drop=YEAR_ONLY, under_year=False
    ),
    "api:conference": Pair("conference:detail"),
    "api:report": Pair("conference:report"),
    "api:templates": Pair("conference:documents"),
    "api:articles": Pair("conference:news"),
    "api:article": Pair("conference:article_edit", {"article_id": "pk"}),
    "api:job": Pair("awards:jobs:detail", {"job_id": "pk"}, under_year=False),
    "api:job_file": Pair("awards:jobs:output", {"job_id": "pk"}, under_year=False),
    # The caller's own notifications and their e-mail choices: the inbox's pages.
    "api:notifications": Pair("notifications:list", under_year=False),
    "api:preferences": Pair("notifications:preferences", under_year=False),
    # The feed of what the caller may see; the page of the caller's own events is the inbox.
    "api:event_feed": Pair("notifications:list", under_year=False),
    # Signing and the signed dossier.
    "api:year_documents": Pair("signing:year"),
    "api:signed_document_file": Pair("signing:download", {"document_id": "pk"}, under_year=False),
    "api:year_dossier": Pair("dossier:year"),
    "api:sent_package": Pair("dossier:sent_package", {"sent_id": "pk"}),
    "api:received": Pair("dossier:received", under_year=False),
    "api:received_dossier": Pair("dossier:received_detail", {"dossier_id": "pk"}, under_year=False),
    "api:received_file": Pair(
        "dossier:received_file", {"dossier_id": "pk", "file_id": "file_pk"}, under_year=False
    ),
    "api:reply_package": Pair("dossier:reply_package", {"dossier_id": "pk"}, under_year=False),
}

# API GET endpoints that show no data of the system's: the API's own description.
NO_PAGE = {
    "api:openapi-json": "the API's schema, public",
    "api:openapi-view": "the API's schema, as a page",
    "api:api-root": "no endpoint: answers 404 to everyone",
    "api:subscriptions": "the caller's own webhooks, which only a program uses",
    "api:subscription": "one of the caller's own webhooks (another's is 404)",
    "api:deliveries": "the deliveries of one of the caller's own webhooks",
    "api:identities": "the identities the caller may sign with, which the signing pages offer "
    "in their forms (the administrator reads all, as on signing:identities)",
}


# Differences found and not fixed yet: (persona, endpoint) -> the fix. The persona's test is
# an expected failure while exactly these remain, and fails as soon as one is fixed (remove it
# here) or another appears.
KNOWN: dict[tuple[str, str], str] = {}


def api_get_endpoints() -> list[str]:
    """The URL name of every GET operation of the API, as `reverse` knows it."""
    names = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                if "GET" in operation.methods:
                    names.add(f"api:{operation.view_func.__name__}")
    return sorted(names)


class World:
    """The demo, its personas with their tokens, and the objects each endpoint is asked about."""

    def __init__(self, demo: Demo) -> None:
        self.year = demo.year
        self.slug = demo.cluster.slug
        self.users: dict[str, User] = {
            "admin": demo.admin,
            "supervisor": demo.supervisor,
            "secretariat": demo.secretariat,
            "leader": demo.leaders["lai-chau"],
            "officer": demo.officers["lai-chau"],
            "other_unit": demo.officers["dien-bien"],
            "outsider": User.objects.get(username="yen-bai-canbo"),
        }
        self.tokens = {
            persona: do_create_token(name="đối chiếu trang", acting_user=user)[1]
            for persona, user in self.users.items()
        }
        own, other, head = (demo.departments[k] for k in ("lai-chau", "dien-bien", "son-la"))
        outside = self.users["outsider"].organization
        assert outside is not None

        def collective(unit: Organization) -> int:
            nominated = Nomination.objects.filter(
                year=self.year, unit=unit, collective__isnull=False
            )
            found = nominated.order_by("pk").values_list("collective_id", flat=True).first()
            assert found is not None, f"the demo nominates no collective of {unit}"
            return int(found)

        # Units: members, a collective nominated by one, a unit outside the cluster, the supervisor.
        self.units = [own.pk, other.pk, head.pk, collective(own), collective(other)]
        self.units += [outside.pk, demo.cluster.supervisor_id, MISSING]
        self.outside_year = {outside.pk, demo.cluster.supervisor_id}
        people = [
            Person.objects.filter(
                Q(positions__organization=unit) | Q(positions__organization__parent=unit)
            )
            .order_by("pk")
            .first()
            for unit in (own, other, head)
        ]
        self.people = [*sorted({p.pk for p in people if p is not None}), MISSING]
        assert len(self.people) == 4, "the demo has too few people to compare"
        self.nominations = [
            n
            for unit in (own, other, head)
            for n in Nomination.objects.filter(year=self.year, unit=unit)
            .order_by("pk")
            .values_list("pk", flat=True)[:2]
        ] + [MISSING]
        polls = Poll.objects.filter(year=self.year).order_by("pk").values_list("pk", flat=True)
        self.polls = [*polls, MISSING]
        assert len(self.nominations) > 3 and len(self.polls) > 1
        # A job of the officer's and one of the supervisor's: each shown to its starter only.
        self.jobs = [
            str(Job.objects.create(kind="check_eligibility", created_by=user).pk)
            for user in (self.users["officer"], self.users["supervisor"])
        ] + [str(uuid.UUID(int=MISSING))]
        articles = NewsArticle.objects.filter(year=self.year).values_list("pk", flat=True)
        self.articles = [*articles, MISSING]
        assert len(self.articles) > 1, "the demo writes no news"
        first = Organization.objects.order_by("pk").values_list("pk", flat=True)[:3]
        self.organizations = [*first, outside.pk, MISSING]

    def rows(self, model: Any) -> list[int]:
        """A few rows of `model` (the demo's signed dossiers, if any), and one that is not."""
        return [*model.objects.order_by("pk").values_list("pk", flat=True)[:3], MISSING]

    def signed_documents(self) -> list[int]:
        """Signed versions of the year and of no year (a dossier's files), and one that is not."""
        found = SignedDocument.objects.order_by("pk")
        return [
            *found.filter(year=self.year).values_list("pk", flat=True)[:2],
            *found.filter(year__isnull=True).values_list("pk", flat=True)[:2],
            MISSING,
        ]

    def cases(self, name: str) -> list[dict[str, Any]]:
        """The API arguments `name` is asked with: one per object compared."""
        year = {"slug": self.slug, "year": self.year.year}
        choices: dict[str, Callable[[], list[dict[str, Any]]]] = {
            "api:me": lambda: [{}],
            "api:clusters": lambda: [{}],
            "api:event_feed": lambda: [{}],
            "api:cluster": lambda: [{"slug": self.slug}, {"slug": "khong-co-cum-nay"}],
            "api:organization": lambda: [{"org_id": pk} for pk in self.organizations],
            "api:year": lambda: [year, {**year, "year": 1999}],
            "api:unit_values": lambda: [{**year, "org_id": pk} for pk in self.units],
            "api:assessment": lambda: [{**year, "org_id": pk} for pk in self.units],
            "api:unit_history": lambda: [{**year, "org_id": pk} for pk in self.units],
            "api:person_history": lambda: [{**year, "person_id": pk} for pk in self.people],
            "api:poll_detail": lambda: [{**year, "poll_id": pk} for pk in self.polls],
            "api:results": lambda: [{**year, "poll_id": pk} for pk in self.polls],
            "api:job": lambda: [{"job_id": job} for job in self.jobs],
            "api:job_file": lambda: [{"job_id": job} for job in self.jobs],
            "api:notifications": lambda: [{}],
            "api:preferences": lambda: [{}],
            "api:article": lambda: [{**year, "article_id": pk} for pk in self.articles],
            "api:nomination_detail": lambda: [
                {**year, "nomination_id": pk} for pk in self.nominations
            ],
            "api:signed_document_file": lambda: [
                {"document_id": pk} for pk in self.signed_documents()
            ],
            "api:sent_package": lambda: [{**year, "sent_id": pk} for pk in self.rows(SentDossier)],
            "api:received": lambda: [{}],
            "api:received_dossier": lambda: [
                {"dossier_id": pk} for pk in self.rows(ReceivedDossier)
            ],
            "api:reply_package": lambda: [{"dossier_id": pk} for pk in self.rows(ReceivedDossier)],
            "api:received_file": lambda: (
                [
                    {"dossier_id": dossier, "file_id": pk}
                    for dossier, pk in ReceivedFile.objects.order_by("pk").values_list(
                        "dossier_id", "pk"
                    )[:3]
                ]
                + [{"dossier_id": MISSING, "file_id": MISSING}]
            ),
        }
        return choices[name]() if name in choices else [year]


def page_arguments(pair: Pair, arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        pair.rename.get(key, key): value for key, value in arguments.items() if key not in pair.drop
    }


def answer(response: Any) -> str:
    status = response.status_code
    if status == 302 and "/login/" in response["Location"]:
        return "login"
    if status in (200, 302):
        return "ok"
    return str(status)


def agrees(
    pair: Pair, api_answer: str, page_answer: str, *, sees_year: bool, outside: bool
) -> bool:
    if "slug" in pair.drop and not sees_year:
        # The API's URL names a year this persona may not know: 404, and the page refuses.
        return api_answer == "404" and page_answer in ("403", "404")
    if "slug" in pair.drop and outside and page_answer == "ok":
        return api_answer == "404"  # shown by its page, but not under this year
    return api_answer == page_answer


@pytest.fixture(scope="module")
def world(demo_module: Demo) -> World:
    """The demo played once for the test process; the module's changes are rolled back."""
    return World(demo_module)


def get(client: Client, url: str, **headers: str) -> str:
    with transaction.atomic():
        response = client.get(url, headers=headers)
        transaction.set_rollback(True)
    return answer(response)


def test_every_api_get_endpoint_is_paired_with_a_page() -> None:
    endpoints = api_get_endpoints()
    unpaired = [name for name in endpoints if name not in PAIRS and name not in NO_PAGE]
    assert not unpaired, (
        "say which page shows the data of these endpoints (PAIRS), or why none does "
        "(NO_PAGE):\n" + "\n".join(unpaired)
    )
    stale = [name for name in PAIRS if name not in endpoints]
    assert not stale, "these endpoints are gone; remove them from PAIRS:\n" + "\n".join(stale)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_answers_each_persona_as_the_page_does(world: World, persona: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.users[persona])
    bearer = f"Bearer {world.tokens[persona]}"
    year = {"slug": world.slug, "year": world.year.year}
    sees_year = get(client, reverse("api:year", kwargs=year), Authorization=bearer) == "ok"
    differences = []
    asked = 0
    # Several endpoints show their data on the same page (the year's nominations, its results,
    # the inbox): each page is asked once for this persona, as every request is rolled back.
    pages: dict[str, str] = {}
    for name in sorted(set(api_get_endpoints()) & set(PAIRS)):
        pair = PAIRS[name]
        for arguments in world.cases(name):
            api_answer = get(client, reverse(name, kwargs=arguments), Authorization=bearer)
            page_url = reverse(pair.page, kwargs=page_arguments(pair, arguments))
            if page_url not in pages:
                pages[page_url] = get(client, page_url)
            page_answer = pages[page_url]
            asked += 1
            outside = arguments.get("org_id") in world.outside_year
            if not agrees(pair, api_answer, page_answer, sees_year=sees_year, outside=outside):
                differences.append(
                    f"{name} {arguments}: API {api_answer}, page {pair.page} {page_answer}"
                )
    assert asked > 60 and len(pages) > 60, f"{asked} cases, {len(pages)} pages"
    known = [d for d in differences if (persona, d.split()[0]) in KNOWN]
    unknown = [d for d in differences if d not in known]
    assert not unknown, f"{persona}:\n" + "\n".join(unknown)
    fixed = [e for p, e in KNOWN if p == persona and not any(d.split()[0] == e for d in known)]
    assert not fixed, f"{persona}: fixed, remove from KNOWN: {fixed}"
    if known:
        pytest.xfail("; ".join(dict.fromkeys(KNOWN[persona, d.split()[0]] for d in known)))


# --- writes the permission matrix cannot compare ------------------------------------------
#
# The matrix (test_permission_matrix.py) decides every page action and every API operation
# for every persona, and the two agree wherever it can tell: where the page and the API refuse
# before reading the form. These page actions read their form first, so an empty POST is
# answered by the form, not the permission; here each persona sends a form and a body that
# are valid, so the permission answers on both sides.


def posted(client: Client, url: str, data: Any, **headers: str) -> str:
    """The answer to a POST, rolled back: ok (done, 2xx or a redirect), login, or the status."""
    with transaction.atomic():
        if headers:
            response = client.post(url, data, content_type="application/json", headers=headers)
        else:
            response = client.post(url, data)
        transaction.set_rollback(True)
    status = response.status_code
    if status == 302 and "/login/" in response["Location"]:
        return "login"
    return "ok" if status < 300 or status == 302 else str(status)


def writes(world: World) -> list[tuple[str, str, dict[str, Any], str, dict[str, Any]]]:
    """(what, page URL, form, API URL, body) for each write compared, on several objects."""
    from thidua.notifications.models import Notification
    from thidua.voting.models import Candidate

    year = {"slug": world.slug, "year": world.year.year}
    found: list[tuple[str, str, dict[str, Any], str, dict[str, Any]]] = []
    for pk in world.nominations[:-1]:
        page = {**year, "pk": pk}
        api_ = {**year, "nomination_id": pk}
        found += [
            (
                f"nomination {pk} update",
                reverse("awards:nomination_update", kwargs=page),
                {"summary": "Tóm tắt thành tích."},
                reverse("api:nomination_update", kwargs=api_),
                {"summary": "Tóm tắt thành tích."},
            ),
            (
                f"nomination {pk} return",
                reverse("awards:nomination_return", kwargs=page),
                {"reason": "Thiếu hồ sơ."},
                reverse("api:nomination_return", kwargs=api_),
                {"reason": "Thiếu hồ sơ."},
            ),
        ]
    for pk in world.polls[:-1]:
        candidate = Candidate.objects.filter(poll_id=pk).order_by("pk").first()
        assert candidate is not None
        found.append(
            (
                f"poll {pk} ballot",
                reverse("voting:vote", kwargs={**year, "poll_id": pk}),
                {"choices": str(candidate.pk)},
                reverse("api:cast_ballot", kwargs={**year, "poll_id": pk}),
                {"choices": [candidate.pk]},
            )
        )
    for user in (world.users["officer"], world.users["supervisor"]):
        notification = Notification.objects.filter(recipient=user).order_by("pk").first()
        assert notification is not None, f"the demo tells {user} nothing"
        found.append(
            (
                f"notification {notification.pk} of {user} read",
                reverse("notifications:read"),
                {"notification": notification.pk},
                reverse("api:mark_read", kwargs={"notification_id": notification.pk}),
                {},
            )
        )
    return found


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_write_is_refused_by_the_api_as_by_the_page(world: World, persona: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.users[persona])
    bearer = f"Bearer {world.tokens[persona]}"
    differences = []
    answers = set()
    for what, page_url, form, api_url, body in writes(world):
        page_answer = posted(client, page_url, form)
        api_answer = posted(client, api_url, body, Authorization=bearer)
        answers.add(page_answer)
        if page_answer != api_answer:
            differences.append(f"{what}: API {api_answer}, page {page_answer}")
    assert not differences, f"{persona}:\n" + "\n".join(differences)
    assert answers - {"ok"} or persona == "admin", "no refusal was compared"
