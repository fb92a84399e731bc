"""Changes to organisations and clusters, each attributed in the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from thidua import access
from thidua.audit.record import record, snapshot
from thidua.errors import ActionRefused, Refusal
from thidua.lib import clock
from thidua.lib.text import normalize, same_text

from .models import Cluster, Organization, Succession

if TYPE_CHECKING:
    from .models import User


def _require_admin(acting_user: User) -> None:
    if not getattr(acting_user, "is_superuser", False):
        access.require(acting_user, "orgs.manage")


@transaction.atomic
def do_create_organization(
    *,
    name: str,
    short_name: str = "",
    kind: str = Organization.Kind.OTHER,
    province: str = "",
    parent: Organization | None = None,
    valid_from: dt.date | None = None,
    acting_user: User,
) -> Organization:
    """Register an agency."""
    _require_admin(acting_user)
    org = Organization(
        name=normalize(name),
        short_name=normalize(short_name),
        kind=kind,
        province=normalize(province),
        parent=parent,
        valid_from=valid_from,
    )
    org.full_clean()
    org.save()
    record("organization.create", org, actor=acting_user, after=snapshot(org))
    return org


@transaction.atomic
def do_record_succession(
    predecessors: Sequence[Organization],
    successor: Organization,
    *,
    kind: str,
    effective: dt.date,
    legal_basis: str = "",
    acting_user: User,
) -> list[Succession]:
    """Record that `successor` continues `predecessors` from `effective` (rename or merger).

    Each predecessor ends the day before; its records keep its name, and the successor's
    users see them through the lineage.
    """
    _require_admin(acting_user)
    if not predecessors:
        raise ActionRefused(
            _("Name at least one unit that the successor continues."), kind=Refusal.MISSING
        )
    if kind == Succession.Kind.RENAME and len(predecessors) != 1:
        raise ActionRefused(_("A rename continues exactly one unit."), kind=Refusal.INVALID)
    links = []
    for old in predecessors:
        if old.pk == successor.pk:
            raise ActionRefused(_("A unit cannot succeed itself."), kind=Refusal.INVALID)
        if old.valid_to is not None and old.valid_to < effective - dt.timedelta(days=1):
            raise ActionRefused(
                _("%(unit)s had already ended on %(date)s.")
                % {"unit": old.name, "date": old.valid_to.strftime("%d/%m/%Y")},
                kind=Refusal.WRONG_STATUS,
            )
        before = snapshot(old)
        old.valid_to = effective - dt.timedelta(days=1)
        old.save(update_fields=["valid_to"])
        record("organization.end", old, actor=acting_user, before=before, after=snapshot(old))
        link = Succession.objects.create(
            predecessor=old,
            successor=successor,
            kind=kind,
            effective=effective,
            legal_basis=normalize(legal_basis),
        )
        record("succession.create", link, actor=acting_user, after=snapshot(link))
        links.append(link)
    if successor.valid_from is None or successor.valid_from > effective:
        successor.valid_from = effective
        successor.save(update_fields=["valid_from"])
    access.forget(acting_user)
    return links


@transaction.atomic
def do_create_cluster(
    *, slug: str, name: str, supervisor: Organization, description: str = "", acting_user: User
) -> Cluster:
    """Create an emulation cluster under its supervising organisation."""
    _require_admin(acting_user)
    if Cluster.objects.filter(slug=slug).exists():
        raise ActionRefused(
            _("A cluster with the slug %(slug)s exists already.") % {"slug": slug},
            kind=Refusal.EXISTS,
        )
    cluster = Cluster(
        slug=slug, name=normalize(name), supervisor=supervisor, description=description.strip()
    )
    cluster.full_clean()
    cluster.save()
    record("cluster.create", cluster, actor=acting_user, cluster=cluster, after=snapshot(cluster))
    return cluster


@transaction.atomic
def do_create_sub_unit(
    parent: Organization, *, name: str, short_name: str = "", acting_user: User
) -> Organization:
    """Create a unit inside `parent` (a division, an office: a collective that can be rewarded).

    Whoever manages the parent unit may (its own staff, the supervisor, the administrator);
    a unit that has ended takes no new sub-unit, and two current sub-units of one unit do
    not share a name.
    """
    access.require(acting_user, "orgs.manage_units", parent)
    today = clock.today()
    if parent.valid_to is not None and parent.valid_to < today:
        raise ActionRefused(
            _("%(unit)s ended on %(date)s; create the sub-unit in the unit that continues it.")
            % {"unit": parent.name, "date": parent.valid_to.strftime("%d/%m/%Y")},
            kind=Refusal.WRONG_STATUS,
        )
    text, short = normalize(name), normalize(short_name)
    if not text:
        raise ActionRefused(_("Enter the sub-unit's name."), kind=Refusal.MISSING)
    siblings = parent.children.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    for sibling in siblings.only("name", "short_name"):
        if same_text(sibling.name, text) or (short and same_text(sibling.short_name, short)):
            raise ActionRefused(
                _("%(unit)s already has a sub-unit named %(name)s.")
                % {"unit": parent.name, "name": sibling.name},
                kind=Refusal.DUPLICATE,
            )
    unit = Organization(
        name=text,
        short_name=short,
        kind=Organization.Kind.OTHER,
        province=parent.province,
        parent=parent,
    )
    unit.full_clean()
    unit.save()
    record("organization.create", unit, actor=acting_user, after=snapshot(unit))
    return unit
