"""The one access layer: who may see and change what, derived from organisations and years.

A role is never stored per page. A user belongs to an organisation; that organisation (or one
it continues after a rename or merger) is a member of a cluster for a year; the head and deputy
of that year are its secretariat; the cluster's supervising organisation supervises it.
Every view, action and API endpoint asks this module, through the `rules` predicates below.

What the decisions are made from (a year's row, memberships, successions, the user's unit) is
attributed data: it is kept per process under the audit stamp (`thidua.audit.stamp`) and read
again after any change; the decision itself is made on every request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import rules
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils.functional import LazyObject, empty

from thidua.audit.stamp import StampedCache, fresh_copy
from thidua.orgs import rules as org_rules

if TYPE_CHECKING:
    from thidua.cycle.models import EmulationYear, Membership
    from thidua.orgs.models import Cluster, User


class AdministrationBackend(ModelBackend):
    """Django's model permissions, which serve the administration site alone: a person who is
    not staff holds none, so a permission the rules above refuse costs them no query."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not getattr(user_obj, "is_staff", False):
            return set()
        return super().get_all_permissions(user_obj, obj)


class SignedInRequest(HttpRequest):
    """The request of a signed-in person: every page behind `login_required` and every API
    call with a valid token (the token's owner). Only a type: views declare it so that the
    person they pass to the actions as `acting_user` is a `User`, never an anonymous one."""

    user: User


@dataclass(frozen=True)
class YearRoles:
    """What one user is in one cluster year."""

    member_org_ids: frozenset[int] = frozenset()  # the member units the user acts for
    own_member_org_id: int | None = None  # the unit the user belongs to, if it is a member now
    leader: bool = False
    secretariat: bool = False
    supervisor: bool = False
    admin: bool = False

    @property
    def can_view(self) -> bool:
        return bool(self.member_org_ids) or self.supervisor or self.admin


def _itself(user: Any) -> Any:
    """The user, not the lazy object standing for it (`request.user`).

    Permission checks receive the user itself, views the lazy object: what is cached on the
    user must live on the same object for both, or each computes it again.
    """
    if not isinstance(user, LazyObject):
        return user
    lazy: Any = user
    if lazy._wrapped is empty:
        lazy._setup()
    return lazy._wrapped


# Kept per stamp: an organisation with every one it continues; a year found by its address;
# the memberships of some organisations in a year. Bounded; entries are never changed.
_lineages: StampedCache[tuple[Any, frozenset[int]]] = StampedCache(size=512)
_years: StampedCache[Any] = StampedCache(size=256)
_memberships: StampedCache[tuple[tuple[int, str], ...]] = StampedCache(size=1024)


def _read_lineage(organization_id: int) -> tuple[Any, frozenset[int]]:
    from thidua.orgs.models import Organization, Succession

    edges = Succession.objects.values_list("predecessor_id", "successor_id")
    found = {organization_id} | org_rules.predecessors(organization_id, edges)
    return Organization.objects.filter(pk=organization_id).first(), frozenset(found)


def lineage(user: Any) -> set[int]:
    """The user's organisation and every organisation it continues.

    The user's organisation is read with it (and set on the user: the page header shows it).
    """
    user = _itself(user)
    if not getattr(user, "organization_id", None):
        return set()
    cache = user.__dict__.setdefault("_thidua_lineage", None)
    if cache is None:
        unit, cache = _lineages.get(
            user.organization_id, lambda: _read_lineage(user.organization_id)
        )
        field = user._meta.get_field("organization")
        if unit is not None and not field.is_cached(user):
            field.set_cached_value(user, fresh_copy(unit))
        user.__dict__["_thidua_lineage"] = cache
    return set(cache)


