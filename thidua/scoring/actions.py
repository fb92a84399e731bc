"""Every change to the year's scoring goes through one of these actions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from thidua import access
from thidua.audit.record import record, snapshot
from thidua.cycle.actions import lock_year
from thidua.cycle.models import EmulationYear, Membership, Phase
from thidua.cycle.rules import shift_year_references
from thidua.errors import ActionRefused, Refusal
from thidua.lib import clock, uploads
from thidua.lib.text import normalize

from . import reads, rules
from .models import (
    Band,
    CriteriaTable,
    Criterion,
    Dispute,
    Evidence,
    RankingSnapshot,
    Review,
    ReviewAssignment,
    Score,
    SelfAssessment,
)
from .problems import describe, points

if TYPE_CHECKING:
    from thidua.orgs.models import User

# The table is written and copied before the members start scoring; then it is locked.
EDIT_PHASES = (Phase.SETUP, Phase.PLEDGE, Phase.IN_PROGRESS)
ASSIGN_PHASES = (Phase.SELF_ASSESSMENT, Phase.CROSS_CHECK)

# Extension -> (content type, the bytes such a file starts with).
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
}


def _require_phase(year: EmulationYear, *phases: Phase) -> None:
    if year.phase == Phase.CLOSED:
        raise ActionRefused(
            _("The year is closed and can no longer be changed."), kind=Refusal.CLOSED
        )
    if year.phase not in phases:
        raise ActionRefused(
            _("This cannot be done in the %(phase)s phase.") % {"phase": year.get_phase_display()},
            kind=Refusal.WRONG_PHASE,
        )


def _editable_table(table: CriteriaTable, acting_user: User) -> EmulationYear:
    access.require(acting_user, "scoring.manage", table.year)
    year = lock_year(table.year)
    _require_phase(year, *EDIT_PHASES)
    table.refresh_from_db(fields=["locked_at"])
    if table.is_locked:
        raise ActionRefused(_("The criteria table is locked."), kind=Refusal.LOCKED)
    return year


def _refuse(problems: list[rules.Problem]) -> None:
    if problems:
        raise ActionRefused(" ".join(describe(p) for p in problems), kind=Refusal.INVALID)


# --- the criteria table ---------------------------------------------------------------------


def previous_table(year: EmulationYear) -> CriteriaTable | None:
    """The cluster's most recent table before this year, the one to copy."""
    return (
        CriteriaTable.objects.filter(year__cluster=year.cluster_id, year__year__lt=year.year)
        .order_by("-year__year")
        .first()
    )


@transaction.atomic
def do_create_table(
    year: EmulationYear,
    *,
    title: str,
    acting_user: User,
    copy_from: CriteriaTable | None = None,
) -> CriteriaTable:
    """Start the year's table, empty or as a copy of an earlier year's table and bands."""
    access.require(acting_user, "scoring.manage", year)
    year = lock_year(year)
    _require_phase(year, *EDIT_PHASES)
    if CriteriaTable.objects.filter(year=year).exists():
        raise ActionRefused(_("The year already has a criteria table."), kind=Refusal.EXISTS)
    if copy_from is not None and copy_from.year.cluster_id != year.cluster_id:
        raise ActionRefused(
            _("Only a table of the same cluster can be copied."), kind=Refusal.INVALID
        )
    title = normalize(title)
    if not title:
        raise ActionRefused(_("Give the table a title."), kind=Refusal.MISSING)
    return _create_table(year, title=title, copy_from=copy_from, acting_user=acting_user)


def copy_table(source: CriteriaTable, year: EmulationYear, *, acting_user: User) -> CriteriaTable:
    """Copy `source` into `year` (which has no table yet), its title and criteria written for
    the new year ("năm 2016" → "năm 2017"); audited, unchecked.

    The opening of a year calls it, under the opening's permission.
    """
    title = shift_year_references(source.title, source.year.year, year.year)
    return _create_table(year, title=title, copy_from=source, acting_user=acting_user)


