"""Eligibility of nominations: read the history a batch needs, then judge it.

`reads` reads the history in a few queries and makes `rules.Nominee`s;
`awards.rules` judges them. A batch is judged year by year (a year is one cluster's), so
quotas count against that cluster's members; a national batch is judged in several
processes, each over a share of the cluster-years.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from functools import partial

from django.conf import settings
from django.db.models import Count, QuerySet

from thidua.cycle.models import EmulationYear, Membership
from thidua.lib.batch import Forked, can_fork, collector_paused

from . import rules
from .models import AwardRule, Nomination
from .reads import Entry, entries, load_nominees, on_other_connections

# Past this many nominations, a batch given as objects is loaded in parts, so that no
# query carries more ids than a database accepts.
CHUNK = 5000
Progress = Callable[[int, int], None]


def rule_versions() -> dict[str, list[rules.RuleVersion]]:
    """Every award's rule versions, by award code."""
    versions: dict[str, list[rules.RuleVersion]] = defaultdict(list)
    for rule in AwardRule.objects.select_related("award_type"):
        versions[rule.award_type.code].append(rule.as_version(rule.award_type.code))
    return versions


def judge_nominations(
    nominations: Sequence[Nomination], *, member_count: int | None = None
) -> dict[int, rules.Judgement]:
    """The verdict on each nomination, by id. Nominations need `award_type` loaded."""
    with collector_paused():
        return _judge_nominations(nominations, member_count=member_count)


def _judge_nominations(
    nominations: Sequence[Nomination], *, member_count: int | None
) -> dict[int, rules.Judgement]:
    calendar = dict(
        EmulationYear.objects.filter(pk__in={n.year_id for n in nominations}).values_list(
            "pk", "year"
        )
    )
    batch = [Entry.of(n, calendar) for n in nominations]
    versions = rule_versions()
    nominees = [
        nominee
        for start in range(0, len(batch), CHUNK)
        for nominee in load_nominees(batch[start : start + CHUNK], versions)
    ]
    return _judge(batch, nominees, versions, member_count=member_count)


def judge_scope(
    scope: QuerySet[Nomination],
    *,
    member_count: int | None = None,
    progress: Progress | None = None,
) -> dict[int, rules.Judgement]:
    """The verdict on every nomination of a query (a year, every cluster's year ...).

    A large batch outside a transaction is judged in several processes, each over a share
    of the cluster-years (a cluster-year is judged as a whole: quotas and initiatives are
    counted within it); see `_shares`.
    """
    with collector_paused():
        shares, total = _shares(scope) if member_count is None else ([], 0)
        if len(shares) < 2:
            return _judge_scope(scope, member_count=member_count, progress=progress)
        started = time.monotonic()
        others = [
            Forked(partial(_judge_scope, scope.filter(year_id__in=share), side_reads=False))
            for share in shares[1:]
        ]
        try:
            mine = scope.filter(year_id__in=shares[0])
            judged = _judge_scope(mine, progress=_scaled(progress, total), side_reads=False)
            # The shares are alike: another share takes about as long as this one did.
            patience = 60 + 2 * (time.monotonic() - started)
            for other in others:
                judged.update(other.result(timeout=patience))
        finally:
            for other in others:
                other.cancel()
        if progress is not None:
            progress(len(judged), total)
        return judged


def _scaled(progress: Progress | None, total: int) -> Progress | None:
    """This process's progress over its share, shown for the whole batch: the shares are
    about equal and judged at the same pace."""
    if progress is None:
        return None

    def report(done: int, of: int) -> None:
        progress(min(total, round(total * done / of)) if of else 0, total)

    return report


def _judge_scope(
    scope: QuerySet[Nomination],
    *,
    member_count: int | None = None,
    progress: Progress | None = None,
    side_reads: bool = True,
) -> dict[int, rules.Judgement]:
    batch = entries(scope)
    versions = rule_versions()
    nominees = load_nominees(batch, versions, scope=scope, side_reads=side_reads)
    return _judge(batch, nominees, versions, member_count=member_count, progress=progress)


def _shares(scope: QuerySet[Nomination]) -> tuple[list[list[int]], int]:
    """The scope's cluster-years in `THIDUA_JUDGE_PROCESSES` shares of about as many
    nominations each, and the batch's size, when the batch may go to other processes
    (`on_other_connections`); no shares otherwise."""
    processes = settings.THIDUA_JUDGE_PROCESSES
    if processes < 2 or not can_fork() or not on_other_connections(scope.db, size=None):
        return [], 0
    sizes = dict(
        scope.order_by().values("year_id").annotate(n=Count("pk")).values_list("year_id", "n")
    )
    if not on_other_connections(scope.db, size=sum(sizes.values())):
        return [], 0
    shares: list[list[int]] = [[] for _ in range(min(processes, len(sizes)))]
    counts = [0] * len(shares)
    for year_id, size in sorted(sizes.items(), key=lambda item: (-item[1], item[0])):
        lightest = counts.index(min(counts))  # the largest years first, to the lightest share
        shares[lightest].append(year_id)
        counts[lightest] += size
    return shares, sum(sizes.values())


def judge_year(year: EmulationYear) -> dict[int, rules.Judgement]:
    return judge_scope(year.nominations.all(), member_count=year.memberships.count())


def _judge(
    batch: Sequence[Entry],
    nominees: Sequence[rules.Nominee],
    versions: dict[str, list[rules.RuleVersion]],
    *,
    member_count: int | None,
    progress: Progress | None = None,
) -> dict[int, rules.Judgement]:
    """Judge each year's nominations together: quotas and initiatives are per year."""
    if not batch:
        return {}
    year_of: dict[Hashable, int] = {e.pk: e.year_id for e in batch}
    by_year: dict[int, list[rules.Nominee]] = defaultdict(list)
    for nominee in nominees:
        by_year[year_of[nominee.key]].append(nominee)
    counts: dict[int, int] = {}
    if member_count is None:
        counts = dict(
            Membership.objects.filter(year_id__in=by_year)
            .values_list("year_id")
            .annotate(n=Count("pk"))
            .values_list("year_id", "n")
        )
    judged: dict[int, rules.Judgement] = {}
    memo: dict[Hashable, rules.Judgement] = {}  # alike nominations, judged once
    for year_id, group in by_year.items():
        members = member_count if member_count is not None else counts.get(year_id, 0)
        batch_judged = rules.judge_batch(group, versions, member_count=members, memo=memo)
        for key, judgement in batch_judged.items():
            if isinstance(key, int):
                judged[key] = judgement
        if progress is not None:
            progress(len(judged), len(nominees))
    return judged