def roles_in_year(user: Any, year: EmulationYear) -> YearRoles:
    """The roles of `user` in `year`, computed once per user object and year."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return YearRoles()
    user = _itself(user)
    cache: dict[int, YearRoles] = user.__dict__.setdefault("_thidua_roles", {})
    if year.pk in cache:
        return cache[year.pk]
    from thidua.cycle.models import Membership

    orgs = lineage(user)
    memberships = _memberships.get(
        (year.pk, frozenset(orgs)),
        lambda: tuple(
            Membership.objects.filter(year=year, organization_id__in=orgs)
            .order_by()  # no join for the default order: the rows are only looked through
            .values_list("organization_id", "role")
        ),
    )
    member_ids = frozenset(org for org, _role in memberships)
    own = user.organization_id if user.organization_id in member_ids else None
    secretariat = any(
        role in (Membership.Role.HEAD, Membership.Role.DEPUTY) and org == user.organization_id
        for org, role in memberships
    )
    roles = YearRoles(
        member_org_ids=member_ids,
        own_member_org_id=own,
        leader=own is not None and user.is_leader,
        secretariat=secretariat,
        supervisor=year.cluster.supervisor_id in orgs,
        admin=user.is_superuser,
    )
    cache[year.pk] = roles
    return roles


def clusters_visible_to(user: Any) -> Any:
    """Clusters the user may open: where its units were members, supervised ones, or all."""
    from thidua.orgs.models import Cluster

    if not getattr(user, "is_authenticated", False):
        return Cluster.objects.none()
    if user.is_superuser:
        return Cluster.objects.all()
    orgs = lineage(user)
    return Cluster.objects.filter(
        Q(years__memberships__organization_id__in=orgs) | Q(supervisor_id__in=orgs)
    ).distinct()


# --- predicates over a year -------------------------------------------------------------


@rules.predicate
def can_view_year(user: Any, year: EmulationYear) -> bool:
    return roles_in_year(user, year).can_view


@rules.predicate
def is_secretariat(user: Any, year: EmulationYear) -> bool:
    return roles_in_year(user, year).secretariat


@rules.predicate
def is_member_leader(user: Any, year: EmulationYear) -> bool:
    return roles_in_year(user, year).leader


@rules.predicate
def is_member_staff(user: Any, year: EmulationYear) -> bool:
    return roles_in_year(user, year).own_member_org_id is not None


@rules.predicate
def is_supervisor(user: Any, year: EmulationYear) -> bool:
    return roles_in_year(user, year).supervisor


@rules.predicate
def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


# --- predicates over a membership (one unit in one year) ----------------------------------


@rules.predicate
def acts_for_unit(user: Any, membership: Membership) -> bool:
    """The user works in this member unit in this year (officer or leader)."""
    roles = roles_in_year(user, membership.year)
    return (
        roles.own_member_org_id is not None
        and roles.own_member_org_id == membership.organization_id
    )


@rules.predicate
def leads_unit(user: Any, membership: Membership) -> bool:
    return acts_for_unit(user, membership) and roles_in_year(user, membership.year).leader


@rules.predicate
def staff_of_another_member(user: Any, membership: Membership) -> bool:
    """The user works in a member unit of the same year, but not in this one."""
    roles = roles_in_year(user, membership.year)
    return (
        roles.own_member_org_id is not None
        and roles.own_member_org_id != membership.organization_id
    )


@rules.predicate
def can_view_membership(user: Any, membership: Membership) -> bool:
    return can_view_year(user, membership.year)


@rules.predicate
def is_secretariat_of_membership(user: Any, membership: Membership) -> bool:
    return roles_in_year(user, membership.year).secretariat


# --- predicates over a cluster ------------------------------------------------------------


@rules.predicate
def can_open_year_of(user: Any, cluster: Cluster) -> bool:
    """The administrator, the supervisor, or the secretariat of the cluster's latest year."""
    if getattr(user, "is_superuser", False):
        return True
    orgs = lineage(user)
    if cluster.supervisor_id in orgs:
        return True
    latest = cluster.years.order_by("-year").first()
    return latest is not None and roles_in_year(user, latest).secretariat


@rules.predicate
def can_view_cluster(user: Any, cluster: Cluster) -> bool:
    return clusters_visible_to(user).filter(pk=cluster.pk).exists()