def _create_table(
    year: EmulationYear, *, title: str, copy_from: CriteriaTable | None, acting_user: User
) -> CriteriaTable:
    table = CriteriaTable.objects.create(year=year, title=title, copied_from=copy_from)
    copied = 0
    if copy_from is not None:
        old = copy_from.year.year
        new_ids: dict[int, Criterion] = {}
        # Parents come before children in table order, so each parent exists when needed.
        for row in reads.load_tree(copy_from).rows:
            new_ids[row.pk] = Criterion.objects.create(
                table=table,
                parent=new_ids[row.parent_id] if row.parent_id else None,
                number=row.number,
                title=shift_year_references(row.title, old, year.year),
                kind=row.kind,
                max_points=row.max_points,
                order=row.order,
            )
        copied = len(new_ids)
        Band.objects.bulk_create(
            Band(table=table, classification=b.classification, min_total=b.min_total)
            for b in copy_from.bands.all()
        )
    record(
        "scoring.table.create",
        table,
        actor=acting_user,
        year=year,
        after={**snapshot(table), "criteria_copied": copied},
    )
    return table


@dataclass(frozen=True)
class CriterionInput:
    """What the table editor submits for one criterion."""

    number: str
    title: str
    kind: str
    max_points: Decimal | None


def _clean(data: CriterionInput) -> CriterionInput:
    number = normalize(data.number)
    title = normalize(data.title)
    if not number or not title:
        raise ActionRefused(_("A criterion needs a number and a title."), kind=Refusal.MISSING)
    if data.kind not in Criterion.Kind.values:
        raise ActionRefused(_("Choose the kind of criterion."), kind=Refusal.MISSING)
    max_points = data.max_points
    if data.kind != Criterion.Kind.SECTION:
        node = rules.CriterionNode(number, title, rules.Kind(data.kind), max_points)
        _refuse(rules.validate_table([node]))
    elif max_points is not None and max_points <= 0:
        max_points = None  # a section's total is stated only when it is positive
    return CriterionInput(number, title, data.kind, max_points)


def _check_number_free(table: CriteriaTable, number: str, exclude: int | None = None) -> None:
    clash = Criterion.objects.filter(table=table, number=number)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ActionRefused(
            _("The number %(number)s is used twice in the table.") % {"number": number},
            kind=Refusal.DUPLICATE,
        )


@transaction.atomic
def do_add_criterion(
    table: CriteriaTable,
    *,
    parent: Criterion | None,
    data: CriterionInput,
    acting_user: User,
) -> Criterion:
    """Add a section, a criterion, a bonus or a penalty at the end of its parent."""
    year = _editable_table(table, acting_user)
    data = _clean(data)
    if parent is not None:
        if parent.table_id != table.pk:
            raise ActionRefused(_("The parent is not in this table."), kind=Refusal.INVALID)
        if parent.is_leaf:
            raise ActionRefused(
                _("%(number)s is scored directly, so it cannot hold other criteria.")
                % {"number": parent.number},
                kind=Refusal.INVALID,
            )
    _check_number_free(table, data.number)
    siblings = Criterion.objects.filter(table=table, parent=parent)
    last = siblings.order_by("-order").values_list("order", flat=True).first()
    criterion = Criterion.objects.create(
        table=table,
        parent=parent,
        number=data.number,
        title=data.title,
        kind=data.kind,
        max_points=data.max_points,
        order=(last or 0) + 1,
    )
    record(
        "scoring.criterion.add", criterion, actor=acting_user, year=year, after=snapshot(criterion)
    )
    return criterion


