"""The user's words for the problems `voting.rules` reports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import box, rules


def describe(problem: rules.Problem, labels: Mapping[Any, str] | None = None) -> str:
    """One sentence for `problem`; `labels` name the candidates (keyed as in the settings)."""
    labels = labels or {}
    p = dict(problem.params)
    if "candidate" in p:
        p["candidate"] = labels.get(p["candidate"], str(p["candidate"]))
    if "candidates" in p and isinstance(p["candidates"], tuple):
        p["candidates"] = ", ".join(labels.get(c, str(c)) for c in p["candidates"])
    match problem.code:
        case rules.NO_CANDIDATES:
            return _("The poll has no candidates.")
        case rules.DUPLICATE_CANDIDATE:
            return _("%(candidate)s is on the list twice.") % p
        case rules.MAX_CHOICES_BELOW_ONE:
            return _("A ballot must allow at least one choice.")
        case rules.MAX_CHOICES_EXCEED_CANDIDATES:
            return (
                _("A ballot may not choose more (%(max_choices)s) than there are candidates.") % p
            )
        case rules.MAX_CHOICES_EXCEED_SEATS:
            return _("A ballot may not choose more (%(max_choices)s) than there are seats.") % p
        case rules.SEATS_BELOW_ONE:
            return _("There must be at least one seat.")
        case rules.SEATS_EXCEED_CANDIDATES:
            return _("There are more seats (%(seats)s) than candidates.") % p
        case rules.THRESHOLD_NOT_FRACTION | rules.THRESHOLD_OUT_OF_RANGE:
            return _("The threshold must be a share above zero and at most the whole.")
        case rules.THRESHOLD_UNREACHABLE:
            return _("Nobody can get more than all the votes: lower the threshold.")
        case rules.ENTITLED_BELOW_ONE:
            return _("The year has no members to vote.")
        case rules.TOO_MANY_CHOICES:
            return (
                _("The ballot chooses %(choices)s candidates; at most %(max_choices)s are allowed.")
                % p
            )
        case rules.UNKNOWN_CANDIDATE:
            return _("The choice is not a candidate of this poll.")
        case rules.DUPLICATE_CHOICE:
            return _("%(candidate)s is chosen twice.") % p
        case rules.SELF_VOTE:
            return _("A unit may not vote for itself in this poll.")
        case rules.BALLOTS_EXCEED_ENTITLED:
            return (
                _(
                    "More ballots (%(ballots_cast)s) than members entitled to vote "
                    "(%(entitled)s): the count is void."
                )
                % p
            )
        case rules.NO_BALLOTS_CAST:
            return _("No ballot was cast.")
        case rules.NEXT_ROUND_WITHOUT_SEATS:
            return _(
                "A new round between the leading candidates needs a number of seats: when every "
                "candidate over the threshold wins, choose no further round."
            )
        case rules.NEXT_ROUND_TOO_SMALL:
            return (
                _(
                    "The new round must be between more candidates (%(size)s) than there are "
                    "seats (%(seats)s)."
                )
                % p
            )
        case box.BOX_MALFORMED:
            return _("The file is not a ballot box published by thidua, or it is incomplete.")
        case box.BOX_DIGEST_CHANGED:
            return (
                _(
                    "The ballot box was changed after it was published: its content has the "
                    "digest %(actual)s, not the %(stated)s it states."
                )
                % p
            )
        case box.BOX_DIGEST_NOT_PUBLISHED:
            return (
                _(
                    "The ballot box is not the published one: its digest is %(actual)s, the "
                    "published digest is %(published)s."
                )
                % p
            )
        case box.BOX_RECEIPT_TWICE:
            return _("The receipt hash %(receipt_hash)s appears on more than one ballot.") % p
        case box.BOX_BALLOT_INVALID:
            return _("Ballot number %(ballot)s (in the file's order) breaks the poll's rules.") % p
        case box.BOX_RESULT_DIFFERS:
            return _("The recount differs from the result the ballot box states.")
        case rules.UNRESOLVED_TIE:
            return _("Tie among %(candidates)s, to be settled by the secretariat.") % p
        case rules.BLANK_EXCEED_CAST:
            return _("There are more blank ballots (%(blank)s) than ballots (%(cast)s).") % p
        case rules.VOTES_EXCEED_BALLOTS:
            return (
                _("%(candidate)s has %(votes)s votes but only %(ballots)s ballots were marked.") % p
            )
        case rules.TOO_MANY_VOTES:
            return (
                _(
                    "%(votes)s votes on %(ballots)s marked ballots: each ballot chooses at most "
                    "%(max_choices)s."
                )
                % p
            )
        case rules.TOO_FEW_VOTES:
            return (
                _(
                    "%(votes)s votes on %(ballots)s marked ballots: each marked ballot chooses "
                    "at least one candidate."
                )
                % p
            )
    return problem.code


# Voting's actions, as the year's history tells them. A vote is not among them: the history
# never lists votes one by one (docs/security.md, "Ballot secrecy").
ACTIONS = {
    "poll.create": gettext_lazy("created a poll"),
    "poll.update": gettext_lazy("changed a poll"),
    "poll.open": gettext_lazy("opened a poll"),
    "poll.close": gettext_lazy("closed a poll"),
    "poll.paper_count": gettext_lazy("entered the paper ballots' count"),
    "poll.paper_confirm": gettext_lazy("confirmed the paper ballots' count"),
    "poll.runoff": gettext_lazy("opened the next round"),
}
