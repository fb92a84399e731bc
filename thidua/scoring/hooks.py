"""Where scoring plugs into the year: phase checks and reactions, to-dos, links and facts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from thidua import access
from thidua.audit.stamp import StampedCache
from thidua.cycle import hooks
from thidua.cycle.hooks import CarryOver, Link, ProgressStep
from thidua.cycle.models import EmulationYear, Membership, Phase
from thidua.cycle.rules import PHASES
from thidua.lib.numbers import format_number, format_percent

from . import actions, reads, rules
from .models import CriteriaTable, Criterion, Dispute, Review, ReviewAssignment, SelfAssessment
from .problems import describe
from .problems import label as rules_label
from .reads import RANKING_PHASES

if TYPE_CHECKING:
    from thidua.orgs.models import User


def member_todos(year: EmulationYear, memberships: Sequence[Membership]) -> dict[int, list[str]]:
    """Self-assessments to submit, cross-checks to do, disputes to settle; a few queries."""
    todos: dict[int, list[str]] = {}
    if year.phase == Phase.SELF_ASSESSMENT:
        submitted = set(
            SelfAssessment.objects.filter(
                membership__year=year, submitted_at__isnull=False
            ).values_list("membership_id", flat=True)
        )
        for m in memberships:
            if m.pk not in submitted:
                todos.setdefault(m.organization_id, []).append(
                    _("Self-score and submit the self-assessment")
                )
    elif year.phase == Phase.CROSS_CHECK:
        by_pk = {m.pk: m for m in memberships}
        reviewed = set(
            Review.objects.filter(score__assessment__membership__year=year).values_list(
                "score__assessment__membership_id", flat=True
            )
        )
        for assignment in ReviewAssignment.objects.filter(reviewed__year=year):
            reviewer = by_pk.get(assignment.reviewer_id)
            reviewed_member = by_pk.get(assignment.reviewed_id)
            if reviewer and reviewed_member and assignment.reviewed_id not in reviewed:
                todos.setdefault(reviewer.organization_id, []).append(
                    _("Cross-check %(unit)s") % {"unit": reviewed_member.organization.display_name}
                )
        waiting = Dispute.objects.filter(
            score__assessment__membership__year=year, settled_at__isnull=True
        ).count()
        if waiting:
            for m in memberships:
                if m.role in (Membership.Role.HEAD, Membership.Role.DEPUTY):
                    todos.setdefault(m.organization_id, []).append(
                        _("Settle %(count)s disputes") % {"count": waiting}
                    )
    return todos


# Where the steps of scoring stand among the members' work (the pledge is 10, indicators 20).
SELF_ASSESSED_ORDER = 30
CROSS_CHECKED_ORDER = 40


def member_progress(year: EmulationYear, memberships: Sequence[Membership]) -> list[ProgressStep]:
    """From the self-assessment on: who submitted; from the cross-check on: how many of the
    self-scores each reviewer was given it has cross-checked. Three queries at most."""
    reached = PHASES.index(year.phase)
    if reached < PHASES.index(Phase.SELF_ASSESSMENT):
        return []
    submitted = set(
        SelfAssessment.objects.filter(
            membership__year=year, submitted_at__isnull=False
        ).values_list("membership_id", flat=True)
    )
    steps = [
        ProgressStep(
            key="scoring.self_assessed",
            label=_("Self-assessed"),
            order=SELF_ASSESSED_ORDER,
            done={m.organization_id: (int(m.pk in submitted), 1) for m in memberships},
            words=(_("Submitted"), _("Not submitted")),
        )
    ]
    if reached < PHASES.index(Phase.CROSS_CHECK):
        return steps
    # Per reviewed member: its self-scores, and how many of them have been cross-checked.
    scores = dict(
        SelfAssessment.objects.filter(membership__year=year)
        .annotate(n=Count("scores"))
        .values_list("membership_id", "n")
    )
    reviewed = dict(
        SelfAssessment.objects.filter(membership__year=year, scores__review__isnull=False)
        .annotate(n=Count("scores"))
        .values_list("membership_id", "n")
    )
    org_of = {m.pk: m.organization_id for m in memberships}
    done: dict[int, tuple[int, int]] = {}
    for reviewer_id, reviewed_id in ReviewAssignment.objects.filter(
        reviewed__year=year
    ).values_list("reviewer_id", "reviewed_id"):
        org = org_of.get(reviewer_id)
        if org is None:
            continue
        before = done.get(org, (0, 0))
        done[org] = (
            before[0] + reviewed.get(reviewed_id, 0),
            before[1] + scores.get(reviewed_id, 0),
        )
    if done:
        steps.append(
            ProgressStep(
                key="scoring.cross_checked",
                label=_("Cross-checked"),
                order=CROSS_CHECKED_ORDER,
                done=done,
            )
        )
    return steps


# Whether a year has its criteria table, kept until attributed data changes (creating a table
# appends an audit entry).
_tables: StampedCache[bool] = StampedCache(size=256)


def _has_table(year: EmulationYear) -> bool:
    return _tables.get(year.pk, CriteriaTable.objects.filter(year_id=year.pk).exists)


def year_links(year: EmulationYear, user: Any) -> list[Link]:
    if not user.has_perm("scoring.view", year):
        return []
    base = {"slug": year.cluster.slug, "year": year.year}
    links = []
    if _has_table(year) or user.has_perm("scoring.manage", year):
        links.append(Link(_("Criteria table"), reverse("scoring:table", kwargs=base)))
    roles = access.roles_in_year(user, year)
    past_setup = year.phase not in (Phase.SETUP, Phase.PLEDGE, Phase.IN_PROGRESS)
    if past_setup and roles.own_member_org_id is not None:
        links.append(
            Link(
                _("Our self-assessment"),
                reverse(
                    "scoring:assessment",
                    kwargs={**base, "organization_id": roles.own_member_org_id},
                ),
            )
        )
    if past_setup:
        links.append(Link(_("Cross-check"), reverse("scoring:cross_check", kwargs=base)))
    if year.phase in RANKING_PHASES:
        links.append(Link(_("Ranking"), reverse("scoring:ranking", kwargs=base)))
    return links


def report_facts(year: EmulationYear) -> dict[str, Any]:
    """The ranking, each member's classification, and the share that did well or better."""
    result = reads.ranking(year)
    if result is None or not result.standings:
        return {}
    share = result.share_at_least(rules.Classification.TOT) * 100
    return {
        "scoring.ranking": [
            {
                "rank": s.rank,
                "unit": s.name,
                "total": format_number(s.total, 2).rstrip("0").rstrip(","),
                "classification": rules_label(s.classification),
            }
            for s in result.standings
        ],
        "scoring.completion_summary": _(
            "%(share)s of the members of the cluster completed their assigned political tasks"
            " well or better"
        )
        % {"share": format_percent(share, 0)},
        "scoring.provisional": result.provisional,
    }