@transaction.atomic
def do_change_criterion(
    criterion: Criterion, *, data: CriterionInput, acting_user: User
) -> Criterion:
    """Correct a criterion's number, title, kind or maximum while the table is open."""
    year = _editable_table(criterion.table, acting_user)
    data = _clean(data)
    if data.kind != Criterion.Kind.SECTION and criterion.children.exists():
        raise ActionRefused(
            _("%(number)s holds other criteria, so it must stay a section.")
            % {"number": criterion.number},
            kind=Refusal.INVALID,
        )
    _check_number_free(criterion.table, data.number, exclude=criterion.pk)
    before = snapshot(criterion)
    criterion.number = data.number
    criterion.title = data.title
    criterion.kind = data.kind
    criterion.max_points = data.max_points
    criterion.save()
    record(
        "scoring.criterion.change",
        criterion,
        actor=acting_user,
        year=year,
        before=before,
        after=snapshot(criterion),
    )
    return criterion


@transaction.atomic
def do_remove_criterion(criterion: Criterion, *, acting_user: User) -> None:
    """Take a criterion out of the table while it is open; a section must be emptied first."""
    year = _editable_table(criterion.table, acting_user)
    if criterion.children.exists():
        raise ActionRefused(
            _("Remove the criteria under %(number)s first.") % {"number": criterion.number},
            kind=Refusal.REFUSED,
        )
    before = snapshot(criterion)
    record("scoring.criterion.remove", criterion, actor=acting_user, year=year, before=before)
    criterion.delete()


@transaction.atomic
def do_move_criterion(criterion: Criterion, *, up: bool, acting_user: User) -> Criterion:
    """Swap a criterion with its previous (or next) sibling."""
    year = _editable_table(criterion.table, acting_user)
    siblings = list(
        Criterion.objects.filter(table=criterion.table, parent=criterion.parent_id).order_by(
            "order", "pk"
        )
    )
    index = next(i for i, s in enumerate(siblings) if s.pk == criterion.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return criterion
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, 1):
        sibling.order = position
    Criterion.objects.bulk_update(siblings, ["order"])
    record(
        "scoring.criterion.move",
        criterion,
        actor=acting_user,
        year=year,
        after={"order": [s.number for s in siblings]},
    )
    return criterion


@transaction.atomic
def do_set_bands(
    table: CriteriaTable, *, thresholds: Mapping[str, Decimal], acting_user: User
) -> list[Band]:
    """Set the cluster's classification thresholds (best class first, strictly descending)."""
    year = _editable_table(table, acting_user)
    bands = [
        rules.Band(rules.Classification(code), thresholds[code])
        for code in rules.Classification
        if code in thresholds
    ]
    _refuse(rules.validate_bands(bands))
    if any(b.classification is rules.Classification.KHONG_HOAN_THANH for b in bands):
        raise ActionRefused(
            _("Totals below the last threshold are “did not complete tasks”."), kind=Refusal.INVALID
        )
    before = {b.classification: str(b.min_total) for b in table.bands.all()}
    table.bands.all().delete()
    stored = Band.objects.bulk_create(
        Band(table=table, classification=b.classification.value, min_total=b.min_total)
        for b in bands
    )
    record(
        "scoring.bands.set",
        table,
        actor=acting_user,
        year=year,
        before={"bands": before},
        after={"bands": {b.classification.value: str(b.min_total) for b in bands}},
    )
    return stored


# --- what the year's phase changes do to scoring (called from hooks.phase_changed) -------------


def lock_table(year: EmulationYear, table: CriteriaTable, *, acting_user: User) -> None:
    """Lock the table as self-assessment opens; the default bands become the year's, visibly."""
    if table.is_locked:
        return
    tree = reads.load_tree(table)
    if not tree.stored_bands:
        Band.objects.bulk_create(
            Band(table=table, classification=b.classification.value, min_total=b.min_total)
            for b in tree.bands
        )
    table.locked_at = clock.now()
    table.save(update_fields=["locked_at"])
    record("scoring.table.lock", table, actor=acting_user, year=year, after=snapshot(table))