rules.add_perm("orgs.view_cluster", can_view_cluster)
rules.add_perm("orgs.manage", is_admin)
rules.add_perm("cycle.open_year", can_open_year_of)
rules.add_perm("cycle.view_year", can_view_year)
rules.add_perm("cycle.view_history", can_view_year)
rules.add_perm("cycle.change_phase", is_secretariat | is_admin)
rules.add_perm("cycle.edit_setup", is_secretariat | is_admin)
rules.add_perm("cycle.set_deadlines", is_secretariat | is_admin)
rules.add_perm("cycle.sign_pledge", is_member_leader)

# Indicators: the secretariat defines them; each unit reports its own values.
rules.add_perm("indicators.view", can_view_year)
rules.add_perm("indicators.manage", is_secretariat | is_admin)
rules.add_perm("indicators.report", acts_for_unit)  # object: Membership
rules.add_perm("indicators.view_unit", can_view_membership)  # object: Membership

# Scoring: the secretariat keeps the criteria table, assigns reviewers and settles disputes;
# a unit scores itself; an assigned reviewer (checked by the action) reviews another unit.
rules.add_perm("scoring.view", can_view_year)
rules.add_perm("scoring.manage", is_secretariat | is_admin)
rules.add_perm("scoring.self_score", acts_for_unit)  # object: Membership
rules.add_perm("scoring.submit", leads_unit | acts_for_unit)  # object: Membership
rules.add_perm("scoring.review", staff_of_another_member)  # object: the reviewed Membership
rules.add_perm("scoring.dispute", acts_for_unit)  # object: Membership
rules.add_perm("scoring.settle", is_secretariat_of_membership)  # object: Membership
rules.add_perm("scoring.view_unit", can_view_membership)  # object: Membership

# Voting: the secretariat runs polls; each member unit's leader casts its ballot.
rules.add_perm("voting.view", can_view_year)
rules.add_perm("voting.manage", is_secretariat | is_admin)
rules.add_perm("voting.cast", is_member_leader)
# --- voting: more permissions go here ---


# Awards: a unit's officer drafts, its leader submits, the secretariat compiles, the
# supervisor decides and keeps the catalogue.
# --- awards: permissions go here ---
@rules.predicate
def supervises_membership(user: Any, membership: Membership) -> bool:
    return roles_in_year(user, membership.year).supervisor


# A nomination's dossier (evidence files, achievement report) holds personal data: its own
# unit, the secretariat that compiles it and the supervisor who decides read it; other
# members see only the list and the verdicts. Object: the nominating unit's Membership.
rules.add_perm(
    "awards.view_dossier",
    acts_for_unit | is_secretariat_of_membership | supervises_membership | is_admin,
)


@rules.predicate
def supervises_a_cluster(user: Any) -> bool:
    """The user's organisation (or one it continues) supervises some cluster.

    Decided once per user object (one request): several permissions and the menu ask it.
    """
    from thidua.orgs.models import Cluster

    kept: dict[str, bool] = _itself(user).__dict__.setdefault("_thidua_supervises", {})
    if "any" not in kept:
        orgs = lineage(user)
        kept["any"] = bool(orgs) and Cluster.objects.filter(supervisor_id__in=orgs).exists()
    return kept["any"]


rules.add_perm("awards.view", can_view_year)
rules.add_perm("awards.draft", acts_for_unit)  # object: Membership
rules.add_perm("awards.submit", leads_unit)  # object: Membership
rules.add_perm("awards.compile", is_secretariat)
rules.add_perm("awards.decide", is_supervisor)
rules.add_perm("awards.manage_catalogue", supervises_a_cluster | is_admin)
rules.add_perm("awards.manage_history", supervises_a_cluster | is_admin)


@rules.predicate
def works_in_unit(user: Any, organization: Any) -> bool:
    """The user's organisation is this unit or the unit it belongs to (a sub-unit's parent)."""
    own = getattr(user, "organization_id", None)
    return own is not None and own in (organization.pk, organization.parent_id)


# A unit's sub-units (its collectives) and their members: kept by the unit's own staff, the
# supervisor who keeps the history, and the administrator. Object: the Organization.
rules.add_perm("orgs.manage_units", works_in_unit | supervises_a_cluster | is_admin)
rules.add_perm("awards.manage_members", works_in_unit | supervises_a_cluster | is_admin)

