"""Eligibility of nominations: load the history a batch needs in a few queries, then judge.

However many nominations there are, the history is read with a fixed number of queries
(all nominees at once, units' lineage resolved in memory); `awards.rules` does the rest.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence

from django.db.models import Q

from thidua.cycle.models import EmulationYear, Membership
from thidua.orgs import rules as org_rules
from thidua.orgs.models import PersonPosition, Succession

from . import rules
from .models import AwardRecord, AwardRule, Initiative, Nomination, TaskRating


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
    if not nominations:
        return {}
    years = {n.year_id for n in nominations}
    if member_count is None:
        member_count = Membership.objects.filter(year_id__in=years).count() // max(len(years), 1)
    nominees = load_nominees(nominations)
    return {
        int(key): judgement
        for key, judgement in rules.judge_batch(
            nominees, rule_versions(), member_count=member_count
        ).items()
        if isinstance(key, int)
    }


def judge_year(year: EmulationYear) -> dict[int, rules.Judgement]:
    nominations = list(year.nominations.select_related("award_type"))
    return judge_nominations(nominations, member_count=year.memberships.count())


def load_nominees(nominations: Sequence[Nomination]) -> list[rules.Nominee]:
    """The nominations as `rules.Nominee`s, with all their history, in seven queries."""
    edges = list(Succession.objects.values_list("predecessor_id", "successor_id"))
    lineage = {
        n.collective_id: {n.collective_id} | org_rules.predecessors(n.collective_id, edges)
        for n in nominations
        if n.collective_id is not None
    }
    all_orgs = set().union(*lineage.values()) if lineage else set()
    calendar = dict(
        EmulationYear.objects.filter(pk__in={n.year_id for n in nominations}).values_list(
            "pk", "year"
        )
    )
    members = _members(lineage.keys(), {calendar[n.year_id] for n in nominations})
    person_ids = {n.person_id for n in nominations if n.person_id is not None}
    member_ids = {p for by_year in members.values() for ps in by_year.values() for p in ps}
    people = person_ids | member_ids
    own_records = {n.record_id for n in nominations if n.record_id is not None}

    held_by_person: dict[int, list[rules.Held]] = defaultdict(list)
    held_by_org: dict[int, list[rules.Held]] = defaultdict(list)
    records = (
        AwardRecord.objects.filter(Q(person_id__in=people) | Q(organization_id__in=all_orgs))
        .exclude(pk__in=own_records)
        .values_list("person_id", "organization_id", "award_type__code", "year")
    )
    for person_id, org_id, code, year in records:
        held = rules.Held(code, year)
        if person_id is not None:
            held_by_person[person_id].append(held)
        else:
            held_by_org[org_id].append(held)

    ratings_by_person: dict[int, dict[int, rules.Rating]] = defaultdict(dict)
    ratings_by_org: dict[int, dict[int, rules.Rating]] = defaultdict(dict)
    ratings = TaskRating.objects.filter(
        Q(person_id__in=people) | Q(organization_id__in=all_orgs)
    ).values_list("person_id", "organization_id", "year", "rating")
    for person_id, org_id, year, rating in ratings:
        if person_id is not None:
            ratings_by_person[person_id][year] = rules.Rating(rating)
        else:
            ratings_by_org[org_id][year] = rules.Rating(rating)

    initiatives: dict[int, list[tuple[int, int, str, int | None]]] = defaultdict(list)
    for pk, person_id, year, level, used_by in Initiative.objects.filter(
        person_id__in=person_ids
    ).values_list("pk", "person_id", "year", "level", "used_by_id"):
        initiatives[person_id].append((pk, year, level, used_by))

    nominees = []
    for n in nominations:
        year = calendar[n.year_id]
        if n.person_id is not None:
            nominee = rules.Nominee(
                key=n.pk,
                award=n.award_type.code,
                year=year,
                held=tuple(held_by_person[n.person_id]),
                ratings=ratings_by_person[n.person_id],
                initiatives=tuple(
                    rules.InitiativeFact(
                        pk, y, rules.Level(level), used_by is not None and used_by != n.record_id
                    )
                    for pk, y, level, used_by in initiatives[n.person_id]
                ),
                clean_record=n.clean_record,
            )
        else:
            assert n.collective_id is not None
            orgs = lineage[n.collective_id]
            staff = members[n.collective_id].get(year, set())
            nominee = rules.Nominee(
                key=n.pk,
                award=n.award_type.code,
                year=year,
                held=tuple(h for org in orgs for h in held_by_org[org]),
                ratings=_lineage_ratings(orgs, ratings_by_org),
                members=tuple(
                    rules.MemberFact(
                        frozenset(h.award for h in held_by_person[p] if h.year == year),
                        ratings_by_person[p].get(year),
                    )
                    for p in sorted(staff)
                )
                or None,
                clean_record=n.clean_record,
            )
        nominees.append(nominee)
    return nominees


def _lineage_ratings(
    orgs: Iterable[int], ratings_by_org: dict[int, dict[int, rules.Rating]]
) -> dict[int, rules.Rating]:
    """A unit's ratings with its predecessors'; where two merged units differ, the lower."""
    merged: dict[int, rules.Rating] = {}
    for org in orgs:
        for year, rating in ratings_by_org[org].items():
            if year not in merged or rules.RATING_RANK[rating] < rules.RATING_RANK[merged[year]]:
                merged[year] = rating
    return merged


def _members(
    collectives: Iterable[Hashable], years: set[int]
) -> dict[Hashable, dict[int, set[int]]]:
    """The people who worked in each collective during each nomination year: one query."""
    wanted = set(collectives)
    found: dict[Hashable, dict[int, set[int]]] = {c: defaultdict(set) for c in wanted}
    if not wanted:
        return found
    positions = PersonPosition.objects.filter(organization_id__in=wanted).values_list(
        "organization_id", "person_id", "valid_from", "valid_to"
    )
    for org_id, person_id, start, end in positions:
        for year in years:
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
            if (start is None or start <= last) and (end is None or end >= first):
                found[org_id][year].add(person_id)
    return found