def freeze_ranking(year: EmulationYear, table: CriteriaTable, *, acting_user: User) -> None:
    """Keep the ranking as the cross-check closes, once: later edits never change it."""
    if RankingSnapshot.objects.filter(year=year).exists():
        return
    frozen = RankingSnapshot.objects.create(
        year=year,
        taken_at=clock.now(),
        taken_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        data=reads.snapshot_data(year, reads.load_tree(table)),
    )
    record("scoring.ranking.freeze", frozen, actor=acting_user, year=year, after=frozen.data)


# --- self-assessment --------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreInput:
    """One leaf of the self-assessment form: points (None: not scored yet) and explanation."""

    points: Decimal | None
    explanation: str = ""


def _open_assessment(membership: Membership, acting_user: User, perm: str) -> SelfAssessment:
    access.require(acting_user, perm, membership)
    year = lock_year(membership.year)
    _require_phase(year, Phase.SELF_ASSESSMENT)
    table = reads.table_of(year)
    assert table is not None  # the phase check guarantees it
    assessment, _created = SelfAssessment.objects.select_for_update().get_or_create(
        membership=membership, defaults={"table": table}
    )
    if assessment.is_submitted:
        raise ActionRefused(
            _("The self-assessment has been submitted and can no longer be changed."),
            kind=Refusal.SUBMITTED,
        )
    return assessment


def _leaf(tree: reads.TableTree, criterion_id: int) -> Criterion:
    for row in tree.leaves:
        if row.pk == criterion_id:
            return row
    raise ActionRefused(
        _("The criterion is not a scored item of this year's table."), kind=Refusal.INVALID
    )


@transaction.atomic
def do_save_self_scores(
    membership: Membership, *, entries: Mapping[int, ScoreInput], acting_user: User
) -> SelfAssessment:
    """Save the unit's draft scores (criterion id -> input); nothing is saved if one is wrong."""
    assessment = _open_assessment(membership, acting_user, "scoring.self_score")
    tree = reads.load_tree(assessment.table)
    existing = {s.criterion_id: s for s in assessment.scores.all()}
    problems: list[rules.Problem] = []
    changed: list[tuple[Criterion, ScoreInput]] = []
    for criterion_id, entry in entries.items():
        criterion = _leaf(tree, criterion_id)
        if entry.points is not None:
            problem = rules.check_score(tree.node(criterion), entry.points)
            if problem is not None:
                problems.append(problem)
                continue
        changed.append((criterion, ScoreInput(entry.points, normalize_block(entry.explanation))))
    _refuse(problems)
    before, after = {}, {}
    for criterion, entry in changed:
        score = existing.get(criterion.pk)
        if score is None:
            score = Score(
                assessment=assessment,
                criterion=criterion,
                minimum=criterion.minimum,
                maximum=criterion.maximum,
            )
        elif (score.points, score.explanation) == (entry.points, entry.explanation):
            continue
        else:
            before[criterion.number] = _figure(score.points, score.explanation)
        score.points = entry.points
        score.explanation = entry.explanation
        score.save()
        after[criterion.number] = _figure(entry.points, entry.explanation)
    if after:
        record(
            "scoring.self_score",
            assessment,
            actor=acting_user,
            year=membership.year,
            before=before,
            after=after,
        )
    return assessment


def _figure(value: Decimal | None, text: str) -> dict[str, str | None]:
    return {"points": str(value) if value is not None else None, "text": text}


def normalize_block(text: str) -> str:
    return "\n".join(normalize(line) for line in text.strip().splitlines())