# --- indicators: more permissions go here ---

# --- scoring: more permissions go here ---
# --- conference: permissions go here ---
# The national summary and the national eligibility check read every cluster of a year:
# the supervising departments and the operator.
rules.add_perm("conference.national_report", supervises_a_cluster | is_admin)
# Conference: the secretariat runs the conference, the report, the documents and the news;
# staff of every member unit comment on the draft; the supervisor reads everything.
rules.add_perm("conference.view", can_view_year)
rules.add_perm("conference.manage", is_secretariat | is_admin)
rules.add_perm("conference.comment", is_member_staff)


# Dossier: the cluster's signed proposal travels to the supervising department. The cluster
# head's leader signs the Tờ trình; the secretariat exports the package and reads the reply;
# the staff of a supervising department import packages and read and return what their
# agency (or one it continues) received.
@rules.predicate
def leads_cluster_head(user: Any, year: EmulationYear) -> bool:
    from thidua.cycle.models import Membership

    roles = roles_in_year(user, year)
    return (
        roles.leader
        and roles.own_member_org_id is not None
        and Membership.objects.filter(
            year=year, organization_id=roles.own_member_org_id, role=Membership.Role.HEAD
        ).exists()
    )


@rules.predicate
def received_by_own_agency(user: Any, dossier: Any) -> bool:
    return dossier.receiver_id in lineage(user)


@rules.predicate
def serves_a_secretariat(user: Any) -> bool:
    """The user's own agency is the head or deputy of some cluster's year."""
    from thidua.cycle.models import Membership

    org = getattr(user, "organization_id", None)
    return (
        org is not None
        and user.is_active
        and Membership.objects.filter(
            organization_id=org, role__in=[Membership.Role.HEAD, Membership.Role.DEPUTY]
        ).exists()
    )


rules.add_perm("dossier.view", is_secretariat | is_supervisor | is_admin)
rules.add_perm("dossier.sign_proposal", leads_cluster_head)
rules.add_perm("dossier.export", is_secretariat)

# The export job's gate, decided with no year (the jobs area starts and retries a kind of job
# without one): the secretariat of some year. `dossier.export` on the year itself is checked
# when the export starts and again when it runs.
rules.add_perm("dossier.start_export", serves_a_secretariat)
rules.add_perm("dossier.receive", supervises_a_cluster)
rules.add_perm("dossier.view_received", received_by_own_agency | is_admin)
rules.add_perm("dossier.return", received_by_own_agency)


# Notifications: each person lists and reads only their own, told through the unit they belong
# to now; the administrator has a failed e-mail tried again.
@rules.predicate
def is_recipient(user: Any, notification: Any) -> bool:
    return (
        notification.recipient_id == user.pk
        and notification.organization_id == user.organization_id
    )


rules.add_perm("notifications.list", rules.is_authenticated)
rules.add_perm("notifications.read", is_recipient)
rules.add_perm("notifications.manage", is_admin)


