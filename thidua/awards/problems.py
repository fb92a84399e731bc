"""The user's words for the findings of `awards.rules`, and for rule-data errors."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from thidua.lib.numbers import format_percent

from .rule_data import RuleDataError
from .rules import Reason, Verdict

VERDICT_LABELS = {
    Verdict.ELIGIBLE: pgettext_lazy("awards", "Eligible"),
    Verdict.NOT_ELIGIBLE: pgettext_lazy("awards", "Not eligible"),
    Verdict.NEEDS_REVIEW: gettext_lazy("Needs human review"),
}

RATING_LABELS = {
    "htxsnv": gettext_lazy("completed tasks excellently"),
    "httnv": gettext_lazy("completed tasks well"),
    "htnv": gettext_lazy("completed tasks"),
    "khtnv": gettext_lazy("did not complete tasks"),
}

LEVEL_LABELS = {
    "grassroots": gettext_lazy("grassroots level"),
    "ministry_province": gettext_lazy("ministry or province level"),
    "national": gettext_lazy("national level"),
}

# Decision.Authority's values, as the decision form and its refusals name them.
AUTHORITY_LABELS = {
    "minister": pgettext_lazy("awards", "The Minister"),
    "agency_head": pgettext_lazy("awards", "The head of the agency"),
}


def _years(years: Any) -> str:
    return ", ".join(str(y) for y in years)


def _share(share: Any) -> str:
    return format_percent(Decimal(str(share)) * 100, 0)


def describe(reason: Reason, names: Mapping[str, str]) -> str:
    """One finding as a sentence; `names` maps award codes to their names."""
    p = dict(reason.params)
    if "award" in p:
        p["award"] = names.get(p["award"], p["award"])
    if "minimum" in p:
        p["minimum"] = RATING_LABELS.get(p["minimum"], p["minimum"])
    if "level" in p:
        p["level"] = LEVEL_LABELS.get(p["level"], p["level"])
    if "share" in p:
        p["share"] = _share(p["share"])
    if "years" in p:
        p["years"] = _years(p["years"])
    if "excellent_years" in p:
        p["excellent_years"] = _years(p["excellent_years"]) or "—"
    met = reason.effect == Verdict.ELIGIBLE
    match reason.code:
        case "consecutive" if met:
            return _("%(award)s for %(count)s consecutive years — %(years)s.") % p
        case "consecutive" if p["count"]:
            return _("Needs %(n)s consecutive years as %(award)s; has %(count)s — %(years)s.") % p
        case "consecutive":
            return _("Needs %(n)s consecutive years as %(award)s; has none up to %(year)s.") % p
        case "count_in_window" if met:
            return _("%(award)s %(count)s times in the last %(window)s years — %(years)s.") % p
        case "count_in_window":
            return _("Needs %(award)s %(n)s times in the last %(window)s years; has %(count)s.") % p
        case "same_year" if met:
            return _("Holds %(award)s in the same year.") % p
        case "same_year":
            return _("Needs %(award)s in the same year; does not hold it.") % p
        case "ratings":
            return (
                _(
                    "Rated at least “%(minimum)s” in each of the last %(n)s years; "
                    "excellent in: %(excellent_years)s."
                )
                % p
            )
        case "ratings_below":
            return (
                _(
                    "Needs a rating of at least “%(minimum)s” in each of the last %(n)s years; "
                    "lower in %(years)s."
                )
                % p
            )
        case "ratings_unknown":
            return _("The task rating of %(years)s is not recorded; check it.") % p
        case "too_few_excellent":
            return (
                _(
                    "Needs %(excellent)s years rated “completed tasks excellently” in the last "
                    "%(n)s years; has: %(excellent_years)s."
                )
                % p
            )
        case "initiatives":
            return (
                _(
                    "%(count)s unused initiatives at %(level)s or above in the last %(window)s "
                    "years (%(n)s needed)."
                )
                % p
            )
        case "initiatives_missing":
            return (
                _(
                    "Needs %(n)s initiatives at %(level)s or above in the last %(window)s years, "
                    "not yet counted for another award; has %(count)s (%(used)s already used)."
                )
                % p
            )
        case "never_held":
            return _("Needs %(award)s first; has never held it.") % p
        case "years_since" if met:
            return _("%(award)s last in %(last)s, %(since)s years ago.") % p
        case "years_since":
            return (
                _(
                    "Needs at least %(n)s years since %(award)s (last in %(last)s); "
                    "only %(since)s have passed."
                )
                % p
            )
        case "member_share" if met:
            return _("%(count)s of %(total)s members hold %(award)s (%(share)s needed).") % p
        case "member_share":
            return (
                _("Needs at least %(share)s of members with %(award)s; has %(count)s of %(total)s.")
                % p
            )
        case "member_rating_share" if met:
            return (
                _("%(count)s of %(total)s members rated at least “%(minimum)s” (%(share)s needed).")
                % p
            )
        case "member_rating_share":
            return (
                _(
                    "Needs at least %(share)s of members rated “%(minimum)s” or better; "
                    "has %(count)s of %(total)s."
                )
                % p
            )
        case "member_ratings_unknown":
            return _("Some members' task ratings are not recorded; check them.")
        case "members_unknown":
            return _("The collective's members are not recorded; check the share by hand.")
        case "member_count" if met:
            return _("%(count)s members hold %(award)s (%(n)s needed).") % p
        case "member_count":
            return _("Needs at least %(n)s members with %(award)s; has %(count)s.") % p
        case "record_unconfirmed":
            return _(
                "Not confirmed free of discipline, investigation or an open complaint; check it."
            )
        case "clean_record" if met:
            return _("Confirmed free of discipline, investigation and open complaints.")
        case "clean_record":
            return _("Under discipline, investigation or an open complaint.")
        case "over_quota":
            return (
                _(
                    "%(count)s proposed for %(award)s, above the quota of %(limit)s; "
                    "choose among them."
                )
                % p
            )
        case "manual":
            return _("To check by hand: %(note)s") % p
        case "none_of":
            inner = "; ".join(describe(r, names) for r in p["reasons"])
            return _("Meets none of the alternatives: %(reasons)s") % {"reasons": inner}
        case "already_held":
            return _("Already holds %(award)s for %(year)s.") % p
        case "no_rule":
            return _("No rule for %(award)s is in force for this year; check by hand.") % p
        case "rule_not_found":
            return _("The criteria of %(award)s were not found in the law; check by hand.") % p
        case "rule_unverified":
            return _("The rule of %(award)s is not verified against the law.") % p
    return reason.code


def describe_data_error(error: RuleDataError) -> str:
    p = error.params
    match error.code:
        case "not_a_list":
            return _("The requirements must be a list.")
        case "unknown_kind":
            return _("Unknown kind of requirement: %(kind)s.") % p
        case "bad_fields":
            return _("The requirement %(kind)s has missing or unknown fields: %(fields)s.") % p
        case "unknown_award":
            return _("The requirement %(kind)s names an unknown award: %(award)s.") % p
        case "bad_value":
            return _("The requirement %(kind)s has an invalid %(field)s.") % p
    return error.code