@transaction.atomic
def do_add_evidence(
    membership: Membership, *, criterion: Criterion, upload: UploadedFile, acting_user: User
) -> Evidence:
    """Attach a file (PDF, image, Word, Excel; within its configured limit) to a self-score."""
    assessment = _open_assessment(membership, acting_user, "scoring.self_score")
    tree = reads.load_tree(assessment.table)
    criterion = _leaf(tree, criterion.pk)
    name = PurePath(normalize(upload.name or "")).name
    suffix = PurePath(name).suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        raise ActionRefused(
            _("Evidence must be a PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx) file."),
            kind=Refusal.FILE_TYPE,
        )
    problem = uploads.size_problem(upload.name or "", upload.size, "scoring_evidence")
    if problem:
        raise ActionRefused(problem, kind=Refusal.SIZE)
    content_type, signatures = EVIDENCE_TYPES[suffix]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(signatures):
        raise ActionRefused(
            _("The file %(name)s is not what its name says it is.") % {"name": name},
            kind=Refusal.FILE_TYPE,
        )
    score = Score.objects.filter(assessment=assessment, criterion=criterion).first()
    if score is None:
        score = Score.objects.create(
            assessment=assessment,
            criterion=criterion,
            minimum=criterion.minimum,
            maximum=criterion.maximum,
        )
    evidence = Evidence(
        score=score,
        original_name=name[:255],
        content_type=content_type,
        size=upload.size or 0,  # not empty: size_problem refused that above
        uploaded_by=acting_user,
        uploaded_at=clock.now(),
    )
    evidence.file.save(f"{criterion.number}{suffix}", upload, save=False)
    evidence.save()
    record(
        "scoring.evidence.add",
        evidence,
        actor=acting_user,
        year=membership.year,
        after={"criterion": criterion.number, "name": name, "size": upload.size},
    )
    return evidence


@transaction.atomic
def do_submit_assessment(membership: Membership, *, acting_user: User) -> SelfAssessment:
    """Submit the self-assessment, once: every leaf scored, non-zero points explained."""
    assessment = _open_assessment(membership, acting_user, "scoring.submit")
    tree = reads.load_tree(assessment.table)
    scores = {s.criterion_id: s for s in assessment.scores.all()}
    missing = [
        c.number for c in tree.leaves if scores.get(c.pk) is None or scores[c.pk].points is None
    ]
    if missing:
        raise ActionRefused(
            _("Score every criterion before submitting; still missing: %(numbers)s.")
            % {"numbers": ", ".join(missing)},
            kind=Refusal.INCOMPLETE,
        )
    unexplained = [
        c.number for c in tree.leaves if scores[c.pk].points and not scores[c.pk].explanation
    ]
    if unexplained:
        raise ActionRefused(
            _("Explain the points given for: %(numbers)s.") % {"numbers": ", ".join(unexplained)},
            kind=Refusal.UNEXPLAINED,
        )
    assessment.submitted_at = clock.now()
    assessment.submitted_by = acting_user
    assessment.save(update_fields=["submitted_at", "submitted_by"])
    total = sum((s.points for s in scores.values() if s.points is not None), Decimal(0))
    record(
        "scoring.self_assessment.submit",
        assessment,
        actor=acting_user,
        year=membership.year,
        after={"submitted_at": assessment.submitted_at, "total": str(total)},
    )
    return assessment


# --- cross-check ------------------------------------------------------------------------------


def proposed_rotation(year: EmulationYear) -> dict[int, int]:
    """Reviewed membership id -> reviewer membership id, in the members' alphabetical order."""
    from thidua.lib.text import sort_key

    members = sorted(
        Membership.objects.filter(year=year).select_related("organization"),
        key=lambda m: sort_key(m.organization.name),
    )
    if len(members) < 2:
        return {}
    plan = rules.propose_rotation([m.pk for m in members])
    return {reviewed: reviewers[0] for reviewed, reviewers in plan.items()}