# Signing (thidua.signing): a person's identity signs only for that person; an agency's
# identity (its seal) only for the agency's clerk, the unit's emulation and commendation
# officer of the agency itself (not of one it continues: a merged agency's seal is not its
# successor's); the administrator manages identities; anyone logged in verifies a PDF.
@rules.predicate
def may_use_signing_identity(user: Any, identity: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if identity.owner_person_id is not None:
        return bool(identity.owner_person_id == user.pk)
    return (
        identity.owner_org_id is not None
        and identity.owner_org_id == getattr(user, "organization_id", None)
        and not user.is_leader
    )


rules.add_perm("signing.use_identity", may_use_signing_identity)


def can_sign_with(user: Any, identity: Any) -> bool:
    """Whether `user` may sign with `identity`: the predicate itself, not `has_perm`, which
    grants a superuser everything, and the administrator must not sign with another's key."""
    return bool(may_use_signing_identity.test(_itself(user), identity))


rules.add_perm("signing.manage_identities", is_admin)
rules.add_perm("signing.verify", rules.is_authenticated)
# Signing a year's documents: those who make them (the secretariat) and the supervisor.
rules.add_perm("signing.sign_year", is_secretariat | is_supervisor)


def _granted(user: Any) -> set[tuple[str, str, Any]]:
    # What the page's lookups (get_*_for) found this user may do: the user object lives for
    # one request, so the action the page then calls does not decide it a second time.
    granted: set[tuple[str, str, Any]] = _itself(user).__dict__.setdefault("_thidua_granted", set())
    return granted


def _key(perm: str, obj: Any) -> tuple[str, str, Any]:
    return (perm, obj._meta.label, obj.pk) if obj is not None else (perm, "", None)


def _allowed(user: Any, perm: str, obj: Any, *, remember: bool) -> bool:
    if _key(perm, obj) in _granted(user):
        return True
    allowed = bool(user.has_perm(perm, obj))
    if allowed and remember:
        _granted(user).add(_key(perm, obj))
    return allowed


def require(user: User | Any, perm: str, obj: Any = None, *, remember: bool = False) -> None:
    """Refuse with 403 unless `user` has `perm` on `obj`; for actions and views alike.

    Decided once per request: a permission a page's lookup granted is not decided again.
    """
    if not _allowed(user, perm, obj, remember=remember):
        raise PermissionDenied(perm)


def get_year_for(user: Any, slug: str, year: int, perm: str | None = None) -> EmulationYear:
    """The year if the user may see it (404 otherwise), and may do `perm` on it (403)."""
    from thidua.cycle.models import EmulationYear

    kept = _years.get(
        (slug, year),
        lambda: (
            EmulationYear.objects.select_related("cluster", "cluster__supervisor")
            .filter(cluster__slug=slug, year=year)
            .first()
        ),
    )
    if kept is None:
        raise Http404
    obj = fresh_copy(kept)
    if not _allowed(user, "cycle.view_year", obj, remember=True):
        raise Http404
    if perm is not None:
        require(user, perm, obj, remember=True)
    return obj


def get_cluster_for(user: Any, slug: str, perm: str | None = None) -> Cluster:
    """The cluster if the user may see it (404 otherwise), and may do `perm` on it (403)."""
    from thidua.orgs.models import Cluster

    try:
        cluster = Cluster.objects.select_related("supervisor").get(slug=slug)
    except Cluster.DoesNotExist:
        raise Http404 from None
    if not user.has_perm("orgs.view_cluster", cluster):
        raise Http404
    if perm is not None:
        require(user, perm, cluster)
    return cluster


def get_membership_for(
    user: Any, year: EmulationYear, organization_id: int, perm: str | None = None
) -> Membership:
    """A member unit of a year the user may see (404 otherwise), and may do `perm` on (403)."""
    from thidua.cycle.models import Membership

    try:
        membership = Membership.objects.select_related("organization", "year__cluster").get(
            year=year, organization_id=organization_id
        )
    except Membership.DoesNotExist:
        raise Http404 from None
    if not _allowed(user, "cycle.view_year", year, remember=True):
        raise Http404
    if perm is not None:
        require(user, perm, membership, remember=True)
    _itself(user).__dict__.setdefault("_thidua_memberships", {})[year.pk, organization_id] = (
        membership
    )
    return membership


def membership_of(user: Any, year: EmulationYear, organization_id: int) -> Membership | None:
    """A unit's membership of a year: the one this request's lookup read, or read now."""
    from thidua.cycle.models import Membership

    kept = _itself(user).__dict__.get("_thidua_memberships", {}).get((year.pk, organization_id))
    if kept is not None:
        return kept
    return Membership.objects.filter(year=year, organization_id=organization_id).first()


def forget(user: Any) -> None:
    """Drop the user's cached roles, after a change of membership in the same request."""
    user = _itself(user)
    user.__dict__.pop("_thidua_roles", None)
    user.__dict__.pop("_thidua_lineage", None)
    user.__dict__.pop("_thidua_granted", None)
    user.__dict__.pop("_thidua_memberships", None)