def phase_problems(year: EmulationYear, target: str) -> list[str]:
    """What stops the year moving to `target`, as far as scoring is concerned."""
    problems: list[str] = []
    if target == Phase.SELF_ASSESSMENT:
        table = reads.table_of(year)
        if table is None:
            return [_("The criteria table has not been written.")]
        tree = reads.load_tree(table)
        if not tree.leaves:
            problems.append(_("The criteria table has no criteria to score."))
        problems += [describe(p) for p in tree.problems()]
        problems += [describe(p) for p in rules.validate_bands(tree.bands)]
    elif year.phase == Phase.SELF_ASSESSMENT:
        pending = (
            Membership.objects.filter(year=year)
            .exclude(self_assessment__submitted_at__isnull=False)
            .select_related("organization")
        )
        names = sorted(m.organization.display_name for m in pending)
        if names:
            problems.append(
                _("These members have not submitted their self-assessment: %(units)s.")
                % {"units": ", ".join(names)}
            )
    elif year.phase == Phase.CROSS_CHECK:
        open_disputes = Dispute.objects.filter(
            score__assessment__membership__year=year, settled_at__isnull=True
        ).count()
        if open_disputes:
            problems.append(
                _("%(count)s disputes are waiting for the secretariat's settlement.")
                % {"count": open_disputes}
            )
    return problems


def phase_changed(year: EmulationYear, before: str, after: str, acting_user: User) -> None:
    """Lock the table when self-assessment opens; freeze the ranking when cross-check closes."""
    table = reads.table_of(year)
    if table is None:
        return
    if after == Phase.SELF_ASSESSMENT:
        actions.lock_table(year, table, acting_user=acting_user)
    if before == Phase.CROSS_CHECK:
        actions.freeze_ranking(year, table, acting_user=acting_user)


CARRY_OVER = "scoring.table"


def carry_overs(year: EmulationYear) -> list[CarryOver]:
    """The year's criteria table and its bands, offered to the next year."""
    table = reads.table_of(year)
    if table is None:
        return []
    count = Criterion.objects.filter(table=table).count()
    label = ngettext(
        "Copy the criteria table of %(year)s (%(count)s criterion)",
        "Copy the criteria table of %(year)s (%(count)s criteria)",
        count,
    ) % {"count": count, "year": year.year}
    return [CarryOver(CARRY_OVER, label)]


def year_opened(
    previous: EmulationYear, year: EmulationYear, options: frozenset[str], acting_user: User
) -> list[str]:
    """Copy last year's criteria table into the new year, if the secretariat ticked it."""
    table = reads.table_of(previous)
    if CARRY_OVER not in options or table is None:
        return []
    copy = actions.copy_table(table, year, acting_user=acting_user)
    count = Criterion.objects.filter(table=copy).count()
    return [
        ngettext(
            "the criteria table (%(count)s criterion)",
            "the criteria table (%(count)s criteria)",
            count,
        )
        % {"count": count}
    ]


def register() -> None:
    """Plug scoring into the year (called from ScoringConfig.ready)."""
    hooks.register(
        phase_problems=phase_problems,
        phase_changed=phase_changed,
        member_todos=member_todos,
        member_progress=member_progress,
        year_links=year_links,
        report_facts=report_facts,
        carry_overs=carry_overs,
        year_opened=year_opened,
    )