@transaction.atomic
def do_assign_reviewers(
    year: EmulationYear, *, plan: Mapping[int, int], acting_user: User
) -> list[ReviewAssignment]:
    """Set who cross-checks whom (reviewed membership id -> reviewer id), one reviewer each."""
    access.require(acting_user, "scoring.manage", year)
    year = lock_year(year)
    _require_phase(year, *ASSIGN_PHASES)
    members = {m.pk: m for m in Membership.objects.filter(year=year).select_related("organization")}
    if set(plan) != set(members) or not set(plan.values()) <= set(members):
        raise ActionRefused(
            _("Choose one reviewer, a member of the cluster, for every member."),
            kind=Refusal.MISSING,
        )
    selves = sorted(members[r].organization.display_name for r, by in plan.items() if r == by)
    if selves:
        raise ActionRefused(
            _("A member cannot cross-check itself: %(units)s.") % {"units": ", ".join(selves)},
            kind=Refusal.SELF_REVIEW,
        )
    current = {a.reviewed_id: a for a in ReviewAssignment.objects.filter(reviewed__year=year)}
    started = set(
        Review.objects.filter(score__assessment__membership__year=year).values_list(
            "score__assessment__membership_id", flat=True
        )
    )
    frozen = sorted(
        members[r].organization.display_name
        for r, by in plan.items()
        if r in current and current[r].reviewer_id != by and r in started
    )
    if frozen:
        raise ActionRefused(
            _("The cross-check of %(units)s has started; its reviewer can no longer change.")
            % {"units": ", ".join(frozen)},
            kind=Refusal.STARTED,
        )
    now = clock.now()
    before = {
        members[r].organization.display_name: members[a.reviewer_id].organization.display_name
        for r, a in current.items()
    }
    result = []
    for reviewed_id, reviewer_id in plan.items():
        assignment = current.get(reviewed_id)
        if assignment is not None and assignment.reviewer_id == reviewer_id:
            result.append(assignment)
            continue
        if assignment is None:
            assignment = ReviewAssignment(reviewed_id=reviewed_id)
        assignment.reviewer_id = reviewer_id
        assignment.assigned_by = acting_user
        assignment.assigned_at = now
        assignment.save()
        result.append(assignment)
    after = {
        members[r].organization.display_name: members[by].organization.display_name
        for r, by in plan.items()
    }
    if after != before:
        record(
            "scoring.reviewers.assign",
            year,
            actor=acting_user,
            year=year,
            before=before,
            after=after,
        )
    return result


@dataclass(frozen=True)
class ReviewInput:
    """The reviewer's figure for one leaf (None: not reviewed) and the reason for a change."""

    points: Decimal | None
    reason: str = ""


@transaction.atomic
def do_save_review(
    assignment: ReviewAssignment, *, entries: Mapping[int, ReviewInput], acting_user: User
) -> list[Review]:
    """The assigned reviewer confirms or adjusts self-scores; a changed figure needs a reason."""
    reviewed = assignment.reviewed
    access.require(acting_user, "scoring.review", reviewed)
    year = lock_year(reviewed.year)
    roles = access.roles_in_year(acting_user, year)
    if roles.own_member_org_id != assignment.reviewer.organization_id:
        raise ActionRefused(
            _("Only the assigned reviewer can cross-check this member."), kind=Refusal.NOT_YOURS
        )
    _require_phase(year, Phase.CROSS_CHECK)
    assessment = SelfAssessment.objects.filter(
        membership=reviewed, submitted_at__isnull=False
    ).first()
    if assessment is None:
        raise ActionRefused(
            _("The member has not submitted its self-assessment."), kind=Refusal.WRONG_STATUS
        )
    tree = reads.load_tree(assessment.table)
    scores = {
        s.criterion_id: s
        for s in assessment.scores.select_related("criterion", "review", "dispute")
    }
    problems: list[rules.Problem] = []
    todo: list[tuple[Score, ReviewInput]] = []
    for criterion_id, entry in entries.items():
        criterion = _leaf(tree, criterion_id)
        score = scores[criterion.pk]
        if entry.points is None:
            continue
        reason = normalize_block(entry.reason)
        assert score.points is not None
        leaf = rules.LeafScore(score.points, entry.points, reason)
        problems += leaf.problems(tree.node(criterion))
        current = getattr(score, "review", None)
        if current is not None and (current.points, current.reason) == (entry.points, reason):
            continue
        if hasattr(score, "dispute"):
            raise ActionRefused(
                _("%(number)s is disputed; its review can no longer change.")
                % {"number": criterion.number},
                kind=Refusal.LOCKED,
            )
        todo.append((score, ReviewInput(entry.points, reason)))
    _refuse(problems)
    now = clock.now()
    saved, before, after = [], {}, {}
    for score, entry in todo:
        review = getattr(score, "review", None)
        if review is not None:
            before[score.criterion.number] = _figure(review.points, review.reason)
        else:
            review = Review(score=score)
        review.reviewer = assignment.reviewer
        assert entry.points is not None
        review.points = entry.points
        review.reason = entry.reason
        review.reviewed_by = acting_user
        review.reviewed_at = now
        review.save()
        saved.append(review)
        after[score.criterion.number] = _figure(entry.points, entry.reason)
    if saved:
        record(
            "scoring.review", assessment, actor=acting_user, year=year, before=before, after=after
        )
    return saved


@transaction.atomic
def do_raise_dispute(score: Score, *, reason: str, acting_user: User) -> Dispute:
    """The reviewed member contests the review of one leaf, with its reason."""
    membership = score.assessment.membership
    access.require(acting_user, "scoring.dispute", membership)
    year = lock_year(membership.year)
    _require_phase(year, Phase.CROSS_CHECK)
    reason = normalize_block(reason)
    if not reason:
        raise ActionRefused(_("Give the reason for the dispute."), kind=Refusal.NO_REASON)
    if not Review.objects.filter(score=score).exists():
        raise ActionRefused(_("Only a reviewed score can be disputed."), kind=Refusal.WRONG_STATUS)
    if Dispute.objects.filter(score=score).exists():
        raise ActionRefused(_("This score is already disputed."), kind=Refusal.EXISTS)
    dispute = Dispute.objects.create(
        score=score, reason=reason, raised_by=acting_user, raised_at=clock.now()
    )
    record(
        "scoring.dispute.raise",
        dispute,
        actor=acting_user,
        year=year,
        after={"criterion": score.criterion.number, "reason": reason},
    )
    return dispute


@transaction.atomic
def do_settle_dispute(
    dispute: Dispute, *, points_settled: Decimal, reason: str, acting_user: User
) -> Dispute:
    """The secretariat settles a dispute: these points stand, whatever self or review said."""
    score = dispute.score
    membership = score.assessment.membership
    access.require(acting_user, "scoring.settle", membership)
    year = lock_year(membership.year)
    _require_phase(year, Phase.CROSS_CHECK)
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if dispute.is_settled:
        raise ActionRefused(_("The dispute has already been settled."), kind=Refusal.SETTLED)
    if access.roles_in_year(acting_user, year).own_member_org_id == membership.organization_id:
        raise ActionRefused(
            _("A unit cannot settle its own dispute; the other secretariat unit settles it."),
            kind=Refusal.OWN_DISPUTE,
        )
    reason = normalize_block(reason)
    if not reason:
        raise ActionRefused(_("Give the reason for the settlement."), kind=Refusal.NO_REASON)
    tree = reads.load_tree(score.assessment.table)
    _refuse([p for p in [rules.check_score(tree.node(score.criterion), points_settled)] if p])
    dispute.settled_points = points_settled
    dispute.settlement_reason = reason
    dispute.settled_by = acting_user
    dispute.settled_at = clock.now()
    dispute.save()
    record(
        "scoring.dispute.settle",
        dispute,
        actor=acting_user,
        year=year,
        after={
            "criterion": score.criterion.number,
            "points": points(points_settled),
            "reason": reason,
        },
    )
    return dispute
